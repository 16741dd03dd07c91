/*
 * sem/wait - P on a System V semaphore: take one unit, waiting while there
 * is none.  Its partner is sem/post (V).
 *
 * A semaphore is a counter in the kernel that guards a pool of resources:
 * think of the free seats in a restaurant.  P (semop with sem_op = -1)
 * takes a seat: the kernel lets the process in only while the value is at
 * least 1, and subtracts 1 in the same atomic step; at 0 the process sleeps
 * in the kernel, in line at the door, until a V gives a seat back.  A
 * semaphore with one seat is a mutex: one process at a time.
 *
 * Two ways to use it:
 *   sem/wait            plain P: take a seat and keep it, even after exit.
 *                       Another program (sem/post) gives it back.  This is
 *                       P and V in two terminals: a signal between them.
 *   sem/wait -s SECS    a critical section: P, hold the seat SECS seconds,
 *                       V.  Here P and V use SEM_UNDO: the kernel records
 *                       what we took and gives it back if we die in our
 *                       seat - even by kill -9, which no handler can see.
 *                       -U turns SEM_UNDO off, and a killed customer's
 *                       seat is lost for good.  Plain P cannot use
 *                       SEM_UNDO: the seat would come back when we exit.
 * With -t SECONDS (decimals allowed: 0.5), P gives up when no unit came in
 * that time: semtimedop(2), semop with a time limit, fails with EAGAIN,
 * and nothing in the set has changed; sem/wait says so and exits 1.
 *
 * With -s, standard output gets a line "enter TIME" and "leave TIME" (a
 * monotonic clock, in seconds) while the seat is held, so that a script can
 * check that no more customers than seats were ever inside.
 *
 * The first of sem/wait and sem/post creates the set with the value 0 (see
 * sem/sem.h for how it avoids a race); only sem/ctl rm removes it.
 *
 * Run it in two terminals:
 *	terminal 1:  sem/wait           blocks: the value is 0
 *	terminal 2:  sem/post           V: terminal 1 gets in and exits
 * The restaurant, in four: sem/post 2, then sem/wait -s 10 in three
 * terminals; the third waits at the door until one of the others leaves.
 * Watch with sem/ctl stat (value, and how many wait) or ipcs -s.
 *
 * Try this: seat a customer (sem/wait -s 60), kill -9 it from another
 * terminal, and sem/ctl stat shows the seat back.  Again with -U: it is not.
 *
 * See also: sem/post, sem/ctl, semget(2), semop(2), semctl(2).
 */
#define _GNU_SOURCE		/* semtimedop(2), in glibc and musl alike */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ipcdemo.h"
#include "customer.h"
#include "sem.h"

static int semid = -1;		/* the set, once open */
static int seated;		/* -s: a seat is ours, to give back */
static struct {			/* the options */
	int nowait;		/* -n: no unit free is an error */
	short undo;		/* -U: 0, the seat leaks if we are killed */
	const char *patience;	/* -t SECONDS as typed; NULL: no limit */
	long long limit;	/* -t SECONDS, in nanoseconds */
} opts = { .undo = SEM_UNDO };

static long long options(int argc, char *argv[]);
static int p(short flags);
static void v(short flags);
static void give_back(void);

int
main(int argc, char *argv[])
{
	long long seconds = options(argc, argv);	/* -s, or -1: below */
	key_t key = use_key(PROJ_SEM);	/* -k, $IPC_DEMO_KEY or ftok */

	catch_signals();
	semid = open_seat(key);	/* semget: sem/sem.c */
	if (atexit(give_back) != 0)
		die("atexit");

	/* Plain P keeps the unit; a critical section gives it back. */
	if (semid != -1 && seconds < 0)
		p(0);
	if (semid != -1 && seconds >= 0 && p(opts.undo) == 0) {
		seated = 1;
		stamp("enter");		/* stdout, for scripts: customer.c */
		hold_seat(semid, (long)seconds);	/* customer.c */
		stamp("leave");
		v(opts.undo);
	}

	if (stop_signal)		/* Ctrl-C: said, as elsewhere */
		note("stopped by signal %d", (int)stop_signal);
	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(0);
}

/*
 * P: semop(2) with sem_op = -1.  The kernel checks the value and subtracts
 * in one step, so two processes can never both take the last unit.
 * Returns 0 once in, -1 if a signal stopped us while we waited.
 */
