/*
 * sem.c - the steps sem/wait, sem/post and sem/ctl share: opening the set
 * of one semaphore, and asking semctl(2) about it; and sem/wait's time
 * stamps and narration.  See sem.h.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipcdemo.h"
#include "sem.h"

enum { SEMS_SHOWN = 64 };	/* sem_state: values shown, at most */

static int still_there(const char *call);

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

/*
 * sem/ctl watch's look at the set (watch() in common/ polls it): the
 * value, how many sleep in P (GETNCNT) and how many wait for zero
 * (GETZCNT).  A set of another size is shown whole: its size, every value
 * (up to 64), the waiters on all.  Returns 0 when no set has our key (not
 * yet, or no more), or it went while we looked.
 */
int
sem_state(char *line, size_t size)
{
	unsigned short vals[SEMS_SHOWN];
	unsigned long i, n, ncnt = 0, zcnt = 0;
	char text[SEMS_SHOWN * 6 + 1] = "";
	struct semid_ds ds;
	union semun arg;
	int v, id = semget(ipc_key, 0, 0);	/* 0: open, never create */

	if (id == -1 && errno == ENOENT)
		return 0;
	if (id == -1)
		die("semget");
	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == -1)
		return still_there("semctl IPC_STAT");
	n = (unsigned long)ds.sem_nsems;
	for (i = 0; i < n; i++) {
		if ((v = semctl(id, (int)i, GETNCNT)) == -1)
			return still_there("semctl GETNCNT");
		ncnt += (unsigned long)v;
		if ((v = semctl(id, (int)i, GETZCNT)) == -1)
			return still_there("semctl GETZCNT");
		zcnt += (unsigned long)v;
	}
	arg.array = vals;
	if (n <= SEMS_SHOWN && semctl(id, 0, GETALL, arg) == -1)
		return still_there("semctl GETALL");
	for (i = 0; i < n && i < SEMS_SHOWN; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text),
		    " %u", vals[i]);
	if (n == SEM_NSEMS)
		snprintf(line, size, "value%s, %lu waiting, %lu waiting for "
		    "zero", text, ncnt, zcnt);
	else
		snprintf(line, size, "a set of %lu: values%s, %lu waiting, "
		    "%lu waiting for zero", n, n <= SEMS_SHOWN ? text : " ...",
		    ncnt, zcnt);
	return 1;
}

/* A semctl that failed in the middle of a look: gone (0), or die. */
static int
still_there(const char *call)
{
	if (errno == EINVAL || errno == EIDRM)
		return 0;	/* removed since semget */
	die(call);
}
