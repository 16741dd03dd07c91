/*
 * team.c - shm/counter's team: join the counter's set, fork PROCS
 * children behind a gate, let them go at once, pass a signal on, reap
 * them, collect what each made, and report.  The adding itself, the
 * lesson, is in counter.c; see team.h.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "ring.h"
#include "team.h"

static pid_t parent;		/* the run that forks, for parent_gone() */
enum { CHILD_STOPPED = 3 };	/* a child's exit status after a signal */

static void child(int semid, key_t key, struct counter *c,
    const struct run *run, long long (*work)(const struct run *run),
    int report_fd);
static void all_through(int semid);
static int reap(pid_t *pids, int n, int semid, struct counter *c,
    int locked);
static long long collect(int semid, int fd, int forked);
static int lock_broken(long long lost);

/*
 * The counter's set, made or joined (open_set, common/sets.c: semget,
 * without a race, on the key), and one more run in
 * RUNNERS (SEM_UNDO: the kernel takes it back if we die).  The last run
 * out may remove the set just as we join it (EIDRM, EINVAL): then we make
 * or join the next one.  Returns the id, or -1 if a signal stopped us
 * while we waited for the set's creator.
 */
int
open_counter_set(key_t key, int *made_set)
{
	static const unsigned short init[] = { 1, 0, 0, COUNTER_MARK_VALUE };
	struct sembuf join = { .sem_num = RUNNERS, .sem_op = 1,
		.sem_flg = SEM_UNDO };
	int semid;

	for (;;) {
		semid = open_set(key, COUNTER_NSEMS, init, 1, made_set);
		if (semid == -1 || semop(semid, &join, 1) == 0)
			return semid;
		if (errno != EIDRM && errno != EINVAL)
			die("semop (joining)");
		note("set id %d was removed as we joined it (the last run "
		    "out): again", semid);
	}
}

/*
 * A wait for the mutex, woken by the run's tick (once a second): from the
 * first whole second on, say who took it last (GETPID) and whether that
 * one runs still: taken without SEM_UNDO by one gone, it never comes back.
 */
void
mutex_held(int semid, long waited)
{
	int pid;

	if (waited < 1)
		return;
	if ((pid = semctl(semid, MUTEX, GETPID)) == -1)
		die("semctl GETPID (mutex)");
	note("waiting for the mutex for %ld s or more: PID %d took it last "
	    "(GETPID)%s",
	    waited, pid, kill(pid, 0) == -1 && errno == ESRCH ? ", and has "
	    "exited without giving it back (a P without SEM_UNDO?)" : "");
}

/*
 * The run's tick as it waits for its children: the count still for a
 * second or more, the mutex taken (0): someone does not give it back.
 */
static void
stalled(int semid, struct counter *c, long long *last, time_t *since)
{
	long long now = atomic_load(&c->count);

	if (now != *last || *since == 0) {
		*last = now;
		*since = time(NULL);
	} else if (semctl(semid, MUTEX, GETVAL) == 0) {
		mutex_held(semid, (long)(time(NULL) - *since));
	}
}

/*
 * Fork PROCS children behind the gate, open it (V by PROCS) once all are
 * there, and wait for every one; work() is a child's part.  A signal to
 * us is passed on to them, so they all stop within a moment.  Returns the
 * additions made.
 */
