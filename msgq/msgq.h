/*
 * msgq.h - what the msgq programs agree on.  The kernel only knows "a type
 * and some bytes"; everything else here is our convention.  It comes in
 * four parts, one helper file each, in the order below, and msgq/ctl's
 * peek has a file of its own:
 *	queue.c		the queue: its limits, a message buffer, msgget to
 *			create or join, a message's kind in words
 *	input.c		where msgq/sender's and msgq/client's bytes come from
 *	stream.c	one-way, msgq/sender to msgq/receiver: the end and
 *			cut marks, what is not stream data, who removes
 *	request.c	two-way, msgq/client to msgq/server: the request, the
 *			answer, the server's signature and the client's watch
 *	peek.c		msgq/ctl peek: the messages listed, none taken
 *
 * The kind byte.  The first byte of every message but the end of a stream
 * says what the message is (enum kind).  A message is never taken for
 * something it is not: a request is never printed as stream data, and a
 * stream message never answered as a request.  The size given to msgsnd
 * and returned by msgrcv counts that byte and the text, never the mtype.
 */
#ifndef MSGQ_H
#define MSGQ_H

#include <sys/types.h>

#include <stddef.h>
#include <stdnoreturn.h>

/*
 * A message as msgsnd(2) and msgrcv(2) see it.  The size we pass them
 * counts kind and mtext, never the mtype in front of them.
 */
struct message {
	long mtype;		/* > 0: what msgrcv can select on */
	char kind;		/* enum kind; absent in an end of stream */
	char mtext[];		/* the bytes; their count travels beside */
};

enum kind {
	DATA = 'd',		/* bytes of a stream */
	FAILED = 'f',		/* the sender failed: the stream is cut */
	REQUEST = 'q',		/* client to server: queue id, bytes */
	ANSWER = 'a',		/* server to client: bytes in capitals */
	SIGN = 's',		/* the server's own, at start */
};

enum {
	KIND_BYTES = 1,			/* the kind byte, in every size */
	QID_BYTES = sizeof(int)		/* a request's answer queue id */
};

/*
 * queue.c: the queue itself.  A message may hold at most kernel.msgmax
 * bytes and at most the queue's msg_qbytes (the *_room functions);
 * open_queue() creates the queue or joins it (msgget); kind_name() and
 * kind_word() say what a message is; alive() whether a PID the queue
 * names (msg_lspid, msg_lrpid) still runs; paced_wait() whether a wait
 * may be narrated now.
 */
size_t msgmax_now(void);
size_t max_message_size(void);
size_t receive_room(int qid);
size_t queue_room(int qid);
noreturn void no_room(size_t room, const char *whose, const char *what,
    size_t least);
struct message *new_message(size_t size);
int open_queue(key_t key);
const char *kind_name(const struct message *m, size_t n);
const char *kind_word(const struct message *m, size_t n);
int alive(pid_t pid);
int paced_wait(void);

/*
 * input.c: where msgq/sender's and msgq/client's bytes come from: the
 * MESSAGE operands, each with a newline, or standard input by lines, or
 * by blocks (sender -b).
 */
struct input {
	char **args;		/* the operands left; NULL: standard input */
	size_t off;		/* bytes of *args already taken */
	int bulk;		/* -b: standard input in blocks, not lines */
	int done;		/* the end of the input, or stopped */
};

size_t next_input(struct input *in, char *buf, size_t max);

/*
 * stream.c: one-way, msgq/sender to msgq/receiver.  Data messages (DATA,
 * then one or more bytes: a line with its newline, a piece of a long
 * line, or a block with sender -b) of type TYPE (1 unless -t says
 * otherwise); the receiver writes the bytes out exactly as they came.
 * The end of the stream is a message of type TYPE with no bytes at all,
 * which can mean nothing else.  It fits however many bytes the queue
 * holds, but not in a queue that holds as many messages as its qbytes
 * (the kernel limits the count to qbytes too): then the sender says so
 * and exits 1.  A sender that fails (a read error, say) or is stopped
 * (Ctrl-C, SIGTERM) before the end of its input sends FAILED instead:
 * the stream is cut, and the receiver says so and exits 1.  Only the
 * receiver removes the queue, when it stops and the queue is empty:
 * queued messages are never lost.
 */
size_t data_room(int qid);
int fit_to_queue(int qid, size_t len, int nowait, size_t *chunk);
int end_stream(int qid, struct message *msg, long type);
void mark_failed(int qid, struct message *msg, long type, int nowait);
int again(int qid, long type, int nowait, size_t room);
void put_back(int qid, key_t key, struct message *msg, size_t n);
void remove_if_empty(int *qid, int over);

/*
 * request.c: two-way, msgq/client to msgq/server.  The server creates
 * its queue, and takes requests off it; each client makes a private queue
 * of its own for the answers (the design of UNP vol. 2, 6.9, and TLPI
 * 46.8).  A request is REQUEST, the id of the client's queue (an int),
 * then the bytes; its type is the client's PID.  The answer, ANSWER and
 * the same bytes in capitals, goes to the client's queue, typed with that
 * PID.  So the server's queue holds requests only, and an answer never
 * waits for room behind them: with one queue for both, clients' requests
 * can fill it while the server waits to answer, and all wait forever (UNP
 * 6.8).  Each client has one request out at a time, so its queue holds
 * at most one answer, and the server sends with IPC_NOWAIT: it never
 * blocks.  An answer with no bytes (ANSWER alone) is a refusal: the
 * request was too big for the server's buffer, and was dropped.
 * The server removes its queue when it stops; a client removes its own.
 * A client checks every second, while it waits, that the server lives:
 * the server signs its queue at start (SIGN: a message to itself, which
 * makes msg_lrpid its PID); the client keeps the first PID it sees there,
 * and a client whose server is gone says so.  It also checks that its
 * request can still fit (msgq/ctl qbytes may lower the limit).
 */

/* msgq/client's server, as check_server watches it. */
struct server {
	int qid;		/* its queue */
	pid_t pid;		/* its PID (msg_lrpid) first seen; 0: none */
	int unsigned_ticks;	/* ticks that saw no PID yet */
};

noreturn void refuse_used_key(key_t key);
void sign_queue(int qid);
ssize_t take_oversized(int qid, struct message *req, size_t room);
size_t request_room(int server, int own);
void check_server(struct server *s, struct message *req, size_t room,
    unsigned long request, size_t size);
noreturn void request_failed(const struct server *s, unsigned long request);

/* peek.c: msgq/ctl peek, with msgrcv(MSG_COPY). */
void peek(int id);

#endif
