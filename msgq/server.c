/*
 * msgq/server - answer questions on a System V message queue: each request
 * comes back in capitals, to the client that asked.  Its partner is
 * msgq/client.
 *
 * One queue can serve many clients at once.  The server creates a queue
 * with a key everyone knows and takes requests off it with msgrcv(2), in
 * the order sent, whoever sent them.  Each client has a private queue for
 * its answers, and says which in its request; the server answers into it.
 * Why not one queue for both ways?  Then requests can fill the queue while
 * the server waits for room to answer, and the clients wait for answers
 * that cannot come: a deadlock (UNP vol. 2, 6.8).  With the answers apart,
 * the server never waits to answer (msgq/msgq.h has the protocol).
 *
 * The server creates its queue, on a key of its own (not the stream's:
 * proj id 'r'), and refuses a queue that is there already; it signs it
 * with a message that stays at its head (msgq/msgq.h), and removes it when
 * it stops: after -c COUNT requests, or on Ctrl-C.  Clients waiting then
 * learn that the server is gone.
 *
 * Run it in three terminals:
 *	terminal 1:  msgq/server        waits, then prints each request
 *	terminal 2:  msgq/client        type lines: each comes back in capitals
 *	terminal 3:  msgq/client        the same, at the same time
 * and watch with ipcs -q: the server's queue, and one per client (key 0).
 *
 * Try this: msgq/sender -k KEY hello, with the server's KEY (its first
 * line says it): the sender sees the signature, and sends nothing.
 * Try this: kill -9 the server while a client waits: within a second or
 * two the client says the server is gone.
 *
 * See also: msgq/client, msgq/ctl, msgget(2), msgop(2), msgctl(2).
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

static int qid = -1;		/* our queue, for requests: tidy() */

static key_t options(int argc, char *argv[], long long *count);
static int create_queue(key_t key);
static void serve(struct message *req, size_t n, struct message *ans,
    unsigned long *served);
static void print_request(const struct message *req, size_t len,
    unsigned long served);
static int answer(struct message *ans, size_t len, int to, long pid);
static void tidy(void);

int
main(int argc, char *argv[])
{
	long long count = LLONG_MAX;		/* -c: this many, else all */
	key_t key = options(argc, argv, &count);	/* -c -k: below */
	struct message *req, *ans;
	unsigned long served = 0;
	size_t room;
	ssize_t n;

	catch_signals();
	qid = create_queue(key);	/* msgget, IPC_EXCL: below */
	if (atexit(tidy) != 0)
		die("atexit");
	room = receive_room(qid);	/* the largest it can hold */
	req = new_message(room);
	ans = new_message(room);
	sign_queue(qid);		/* it stays at the head: request.c */

	/* Each request, in the order sent: any type but the signature's. */
	/* A signal between two calls interrupts none of them: look for it. */
	while (served < (unsigned long long)count && !stop_signal) {
		if (paced_wait())
			note("waiting for a request...");
		n = msgrcv(qid, req, room, SIGN_TYPE, MSG_EXCEPT);
		if (n == -1 && errno == E2BIG)	/* -2: dropped, request.c */
			n = take_oversized(qid, req, room);
		if (n == -1 && errno != EINTR)	/* EINTR: stopped, or fg */
			die("msgrcv");
		if (n >= 0)
			serve(req, (size_t)n, ans, &served);	/* answer */
	}
	if (stop_signal)
		note("stopped by signal %d", (int)stop_signal);
	note("answered %lu request%s", served, plural(served));
	tidy();
	free(req);
	free(ans);
	return close_stdout() == -1 ? EXIT_CALL_FAILED : exit_status(0);
}

/* -c, for parse_options(). */
static int
own_option(int opt, const char *arg, void *ctx)
{
	(void)opt;
	return parse_num("-c", arg, 1, LLONG_MAX, ctx);
}

/* -c COUNT into count; returns the key: -k, $IPC_DEMO_KEY or ftok. */
static key_t
options(int argc, char *argv[], long long *count)
{
	static const struct row rows[] = {
		{ "-c COUNT", "stop after COUNT requests" },
		KEY_ROW("the queue's key"),
		QUIET_ROW,
	};
	static const struct program server = { "msgq/server", "",
	    "Answer each request of msgq/client with its bytes in capitals, "
	    "until Ctrl-C.", ROWS(rows) };

	no_more_operands(argc, argv, parse_options(&server, argc, argv,
	    own_option, count), NULL);
	return use_key(PROJ_SERVER);
}

