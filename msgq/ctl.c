/*
 * msgq/ctl - look at, resize or remove the message queue of msgq/sender
 * and msgq/receiver, with msgctl(2).
 *
 * The kernel keeps a struct msqid_ds for each queue: who owns it and with
 * what mode, how many messages and bytes it holds, the most bytes it may
 * hold (msg_qbytes), and who last sent and received, and when.  IPC_STAT
 * copies it out; IPC_SET changes the owner, mode or msg_qbytes; IPC_RMID
 * removes the queue at once, with every message in it, and wakes whoever
 * waits on it with EIDRM.
 *
 * Try this, with no receiver running:
 *	msgq/sender one two three; msgq/ctl stat
 * shows 4 messages (three lines and the end of stream) and 14 bytes: the
 * bytes count the text only, never the mtype.  Then msgq/ctl qbytes 16
 * and msgq/sender -n four fails: the queue is full.  msgq/ctl rm clears up.
 *
 * See also: msgq/sender, msgq/receiver, msgctl(2), ipcs(1), ipcrm(1).
 */
#define _GNU_SOURCE		/* MSG_COPY, a Linux flag of msgrcv(2) */
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

enum { STAT, RM, QBYTES, PEEK, KEY, WATCH };	/* as options() finds them */
enum { PEEK_SHOWN = 24 };	/* peek shows this many bytes */
#ifndef MSG_COPY
#define MSG_COPY 040000		/* Linux's value: musl's headers lack it */
#endif

static int options(int argc, char *argv[], long long *qbytes);
static int queue_state(char *line, size_t size);
static void show(int id);
static void set_qbytes(int id, unsigned long qbytes);
static void peek(int qid);
static void show_copy(long pos, const struct message *m, ssize_t n);
static void show_counts(int qid, const struct msqid_ds *before, long seen);

int
main(int argc, char *argv[])
{
	long long qbytes = 0;
	int cmd, id;

	cmd = options(argc, argv, &qbytes);	/* STAT, RM, ...; the key */
	if (cmd == KEY || cmd == WATCH)	/* how it was made; live: common/ */
		return cmd == KEY ? explain_key(PROJ_MSGQ) : watch(queue_state);

	/* Find the queue; flags 0 means "open, never create". */
	id = msgget(ipc_key, 0);
	if (id == -1 && errno == ENOENT)
		die_hint("msgget", "no queue has key 0x%08x: msgq/sender or "
		    "msgq/receiver creates it", (unsigned int)ipc_key);
	if (id == -1)
		die("msgget");

	if (cmd == STAT) {
		show(id);
	} else if (cmd == RM) {
		if (msgctl(id, IPC_RMID, NULL) == -1)
			die("msgctl IPC_RMID");
		note("msgctl IPC_RMID: removed queue id %d", id);
	} else if (cmd == QBYTES) {
		set_qbytes(id, (unsigned long)qbytes);
	} else {
		peek(id);			/* msgrcv MSG_COPY: below */
	}
	return close_stdout() == -1 ? EXIT_CALL_FAILED : 0;
}

/*
 * The command and its number (command() in common/).  N of qbytes is 1
 * or more, a floor command() does not know (its range starts at 0): so
 * qbytes N, once it is the whole command, is parsed here first.
 */
static int
options(int argc, char *argv[], long long *qbytes)
{
	static const struct row rows[] = {
		{ "stat", "print the queue's msqid_ds (IPC_STAT)" },
		{ "rm", "remove the queue and every message in it (IPC_RMID)" },
		{ "qbytes N", "let the queue hold at most N bytes (IPC_SET)" },
		{ "peek", "list the messages without taking them (MSG_COPY)" },
		KEY_CMD,
		{ "watch", "print messages and bytes each time they change "
		    "(Ctrl-C stops)" },
		KEY_ROW("the queue's key"),
		QUIET_ROW,
	};
	static const struct program ctl = { "msgq/ctl", "", NULL, ROWS(rows) };
	int first = parse_options(&ctl, argc, argv, NULL, NULL), cmd;

	if (argc - first == 2 && strcmp(argv[first], "qbytes") == 0 &&
	    parse_num("qbytes", argv[first + 1], 1, 0x7fffffff, qbytes) == -1)
		show_usage(stderr);
	cmd = command(argc, argv, first, "the number N", 0x7fffffff, qbytes);
	use_key(PROJ_MSGQ);
	return cmd;
}

/*
 * msgq/ctl watch's look at the queue (watch() in common/ polls it): how
 * many messages it holds and how many bytes (IPC_STAT's msg_qnum and
 * msg_cbytes).  Returns 0 when no queue has our key: not yet, or no more.
 */
static int
queue_state(char *line, size_t size)
{
	struct msqid_ds ds;
	int id = msgget(ipc_key, 0);	/* flags 0: open, never create */

	if (id == -1 && errno == ENOENT)
		return 0;
	if (id == -1)
		die("msgget");
	if (msgctl(id, IPC_STAT, &ds) == -1) {
		if (errno == EINVAL || errno == EIDRM)
			return 0;	/* removed since msgget */
		die("msgctl IPC_STAT");
	}
	snprintf(line, size, "%lu message%s, %lu byte%s",
	    (unsigned long)ds.msg_qnum, plural(ds.msg_qnum),
	    (unsigned long)ds.msg_cbytes, plural(ds.msg_cbytes));
	return 1;
}

