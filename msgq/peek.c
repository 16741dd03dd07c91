/*
 * peek.c - msgq/ctl peek: the messages in a queue, each copied out and
 * left where it is (msgrcv with MSG_COPY), listed with its position,
 * type, size, kind (msgq.h: a stream's DATA and END; a server's SIGN and
 * REQUEST) and first bytes; and the queue's counts before and after, to
 * show that nothing was taken.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { PEEK_SHOWN = 24 };	/* peek shows this many bytes */

static void over_msgmax(long pos, const struct msqid_ds *before);
static void show_copy(long pos, const struct message *m, ssize_t n,
    int server);
static void show_counts(int id, const struct msqid_ds *before, long seen);

/*
 * msgq/ctl peek: look at every message in the queue without taking one.
 * With MSG_COPY (Linux 3.8 and later, built with CONFIG_CHECKPOINT_RESTORE)
 * msgrcv copies a message out and leaves it queued, and msgtyp is not a
 * type but a position: 0 is the head of the queue, 1 the next, and so on;
 * past the last one, ENOMSG.  MSG_COPY must come with IPC_NOWAIT.  The
 * buffer takes any message: the queue's bytes in all are at least as many.
 * But the kernel copies at most kernel.msgmax bytes: a message sent before
 * msgmax was lowered below its size cannot be copied (EINVAL).
 * A queue whose head is a server's signature is a server's: its other
 * messages are requests, not a stream.
 */
void
peek(int id)
{
	struct msqid_ds before;
	struct message *m;
	size_t room = receive_room(id);
	unsigned long long start;
	ssize_t n;
	pid_t pid;
	long pos;
	int server = signed_by(id, &pid, &start) == 1;	/* queue.c */

	if (msgctl(id, IPC_STAT, &before) == -1)
		die("msgctl IPC_STAT");
	if (before.msg_cbytes > room)
		room = (size_t)before.msg_cbytes;
	m = new_message(room);
	printf("%-4s %-19s %5s  %-7s  %s\n", "pos", "type", "bytes", "kind",
	    "first bytes");
	for (pos = 0;; pos++) {
		n = msgrcv(id, m, room, pos, MSG_COPY | IPC_NOWAIT);
		if (n == -1 && errno == ENOMSG)
			break;		/* no message at pos: the end */
		if (n == -1 && errno == EINVAL)
			over_msgmax(pos, &before);	/* below */
		if (n == -1 && (errno == ENOSYS || errno == EINVAL))
			die_hint("msgrcv MSG_COPY", "this kernel lacks "
			    "MSG_COPY (Linux 3.8 and later, with "
			    "CONFIG_CHECKPOINT_RESTORE); msgq/ctl stat shows "
			    "the counts");
		if (n == -1)
			die("msgrcv MSG_COPY");
		show_copy(pos, m, n, server);
	}
	free(m);
	show_counts(id, &before, pos);
}

/*
 * MSG_COPY failed with EINVAL.  If a copy worked before, or kernel.msgmax
 * is below the queue's bytes, msgmax was lowered under a message already
 * queued (msgmax_now, queue.c): said, exit 1.  Else back, errno EINVAL.
 */
static void
over_msgmax(long pos, const struct msqid_ds *before)
{
	size_t max = msgmax_now();

	errno = EINVAL;		/* what msgmax_now's fopen may have changed */
	if (pos > 0 || max < before->msg_cbytes)
		die_hint("msgrcv MSG_COPY", "the message at position %ld is "
		    "longer than kernel.msgmax (%zu bytes) now, and MSG_COPY "
		    "copies no more than that: raise it, or see the counts "
		    "with {ctl} stat", pos, max);
}

/*
 * One copied message: position, type (up to 19 digits), size, kind, its
 * first bytes - of a request, those after the client's queue id.
 */
static void
show_copy(long pos, const struct message *m, ssize_t n, int server)
{
	const char *kind = "DATA", *p = m->mtext;
	size_t i, len = (size_t)n;

	if (server && pos == 0 && m->mtype == SIGN_TYPE) {
		kind = "SIGN";
	} else if (server && len >= QID_BYTES) {
		kind = "REQUEST";
		p += QID_BYTES;
		len -= QID_BYTES;
	} else if (server || n == 0) {
		kind = server ? "?" : "END";
	}
	printf("%-4ld %-19ld %5zd  %-7s  \"", pos, m->mtype, n, kind);
	for (i = 0; i < len && i < PEEK_SHOWN; i++)
		if (p[i] == '\n' || p[i] == '\t')
			printf("\\%c", p[i] == '\n' ? 'n' : 't');
		else if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if ((unsigned char)p[i] < 0x80 &&
		    isprint((unsigned char)p[i]))
			putchar(p[i]);
		else
			printf("\\x%02x", (unsigned char)p[i]);
	printf("\"%s\n", len > PEEK_SHOWN ? "..." : "");
}

/*
 * The queue's counts before and after: equal, nothing moved.  If another
 * process sent or received meanwhile, the list may be off: say so, exit 1.
 */
static void
show_counts(int id, const struct msqid_ds *before, long seen)
{
	struct msqid_ds after;

	if (msgctl(id, IPC_STAT, &after) == -1)
		die("msgctl IPC_STAT");
	printf("messages   %lu before, %lu after (%ld copied)\n",
	    (unsigned long)before->msg_qnum, (unsigned long)after.msg_qnum,
	    seen);
	printf("bytes      %lu before, %lu after\n",
	    (unsigned long)before->msg_cbytes,
	    (unsigned long)after.msg_cbytes);
	if (after.msg_qnum != before->msg_qnum || (unsigned long)seen !=
	    after.msg_qnum || after.msg_cbytes != before->msg_cbytes) {
		refuse("the queue changed while we looked (a send or a "
		    "receive by another process): the list may be off");
		hint("peek again when the queue is still");
		exit(EXIT_CALL_FAILED);
	}
	note("msgrcv MSG_COPY: %ld message%s copied, none taken", seen,
	    plural((unsigned long long)seen));
}
