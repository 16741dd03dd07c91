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
 * removes it once it is empty.  msgq/msgq.h gives the protocol: how the
 * end of a stream is marked, and how -w gets answers.
 *
 * Run it in two terminals:
 *	terminal 1:  msgq/sender        type lines; Ctrl-D ends the stream
 *	terminal 2:  msgq/receiver      each line appears as you press Enter
 * and watch the queue from a third one with ipcs -q.
 *
 * Try this: msgq/sender hello world, with no receiver running.  ipcs -q
 * shows 3 messages (two lines and the end of stream) waiting in the
 * kernel; start msgq/receiver a minute later and they arrive.
 * Try this: msgq/sender -w in one terminal, msgq/receiver -r in another:
 * each line comes back in capitals, addressed to this sender's PID.
 *
 * See also: msgq/receiver, msgq/ctl, msgget(2), msgop(2), msgctl(2).
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

static int qid = -1;		/* the queue, once open */
static long type = 1;		/* -t: the type of every message we send */
static int nowait;		/* -n: IPC_NOWAIT, a full queue is an error */
static int want_reply;		/* -w: wait for the receiver's answer */
static size_t header;		/* PID_BYTES with -w, else 0 */
static size_t chunk;		/* most data bytes in one message */
static struct message *msg;	/* the message we fill and send */
static char *data;		/* where its data starts, after any header */
static struct message *reply;	/* -w: the answer */
static size_t reply_room;	/* bytes reply->mtext can hold */
static int ended;		/* the end of stream has been sent */
static unsigned long sent;	/* data messages sent */
static unsigned long long sent_bytes;

static void set_sizes(void);
static int send_args(char **args);
static int send_lines(void);
static int send_blocks(void);
static int send_message(size_t len);
static void narrate_send(size_t len);
static int await_reply(void);
static void end_stream(void);
static void end_stream_at_exit(void);
static void report(void);

