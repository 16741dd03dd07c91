/*
 * msgq.c - the steps the msgq programs share: how big a message may be,
 * how the queue is created or joined, what a message is, in words, and
 * how often to narrate; and msgq/ctl peek.  See msgq.h.
 */
#define _GNU_SOURCE		/* MSG_COPY, a Linux flag of msgrcv(2) */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/time.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { MSGMAX_DEFAULT = 8192, MSGMAX_CAP = 16 << 20 };
enum { UNSIGNED_TICKS = 5 };	/* seconds to wait for an unsigned queue */
enum { PEEK_SHOWN = 24 };	/* msgq/ctl peek shows this many bytes */
#ifndef MSG_COPY
#define MSG_COPY 040000		/* Linux's value: musl's headers lack it */
#endif

static size_t qbytes_now(int qid);
static void check_fits(const struct msqid_ds *ds, size_t size,
    unsigned long request);
static noreturn void server_stopped(unsigned long request);
static noreturn void server_gone(int qid, pid_t pid, pid_t now);
static void show_copy(long pos, const struct message *m, ssize_t n);
static void show_counts(int qid, const struct msqid_ds *before, long seen);

/*
 * The largest message the kernel accepts is kernel.msgmax (8192 bytes
 * unless an administrator changed it): msgsnd fails with EINVAL above it.
 * msgmax_now() reads it afresh (it may change while we run);
 * max_message_size() reads it once, for the sizes fixed at start.
 */
size_t
msgmax_now(void)
{
	long max = MSGMAX_DEFAULT;
	FILE *f = fopen("/proc/sys/kernel/msgmax", "r");

	if (f != NULL) {
		if (fscanf(f, "%ld", &max) != 1 || max < 1)
			max = MSGMAX_DEFAULT;
		fclose(f);
	}
	return max > MSGMAX_CAP ? (size_t)MSGMAX_CAP : (size_t)max;
}

size_t
max_message_size(void)
{
	static size_t max;	/* read once: it is asked for often */

	if (max == 0)
		max = msgmax_now();
	return max;
}

/*
 * A buffer for msgrcv that takes any message this queue can hold: a
 * message went in when it fitted kernel.msgmax and the queue's qbytes of
 * that moment, and either may have been lowered since; the larger of the
 * two now covers the usual cases (capped at 16 MiB).
 */
size_t
receive_room(int qid)
{
	size_t max = msgmax_now(), qbytes = qbytes_now(qid);

	if (qbytes > max)
		max = qbytes < MSGMAX_CAP ? qbytes : MSGMAX_CAP;
	return max;
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
	size_t max = max_message_size(), qbytes = qbytes_now(qid);

	return qbytes < max ? qbytes : max;
}

/*
 * A message can hold at most room bytes (queue_room), fewer than the least
 * we need for what: say which limit it is - kernel.msgmax, or the qbytes
 * of whose queue - and how to raise that one; exit 1.  A client's own
 * queue has no key: its qbytes came from kernel.msgmnb when it was made.
 */
void
no_room(size_t room, const char *whose, const char *what, size_t least)
{
	if (room == max_message_size()) {
		refuse("a message may hold at most %zu byte%s (kernel.msgmax): "
		    "no room for %s (at least %zu)", room, plural(room), what,
		    least);
		hint("raise kernel.msgmax (as root: sysctl kernel.msgmax=8192)");
		exit(EXIT_CALL_FAILED);
	}
	refuse("%s holds at most %zu byte%s: no room for %s (at least %zu)",
	    whose, room, plural(room), what, least);
	if (strncmp(whose, "our own", 7) == 0)
		hint("raise kernel.msgmnb (as root), where a new queue's "
		    "qbytes comes from");
	else
		hint("raise it with {ctl} qbytes");
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
	if (max <= KIND_BYTES + QID_BYTES)
		no_room(max, whose, "a request", KIND_BYTES + QID_BYTES + 1);
	return max - KIND_BYTES - QID_BYTES;
}

