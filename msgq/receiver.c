/*
 * msgq/receiver - take messages off a System V message queue and write
 * their bytes to standard output.  Its partner is msgq/sender.
 *
 * msgrcv(2) removes the first message that matches the type asked for and
 * copies it out: each message is delivered once, to one receiver.  With
 * none queued, msgrcv waits.  The messages were kept by the kernel, so they
 * may have been sent long ago by a sender that has since exited.
 *
 * The type selects: 0 takes any message, in the order sent; a positive
 * type takes only that type; a negative type takes the lowest type not
 * above its absolute value, so small types jump the queue.
 *
 * Whichever of the pair starts first creates the queue.  The receiver stops
 * at the end of the stream (an empty message: see msgq/msgq.h), after -c
 * COUNT messages, or on Ctrl-C, and then removes the queue if it is empty
 * - unless the stream is not over and its sender still runs.  Messages
 * still queued belong to someone and are left for the next one.
 * Several senders may share the queue; each ends its own stream, so -e N
 * waits for N ends.  A stream cut short - the queue empty, no end come,
 * and its sender gone (failed, Ctrl-C, kill -9): see msgq/msgq.h - or
 * output we could not write: each is said, and the receiver exits 1,
 * having taken nothing more off the queue.  A queue of msgq/server's is
 * refused, untouched.  msgq/first/receiver is the lesson on one page.
 *
 * Run it in two terminals:
 *	terminal 1:  msgq/receiver      waits, then prints each line sent
 *	terminal 2:  msgq/sender        type lines; Ctrl-D ends the stream
 * and watch the queue from a third one with ipcs -q.
 *
 * Try this: msgq/sender -t 3 three; msgq/sender -t 1 one; then
 * msgq/receiver -t -3 -c 2 prints "one" first: the lowest type comes first.
 * Try this: msgq/receiver -e 2, and msgq/sender in two other terminals:
 * the lines of both arrive interleaved, each exactly once.
 * Try this: msgq/sender hello, then msgq/receiver > /dev/full: the write
 * fails, the receiver says which message it lost, and the end of stream
 * stays queued for the next receiver.
 *
 * See also: msgq/sender, msgq/ctl, msgq/server, msgget(2), msgop(2),
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

/* What the steps share. */
struct receiver {
	struct receiving w;	/* -t, -n, room, what we took: msgq.h */
	struct message *msg;	/* the message received */
	long long count;	/* -c: stop after this many (else all) */
	long long ends;		/* -e: stop after this many ends */
	long long ended;	/* ends seen */
	int status;		/* what main returns: 1 after a failure */
	int cut;		/* the stream was cut short, and said */
	unsigned long got;	/* data messages written out whole */
	unsigned long long got_bytes;
};

static int qid = -1;		/* the queue, once open: tidy() */
static int over;		/* every end we wait for came: tidy() */

static key_t options(int argc, char *argv[], struct receiver *r);
static void narrate_receive(int id, const struct message *msg, ssize_t n);
static int stream_ends(struct receiver *r);
static int write_data(struct receiver *r, size_t len);
static void tidy(void);
static void report(const struct receiver *r);

int
main(int argc, char *argv[])
{
	struct receiver r = { .count = LLONG_MAX, .ends = 1 };
	ssize_t n;
	key_t key;

	key = options(argc, argv, &r);	/* the key; -c -e -n -t: below */
	catch_signals();
	qid = open_queue(key);		/* msgget: queue.c */
	r.w.room = receive_room(qid);	/* any message it can hold */
	r.msg = new_message(r.w.room);
	if (atexit(tidy) != 0)
		die("atexit");

	/* A signal between two calls interrupts none of them: look for it. */
	ticking(1);	/* SIGALRM each second wakes a wait: stream.c */
	while (r.got < (unsigned long long)r.count && !stop_signal) {
		/* Try without waiting first: nothing queued, wait below. */
		n = msgrcv(qid, r.msg, r.w.room, r.w.type, IPC_NOWAIT);
		if (n == -1)	/* wait, ticking: is it cut?  stream.c */
			n = wait_message(qid, r.msg, &r.w);
		if (n == -2)			/* cut, and said */
			r.cut = 1, r.status = EXIT_CALL_FAILED;
		if (n < 0)
			break;	/* stopped, cut, or -n and nothing left */
		narrate_receive(qid, r.msg, n);
		r.w.taken++;
		r.w.last_data = n > 0;
		if (n == 0) {			/* no bytes: an end */
			if (stream_ends(&r))	/* -e ENDS */
				break;
		} else if (write_data(&r, (size_t)n) == -1)
			break;
	}
	ticking(0);
	report(&r);
	tidy();
	free(r.msg);
	return close_stdout() == -1 ? EXIT_CALL_FAILED : exit_status(r.status);
}

