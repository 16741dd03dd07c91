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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo.h"

static void show(int id);
static void set_qbytes(int id, unsigned long qbytes);

static void
usage(FILE *f)
{
	fprintf(f, "usage: msgq/ctl [-q] [-k KEY] stat | rm | qbytes N\n"
	    "  stat      print the queue's msqid_ds (IPC_STAT)\n"
	    "  rm        remove the queue and every message in it "
	    "(IPC_RMID)\n"
	    "  qbytes N  let the queue hold at most N bytes (IPC_SET)\n"
	    "  -k KEY    the queue's key (default: $IPC_DEMO_KEY, else one "
	    "made by ftok)\n"
	    "  -q        quiet: no narration on stderr\n");
	exit(f == stdout ? 0 : EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	const char *karg = NULL, *cmd;
	long long qbytes = 0;
	int id, opt, want;

	prog = "msgq/ctl";
	while ((opt = getopt(argc, argv, ":hk:q")) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			break;
		case 'k':
			karg = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			bad_option(opt);
			usage(stderr);
		}
	}
	/* One command; qbytes takes a number. */
	cmd = optind < argc ? argv[optind] : "";
	want = strcmp(cmd, "qbytes") == 0 ? 2 : 1;
	if (*cmd == '\0') {
		fprintf(stderr, "%s: no command: expected stat, rm or "
		    "qbytes N\n", prog);
		usage(stderr);
	}
	if (strcmp(cmd, "stat") != 0 && strcmp(cmd, "rm") != 0 && want == 1) {
		fprintf(stderr, "%s: '%s' is not a command: expected stat, rm "
		    "or qbytes N\n", prog, cmd);
		usage(stderr);
	}
	if (argc - optind < want) {
		fprintf(stderr, "%s: qbytes: the number N is missing\n", prog);
		usage(stderr);
	}
	if (argc - optind > want) {
		bad_operand(cmd, argv[optind + want]);
		usage(stderr);
	}
	if (want == 2 && parse_num("qbytes", argv[optind + 1], 1, 0x7fffffff,
	    &qbytes) == -1)
		usage(stderr);
	if (choose_key(karg, PROJ_MSGQ) == -1)
		usage(stderr);

	/* A closed pipe on stdout is an error we report (EPIPE), not death. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die("signal");

	/* Find the queue; flags 0 means "open, never create". */
	id = msgget(ipc_key, 0);
	if (id == -1 && errno == ENOENT)
		die_hint("msgget", "no queue has key 0x%08x: msgq/sender or "
		    "msgq/receiver creates it", (unsigned int)ipc_key);
	if (id == -1)
		die("msgget");

	if (strcmp(cmd, "stat") == 0) {
		show(id);
	} else if (strcmp(cmd, "rm") == 0) {
		if (msgctl(id, IPC_RMID, NULL) == -1)
			die("msgctl IPC_RMID");
		note("msgctl IPC_RMID: removed queue id %d", id);
	} else {
		set_qbytes(id, (unsigned long)qbytes);
	}
	return close_stdout() == -1 ? EXIT_CALL_FAILED : 0;
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
