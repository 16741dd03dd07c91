/*
 * msgq.c - the steps the msgq programs share: how big a message may be,
 * how the queue is created or joined, what a message is, in words, and
 * how often to narrate.  See msgq.h.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/time.h>
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { MSGMAX_DEFAULT = 8192, MSGMAX_CAP = 16 << 20 };
enum { UNSIGNED_TICKS = 5 };	/* seconds to wait for an unsigned queue */

/*
 * The largest message the kernel accepts is kernel.msgmax (8192 bytes
 * unless an administrator changed it): msgsnd fails with EINVAL above it.
 */
size_t
max_message_size(void)
{
	static long max = -1;	/* read once: it is asked for often */
	FILE *f;

	if (max != -1)
		return (size_t)max;
	max = MSGMAX_DEFAULT;
	f = fopen("/proc/sys/kernel/msgmax", "r");
	if (f != NULL) {
		if (fscanf(f, "%ld", &max) != 1 || max < 1)
			max = MSGMAX_DEFAULT;
		fclose(f);
	}
	if (max > MSGMAX_CAP)
		max = MSGMAX_CAP;
	return (size_t)max;
}

/*
 * The largest message that can ever go into this queue now: kernel.msgmax,
 * and the queue's own msg_qbytes (msgq/ctl qbytes may lower it at any
 * time).  A bigger one would wait in msgsnd forever, even on an empty
 * queue: the kernel waits for room that can never be.
 */
size_t
queue_room(int qid)
{
	struct msqid_ds ds;
	size_t max = max_message_size();

	if (msgctl(qid, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	return ds.msg_qbytes < max ? (size_t)ds.msg_qbytes : max;
}

/* Room for a message of up to size bytes (kind byte included). */
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

/* What a message of n bytes is, in words, for narration and refusals. */
const char *
kind_name(const struct message *m, size_t n)
{
	static char words[64];

	if (n == 0)
		return "an end of stream (of msgq/sender)";
	switch (m->kind) {
	case DATA:
		return "stream data (of msgq/sender)";
	case FAILED:
		return "a failed-stream mark (of msgq/sender)";
	case REQUEST:
		return "a request (of msgq/client)";
	case ANSWER:
		return "an answer (of msgq/server)";
	case SIGN:
		return "a server's signature (of msgq/server)";
	}
	snprintf(words, sizeof words, "a message of no kind we know "
	    "(first byte 0x%02x)", (unsigned char)m->kind);
	return words;
}

/*
 * msgq/client, at each tick while it waits: does the server live?  Its
 * queue gone means it stopped; a queue still there whose msg_lrpid (the
 * server's PID, see msgq/server) is no process means it died without a
 * word (kill -9): nothing will ever answer.  Then our request (number
 * request), if still queued, is taken back into req: it is ours, typed
 * with our PID; we say so and exit 1.  *ticks counts the ticks that saw
 * no PID yet (the server is still signing its queue).
 */
void
check_server(int server, struct message *req, size_t room,
    unsigned long request, int *ticks)
{
	struct msqid_ds ds;
	pid_t pid;

	if (msgctl(server, IPC_STAT, &ds) == -1) {
		if (errno != EIDRM && errno != EINVAL)
			die("msgctl IPC_STAT");
		refuse("the server stopped: its queue is gone; request %lu "
		    "was not answered", request);
		exit(EXIT_CALL_FAILED);
	}
	pid = ds.msg_lrpid;
	if (pid == 0 && ++*ticks < UNSIGNED_TICKS)
		return;		/* the server is still signing its queue */
	if (pid != 0 && (kill(pid, 0) == 0 || errno != ESRCH))
		return;
	/* Our request back, if still queued: it is no use now. */
	while (msgrcv(server, req, room, (long)getpid(), IPC_NOWAIT) != -1)
		;
	if (pid == 0)
		refuse("no server ever took a message off queue id %d: it "
		    "is not msgq/server's", server);
	else
		refuse("the server (PID %ld) is gone, without removing its "
		    "queue id %d (killed by kill -9?): nothing will answer",
		    (long)pid, server);
	hint("remove the queue with msgq/ctl rm, then start msgq/server "
	    "again");
	exit(EXIT_CALL_FAILED);
}

/*
 * msgq/server's queue is its own: it made it, and removes it with
 * IPC_RMID when it stops, with whatever requests are still in it.  Their
 * clients, waiting, see the queue go and say so.
 */
void
remove_queue(int *qid)
{
	struct msqid_ds ds;
	int id = *qid;

	if (id == -1)
		return;
	*qid = -1;
	if (msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum > 0)
		note("%lu request%s still queued go with the queue; their "
		    "clients will be told", (unsigned long)ds.msg_qnum,
		    plural(ds.msg_qnum));
	if (msgctl(id, IPC_RMID, NULL) == -1) {
		if (errno != EINVAL && errno != EIDRM)
			complain("msgctl IPC_RMID");
		return;
	}
	note("msgctl IPC_RMID: removed queue id %d", id);
}
