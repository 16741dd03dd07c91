/*
 * tests/msgfloor.c - make bench's floor for a message queue stream: the
 * least a stream through one queue can cost, to hold msgq/sender -b and
 * msgq/receiver against.  Standard input goes out on standard output
 * through a private queue (IPC_PRIVATE: no key; removed at the end, and
 * by either side that fails, which stops the other), in messages of
 * kernel.msgmax bytes: a parent reads and sends, a child receives and writes.  Nothing
 * else: no narration, no looks at a peer, no checks of the stream - what
 * the kernel's msgsnd and msgrcv cost, and no more.  Not a program for
 * students; usage: tests/msgfloor < in > out.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { MTEXT_MAX = 1 << 20 };	/* more than any kernel.msgmax here */

struct message {
	long mtype;
	char mtext[MTEXT_MAX];
};

static struct message msg;
static int qid = -1;

static void
fail(const char *call)
{
	perror(call);
	if (qid != -1)
		(void)msgctl(qid, IPC_RMID, NULL);
	exit(1);
}

/* The parent: a message for each read of up to room bytes; an empty one
 * ends the stream.  Returns 0, or 1 if the child failed. */
static int
send_all(size_t room)
{
	ssize_t n;
	int status;

	msg.mtype = 1;
	do {
		n = read(STDIN_FILENO, msg.mtext, room);
		if (n == -1)
			fail("read");
		if (msgsnd(qid, &msg, (size_t)n, 0) == -1)
			fail("msgsnd");
	} while (n > 0);
	if (wait(&status) == -1)
		fail("wait");
	return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

/* The child: write each message out, until the empty one. */
static void
receive_all(size_t room)
{
	ssize_t n, done, w;

	while ((n = msgrcv(qid, &msg, room, 0, 0)) > 0)
		for (done = 0; done < n; done += w)
			if ((w = write(STDOUT_FILENO, msg.mtext + done,
			    (size_t)(n - done))) == -1)
				fail("write");
	if (n == -1)
		fail("msgrcv");
	exit(0);
}

int
main(void)
{
	FILE *f = fopen("/proc/sys/kernel/msgmax", "r");
	long room = 8192;
	int status;
	pid_t pid;

	if (f == NULL || fscanf(f, "%ld", &room) != 1 || room < 1 ||
	    room > MTEXT_MAX)
		room = 8192;
	if (f != NULL)
		fclose(f);
	if ((qid = msgget(IPC_PRIVATE, IPC_CREAT | 0600)) == -1)
		fail("msgget");
	if ((pid = fork()) == -1)
		fail("fork");
	if (pid == 0)
		receive_all((size_t)room);
	status = send_all((size_t)room);
	if (msgctl(qid, IPC_RMID, NULL) == -1)
		fail("msgctl IPC_RMID");
	return status;
}
