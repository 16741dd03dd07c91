/*
 * sem.c - the steps sem/wait, sem/post and sem/ctl share: opening the set
 * of one semaphore, and asking semctl(2) about it; and sem/wait's time
 * stamps, narration, stay in the seat and time limit (-t).  sem/ctl's
 * look for its watch is in ctl.c.  See sem.h.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ipcdemo.h"
#include "sem.h"

/*
 * Create the set with the value 0, or join it (open_set() in set.c says
 * how without a race).  Returns the id, or -1 if a signal stopped us while
 * we waited for its creator.
 */
int
open_seat(void)
{
	static const unsigned short zero[SEM_NSEMS] = { 0 };
	int created;

	return open_set(SEM_NSEMS, zero, 0, &created);	/* no mark */
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
 * Hold the seat.  Ctrl-C cuts the stay short; Ctrl-Z and fg do not.
 * nanosleep(2) tells how much of the time was left when it was woken.
 * We look at the set once a second: if it was removed under us (sem/ctl
 * rm, ipcrm), there is no seat to hold, and GETVAL says so.
 */
int
hold_seat(int semid, long seconds)
{
	struct timespec left;
	long s;

	note("holding it for %ld second%s", seconds, plural((unsigned long)
	    seconds));
	for (s = 0; s < seconds; s++) {
		left.tv_sec = 1;
		left.tv_nsec = 0;
		while (nanosleep(&left, &left) == -1) {
			if (errno != EINTR)
				die("nanosleep");
			if (stop_signal) {
				note("interrupted: leaving early");
				return -1;
			}
		}
		(void)sem_query(semid, GETVAL, "GETVAL");  /* still here? */
	}
	return 0;
}

/*
 * sem/wait -t SECONDS: "2", "0.5"; 0 to 86400, at most 9 decimals (a
 * nanosecond).  Strict, as parse_num in common/: no blanks, signs or
 * exponents; the bad text is quoted.  Returns -1 on a bad one (usage).
 */
int
parse_seconds(const char *what, const char *s, struct timespec *out)
{
	const char *p = s;
	long long sec = 0;
	long nsec = 0, scale = 1000000000L;

	if (!isdigit((unsigned char)*p)) {
		fprintf(stderr, "%s: %s: '%s' is not a number\n", prog, what, s);
		return -1;
	}
	for (; isdigit((unsigned char)*p); p++)
		sec = sec > 86400 ? sec : sec * 10 + (*p - '0');
	if (*p == '.' && isdigit((unsigned char)p[1]))
		for (p++; isdigit((unsigned char)*p) && scale > 1; p++)
			nsec += (*p - '0') * (scale /= 10);
	if (*p != '\0') {
		fprintf(stderr, "%s: %s: '%s' is not a number of seconds (junk "
		    "after it, or more than 9 decimals)\n", prog, what, s);
		return -1;
	}
	if (sec > 86400 || (sec == 86400 && nsec > 0)) {
		fprintf(stderr, "%s: %s: '%s' is out of range (0 to 86400)\n",
		    prog, what, s);
		return -1;
	}
	out->tv_sec = (time_t)sec;
	out->tv_nsec = nsec;
	return 0;
}

/* When a wait of `after` that starts now ends, on the monotonic clock. */
struct timespec
deadline_in(const struct timespec *after)
{
	struct timespec t;

	if (clock_gettime(CLOCK_MONOTONIC, &t) == -1)
		die("clock_gettime");
	t.tv_sec += after->tv_sec;
	t.tv_nsec += after->tv_nsec;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/*
 * semtimedop's limit is relative: after EINTR (Ctrl-Z, fg) the wait starts
 * again, so give it what is left until the deadline, never less than 0.
 * No deadline: NULL, no limit.
 */
struct timespec *
time_left(const struct timespec *deadline, struct timespec *left)
{
	struct timespec now;

	if (deadline == NULL)
		return NULL;
	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		die("clock_gettime");
	left->tv_sec = deadline->tv_sec - now.tv_sec;
	left->tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += 1000000000L;
	}
	if (left->tv_sec < 0)
		left->tv_sec = left->tv_nsec = 0;
	return left;
}

/* -t ran out: nothing was taken, nothing changed; say so and exit 1. */
noreturn void
give_up(int semid, const char *seconds)
{
	fprintf(stderr, "%s: gave up after %s s; the value is still %d, %d "
	    "waiting\n", prog, seconds, sem_query(semid, GETVAL, "GETVAL"),
	    sem_query(semid, GETNCNT, "GETNCNT"));
	hint("no unit came free in time (a sem/post or {ctl} set gives "
	    "one); wait longer with a bigger -t");
	exit(EXIT_CALL_FAILED);
}
