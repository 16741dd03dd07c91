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
 * is exactly the lesson.)
 *
 * The counter lives in the segment, not in any process: PROCS children
 * (forked here) share it, and so do counters run in other terminals with
 * the same key.  The first run creates the segment and the set (a MUTEX at
 * 1; a GATE that holds the children until all are forked, so that they
 * really run at the same time; RUNNERS counting the runs, with SEM_UNDO);
 * the last one to finish removes them.
 *
 * Run it:  shm/counter -p 4 -n 100000         expected 400000, got 400000
 *          shm/counter -u -n 5000000          got less: updates were lost
 * (the unlocked processes must really run at the same moment: on a small
 * or busy machine it takes a few million additions), or in two terminals
 * at once, each with -p 1 -n 100000, and compare.  The lock is not free:
 * two semop calls per addition make the locked run far slower.
 *
 * See also: shm/writer, sem/wait (the mutex alone), shmget(2), semop(2).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "ring.h"

enum { MUTEX, GATE, RUNNERS, COUNTER_NSEMS };	/* the semaphores */

struct counter {
	atomic_llong count;	/* the shared counter */
	atomic_llong expected;	/* what all runs so far have added */
};

/* Processes share the counter through memory: it must be lock-free. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "need lock-free atomics");

static int semid = -1, shmid = -1;	/* the set and the segment */
static struct counter *c;		/* the segment, attached */
static int unlocked;			/* -u: no mutex */
static pid_t parent;			/* the run itself, not a child */
static int finished;			/* the run ended normally */

static void attach(void);
static void lock(void);
static void unlock(void);
static void add(long long times);
static int run(long long procs, long long times);
static void report(void);
static void abandon(void);

static void
usage(FILE *f)
{
	fprintf(f, "usage: shm/counter [-qu] [-k KEY] [-p PROCS] [-n TIMES]\n"
	    "  PROCS processes add 1 to a counter in shared memory TIMES "
	    "times each.\n"
	    "  -k KEY    the key (default: $IPC_DEMO_KEY, else one made by "
	    "ftok)\n"
	    "  -n TIMES  additions per process, 1 to 100000000 (default "
	    "100000)\n"
	    "  -p PROCS  processes, 1 to 64 (default 2)\n"
	    "  -q        quiet: no narration on stderr\n"
	    "  -u        unlocked: no mutex, and see updates lost\n");
	exit(f == stdout ? 0 : EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	unsigned short init[COUNTER_NSEMS] = { 1, 0, 0 };
	const char *karg = NULL;
	long long procs = 2, times = 100000;
	int created, opt, status;

	prog = "shm/counter";
	while ((opt = getopt(argc, argv, ":hk:n:p:qu")) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			break;
		case 'k':
			karg = optarg;
			break;
		case 'n':
			if (parse_num("-n", optarg, 1, 100000000, &times) == -1)
				usage(stderr);
			break;
		case 'p':
			if (parse_num("-p", optarg, 1, 64, &procs) == -1)
				usage(stderr);
			break;
		case 'q':
			quiet = 1;
			break;
		case 'u':
			unlocked = 1;
			break;
		default:
			bad_option(opt);
			usage(stderr);
		}
	}
	if (optind < argc) {
		bad_operand(NULL, argv[optind]);
		usage(stderr);
	}
	if (choose_key(karg, PROJ_COUNTER) == -1)
		usage(stderr);

	/* The set (MUTEX 1, GATE 0, RUNNERS 0), our presence, the segment. */
	catch_signals();
	semid = ring_open_set(COUNTER_NSEMS, init, &created);
	if (semid == -1)
		return exit_status(EXIT_CALL_FAILED);
	ring_join(semid, RUNNERS);
	parent = getpid();
	if (atexit(abandon) != 0)
		die("atexit");
	attach();

	/* Book what we will add, let the children add it, then report. */
	lock();
	atomic_fetch_add(&c->expected, procs * times);
	unlock();
	status = run(procs, times);
	report();

	/* The last run out removes the segment and the set. */
	finished = 1;
	if (shmdt(c) == -1)
		die("shmdt");
	ring_leave(semid, RUNNERS);
	if (semctl(semid, RUNNERS, GETVAL) == 0) {
		/* Two runs ending at once may both get here: EINVAL is fine. */
		if (shmctl(shmid, IPC_RMID, NULL) == -1 && errno != EINVAL &&
		    errno != EIDRM)
			complain("shmctl IPC_RMID");
		if (semctl(semid, 0, IPC_RMID) == -1 && errno != EINVAL &&
		    errno != EIDRM)
			complain("semctl IPC_RMID");
		note("the last run out: removed the segment and the set");
	}
	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(status);
}

/*
 * Create the segment or join it.  A new segment is filled with zeros by
 * the kernel, so the counter starts at 0 with no initialisation race.
 */