long long
team_run(int semid, key_t key, struct counter *c, const struct run *run,
    long long (*work)(const struct run *run), int *failed)
{
	struct sembuf open_gate = { .sem_num = GATE, .sem_op = 0,
		.sem_flg = 0 };
	pid_t pids[PROCS_MAX];
	int fds[2], forked;

	note("%lld process%s add%s 1, %lld time%s each, %s", run->procs,
	    run->procs == 1 ? "" : "es", run->procs == 1 ? "s" : "",
	    run->times, plural((unsigned long long)run->times),
	    run->unlocked ? "WITHOUT a lock (-u)" : "under the mutex");
	parent = getpid();
	if (pipe(fds) == -1)
		die("pipe");
	for (forked = 0; forked < run->procs && !stop_signal; forked++) {
		pids[forked] = fork();
		if (pids[forked] == -1)
			die("fork");
		if (pids[forked] == 0)
			child(semid, key, c, run, work, fds[1]);
	}
	/* Stopped before all were forked: give their booking back. */
	atomic_fetch_sub(&c->expected, (run->procs - forked) * run->times);
	open_gate.sem_op = (short)forked;	/* all forked: let them go */
	if (forked > 0 && semop(semid, &open_gate, 1) == -1)
		die("semop V (gate)");
	*failed = reap(pids, forked, semid, c, !run->unlocked);
	ticking(0);			/* no tick in the report's output */
	if (close(fds[1]) == -1)
		die("close");
	return collect(semid, fds[0], forked);
}

/*
 * For a child at the gate (semop_or_gone, turns.c): has the run that
 * forked it died (kill -9)?
 */
static int
parent_gone(void)
{
	return getppid() != parent;
}

/*
 * A child: wait at the gate, work(), give back the booking of what it did
 * not do (a true atomic subtraction: bookkeeping, never lost), and tell
 * the parent how many it made through the pipe; -1: never passed the gate.
 */
static void
child(int semid, key_t key, struct counter *c, const struct run *run,
    long long (*work)(const struct run *run), int report_fd)
{
	struct sembuf join = { .sem_num = RUNNERS, .sem_op = 1,
		.sem_flg = SEM_UNDO };
	struct sembuf pass = { .sem_num = GATE, .sem_op = -1, .sem_flg = 0 };
	long long made = -1;

	/* Counted among the runners while we add, so that no run that
	 * comes meanwhile thinks it is alone, even if our parent dies. */
	if (semop(semid, &join, 1) == -1)
		die("semop (joining)");
	if (semop_or_gone(semid, &pass, 1, parent_gone) == DONE) {
		all_through(semid);
		made = work(run);
	}
	atomic_fetch_sub(&c->expected, run->times - (made < 0 ? 0 : made));
	atomic_fetch_add(&c->done, made < 0 ? 0 : made);  /* then: done <= it */
	if (parent_gone()) {	/* killed: the last of us removes, as it would */
		(void)shmdt(c);
		if (last_out(semid, RUNNERS, RUNNERS, shmget(key, 0, 0)))
			note("our run is gone: removed the segment and the set");
		_exit(EXIT_CALL_FAILED);
	}
	if (write(report_fd, &made, sizeof made) != (ssize_t)sizeof made)
		_exit(EXIT_CALL_FAILED);
	_exit(stop_signal ? CHILD_STOPPED : 0);	/* reap() tells which */
}

/*
 * Past the gate, wait until every child has passed it (GATE back at 0),
 * spinning, not asleep: woken is not yet running, and on a busy machine
 * one child could do all its work before another ran at all.  Spinning,
 * we are running when the last one passes, so the children really add at
 * the same time.  At most 2 s: one killed at the gate never passes.
 */
static void
all_through(int semid)
{
	time_t until = time(NULL) + 2;
	int v;

	while ((v = semctl(semid, GATE, GETVAL)) > 0 && !stop_signal &&
	    time(NULL) < until)
		(void)sched_yield();	/* a sibling on our CPU may go */
	if (v == -1)
		die("semctl GETVAL (gate)");
}

/*
 * Wait for every child.  On SIGINT, SIGTERM or SIGHUP, pass SIGTERM on
 * once to the children not yet reaped (a SIGTERM sent to us alone would
 * not reach them), with SIGCONT for one stopped by Ctrl-Z or SIGSTOP.
 * Returns 1 if any child failed.
 */
