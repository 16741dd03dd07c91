/*
 * sem.c - the set of one semaphore that sem/wait, sem/post and sem/ctl
 * share: opening it, asking semctl(2) about it, and which sets sem/ctl
 * may change (set) or remove (rm).  See sem.h.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>

#include "ipcdemo.h"
#include "sem.h"

/*
 * Create the set with the value 0, or join it (open_set() in
 * common/sets.c says how without a race).  Returns the id, or -1 if a
 * signal stopped us while we waited for its creator.
 */
int
open_seat(key_t key)
{
	static const unsigned short zero[SEM_NSEMS] = { 0 };
	int created;

	return open_set(key, SEM_NSEMS, zero, 0, &created);	/* no mark */
}

/*
 * One semctl(2) query about semaphore 0: GETVAL (the free units), GETNCNT
 * (how many sleep in P), GETZCNT or GETPID.  Dies with "semctl GETVAL",
 * and so on.
 */
int
sem_query(int semid, int cmd)
{
	char call[32];
	int n = semctl(semid, 0, cmd);

	if (n == -1) {
		snprintf(call, sizeof call, "semctl %s", cmd == GETVAL ?
		    "GETVAL" : cmd == GETNCNT ? "GETNCNT" : cmd == GETZCNT ?
		    "GETZCNT" : "GETPID");
		die(call);
	}
	return n;
}

/*
 * sem/ctl set: SETVAL only on a set sem/post would use, sem/wait's set of
 * 1, ours alone (refuse_if_not_ours, common/).  Refuse any other, exit 1.
 */
void
only_ours(key_t key, int id, unsigned long n)
{
	struct semid_ds ds;
	union semun arg;

	if (n != SEM_NSEMS) {
		fprintf(stderr, "%s: key 0x%08x holds a set of %lu semaphores "
		    "(%s), not sem/wait's set of 1: not changed\n", prog,
		    (unsigned int)key, n, set_owner(n));
		hint("pick another key with -k (or another IPC_DEMO_KEY)");
		exit(EXIT_CALL_FAILED);
	}
	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == -1)
		die("semctl IPC_STAT");
	refuse_if_not_ours("semaphore set", id, &ds.sem_perm);
}

/*
 * sem/ctl rm removes neither another user's set, unless -f
 * (refuse_if_foreign, common/), nor shm/'s (shm_owner, common/: its size
 * and its mark): the ring's or the counter's set is half of what shm/ctl
 * rm removes whole, and a stream or a count in progress would break.
 * Any other set - sem/wait's, a dinner left behind, an unknown one - goes.
 */
void
may_remove(key_t key, int id, unsigned long n, int force)
{
	const char *owner = shm_owner(id, n);
	struct semid_ds ds;
	union semun arg;

	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == -1)
		die("semctl IPC_STAT");
	refuse_if_foreign("semaphore set", id, &ds.sem_perm, force);
	if (owner == NULL)
		return;
	refuse("key 0x%08x: set id %d of %lu semaphores is %s (its size and "
	    "mark): left", (unsigned int)key, id, n, owner);
	hint("shm/ctl -k 0x%08x rm removes it, with its segment",
	    (unsigned int)key);
	exit(EXIT_CALL_FAILED);
}
