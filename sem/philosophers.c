/*
 * sem/philosophers - the dining philosophers: why System V semaphores come
 * in sets, and why semop(2) takes an array of operations.
 *
 * PHILOSOPHERS processes (forked here) sit at a round table, a fork between
 * each two; each fork is a semaphore of value 1, all in one set.  By
 * default a philosopher takes both its forks in ONE semop, two sembufs:
 * the kernel applies both or neither, so nobody holds one fork while
 * waiting for the other: no deadlock.  POSIX sem_wait(3) takes just one.
 *
 * -u takes the left fork, then the right, in two semops, with the window
 * between them widened on purpose (left fork in hand, each waits till all
 * are taken): each then waits for a fork its neighbour never puts down, on
 * every run.  The program sees it (GETVAL 0, GETNCNT 1 on every fork),
 * prints the forks, stops all and exits 1.
 *
 * The table belongs to one run: open_set (common/sets.c) creates the set;
 * one already there is refused and left.  SEM_UNDO: a philosopher killed
 * with forks in hand gives them back.  The set is removed at the end, on
 * Ctrl-C and on failure.  See also: shm/counter, sem/wait, semop(2).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "table.h"

enum { MEALS_MAX = 1000000 };	/* -m at most; -p: PHIL_MAX, table.h */

struct table {
	long long n, meals;	/* -p: philosophers, and forks; -m */
	int unsafe, counts[2];	/* -u; a pipe: { who, meals eaten } up */
};

static int semid = -1;		/* the forks, once the set is ours */
static pid_t parent;		/* the run itself, not a philosopher */
static pid_t kids[PHIL_MAX];	/* the philosophers, till reaped (0) */

static void options(int argc, char *argv[], struct table *t);
static noreturn void philosopher(int i, const struct table *t);
static int dinner(const struct table *t);
static void clear_table(void);

int
main(int argc, char *argv[])
{
	unsigned short forks[PHIL_MAX];
	struct table t;
	int created, i, status;
	key_t key;

	options(argc, argv, &t);		/* -k -m -p -q -u: below */
	key = use_key(PROJ_PHIL);		/* -k, $IPC_DEMO_KEY or ftok */
	catch_signals();
	for (i = 0; i < t.n; i++)
		forks[i] = 1;			/* every fork on the table */
	semid = open_set(key, (int)t.n, forks, 0, &created);	/* semget: common/ */
	if (semid != -1 && !created)	/* another dinner's, or left behind */
		refuse("key 0x%08x: set id %d is there already: left as it is",
		    (unsigned int)key, semid);
	if (semid == -1 || !created)
		return exit_status(EXIT_CALL_FAILED);
	parent = getpid();
	if (atexit(clear_table) != 0 || pipe(t.counts) == -1)
		die("pipe");
	ops_fit(semid, t.unsafe ? (int)t.n : 2);	/* SEMOPM: table.c */

	for (i = 0; i < t.n && !stop_signal; i++) {	/* a process each */
		kids[i] = fork();
		if (kids[i] == -1)
			die("fork");
		if (kids[i] == 0)
			philosopher(i, &t);		/* never returns */
	}
	status = dinner(&t);	/* till all have eaten, a deadlock, a signal */
	clear_table();		/* stop them all; semctl IPC_RMID */
	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(status);
}

/* A semop that sleeps till it is done; -1 if told to stop, or set gone. */
static int
sleep_op(struct sembuf *ops, size_t nops)
{
	while (semop(semid, ops, nops) == -1)
		if (errno != EINTR && errno != EIDRM && errno != EINVAL)
			die("semop");
		else if (errno != EINTR || stop_signal)
			return -1;	/* told to stop, or the table cleared */
	return stop_signal ? -1 : 0;	/* done, but told to stop */
}

/*
 * A philosopher (a child): MEALS times, take both forks, eat, put them
 * down.  Fork i is on philosopher i's left and philosopher i-1's right.
 * SEM_UNDO: if we die holding forks, the kernel puts them back.
 */
static noreturn void
philosopher(int i, const struct table *t)
{
	unsigned short left = (unsigned short)i;
	unsigned short right = (unsigned short)((i + 1) % t->n);
	struct sembuf take[2] = {
		{ .sem_num = left, .sem_op = -1, .sem_flg = SEM_UNDO },
		{ .sem_num = right, .sem_op = -1, .sem_flg = SEM_UNDO },
	};
	struct sembuf put[2] = { take[0], take[1] };	/* the same, +1 */
	struct sembuf all_taken[PHIL_MAX] = { { .sem_op = 0 } }; /* wait */
	long long ate[2] = { i, 0 };		/* who, and how many meals */
	int k;

	put[0].sem_op = put[1].sem_op = 1;
	for (k = 0; k < t->n; k++)
		all_taken[k].sem_num = (unsigned short)k;	/* each fork */
	for (; ate[1] < t->meals && !stop_signal; ate[1]++) {
		if (t->unsafe ? sleep_op(&take[0], 1) == -1 ||	/* left, */
		    sleep_op(all_taken, (size_t)t->n) == -1 ||	/* window, */
		    sleep_op(&take[1], 1) == -1			/* right */
		    : sleep_op(take, 2) == -1)		/* both, or neither */
			break;
		if (paced())
			note("philosopher %d eats with forks %d and %d (meal "
			    "%lld)", i, left, right, ate[1] + 1);
		(void)sleep_op(put, 2);		/* never sleeps: +1, +1 */
	}
	if (write(t->counts[1], ate, sizeof ate) != (ssize_t)sizeof ate)
		_exit(EXIT_CALL_FAILED);
	_exit(0);
}

