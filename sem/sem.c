/*
 * sem.c - the steps sem/wait, sem/post and sem/ctl share: opening the set
 * of one semaphore, and asking semctl(2) about it; and sem/wait's time
 * stamps and narration.  See sem.h.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <stdio.h>
#include <time.h>

#include "ipcdemo.h"
#include "sem.h"

/*
 * Create the set with the value 0, or join it (open_set() in common/ says
 * how without a race).  Returns the id, or -1 if a signal stopped us while
 * we waited for its creator.
 */
int
open_seat(void)
{
	static const unsigned short zero[SEM_NSEMS] = { 0 };
	int created;

	return open_set(SEM_NSEMS, zero, &created);
}

/*
 * One semctl(2) query about semaphore 0: GETVAL (the free units), GETNCNT
 * (how many sleep in P), GETZCNT or GETPID.  Dies with "semctl NAME".
 */
int
sem_query(int semid, int cmd, const char *name)
{
	char call[32];
	int n = semctl(semid, 0, cmd);

	if (n == -1) {
		snprintf(call, sizeof call, "semctl %s", name);
		die(call);
	}
	return n;
}

/*
 * "enter TIME" or "leave TIME" on stdout, flushed, while sem/wait holds its
 * seat: a monotonic clock, so that a script can check that no more
 * customers than seats were ever inside.
 */
void
stamp(const char *what)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		die("clock_gettime");
	printf("%s %lld.%09ld\n", what, (long long)now.tv_sec, now.tv_nsec);
	if (fflush(stdout) == EOF)
		die("write (stdout)");
}

/* sem/wait's narration: none free, and how many are in line (GETNCNT). */
void
in_line(int semid)
{
	int n;

	if (quiet)
		return;
	n = sem_query(semid, GETNCNT, "GETNCNT");
	if (n == 0)
		note("value 0: none free; waiting, first in line...");
	else
		note("value 0: none free; waiting in line behind %d other%s "
		    "(GETNCNT)...", n, plural((unsigned long)n));
}