/* The queue's msg_qbytes, the most bytes it may hold, as it is now. */
static size_t
qbytes_now(int qid)
{
	struct msqid_ds ds;

	if (msgctl(qid, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	return (size_t)ds.msg_qbytes;
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
 * msgq/ctl peek: look at every message in the queue without taking one.
 * With MSG_COPY (Linux 3.8 and later, built with CONFIG_CHECKPOINT_RESTORE)
 * msgrcv copies a message out and leaves it queued, and msgtyp is not a
 * type but a position: 0 is the head of the queue, 1 the next, and so on;
 * past the last one, ENOMSG.  MSG_COPY must come with IPC_NOWAIT.  The
 * buffer takes any message: the queue's bytes in all are at least as many.
 */
void
peek(int qid)
{
	struct msqid_ds before;
	struct message *m;
	size_t room = receive_room(qid);
	ssize_t n;
	long pos;

	if (msgctl(qid, IPC_STAT, &before) == -1)
		die("msgctl IPC_STAT");
	if (before.msg_cbytes > room)
		room = (size_t)before.msg_cbytes;
	m = new_message(room);
	printf("pos  type        bytes  kind     first bytes\n");
	for (pos = 0;; pos++) {
		n = msgrcv(qid, m, room, pos, MSG_COPY | IPC_NOWAIT);
		if (n == -1 && errno == ENOMSG)
			break;		/* no message at pos: the end */
		if (n == -1 && (errno == ENOSYS || errno == EINVAL))
			die_hint("msgrcv MSG_COPY", "this kernel lacks MSG_COPY "
			    "(Linux 3.8 and later, with "
			    "CONFIG_CHECKPOINT_RESTORE); msgq/ctl stat shows "
			    "the counts");
		if (n == -1)
			die("msgrcv MSG_COPY");
		show_copy(pos, m, n);
	}
	free(m);
	show_counts(qid, &before, pos);
}

/* One copied message: position, type, size, kind, its first bytes. */
static void
show_copy(long pos, const struct message *m, ssize_t n)
{
	static const char *const kinds[] = { "d", "DATA", "f", "FAILED",
		"q", "REQUEST", "a", "ANSWER", "s", "SIGN", NULL };
	const char *kind = "?", *p = &m->kind;
	size_t i, len = (size_t)n;

	for (i = 0; n > 0 && kinds[i] != NULL; i += 2)
		if (m->kind == kinds[i][0])
			kind = kinds[i + 1];
	if (n == 0)
		kind = "END";		/* the end of a stream: no bytes */
	if (n > 0 && *kind != '?') {
		p++;			/* the kind byte is shown as a word */
		len--;
	}
	printf("%-4ld %-11ld %5zd  %-7s  \"", pos, m->mtype, n, kind);
	for (i = 0; i < len && i < PEEK_SHOWN; i++)
		if (p[i] == '\n' || p[i] == '\t')
			printf("\\%c", p[i] == '\n' ? 'n' : 't');
		else if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (isprint((unsigned char)p[i]) && (unsigned char)p[i] < 0x80)
			putchar(p[i]);
		else
			printf("\\x%02x", (unsigned char)p[i]);
	printf("\"%s\n", len > PEEK_SHOWN ? "..." : "");
}

/*
 * The queue's counts before and after: equal, nothing moved.  If another
 * process sent or received meanwhile, the list may be off: say so, exit 1.
 */
static void
show_counts(int qid, const struct msqid_ds *before, long seen)
{
	struct msqid_ds after;

	if (msgctl(qid, IPC_STAT, &after) == -1)
		die("msgctl IPC_STAT");
	printf("messages   %lu before, %lu after (%ld copied)\n",
	    (unsigned long)before->msg_qnum, (unsigned long)after.msg_qnum,
	    seen);
	printf("bytes      %lu before, %lu after\n",
	    (unsigned long)before->msg_cbytes, (unsigned long)after.msg_cbytes);
	if (after.msg_qnum != before->msg_qnum || (unsigned long)seen !=
	    after.msg_qnum || after.msg_cbytes != before->msg_cbytes) {
		refuse("the queue changed while we looked (a send or a "
		    "receive by another process): the list may be off");
		hint("peek again when the queue is still");
		exit(EXIT_CALL_FAILED);
	}
	note("msgrcv MSG_COPY: %ld message%s copied, none taken", seen,
	    plural((unsigned long long)seen));
}

/* Is pid a process (that we may not signal, maybe)?  0 is none. */
int
alive(pid_t pid)
{
	return pid != 0 && (kill(pid, 0) == 0 || errno != ESRCH);
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

/*
 * msgq/server's msgget(IPC_CREAT | IPC_EXCL) failed with EEXIST.  If the
 * process that last took a message off that queue (msg_lrpid: a server
 * signs its queue so) still runs, a server serves there: say so, and do
 * not suggest removing its queue.  Else the usual hint (common/): remove
 * it, or pick another key.
 */
noreturn void
refuse_used_key(void)
{
	struct msqid_ds ds;
	int id = msgget(ipc_key, 0);

	if (id != -1 && msgctl(id, IPC_STAT, &ds) == 0 &&
	    alive(ds.msg_lrpid)) {
		errno = EEXIST;
		die_hint("msgget", "a queue with key 0x%08x exists already, "
		    "and PID %ld, which last took a message off it (another "
		    "msgq/server?), still runs: stop that one first, or pick "
		    "another key with -k", (unsigned int)ipc_key,
		    (long)ds.msg_lrpid);
	}
	errno = EEXIST;
	die("msgget");
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

/*
 * msgq/ctl watch's look at the queue (watch() in common/ polls it): how
 * many messages it holds and how many bytes (IPC_STAT's msg_qnum and
 * msg_cbytes).  Returns 0 when no queue has our key: not yet, or no more.
 */
int
queue_state(char *line, size_t size)
{
	struct msqid_ds ds;
	int id = msgget(ipc_key, 0);	/* flags 0: open, never create */

	if (id == -1 && errno == ENOENT)
		return 0;
	if (id == -1)
		die("msgget");
	if (msgctl(id, IPC_STAT, &ds) == -1) {
		if (errno == EINVAL || errno == EIDRM)
			return 0;	/* removed since msgget */
		die("msgctl IPC_STAT");
	}
	snprintf(line, size, "%lu message%s, %lu byte%s",
	    (unsigned long)ds.msg_qnum, plural(ds.msg_qnum),
	    (unsigned long)ds.msg_cbytes, plural(ds.msg_cbytes));
	return 1;
}

/*
 * May "waiting for ..." be narrated now?  A wait must never go unexplained,
 * even when the per-message lines of this second are used up, so waits
 * have their own pace: the first always, then at most one a second.
 */
int
paced_wait(void)
{
	static time_t last = -1;
	struct timespec now;

	if (quiet)
		return 0;
	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 1;
	if (last != -1 && now.tv_sec == last)
		return 0;
	last = now.tv_sec;
	return 1;
}
