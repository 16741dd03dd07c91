/*
 * request.c - the two-way protocol of msgq/client and msgq/server (see
 * msgq.h): the server's side - refusing a key that is in use, signing its
 * queue, dropping a request too big for it with a refusal - and the
 * client's - finding the server by its signature, how many bytes a
 * request may hold, and its watch on the server while it waits: gone,
 * killed, or its queue now too small.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { SIGN_TRIES = 500 };	/* 5 s for a new server to sign its queue */

static int signature(struct server *s, const struct msqid_ds *ds,
    int last);
static void check_fits(const struct msqid_ds *ds, size_t size,
    unsigned long request);
static noreturn void server_stopped(unsigned long request);
static noreturn void server_gone(const struct server *s);

/*
 * msgq/server's msgget(key, IPC_CREAT | IPC_EXCL) failed with EEXIST.  Say
 * what the queue there is: a live server's (its signature, and a process
 * that is still the one that signed it), a dead server's (remove it), or
 * one that holds messages and is no server's (a stream's?  look before
 * removing anything).  An empty queue of no server: the usual hint
 * (common/): remove it, or pick another key.
 */
noreturn void
refuse_used_key(key_t key)
{
	struct server s = { .qid = msgget(key, 0) };
	struct msqid_ds ds;
	int sig;

	if (s.qid == -1 || msgctl(s.qid, IPC_STAT, &ds) == -1) {
		errno = EEXIST;
		die("msgget");		/* gone again: the usual hint */
	}
	sig = signed_by(s.qid, &s.pid, &s.start);
	if (sig == 1 && start_time(s.pid) == s.start)
		sig = 2;		/* and its signer still runs */
	errno = EEXIST;		/* what start_time's fopen may have changed */
	if (sig == 2)
		die_hint("msgget", "a queue with key 0x%08x exists already, "
		    "and PID %ld, which signed it (another msgq/server), "
		    "still runs: stop that one first, or pick another key "
		    "with -k", (unsigned int)key, (long)s.pid);
	if (sig == 1)
		die_hint("msgget", "a queue with key 0x%08x exists already, "
		    "left by msgq/server PID %ld, which is gone (killed by "
		    "kill -9?): remove it with {ctl} rm, then start again",
		    (unsigned int)key, (long)s.pid);
	if (ds.msg_qnum > 0)
		die_hint("msgget", "a queue with key 0x%08x exists already, "
		    "and it is no server's: it holds %lu message%s (a stream "
		    "of msgq/sender?); see them with {ctl} peek, or pick "
		    "another key with -k", (unsigned int)key,
		    (unsigned long)ds.msg_qnum, plural(ds.msg_qnum));
	die("msgget");
}

/*
 * msgq/server, at start: its signature, a message of type SIGN_TYPE that
 * says "msgq/server PID START" (msgq.h), sent first into the new queue.
 * The server never takes it (it takes any type but that one), so it stays
 * at the head of the queue while the server runs: a client reads it there
 * with MSG_COPY to know the server, and a stream program to know that the
 * queue is not a stream's.
 */
void
sign_queue(int id)
{
	struct {
		long mtype;
		char mtext[SIGN_BYTES];
	} sig = { .mtype = SIGN_TYPE };
	int len = snprintf(sig.mtext, sizeof sig.mtext, SIGN_FORMAT,
	    (long)getpid(), start_time(getpid()));

	if ((size_t)len > queue_room(id))	/* kernel.msgmax, qbytes */
		no_room(queue_room(id), "our queue", "our signature",
		    (size_t)len);
	if (msgsnd(id, &sig, (size_t)len, IPC_NOWAIT) == -1)
		die("msgsnd (signing the queue)");
	note("signed the queue: \"%s\" (type %ld) stays at its head while we "
	    "serve", sig.mtext, sig.mtype);
}

/*
 * msgq/server's msgrcv failed with E2BIG: the first request is bigger
 * than our buffer of room bytes (kernel.msgmax and the queue's qbytes
 * were raised after we started).  We take it cut to room bytes
 * (MSG_NOERROR) and drop it, said; its client gets an empty answer, a
 * refusal (msgq.h), so that it does not wait in vain.  Returns its size
 * if what we took fitted after all (another came first), else -2.
 */
ssize_t
take_oversized(int qid, struct message *req, size_t room)
{
	struct message no;
	ssize_t n = msgrcv(qid, req, room, SIGN_TYPE,
	    IPC_NOWAIT | MSG_NOERROR | MSG_EXCEPT);
	int to;

	if (n == -1 || (size_t)n < room)
		return n == -1 ? -2 : n;	/* gone, or whole after all */
	refuse("a request of type %ld, of more than %zu bytes, is bigger than "
	    "our buffer: dropped", req->mtype, room);
	hint("kernel.msgmax and the queue's qbytes were raised after we "
	    "started; restart msgq/server to take bigger requests");
	memcpy(&to, req->mtext, QID_BYTES);
	no.mtype = req->mtype;
	if (!may_answer(qid, to, req->mtype))
		return -2;
	if (msgsnd(to, &no, 0, IPC_NOWAIT) == -1)
		complain("msgsnd (refusal)");
	else
		note("msgsnd: refused PID %ld (an empty answer)", req->mtype);
	return -2;
}

/*
 * msgq/server: may it answer the request of PID pid into queue `to`, the
 * id the request names?  Only into a private queue (key 0, as msgq/client
 * makes with IPC_PRIVATE), not the server's own, of the user who runs pid
 * (the owner of /proc/PID): else any request could make the server write
 * into any queue it may write to - a stream's, another user's, its own.
 * Else say why, and return 0.
 */