/* -u: every fork taken (GETVAL 0) and waited for (GETNCNT 1)?  Say so. */
static int
deadlocked(const struct table *t)
{
	int i, v, w;

	for (i = 0; i < t->n; i++)
		if ((v = semctl(semid, i, GETVAL)) == -1 ||
		    (w = semctl(semid, i, GETNCNT)) == -1)
			die("semctl GETVAL");
		else if (v != 0 || w != 1)
			return 0;
	for (i = 0; i < t->n; i++)
		printf("fork %d: value 0, 1 waiting; held by philosopher %d, "
		    "wanted by %lld\n", i, i, (i + t->n - 1) % t->n);
	refuse("deadlock: each philosopher holds one fork and waits for the "
	    "next");
	hint("without -u, a philosopher takes both forks in one semop");
	return 1;
}

/* Each one's meals, read as it leaves; each tick, a look for a deadlock. */
static int
dinner(const struct table *t)
{
	long long ate[PHIL_MAX], rec[2], total = 0;
	ssize_t n;
	int i, told = 0;

	for (i = 0; i < t->n; i++)
		ate[i] = -1;	/* not told yet */
	if (close(t->counts[1]) == -1)
		die("close");
	ticking(1);
	while ((n = read(t->counts[0], rec, sizeof rec)) != 0 && !stop_signal)
		if (n == (ssize_t)sizeof rec)
			ate[rec[0] % PHIL_MAX] = rec[1];
		else if (n != -1 || errno != EINTR)
			die("read (the meals eaten)");
		else if (t->unsafe && deadlocked(t))
			break;
	ticking(0);
	if (stop_signal)	/* said, as every program says it */
		note("stopped by signal %d", (int)stop_signal);
	if (n != 0 || stop_signal)	/* a deadlock, or a signal */
		return EXIT_CALL_FAILED;
	for (i = 0; i < t->n; i++)
		if (ate[i] >= 0) {
			printf("philosopher %d ate %lld\n", i, ate[i]);
			total += ate[i];
			told++;
		}
	untold(ate, kids, (int)t->n);	/* who did not, and why: table.c */
	printf("total %lld%s\n", total, told < t->n ? " (of those told)" : "");
	if (total != t->n * t->meals)	/* none eats more than MEALS */
		refuse("not every philosopher ate %lld meals", t->meals);
	return total != t->n * t->meals;
}

/* Remove the set, which stops the philosophers, and reap them; atexit. */
static void
clear_table(void)
{
	int i;

	if (getpid() != parent)
		return;		/* a philosopher that fails only exits */
	/* For all at once: a sleeping semop fails (EIDRM), and the next. */
	if (semid != -1 && semctl(semid, 0, IPC_RMID) == -1)
		complain("semctl IPC_RMID");
	else if (semid != -1)
		note("semctl IPC_RMID: removed set id %d", semid);
	semid = -1;
	for (i = 0; i < PHIL_MAX && kids[i] > 0; kids[i++] = 0)
		while (waitpid(kids[i], NULL, 0) == -1 && errno == EINTR)
			(void)0;	/* interrupted: wait again */
}

/* -m, -p and -u, for parse_options(). */
static int
own_option(int opt, const char *arg, void *ctx)
{
	struct table *t = ctx;

	if (opt == 'm')
		return parse_num("-m", arg, 1, MEALS_MAX, &t->meals);
	if (opt == 'p')
		return parse_num("-p", arg, 2, PHIL_MAX, &t->n);
	t->unsafe = 1;
	return 0;
}

/* The command line: -k -q (common/), -m -p -u, no operands. */
static void
options(int argc, char *argv[], struct table *t)
{
	static const struct row rows[] = {
		KEY_ROW("the key"),
		{ "-m MEALS", "meals each, 1 to 1000000 (default 10)" },
		{ "-p PHILOSOPHERS", "philosophers and forks, 2 to 64 (default "
		    "5)" },
		QUIET_ROW,
		{ "-u", "unsafe: left fork, then right: a deadlock" },
	};
	static const struct program philosophers = { "sem/philosophers", "",
	    "Philosophers share forks, a semaphore set: both forks in one "
	    "semop.", ROWS(rows) };

	t->n = 5, t->meals = 10, t->unsafe = 0;
	no_more_operands(argc, argv, parse_options(&philosophers, argc, argv,
	    own_option, t), NULL);
}
