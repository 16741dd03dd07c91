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
 * is exactly the lesson.)  To make the race show on every run, even on a
 * small machine, the window between load and store is widened on purpose
 * with a little busy work (WINDOW), in both modes: only the mutex differs.
 *
 * The counter lives in the segment, not in any process: PROCS children
 * (forked here) share it, and so do counters run in other terminals with
 * the same key.  The first run creates the segment and the set (a MUTEX at
 * 1; a GATE that holds the children until all are forked, so that they
 * really run at the same time; RUNNERS counting the runs, with SEM_UNDO);
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
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "ring.h"

enum { MUTEX, GATE, RUNNERS, COUNTER_NSEMS };	/* the semaphores */
enum { PROCS_MAX = 64, WINDOW = 200 };	/* WINDOW: busy steps, load->store */

/* Processes share the counter through memory: it must be lock-free. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "need lock-free atomics");

struct run {
	long long procs, times;	/* -p, -n */
	int unlocked;		/* -u: no mutex */
};

static int semid = -1, shmid = -1;	/* the set; the segment, once ours */
static int made_set;			/* we created the set in this run */
static struct counter *c;		/* the segment, attached */
static pid_t parent;			/* the run itself; 0 once finished */

static void options(int argc, char *argv[], struct run *run);
static int lock(void);
static void unlock(void);
static void attach(void);
static long long run_children(const struct run *run, int *failed);
static int reap(pid_t *pids, int n);
static long long collect(int fd, int forked);
static void report(const struct run *run, long long made, int failed);
static void abandon(void);

