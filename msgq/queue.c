/*
 * queue.c - the queue itself, for every msgq program: how big a message
 * may be (kernel.msgmax, the queue's qbytes), a buffer for one, msgget to
 * create the queue or join it, what a message is, in words, whether a PID
 * the queue names still runs, and how often a wait is narrated.  See
 * msgq.h.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { MSGMAX_DEFAULT = 8192, MSGMAX_CAP = 16 << 20 };

static size_t qbytes_now(int qid);

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
		refuse("a message may hold at most %zu byte%s "
		    "(kernel.msgmax): no room for %s (at least %zu)", room,
		    plural(room), what, least);
		hint("raise kernel.msgmax (as root: sysctl "
		    "kernel.msgmax=8192)");
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
 * Create the queue with this key, or join it if the peer was first (then
 * refuse it if it is not ours alone: see refuse_if_not_ours in common/).
 * IPC_CREAT|IPC_EXCL fails with EEXIST instead of opening an existing
 * queue, so we know for sure which of the two we did.  The mode is given
 * here in full: umask does not apply to System V IPC objects.  Joining
 * asks for read and write (0600), so the kernel checks our permission
 * now, not at the first send.
 */
int
open_queue(key_t key)
{
	struct msqid_ds ds;
	int id;

	for (;;) {
		id = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
		if (id != -1) {
			note("msgget: created queue id %d (mode 0600)", id);
			return id;
		}
		if (errno != EEXIST)
			die("msgget");
		id = msgget(key, 0600);
		if (id != -1)
			break;
		if (errno != ENOENT)
			die("msgget");
		/* Removed between our two calls: try to create it again. */
	}
	if (msgctl(id, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	refuse_if_not_ours("queue", id, &ds.msg_perm);
	note("msgget: joined queue id %d, which was there already with %lu "
	    "message%s", id, (unsigned long)ds.msg_qnum,
	    plural(ds.msg_qnum));
	return id;
}

/*
 * The kinds of msgq.h, each in a word (msgq/ctl peek's column) and in
 * words (narration and refusals).  The first row is the end of a stream,
 * a message with no bytes, so with no kind byte.
 */
static const struct {
	char kind;
	const char *word, *words;
} kinds[] = {
	{ 0, "END", "an end of stream (of msgq/sender)" },
	{ DATA, "DATA", "stream data (of msgq/sender)" },
	{ FAILED, "FAILED", "a failed-stream mark (of msgq/sender)" },
	{ REQUEST, "REQUEST", "a request (of msgq/client)" },
	{ ANSWER, "ANSWER", "an answer (of msgq/server)" },
	{ SIGN, "SIGN", "a server's signature (of msgq/server)" },
};

/* Which row of kinds a message of n bytes is; -1 for none we know. */
static int
kind_of(const struct message *m, size_t n)
{
	int i;

	if (n == 0)
		return 0;
	for (i = 1; i < (int)(sizeof kinds / sizeof kinds[0]); i++)
		if (m->kind == kinds[i].kind)
			return i;
	return -1;
}

/* What a message of n bytes is, in a word: "DATA"; NULL if we know not. */
const char *
kind_word(const struct message *m, size_t n)
{
	int i = kind_of(m, n);

	return i == -1 ? NULL : kinds[i].word;
}

/* What a message of n bytes is, in words, for narration and refusals. */
const char *
kind_name(const struct message *m, size_t n)
{
	static char words[64];
	int i = kind_of(m, n);

	if (i != -1)
		return kinds[i].words;
	snprintf(words, sizeof words, "a message of no kind we know "
	    "(first byte 0x%02x)", (unsigned char)m->kind);
	return words;
}

/* Is pid a process (that we may not signal, maybe)?  0 is none. */
int
alive(pid_t pid)
{
	return pid != 0 && (kill(pid, 0) == 0 || errno != ESRCH);
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
