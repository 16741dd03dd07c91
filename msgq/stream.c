/*
 * stream.c - the one-way stream of msgq/sender and msgq/receiver (see
 * msgq.h).  The sender's side: how data is fitted to a queue whose limit
 * fell, how the stream ends, or is left cut.  The receiver's: when it
 * waits and when it stops, how it sees a stream cut (its sender gone with
 * no end sent), and when it removes the queue.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "msgq.h"

static int shrink(size_t room, int msgmax, size_t *chunk);
static int again(int qid, const struct receiving *w);
static int stream_cut(int qid, const struct receiving *w);
static const char *wanted(long type);

/*
 * A message may hold at most kernel.msgmax bytes, and at most the queue's
 * msg_qbytes, or msgsnd would wait forever for room that can never be.
 * Returns the most data bytes.
 */
size_t
data_room(int qid)
{
	size_t room = queue_room(qid);

	if (room == 0)
		no_room(room, "the queue", "data", 1);	/* queue.c */
	note("up to %zu bytes of data in a message (kernel.msgmax or the "
	    "queue's qbytes)", room);
	return room;
}

/*
 * msgsnd failed: the queue was full, a tick came while we waited, or
 * EINVAL.  If len bytes can no longer ever fit (kernel.msgmax, or msgq/ctl
 * qbytes, lowered under us), make *chunk smaller and return -1; EINVAL
 * for any other reason (the queue is gone) is an error; with -n (nowait),
 * a full queue is an error; else say why we wait (say_full) and return 0.
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
	if (len > room)
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
	say_full(qid);
	return 0;
}

/*
 * The queue is full, and we wait: say so, at most once a second
 * (paced_wait), and only then ask the kernel what it holds, so that a
 * quiet stream pays nothing for it.  A queue removed meanwhile is said by
 * the msgsnd that comes next.
 */
void
say_full(int qid)
{
	struct msqid_ds ds;

	if (!paced_wait() || msgctl(qid, IPC_STAT, &ds) == -1)
		return;
	note("queue full (%lu message%s, %lu of %lu bytes): waiting for a "
	    "receiver to make room", (unsigned long)ds.msg_qnum,
	    plural(ds.msg_qnum), (unsigned long)ds.msg_cbytes,
	    (unsigned long)ds.msg_qbytes);
}

/*
 * A limit fell to room bytes (kernel.msgmax if msgmax, else the queue's
 * qbytes): data goes in smaller messages from now on.  Returns -1.
 */
static int
shrink(size_t room, int msgmax, size_t *chunk)
{
	const char *what = msgmax ? "kernel.msgmax" : "the queue's limit";

	if (room == 0) {
		refuse("%s was lowered to 0 bytes: no data fits any more",
		    what);
		hint("raise it%s", msgmax ? "" : " with {ctl} qbytes");
		exit(EXIT_CALL_FAILED);
	}
	*chunk = room;
	note("%s is %zu bytes now: data goes in messages of at most %zu "
	    "bytes", what, room, *chunk);
	return -1;
}

/*
 * Mark the end of the stream with an empty message: no bytes at all.  It
 * fits however many bytes the queue holds, but the kernel also allows no
 * more messages than qbytes: a queue with that many has no room even for
 * it.  We do not wait there: we say so, and return -1 (exit 1).  Stopped
 * by a signal (Ctrl-C, SIGTERM), we did not see the end of our input: we
 * send no end, and the stream of our sent messages is cut (say_cut); Ctrl-D
 * ends it.
 */
int
end_stream(int qid, struct message *msg, long type, unsigned long sent)
{
	if (stop_signal && sent == 0)
		note("stopped before any data: no stream, and no end, sent");
	if (stop_signal) {
		if (sent > 0)
			say_cut();
		return 0;	/* the signal makes the exit status */
	}
	msg->mtype = type;
	while (msgsnd(qid, msg, 0, IPC_NOWAIT) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			refuse("the queue holds as many messages as its "
			    "qbytes: no room even for the end of the stream");
			hint("a receiver will say the stream was cut once we "
			    "are gone; start msgq/receiver to take what is "
			    "queued");
		} else if (errno != EIDRM && errno != EINVAL)
			complain("msgsnd (end of stream)");
		return -1;
	}
	note("msgsnd: end of stream (type %ld, 0 bytes)", type);
	return 0;
}

/*
 * The sender stops before the end of its input: a failure, or a signal.
 * A textbook message has no room for a "cut" mark, so we send nothing:
 * the end never comes, and a receiver sees the stream cut once the queue
 * is empty and we are gone (stream_cut).  We say so.
 */
