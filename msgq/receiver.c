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
 * waits for N ends.
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
 * Try this: msgq/receiver -r in one terminal and msgq/sender -w in two
 * others: each sender gets back its own lines, in capitals, and only its own.
 *
 * See also: msgq/sender, msgq/ctl, msgget(2), msgop(2), msgctl(2).
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <ctype.h>
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
static int replying;		/* -r: answer each request */
static size_t room;		/* bytes msg->mtext can hold */
static struct message *msg;	/* the message received */
static struct message *answer;	/* -r: the answer */
static long long ends = 1;	/* -e: stop after this many ends */
static unsigned long got;	/* data messages received */
static unsigned long long got_bytes;

static void receive_all(long long count);
static ssize_t receive(void);
static void narrate_receive(ssize_t n);
static int serve(size_t n);
static void remove_if_empty(void);
static const char *wanted(void);

static void
usage(FILE *f)
{
	fprintf(f, "usage: msgq/receiver [-nqr] [-c COUNT] [-e ENDS] "
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
	    "  -r       answer each message of msgq/sender -w, in capitals; "
	    "serve until\n"
	    "           Ctrl-C or -c COUNT\n"
	    "  -t TYPE  0 any type (default; 1 with -r), N only type N, -N "
	    "the lowest\n"
	    "           type <= N\n");
	exit(f == stdout ? 0 : EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	const char *karg = NULL;
	long long count = -1, n;
	int created, opt, typed = 0;

	prog = "msgq/receiver";
	while ((opt = getopt(argc, argv, ":c:e:hk:nqrt:")) != -1) {
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
		case 'r':
			replying = 1;
			break;
		case 't':
			if (parse_num("-t", optarg, -LONG_MAX, LONG_MAX, &n)
			    == -1)
				usage(stderr);
			type = (long)n;
			typed = 1;
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
	/* Requests are type 1; answers, typed with PIDs, must stay queued. */
	if (replying && !typed)
		type = 1;
	if (replying && type <= 0) {
		fprintf(stderr, "%s: -r needs a positive -t, or answers "
		    "(typed with PIDs) would come back to us\n", prog);
		usage(stderr);
	}
	if (choose_key(karg, PROJ_MSGQ) == -1)
		usage(stderr);

	/* Open the queue; from here on, however we leave, tidy up. */
	catch_signals();
	room = max_message_size();
	msg = new_message(room);
	answer = replying ? new_message(room) : NULL;
	qid = open_queue(&created);
	if (atexit(remove_if_empty) != 0)
		die("atexit");

	receive_all(count);
	remove_if_empty();
	free(msg);
	free(answer);

	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(0);
}

/* Receive until ENDS ends of stream, COUNT messages, -n finds none, or ^C. */
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
		if (replying) {
			if (serve((size_t)n) == -1)
				break;
			continue;
		}
		if (n == 0 && ++ended < ends) {
			note("end of stream %lld of %lld (an empty message)",
			    ended, ends);
			continue;
		}
		if (n == 0) {
			note("end of stream (an empty message)");
			break;
		}
		got++;
		got_bytes += (unsigned long long)n;
		if (write_all(STDOUT_FILENO, msg->mtext, (size_t)n) == -1)
			break;
	}
	if (stop_signal)
		note("stopped by signal %d", (int)stop_signal);
	note("received %lu message%s, %llu byte%s", got, plural(got),
	    got_bytes, plural(got_bytes));
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
 * Reply mode: a request starts with its sender's PID.  Write its data out,
 * then answer with the same bytes in capitals, in a message whose type is
 * that PID: only that sender, asking msgrcv for its own PID, will take it.
 * A request with no data ends that sender's stream; we go on serving.
 */
static int
serve(size_t n)
{
	pid_t pid = 0;
	size_t i, len;

	if (n >= PID_BYTES)
		memcpy(&pid, msg->mtext, PID_BYTES);
	if (pid < 2) {
		fprintf(stderr, "%s: a %zu-byte message with no sender's PID: "
		    "skipped (was it sent with msgq/sender -w?)\n", prog, n);
		return 0;
	}
	len = n - PID_BYTES;
	if (len == 0) {
		note("end of stream from PID %ld; still serving", (long)pid);
		return 0;
	}
	got++;
	got_bytes += len;
	if (write_all(STDOUT_FILENO, msg->mtext + PID_BYTES, len) == -1)
		return -1;
	answer->mtype = pid;
	for (i = 0; i < len; i++)
		answer->mtext[i] = (char)toupper(
		    (unsigned char)msg->mtext[PID_BYTES + i]);
	while (msgsnd(qid, answer, len, 0) == -1) {
		if (errno == EINTR && stop_signal)
			return -1;
		if (errno != EINTR)
			die("msgsnd (answer)");
	}
	if (paced())
		note("msgsnd: answered PID %ld (type %ld, %zu byte%s)",
		    (long)pid, (long)pid, len, plural(len));
	return 0;
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
