/*
 * msgq/sender - send lines of text (or arguments, or blocks of a file) as
 * messages on a System V message queue.  Its partner is msgq/receiver.
 *
 * A message queue is a list of messages kept in the kernel.  msgsnd(2)
 * copies a message onto the end of the list and returns: from then on the
 * message belongs to the kernel, so it outlives the process that sent it.
 * A receiver takes messages off with msgrcv(2) whenever it runs - before,
 * during or after the sender.  A pipe or FIFO cannot do that.  Each message
 * carries a type, a positive number the receiver can select on.
 *
 * Whichever of the pair starts first creates the queue; the receiver
 * removes it once it is empty.  msgq/msgq.h gives the protocol: each
 * message is the textbook one, a type and the bytes, and an empty message
 * ends the stream; stopped or failed before the end of its input, the
 * sender sends no end, and the receiver, seeing it gone, says the stream
 * was cut.  The queue carries one direction only; for questions and
 * answers, see msgq/client and msgq/server.  msgq/first/sender is the
 * same lesson on one page.
 *
 * Run it in two terminals:
 *	terminal 1:  msgq/sender        type lines; Ctrl-D ends the stream
 *	terminal 2:  msgq/receiver      each line appears as you press Enter
 * and watch the queue from a third one with ipcs -q.
 *
 * Try this: msgq/sender hello world, with no receiver running.  ipcs -q
 * shows 3 messages (two lines and the end of stream) waiting in the
 * kernel; start msgq/receiver a minute later and they arrive.
 * Try this: while a long stream runs, msgq/ctl qbytes 100: the sender
 * sees that no bigger message can ever fit, and sends smaller ones.
 * Ctrl-D ends the stream; Ctrl-C cuts it, and the receiver says so.
 *
 * See also: msgq/receiver, msgq/ctl, msgq/client, msgget(2), msgop(2),
 * msgctl(2).
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

enum { TOO_BIG = -2 };		/* queue_full: the queue's limit fell */

/* The stream we send, handed to each step. */
struct sender {
	int qid;		/* the queue, once open */
	long type;		/* -t: the type of every message we send */
	int nowait;		/* -n: IPC_NOWAIT, a full queue is an error */
	size_t chunk;		/* most data bytes in one message now */
	struct message *msg;	/* the message we fill and send */
	size_t pending;		/* bytes at msg->mtext not sent yet */
	struct input in;	/* where they come from: msgq.h */
	unsigned long sent;	/* data messages sent */
	unsigned long long sent_bytes;
};

static int unended;		/* for at_exit(): data sent, no end yet */

static key_t options(int argc, char *argv[], struct sender *s);
static size_t next_data(struct sender *s);
static int queue_full(struct sender *s, size_t len);
static void sent_data(struct sender *s, size_t len);
static void at_exit(void);
static void report(const struct sender *s);

int
main(int argc, char *argv[])
{
	struct sender s = { .qid = -1, .type = 1 };
	size_t len;
	key_t key;
	int r;

	key = options(argc, argv, &s);	/* the key; -b -n -t MESSAGE: below */
	catch_signals();
	s.msg = new_message(max_message_size());
	s.qid = open_queue(key);		/* msgget: queue.c */
	if (atexit(at_exit) != 0)	/* it says a stream begun is cut */
		die("atexit");
	s.chunk = data_room(s.qid);		/* msgmax, qbytes: stream.c */

	/* A message for each line, block or MESSAGE (pieces, if long). */
	ticking(1);	/* SIGALRM each second wakes a wait: queue_full */
	while ((len = next_data(&s)) > 0) {
		s.msg->mtype = s.type;	/* sizes count mtext, never mtype */
		/*
		 * Try without waiting first, only to say that the queue is
		 * full; then wait in msgsnd, woken each second by a tick.
		 */
		r = msgsnd(s.qid, s.msg, len, IPC_NOWAIT);
		while (r == -1 && (r = queue_full(&s, len)) == 0)
			r = msgsnd(s.qid, s.msg, len, s.nowait);
		if (stop_signal)
			break;
		if (r == 0)
			sent_data(&s, len);	/* else TOO_BIG: cut smaller */
	}
	ticking(0);
	unended = 0;		/* at_exit() is done: we end it ourselves */
	r = end_stream(s.qid, s.msg, s.type, s.sent);	/* empty: msgq.h */
	report(&s);
	free(s.msg);
	return close_stdout() == -1 || r == -1 ? EXIT_CALL_FAILED :
	    exit_status(0);
}

