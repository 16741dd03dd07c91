/*
 * sem/first/wait - P, the first page: take one unit of a System V
 * semaphore, sleeping while its value is 0.  Partner: sem/first/post (V).
 * Read it before sem/wait, which does the same with everything around.
 *
 * semget(2) gives a set of one semaphore.  The first of the pair creates
 * it (IPC_CREAT | IPC_EXCL: exactly one process can; mode 0600, umask
 * does not apply) and sets the value 0 (SETVAL: POSIX leaves a new set's
 * values unspecified); the other finds it there (EEXIST) and opens it.
 * P is semop(2) with sem_op -1: the kernel waits until the value is at
 * least 1, then subtracts 1, in one atomic step.  The unit is kept after
 * exit: sem/first/post gives one back.  Only sem/ctl rm removes the set.
 *
 * The creator's last step, a semop of +1 and -1 at once, changes nothing
 * but sem_otime, the time of the last semop.  sem/wait and sem/post use a
 * set only once that time is not 0 (open_set() in common/sets.c): without
 * it they would call ours "never initialised".  A P that sleeps sets none.
 *
 *	terminal 1:  sem/first/wait     sleeps: the value is 0
 *	terminal 2:  sem/first/post     V: terminal 1 returns
 * sem/ctl stat (or ipcs -s) shows the set, its value and who waits; the
 * pages meet sem/wait and sem/post on the same key (-k, IPC_DEMO_KEY).
 *
 * Leaves out (sem/wait and common/sets.c handle it):
 *  - it joins a set another process is still initialising, and its P may
 *    come before the creator's SETVAL: see sem/wait and open_set();
 *  - a set of another shape or owner on the key (shm/writer's ring of 6,
 *    another user's, one open to all) is used as it is, semaphore 0 taken:
 *    sem/wait refuses it (join_set(), refuse_if_not_ours());
 *  - Ctrl-C ends it at once (no handler): it took nothing, the set stays.
 *    Ctrl-Z and fg make semop fail with EINTR: it waits on, as sem/wait;
 *  - a unit held a while and given back, even by a process killed with
 *    kill -9 (SEM_UNDO); -n, -t, the narration: sem/wait -s and the rest.
 *
 * See also: sem/first/post, sem/wait, semget(2), semop(2), semctl(2).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "ipcdemo.h"		/* first_key(), die(), union semun */

int
main(int argc, char *argv[])
{
	struct sembuf p = { .sem_num = 0, .sem_op = -1, .sem_flg = 0 };
	struct sembuf ready[2] = { { 0, +1, 0 }, { 0, -1, 0 } };
	union semun arg = { .val = 0 };
	const char *k = NULL;
	int opt, semid;
	key_t key;

	while ((opt = getopt(argc, argv, "hk:")) == 'k')
		k = optarg;
	if (opt != -1 || optind < argc ||
	    first_key("sem/first/wait", k, PROJ_SEM, &key) == -1) {
		fputs("usage: sem/first/wait [-k KEY]\n", opt == 'h' ?
		    stdout : stderr);
		return opt == 'h' ? fflush(stdout) == EOF : 2;
	}

	semid = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
	if (semid != -1 && semctl(semid, 0, SETVAL, arg) == -1)
		die("semctl SETVAL");
	if (semid != -1 && semop(semid, ready, 2) == -1)  /* sem_otime */
		die("semop");
	if (semid == -1 && errno == EEXIST)	/* made by another: open it */
		semid = semget(key, 1, 0600);
	if (semid == -1)
		die("semget");

	while (semop(semid, &p, 1) == -1)	/* P */
		if (errno != EINTR)		/* EINTR: Ctrl-Z, fg */
			die("semop");
	return 0;
}
