/*
 * customer.c - sem/wait's steps around its P and V: the line at the door
 * and the stay in the seat.  See customer.h.
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
#include "customer.h"
#include "sem.h"

enum { NS = 1000000000 };	/* nanoseconds in a second */

static long long now(void);

/*
 * sem/wait -t SECONDS: "2", "0.5"; 0 to 86400, at most 9 decimals (a
 * nanosecond).  Strict, as parse_num in common/: no blanks, signs or
 * exponents; the bad text is quoted.  Returns -1 on a bad one (usage).
 */
int
parse_seconds(const char *what, const char *s, long long *ns)
{
	const char *p = s;
	long long sec = 0;
	long nsec = 0, scale = NS;

	if (!isdigit((unsigned char)*p)) {
		fprintf(stderr, "%s: %s: '%s' is not a number\n", prog, what,
		    s);
		return -1;
	}
	for (; isdigit((unsigned char)*p); p++)
		sec = sec > 86400 ? sec : sec * 10 + (*p - '0');
	if (*p == '.' && isdigit((unsigned char)p[1]))
		for (p++; isdigit((unsigned char)*p) && scale > 1; p++)
			nsec += (*p - '0') * (scale /= 10);
	if (*p != '\0') {
		fprintf(stderr, "%s: %s: '%s' is not a number of seconds "
		    "(junk after it, or more than 9 decimals)\n", prog, what,
		    s);
		return -1;
	}
	if (sec > 86400 || (sec == 86400 && nsec > 0)) {
		fprintf(stderr, "%s: %s: '%s' is out of range (0 to 86400)\n",
		    prog, what, s);
		return -1;
	}
	*ns = sec * NS + nsec;
	return 0;
}

/* The monotonic clock, now. */
static long long
now(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_MONOTONIC, &t) == -1)
		die("clock_gettime");
	return (long long)t.tv_sec * NS + t.tv_nsec;
}

/* When a wait of ns nanoseconds that starts now ends. */
long long
deadline_in(long long ns)
{
	return now() + ns;
}

/*
 * semtimedop's limit is relative: after EINTR (Ctrl-Z, fg) the wait starts
 * again, so give it what is left until the deadline, never less than 0.
 * No deadline (-1): NULL, no limit.
 */
struct timespec *
time_left(long long deadline, struct timespec *left)
{
	long long ns;

	if (deadline == -1)
		return NULL;
	ns = deadline - now();
	if (ns < 0)
		ns = 0;
	left->tv_sec = (time_t)(ns / NS);
	left->tv_nsec = (long)(ns % NS);
	return left;
}

/* The narration before P sleeps: none free, and how many are in line. */
void
in_line(int semid)
{
	int n;

	if (quiet)
		return;
	n = sem_query(semid, GETNCNT);
	if (n == 0)
		note("value 0: none free; waiting, first in line...");
	else
		note("value 0: none free; waiting in line behind %d other%s "
		    "(GETNCNT)...", n, plural((unsigned long)n));
}

/* -t ran out: nothing was taken, nothing changed; say so and exit 1. */
noreturn void
give_up(int semid, const char *seconds)
{
	fprintf(stderr, "%s: gave up after %s s; the value is still %d, %d "
	    "waiting\n", prog, seconds, sem_query(semid, GETVAL),
	    sem_query(semid, GETNCNT));
	hint("no unit came free in time (a sem/post or {ctl} set gives "
	    "one); wait longer with a bigger -t");
	exit(EXIT_CALL_FAILED);
}

/*
 * "enter TIME" or "leave TIME" on stdout, flushed, while sem/wait holds its
 * seat: the monotonic clock, in seconds, so that a script can check that
 * no more customers than seats were ever inside.
 */
void
stamp(const char *what)
{
	long long t = now();

	printf("%s %lld.%09lld\n", what, t / NS, t % NS);
	if (fflush(stdout) == EOF)
		die("write (stdout)");
}

/*
 * Hold the seat.  Ctrl-C cuts the stay short; Ctrl-Z and fg do not.
 * nanosleep(2) tells how much of the time was left when it was woken.
 * We look at the set once a second: if it was removed under us (sem/ctl
 * rm, ipcrm), there is no seat to hold, and GETVAL says so.
 */
void
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
				return;
			}
		}
		(void)sem_query(semid, GETVAL);		/* still here? */
	}
}
