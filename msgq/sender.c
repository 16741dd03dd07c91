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
 * removes it once it is empty.  msgq/msgq.h gives the protocol: the kind
 * byte in front of the data, how the end of a stream is marked, and how
 * a stream that failed is marked.  The queue carries one direction only;
 * for questions and answers, see msgq/client and msgq/server.
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
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { TOO_BIG = -2 };		/* send_message: the queue's limit fell */
enum { MARK_TRIES = 50 };	/* 5 s to find room for the FAILED mark */

static int qid = -1;		/* the queue, once open */
static long type = 1;		/* -t: the type of every message we send */
static int nowait;		/* -n: IPC_NOWAIT, a full queue is an error */
static size_t chunk;		/* most data bytes in one message now */
static struct message *msg;	/* the message we fill and send */
static int ended;		/* the end of stream (or FAILED) is sent */
static unsigned long sent;	/* data messages sent */
static unsigned long long sent_bytes;

static void set_sizes(void);
static int send_args(char **args);
static int send_lines(void);
static int send_blocks(void);
static int send_data(size_t len);
static int send_message(size_t len);
static int fit_to_queue(size_t len);
static void narrate_send(size_t len);
static void end_stream(void);
static void mark_failed(void);
static void report(void);

static void
usage(FILE *f)
{
	fprintf(f, "usage: msgq/sender [-bnq] [-k KEY] [-t TYPE] "
	    "[MESSAGE ...]\n"
	    "  Send each MESSAGE, or each line of standard input, as a "
	    "message.\n"
	    "  -b       bulk: send standard input in blocks of the largest "
	    "message size\n"
	    "  -k KEY   the queue's key (default: $IPC_DEMO_KEY, else one "
	    "made by ftok)\n"
	    "  -n       do not wait when the queue is full: fail instead\n"
	    "  -q       quiet: no narration on stderr\n"
	    "  -t TYPE  message type, 1 or more (default 1)\n");
	exit(f == stdout ? 0 : EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	const char *karg = NULL;
	int bulk = 0, created, opt;
	long long n;

	prog = "msgq/sender";
	while ((opt = getopt(argc, argv, ":bhk:nqt:")) != -1) {
		switch (opt) {
		case 'b':
			bulk = 1;
			break;
		case 'h':
			usage(stdout);
			break;
		case 'k':
			karg = optarg;
			break;
		case 'n':
			nowait = IPC_NOWAIT;
			break;
		case 'q':
			quiet = 1;
			break;
		case 't':
			if (parse_num("-t", optarg, 1, LONG_MAX, &n) == -1)
				usage(stderr);
			type = (long)n;
			break;
		default:
			bad_option(opt);
			usage(stderr);
		}
	}
	if (bulk && optind < argc) {
		fprintf(stderr, "%s: -b sends standard input; it takes no "
		    "MESSAGE\n", prog);
		usage(stderr);
	}
	if (choose_key(karg, PROJ_MSGQ) == -1)
		usage(stderr);

	/*
	 * Open the queue.  From then on, a failure (exit) marks the stream
	 * as FAILED, so that the receiver knows it is cut.
	 */
	catch_signals();
	msg = new_message(max_message_size());
	qid = open_queue(&created);
	if (atexit(mark_failed) != 0)
		die("atexit");
	set_sizes();

	/* Send the arguments, or standard input by lines or by blocks. */
	if (optind < argc)
		send_args(argv + optind);
	else if (bulk)
		send_blocks();
	else
		send_lines();
	end_stream();
	report();

	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(0);
}

/*
 * A message may hold at most kernel.msgmax bytes, and at most the queue's
 * msg_qbytes, or msgsnd would wait forever for room that can never be.
 * The kind byte takes one of them.
 */
static void
set_sizes(void)
{
	size_t room = queue_room(qid);

	if (room <= KIND_BYTES) {
		refuse("the queue holds at most %zu byte%s: no room for data "
		    "after the kind byte", room, plural(room));
		hint("raise it with msgq/ctl qbytes");
		exit(EXIT_CALL_FAILED);
	}
	chunk = room - KIND_BYTES;
	note("up to %zu bytes of data in a message (kernel.msgmax or the "
	    "queue's qbytes, less the kind byte)", chunk);
}

/* Each argument, with a newline, is one message (or more if it is long). */
static int
send_args(char **args)
{
	size_t len, off, piece;

	for (; *args != NULL; args++) {
		len = strlen(*args) + 1;
		for (off = 0; off < len; off += piece) {
			piece = len - off < chunk ? len - off : chunk;
			memcpy(msg->mtext, *args + off, piece);
			if (off + piece == len)
				msg->mtext[piece - 1] = '\n';
			if (send_data(piece) == -1)
				return -1;
		}
	}
	return 0;
}

/*
 * Line mode: each line of input, newline included, is one message, sent
 * as soon as it is read, so a student typing in a terminal sees each line
 * arrive in the other as Enter is pressed.  A line longer than a message
 * goes in several; the receiver joins them by writing them out in order.
 */
static int
send_lines(void)
{
	size_t len = 0;
	int c;

	for (;;) {
		c = getc_unlocked(stdin);
		if (c == EOF && ferror(stdin)) {
			if (errno != EINTR)
				die("read (stdin)");
			if (stop_signal)
				return -1;
			clearerr(stdin);	/* Ctrl-Z, then fg */
			continue;
		}
		if (c == EOF)
			break;
		msg->mtext[len++] = (char)c;
		if (c == '\n' || len >= chunk) {
			if (send_data(len) == -1)
				return -1;
			len = 0;
		}
	}
	/* The last line may have no newline: send what there is. */
	return len > 0 ? send_data(len) : 0;
}

/* Bulk mode: fill each message to the brim, for speed. */
static int
send_blocks(void)
{
	size_t len;
	ssize_t n;

	for (;;) {
		for (len = 0; len < chunk; len += (size_t)n) {
			n = read(STDIN_FILENO, msg->mtext + len, chunk - len);
			if (n == 0)
				break;
			if (n == -1 && errno != EINTR)
				die("read (stdin)");
			if (n == -1 && stop_signal)
				return -1;
			if (n == -1)
				n = 0;
		}
		if (len > 0 && send_data(len) == -1)
			return -1;
		if (len < chunk)
			return 0;	/* end of input */
	}
}

/*
 * Send the len bytes at msg->mtext, in as many messages as the queue's
 * limit needs now: it may have been lowered since the last message.
 */
static int
send_data(size_t len)
{
	size_t piece;
	int r;

	while (len > 0) {
		piece = len < chunk ? len : chunk;
		r = send_message(piece);
		if (r == -1)
			return -1;
		if (r == TOO_BIG)
			continue;	/* chunk is smaller now: again */
		memmove(msg->mtext, msg->mtext + piece, len - piece);
		len -= piece;
	}
	return 0;
}

/*
 * msgsnd(2) copies the message into the kernel and returns.  When the
 * queue is full (msg_qbytes reached) it waits for a receiver to make room,
 * unless -n asks for IPC_NOWAIT and so an EAGAIN error.  We try with
 * IPC_NOWAIT first, so that we can say we are about to wait, and while we
 * wait a tick each second (SIGALRM) lets us look at the queue's limit
 * again: a message above it would wait forever.  Returns 0 when sent,
 * TOO_BIG when the limit fell below len (chunk is smaller now), -1 when
 * stopped by a signal.
 */
static int
send_message(size_t len)
{
	int flags = IPC_NOWAIT;

	msg->mtype = type;
	msg->kind = DATA;
	while (msgsnd(qid, msg, KIND_BYTES + len, flags) == -1) {
		if (errno == EINTR && stop_signal)
			break;
		if (errno != EINTR && errno != EAGAIN) {
			ticking(0);
			die("msgsnd");
		}
		if (fit_to_queue(len) == -1) {
			ticking(0);
			return TOO_BIG;
		}
		flags = nowait;
		ticking(1);
	}
	ticking(0);
	if (stop_signal)
		return -1;
	sent++;
	sent_bytes += len;
	narrate_send(len);
	return 0;
}

/*
 * The queue was full, or a tick came while we waited.  If len bytes can
 * no longer ever fit (msgq/ctl qbytes lowered the limit), make chunk
 * smaller and return -1; with -n, a full queue is an error; else say why
 * we wait (at most once a second) and return 0.
 */
static int
fit_to_queue(size_t len)
{
	struct msqid_ds ds;
	size_t room;

	if (msgctl(qid, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	room = max_message_size();
	if (ds.msg_qbytes < room)
		room = ds.msg_qbytes;
	if (KIND_BYTES + len > room) {
		if (room <= KIND_BYTES) {
			refuse("the queue's limit was lowered to %zu byte%s: "
			    "no data fits any more", room, plural(room));
			hint("raise it with msgq/ctl qbytes");
			exit(EXIT_CALL_FAILED);
		}
		chunk = room - KIND_BYTES;
		note("the queue's limit is %zu bytes now: data goes in "
		    "messages of at most %zu bytes", room, chunk);
		return -1;
	}
	if (nowait) {
		errno = EAGAIN;
		die_hint("msgsnd", "the queue is full: %lu message%s, %lu of "
		    "%lu bytes; start msgq/receiver, or drop -n to wait",
		    (unsigned long)ds.msg_qnum, plural(ds.msg_qnum),
		    (unsigned long)ds.msg_cbytes, (unsigned long)ds.msg_qbytes);
	}
	if (paced_wait())
		note("queue full (%lu message%s, %lu of %lu bytes): waiting "
		    "for a receiver to make room", (unsigned long)ds.msg_qnum,
		    plural(ds.msg_qnum), (unsigned long)ds.msg_cbytes,
		    (unsigned long)ds.msg_qbytes);
	return 0;
}

/* Say what was sent and what the queue holds now, at a readable pace. */
static void
narrate_send(size_t len)
{
	struct msqid_ds ds;
	size_t size = KIND_BYTES + len;

	if (!paced())
		return;
	if (msgctl(qid, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	note("msgsnd: type %ld, %zu byte%s (kind and data); the queue now "
	    "holds %lu message%s, %lu byte%s%s", type, size, plural(size),
	    (unsigned long)ds.msg_qnum, plural(ds.msg_qnum),
	    (unsigned long)ds.msg_cbytes, plural(ds.msg_cbytes),
	    ds.msg_qnum == 0 ? " (a receiver took it already)" : "");
}

/*
 * Mark the end of the stream with an empty message: no kind, no bytes.
 * It always fits, even in a full queue, so it never has to wait; after
 * Ctrl-C too, the receiver is told the stream ended, as a pipe's reader
 * sees end-of-file when its writer stops.
 */
static void
end_stream(void)
{
	msg->mtype = type;
	ended = 1;
	while (msgsnd(qid, msg, 0, IPC_NOWAIT) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			refuse("the queue holds as many messages as its qbytes: "
			    "no room even for the end of the stream");
		else if (errno != EIDRM && errno != EINVAL)
			complain("msgsnd (end of stream)");
		return;
	}
	note("msgsnd: end of stream (type %ld, 0 bytes)", type);
}

/*
 * At exit(3) after a failure: mark the stream FAILED (one byte), so that
 * the receiver does not take what came as all there is.  A full queue may
 * need a moment to have room: we look for it for 5 s, then give up and
 * say so.  (exit must not be called again from here: no die().)
 */
static void
mark_failed(void)
{
	struct timespec pause = { 0, 100000000L };
	int tries;

	if (ended || qid == -1)
		return;
	ended = 1;
	msg->mtype = type;
	msg->kind = FAILED;
	for (tries = 0; msgsnd(qid, msg, KIND_BYTES, IPC_NOWAIT) == -1;
	    tries++) {
		if (errno == EIDRM || errno == EINVAL)
			return;		/* the queue is gone: nobody to tell */
		if (errno != EAGAIN && errno != EINTR) {
			complain("msgsnd (failed stream)");
			return;
		}
		if (tries == 0 && !nowait)
			note("the queue is full: waiting up to 5 s for room to "
			    "mark the stream as failed");
		if (tries == MARK_TRIES || nowait) {
			refuse("could not mark the stream as failed (the queue "
			    "stays full): a receiver will wait after what was "
			    "sent; stop it with Ctrl-C");
			return;
		}
		nanosleep(&pause, NULL);
	}
	note("msgsnd: the stream is marked as failed (type %ld, 1 byte)",
	    type);
}

/* The totals, and where the messages are now. */
static void
report(void)
{
	struct msqid_ds ds;

	if (stop_signal)
		note("stopped by signal %d", (int)stop_signal);
	if (msgctl(qid, IPC_STAT, &ds) == -1) {
		note("sent %lu message%s, %llu byte%s; the queue is gone "
		    "(the receiver took everything and removed it)", sent,
		    plural(sent), sent_bytes, plural(sent_bytes));
		return;
	}
	note("sent %lu message%s, %llu byte%s; the queue holds %lu message%s "
	    "now (see ipcs -q)", sent, plural(sent), sent_bytes,
	    plural(sent_bytes),
	    (unsigned long)ds.msg_qnum, plural(ds.msg_qnum));
}