static void
attach(void)
{
	struct shmid_ds ds;
	int id;

	/* Ours to remove (shmid) only once we know it is a counter of ours. */
	id = shmget(ipc_key, sizeof *c, IPC_CREAT | 0600);
	if (id == -1)
		die("shmget");
	if (shmctl(id, IPC_STAT, &ds) == -1)
		die("shmctl IPC_STAT");
	refuse_if_not_ours("segment", id, &ds.shm_perm);
	if (ds.shm_segsz != sizeof *c)
		die_hint("shmget", "the segment with key 0x%08x has %zu "
		    "bytes, not %zu: not a counter; pick another key with -k",
		    (unsigned int)ipc_key, (size_t)ds.shm_segsz, sizeof *c);
	shmid = id;
	c = shmat(shmid, NULL, 0);
	if (c == (void *)-1)
		die("shmat");
	note("shmat: segment id %d at %p, nattch %lu; the count is %lld",
	    shmid, (void *)c, (unsigned long)ds.shm_nattch + 1,
	    atomic_load(&c->count));
}

/* P and V on the mutex, with SEM_UNDO: a process killed inside frees it. */
static void
lock(void)
{
	struct sembuf op = { MUTEX, -1, SEM_UNDO };

	while (semop(semid, &op, 1) == -1)
		if (errno != EINTR)
			die("semop P");
}

static void
unlock(void)
{
	struct sembuf op = { MUTEX, 1, SEM_UNDO };

	if (semop(semid, &op, 1) == -1)
		die("semop V");
}

/* One process's work: load, add 1, store - TIMES times. */
static void
add(long long times)
{
	long long i, v;

	for (i = 0; i < times && !stop_signal; i++) {
		if (!unlocked)
			lock();
		v = atomic_load_explicit(&c->count, memory_order_relaxed);
		atomic_store_explicit(&c->count, v + 1, memory_order_relaxed);
		if (!unlocked)
			unlock();
	}
}

/* Fork PROCS children that add at once, and wait for every one. */
static int
run(long long procs, long long times)
{
	struct sembuf in = { GATE, -1, 0 }, open_gate = { GATE, 0, 0 };
	long long i;
	int status, failed = 0;
	pid_t pid;

	note("%lld process%s add%s 1, %lld time%s each, %s", procs,
	    procs == 1 ? "" : "es", procs == 1 ? "s" : "", times,
	    plural((unsigned long long)times),
	    unlocked ? "WITHOUT a lock (-u)" : "under the mutex");
	for (i = 0; i < procs; i++) {
		pid = fork();
		if (pid == -1)
			die("fork");
		if (pid == 0) {
			semop(semid, &in, 1);	/* wait at the gate */
			add(times);
			_exit(0);
		}
	}
	open_gate.sem_op = (short)procs;	/* all forked: let them go */
	if (semop(semid, &open_gate, 1) == -1)
		die("semop V (gate)");
	while ((pid = wait(&status)) != -1 || errno == EINTR)
		if (pid != -1 && !(WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0))
			failed = 1;
	return failed ? EXIT_CALL_FAILED : 0;
}

/*
 * Expected, got, lost: on stdout, for every run so far with this key.
 * While another run is still adding, the difference is "pending", not lost.
 */
static void
report(void)
{
	long long expected, got;
	int others;

	lock();
	expected = atomic_load(&c->expected);
	got = atomic_load(&c->count);
	unlock();
	others = semctl(semid, RUNNERS, GETVAL) > 1;
	printf("expected %lld\ngot %lld\n%s %lld\n", expected, got,
	    others ? "pending" : "lost", expected - got);
	if (fflush(stdout) == EOF)
		die("write (stdout)");
	if (others)
		note("another run with this key is still adding (pending): "
		    "its report will have the final count");
	else if (unlocked && got == expected)
		note("no update lost this time: the processes hardly ran at "
		    "the same moment; try a larger -n (say 5000000)");
	else if (unlocked)
		note("%lld update%s lost: two processes loaded the same "
		    "value and both stored value + 1", expected - got,
		    plural((unsigned long long)(expected - got)));
}

/*
 * At exit after a failed call (die) in the run itself: leave, and if no
 * other run is there, remove the set and any segment, as the normal end
 * does.  A child that fails only exits: the run that forked it tidies up.
 */
static void
abandon(void)
{
	if (finished || getpid() != parent)
		return;
	ring_leave(semid, RUNNERS);
	if (semctl(semid, RUNNERS, GETVAL) > 0)
		return;		/* another run is there; else alone, or no set */
	if (shmid != -1)
		(void)shmctl(shmid, IPC_RMID, NULL);
	(void)semctl(semid, 0, IPC_RMID);
}
