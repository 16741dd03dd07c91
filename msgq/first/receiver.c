/*
 * msgq/first/receiver - the first page of the message queue pair: take
 * messages off the queue and write their bytes out, until the empty
 * message that ends the stream.  Partner: msgq/first/sender, msgq/sender.
 *
 * msgrcv(2) takes the first message of the type asked for off the queue,
 * and waits while there is none: each message goes to one receiver, once.
 * The type: 0 any (the default), N only type N, -N the lowest type up to
 * N.  It returns the size of the bytes (never counting the mtype); 0 is
 * the end.  Then msgctl(2) IPC_RMID removes the queue.
 *
 *	terminal 1:  msgq/first/receiver      waits, then prints each line
 *	terminal 2:  msgq/first/sender        type lines; Ctrl-D ends
 *
 * Left out, and where the full program (msgq/receiver) has it: a stream
 * cut short - its sender killed before the end - leaves this page waiting
 * for ever (msgq/receiver sees the sender gone, and says so); Ctrl-C leaves
 * the queue behind (msgq/ctl rm; msgq/receiver tidies up); the removal
 * takes whatever else is queued (msgq/receiver removes only an empty
 * queue); a message over 8192 bytes (E2BIG: msgq/receiver makes room);
 * another user's queue, or msgq/server's, on our key (it refuses both).
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <unistd.h>

#include "ipcdemo.h"

/* -h: usage on stdout, exit 0; a bad command line (-t TYPE): exit 2. */
static noreturn void
usage(int status, const char *type)
{
	FILE *f = status == 0 ? stdout : stderr;

	if (type != NULL)
		fprintf(stderr, "msgq/first/receiver: -t: '%s' is not a "
		    "type\n", type);
	fputs("usage: msgq/first/receiver [-k KEY] [-t TYPE]\n", f);
	if (fflush(f) == EOF)
		perror("msgq/first/receiver: write");
	exit(status == 0 && ferror(f) ? 1 : status);
}

int
main(int argc, char *argv[])
{
	struct {
		long mtype;		/* the type it was sent with */
		char mtext[8192];	/* the bytes: kernel.msgmax at most */
	} msg;
	const char *karg = NULL;
	long type = 0;
	char *end;
	ssize_t n;
	key_t key;
	int opt, qid;

	while ((opt = getopt(argc, argv, "hk:t:")) != -1) {
		errno = 0;
		if (opt == 'k')
			karg = optarg;
		else if (opt != 't')
			usage(opt == 'h' ? 0 : 2, NULL);
		else if (((type = strtol(optarg, &end, 10)) == 0 &&
		    end == optarg) || *end != '\0' || errno != 0)
			usage(2, optarg);
	}
	if (optind < argc ||
	    first_key("msgq/first/receiver", karg, PROJ_MSGQ, &key) == -1)
		usage(2, NULL);

	qid = msgget(key, IPC_CREAT | 0600);	/* umask does not apply */
	if (qid == -1)
		die("msgget");
	while ((n = msgrcv(qid, &msg, sizeof msg.mtext, type, 0)) > 0)
		if (fwrite(msg.mtext, 1, (size_t)n, stdout) != (size_t)n ||
		    fflush(stdout) == EOF)
			die("write");
	if (n == -1)
		die("msgrcv");
	if (msgctl(qid, IPC_RMID, NULL) == -1)
		die("msgctl IPC_RMID");
	return 0;	/* each message was flushed, and checked */
}
