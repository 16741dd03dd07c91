/*
 * stream.c - the one-way stream of msgq/sender and msgq/receiver (see
 * msgq.h).  The sender's side: how data is fitted to a queue whose limit
 * fell, how the stream ends, or is marked as cut.  The receiver's: when
 * it waits and when it stops, what it does with a message that is not
 * stream data, and when it removes the queue.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { MARK_TRIES = 50 };	/* 5 s to find room for the FAILED mark */
enum { SIGNAL_TRIES = 10 };	/* 1 s, after Ctrl-C or SIGTERM */

static int shrink(size_t room, int msgmax, size_t *chunk);
static const char *wanted(long type);

/*
 * A message may hold at most kernel.msgmax bytes, and at most the queue's
 * msg_qbytes, or msgsnd would wait forever for room that can never be.
 * The kind byte takes one of them.  Returns the most data bytes.
 */
size_t
data_room(int qid)
{
	size_t room = queue_room(qid), chunk;

	if (room <= KIND_BYTES)
		no_room(room, "the queue", "data after the kind byte",
		    KIND_BYTES + 1);		/* queue.c */
	chunk = room - KIND_BYTES;
	note("up to %zu bytes of data in a message (kernel.msgmax or the "
	    "queue's qbytes, less the kind byte)", chunk);
	return chunk;
}

/*
 * msgsnd failed: the queue was full, a tick came while we waited, or
 * EINVAL.  If len bytes can no longer ever fit (kernel.msgmax, or msgq/ctl
 * qbytes, lowered under us), make *chunk smaller and return -1; EINVAL
 * for any other reason (the queue is gone) is an error; with -n (nowait),
 * a full queue is an error; else say why we wait (at most once a second)
 * and return 0.
 */
int
fit_to_queue(int qid, size_t len, int nowait, size_t *chunk)
{
	struct msqid_ds ds;
	size_t max = msgmax_now(), room;
	int err = errno;

	if (msgctl(qid, IPC_STAT, &ds) == -1) {
		if (err == EINVAL)	/* the queue is gone: msgsnd says so */
			errno = err;
		die(err == EINVAL ? "msgsnd" : "msgctl IPC_STAT");
	}
	room = ds.msg_qbytes < max ? (size_t)ds.msg_qbytes : max;
	if (KIND_BYTES + len > room)
		return shrink(room, room == max, chunk);
	if (err == EINVAL) {
		errno = err;
		die("msgsnd");
	}
	if (nowait) {
		errno = EAGAIN;
		die_hint("msgsnd", "the queue is full: %lu message%s, %lu of "
		    "%lu bytes; start msgq/receiver, or drop -n to wait",
		    (unsigned long)ds.msg_qnum, plural(ds.msg_qnum),
		    (unsigned long)ds.msg_cbytes,
		    (unsigned long)ds.msg_qbytes);
	}
	if (paced_wait())
		note("queue full (%lu message%s, %lu of %lu bytes): waiting "
		    "for a receiver to make room", (unsigned long)ds.msg_qnum,
		    plural(ds.msg_qnum), (unsigned long)ds.msg_cbytes,
		    (unsigned long)ds.msg_qbytes);
	return 0;
}

/*
 * A limit fell to room bytes (kernel.msgmax if msgmax, else the queue's
 * qbytes): data goes in smaller messages from now on.  Returns -1.
 */
static int
shrink(size_t room, int msgmax, size_t *chunk)
{
	const char *what = msgmax ? "kernel.msgmax" : "the queue's limit";

	if (room <= KIND_BYTES) {
		refuse("%s was lowered to %zu byte%s: no data fits any more",
		    what, room, plural(room));
		hint("raise it%s", msgmax ? "" : " with {ctl} qbytes");
		exit(EXIT_CALL_FAILED);
	}
	*chunk = room - KIND_BYTES;
	note("%s is %zu bytes now: data goes in messages of at most %zu "
	    "bytes", what, room, *chunk);
	return -1;
}

/*
 * Mark the end of the stream with an empty message: no kind, no bytes.
 * It fits however many bytes the queue holds, but the kernel also allows
 * no more messages than qbytes: a queue with that many has no room even
 * for it.  We do not wait there: we say so, and return -1 (exit 1).
 * Stopped by a signal (Ctrl-C, SIGTERM), we did not see the end of our
 * input: the stream is cut, and marked so (FAILED) instead; Ctrl-D ends it.
 */
int
end_stream(int qid, struct message *msg, long type)
{
	if (stop_signal) {
		mark_failed(qid, msg, type, 0);
		return 0;	/* the signal makes the exit status */
	}
	msg->mtype = type;
	while (msgsnd(qid, msg, 0, IPC_NOWAIT) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			refuse("the queue holds as many messages as its "
			    "qbytes: no room even for the end of the stream");
			hint("a receiver will wait after what was sent; start "
			    "msgq/receiver to take what is queued");
		} else if (errno != EIDRM && errno != EINVAL)
			complain("msgsnd (end of stream)");
		return -1;
	}
	note("msgsnd: end of stream (type %ld, 0 bytes)", type);
	return 0;
}

