/*
 * sets.c - the one semaphore-set opener: sem/'s programs, sem/philosophers,
 * and shm/'s ring and counter make or join their sets here, without the
 * race between semget and the first values (open_set).  Shared memory
 * needs semaphores (see shm/ring.h), so the opener lives in common/, where
 * both mechanisms reach it.
 *
 * Man pages: semget(2), semctl(2), semop(2); TLPI 47.5, UNP vol. 2 11.2.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ipcdemo.h"

/* How long a late-comer waits for a set's creator: 2 s in all (the
 * creator needs microseconds between semget and its no-op semop). */
enum { READY_POLLS = 200, READY_POLL_MS = 10 };

static int join_set(key_t key, int id, int nsems, int mark);
static noreturn void not_its_mark(key_t key, int id, int nsems, int mark,
    int value);
static noreturn void unmake(int id, const char *call);

/*
 * Whose set has this many semaphores?  Each of ours has its own size, but
 * sem/philosophers has one per philosopher (2 to 64), so a set of 2, 4 or
 * 6 may be a dinner's too (the mark tells 4 and 6 apart: open_set).
 */
const char *
set_owner(unsigned long nsems)
{
	switch (nsems) {
	case 1:
		return "sem/wait's and sem/post's?";
	case 2:
		return "shm/first/writer's and reader's, or sem/philosophers'?";
	case 4:
		return "shm/counter's or sem/philosophers'?";
	case 6:
		return "shm/writer's ring or sem/philosophers'?";
	}
	if (nsems >= 2 && nsems <= 64)
		return "sem/philosophers'?";
	return "not one of ours";
}

/*
 * Is set id, of nsems semaphores, one of shm/'s: the ring's or the
 * counter's?  Its size and its mark say (ipcdemo.h).  Returns whose it
 * is, "shm/writer's ring" or "shm/counter's", or NULL.
 */
const char *
shm_owner(int id, unsigned long nsems)
{
	int mark;

	if (nsems != RING_SET_SIZE && nsems != COUNTER_SET_SIZE)
		return NULL;
	mark = semctl(id, (int)nsems - 1, GETVAL);
	if (mark == -1)
		die("semctl GETVAL (the mark)");
	if (nsems == RING_SET_SIZE && mark == RING_SET_MARK)
		return "shm/writer's ring";
	if (nsems == COUNTER_SET_SIZE && mark == COUNTER_SET_MARK)
		return "shm/counter's";
	return NULL;
}

/* IPC_STAT's sem_nsems: how many semaphores the set holds. */
unsigned long
set_size(int id)
{
	struct semid_ds ds;
	union semun arg;

	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == -1)
		die("semctl IPC_STAT");
	return (unsigned long)ds.sem_nsems;
}

/*
 * Create a set of nsems semaphores with the values init, or join the one
 * that has our key - after checking it is a set of our kind.
 *
 * The race.  semget(IPC_CREAT) makes a set and semctl(SETALL) gives it
 * values: two calls, not one.  A process that opened the set between them
 * and did P or V at once would work on values that the creator is about
 * to overwrite.  So IPC_CREAT|IPC_EXCL makes exactly one process the
 * creator; after SETALL it makes one semop that changes nothing (+1 and -1
 * on semaphore 0, in one atomic call), only so that the set's sem_otime is
 * no longer 0.  Everyone else waits for sem_otime != 0 before touching the
 * set.  (TLPI 47.5, UNP vol. 2 11.2.)  The mode is given in full: umask
 * does not apply to System V IPC objects.
 *
 * The shape.  semget with nsems 0 opens a set of any size, so we can look
 * before we use it: a set of another size belongs to another program (or
 * to nobody we know), and a P or V on it would corrupt that program's
 * state.  It is refused, and left as it is.
 *
 * The mark.  A set has no name, and a set of the right size may still be
 * another's: a dinner of 6 philosophers has 6 semaphores, as the ring has.
 * So when `marked`, the last semaphore holds a mark, init[nsems - 1], a
 * value no other set has there (a fork is 0 or 1), set by SETALL and never
 * changed: a set whose last value is not the mark is refused and left.
 *
 * Returns the id (*created says whether we made it), or -1 if a signal
 * stopped us while we waited for the creator.
 */