static int
p(short flags)
{
	struct sembuf take = { .sem_num = 0, .sem_op = -1,
		.sem_flg = flags | IPC_NOWAIT };
	long long deadline = -1;		/* -1: no limit */
	struct timespec left;

	if (opts.patience != NULL)	/* -t: the clock starts now */
		deadline = deadline_in(opts.limit);	/* customer.c */

	/*
	 * Two calls.  The first may not wait (IPC_NOWAIT): with no unit free
	 * it fails at once with EAGAIN, so that we can say we wait, and
	 * behind how many, before we sleep.  The second is the P that waits.
	 */
	if (semop(semid, &take, 1) == -1) {
		if (errno != EAGAIN)
			die("semop P");
		if (opts.nowait)
			die_hint("semop P", "no unit is free (value 0, %d "
			    "waiting); drop -n to wait in line",
			    sem_query(semid, GETNCNT));
		in_line(semid);		/* narration: customer.c */
		take.sem_flg = flags;
		/*
		 * semtimedop(2) is semop with a time limit (NULL: none), which
		 * fails with EAGAIN when it runs out: the P did not happen.
		 */
		while (semtimedop(semid, &take, 1,
		    time_left(deadline, &left)) == -1) {
			if (errno == EAGAIN && deadline != -1)
				give_up(semid, opts.patience); /* exit 1 */
			if (errno != EINTR)
				die(deadline == -1 ? "semop P" :
				    "semtimedop P");
			if (stop_signal)
				return -1;
			/* Ctrl-Z, then fg: wait on. */
		}
	}
	note("semop P (-1%s): in; the value is now %d",
	    flags & SEM_UNDO ? ", SEM_UNDO" : "", sem_query(semid, GETVAL));
	return 0;
}

/*
 * V: semop(2) with sem_op = +1 gives the unit back and wakes the first
 * process waiting in P.  With SEM_UNDO it also cancels the undo record
 * that P made, so nothing is given back twice at exit.
 */
static void
v(short flags)
{
	struct sembuf give = { .sem_num = 0, .sem_op = +1, .sem_flg = flags };

	seated = 0;
	if (semop(semid, &give, 1) == -1)
		die("semop V");
	note("semop V (+1%s): out; the value is now %d, %d waiting",
	    flags & SEM_UNDO ? ", SEM_UNDO" : "", sem_query(semid, GETVAL),
	    sem_query(semid, GETNCNT));
}

/*
 * However we leave the critical section - a failed write of "enter" to a
 * closed pipe, a set removed under us - the seat we took is given back
 * (exit(3) runs this).  SEM_UNDO would do it too, but not under -U, and a
 * seat must be lost only by a death no program can see: kill -9.
 */
static void
give_back(void)
{
	struct sembuf give = { .sem_num = 0, .sem_op = +1,
		.sem_flg = opts.undo };

	if (!seated)
		return;
	seated = 0;
	if (semop(semid, &give, 1) == -1) {
		if (errno != EIDRM && errno != EINVAL)
			complain("semop V (giving the seat back)");
		return;
	}
	note("semop V (+1%s): gave the seat back on the way out",
	    opts.undo ? ", SEM_UNDO" : "");
}

/* -n -s -t -U, for parse_options(). */
static int
own_option(int opt, const char *arg, void *ctx)
{
	if (opt == 'n')
		opts.nowait = 1;
	else if (opt == 'U')
		opts.undo = 0;
	else if (opt == 't')		/* parse_seconds: customer.c */
		return parse_seconds("-t", opts.patience = arg, &opts.limit);
	else
		return parse_num("-s", arg, 0, 86400, ctx);
	return 0;
}

/* The command line: -k -n -q -s -t -U (common/), no operands. */
static long long
options(int argc, char *argv[])
{
	static const struct row rows[] = {
		KEY_ROW("the set's key"),
		{ "-n", "do not wait: no unit free is an error (exit 1)" },
		QUIET_ROW,
		{ "-s SECONDS", "a critical section: take, hold SECONDS, give "
		    "back (SEM_UNDO)" },
		{ "-t SECONDS", "give up after SECONDS (0.5: decimals "
		    "allowed), exit 1" },
		{ "-U", "with -s: no SEM_UNDO, so a killed holder keeps its "
		    "unit" },
	};
	static const struct program wait = { "sem/wait", "",
	    "P: take one unit of the semaphore, waiting while its value is 0.",
	    ROWS(rows) };
	long long seconds = -1;

	no_more_operands(argc, argv, parse_options(&wait, argc, argv,
	    own_option, &seconds), NULL);
	if (opts.undo == 0 && seconds < 0) {
		fprintf(stderr, "%s: -U goes with -s\n", prog);
		show_usage(stderr);
	}
	if (opts.nowait && opts.patience != NULL) {
		fprintf(stderr, "%s: -n does not wait, -t waits a while: pick "
		    "one\n", prog);
		show_usage(stderr);
	}
	return seconds;
}
