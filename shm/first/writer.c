/*
 * shm/first/writer - shared memory, the first page: copy standard input
 * through one segment, a buffer at a time, to shm/first/reader.  Read it
 * before shm/writer, which streams through a ring of buffers.
 *
 * shmget(2) gives a segment (a struct seg) and shmat(2) maps it here; the
 * reader maps the same pages and sees what read(2) puts in seg->buf.
 * Shared memory has no turns: two semaphores take them.  EMPTY (1 at
 * first): the buffer is ours to fill; FULL (0): the reader's to copy out.
 * P(EMPTY), fill, V(FULL); the reader: P(FULL), copy out, V(EMPTY).  A
 * length of 0 ends the stream.  The first to come makes the set (IPC_EXCL,
 * SETALL) and the segment, 0600; the reader removes both at the end.
 *	terminal 1:  shm/first/writer < /etc/services
 *	terminal 2:  shm/first/reader > copy; cmp copy /etc/services
 * Leaves out (the full pair has it): a ring (with one buffer, the sides
 * never work at once); a peer killed mid-stream (the other waits for ever,
 * the copy cut short, no word said); Ctrl-C (the set and segment stay:
 * shm/ctl rm); a second writer (two streams mixed); a set joined before
 * its SETALL (sem/first/wait); another's segment on the key, written over.
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
	struct sembuf p = { .sem_num = EMPTY, .sem_op = -1, .sem_flg = 0 };
	struct sembuf v = { .sem_num = FULL, .sem_op = +1, .sem_flg = 0 };
	union semun arg = { .array = (unsigned short[]){ 1, 0 } };
	int opt, semid, shmid;
	const char *k = NULL;
	struct seg *seg;
	ssize_t n;
	key_t key;

	while ((opt = getopt(argc, argv, "hk:")) == 'k')
		k = optarg;
	if (opt != -1 || optind < argc ||
	    first_key("shm/first/writer", k, PROJ_SHM, &key) == -1) {
		fputs("usage: shm/first/writer [-k KEY]\n", opt == 'h' ?
		    stdout : stderr);
		return opt == 'h' ? fflush(stdout) == EOF : 2;
	}

	semid = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (semid != -1 && semctl(semid, 0, SETALL, arg) == -1)
		die("semctl SETALL");		/* EMPTY 1, FULL 0 */
	if (semid == -1 && errno == EEXIST)	/* the reader made it */
		semid = semget(key, 2, 0600);
	if (semid == -1)
		die("semget");
	if (semctl(semid, 2, GETVAL) != -1) {	/* a semaphore 2: not ours */
		fputs("shm/first/writer: not our set of 2\n", stderr);
		return 1;
	}
	shmid = shmget(key, sizeof *seg, IPC_CREAT | 0600);
	if (shmid == -1)
		die("shmget");
	seg = shmat(shmid, NULL, 0);		/* NULL: the kernel chooses */
	if (seg == (void *)-1)
		die("shmat");

	do {
		while (semop(semid, &p, 1) == -1)	/* P(EMPTY) */
			if (errno != EINTR)		/* EINTR: Ctrl-Z, fg */
				die("semop");
		if ((n = read(STDIN_FILENO, seg->buf, sizeof seg->buf)) == -1)
			die("read");
		seg->len = (uint16_t)n;
		if (semop(semid, &v, 1) == -1)		/* V(FULL) */
			die("semop");
	} while (n > 0);
	if (shmdt(seg) == -1)
		die("shmdt");
	return 0;
}
