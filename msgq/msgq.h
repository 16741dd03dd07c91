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
 * The textbook message.  A message of the one-way stream is what every
 * textbook shows, a type and the bytes, nothing in front of them: so
 * msgq/first/sender, a plain perl msgsnd or a student's own program pair
 * with ours.  The end of a stream is a message with no bytes at all.  The
 * two-way pair has a format of its own (request.c, below), on a key of
 * its own, and its queue is signed: a stream program pointed at it says
 * so and touches nothing.  The size given to msgsnd and returned by msgrcv
 * counts the bytes only, never the mtype.
 */
#ifndef MSGQ_H
#define MSGQ_H

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>
#include <stdnoreturn.h>
#include <time.h>

/*
 * Two Linux flags of msgrcv(2) that musl's headers lack, and glibc's give
 * only with _GNU_SOURCE: the kernel's own values.  MSG_COPY copies the
 * message at a position and leaves it queued (with IPC_NOWAIT); MSG_EXCEPT
 * takes the first message of any type but the one asked for.
 */
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif
#ifndef MSG_EXCEPT
#define MSG_EXCEPT 020000
#endif

/*
 * A message as msgsnd(2) and msgrcv(2) see it.  The size we pass them
 * counts mtext, never the mtype in front of it.
 */
struct message {
	long mtype;		/* > 0: what msgrcv can select on */
	char mtext[];		/* the bytes; their count travels beside */
};

enum {
	QID_BYTES = sizeof(int),	/* a request's answer queue id */
	SIGN_BYTES = 64			/* room for a server's signature */
};
#define SIGN_TYPE LONG_MAX	/* the type of a server's signature */

/*
 * queue.c: the queue itself.  A message may hold at most kernel.msgmax
 * bytes and at most the queue's msg_qbytes (the *_room functions);
 * open_queue() creates the queue or joins it (msgget), never a server's;
 * queue_key() the key of a queue id (for the server's may_answer);
 * signed_by() reads a server's signature without taking it (MSG_COPY);
 * start_time() when a process started, and ran_since() whether a PID the
 * queue names (msg_lspid, msg_lrpid) is still the process it was then;
 * paced_wait() whether a wait may be narrated now.
 */
size_t msgmax_now(void);
size_t max_message_size(void);
size_t receive_room(int qid);
size_t queue_room(int qid);
noreturn void no_room(size_t room, const char *whose, const char *what,
    size_t least);
struct message *new_message(size_t size);
int open_queue(key_t key);
long long queue_key(int id);
int signed_by(int qid, pid_t *pid, unsigned long long *start);
unsigned long long start_time(pid_t pid);
int ran_since(pid_t pid, time_t when);
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
	int buffered;		/* -b: stdin's big buffer is set */
	int done;		/* the end of the input, or stopped */
};
enum { BULK_BUFFER = 128 << 10 };	/* -b reads 128 KiB at once, as cat */

size_t next_input(struct input *in, char *buf, size_t max);

/*
 * stream.c: one-way, msgq/sender to msgq/receiver.  Data messages (one or
 * more bytes: a line with its newline, a piece of a long line, or a block
 * with sender -b) of type TYPE (1 unless -t says otherwise); the receiver
 * writes the bytes out exactly as they came.  The end of the stream is a
 * message of type TYPE with no bytes at all, which can mean nothing else.
 * It fits however many bytes the queue holds, but not in a queue that
 * holds as many messages as its qbytes (the kernel limits the count to
 * qbytes too): then the sender says so and exits 1.  A sender that fails
 * or is stopped (Ctrl-C, SIGTERM, kill -9) before the end of its input
 * sends no end: the stream is cut.  The receiver sees it when the queue is
 * empty and the sender gone (stream_cut, from wait_message), says so and
 * exits 1.  Only the
 * receiver removes the queue, when it stops and the queue is empty:
 * queued messages are never lost.
 */

/* What msgq/receiver asks msgrcv for, and what it has taken so far. */
struct receiving {
	long type;		/* -t: 0 any, >0 that type, <0 lowest <= |t| */
	int nowait;		/* -n: IPC_NOWAIT, stop when none is queued */
	size_t room;		/* bytes after mtype a message can hold */
	unsigned long long taken;	/* messages taken: data and ends */
	int last_data;		/* the last taken was data, not an end */
};

size_t data_room(int qid);
int fit_to_queue(int qid, size_t len, int nowait, size_t *chunk);
void say_full(int qid);
int end_stream(int qid, struct message *msg, long type,
    unsigned long sent);
void say_cut(void);
ssize_t wait_message(int qid, struct message *msg, struct receiving *w);
void remove_if_empty(int *qid, int over);

/*
 * request.c: two-way, msgq/client to msgq/server, on a key of its own (proj
 * id 'r': the stream's programs never meet it by default).  The server
 * creates its queue and takes requests off it; each client makes a private
 * queue of its own for the answers (the design of UNP vol. 2, 6.9, and TLPI
 * 46.8).  A request is typed with the client's PID, and holds the id of the
 * client's queue (an int), then the bytes.  The answer, the same bytes in
 * capitals, goes to the client's queue, typed with that PID.  So the
 * server's queue holds requests only, and an answer never waits for room
 * behind them: with one queue for both, clients' requests can fill it
 * while the server waits to answer, and all wait forever (UNP 6.8).  Each
 * client has one request out at a time, so its queue holds at most one
 * answer, and the server sends with IPC_NOWAIT: it never blocks.  It
 * answers only into a private queue (key 0) of the requester's user that
 * is not its own (may_answer): a request cannot make it write into a
 * stream's queue, or another user's.  An
 * answer with no bytes is a refusal: the request was too big for the
 * server's buffer, and was dropped.  The server removes its queue when it
 * stops; a client removes its own.
 *
 * The signature.  The server's first message, of type SIGN_TYPE, says
 * "msgq/server PID START" (START: its start_time()).  It stays at the head
 * of the queue for as long as the server runs (the server takes any type
 * but that one: MSG_EXCEPT).  A client reads it without taking it, to know
 * the server: while it waits, it checks each second that a process with
 * that PID and that start time runs - a PID alone may be used again by
 * another process.  A stream program reads it to know the queue is not a
 * stream's.  The client also checks that its request can still fit
 * (msgq/ctl qbytes may lower the limit).
 */
#define SIGN_FORMAT "msgq/server %ld %llu"

/* msgq/client's server, as check_server watches it. */
struct server {
	int qid;			/* its queue */
	pid_t pid;			/* its PID, from its signature */
	unsigned long long start;	/* its start time, the same; 0: none */
};

noreturn void refuse_used_key(key_t key);
void sign_queue(int qid);
ssize_t take_oversized(int qid, struct message *req, size_t room);
int may_answer(int server, int to, long pid);
void find_server(struct server *s, key_t key);
size_t request_room(int server, int own);
void check_server(struct server *s, struct message *req, size_t room,
    unsigned long request, size_t size);
noreturn void request_failed(const struct server *s, unsigned long request);

/* peek.c: msgq/ctl peek, with msgrcv(MSG_COPY). */
void peek(int id);

#endif