/*
 * At exit(3) after a failure, or at a signal: mark the stream FAILED (one
 * byte), so that the receiver does not take what came as all there is.
 * A full queue may need a moment to have room: we look for it for 5 s
 * after a failure, 1 s after a signal, not at all with -n; then give up
 * and say so.  (Called from an atexit handler: exit must not be called
 * again from here, so no die().)
 */
void
mark_failed(int qid, struct message *msg, long type, int nowait)
{
	struct timespec pause = { 0, 100000000L };
	const char *what = stop_signal ? "cut" : "failed";
	int tries, most = nowait ? 0 : stop_signal ? SIGNAL_TRIES : MARK_TRIES;

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
		if (tries == 0 && most > 0)
			note("the queue is full: waiting up to %d s for room "
			    "to mark the stream as %s", most / 10, what);
		if (tries >= most) {
			refuse("could not mark the stream as %s (the queue "
			    "stays full): a receiver will wait after what was "
			    "sent; stop it with Ctrl-C", what);
			return;
		}
		nanosleep(&pause, NULL);
	}
	note("msgsnd: the stream is marked as %s (type %ld, 1 byte)", what,
	    type);
}

/*
 * The receiver's msgrcv failed, errno says why.  Returns 1 to call it
 * again (waiting, unless -n): after Ctrl-Z and fg, or when the try without
 * waiting found nothing (we say we wait, at most once a second).  Returns
 * 0 to stop: a signal, or -n and nothing queued.  Anything else: die.
 */
int
again(int qid, long type, int nowait, size_t room)
{
	int raised;

	if (errno == EINTR && stop_signal)
		return 0;
	if (errno == EINTR)
		return 1;	/* stopped and continued: go on */
	if (errno == ENOMSG && nowait) {
		note("no more messages of %s queued (-n)", wanted(type));
		return 0;
	}
	if (errno == ENOMSG) {
		if (paced_wait())
			note("waiting for a message of %s...", wanted(type));
		return 1;
	}
	if (errno == E2BIG) {
		raised = receive_room(qid) > room;	/* msgctl: errno */
		errno = E2BIG;
		die_hint("msgrcv", "a message is bigger than our %zu bytes "
		    "(the larger of kernel.msgmax and the queue's qbytes): "
		    "%s", room, raised ? "one was raised after we started; "
		    "run msgq/receiver again" : "it was sent while "
		    "kernel.msgmax or the queue's qbytes was higher; raise "
		    "one, then run msgq/receiver again");
	}
	die("msgrcv");
}

/*
 * Not stream data: a request of msgq/client sent to our key, an answer,
 * or bytes of some other program.  We never print it as data: we put it
 * back on the queue, where its owner can still take it, say what it was,
 * and the receiver stops with exit 1.
 */
void
put_back(int qid, key_t key, struct message *msg, size_t n)
{
	const char *what = kind_name(msg, n);

	while (msgsnd(qid, msg, n, IPC_NOWAIT) == -1) {
		if (errno == EINTR)
			continue;
		complain("msgsnd (putting a message back)");
		refuse("key 0x%08x: %s, type %ld, %zu bytes, is not stream "
		    "data: dropped, not printed", (unsigned int)key, what,
		    msg->mtype, n);
		return;
	}
	refuse("key 0x%08x: %s, type %ld, %zu bytes, is not stream data: "
	    "left on the queue, not printed", (unsigned int)key, what,
	    msg->mtype, n);
	hint("this key is used by another pair (msgq/server and "
	    "msgq/client?); pick another key with -k");
}

/*
 * Leave nothing behind: an empty queue is removed with IPC_RMID.  Messages
 * still queued (another stream, another type) stay for the next receiver.
 * So does the queue of a stream that is not over (Ctrl-C, -c, -n) while
 * its sender - the queue's last, msg_lspid - still runs: it would fail on
 * a removed queue, and what it sends next be lost.  System V has no
 * "remove if empty": a message sent in the instant between our IPC_STAT
 * and IPC_RMID would go with the queue.  Only the receiver removes, and
 * only when it stops, to keep that instant rare.
 */
void
remove_if_empty(int *qid, int over)
{
	struct msqid_ds ds;
	int id = *qid;

	if (id == -1)
		return;
	*qid = -1;
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
	if (!over && ds.msg_lspid != getpid() && alive(ds.msg_lspid)) {
		note("the stream is not over and its sender (PID %ld) still "
		    "runs: the queue stays for it", (long)ds.msg_lspid);
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
wanted(long type)
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
