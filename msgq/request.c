/*
 * request.c - the two-way protocol of msgq/client and msgq/server (see
 * msgq.h): the server's side - refusing a key a live server holds,
 * signing its queue, dropping a request too big for it with a refusal -
 * and the client's - how many bytes a request may hold, and its watch on
 * the server while it waits: gone, killed, or its queue now too small.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { UNSIGNED_TICKS = 5 };	/* seconds to wait for an unsigned queue */

static void check_fits(const struct msqid_ds *ds, size_t size,
    unsigned long request);
static noreturn void server_stopped(unsigned long request);
static noreturn void server_gone(int qid, pid_t pid, pid_t now);

/*
 * msgq/server's msgget(key, IPC_CREAT | IPC_EXCL) failed with EEXIST.  If the
 * process that last took a message off that queue (msg_lrpid: a server
 * signs its queue so) still runs, a server serves there: say so, and do
 * not suggest removing its queue.  Else the usual hint (common/): remove
 * it, or pick another key.
 */
noreturn void
refuse_used_key(key_t key)
{
	struct msqid_ds ds;
	int id = msgget(key, 0);

	if (id != -1 && msgctl(id, IPC_STAT, &ds) == 0 &&
	    alive(ds.msg_lrpid)) {
		errno = EEXIST;
		die_hint("msgget", "a queue with key 0x%08x exists already, "
		    "and PID %ld, which last took a message off it (another "
		    "msgq/server?), still runs: stop that one first, or pick "
		    "another key with -k", (unsigned int)key,
		    (long)ds.msg_lrpid);
	}
	errno = EEXIST;
	die("msgget");
}

/*
 * msgq/server, at start: msg_lrpid, in the queue's msqid_ds, is the PID
 * of the last process that took a message off it.  One message to
 * ourselves, sent and taken back, (of a type no client PID can be) makes
 * it ours from the start, so that a waiting client can check that the
 * server still lives (kill(pid, 0)), however long it waits: check_server,
 * below.
 */
void
sign_queue(int id)
{
	struct message sig = { .mtype = LONG_MAX, .kind = SIGN };

	if (msgsnd(id, &sig, KIND_BYTES, IPC_NOWAIT) == -1)
		die("msgsnd (signing the queue)");
	while (msgrcv(id, &sig, KIND_BYTES, LONG_MAX, IPC_NOWAIT) == -1)
		if (errno != EINTR)
			die("msgrcv (signing the queue)");
	note("signed the queue: its msg_lrpid is our PID, %ld",
	    (long)getpid());
}

/*
 * msgq/server's msgrcv failed with E2BIG: the first message is bigger
 * than our buffer of room bytes (kernel.msgmax and the queue's qbytes
 * were raised after we started).  We take it cut to room bytes
 * (MSG_NOERROR) and drop it, said; a request's client gets an empty
 * answer, a refusal (msgq.h), so that it does not wait in vain.  Returns
 * its size if what we took fitted after all (another came first), else -2.
 */
ssize_t
take_oversized(int qid, struct message *req, size_t room)
{
	struct message no = { .kind = ANSWER };
	ssize_t n = msgrcv(qid, req, room, 0, IPC_NOWAIT | MSG_NOERROR);
	int to;

	if (n == -1 || (size_t)n < room)
		return n == -1 ? -2 : n;	/* gone, or whole after all */
	refuse("%s, type %ld, of more than %zu bytes is bigger than our "
	    "buffer: dropped", kind_name(req, (size_t)n), req->mtype, room);
	hint("kernel.msgmax and the queue's qbytes were raised after we "
	    "started; restart msgq/server to take bigger requests");
	if (req->kind != REQUEST || (size_t)n < KIND_BYTES + QID_BYTES)
		return -2;
	memcpy(&to, req->mtext, QID_BYTES);
	no.mtype = req->mtype;
	if (msgsnd(to, &no, KIND_BYTES, IPC_NOWAIT) == -1)
		complain("msgsnd (refusal)");
	else
		note("msgsnd: refused PID %ld (an empty answer)", req->mtype);
	return -2;
}

/*
 * msgq/client: the most bytes of data in a request, which goes into the
 * server's queue, and whose answer, as long, into our own (own): both
 * queues must take it, with its header.  Too few: no_room, exit 1.
 */
size_t
request_room(int server, int own)
{
	size_t max = queue_room(server);
	const char *whose = "the server's queue";

	if (queue_room(own) < max) {
		max = queue_room(own);
		whose = "our own queue";
	}
	if (max <= KIND_BYTES + QID_BYTES)
		no_room(max, whose, "a request", KIND_BYTES + QID_BYTES + 1);
	return max - KIND_BYTES - QID_BYTES;
}