/*
 * Create the queue with IPC_EXCL: a queue with our key is another server's,
 * or a stream's, or one a killed server left; serving it could answer
 * nobody, or take someone's data.  The mode is given in full: umask does
 * not apply to System V IPC objects.
 */
static int
create_queue(key_t key)
{
	int id = msgget(key, IPC_CREAT | IPC_EXCL | 0600);

	if (id == -1 && errno == EEXIST)
		refuse_used_key(key);	/* a live server's?  request.c */
	if (id == -1)
		die("msgget");
	note("msgget: created queue id %d (mode 0600) for requests", id);
	return id;
}

/*
 * A request is the id of the client's queue, then its bytes; its type is
 * the client's PID.  Anything shorter was sent to our key by another
 * program: we say what it was, and drop it.  We answer only into the
 * client's own private queue (may_answer, request.c), and count and print
 * only the requests answered.
 */
static void
serve(struct message *req, size_t n, struct message *ans,
    unsigned long *served)
{
	size_t len, i;
	int to;

	if (n < QID_BYTES) {
		refuse("a message of type %ld, %zu byte%s, is too short for a "
		    "request: dropped", req->mtype, n, plural(n));
		return;
	}
	memcpy(&to, req->mtext, QID_BYTES);
	len = n - QID_BYTES;
	if (paced())
		note("msgrcv: request from PID %ld, %zu byte%s; answering "
		    "into its queue id %d", req->mtype, len, plural(len), to);
	if (!may_answer(qid, to, req->mtype))
		return;
	for (i = 0; i < len; i++)
		ans->mtext[i] = (char)toupper(
		    (unsigned char)req->mtext[QID_BYTES + i]);
	if (answer(ans, len, to, req->mtype) == -1)
		return;
	(*served)++;
	print_request(req, len, *served);
}

/* Print the request's bytes; a failed write stops us (it was answered). */
static void
print_request(const struct message *req, size_t len,
    unsigned long served)
{
	size_t done = write_part(STDOUT_FILENO, req->mtext + QID_BYTES, len);

	if (done < len && stop_signal)	/* a Ctrl-C mid-write: say it too */
		refuse("stopped while writing: %zu byte%s of request %lu not "
		    "printed (it was answered)", len - done,
		    plural(len - done), served);
	else if (done < len)
		die_lost("write", "%zu byte%s of request %lu not printed (it "
		    "was answered)", len - done, plural(len - done), served);
}

/*
 * The answer goes into the client's own queue, with IPC_NOWAIT: it holds
 * only answers to that client, one at a time, so it has room, unless
 * something else fills it.  We never wait there: a gone or full client
 * queue loses that one answer, said so (-1), and we serve on.
 */
static int
answer(struct message *ans, size_t len, int to, long pid)
{
	ans->mtype = pid;		/* the client takes only its own */
	while (msgsnd(to, ans, len, IPC_NOWAIT) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EIDRM || errno == EINVAL)
			refuse("client PID %ld is gone (its queue id %d with "
			    "it): answer dropped", pid, to);
		else if (errno == EAGAIN)
			refuse("client PID %ld's queue id %d is full: answer "
			    "dropped", pid, to);
		else
			complain("msgsnd (answer)");
		return -1;
	}
	if (paced())
		note("msgsnd: answered PID %ld (type %ld, %zu byte%s)", pid,
		    pid, len, plural(len));
	return 0;
}

/*
 * At exit, however we leave: our queue is our own: we made it, and remove
 * it with IPC_RMID, with our signature and whatever requests are still in
 * it.  Their clients, waiting, see the queue go and say so.
 */
static void
tidy(void)
{
	struct msqid_ds ds;
	int id = qid;

	if (id == -1)
		return;
	qid = -1;
	if (msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum > 1)
		note("%lu request%s still queued go with the queue; their "
		    "clients will be told", (unsigned long)ds.msg_qnum - 1,
		    plural(ds.msg_qnum - 1));
	if (msgctl(id, IPC_RMID, NULL) == -1) {
		if (errno != EINVAL && errno != EIDRM)
			complain("msgctl IPC_RMID");
		return;
	}
	note("msgctl IPC_RMID: removed queue id %d", id);
}
