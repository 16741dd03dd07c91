/*
 * msgq/client - ask msgq/server a question per line (or per MESSAGE) and
 * print each answer.  Its partner is msgq/server.
 *
 * A client sends its request to the server's well-known queue, and gets
 * the answer on a queue of its own: msgget(IPC_PRIVATE) makes a new queue
 * that has no key, so no other program can find it - only the server, to
 * which the request gives its id.  Answers of many clients thus never mix,
 * and never wait behind requests (msgq/msgq.h, UNP vol. 2, 6.9).  The
 * client has one request out at a time and removes its queue when it ends.
 *
 * A server may die without a word (kill -9): its queue stays, and nothing
 * would ever answer.  So while it waits, the client looks each second at
 * the server's queue: gone, or the server's PID (msg_lrpid) no longer a
 * process, and it says so and exits 1.
 *
 * Run it in two terminals:
 *	terminal 1:  msgq/server        prints each request
 *	terminal 2:  msgq/client        type lines; each comes back in capitals
 *
 * Try this: msgq/client one two three: three requests, three answers.
 * Try this: two clients at once, and ipcs -q: three queues, two of them
 * with key 0x00000000 (IPC_PRIVATE).
 *
 * See also: msgq/server, msgq/sender, msgget(2), msgop(2), kill(2).
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { UNSIGNED_TICKS = 5 };	/* seconds to wait for an unsigned queue */

static int server = -1;		/* the server's queue */
static int own = -1;		/* ours, for the answers */
static size_t chunk;		/* most bytes in one request */
static struct message *req;	/* the request we fill and send */
static struct message *ans;	/* the answer */
static size_t room;		/* bytes a message can hold */
static unsigned long asked;	/* requests sent */

static void open_queues(void);
static int ask_args(char **args);
static int ask_lines(void);
static int ask(size_t len);
static int wait_answer(size_t len);
static void check_server(void);
static void remove_own(void);

static void
usage(FILE *f)
{
	fprintf(f, "usage: msgq/client [-q] [-k KEY] [MESSAGE ...]\n"
	    "  Send each MESSAGE, or each line of standard input, to "
	    "msgq/server and print\n"
	    "  each answer.\n"
	    "  -k KEY   the server's key (default: $IPC_DEMO_KEY, else one "
	    "made by ftok)\n"
	    "  -q       quiet: no narration on stderr\n");
	exit(f == stdout ? 0 : EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	const char *karg = NULL;
	int opt;

	prog = "msgq/client";
	while ((opt = getopt(argc, argv, ":hk:q")) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			break;
		case 'k':
			karg = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			bad_option(opt);
			usage(stderr);
		}
	}
	if (choose_key(karg, PROJ_MSGQ) == -1)
		usage(stderr);

	catch_signals();
	room = max_message_size();
	req = new_message(room);
	ans = new_message(room);
	open_queues();

	/* One request per argument or line; each answer printed. */
	if (optind < argc)
		ask_args(argv + optind);
	else
		ask_lines();
	note("%lu request%s, every one answered", asked, plural(asked));
	remove_own();
	free(req);
	free(ans);

	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(0);
}

/*
 * Open the server's queue (flags 0: never create: only the server does),
 * then make our own with IPC_PRIVATE: always a new queue, with no key.
 * A request holds the kind byte, our queue's id and the bytes.
 */