int
open_set(key_t key, int nsems, const unsigned short *init, int marked,
    int *created)
{
	struct sembuf noop[2] = {
		{ .sem_num = 0, .sem_op = 1, .sem_flg = 0 },
		{ .sem_num = 0, .sem_op = -1, .sem_flg = 0 },
	};
	union semun arg;
	int id;

	for (;;) {
		id = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);
		if (id != -1) {
			arg.array = (unsigned short *)init;
			if (semctl(id, 0, SETALL, arg) == -1)
				unmake(id, "semctl SETALL");
			if (semop(id, noop, 2) == -1)
				unmake(id, "semop (marking the set ready)");
			note("semget: created set id %d (%d semaphore%s, "
			    "mode 0600); SETALL, then a no-op semop marks it "
			    "ready", id, nsems,
			    plural((unsigned long long)nsems));
			*created = 1;
			return id;
		}
		if (errno != EEXIST)
			die("semget");
		id = semget(key, 0, 0600);	/* 0: any size, to look */
		if (id != -1)
			break;
		if (errno != ENOENT)
			die("semget");
		/* Removed between our two calls: try to create it again. */
	}
	*created = 0;
	return join_set(key, id, nsems, marked ? init[nsems - 1] : -1);
}

/*
 * A set we have just made could not be made ready: nobody has used it (not
 * ready), and nobody ever will - remove it, then die of the failed call.
 */
static noreturn void
unmake(int id, const char *call)
{
	int err = errno;

	(void)semctl(id, 0, IPC_RMID);
	errno = err;
	die(call);
}

/*
 * Everyone but the creator: check owner, mode, size; wait for sem_otime;
 * then the mark (-1: none).
 */
static int
join_set(key_t key, int id, int nsems, int mark)
{
	struct timespec pause = { 0, READY_POLL_MS * 1000000L };
	struct semid_ds ds;
	union semun arg;
	int polls, value;

	arg.buf = &ds;
	for (polls = 0; polls < READY_POLLS; polls++) {
		if (semctl(id, 0, IPC_STAT, arg) == -1)
			die("semctl IPC_STAT");
		refuse_if_not_ours("semaphore set", id, &ds.sem_perm);
		if (ds.sem_nsems != (unsigned long)nsems) {
			fprintf(stderr, "%s: key 0x%08x holds a set of %lu "
			    "semaphore%s (%s); %s needs %d\n", prog,
			    (unsigned int)key, (unsigned long)ds.sem_nsems,
			    plural(ds.sem_nsems), set_owner(ds.sem_nsems),
			    prog, nsems);
			hint("pick another key with -k (or another "
			    "IPC_DEMO_KEY); the set was left as it is");
			exit(EXIT_CALL_FAILED);
		}
		if (ds.sem_otime != 0 && mark != -1 &&
		    (value = semctl(id, nsems - 1, GETVAL)) != mark)
			not_its_mark(key, id, nsems, mark, value);
		if (ds.sem_otime != 0) {
			note("semget: joined set id %d", id);
			return id;
		}
		if (polls == 0)
			note("set id %d is not initialised yet (sem_otime is "
			    "0): waiting for its creator", id);
		if (nanosleep(&pause, NULL) == -1 && stop_signal)
			return -1;
	}
	fprintf(stderr, "%s: key 0x%08x: semaphore set id %d was never "
	    "initialised\n", prog, (unsigned int)key, id);
	hint("its creator may have died half way; remove it with ipcrm -s %d",
	    id);
	exit(EXIT_CALL_FAILED);
}

/* The right size, but another's set (or gone: GETVAL said -1). */
static noreturn void
not_its_mark(key_t key, int id, int nsems, int mark, int value)
{
	if (value == -1)
		die("semctl GETVAL (the mark)");
	fprintf(stderr, "%s: key 0x%08x: set id %d has the %d semaphores %s "
	    "needs, but not its mark (the last holds %d, not %d): "
	    "sem/philosophers', or another program's\n", prog,
	    (unsigned int)key, id, nsems, prog, value, mark);
	hint("pick another key with -k (or another IPC_DEMO_KEY); the set "
	    "was left as it is");
	exit(EXIT_CALL_FAILED);
}