void
say_cut(void)
{
	refuse("the stream is cut: no end of stream was sent; a receiver "
	    "will say so once we are gone");
}

/*
 * msgq/receiver found nothing of its type queued (its try without waiting
 * failed: errno says why).  Wait in msgrcv, woken by the receiver's tick
 * each second (ticking, set once for the whole run) to see whether the
 * stream was cut.  Returns the message's size, -1 when stopped (a signal,
 * or -n and nothing left), -2 when the stream is cut (said: stream_cut).
 */
ssize_t
wait_message(int qid, struct message *msg, struct receiving *w)
{
	ssize_t n = -1;
	int go;

	while ((go = again(qid, w)) == 1 &&
	    (n = msgrcv(qid, msg, w->room, w->type, w->nowait)) == -1)
		;
	return go == -1 ? -2 : n;
}

/*
 * The receiver's msgrcv failed, errno says why.  Returns 1 to call it
 * again (waiting, unless -n): after Ctrl-Z and fg, at a tick, or when the
 * try without waiting found nothing (we say we wait, at most once a
 * second).  Returns 0 to stop: a signal, or -n and nothing queued.
 * Returns -1 when the stream is cut (said: stream_cut).  Anything else:
 * die.  An empty queue is the usual case of a fast stream: whether it is
 * cut costs a look only at a tick, or with -n before we stop.
 */
static int
again(int qid, const struct receiving *w)
{
	int err = errno, raised;	/* the look below may change errno */

	if (err == EINTR && stop_signal)
		return 0;
	if ((err == EINTR || (err == ENOMSG && w->nowait)) &&
	    stream_cut(qid, w))
		return -1;
	if (err == EINTR)
		return 1;	/* a tick, or stopped and continued: go on */
	if (err == ENOMSG && w->nowait) {
		note("no more messages of %s queued (-n)", wanted(w->type));
		return 0;
	}
	if (err == ENOMSG) {
		if (paced_wait())
			note("waiting for a message of %s...",
			    wanted(w->type));
		return 1;
	}
	if (err == E2BIG) {
		raised = receive_room(qid) > w->room;
		errno = E2BIG;
		die_hint("msgrcv", "a message is bigger than our %zu bytes "
		    "(the larger of kernel.msgmax and the queue's qbytes): "
		    "%s", w->room, raised ? "one was raised after we started; "
		    "run msgq/receiver again" : "it was sent while "
		    "kernel.msgmax or the queue's qbytes was higher; raise "
		    "one, then run msgq/receiver again");
	}
	errno = err;
	die("msgrcv");
}

/*
 * Nothing of our type is queued: is the stream cut, its sender gone with
 * no end sent?  The queue does not say who sent each message, but it
 * keeps the PID of its last sender (msg_lspid) and of its last receiver
 * (msg_lrpid), and when each acted.  No end will ever come if the queue is
 * empty, its last sender is gone (ran_since: a PID used again is not it),
 * and either we took the last message and it was data, not an end, or we
 * took nothing and the last receiver is gone too (it stopped mid-stream,
 * and the sender after it).  Then say so, and return 1.  Another receiver
 * alive, or another's message queued: we cannot tell, and wait on.
 */
static int
stream_cut(int qid, const struct receiving *w)
{
	struct msqid_ds ds;

	if (msgctl(qid, IPC_STAT, &ds) == -1) {
		if (errno == EIDRM || errno == EINVAL)
			return 0;	/* gone: msgrcv says so next */
		die("msgctl IPC_STAT");
	}
	if (ds.msg_qnum > 0 || ds.msg_lspid == 0 ||
	    ran_since(ds.msg_lspid, ds.msg_stime))
		return 0;
	if (w->taken > 0 ? ds.msg_lrpid != getpid() || !w->last_data :
	    ran_since(ds.msg_lrpid, ds.msg_rtime))
		return 0;
	if (w->taken > 0)
		refuse("the stream is cut: its sender (PID %ld) is gone, and "
		    "sent no end of stream; what came is not the whole stream",
		    (long)ds.msg_lspid);
	else	/* its end may have gone to that receiver, and died there */
		refuse("the stream is cut: its sender (PID %ld) is gone, and "
		    "so is the receiver before us (PID %ld): no end of stream "
		    "came to us, and nothing more will", (long)ds.msg_lspid,
		    (long)ds.msg_lrpid);
	return 1;
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
	if (!over && ds.msg_lspid != getpid() &&
	    ran_since(ds.msg_lspid, ds.msg_stime)) {
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