static void
open_queues(void)
{
	struct msqid_ds ds;
	size_t max;

	server = msgget(ipc_key, 0);
	if (server == -1 && errno == ENOENT)
		die_hint("msgget", "no msgq/server has key 0x%08x: start "
		    "msgq/server first, with the same -k or IPC_DEMO_KEY",
		    (unsigned int)ipc_key);
	if (server == -1)
		die("msgget");
	if (msgctl(server, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	refuse_if_not_ours("queue", server, &ds.msg_perm);
	own = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (own == -1)
		die("msgget (our queue)");
	if (atexit(remove_own) != 0) {
		remove_own();
		die("atexit");
	}
	max = queue_room(server);
	if (queue_room(own) < max)
		max = queue_room(own);
	if (max <= KIND_BYTES + QID_BYTES) {
		refuse("the server's queue holds at most %zu bytes: no room "
		    "for a request (at least %zu)", max,
		    (size_t)KIND_BYTES + QID_BYTES + 1);
		hint("raise it with msgq/ctl qbytes");
		exit(EXIT_CALL_FAILED);
	}
	chunk = max - KIND_BYTES - QID_BYTES;
	note("server's queue id %d; answers come to our own queue id %d; "
	    "up to %zu bytes in a request", server, own, chunk);
}

/* Each argument, with a newline, is one request (or more if it is long). */
static int
ask_args(char **args)
{
	size_t len, off, piece;

	for (; *args != NULL; args++) {
		len = strlen(*args) + 1;
		for (off = 0; off < len; off += piece) {
			piece = len - off < chunk ? len - off : chunk;
			memcpy(req->mtext + QID_BYTES, *args + off, piece);
			if (off + piece == len)
				req->mtext[QID_BYTES + piece - 1] = '\n';
			if (ask(piece) == -1)
				return -1;
		}
	}
	return 0;
}

/* Each line of input is a request; a long one goes in several. */
static int
ask_lines(void)
{
	char *text = req->mtext + QID_BYTES;
	size_t len = 0;
	int c;

	for (;;) {
		c = getc_unlocked(stdin);
		if (c == EOF && ferror(stdin)) {
			if (errno != EINTR)
				die("read (stdin)");
			if (stop_signal)
				return -1;
			clearerr(stdin);
			continue;
		}
		if (c == EOF)
			break;
		text[len++] = (char)c;
		if ((c == '\n' || len == chunk) && ask(len) == -1)
			return -1;
		if (c == '\n' || len == chunk)
			len = 0;
	}
	return len > 0 ? ask(len) : 0;
}

/*
 * Send one request: type our PID, REQUEST, our queue's id, the bytes.  The
 * server's queue holds requests only, and the server takes them as they
 * come; while it is full we wait, looking each second that the server
 * lives.  Then wait for the answer, and print it.
 */
static int
ask(size_t len)
{
	req->mtype = (long)getpid();
	req->kind = REQUEST;
	memcpy(req->mtext, &own, QID_BYTES);
	ticking(1);
	while (msgsnd(server, req, KIND_BYTES + QID_BYTES + len, 0) == -1) {
		if (errno == EINTR && stop_signal)
			break;
		if (errno != EINTR)
			die("msgsnd");
		check_server();		/* a tick: is the server there? */
	}
	ticking(0);
	if (stop_signal)
		return -1;
	asked++;
	if (paced())
		note("msgsnd: request %lu, %zu byte%s, type %ld (our PID)",
		    asked, len, plural(len), req->mtype);
	return wait_answer(len);
}

/* msgrcv on our own queue: only our answers ever come there. */
static int
wait_answer(size_t len)
{
	ssize_t n;
	size_t done;

	ticking(1);
	while ((n = msgrcv(own, ans, room, 0, 0)) == -1) {
		if (errno == EINTR && stop_signal)
			break;
		if (errno != EINTR) {
			ticking(0);
			die("msgrcv");
		}
		check_server();
	}
	ticking(0);
	if (n == -1)
		return -1;
	if (ans->kind != ANSWER || (size_t)n != KIND_BYTES + len) {
		refuse("%s, %zd bytes, came to our private queue instead of "
		    "the answer to request %lu", kind_name(ans, (size_t)n), n,
		    asked);
		exit(EXIT_CALL_FAILED);
	}
	done = write_part(STDOUT_FILENO, ans->mtext, len);
	if (done < len && stop_signal)
		return -1;
	if (done < len)
		die_lost("write", "%zu byte%s of the answer to request %lu "
		    "lost", len - done, plural(len - done), asked);
	if (paced())
		note("msgrcv: the answer, %zd bytes", n);
	return 0;
}

/*
 * Does the server live?  Its queue gone means it stopped; a queue still
 * there whose msg_lrpid (the server's PID, see msgq/server) is no process
 * means it died without a word (kill -9): nothing will ever answer.  Our
 * request, if still queued, is taken back: it is ours, typed with our PID.
 */
static void
check_server(void)
{
	static int unsigned_ticks;
	struct msqid_ds ds;
	pid_t pid;

	if (msgctl(server, IPC_STAT, &ds) == -1) {
		if (errno != EIDRM && errno != EINVAL)
			die("msgctl IPC_STAT");
		refuse("the server stopped: its queue is gone; request %lu "
		    "was not answered", asked + 1);
		exit(EXIT_CALL_FAILED);
	}
	pid = ds.msg_lrpid;
	if (pid == 0 && ++unsigned_ticks < UNSIGNED_TICKS)
		return;		/* the server is still signing its queue */
	if (pid != 0 && (kill(pid, 0) == 0 || errno != ESRCH))
		return;
	while (msgrcv(server, req, room, (long)getpid(), IPC_NOWAIT) != -1)
		;
	if (pid == 0)
		refuse("no server ever took a message off queue id %d: it "
		    "is not msgq/server's", server);
	else
		refuse("the server (PID %ld) is gone, without removing its "
		    "queue id %d (killed by kill -9?): nothing will answer",
		    (long)pid, server);
	hint("remove the queue with msgq/ctl rm, then start msgq/server "
	    "again");
	exit(EXIT_CALL_FAILED);
}

/* Our private queue is ours alone: remove it however we leave. */
static void
remove_own(void)
{
	int id = own;

	if (id == -1)
		return;
	own = -1;
	if (msgctl(id, IPC_RMID, NULL) == -1 && errno != EIDRM &&
	    errno != EINVAL)
		complain("msgctl IPC_RMID (our queue)");
}
