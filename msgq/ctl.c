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
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { STAT, RM, QBYTES, PEEK, KEY, WATCH };	/* as options() finds them */

static key_t watched;		/* the key queue_state() opens: main */

/* The options of the command line. */
struct flags {
	int force;		/* -f: another user's queue too */
	int proj;		/* -s: PROJ_SERVER; else PROJ_MSGQ */
};

static int options(int argc, char *argv[], long long *qbytes,
    struct flags *f);
static const char *who_makes(int cmd, int proj);
static int queue_state(char *line, size_t size);
static void show(int id, key_t key);
static void not_foreign(int id, int force);
static void set_qbytes(int id, unsigned long qbytes, int force);

int
main(int argc, char *argv[])
{
	struct flags f = { 0, PROJ_MSGQ };
	long long qbytes = 0;
	int cmd = options(argc, argv, &qbytes, &f);	/* STAT, ...: below */
	key_t key = use_key(f.proj);	/* -k, $IPC_DEMO_KEY or ftok */
	int id;

	if (cmd == KEY)
		return explain_key(f.proj);	/* how it was made */
	if (cmd == WATCH) {
		watched = key;		/* watch() passes the look no key */
		return watch(queue_state);	/* polled: common/ */
	}

	/* Find the queue; flags 0 means "open, never create". */
	id = msgget(key, 0);
	if (id == -1 && errno == ENOENT)	/* -q or not: a failure */
		die_hint("msgget", "no queue has key 0x%08x: %s",
		    (unsigned int)key, who_makes(cmd, f.proj));
	if (id == -1)
		die("msgget");

	if (cmd == STAT) {
		show(id, key);
	} else if (cmd == RM) {
		not_foreign(id, f.force);		/* another user's: below */
		if (msgctl(id, IPC_RMID, NULL) == -1)
			die("msgctl IPC_RMID");
		note("msgctl IPC_RMID: removed queue id %d", id);
	} else if (cmd == QBYTES) {
		set_qbytes(id, (unsigned long)qbytes, f.force);
	} else {
		peek(id);			/* msgrcv MSG_COPY: peek.c */
	}
	return close_stdout() == -1 ? EXIT_CALL_FAILED : 0;
}

/* No queue: who makes it, or who removed it, for the hint. */
static const char *
who_makes(int cmd, int proj)
{
	if (cmd == RM)
		return proj == PROJ_SERVER ? "nothing to remove (msgq/server "
		    "removes its queue as it stops)" : "nothing to remove (a "
		    "receiver removes the queue it has emptied)";
	return proj == PROJ_SERVER ? "msgq/server creates it" :
	    "msgq/sender or msgq/receiver creates it";
}

/* -f and -s, for parse_options(). */
static int
own_option(int opt, const char *arg, void *ctx)
{
	struct flags *f = ctx;

	(void)arg;
	if (opt == 'f')
		f->force = 1;
	else
		f->proj = PROJ_SERVER;
	return 0;
}

/*
 * The command and its number (command() in common/), and the flags.  N of
 * qbytes is 1 or more, a floor command() does not know (its range starts
 * at 0): so qbytes N, once it is the whole command, is parsed here first.
 */
static int
options(int argc, char *argv[], long long *qbytes, struct flags *f)
{
	static const struct row rows[] = {
		{ "stat", "print the queue's msqid_ds (IPC_STAT)" },
		{ "rm", "remove the queue and every message in it (IPC_RMID)" },
		{ "qbytes N", "let the queue hold at most N bytes (IPC_SET)" },
		{ "peek", "list the messages without taking them (MSG_COPY)" },
		KEY_CMD,
		{ "watch", "print messages and bytes each time they change "
		    "(Ctrl-C stops)" },
		{ "-f", "rm, qbytes: another user's queue too (as root)" },
		KEY_ROW("the queue's key"),
		QUIET_ROW,
		{ "-s", "msgq/server's queue: the key it makes by itself" },
	};
	static const struct program ctl = { "msgq/ctl", "", NULL, ROWS(rows) };
	int first = parse_options(&ctl, argc, argv, own_option, f);

	if (argc - first == 2 && strcmp(argv[first], "qbytes") == 0 &&
	    parse_num("qbytes", argv[first + 1], 1, 0x7fffffff, qbytes) == -1)
		show_usage(stderr);
	return command(argc, argv, first, "the number N", 0x7fffffff, qbytes);
}

/*
 * watch's look at the queue (watch() in common/ polls it): how many
 * messages it holds and how many bytes (IPC_STAT's msg_qnum and
 * msg_cbytes).  Returns 0 when no queue has the key: not yet, or no more.
 */
static int
queue_state(char *line, size_t size)
{
	struct msqid_ds ds;
	int id = msgget(watched, 0);	/* flags 0: open, never create */

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
show(int id, key_t key)
{
	struct msqid_ds ds;

	if (msgctl(id, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	printf("key        0x%08x\n", (unsigned int)key);
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
 * rm leaves another user's queue, as the other programs do, unless -f
 * (refuse_if_foreign, common/): root passes every permission check.  One
 * who may not even read it (EACCES) is not root: IPC_RMID will refuse
 * them with EPERM, the kernel's own word.
 */
static void
not_foreign(int id, int force)
{
	struct msqid_ds ds;

	if (msgctl(id, IPC_STAT, &ds) == 0)
		refuse_if_foreign("queue", id, &ds.msg_perm, force);
	else if (errno != EACCES)
		die("msgctl IPC_STAT");
}

/*
 * IPC_SET copies owner, mode and msg_qbytes from the structure we pass,
 * so we read the structure first and change one field - of our own queue,
 * unless -f (refuse_if_foreign, common/).  Raising msg_qbytes above
 * kernel.msgmnb needs privilege (CAP_SYS_RESOURCE).
 */
static void
set_qbytes(int id, unsigned long qbytes, int force)
{
	struct msqid_ds ds;
	unsigned long old;

	if (msgctl(id, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	refuse_if_foreign("queue", id, &ds.msg_perm, force);
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
