/*
 * sem/philosophers - the dining philosophers: why System V semaphores come
 * in sets, and why semop(2) takes an array of operations.
 *
 * PHILOSOPHERS processes (forked here) sit at a round table with a fork
 * between each two, and eat with the two forks beside them.  Each fork is
 * a semaphore of value 1, all in one set.  By default a philosopher takes
 * both forks in ONE semop with two sembufs: the kernel applies both or
 * neither, so nobody holds one fork while waiting for the other, and no
 * deadlock can happen.  POSIX semaphores cannot: sem_wait(3) takes one.
 *
 * -u takes the left fork, then the right, in two semops, and widens the
 * window between them on purpose: each waits, left fork in hand, until
 * every fork is taken; then each waits for a fork its neighbour never
 * puts down, on every run.  The program sees it (GETVAL 0 and GETNCNT 1
 * on every fork), prints the forks, stops everyone and exits 1.
 *
 * The table belongs to one run: open_set (common/) creates the set, and a
 * set already there with the key is refused and left.  Forks are taken
 * with SEM_UNDO: a philosopher killed with forks in hand gives them back.
 * The set is removed at the end, on Ctrl-C, and on failure.
 *
 * Run it: sem/philosophers (each ate 10, total 50), then with -u.  Try
 * this: -m 100000, and ipcs -s -i ID in another terminal while they eat.
 * See also: shm/counter (one mutex), sem/wait, semop(2), sem_overview(7).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"

enum { PHIL_MAX = 64, MEALS_MAX = 1000000 };	/* -p, -m at most */
enum { EAT_US = 200, LOOK_MS = 10 };	/* a meal; a look at the table */

struct table {
	long long n, meals;	/* -p: philosophers, and forks; -m */
	int unsafe;		/* -u: one fork at a time */
	int counts[2];		/* a pipe: { who, meals eaten } to the parent */
};

static int semid = -1;		/* the forks, once the set is ours */
static pid_t parent;		/* the run, which its philosophers watch */
static pid_t kids[PHIL_MAX];	/* the philosophers; 0 once reaped */
static int nkids;		/* how many were forked */

static void options(int argc, char *argv[], struct table *t);
static noreturn void philosopher(int i, const struct table *t);
static int dinner(const struct table *t);
static int report(const struct table *t);
static void clear_table(void);

int
main(int argc, char *argv[])
{
	unsigned short forks[PHIL_MAX];
	struct table t;
	int created, i, status;

	options(argc, argv, &t);		/* -k -m -p -q -u: below */
	catch_signals();
	for (i = 0; i < t.n; i++)
		forks[i] = 1;			/* every fork on the table */
	semid = open_set((int)t.n, forks, &created);	/* common/ */
	if (semid != -1 && !created)
		refuse("key 0x%08x: set id %d is another dinner's, or left "
		    "behind: left as it is", (unsigned int)ipc_key, semid);
	if (semid == -1 || !created)
		return exit_status(EXIT_CALL_FAILED);
	parent = getpid();
	if (atexit(clear_table) != 0 || pipe(t.counts) == -1)
		die("pipe");

	/* One process per philosopher; each takes its forks with semop. */
	for (nkids = 0; nkids < t.n && !stop_signal; nkids++) {
		kids[nkids] = fork();
		if (kids[nkids] == -1)
			die("fork");
		if (kids[nkids] == 0)
			philosopher(nkids, &t);		/* never returns */
	}
	status = dinner(&t);	/* till all are fed, a deadlock or a signal */
	if (status == 0)
		status = report(&t);
	clear_table();		/* stop them all; semctl IPC_RMID */
	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(status);
}

/* A semop that sleeps.  EINTR (a signal, a tick): on, unless told to stop. */
static int
sleep_op(struct sembuf *ops, size_t nops)
{
	while (semop(semid, ops, nops) == -1)
		if (errno != EINTR)
			die("semop (taking forks)");
		else if (stop_signal || getppid() != parent)
			return -1;	/* or the run is gone (kill -9) */
	return 0;
}

/*
 * A philosopher (a child): MEALS times, take both forks, eat, put them
 * down.  Fork i is on philosopher i's left and philosopher i-1's right.
 * SEM_UNDO: if we die holding forks, the kernel puts them back.  -u
 * widens the window between its two semops on purpose: left fork in
 * hand, it waits till every fork is 0 (sem_op 0 on each, in one semop),
 * so that all hold one before any reaches for a second, on every run.
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
	struct sembuf put[2] = {
		{ .sem_num = left, .sem_op = 1, .sem_flg = SEM_UNDO },
		{ .sem_num = right, .sem_op = 1, .sem_flg = SEM_UNDO },
	};
	struct sembuf all_taken[PHIL_MAX];	/* -u: wait till all are 0 */
	struct timespec meal = { 0, EAT_US * 1000L };
	long long ate[2] = { i, 0 };	/* who, and how many meals */
	int k;

	for (k = 0; k < t->n; k++)
		all_taken[k] = (struct sembuf){ .sem_num = (unsigned short)k,
		    .sem_op = 0, .sem_flg = 0 };
	ticking(1);	/* SIGALRM every second: a sleeping semop looks up */
	while (ate[1] < t->meals) {
		if (!t->unsafe && sleep_op(take, 2) == -1)
			break;			/* both forks, or neither */
		if (t->unsafe && (sleep_op(&take[0], 1) == -1 ||
		    sleep_op(all_taken, (size_t)t->n) == -1 ||
		    sleep_op(&take[1], 1) == -1))
			break;			/* one, then the other */
		if (paced())
			note("philosopher %d eats (meal %lld of %lld) with "
			    "forks %d and %d", i, ate[1] + 1, t->meals, left,
			    right);
		(void)nanosleep(&meal, NULL);	/* EINTR: a shorter meal */
		if (semop(semid, put, 2) == -1)
			die("semop (putting the forks down)");
		ate[1]++;
	}
	if (write(t->counts[1], ate, sizeof ate) != (ssize_t)sizeof ate)
		_exit(EXIT_CALL_FAILED);
	_exit(0);
}