/* -b, -n and -t, for parse_options(). */
static int
own_option(int opt, const char *arg, void *ctx)
{
	struct sender *s = ctx;
	long long n;

	if (opt == 'b')
		s->in.bulk = 1;
	else if (opt == 'n')
		s->nowait = IPC_NOWAIT;
	else if (parse_num("-t", arg, 1, LONG_MAX, &n) == -1)
		return -1;
	else
		s->type = (long)n;
	return 0;
}

/* Options, operands into s; returns the key: -k, $IPC_DEMO_KEY or ftok. */
static key_t
options(int argc, char *argv[], struct sender *s)
{
	static const struct row rows[] = {
		{ "-b", "bulk: send standard input in blocks of the largest "
		    "message size" },
		KEY_ROW("the queue's key"),
		{ "-n", "do not wait when the queue is full: fail instead" },
		QUIET_ROW,
		{ "-t TYPE", "message type, 1 or more (default 1)" },
	};
	static const struct program sender = { "msgq/sender", "[MESSAGE ...]",
	    "Send each MESSAGE, or each line of standard input, as a message.",
	    ROWS(rows) };
	int first = parse_options(&sender, argc, argv, own_option, s);

	if (s->in.bulk && first < argc) {
		fprintf(stderr, "%s: -b sends standard input; it takes no "
		    "MESSAGE\n", prog);
		show_usage(stderr);
	}
	s->in.args = messages(argc, argv, first);	/* NULL: none */
	return use_key(PROJ_MSGQ);
}

/*
 * The bytes to send next, at msg->mtext: what is left of the last piece
 * (the queue's limit fell while it waited), else new input.  At most
 * chunk of them, the most a message can hold now.
 */
static size_t
next_data(struct sender *s)
{
	if (s->pending == 0)
		s->pending = next_input(&s->in, s->msg->mtext, s->chunk);
	return s->pending < s->chunk ? s->pending : s->chunk;
}

/*
 * msgsnd failed (errno says why): the queue is full, a tick came while we
 * waited, or EINVAL (kernel.msgmax fell?).  Returns 0 to wait (again) in
 * msgsnd, TOO_BIG when a limit fell below len (chunk is smaller now), -1
 * when stopped by a signal.  A full queue is the usual case of a fast
 * stream, so it costs no call of its own: the limits are looked at when
 * a wait has lasted until the tick (or with -n, before we give up).
 */
static int
queue_full(struct sender *s, size_t len)
{
	if (errno == EINTR && stop_signal)
		return -1;
	if (errno != EINTR && errno != EAGAIN && errno != EINVAL) {
		ticking(0);
		die("msgsnd");
	}
	if (errno == EAGAIN && !s->nowait) {
		say_full(s->qid);	/* if narrated: stream.c */
		return 0;
	}
	if (fit_to_queue(s->qid, len, s->nowait, &s->chunk) == -1)
		return TOO_BIG;
	return 0;
}

/*
 * len bytes went: count them, say so and what the queue holds now (at a
 * readable pace), and keep what is left of the piece for the next message.
 */
static void
sent_data(struct sender *s, size_t len)
{
	struct msqid_ds ds;

	s->sent++;
	s->sent_bytes += len;
	unended = 1;		/* from here on, exit() says it is cut */
	if (paced()) {
		if (msgctl(s->qid, IPC_STAT, &ds) == -1)
			die("msgctl IPC_STAT");
		note("msgsnd: type %ld, %zu byte%s; the queue now holds %lu "
		    "message%s, %lu byte%s%s", s->type, len, plural(len),
		    (unsigned long)ds.msg_qnum,
		    plural(ds.msg_qnum), (unsigned long)ds.msg_cbytes,
		    plural(ds.msg_cbytes),
		    ds.msg_qnum == 0 ? " (a receiver took it already)" : "");
	}
	memmove(s->msg->mtext, s->msg->mtext + len, s->pending - len);
	s->pending -= len;
}

/* At exit(3) after a failure: the stream is cut; say so (stream.c). */
static void
at_exit(void)
{
	if (unended)
		say_cut();
}

/* The totals, and where the messages are now. */
static void
report(const struct sender *s)
{
	struct msqid_ds ds;

	if (stop_signal)
		note("stopped by signal %d", (int)stop_signal);
	if (msgctl(s->qid, IPC_STAT, &ds) == -1) {
		note("sent %lu message%s, %llu byte%s; the queue is gone "
		    "(the receiver took everything and removed it)", s->sent,
		    plural(s->sent), s->sent_bytes, plural(s->sent_bytes));
		return;
	}
	note("sent %lu message%s, %llu byte%s; the queue holds %lu message%s "
	    "now (see ipcs -q)", s->sent, plural(s->sent), s->sent_bytes,
	    plural(s->sent_bytes),
	    (unsigned long)ds.msg_qnum, plural(ds.msg_qnum));
}