static int
reap(pid_t *pids, int n, int semid, struct counter *c, int locked)
{
	int left = n, status, failed = 0, passed_on = 0, stopped, i;
	long long last = 0;
	time_t since = 0;
	pid_t pid;

	while (left > 0) {
		if (stop_signal && !passed_on) {
			for (i = 0; i < n; i++)	/* CONT: a stopped one too */
				if (pids[i] != 0 && kill(pids[i], SIGTERM) == 0)
					(void)kill(pids[i], SIGCONT);
			passed_on = 1;
		}
		pid = wait(&status);
		if (pid == -1 && errno == EINTR) {
			if (locked && !stop_signal)	/* our tick */
				stalled(semid, c, &last, &since);
			continue;
		}
		if (pid == -1)
			die("wait");
		for (i = 0; i < n; i++)
			if (pids[i] == pid)
				pids[i] = 0;
		left--;
		if (WIFSIGNALED(status) && (!passed_on ||
		    WTERMSIG(status) != SIGTERM))	/* not ours: kill -9? */
			refuse("child PID %ld was killed by signal %d: what it "
			    "added is not known", (long)pid, WTERMSIG(status));
		stopped = WIFEXITED(status) &&
		    WEXITSTATUS(status) == CHILD_STOPPED;
		if (stopped && !stop_signal)	/* a signal to it alone */
			refuse("child PID %ld was stopped by a signal we did not "
			    "send: it made only part of its additions",
			    (long)pid);
		failed |= !WIFEXITED(status) ||
		    (WEXITSTATUS(status) != 0 && !(stopped && stop_signal));
	}
	return failed;
}

/*
 * Read each child's count from the pipe.  A child stopped at the gate
 * (-1) never took its unit of GATE: take that many back, so the gate is
 * shut again for the next run.
 */
static long long
collect(int semid, int fd, int forked)
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
 * Expected, got, lost: on stdout, for every run so far with this key.  If
 * a child of ours failed, its additions are "unaccounted".  While any run
 * is still adding, what is done falls short of what is booked, and the
 * difference is "pending", not lost: each child adds what it made to done
 * after it gives back what it did not make, so done == expected only once
 * every child of every run has finished - and then every run that looks
 * sees it, however close together they finish.  Only a run alone on the
 * key (expected is what it made) may say that one process loses nothing.
 */
int
team_report(struct counter *c, const struct run *run, long long made,
    int failed)
{
	long long done = atomic_load(&c->done);
	long long expected = atomic_load(&c->expected);
	long long got = atomic_load(&c->count), planned = run->procs *
	    run->times;
	int pending = !failed && done != expected;

	printf("expected %lld\ngot %lld\n%s %lld\n", expected, got,
	    pending ? "pending" : failed ? "unaccounted" : "lost",
	    expected - got);
	if (fflush(stdout) == EOF)
		die("write (stdout)");
	if (made < planned && failed)
		note("a child failed: %lld of the %lld planned additions are "
		    "known to be made", made, planned);
	else if (made < planned)
		note("interrupted: %lld of the %lld planned additions were "
		    "made", made, planned);
	if (!run->unlocked && !failed && !pending && got != expected)
		return lock_broken(expected - got);
	if (pending)
		note("another run with this key is still adding (pending): "
		    "its report will have the final count");
	else if (run->unlocked && run->procs == 1 && expected == made)
		note("with one process, nothing can be lost: nobody else loads "
		    "between our load and our store; try -p 2");
	else if (run->unlocked && got == expected && !failed)
		note("no update lost this time: no process was interrupted "
		    "between its load and its store; run it again");
	else if (run->unlocked && !failed)
		note("%lld update%s lost: two processes loaded the same "
		    "value and both stored value + 1%s", expected - got,
		    plural((unsigned long long)(expected - got)),
		    expected > made ? " (other runs with this key added "
		    "too: each is a process of its own)" : "");
	return 0;
}

/* Updates lost under the mutex: two were inside at once; the lock was
 * broken.  Said, never hidden: returns 1 (exit 1). */
static int
lock_broken(long long lost)
{
	refuse("%lld update%s lost under the mutex: the lock was broken (a V "
	    "on MUTEX by a process that did not hold it, or a run with -u "
	    "on this key)", lost, plural((unsigned long long)lost));
	hint("{ctl} stat shows MUTEX: 1 when free, 0 when held, never more");
	return 1;
}
