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
 * Create the queue, or join it if the peer was first (then refuse it if
 * it is not ours alone: see refuse_if_not_ours in common/).  IPC_CREAT|IPC_EXCL
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
	if (msgctl(id, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	refuse_if_not_ours("queue", id, &ds.msg_perm);
	note("msgget: joined queue id %d, which was there already with %lu "
	    "message%s", id, (unsigned long)ds.msg_qnum,
	    plural(ds.msg_qnum));
	return id;
}