int
main(int argc, char *argv[])
{
	static const unsigned short init[COUNTER_NSEMS] = { 1, 0, 0 };
	struct sembuf join = { .sem_num = RUNNERS, .sem_op = 1,
		.sem_flg = SEM_UNDO };
	struct run run;
	long long made;
	int failed = 0;

	options(argc, argv, &run);
	catch_signals();
	semid = open_set(COUNTER_NSEMS, init, &made_set);  /* common/ */
	if (semid == -1)
		return exit_status(EXIT_CALL_FAILED);
	if (semop(semid, &join, 1) == -1)	/* one more run, SEM_UNDO */
		die("semop (joining)");
	parent = getpid();
	if (atexit(abandon) != 0)
		die("atexit");

	/* Under the mutex: make or check the segment, book what we plan. */
	if (lock() == 0) {
		attach();
		atomic_fetch_add(&c->expected, run.procs * run.times);
		unlock();
		made = run_children(&run, &failed);
		report(&run, made, failed);
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

/*
 * P and V on the mutex, with SEM_UNDO: a process killed inside frees it.
 * A signal stops the wait (another run may hold the mutex, stopped with
 * Ctrl-Z): lock() then returns -1.
 */
static int
lock(void)
{
	struct sembuf p = { .sem_num = MUTEX, .sem_op = -1,
		.sem_flg = SEM_UNDO };

	while (semop(semid, &p, 1) == -1) {
		if (errno != EINTR)
			die("semop P (mutex)");
		if (stop_signal)
			return -1;
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
 * Create the segment or join it, holding the mutex.  The creator writes
 * the header; a new segment is otherwise zeros, so the counter starts at
 * 0.  A segment made by anyone else - the ring's, a stranger's - has
 * another size or header: refused, and left as it is.
 */
static void
attach(void)
{
	struct shmid_ds ds;
	int id, created = 1;

	id = shmget(ipc_key, sizeof *c, IPC_CREAT | IPC_EXCL | 0600);
	if (id == -1 && errno == EEXIST) {
		created = 0;
		id = shmget(ipc_key, 0, 0);
	}
	if (id == -1)
		die("shmget");
	if (shmctl(id, IPC_STAT, &ds) == -1)
		die("shmctl IPC_STAT");
	refuse_if_not_ours("segment", id, &ds.shm_perm);
	c = shmat(id, NULL, 0);
	if (c == (void *)-1)
		die("shmat");
	if (created) {
		c->version = 1;
		c->magic = COUNTER_MAGIC;
	} else if (ds.shm_segsz != sizeof *c || c->magic != COUNTER_MAGIC ||
	    c->version != 1) {
		fprintf(stderr, "%s: key 0x%08x holds a segment of %zu bytes "
		    "that is not a counter (id %d): left as it is\n", prog,
		    (unsigned int)ipc_key, (size_t)ds.shm_segsz, id);
		hint("pick another key with -k (or another IPC_DEMO_KEY)");
		exit(EXIT_CALL_FAILED);
	}
	shmid = id;
	note("shmat: segment id %d at %p, nattch %lu; the count is %lld",
	    shmid, (void *)c, (unsigned long)ds.shm_nattch + 1,
	    atomic_load(&c->count));
}

/*
 * One child's work: load, add 1, store - TIMES times, or until a signal.
 * The busy loop between load and store widens the window in which another
 * process can load the same value (the header comment says why).
 */
static long long
add(const struct run *run)
{
	long long i, v;
	volatile int k;

	for (i = 0; i < run->times && !stop_signal; i++) {
		if (!run->unlocked && lock() == -1)
			break;
		v = atomic_load_explicit(&c->count, memory_order_relaxed);
		for (k = 0; k < WINDOW; k++)
			continue;
		atomic_store_explicit(&c->count, v + 1, memory_order_relaxed);
		if (!run->unlocked)
			unlock();
	}
	return i;
}

/* For a child at the gate: has the run that forked it died (kill -9)? */
static int
parent_gone(void)
{
	return getppid() != parent;
}

/*
 * A child: wait at the gate, add, give back the booking of what it did
 * not do (a true atomic subtraction: bookkeeping, never lost), and tell
 * the parent how many it made through the pipe; -1: never passed the gate.
 */
static void
child(const struct run *run, int report_fd)
{
	long long made = -1;

	if (ring_take(semid, GATE, -1, parent_gone) == 0)
		made = add(run);
	atomic_fetch_sub(&c->expected, run->times - (made < 0 ? 0 : made));
	if (write(report_fd, &made, sizeof made) != (ssize_t)sizeof made)
		_exit(EXIT_CALL_FAILED);
	_exit(0);
}

/*
 * Fork PROCS children behind the gate, open it (V by PROCS) once all are
 * there, and wait for every one.  A signal to us is passed on to them, so
 * they all stop within a moment.  Returns the additions made.
 */
static long long
run_children(const struct run *run, int *failed)
{
	struct sembuf open_gate = { .sem_num = GATE, .sem_op = 0,
		.sem_flg = 0 };
	pid_t pids[PROCS_MAX];
	int fds[2], forked;

	note("%lld process%s add%s 1, %lld time%s each, %s", run->procs,
	    run->procs == 1 ? "" : "es", run->procs == 1 ? "s" : "",
	    run->times, plural((unsigned long long)run->times),
	    run->unlocked ? "WITHOUT a lock (-u)" : "under the mutex");
	if (pipe(fds) == -1)
		die("pipe");
	for (forked = 0; forked < run->procs && !stop_signal; forked++) {
		pids[forked] = fork();
		if (pids[forked] == -1)
			die("fork");
		if (pids[forked] == 0)
			child(run, fds[1]);
	}
	open_gate.sem_op = (short)forked;	/* all forked: let them go */
	if (forked > 0 && semop(semid, &open_gate, 1) == -1)
		die("semop V (gate)");
	*failed = reap(pids, forked);
	if (close(fds[1]) == -1)
		die("close");
	return collect(fds[0], forked);
}

/*
 * Wait for every child.  On SIGINT, SIGTERM or SIGHUP, pass it on once to
 * the children not yet reaped (a SIGTERM sent to us alone would not reach
 * them).  Returns 1 if any child failed.
 */
static int
reap(pid_t *pids, int n)
{
	int left = n, status, failed = 0, passed_on = 0, i;
	pid_t pid;

	while (left > 0) {
		if (stop_signal && !passed_on) {
			for (i = 0; i < n; i++)
				if (pids[i] != 0)
					(void)kill(pids[i], SIGTERM);
			passed_on = 1;
		}
		pid = wait(&status);
		if (pid == -1 && errno == EINTR)
			continue;
		if (pid == -1)
			die("wait");
		for (i = 0; i < n; i++)
			if (pids[i] == pid)
				pids[i] = 0;
		left--;
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	return failed;
}

/*
 * Read each child's count from the pipe.  A child stopped at the gate
 * (-1) never took its unit of GATE: take that many back, so the gate is
 * shut again for the next run.
 */
static long long
collect(int fd, int forked)
{
	struct sembuf shut = { .sem_num = GATE, .sem_op = 0,
		.sem_flg = IPC_NOWAIT };
	long long made = 0, m;
	int passed = 0;
	ssize_t n;

	while ((n = read(fd, &m, sizeof m)) == (ssize_t)sizeof m ||
	    (n == -1 && errno == EINTR)) {
		if (n == -1)
			continue;
		made += m < 0 ? 0 : m;
		passed += m >= 0;
	}
	if (n == -1)
		die("read (the children's counts)");
	if (close(fd) == -1)
		die("close");
	shut.sem_op = (short)-(forked - passed);
	if (forked > passed && semop(semid, &shut, 1) == -1 && errno != EAGAIN)
		die("semop P (gate)");
	return made;
}

/*
 * Expected, got, lost: on stdout, for every run so far with this key.
 * While another run is still adding, the difference is "pending", not
 * lost; if a child of ours failed, its additions are "unaccounted".
 */
static void
report(const struct run *run, long long made, int failed)
{
	long long expected = atomic_load(&c->expected);
	long long got = atomic_load(&c->count), planned = run->procs *
	    run->times;
	int others = semctl(semid, RUNNERS, GETVAL);

	if (others == -1)
		die("semctl GETVAL");
	printf("expected %lld\ngot %lld\n%s %lld\n", expected, got,
	    others > 1 ? "pending" : failed ? "unaccounted" : "lost",
	    expected - got);
	if (fflush(stdout) == EOF)
		die("write (stdout)");
	if (made < planned)
		note("interrupted: %lld of the %lld planned additions were "
		    "made", made, planned);
	if (others > 1)
		note("another run with this key is still adding (pending): "
		    "its report will have the final count");
	else if (run->unlocked && got == expected && !failed)
		note("no update lost this time: no process was interrupted "
		    "between its load and its store; run it again");
	else if (run->unlocked && !failed)
		note("%lld update%s lost: two processes loaded the same "
		    "value and both stored value + 1", expected - got,
		    plural((unsigned long long)(expected - got)));
}

/*
 * At exit after a failed call (die) in the run itself: leave, and if no
 * other run is there, remove the set and our segment, as the normal end
 * does; a set we did not make and never used is not ours to remove.  A
 * child that fails only exits: the run that forked it tidies up.
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

/* The command line: -k -n -p -q -u, then the key. */
static void
options(int argc, char *argv[], struct run *run)
{
	const char *karg = NULL;
	int opt;

	prog = "shm/counter";
	run->procs = 2;
	run->times = 100000;
	run->unlocked = 0;
	while ((opt = getopt(argc, argv, ":hk:n:p:qu")) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			break;
		case 'k':
			karg = optarg;
			break;
		case 'n':
			if (parse_num("-n", optarg, 1, 100000000,
			    &run->times) == -1)
				usage(stderr);
			break;
		case 'p':
			if (parse_num("-p", optarg, 1, PROCS_MAX,
			    &run->procs) == -1)
				usage(stderr);
			break;
		case 'q':
			quiet = 1;
			break;
		case 'u':
			run->unlocked = 1;
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
}
