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
 * the server's queue: gone, or the server that signed it (its PID and
 * start time, msgq/msgq.h) no longer a process, and it says so and exits
 * 1.  So too if msgq/ctl qbytes makes the queue too small for the request
 * that waits to go.  A queue the server did not sign is not talked to.
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

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "msgq.h"

struct client {			/* what the steps share */
	struct input in;	/* MESSAGE operands, or stdin: msgq.h */
	struct server server;	/* its queue and PID: msgq.h */
	size_t chunk;		/* most bytes in one request */
	size_t room;		/* bytes a message can hold */
	struct message *req;	/* the request we fill and send */
	struct message *ans;	/* the answer */
	unsigned long asked;	/* requests sent */
	unsigned long answered;	/* answers printed */
};

static int own = -1;		/* our queue, for the answers */

static key_t options(int argc, char *argv[], struct input *in);
static void open_queues(struct client *c, key_t key);
static int server_lives(struct client *c, size_t len);
static ssize_t wait_answer(struct client *c, size_t len);
static void asked(struct client *c, size_t len);
static int print_answer(struct client *c, ssize_t n, size_t len);
static void remove_own(void);

int
main(int argc, char *argv[])
{
	struct client c = { .server = { .qid = -1 } };
	size_t len;
	ssize_t n;
	key_t key;

	key = options(argc, argv, &c.in);	/* the key; MESSAGE: below */
	catch_signals();
	open_queues(&c, key);	/* msgget: the server's queue, our own */

	/* A request per line or MESSAGE: our queue's id, then the bytes. */
	while (!stop_signal &&
	    (len = next_input(&c.in, c.req->mtext + QID_BYTES, c.chunk))) {
		c.req->mtype = (long)getpid();	/* the answer's type too */
		memcpy(c.req->mtext, &own, QID_BYTES);	/* answer there */
		ticking(1);	/* wake each second: does the server live? */
		while ((n = msgsnd(c.server.qid, c.req, QID_BYTES + len,
		    0)) == -1 && server_lives(&c, len))
			;	/* a tick: the server lives; wait again */
		ticking(0);
		if (n == -1)	/* stopped before it went */
			break;
		asked(&c, len);	/* it went, even if a stop came just after */
		n = stop_signal ? -1 : wait_answer(&c, len);	/* below */
		if (n == -1 || print_answer(&c, n, len) == -1)	/* stopped */
			break;
	}
	note("%lu request%s, %lu answered%s", c.asked, plural(c.asked),
	    c.answered, stop_signal ? "; stopped by a signal" : "");
	remove_own();
	free(c.req);
	free(c.ans);
	return close_stdout() == -1 ? EXIT_CALL_FAILED : exit_status(0);
}

/* The operands into in; returns the key: -k, $IPC_DEMO_KEY or ftok. */
static key_t
options(int argc, char *argv[], struct input *in)
{
	static const struct row rows[] = {
		KEY_ROW("the server's key"),
		QUIET_ROW,
	};
	static const struct program client = { "msgq/client", "[MESSAGE ...]",
	    "Send each MESSAGE, or each line of standard input, to "
	    "msgq/server and print\neach answer.", ROWS(rows) };
	int first = parse_options(&client, argc, argv, NULL, NULL);

	in->args = messages(argc, argv, first);	/* NULL: none */
	return use_key(PROJ_SERVER);
}

/*
 * Room for a request and an answer of the largest size a queue takes.
 * Find the server's queue by its signature (msgget, flags 0: never create:
 * only the server does; request.c), then make our own with IPC_PRIVATE:
 * always a new queue, with no key.  A request holds its id, then bytes.
 */
static void
open_queues(struct client *c, key_t key)
{
	c->room = max_message_size();
	c->req = new_message(c->room);
	c->ans = new_message(c->room);
	find_server(&c->server, key);	/* msgget, MSG_COPY: request.c */
	own = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (own == -1)
		die("msgget (our queue)");
	if (atexit(remove_own) != 0) {
		remove_own();
		die("atexit");
	}
	c->chunk = request_room(c->server.qid, own);	/* request.c */
	note("server's queue id %d; answers come to our own queue id %d; "
	    "up to %zu bytes in a request", c->server.qid, own, c->chunk);
}

/*
 * A blocked msgsnd of request asked + 1 (len bytes), or msgrcv (len 0) of
 * the answer to request asked, failed.  A tick (EINTR, no stop): see that
 * the server lives and the request can fit, and return 1 to wait again.
 * Stopped by a signal: 0.  Else die (msgsnd: the server's queue gone?).
 */
static int
server_lives(struct client *c, size_t len)
{
	if (errno == EINTR && stop_signal)
		return 0;
	if (errno != EINTR) {
		ticking(0);
		if (len > 0)	/* the server's queue gone?  request.c */
			request_failed(&c->server, c->asked + 1);
		if (errno == EIDRM || errno == EINVAL)	/* no {ctl}: no key */
			die_hint("msgrcv", "our own queue (id %d, no key) was "
			    "removed (ipcrm -q?): the answer to request %lu "
			    "is lost", own, c->asked);
		die("msgrcv");
	}
	check_server(&c->server, c->req, c->room, c->asked + (len > 0),
	    len > 0 ? QID_BYTES + len : 0);		/* request.c */
	return 1;
}

/*
 * The answer to our request of len bytes, from our own queue: msgrcv takes
 * only messages typed with our PID, and each second a tick looks at the
 * server (server_lives).  One typed for us that is not the answer - not
 * len bytes, or not the request in capitals - was put there by another
 * program: said, not printed, and we wait on for the real one.  Returns
 * its size (0: a refusal), or -1 when stopped.
 */
static ssize_t
wait_answer(struct client *c, size_t len)
{
	const char *text = c->req->mtext + QID_BYTES;	/* the request's */
	ssize_t n;
	size_t i;

	for (;;) {
		ticking(1);
		while ((n = msgrcv(own, c->ans, c->room, (long)getpid(), 0)) ==
		    -1 && server_lives(c, 0))
			;
		ticking(0);
		for (i = 0; n > 0 && (size_t)n == len && i < len; i++)
			if ((unsigned char)c->ans->mtext[i] !=
			    toupper((unsigned char)text[i]))	/* 0..255 */
				break;
		if (n <= 0 || i == len)
			return n;
		refuse("a message typed for us, %zd bytes, is not the answer "
		    "to request %lu: not printed", n, c->asked);
	}
}

/* A request went: count it, and say so at a readable pace. */
static void
asked(struct client *c, size_t len)
{
	c->asked++;
	if (paced())
		note("msgsnd: request %lu, %zu byte%s, type %ld (our PID)",
		    c->asked, len, plural(len), c->req->mtype);
}

/*
 * The answer to a request of len bytes (wait_answer checked it): print
 * it.  Returns -1 to stop.  An empty answer is a refusal (msgq.h): the
 * request was too big for the server.
 */
static int
print_answer(struct client *c, ssize_t n, size_t len)
{
	size_t done;

	if (n == 0) {
		refuse("the server could not take request %lu (%zu bytes) "
		    "whole: refused; send shorter lines", c->asked, len);
		exit(EXIT_CALL_FAILED);
	}
	done = write_part(STDOUT_FILENO, c->ans->mtext, len);
	if (done < len && stop_signal)
		return -1;
	if (done < len)
		die_lost("write", "%zu byte%s of the answer to request %lu "
		    "lost", len - done, plural(len - done), c->asked);
	if (paced())
		note("msgrcv: the answer, %zd bytes", n);
	c->answered++;
	return 0;
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
