/*
 * sem/first/post - V, the first page: give one unit back to a System V
 * semaphore, waking the first process asleep in P.  Partner:
 * sem/first/wait (P).  Read it before sem/post.
 *
 * V is semop(2) with sem_op +1: the kernel adds 1 to the value in one
 * atomic step and lets in whoever waits for it, in the order they came.
 * V never waits.  The set is made as sem/first/wait makes it: the first
 * of the pair creates it (IPC_CREAT | IPC_EXCL, mode 0600, then SETVAL
 * 0), the other opens the one that is there (EEXIST).
 *
 * The creator needs no no-op semop here (sem/first/wait's last step): the
 * V that follows SETVAL is a semop, and sets sem_otime, the sign sem/wait
 * and sem/post wait for before they use a set that another process made
 * (open_set() in common/sets.c).  They never call ours "never initialised".
 *
 *	terminal 1:  sem/first/wait     sleeps: the value is 0
 *	terminal 2:  sem/first/post     V: terminal 1 returns
 * Or first sem/first/post, then sem/first/wait gets in at once.  Each V
 * adds one unit, kept in the set until a P takes it: sem/ctl stat shows
 * the value, sem/ctl rm removes the set.  sem/wait's restaurant takes
 * units from it too: see the exercises in sem/README.md.
 *
 * Leaves out (sem/post and common/sets.c handle it):
 *  - it joins a set another process is still initialising: the creator's
 *    SETVAL may come after our V and undo it (a V lost, shown by
 *    tests/first.sh); sem/post waits for sem_otime (open_set());
 *  - a set of another shape or owner on the key (shm/writer's ring of 6,
 *    another user's, one open to all) gets its semaphore 0 raised: sem/post
 *    refuses it (join_set(), refuse_if_not_ours());
 *  - V of N at once, ERANGE past SEMVMX (32767) explained, the narration
 *    (the value before and after, how many waited): sem/post.
 *
 * See also: sem/first/wait, sem/post, sem/ctl, semop(2), semctl(2).
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
	struct sembuf v = { .sem_num = 0, .sem_op = +1, .sem_flg = 0 };
	union semun arg = { .val = 0 };
	const char *k = NULL;
	int opt, semid;
	key_t key;

	while ((opt = getopt(argc, argv, "hk:")) == 'k')
		k = optarg;
	if (opt != -1 || optind < argc ||
	    first_key("sem/first/post", k, PROJ_SEM, &key) == -1) {
		fputs("usage: sem/first/post [-k KEY]\n", opt == 'h' ?
		    stdout : stderr);
		return opt == 'h' ? fflush(stdout) == EOF : 2;
	}

	semid = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
	if (semid != -1 && semctl(semid, 0, SETVAL, arg) == -1)
		die("semctl SETVAL");
	if (semid == -1 && errno == EEXIST)	/* made by another: open it */
		semid = semget(key, 1, 0600);
	if (semid == -1)
		die("semget");

	if (semop(semid, &v, 1) == -1)		/* V: never waits */
		die("semop");
	return 0;
}
