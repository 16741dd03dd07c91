/*
 * sem.c - create or join the semaphore set of sem/wait and sem/post, with
 * no window in which anyone can use it uninitialised.  See sem.h.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ipcdemo.h"
#include "sem.h"

enum { READY_POLLS = 500, READY_POLL_MS = 10 };	/* 5 s in all */

static void initialise(int id);
static int wait_until_ready(int id);

/*
 * Create the set, or join it if another program was first.  IPC_CREAT|
 * IPC_EXCL fails with EEXIST instead of opening an existing set, so only
 * one process ever believes it is the creator and initialises.  The mode
 * is given in full: umask does not apply to System V IPC objects.
 * Returns the id, or -1 if a signal stopped us while we waited.
 */
int
open_set(void)
{
	union semun arg;
	struct semid_ds ds;
	int id;

	for (;;) {
		id = semget(ipc_key, 1, IPC_CREAT | IPC_EXCL | 0600);
		if (id != -1) {
			initialise(id);
			return id;
		}
		if (errno != EEXIST)
			die("semget");
		id = semget(ipc_key, 1, 0600);
		if (id != -1)
			break;
		if (errno != ENOENT)
			die("semget");
		/* Removed between our two calls: try to create it again. */
	}
	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == -1)
		die("semctl IPC_STAT");
	refuse_if_not_ours("semaphore set", id, &ds.sem_perm);
	return wait_until_ready(id);
}

/*
 * The creator: SETVAL 0 (no seat free yet), then a semop that changes
 * nothing - wait for zero, with IPC_NOWAIT, on a value we just set to 0.
 * Its only effect is sem_otime != 0: the sign that the set is ready.
 */
static void
initialise(int id)
{
	struct sembuf noop = { 0, 0, IPC_NOWAIT };
	union semun arg;

	arg.val = 0;
	if (semctl(id, 0, SETVAL, arg) == -1)
		die("semctl SETVAL");
	if (semop(id, &noop, 1) == -1)
		die("semop (marking the set ready)");
	note("semget: created set id %d (1 semaphore, mode 0600); "
	    "SETVAL 0, then a no-op semop marks it ready", id);
}

/*
 * Everyone else: poll IPC_STAT until sem_otime says the creator is done.
 * A creator that died before that leaves a set nobody can trust.
 */
static int
wait_until_ready(int id)
{
	struct timespec pause = { 0, READY_POLL_MS * 1000000L };
	struct semid_ds ds;
	union semun arg;
	int polls;

	arg.buf = &ds;
	for (polls = 0; polls < READY_POLLS; polls++) {
		if (semctl(id, 0, IPC_STAT, arg) == -1)
			die("semctl IPC_STAT");
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
	fprintf(stderr, "%s: key 0x%08x: set id %d was never initialised\n",
	    prog, (unsigned int)ipc_key, id);
	hint("its creator may have died half way; remove it with sem/ctl rm");
	exit(EXIT_CALL_FAILED);
}
