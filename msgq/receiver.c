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
 * COUNT messages, or on Ctrl-C, and then removes the queue if it is empty.
 * Messages still queued belong to someone and are left for the next one.
 * Several senders may share the queue; each ends its own stream, so -e N
 * waits for N ends.  A stream its sender marked as failed, a message that
 * is not stream data (a request of msgq/client), or output we could not
 * write: each is said, and the receiver exits 1, having taken nothing
 * more off the queue.
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

static int qid = -1;		/* the queue, once open */
static long type;		/* -t: 0 any, >0 that type, <0 lowest <= |t| */
static int nowait;		/* -n: IPC_NOWAIT, stop when none is queued */
static size_t room;		/* bytes a message can hold, kind included */
static struct message *msg;	/* the message received */
static long long ends = 1;	/* -e: stop after this many ends */
static int status;		/* what main returns: 1 after a failure */
static unsigned long got;	/* data messages received */
static unsigned long long got_bytes;

static void receive_all(long long count);
static ssize_t receive(void);
static void narrate_receive(ssize_t n);
static int write_data(size_t len);
static void put_back(size_t n);
static void remove_if_empty(void);
static const char *wanted(void);

static void
usage(FILE *f)
{
	fprintf(f, "usage: msgq/receiver [-nq] [-c COUNT] [-e ENDS] "
	    "[-k KEY] [-t TYPE]\n"
	    "  Write the bytes of each message to standard output, until "
	    "the end of stream.\n"
	    "  -c COUNT stop after COUNT messages\n"
	    "  -e ENDS  stop after ENDS ends of stream (one per sender; "
	    "default 1)\n"
	    "  -k KEY   the queue's key (default: $IPC_DEMO_KEY, else one "
	    "made by ftok)\n"
	    "  -n       do not wait: take what is queued, then stop\n"
	    "  -q       quiet: no narration on stderr\n"
	    "  -t TYPE  0 any type (default), N only type N, -N the lowest\n"
	    "           type <= N\n");
	exit(f == stdout ? 0 : EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	const char *karg = NULL;
	long long count = -1, n;
	int created, opt;

	prog = "msgq/receiver";
	while ((opt = getopt(argc, argv, ":c:e:hk:nqt:")) != -1) {
		switch (opt) {
		case 'c':
			if (parse_num("-c", optarg, 1, LLONG_MAX, &count) == -1)
				usage(stderr);
			break;
		case 'e':
			if (parse_num("-e", optarg, 1, LLONG_MAX, &ends) == -1)
				usage(stderr);
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
			if (parse_num("-t", optarg, -LONG_MAX, LONG_MAX, &n)
			    == -1)
				usage(stderr);
			type = (long)n;
			break;
		default:
			bad_option(opt);
			usage(stderr);
		}
	}
	if (optind < argc) {
		bad_operand(NULL, argv[optind]);
		usage(stderr);
	}
	if (choose_key(karg, PROJ_MSGQ) == -1)
		usage(stderr);

	/* Open the queue; from here on, however we leave, tidy up. */
	catch_signals();
	room = max_message_size();
	msg = new_message(room);
	qid = open_queue(&created);
	if (atexit(remove_if_empty) != 0)
		die("atexit");

	receive_all(count);
	remove_if_empty();
	free(msg);

	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(status);
}

/*
 * Receive until ENDS ends of stream, COUNT messages, -n finds none, or ^C.
 * A stream marked as failed counts as an end, and makes the exit 1.
 */
static void
receive_all(long long count)
{
	long long ended = 0;
	ssize_t n;

	while (count < 0 || got < (unsigned long long)count) {
		n = receive();
		if (n == -1)
			break;	/* stopped, or -n and nothing left */
		narrate_receive(n);
		if (n == 0 || msg->kind == FAILED) {
			if (n > 0) {
				refuse("the sender failed (it marked its stream "
				    "as failed, type %ld): what came before is "
				    "not the whole stream", msg->mtype);
				status = EXIT_CALL_FAILED;
			}
			if (++ended < ends) {
				note("end of stream %lld of %lld", ended, ends);
				continue;
			}
			note("end of stream (%s)", n == 0 ? "an empty message" :
			    "a failed one");
			break;
		}
		if (msg->kind != DATA) {
			put_back((size_t)n);
			break;
		}
		got++;
		got_bytes += (unsigned long long)n - KIND_BYTES;
		if (write_data((size_t)n - KIND_BYTES) == -1)
			break;
	}
	if (stop_signal)
		note("stopped by signal %d", (int)stop_signal);
	note("received %lu message%s, %llu byte%s", got, plural(got),
	    got_bytes, plural(got_bytes));
}

/*
 * Write the data of message number got out whole.  The message is off the
 * queue already, so what cannot be written is lost: say exactly what, and
 * stop taking more (they stay queued for the next receiver).
 */
static int
write_data(size_t len)
{
	size_t done = write_part(STDOUT_FILENO, msg->mtext, len);

	if (done == len)
		return 0;
	if (stop_signal) {
		refuse("stopped while writing: %zu byte%s of message %lu "
		    "lost", len - done, plural(len - done), got);
		return -1;
	}
	die_lost("write", "%zu byte%s of message %lu lost", len - done,
	    plural(len - done), got);
}

/*
 * Not stream data: a request of msgq/client sent to this key, an answer,
 * or bytes of some other program.  We never print it as data: we put it
 * back on the queue, where its owner can still take it, say what it was,
 * and stop with exit 1.
 */
static void
put_back(size_t n)
{
	const char *what = kind_name(msg, n);

	status = EXIT_CALL_FAILED;
	while (msgsnd(qid, msg, n, IPC_NOWAIT) == -1) {
		if (errno == EINTR)
			continue;
		complain("msgsnd (putting a message back)");
		refuse("key 0x%08x: %s, type %ld, %zu bytes, is not stream "
		    "data: dropped, not printed", (unsigned int)ipc_key, what,
		    msg->mtype, n);
		return;
	}
	refuse("key 0x%08x: %s, type %ld, %zu bytes, is not stream data: "
	    "left on the queue, not printed", (unsigned int)ipc_key, what,
	    msg->mtype, n);
	hint("this key is used by another pair (msgq/server and "
	    "msgq/client?); pick another key with -k");
}

/*
 * msgrcv(2) takes the first message of the type asked for off the queue,
 * or waits for one.  The size we give is the room in mtext; mtype does not
 * count.  When narrating, we try IPC_NOWAIT first, so that we can say we
 * are about to wait.  Returns the number of bytes, or -1 to stop.
 */
static ssize_t
receive(void)
{
	int probe = !quiet && !nowait;
	ssize_t n;

	while ((n = msgrcv(qid, msg, room, type, probe ? IPC_NOWAIT : nowait))
	    == -1) {
		if (errno == EINTR && stop_signal)
			return -1;
		if (errno == EINTR)
			continue;	/* stopped and continued: go on */
		if (errno == ENOMSG && nowait) {
			note("no more messages of %s queued (-n)", wanted());
			return -1;
		}
		if (errno == ENOMSG) {
			if (paced_wait())
				note("waiting for a message of %s...",
				    wanted());
			probe = 0;
			continue;
		}
		if (errno == E2BIG)
			die_hint("msgrcv", "a message is bigger than our %zu "
			    "bytes (kernel.msgmax): was it raised after we "
			    "started?", room);
		die("msgrcv");
	}
	return n;
}

/* Say what arrived and what the queue holds now, at a readable pace. */
static void
narrate_receive(ssize_t n)
{
	struct msqid_ds ds;

	if (!paced())
		return;
	if (msgctl(qid, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	note("msgrcv: type %ld, %zd byte%s; the queue now holds %lu "
	    "message%s, %lu byte%s", msg->mtype, n,
	    plural((unsigned long long)n), (unsigned long)ds.msg_qnum,
	    plural(ds.msg_qnum), (unsigned long)ds.msg_cbytes,
	    plural(ds.msg_cbytes));
}

/*
 * Leave nothing behind: an empty queue is removed with IPC_RMID.  Messages
 * still queued (another stream, another type) stay for the next receiver.
 * System V has no "remove if empty": a message sent in the instant between
 * our IPC_STAT and IPC_RMID would go with the queue.  Only the receiver
 * removes, and only when it stops, to keep that instant rare.
 */
static void
remove_if_empty(void)
{
	struct msqid_ds ds;
	int id = qid;

	if (id == -1)
		return;
	qid = -1;
	if (msgctl(id, IPC_STAT, &ds) == -1) {
		if (errno != EINVAL && errno != EIDRM)
			complain("msgctl IPC_STAT");
		return;		/* already gone */
	}
	if (ds.msg_qnum > 0) {
		note("%lu message%s still queued: the queue stays for the "
		    "next receiver", (unsigned long)ds.msg_qnum,
		    plural(ds.msg_qnum));
		return;
	}
	if (msgctl(id, IPC_RMID, NULL) == -1) {
		if (errno != EINVAL && errno != EIDRM)
			complain("msgctl IPC_RMID");
		return;
	}
	note("msgctl IPC_RMID: removed the empty queue id %d", id);
}

/* The type we ask msgrcv for, in words. */
static const char *
wanted(void)
{
	static char words[64];

	if (type == 0)
		return "any type";
	if (type > 0)
		snprintf(words, sizeof words, "type %ld", type);
	else
		snprintf(words, sizeof words, "the lowest type <= %ld", -type);
	return words;
}