/* IPC_STAT: the queue as the kernel sees it, one field a line. */
static void
show(int id)
{
	struct msqid_ds ds;

	if (msgctl(id, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	printf("key        0x%08x\n", (unsigned int)ipc_key);
	printf("id         %d\n", id);
	printf("owner      uid %u, gid %u\n", (unsigned int)ds.msg_perm.uid,
	    (unsigned int)ds.msg_perm.gid);
	printf("creator    uid %u, gid %u\n", (unsigned int)ds.msg_perm.cuid,
	    (unsigned int)ds.msg_perm.cgid);
	printf("mode       0%03o\n", (unsigned int)ds.msg_perm.mode & 0777);
	printf("messages   %lu\n", (unsigned long)ds.msg_qnum);
	printf("bytes      %lu\n", (unsigned long)ds.msg_cbytes);
	printf("qbytes     %lu\n", (unsigned long)ds.msg_qbytes);
	printf("last send  pid %ld, %s\n", (long)ds.msg_lspid,
	    ipc_time(ds.msg_stime));
	printf("last recv  pid %ld, %s\n", (long)ds.msg_lrpid,
	    ipc_time(ds.msg_rtime));
	printf("changed    %s\n", ipc_time(ds.msg_ctime));
}

/*
 * IPC_SET copies owner, mode and msg_qbytes from the structure we pass,
 * so we read the structure first and change one field.  Raising msg_qbytes
 * above kernel.msgmnb needs privilege (CAP_SYS_RESOURCE).
 */
static void
set_qbytes(int id, unsigned long qbytes)
{
	struct msqid_ds ds;
	unsigned long old;

	if (msgctl(id, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	old = (unsigned long)ds.msg_qbytes;
	ds.msg_qbytes = (msglen_t)qbytes;
	if (msgctl(id, IPC_SET, &ds) == -1) {
		if (errno == EPERM)
			die_hint("msgctl IPC_SET", "only the owner may change "
			    "the queue, and raise qbytes above kernel.msgmnb "
			    "only with CAP_SYS_RESOURCE");
		die("msgctl IPC_SET");
	}
	if (msgctl(id, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	note("msgctl IPC_SET: qbytes of queue id %d: %lu -> %lu", id, old,
	    (unsigned long)ds.msg_qbytes);
}

/*
 * msgq/ctl peek: look at every message in the queue without taking one.
 * With MSG_COPY (Linux 3.8 and later, built with CONFIG_CHECKPOINT_RESTORE)
 * msgrcv copies a message out and leaves it queued, and msgtyp is not a
 * type but a position: 0 is the head of the queue, 1 the next, and so on;
 * past the last one, ENOMSG.  MSG_COPY must come with IPC_NOWAIT.  The
 * buffer takes any message: the queue's bytes in all are at least as many.
 */
static void
peek(int qid)
{
	struct msqid_ds before;
	struct message *m;
	size_t room = receive_room(qid);
	ssize_t n;
	long pos;

	if (msgctl(qid, IPC_STAT, &before) == -1)
		die("msgctl IPC_STAT");
	if (before.msg_cbytes > room)
		room = (size_t)before.msg_cbytes;
	m = new_message(room);
	printf("pos  type        bytes  kind     first bytes\n");
	for (pos = 0;; pos++) {
		n = msgrcv(qid, m, room, pos, MSG_COPY | IPC_NOWAIT);
		if (n == -1 && errno == ENOMSG)
			break;		/* no message at pos: the end */
		if (n == -1 && (errno == ENOSYS || errno == EINVAL))
			die_hint("msgrcv MSG_COPY", "this kernel lacks MSG_COPY "
			    "(Linux 3.8 and later, with "
			    "CONFIG_CHECKPOINT_RESTORE); msgq/ctl stat shows "
			    "the counts");
		if (n == -1)
			die("msgrcv MSG_COPY");
		show_copy(pos, m, n);
	}
	free(m);
	show_counts(qid, &before, pos);
}

/* One copied message: position, type, size, kind, its first bytes. */
static void
show_copy(long pos, const struct message *m, ssize_t n)
{
	static const char *const kinds[] = { "d", "DATA", "f", "FAILED",
		"q", "REQUEST", "a", "ANSWER", "s", "SIGN", NULL };
	const char *kind = "?", *p = &m->kind;
	size_t i, len = (size_t)n;

	for (i = 0; n > 0 && kinds[i] != NULL; i += 2)
		if (m->kind == kinds[i][0])
			kind = kinds[i + 1];
	if (n == 0)
		kind = "END";		/* the end of a stream: no bytes */
	if (n > 0 && *kind != '?') {
		p++;			/* the kind byte is shown as a word */
		len--;
	}
	printf("%-4ld %-11ld %5zd  %-7s  \"", pos, m->mtype, n, kind);
	for (i = 0; i < len && i < PEEK_SHOWN; i++)
		if (p[i] == '\n' || p[i] == '\t')
			printf("\\%c", p[i] == '\n' ? 'n' : 't');
		else if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (isprint((unsigned char)p[i]) && (unsigned char)p[i] < 0x80)
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
show_counts(int qid, const struct msqid_ds *before, long seen)
{
	struct msqid_ds after;

	if (msgctl(qid, IPC_STAT, &after) == -1)
		die("msgctl IPC_STAT");
	printf("messages   %lu before, %lu after (%ld copied)\n",
	    (unsigned long)before->msg_qnum, (unsigned long)after.msg_qnum,
	    seen);
	printf("bytes      %lu before, %lu after\n",
	    (unsigned long)before->msg_cbytes, (unsigned long)after.msg_cbytes);
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