/*
 * msgq/client, at each tick while it waits: does the server live, and can
 * our request (size bytes, 0 once sent) still fit in its queue?  Its queue
 * gone means it stopped.  Its PID is msg_lrpid, which msgq/server signs at
 * start; we keep the first we saw (s->pid), for another process may take
 * a message off the queue after (a msgq/receiver at the wrong key), and
 * die, while the server lives.  Only when neither the PID we kept nor the
 * queue's msg_lrpid now is a process has the server died without a word
 * (kill -9): nothing will ever answer.  Then our request (number request),
 * if still queued, is taken back into req: it is ours, typed with our
 * PID; we say so and exit 1.
 */
void
check_server(struct server *s, struct message *req, size_t room,
    unsigned long request, size_t size)
{
	struct msqid_ds ds;
	pid_t now;

	if (msgctl(s->qid, IPC_STAT, &ds) == -1) {
		if (errno != EIDRM && errno != EINVAL)
			die("msgctl IPC_STAT");
		server_stopped(request);
	}
	if (size > 0)
		check_fits(&ds, size, request);
	now = ds.msg_lrpid;
	if (s->pid == 0)
		s->pid = now;	/* the first PID we see: the server's */
	if (s->pid == 0 && ++s->unsigned_ticks < UNSIGNED_TICKS)
		return;		/* the server is still signing its queue */
	if (alive(s->pid) || alive(now))
		return;		/* the server, or one that may be it, lives */
	/* Our request back, if still queued: it is no use now. */
	while (msgrcv(s->qid, req, room, (long)getpid(), IPC_NOWAIT) != -1)
		;
	server_gone(s->qid, s->pid, now);
}

/*
 * msgq/client's msgsnd of request number request failed (errno).  The
 * server's queue gone (EIDRM; EINVAL once its id is stale): the server
 * stopped, which we say as check_server does.  Else die.
 */
void
request_failed(const struct server *s, unsigned long request)
{
	struct msqid_ds ds;
	int err = errno;

	if ((err == EIDRM || err == EINVAL) &&
	    msgctl(s->qid, IPC_STAT, &ds) == -1 &&
	    (errno == EIDRM || errno == EINVAL))
		server_stopped(request);
	errno = err;
	die("msgsnd");
}

static noreturn void
server_stopped(unsigned long request)
{
	refuse("the server stopped: its queue is gone; request %lu was not "
	    "answered", request);
	exit(EXIT_CALL_FAILED);
}

/*
 * A request of size bytes waits in msgsnd: can it ever go?  Not if
 * kernel.msgmax or the queue's qbytes (msgq/ctl qbytes) fell below it
 * since we started: the kernel would wait for room that can never be.
 */
static void
check_fits(const struct msqid_ds *ds, size_t size, unsigned long request)
{
	size_t max = msgmax_now();

	if (ds->msg_qbytes < max)
		max = ds->msg_qbytes;
	if (size <= max)
		return;
	refuse("request %lu (%zu bytes with its header) can never fit in the "
	    "server's queue now: it takes messages of %zu bytes at most "
	    "(%s was lowered)", request, size, max, max == ds->msg_qbytes ?
	    "its qbytes" : "kernel.msgmax");
	hint("raise %s, or send shorter lines", max == ds->msg_qbytes ?
	    "it with {ctl} qbytes" : "kernel.msgmax (as root)");
	exit(EXIT_CALL_FAILED);
}

/*
 * Neither PID is a process (see check_server).  pid 0: no process ever
 * took a message off the queue, so it is not a server's at all; its
 * owner may still need it, so we do not say to remove it.
 */
static noreturn void
server_gone(int qid, pid_t pid, pid_t now)
{
	if (pid == 0) {
		refuse("no server ever took a message off queue id %d: it "
		    "is not msgq/server's", qid);
		hint("give msgq/server's key with -k, or start msgq/server "
		    "with a key of its own");
		exit(EXIT_CALL_FAILED);
	}
	if (now == pid)
		refuse("the server (PID %ld) is gone, without removing its "
		    "queue id %d (killed by kill -9?): nothing will answer",
		    (long)pid, qid);
	else
		refuse("the server (PID %ld, or %ld, which took a message "
		    "off its queue id %d since) is gone, without removing the "
		    "queue (killed by kill -9?): nothing will answer",
		    (long)pid, (long)now, qid);
	hint("remove the queue with {ctl} rm, then start msgq/server "
	    "again");
	exit(EXIT_CALL_FAILED);
}
