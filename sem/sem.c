/*
 * sem.c - the set of one semaphore that sem/wait, sem/post and sem/ctl
 * share: opening it, and asking semctl(2) about it.  See sem.h.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <stdio.h>

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
