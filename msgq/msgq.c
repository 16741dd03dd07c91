/*
 * msgq.c - the steps msgq/sender and msgq/receiver share: how big a
 * message may be, and how the queue is created or joined.  See msgq.h.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { MSGMAX_DEFAULT = 8192, MSGMAX_CAP = 16 << 20 };

/*
 * The largest message the kernel accepts is kernel.msgmax (8192 bytes
 * unless an administrator changed it): msgsnd fails with EINVAL above it.
 */
size_t
max_message_size(void)
{
	FILE *f = fopen("/proc/sys/kernel/msgmax", "r");
	long max = MSGMAX_DEFAULT;

	if (f != NULL) {
		if (fscanf(f, "%ld", &max) != 1 || max < 1)
			max = MSGMAX_DEFAULT;
		fclose(f);
	}
	return max > MSGMAX_CAP ? MSGMAX_CAP : (size_t)max;
}

/* Room for a message of up to size bytes after its mtype. */
struct message *
new_message(size_t size)
{
	struct message *m = malloc(sizeof *m + size);

	if (m == NULL)
		die("malloc");
	return m;
}

/*
 * Refuse a queue with our key that is not ours alone: one owned by
 * another user, or one whose mode lets others read (steal) or write
 * (forge) messages.  Someone may be squatting on the key.
 */
static void
check_owner(int id, struct msqid_ds *dsp)
{
	struct msqid_ds ds;
	unsigned int mode;

	if (msgctl(id, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	mode = ds.msg_perm.mode & 0777;
	if (ds.msg_perm.uid != geteuid()) {
		fprintf(stderr, "%s: key 0x%08x: queue id %d belongs to uid "
		    "%u, not to you (uid %u)\n", prog, (unsigned int)ipc_key,
		    id, (unsigned int)ds.msg_perm.uid,
		    (unsigned int)geteuid());
		hint("another user has this key (perhaps squatting on it); "
		    "pick another key with -k");
		exit(EXIT_CALL_FAILED);
	}
	if (mode & 066) {
		fprintf(stderr, "%s: key 0x%08x: queue id %d has mode 0%o: "
		    "other users could read or forge its messages\n", prog,
		    (unsigned int)ipc_key, id, mode);
		hint("remove it with msgq/ctl rm and start again, or pick "
		    "another key with -k");
		exit(EXIT_CALL_FAILED);
	}
	*dsp = ds;
}

/*
 * Create the queue, or join it if the peer was first.  IPC_CREAT|IPC_EXCL
 * fails with EEXIST instead of opening an existing queue, so we know for
 * sure which of the two we did.  The mode is given here in full: umask
 * does not apply to System V IPC objects.  Joining asks for read and write
 * (0600), so the kernel checks our permission now, not at the first send.
 */
int
open_queue(int *created)
{
	struct msqid_ds ds;
	int id;

	for (;;) {
		id = msgget(ipc_key, IPC_CREAT | IPC_EXCL | 0600);
		if (id != -1) {
			*created = 1;
			note("msgget: created queue id %d (mode 0600)", id);
			return id;
		}
		if (errno != EEXIST)
			die("msgget");
		id = msgget(ipc_key, 0600);
		if (id != -1)
			break;
		if (errno != ENOENT)
			die("msgget");
		/* Removed between our two calls: try to create it again. */
	}
	*created = 0;
	check_owner(id, &ds);
	note("msgget: joined queue id %d, which was there already with %lu "
	    "message%s", id, (unsigned long)ds.msg_qnum,
	    plural(ds.msg_qnum));
	return id;
}
