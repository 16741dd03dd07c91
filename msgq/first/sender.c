/*
 * msgq/first/sender - the first page of the message queue pair: send each
 * line of standard input as a message, then an empty message to end the
 * stream.  Its partner is msgq/first/receiver, or msgq/receiver.
 *
 * msgget(2) gives the id of the queue with our key, creating it if need
 * be; msgsnd(2) copies a message onto it and returns: the message now
 * belongs to the kernel, and outlives us.  A message is the textbook one,
 * a type (1 or more) and the bytes; the size given to msgsnd counts the
 * bytes only, never the mtype.  No bytes at all: the end of the stream.
 *
 *	terminal 1:  msgq/first/receiver      waits, then prints each line
 *	terminal 2:  msgq/first/sender        type lines; Ctrl-D ends
 *
 * Left out, and where the full program (msgq/sender) has it: lines longer
 * than a message, or with a NUL byte, are cut there (msgq/sender sends any
 * bytes, in pieces); Ctrl-C or a failure leaves the stream without its end
 * (msgq/sender says so; msgq/receiver sees its sender gone); a queue whose
 * limit was lowered under us (msgq/sender sends smaller messages); another
 * user's queue, or msgq/server's, on our key (msgq/sender refuses both).
 * Try this: send with no receiver running, then ipcs -q.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo.h"

/* -h: usage on stdout, exit 0; a bad command line (-t TYPE): exit 2. */
static noreturn void
usage(int status, const char *type)
{
	FILE *f = status == 0 ? stdout : stderr;

	if (type != NULL)
		fprintf(stderr, "msgq/first/sender: -t: '%s' is not a type, "
		    "1 or more\n", type);
	fputs("usage: msgq/first/sender [-k KEY] [-t TYPE]\n", f);
	if (fflush(f) == EOF)
		perror("msgq/first/sender: write");
	exit(status == 0 && ferror(f) ? 1 : status);
}

int
main(int argc, char *argv[])
{
	struct {
		long mtype;		/* 1 or more: what msgrcv selects on */
		char mtext[8192];	/* the bytes: kernel.msgmax at most */
	} msg;
	const char *karg = NULL;
	long type = 1;
	char *end;
	key_t key;
	int opt, qid;

	while ((opt = getopt(argc, argv, "hk:t:")) != -1) {
		errno = 0;
		if (opt == 'k')
			karg = optarg;
		else if (opt != 't')
			usage(opt == 'h' ? 0 : 2, NULL);
		else if ((type = strtol(optarg, &end, 10)) < 1 ||
		    end == optarg || *end != '\0' || errno != 0)
			usage(2, optarg);
	}
	if (optind < argc || first_key("msgq/first/sender", karg, PROJ_MSGQ,
	    &key) == -1)
		usage(2, NULL);

	qid = msgget(key, IPC_CREAT | 0600);	/* umask does not apply */
	if (qid == -1)
		die("msgget");
	msg.mtype = type;
	while (fgets(msg.mtext, sizeof msg.mtext, stdin) != NULL)
		if (msgsnd(qid, &msg, strlen(msg.mtext), 0) == -1)
			die("msgsnd");
	if (ferror(stdin))
		die("read (stdin)");
	if (msgsnd(qid, &msg, 0, 0) == -1)	/* no bytes: the end */
		die("msgsnd");
	return 0;
}
