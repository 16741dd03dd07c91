/*
 * watch.c - the ctl programs' watch: look at the object every 100 ms and
 * print its state each time it changes (watch).  Polling, because System V
 * has no call that sleeps until an object changes.
 *
 * Man pages: nanosleep(2), clock_gettime(2); ipcs(1) shows the same
 * objects once.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipcdemo.h"

enum { WATCH_POLL_MS = 100 };	/* ctl watch looks this often */

static void watched(const struct timespec *t0, const char *line);

/*
 * ctl watch: look at the object every WATCH_POLL_MS, and print its state
 * on stdout once, then again each time it changes, after the seconds
 * since we began.  look() writes the state into line and returns 1, or
 * returns 0 when no object has our key.  Polling, not waiting: System V
 * has no call that sleeps until an object changes.  Before the object
 * exists we wait for it; once it has gone we say so and end.  A stop
 * signal ends the watch too (exit_status: 130 for Ctrl-C).  Returns what
 * main returns.
 */
int
watch(int (*look)(char *line, size_t size))
{
	struct timespec pause = { 0, WATCH_POLL_MS * 1000000L }, t0;
	char line[512], last[512] = "";
	int seen = 0, waiting = 0, there;

	catch_signals();
	if (clock_gettime(CLOCK_MONOTONIC, &t0) == -1)
		die("clock_gettime");
	note("watching the %s with key 0x%08x every %d ms; Ctrl-C stops",
	    key_noun(), (unsigned int)ipc_key, WATCH_POLL_MS);
	while (!stop_signal) {
		there = look(line, sizeof line);
		if (!there && !seen) {
			if (!waiting++)
				note("no %s has key 0x%08x yet: waiting "
				    "for it", key_noun(),
				    (unsigned int)ipc_key);
		} else {
			if (!there)
				snprintf(line, sizeof line, "removed");
			if (strcmp(line, last) != 0)
				watched(&t0, line);
			snprintf(last, sizeof last, "%s", line);
			if (!there)
				break;
			seen = 1;
		}
		(void)nanosleep(&pause, NULL);	/* EINTR: stop_signal says */
	}
	if (!stop_signal)
		note("the %s is gone: the watch ends", key_noun());
	return exit_status(close_stdout() == -1 ? EXIT_CALL_FAILED : 0);
}

/* One line of a watch: the seconds since t0, the state; out at once. */
static void
watched(const struct timespec *t0, const char *line)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		die("clock_gettime");
	printf("%6.2f s  %s\n", (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9, line);
	if (fflush(stdout) == EOF)
		die("write (stdout)");
}