int
may_answer(int server, int to, long pid)
{
	long long key = queue_key(to);
	struct msqid_ds ds;
	struct stat st;
	char proc[32];

	snprintf(proc, sizeof proc, "/proc/%ld", pid);
	if (to == server)
		refuse("request of PID %ld names our own queue id %d for its "
		    "answer: not answered", pid, to);
	else if (stat(proc, &st) == -1)
		refuse("client PID %ld is gone: answer dropped", pid);
	else if (key == -1 || msgctl(to, IPC_STAT, &ds) == -1)
		refuse("request of PID %ld names queue id %d, which is not "
		    "there: not answered", pid, to);
	else if (key != 0)
		refuse("request of PID %ld names queue id %d, key 0x%08x, for "
		    "its answer: not a client's private queue (key 0): not "
		    "answered", pid, to, (unsigned int)key);
	else if (ds.msg_perm.uid != st.st_uid)
		refuse("request of PID %ld (uid %u) names queue id %d of uid "
		    "%u: not its own: not answered", pid,
		    (unsigned int)st.st_uid, to,
		    (unsigned int)ds.msg_perm.uid);
	else
		return 1;
	return 0;
}

/*
 * msgq/client: open the server's queue with this key (flags 0: never
 * create: only the server does), and know the server by its signature,
 * given a few seconds (a new server signs at once).  Still unsigned, or
 * with something else at its head, it is no server's (a stream's: its
 * receiver would take our request for data): said, nothing sent, exit 1;
 * so too if its server is gone.  Ctrl-C: back, with stop_signal set.
 */
void
find_server(struct server *s, key_t key)
{
	struct timespec pause = { 0, 10000000L };
	struct msqid_ds ds;
	int tries;

	s->qid = msgget(key, 0);
	if (s->qid == -1 && errno == ENOENT)
		die_hint("msgget", "no msgq/server has key 0x%08x: start "
		    "msgq/server first, with the same -k or IPC_DEMO_KEY",
		    (unsigned int)key);
	if (s->qid == -1)
		die("msgget");
	for (tries = 0;; tries++) {
		if (msgctl(s->qid, IPC_STAT, &ds) == -1)
			die("msgctl IPC_STAT");
		refuse_if_not_ours("queue", s->qid, &ds.msg_perm);
		if (signature(s, &ds, tries == SIGN_TRIES) ||
		    (nanosleep(&pause, NULL) == -1 && stop_signal))
			return;		/* signed; or told to stop */
	}
}

/*
 * The signature at the head of the server's queue (signed_by, queue.c):
 * 1 when found (or when this kernel has no MSG_COPY: then we cannot
 * watch the server, and say so), 0 while the queue is empty and unsigned
 * (a new server signs it in a moment) and this is not the last look.  A
 * queue that holds other messages, or is still unsigned at the last
 * look, or whose signer is gone: said, exit 1.
 */
static int
signature(struct server *s, const struct msqid_ds *ds, int last)
{
	int sig = signed_by(s->qid, &s->pid, &s->start);

	if (sig == -1) {
		note("we cannot read the server's signature (no MSG_COPY in "
		    "this kernel, or kernel.msgmax below it), nor watch the "
		    "server while we wait");
		s->start = 0;
		return 1;
	}
	if (sig == 1 && start_time(s->pid) != s->start)
		server_gone(s);
	if (sig == 1 || (ds->msg_qnum == 0 && !last))
		return sig;
	refuse("key 0x%08x: queue id %d is no msgq/server's (no signature at "
	    "its head): it holds %lu message%s, a stream's?  Nothing sent",
	    (unsigned int)ipc_key, s->qid, (unsigned long)ds->msg_qnum,
	    plural(ds->msg_qnum));
	hint("msgq/server makes its own queue; give the client its key (-k), "
	    "or see what this one holds with {ctl} peek");
	exit(EXIT_CALL_FAILED);
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
	if (max <= QID_BYTES)
		no_room(max, whose, "a request", QID_BYTES + 1);
	return max - QID_BYTES;
}

/*
 * msgq/client, at each tick while it waits: does the server live, and can
 * our request (size bytes, 0 once sent) still fit in its queue?  Its queue
 * gone means it stopped.  The server is the process with the PID and the
 * start time of its signature: a process with that PID but another start
 * is another process, the PID used again after the server died without a
 * word (kill -9): nothing will ever answer.  Then our request (number
 * request), if still queued, is taken back into req: it is ours, typed
 * with our PID; we say so and exit 1.
 */
void
check_server(struct server *s, struct message *req, size_t room,
    unsigned long request, size_t size)
{
	struct msqid_ds ds;

	if (msgctl(s->qid, IPC_STAT, &ds) == -1) {
		if (errno != EIDRM && errno != EINVAL)
			die("msgctl IPC_STAT");
		server_stopped(request);
	}
	if (size > 0)
		check_fits(&ds, size, request);
	if (s->start == 0 || start_time(s->pid) == s->start)
		return;		/* the server lives, or we cannot tell */
	/* Our request back, if still queued: it is no use now. */
	while (msgrcv(s->qid, req, room, (long)getpid(), IPC_NOWAIT) != -1)
		;
	server_gone(s);
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

/* The server that signed the queue is gone, without removing it. */
static noreturn void
server_gone(const struct server *s)
{
	refuse("the server (PID %ld) is gone, without removing its queue id "
	    "%d (killed by kill -9?): nothing will answer", (long)s->pid,
	    s->qid);
	hint("remove the queue with {ctl} rm, then start msgq/server again");
	exit(EXIT_CALL_FAILED);
}
