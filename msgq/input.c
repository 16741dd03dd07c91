/*
 * input.c - where the bytes of msgq/sender and msgq/client come from: the
 * MESSAGE operands, each with a newline, or standard input by lines (each
 * sent as soon as it is read), or by blocks (sender -b), all through
 * stdio.  A stop signal ends the input; Ctrl-Z and fg do not.  See struct
 * input in msgq.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipcdemo.h"
#include "msgq.h"

static size_t next_arg(struct input *in, char *buf, size_t max);
static size_t next_line(struct input *in, char *buf, size_t max);
static size_t next_block(struct input *in, char *buf, size_t max);

/*
 * The next bytes to send, at most max of them, into buf: a piece of a
 * MESSAGE operand, a line, or a block (-b).  Returns how many; 0 at the
 * end of the input, or when a signal stopped us.
 */
size_t
next_input(struct input *in, char *buf, size_t max)
{
	if (in->done)
		return 0;
	if (in->args != NULL)
		return next_arg(in, buf, max);
	return in->bulk ? next_block(in, buf, max) : next_line(in, buf, max);
}

/* Each argument, with a newline, is one message (or more if it is long). */
static size_t
next_arg(struct input *in, char *buf, size_t max)
{
	size_t len, piece;

	if (*in->args == NULL) {
		in->done = 1;
		return 0;
	}
	len = strlen(*in->args) + 1;
	piece = len - in->off < max ? len - in->off : max;
	memcpy(buf, *in->args + in->off, piece);
	in->off += piece;
	if (in->off == len) {
		buf[piece - 1] = '\n';
		in->args++;
		in->off = 0;
	}
	return piece;
}

/*
 * Line mode: each line of input, newline included, is one message, sent
 * as soon as it is read, so a student typing in a terminal sees each line
 * arrive in the other as Enter is pressed.  A line longer than a message
 * goes in several; the receiver joins them by writing them out in order.
 */
static size_t
next_line(struct input *in, char *buf, size_t max)
{
	size_t len = 0;
	int c;

	while (len < max) {
		c = getc_unlocked(stdin);
		if (c == EOF && ferror(stdin)) {
			if (errno != EINTR)
				die("read (stdin)");
			if (stop_signal) {
				in->done = 1;
				return 0;
			}
			clearerr(stdin);	/* Ctrl-Z, then fg */
			continue;
		}
		if (c == EOF) {
			in->done = 1;	/* the last line may have no newline */
			break;
		}
		buf[len++] = (char)c;
		if (c == '\n')
			break;
	}
	return len;
}

/*
 * Bulk mode: fill each message to the brim, for speed.  A message holds
 * at most kernel.msgmax bytes (8 KiB unless raised), and a read(2) for
 * each would cost a system call per message besides msgsnd's.  So we
 * read through stdio, with a buffer of BULK_BUFFER bytes: one read(2)
 * fills it for many messages, and each takes its bytes out with a copy in
 * memory, far cheaper than a call into the kernel.  A tick (the sender's
 * look at the queue's limits) or Ctrl-Z and fg interrupt a read: EINTR,
 * and we read on.
 */
static size_t
next_block(struct input *in, char *buf, size_t max)
{
	static char buffer[BULK_BUFFER];	/* stdin's, from the start */
	size_t len = 0;

	if (!in->buffered && setvbuf(stdin, buffer, _IOFBF, sizeof buffer))
		die("setvbuf");
	in->buffered = 1;
	while (len < max) {
		len += fread(buf + len, 1, max - len, stdin);
		if (len == max || feof(stdin))
			break;
		if (errno != EINTR)	/* fread failed: ferror(stdin) */
			die("read (stdin)");
		if (stop_signal) {
			in->done = 1;
			return 0;
		}
		clearerr(stdin);
	}
	if (len < max)
		in->done = 1;	/* end of input */
	return len;
}
