/*
 * msgq.h - what msgq/sender and msgq/receiver agree on.  The kernel only
 * knows "a type and some bytes"; everything else here is our convention.
 *
 * Data.  A message of type TYPE (1 unless -t says otherwise) carries one
 * or more bytes of the stream: a line with its newline, a piece of a line
 * too long for one message, or, with sender -b, a block.  The receiver
 * writes the bytes out exactly as they came.
 *
 * End of stream.  A message of type TYPE with no bytes at all.  A line
 * always ends in its newline and a block is never empty, so an empty
 * message can mean nothing else.  The sender sends it at end of input and
 * on Ctrl-C, just as a pipe's reader sees end-of-file when its writer stops.
 *
 * Reply mode (sender -w, receiver -r).  Each request starts with the
 * sender's PID (a pid_t) and then its data, so the end of a stream is a
 * request with the PID alone.  The receiver answers each data request with
 * the same bytes in capitals, in a message whose type is that PID.  Each
 * sender asks msgrcv for its own PID as the type, so it can never take
 * another sender's answer.  Requests keep type 1, which no sender has as
 * its PID (PID 1 is init).  This is the design of UNP vol. 2, 6.8.
 *
 * Who creates and who removes.  Whichever of the pair starts first creates
 * the queue; the other joins it.  Only the receiver removes it, when it
 * stops and the queue is empty; messages still queued are never destroyed.
 */
#ifndef MSGQ_H
#define MSGQ_H

#include <sys/types.h>

#include <stddef.h>

/*
 * A message as msgsnd(2) and msgrcv(2) see it.  The size we pass them
 * counts the bytes of mtext only, never the mtype in front of it.
 */
struct message {
	long mtype;		/* > 0: what msgrcv can select on */
	char mtext[];		/* the bytes; their count travels beside */
};

enum { PID_BYTES = sizeof(pid_t) };	/* the reply-mode header */

size_t max_message_size(void);
struct message *new_message(size_t size);
int open_queue(int *created);

#endif