/* -c, -e, -n and -t, for parse_options(). */
static int
own_option(int opt, const char *arg, void *ctx)
{
	struct receiver *r = ctx;
	long long n;

	if (opt == 'c')
		return parse_num("-c", arg, 1, LLONG_MAX, &r->count);
	if (opt == 'e')
		return parse_num("-e", arg, 1, LLONG_MAX, &r->ends);
	if (opt == 'n') {
		r->w.nowait = IPC_NOWAIT;
		return 0;
	}
	if (parse_num("-t", arg, -LONG_MAX, LONG_MAX, &n) == -1)
		return -1;
	r->w.type = (long)n;
	return 0;
}

/* The options into r; returns the key: -k, $IPC_DEMO_KEY or ftok. */
static key_t
options(int argc, char *argv[], struct receiver *r)
{
	static const struct row rows[] = {
		{ "-c COUNT", "stop after COUNT messages" },
		{ "-e ENDS", "stop after ENDS ends of stream (one per sender; "
		    "default 1)" },
		KEY_ROW("the queue's key"),
		{ "-n", "do not wait: take what is queued, then stop" },
		QUIET_ROW,
		{ "-t TYPE", "0 any type (default), N only type N, -N the "
		    "lowest\ntype <= N" },
	};
	static const struct program receiver = { "msgq/receiver", "",
	    "Write the bytes of each message to standard output, until the "
	    "end of stream.", ROWS(rows) };

	no_more_operands(argc, argv, parse_options(&receiver, argc, argv,
	    own_option, r), NULL);
	return use_key(PROJ_MSGQ);
}

/* Say what arrived and what the queue holds now, at a readable pace. */
static void
narrate_receive(int id, const struct message *msg, ssize_t n)
{
	struct msqid_ds ds;

	if (!paced())
		return;
	if (msgctl(id, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	note("msgrcv: type %ld, %zd byte%s; the queue now holds %lu "
	    "message%s, %lu byte%s", msg->mtype, n,
	    plural((unsigned long long)n), (unsigned long)ds.msg_qnum,
	    plural(ds.msg_qnum), (unsigned long)ds.msg_cbytes,
	    plural(ds.msg_cbytes));
}

/* An end of stream, an empty message.  Returns 1 once ENDS ends came. */
static int
stream_ends(struct receiver *r)
{
	if (++r->ended < r->ends) {
		note("end of stream %lld of %lld", r->ended, r->ends);
		return 0;
	}
	note("end of stream (an empty message)");
	over = 1;
	return 1;
}

/*
 * Write the data of a message out whole, and count it.  The message is off
 * the queue already, so what cannot be written is lost: say exactly what,
 * never count it as received, and stop taking more (they stay queued for
 * the next receiver).
 */
static int
write_data(struct receiver *r, size_t len)
{
	size_t done = write_part(STDOUT_FILENO, r->msg->mtext, len);

	if (done == len) {
		r->got++;
		r->got_bytes += len;
		return 0;
	}
	r->status = EXIT_CALL_FAILED;
	if (stop_signal) {
		refuse("stopped while writing: %zu byte%s of message %lu "
		    "lost", len - done, plural(len - done), r->got + 1);
		return -1;
	}
	die_lost("write", "%zu byte%s of message %lu lost", len - done,
	    plural(len - done), r->got + 1);
}

/*
 * At exit, however we leave: the queue goes if it is empty, unless the
 * stream is not over and its sender still runs (stream.c).
 */
static void
tidy(void)
{
	remove_if_empty(&qid, over);
}

/* The totals. */
static void
report(const struct receiver *r)
{
	if (stop_signal)
		note("stopped by signal %d", (int)stop_signal);
	if (!over && !r->cut)	/* cut: nothing more will come */
		note("not at the end of the stream: more may come");
	note("received %lu message%s, %llu byte%s", r->got, plural(r->got),
	    r->got_bytes, plural(r->got_bytes));
}
