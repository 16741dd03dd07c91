/*
 * shm/counter - several processes add 1 to one counter in shared memory,
 * with a semaphore as a mutex (the default) or without one (-u), to show
 * why shared memory needs synchronisation.
 *
 * "count = count + 1" is three steps: load the value, add 1, store it.
 * Two processes that both load 41 both store 42, and one addition is lost.
 * Around the three steps the counter takes a mutex - a semaphore of value
 * 1: P before, V after, with SEM_UNDO so that a process killed inside gives
 * it back - and then no step of one process falls between the steps of
 * another.  (The steps are written as C11 atomic loads and stores, relaxed:
 * each step is well defined, but the three together are not atomic, which
 * is exactly the lesson.)  So that the race shows on every run, the window
 * between load and store is widened on purpose, with busy work and now and
 * then a nap (as TLPI's svsem_bad_init does), in both modes.
 *
 * The counter lives in the segment, not in any process: PROCS children
 * (forked here) share it, and so do counters run in other terminals with
 * the same key.  The first run creates the segment and the set (a MUTEX at
 * 1; a GATE that holds the children until all are forked and through it,
 * so that they really run at the same time: team.c; RUNNERS counting the
 * runs and their children, with SEM_UNDO; the counter's mark: team.h);
 * the last one to finish removes them.  The mutex also guards the making
 * of the segment: whoever creates it writes its header while holding it.
 *
 * Run it:  shm/counter -p 4 -n 100000         expected 400000, got 400000
 *          shm/counter -u                     got less: updates were lost
 * or in two terminals at once, each with -p 1 -n 100000, and compare.  The
 * lock is not free: two semop calls per addition make the locked run
 * slower.  Ctrl-C stops every child; the report then says how many of the
 * planned additions were made, and "lost" still counts only lost updates.
 *
 * See also: shm/writer, sem/wait (the mutex alone), shmget(2), semop(2).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/types.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "ring.h"
#include "team.h"

enum { WINDOW = 200, NAP_EVERY = 1000 };  /* busy steps; a nap every */

/* Processes share the counter through memory: it must be lock-free. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "need lock-free atomics");

static int semid = -1, shmid = -1;	/* the set; the segment, once ours */
static struct counter *c;		/* the segment, attached */
static pid_t parent;			/* the run itself; 0 once finished */

static void options(int argc, char *argv[], struct run *run);
static int lock(void);
static void unlock(void);
static long long add(const struct run *run);
static void abandon(void);

int
main(int argc, char *argv[])
{
	struct run run = { .procs = 2, .times = 100000, .unlocked = 0 };
	long long made;
	int failed = 0, made_set;
	key_t key;

	options(argc, argv, &run);		/* -k -n -p -q -u: below */
	key = use_key(PROJ_COUNTER);		/* -k, $IPC_DEMO_KEY or ftok */
	catch_signals();
	semid = open_counter_set(key, &made_set);	/* semget, RUNNERS+1: team.c */
	if (semid == -1)
		return exit_status(EXIT_CALL_FAILED);
	parent = getpid();
	if (atexit(abandon) != 0)
		die("atexit");

	/* Under the mutex: make or check the segment, book what we plan. */
	ticking(1);			/* each second: who holds the mutex? */
	if (lock() == 0) {
		c = counter_attach(key, &shmid);  /* shmget, shmat: kinds.c */
		atomic_fetch_add(&c->expected, run.procs * run.times);
		unlock();
		made = team_run(semid, key, c, &run, add, &failed);
		failed |= team_report(c, &run, made, failed);	/* team.c */
	}

	/* The last run out removes the segment and the set. */
	parent = 0;
	if (c != NULL && shmdt(c) == -1)
		die("shmdt");
	if (last_out(semid, RUNNERS, RUNNERS, shmid))
		note("the last run out: removed the segment and the set");
	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(failed ? EXIT_CALL_FAILED : 0);
}

/* P and V on the mutex, SEM_UNDO: a process killed inside frees it.  A
 * signal stops the wait (a Ctrl-Z'd run may hold it): lock() gives -1.
 * The run's tick (main) wakes a long wait each second, to say who holds
 * the mutex (mutex_held, team.c); children have no tick. */
static int
lock(void)
{
	struct sembuf p = { .sem_num = MUTEX, .sem_op = -1,
		.sem_flg = SEM_UNDO };
	long ticks = 0;		/* seconds waited, give or take one */

	while (semop(semid, &p, 1) == -1) {
		if (errno != EINTR)
			die("semop P (mutex)");
		if (stop_signal)
			return -1;
		mutex_held(semid, ticks++);
	}
	return 0;
}

static void
unlock(void)
{
	struct sembuf v = { .sem_num = MUTEX, .sem_op = 1,
		.sem_flg = SEM_UNDO };

	if (semop(semid, &v, 1) == -1)
		die("semop V (mutex)");
}

/*
 * One child's work: load, add 1, store - TIMES times, until a signal, or
 * until the run that forked us is gone (kill -9).  Between load and store,
 * the window where another process can load the same value, held open.
 */
static long long
add(const struct run *run)
{
	struct timespec nap = { 0, 1000 };
	long long i, v;
	volatile int k;

	for (i = 0; i < run->times && !stop_signal; i++) {
		if ((i & 1023) == 0 && getppid() != parent)
			break;
		if (!run->unlocked && lock() == -1)
			break;
		v = atomic_load_explicit(&c->count, memory_order_relaxed);
		k = 0;
		while (k < WINDOW)
			k++;
		if (i % NAP_EVERY == NAP_EVERY - 1)
			(void)nanosleep(&nap, NULL);
		atomic_store_explicit(&c->count, v + 1, memory_order_relaxed);
		if (!run->unlocked)
			unlock();
	}
	return i;
}

/*
 * At exit after a failed call (die) in the run itself: leave, and the last
 * run out removes, as at the normal end.  A child that fails only exits:
 * the run that forked it tidies up.
 */
static void
abandon(void)
{
	if (getpid() != parent)
		return;
	if (c != NULL)
		(void)shmdt(c);
	(void)last_out(semid, RUNNERS, RUNNERS, shmid);
}

/* -n -p -u, for parse_options(). */
static int
own_option(int opt, const char *arg, void *ctx)
{
	struct run *run = ctx;

	if (opt == 'n')
		return parse_num("-n", arg, 1, 100000000, &run->times);
	if (opt == 'p')
		return parse_num("-p", arg, 1, PROCS_MAX, &run->procs);
	run->unlocked = 1;
	return 0;
}

/* The command line: -k -n -p -q -u (common/), no operands. */
static void
options(int argc, char *argv[], struct run *run)
{
	static const struct row rows[] = {
		KEY_ROW("the key"),
		{ "-n TIMES", "additions per process, 1 to 100000000 (default "
		    "100000)" },
		{ "-p PROCS", "processes, 1 to 64 (default 2)" },
		QUIET_ROW,
		{ "-u", "unlocked: no mutex, and see updates lost" },
	};
	static const struct program counter = { "shm/counter", "",
	    "PROCS processes add 1 to a counter in shared memory TIMES times "
	    "each.", ROWS(rows) };

	no_more_operands(argc, argv, parse_options(&counter, argc, argv,
	    own_option, run), NULL);
}