/*
 * -u: is every fork taken (GETVAL 0) and waited for (GETNCNT 1)?  Then
 * nobody can ever eat: print each fork on stdout, and the verdict.
 */
static int
deadlocked(const struct table *t)
{
	int i, v[PHIL_MAX], w[PHIL_MAX];

	for (i = 0; i < t->n; i++)
		if ((v[i] = semctl(semid, i, GETVAL)) == -1 ||
		    (w[i] = semctl(semid, i, GETNCNT)) == -1)
			die("semctl GETVAL");
		else if (v[i] != 0 || w[i] != 1)
			return 0;
	for (i = 0; i < t->n; i++)
		printf("fork %d: value %d, %d waiting; held by philosopher %d, "
		    "wanted by %lld\n", i, v[i], w[i], i, (i + t->n - 1) % t->n);
	refuse("deadlock: each philosopher holds one fork and waits for the "
	    "next");
	hint("without -u, a philosopher takes both forks in one semop");
	return 1;
}

/*
 * The parent looks at the table every LOOK_MS and reaps who has left.
 * With -u it sees the deadlock: no fork free, a waiter on every one.
 * Returns 0 when all have left well (fed, unless stopped).
 */
static int
dinner(const struct table *t)
{
	struct timespec look = { 0, LOOK_MS * 1000000L };
	int i, left = nkids, status;
	pid_t pid;

	while (left > 0 && !stop_signal) {
		if (t->unsafe && deadlocked(t))
			return EXIT_CALL_FAILED;
		for (i = 0; i < nkids; i++) {
			pid = kids[i] ? waitpid(kids[i], &status, WNOHANG) : 0;
			if (pid == -1)
				die("waitpid");
			if (pid == 0)
				continue;
			kids[i] = 0, left--;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				refuse("philosopher %d died or failed", i);
				return EXIT_CALL_FAILED;
			}
		}
		(void)nanosleep(&look, NULL);	/* EINTR: look again */
	}
	return stop_signal != 0;
}

/* Each one's meals, read from the pipe, and the total, on stdout. */
static int
report(const struct table *t)
{
	long long ate[PHIL_MAX] = { 0 }, rec[2], total = 0;
	int i, fed = 1;
	ssize_t n;

	if (close(t->counts[1]) == -1)
		die("close");
	while ((n = read(t->counts[0], rec, sizeof rec)) == sizeof rec)
		ate[rec[0] % PHIL_MAX] = rec[1];
	if (n == -1)
		die("read (the meals eaten)");
	for (i = 0; i < t->n; i++) {
		printf("philosopher %d ate %lld\n", i, ate[i]);
		total += ate[i];
		fed = fed && ate[i] == t->meals;
	}
	printf("total %lld\n", total);
	if (!fed)
		refuse("not every philosopher ate %lld meals", t->meals);
	return !fed;
}

/*
 * Stop the philosophers still at the table (SIGTERM: a sleeping semop
 * fails with EINTR), reap them, and remove the set: at the end, and at
 * exit after a failure (atexit).  A philosopher that fails only exits.
 */
static void
clear_table(void)
{
	int i;

	if (getpid() != parent)
		return;
	for (i = 0; i < nkids; i++)
		if (kids[i] != 0 && kill(kids[i], SIGTERM) == 0)
			while (waitpid(kids[i], NULL, 0) == -1 && errno == EINTR)
				continue;
	nkids = 0;
	if (semid != -1 && semctl(semid, 0, IPC_RMID) == -1)
		complain("semctl IPC_RMID");
	else if (semid != -1)
		note("semctl IPC_RMID: removed set id %d", semid);
	semid = -1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: sem/philosophers [-qu] [-k KEY] [-p PHILOSOPHERS] "
	    "[-m MEALS]\n  PHILOSOPHERS processes share forks, the "
	    "semaphores of one set, to eat MEALS times.\n"
	    "  -k KEY           the set's key (default: $IPC_DEMO_KEY, else "
	    "one made by ftok)\n  -m MEALS         meals each, 1 to %d "
	    "(default 10)\n  -p PHILOSOPHERS  philosophers and forks, 2 to "
	    "%d (default 5)\n  -q               quiet: no narration on "
	    "stderr\n  -u               unsafe: one fork, then the other: "
	    "deadlock\n", MEALS_MAX, PHIL_MAX);
	exit(f == stdout ? 0 : EXIT_USAGE);
}

/* The command line: -k -m -p -q -u, then the key. */
static void
options(int argc, char *argv[], struct table *t)
{
	const char *karg = NULL;
	int opt, bad = 0;

	prog = "sem/philosophers";
	t->n = 5, t->meals = 10, t->unsafe = 0;
	while (!bad && (opt = getopt(argc, argv, ":hk:m:p:qu")) != -1) {
		if (opt == 'h')
			usage(stdout);
		else if (opt == 'k')
			karg = optarg;
		else if (opt == 'm')
			bad = parse_num("-m", optarg, 1, MEALS_MAX, &t->meals);
		else if (opt == 'p')
			bad = parse_num("-p", optarg, 2, PHIL_MAX, &t->n);
		else if (opt == 'q')
			quiet = 1;
		else if (opt == 'u')
			t->unsafe = 1;
		else
			bad_option(opt), bad = 1;
	}
	if (!bad && optind < argc)
		bad_operand(NULL, argv[optind]), bad = 1;
	if (bad || choose_key(karg, PROJ_PHIL) == -1)
		usage(stderr);
}
