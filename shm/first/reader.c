/*
 * shm/first/reader - shared memory, the first page: copy to standard
 * output what shm/first/writer puts through one segment.  Read the
 * writer's page first (the protocol is there), then shm/reader.
 *
 * P(FULL), copy seg->len bytes out, V(EMPTY), until a length of 0; then
 * IPC_RMID on the set and the segment, as the last to use them.  Attached
 * read-only (SHM_RDONLY); a 16-bit length never points past buf.
 *	terminal 1:  shm/first/reader > copy
 *	terminal 2:  shm/first/writer < /etc/services; cmp copy /etc/services
 * On shm/writer's ring (-k) it finds a set of 6, not 2: exit 1 before any
 * semop, the ring untouched.  Leaves out what the writer's page lists: a
 * peer killed mid-stream (we wait for ever), Ctrl-C (all stays: shm/ctl
 * rm), a second reader (the stream split), a set joined before SETALL.
 * See also: shm/first/writer, shm/reader, shmat(2), shmctl(2), semop(2).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "ipcdemo.h"		/* first_key(), die(), union semun */

enum { EMPTY, FULL };		/* the two semaphores: whose turn it is */
struct seg {
	uint16_t len;		/* bytes in buf; 0: the end of the stream */
	char buf[UINT16_MAX];
};

int
main(int argc, char *argv[])
{
	struct sembuf p = { .sem_num = FULL, .sem_op = -1, .sem_flg = 0 };
	struct sembuf v = { .sem_num = EMPTY, .sem_op = +1, .sem_flg = 0 };
	union semun arg = { .array = (unsigned short[]){ 1, 0 } };
	int opt, semid, shmid;
	const char *k = NULL;
	struct seg *seg;
	key_t key;

	while ((opt = getopt(argc, argv, "hk:")) == 'k')
		k = optarg;
	if (opt != -1 || optind < argc ||
	    first_key("shm/first/reader", k, PROJ_SHM, &key) == -1) {
		fputs("usage: shm/first/reader [-k KEY]\n", opt == 'h' ?
		    stdout : stderr);
		return opt == 'h' ? fflush(stdout) == EOF : 2;
	}

	semid = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (semid != -1 && semctl(semid, 0, SETALL, arg) == -1)
		die("semctl SETALL");		/* EMPTY 1, FULL 0 */
	if (semid == -1 && errno == EEXIST)	/* the writer made it */
		semid = semget(key, 2, 0600);
	if (semid == -1)
		die("semget");
	if (semctl(semid, 2, GETVAL) != -1) {	/* a semaphore 2: not ours */
		fputs("shm/first/reader: not our set of 2\n", stderr);
		return 1;
	}
	shmid = shmget(key, sizeof *seg, IPC_CREAT | 0600);
	if (shmid == -1)
		die("shmget");
	seg = shmat(shmid, NULL, SHM_RDONLY);
	if (seg == (void *)-1)
		die("shmat");

	for (;;) {
		while (semop(semid, &p, 1) == -1)	/* P(FULL) */
			if (errno != EINTR)		/* EINTR: Ctrl-Z, fg */
				die("semop");
		if (seg->len == 0)
			break;
		if (fwrite(seg->buf, 1, seg->len, stdout) != seg->len)
			die("write");
		if (semop(semid, &v, 1) == -1)		/* V(EMPTY) */
			die("semop");
	}
	if (semctl(semid, 0, IPC_RMID) == -1)
		die("semctl IPC_RMID");
	if (shmctl(shmid, IPC_RMID, NULL) == -1)  /* gone once we exit */
		die("shmctl IPC_RMID");
	if (fclose(stdout) == EOF)
		die("write");
	return 0;
}
