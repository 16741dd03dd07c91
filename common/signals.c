/*
 * signals.c - being stopped, and being woken: Ctrl-C, SIGTERM, SIGHUP and
 * SIGQUIT set a flag (stop_signal) so that the program tears down what it
 * owns and then dies of the signal (catch_signals, exit_status); SIGALRM
 * each second wakes a blocked call to look around (ticking); SIGPIPE and
 * SIGXFSZ are ignored, so that a closed pipe or a full file is an error
 * we report (ignore_output_signals).
 *
 * Man pages: sigaction(2), signal(7), setitimer(2), alarm(2), raise(3).
 */
#include <sys/time.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo.h"

volatile sig_atomic_t stop_signal;

/*
 * The handler only records the signal; the program tears down what it
 * owns and dies of it (exit_status).  Without SA_RESTART a blocked call
 * returns EINTR.  A signal just before a call blocks would be missed, so
 * the handler also sets an alarm: SIGALRM each second wakes that call.
 */
static void
on_signal(int sig)
{
	if (sig != SIGALRM && stop_signal == 0)
		stop_signal = sig;
	if (stop_signal != 0)
		alarm(1);
}

/*
 * Catch SIGINT, SIGTERM, SIGHUP and SIGQUIT (Ctrl-\), so that our objects
 * are cleaned up however we are stopped (only kill -9 cannot be caught) -
 * but leave SIGINT and SIGHUP ignored if they were (nohup; a background
 * job), as the classic idiom has it.  SIGALRM wakes blocked calls
 * (on_signal, ticking).  SIGPIPE and SIGXFSZ are ignored from the start
 * (ignore_output_signals).
 */
void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
		SIGALRM };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: blocked calls return EINTR */
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		if (sigaction(sigs[i], NULL, &old) == -1)
			die("sigaction");
		if ((sigs[i] == SIGINT || sigs[i] == SIGHUP) &&
		    old.sa_handler == SIG_IGN)
			continue;
		if (sigaction(sigs[i], &sa, NULL) == -1)
			die("sigaction");
	}
}

/*
 * A write to a closed pipe fails with EPIPE, and a write past the file
 * size limit (ulimit -f) with EFBIG, reported like any error (write_part,
 * close_stdout) - instead of killing us without a word, by SIGPIPE or
 * SIGXFSZ, between taking data and writing it out: data lost unsaid, a
 * seat kept.  parse_options() calls this first, so it holds for -h and
 * ctl key too.
 */
void
ignore_output_signals(void)
{
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    signal(SIGXFSZ, SIG_IGN) == SIG_ERR)
		die("signal");
}

/*
 * While on, SIGALRM every second: a call blocked in the kernel returns
 * EINTR, so that the program can look around (has its peer died?  has the
 * queue's limit changed?) and then wait again.  An interval timer, not
 * alarm(): a tick that came just before the call blocked is followed by
 * another, so no wait goes unwatched.
 */
void
ticking(int on)
{
	struct itimerval it;

	if (stop_signal)
		return;		/* on_signal's alarm() is in charge now */
	it.it_interval.tv_sec = it.it_value.tv_sec = on ? 1 : 0;
	it.it_interval.tv_usec = it.it_value.tv_usec = 0;
	if (setitimer(ITIMER_REAL, &it, NULL) == -1)
		die("setitimer");
}

/*
 * What main returns.  After a stop signal, all tidied up, die of that same
 * signal: the shell sees 128 + signo and knows we were interrupted, so a
 * script that ran us stops too.
 */
int
exit_status(int status)
{
	int sig = stop_signal;

	if (sig == 0)
		return status;
	fflush(NULL);
	alarm(0);
	signal(sig, SIG_DFL);
	raise(sig);
	return 128 + sig;	/* not reached */
}