static void
usage(FILE *f)
{
	fprintf(f, "usage: msgq/sender [-bnqw] [-k KEY] [-t TYPE] "
	    "[MESSAGE ...]\n"
	    "  Send each MESSAGE, or each line of standard input, as a "
	    "message.\n"
	    "  -b       bulk: send standard input in blocks of the largest "
	    "message size\n"
	    "  -k KEY   the queue's key (default: $IPC_DEMO_KEY, else one "
	    "made by ftok)\n"
	    "  -n       do not wait when the queue is full: fail instead\n"
	    "  -q       quiet: no narration on stderr\n"
	    "  -t TYPE  message type, 1 or more (default 1)\n"
	    "  -w       wait for each answer of msgq/receiver -r and print "
	    "it\n");
	exit(f == stdout ? 0 : EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	const char *karg = NULL;
	int bulk = 0, created, opt;
	long long n;

	prog = "msgq/sender";
	while ((opt = getopt(argc, argv, ":bhk:nqt:w")) != -1) {
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
		case 'w':
			want_reply = 1;
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

	/* Open the queue; from here on, however we leave, end the stream. */
	catch_signals();
	qid = open_queue(&created);
	if (atexit(end_stream_at_exit) != 0)
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
	free(msg);
	free(reply);

	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(0);
}

/*
 * A message may hold at most kernel.msgmax bytes, and at most the queue's
 * msg_qbytes, or msgsnd would wait forever for room that can never be.
 */
static void
set_sizes(void)
{
	struct msqid_ds ds;
	size_t max = max_message_size();

	if (msgctl(qid, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	if (ds.msg_qbytes < max)
		max = ds.msg_qbytes;
	header = want_reply ? PID_BYTES : 0;
	if (max <= header)
		die_hint("msgctl", "the queue holds only %lu bytes; raise it "
		    "with msgq/ctl qbytes", (unsigned long)ds.msg_qbytes);
	if (want_reply && type == (long)getpid()) {
		errno = EINVAL;
		die_hint("getpid", "our PID is also the request type %ld; "
		    "answers would mix with requests: use -t 1", type);
	}
	chunk = max - header;
	msg = new_message(max);
	data = msg->mtext + header;
	reply_room = max_message_size();
	reply = want_reply ? new_message(reply_room) : NULL;
	note("up to %zu bytes in a message (kernel.msgmax, queue limit %lu)",
	    chunk, (unsigned long)ds.msg_qbytes);
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
			memcpy(data, *args + off, piece);
			if (off + piece == len)
				data[piece - 1] = '\n';
			if (send_message(piece) == -1)
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
		data[len++] = (char)c;
		if (c == '\n' || len == chunk) {
			if (send_message(len) == -1)
				return -1;
			len = 0;
		}
	}
	/* The last line may have no newline: send what there is. */
	return len > 0 ? send_message(len) : 0;
}

/* Bulk mode: fill each message to the brim, for speed. */
static int
send_blocks(void)
{
	size_t len;
	ssize_t n;

	for (;;) {
		for (len = 0; len < chunk; len += (size_t)n) {
			n = read(STDIN_FILENO, data + len, chunk - len);
			if (n == 0)
				break;
			if (n == -1 && errno != EINTR)
				die("read (stdin)");
			if (n == -1 && stop_signal)
				return -1;
			if (n == -1)
				n = 0;
		}
		if (len > 0 && send_message(len) == -1)
			return -1;
		if (len < chunk)
			return 0;	/* end of input */
	}
}

/*
 * msgsnd(2) copies the message into the kernel and returns.  When the
 * queue is full (msg_qbytes reached) it waits for a receiver to make room,
 * unless -n asks for IPC_NOWAIT and so an EAGAIN error.  When narrating,
 * we try IPC_NOWAIT first, so that we can say we are about to wait.
 */
static int
send_message(size_t len)
{
	int probe = !quiet && !nowait;
	struct msqid_ds ds;
	pid_t me = getpid();

	msg->mtype = type;
	if (want_reply)
		memcpy(msg->mtext, &me, PID_BYTES);
	while (msgsnd(qid, msg, header + len, probe ? IPC_NOWAIT : nowait)
	    == -1) {
		if (errno == EINTR && stop_signal)
			return -1;
		if (errno == EINTR)
			continue;	/* stopped and continued: go on */
		if (errno != EAGAIN)
			die("msgsnd");
		if (msgctl(qid, IPC_STAT, &ds) == -1)
			die("msgctl IPC_STAT");
		if (nowait) {
			errno = EAGAIN;
			die_hint("msgsnd", "the queue is full: %lu message%s, "
			    "%lu of %lu bytes; start msgq/receiver, or drop -n "
			    "to wait", (unsigned long)ds.msg_qnum,
			    plural(ds.msg_qnum),
			    (unsigned long)ds.msg_cbytes,
			    (unsigned long)ds.msg_qbytes);
		}
		if (paced_wait())
			note("queue full (%lu message%s, %lu of %lu bytes): "
			    "waiting for a receiver to make room",
			    (unsigned long)ds.msg_qnum, plural(ds.msg_qnum),
			    (unsigned long)ds.msg_cbytes,
			    (unsigned long)ds.msg_qbytes);
		probe = 0;
	}
	sent++;
	sent_bytes += len;
	narrate_send(len);
	return want_reply ? await_reply() : 0;
}

/* Say what was sent and what the queue holds now, at a readable pace. */
static void
narrate_send(size_t len)
{
	struct msqid_ds ds;

	if (!paced())
		return;
	if (msgctl(qid, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	note("msgsnd: type %ld, %zu byte%s; the queue now holds %lu "
	    "message%s, %lu byte%s%s", type, header + len,
	    plural(header + len), (unsigned long)ds.msg_qnum,
	    plural(ds.msg_qnum), (unsigned long)ds.msg_cbytes,
	    plural(ds.msg_cbytes),
	    ds.msg_qnum == 0 ? " (a receiver took it already)" : "");
}

/*
 * Reply mode: msgrcv(2) with our own PID as the type takes the answer meant
 * for us and nothing else, whatever else the queue holds.
 */
static int
await_reply(void)
{
	long me = (long)getpid();
	ssize_t n;

	if (paced_wait())
		note("waiting for the answer (type %ld, our PID)", me);
	while ((n = msgrcv(qid, reply, reply_room, me, 0)) == -1) {
		if (errno == EINTR && stop_signal)
			return -1;
		if (errno != EINTR)
			die("msgrcv");
	}
	if (write_all(STDOUT_FILENO, reply->mtext, (size_t)n) == -1)
		return -1;
	if (paced())
		note("msgrcv: the answer, type %ld, %zd byte%s", me, n,
		    plural((unsigned long long)n));
	return 0;
}

/*
 * Mark the end of the stream with an empty message (our PID alone with
 * -w).  At the end of input it waits for room like any message; after
 * Ctrl-C or a failure it does not wait, and if the queue is full or gone
 * the receiver simply waits for more.
 */
static void
end_stream(void)
{
	int flags = stop_signal ? IPC_NOWAIT : nowait;
	pid_t me = getpid();

	if (ended || qid == -1)
		return;
	ended = 1;
	msg->mtype = type;
	memcpy(msg->mtext, &me, PID_BYTES);
	while (msgsnd(qid, msg, header, flags) == -1) {
		if (errno == EINTR) {
			if (stop_signal)
				flags = IPC_NOWAIT;	/* Ctrl-C: once more */
			continue;
		}
		if (errno == EAGAIN)
			note("the queue is full: could not mark the end of "
			    "the stream");
		else if (errno != EIDRM && errno != EINVAL)
			complain("msgsnd (end of stream)");
		return;
	}
	note("msgsnd: end of stream (type %ld, %zu bytes)", type, header);
}

/* After a failure, still tell the receiver, but do not wait to. */
static void
end_stream_at_exit(void)
{
	nowait = IPC_NOWAIT;
	end_stream();
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
