/*
 * shm/ctl - look at or remove the shared memory segment of shm/writer and
 * shm/reader, and its semaphore set, with shmctl(2) and semctl(2).
 *
 * The kernel keeps a struct shmid_ds for each segment: owner and mode, its
 * size, how many processes have it attached (shm_nattch), who created it
 * and who last attached or detached, and when.  IPC_RMID does not free the
 * memory while anyone is attached: it marks the segment, hides its key,
 * and the memory goes with the last shmdt (or exit).
 *
 * Try this: while shm/writer waits for a reader, shm/ctl stat shows nattch
 * 1 and FREE 0 (the ring is full); start shm/reader and it shows nattch 2.
 * Try this: shm/ctl -k KEY stat on shm/counter's key while it runs: the
 * counter's segment and its MUTEX, GATE and RUNNERS.
 *
 * See also: shm/writer, shm/reader, shmctl(2), semctl(2), ipcs(1).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>

#include "ipcdemo.h"
#include "ring.h"
#include "team.h"

enum { STAT, RM, KEY, WATCH };	/* as options() finds them */

static key_t key;		/* main's, for watch's look (shm_state) */

static int options(int argc, char *argv[], int *force);
static int remove_ours(int shmid, int semid);
static void show_segment(int shmid);
static void show_set(int semid);
static int shm_state(char *line, size_t size);

int
main(int argc, char *argv[])
{
	int force = 0, cmd = options(argc, argv, &force);	/* STAT, ... */
	int shmid, semid;

	key = use_key(PROJ_SHM);	/* -k, $IPC_DEMO_KEY or ftok */
	if (cmd == KEY || cmd == WATCH)	/* how it was made; live: common/ */
		return cmd == KEY ? explain_key(PROJ_SHM) : watch(shm_state);

	/* Either may exist without the other; flags 0: never create. */
	shmid = shmget(key, 0, 0);
	if (shmid == -1 && errno != ENOENT)
		die("shmget");
	semid = semget(key, 0, 0);
	if (semid == -1 && errno != ENOENT)
		die("semget");
	if (shmid == -1 && semid == -1) {
		errno = ENOENT;
		die_hint("shmget", "no segment and no semaphore set have key "
		    "0x%08x: shm/writer and shm/reader create them, or "
		    "shm/counter",
		    (unsigned int)key);
	}

	if (cmd == STAT) {
		printf("key        0x%08x\n", (unsigned int)key);
		show_segment(shmid);		/* shmctl IPC_STAT: below */
		show_set(semid);		/* semctl IPC_STAT, GETALL */
	} else {
		not_foreign(shmid, semid, force);	/* -f: kinds.c */
		if (remove_ours(shmid, semid) == -1)	/* IPC_RMID */
			return EXIT_CALL_FAILED;	/* left some: said */
	}
	return close_stdout() == -1 ? EXIT_CALL_FAILED : 0;
}

/*
 * rm: IPC_RMID on the segment and the set, each only if it is of shm/'s
 * kinds - a ring's or a counter's segment (whole or damaged: it has our
 * magic number), a ring's or a counter's set (its size and its mark),
 * shm/first's segment (its size) and, beside it, its set of 2.  Anything
 * else on the key is someone else's: named and left.  Returns -1 if
 * anything was left.
 */
static int
remove_ours(int shmid, int semid)
{
	const char *kind = NULL;
	unsigned long n = 0;
	char line[128];
	size_t size;
	int ours = 0;

	if (shmid != -1)
		kind = segment_kind(shmid, &size);	/* kinds.c */
	if (semid != -1)
		ours = set_kind(semid, &n, line, sizeof line, 0) ||
		    (n == FIRST_NSEMS && kind == first_kind);
	if (kind != NULL && !shm_kind(kind)) {
		refuse("key 0x%08x: segment id %d is not one of ours (%zu "
		    "bytes): left", (unsigned int)key, shmid, size);
		shmid = -1;
	}
	if (semid != -1 && !ours) {
		refuse("key 0x%08x: semaphore set id %d of %lu semaphore%s "
		    "is not the ring's nor the counter's (their size and "
		    "mark), nor shm/first's (2, beside its segment): left",
		    (unsigned int)key, semid, n, plural(n));
		semid = -1;
	}
	/* Removed meanwhile (a reader finishing: EINVAL, EIDRM) is done. */
	if (shmid != -1 && shmctl(shmid, IPC_RMID, NULL) == -1 &&
	    errno != EINVAL && errno != EIDRM)
		die("shmctl IPC_RMID");
	if (semid != -1 && semctl(semid, 0, IPC_RMID) == -1 &&
	    errno != EINVAL && errno != EIDRM)
		die("semctl IPC_RMID");
	if (shmid != -1 || semid != -1)
		note("IPC_RMID: removed %s%s%s", shmid != -1 ? "the segment" :
		    "", shmid != -1 && semid != -1 ? " and " : "",
		    semid != -1 ? "the semaphore set" : "");
	if ((kind != NULL && shmid == -1) || (n != 0 && semid == -1)) {
		hint("remove what is left with ipcrm, if it is yours to remove");
		return -1;
	}
	return 0;
}

/* IPC_STAT on the segment: what ipcs -m shows, and more. */
static void
show_segment(int shmid)
{
	struct shmid_ds ds;
	const char *kind;
	size_t size;

	if (shmid == -1) {
		printf("segment    none\n");
		return;
	}
	if (shmctl(shmid, IPC_STAT, &ds) == -1)
		die("shmctl IPC_STAT");
	kind = segment_kind(shmid, &size);	/* a look at its header */
	printf("segment    id %d\n", shmid);
	printf("holds      %s\n", kind);
	printf("owner      uid %u, gid %u\n", (unsigned int)ds.shm_perm.uid,
	    (unsigned int)ds.shm_perm.gid);
	printf("creator    uid %u, gid %u, pid %ld\n",
	    (unsigned int)ds.shm_perm.cuid, (unsigned int)ds.shm_perm.cgid,
	    (long)ds.shm_cpid);
	printf("mode       0%03o\n", (unsigned int)ds.shm_perm.mode & 0777);
	printf("size       %zu\n", (size_t)ds.shm_segsz);
	printf("nattch     %lu\n", (unsigned long)ds.shm_nattch);
	printf("last pid   %ld (last shmat or shmdt)\n", (long)ds.shm_lpid);
	printf("attached   %s\n", ipc_time(ds.shm_atime));
	printf("detached   %s\n", ipc_time(ds.shm_dtime));
	printf("changed    %s\n", ipc_time(ds.shm_ctime));
	printf("removing   %s\n", ds.shm_perm.mode & SHM_DEST ?
	    "yes (marked: goes with the last detach)" : "no");
}

/*
 * The semaphores: how many (sem_nsems), and each value, named when the
 * set is the ring's (shm/ring.h) or the counter's: its size and its mark.
 */
static void
show_set(int semid)
{
	unsigned long n;
	char line[128];
	int ours;

	if (semid == -1) {
		printf("semaphores none\n");
		return;
	}
	ours = set_kind(semid, &n, line, sizeof line, 0);	/* kinds.c */
	printf("semaphores id %d, %lu of them (%s)\n", semid, n,
	    !ours ? set_owner(n) : n == NSEMS ?
	    "shm/writer's ring: its mark is there" :
	    "shm/counter's: its mark is there");
	if (ours || n == FIRST_NSEMS)
		printf("values     %s\n", line);
}

/*
 * ctl watch's look (watch() in common/ polls it): the segment's nattch
 * (IPC_STAT), and the values of the set with the same key, by name for
 * the ring's and the counter's.  Returns 0 when neither has our key: not
 * yet, or no more.
 */
static int
shm_state(char *line, size_t size)
{
	struct shmid_ds ds;
	unsigned long n = 0;
	int shmid = shmget(key, 0, 0), semid, len, ours = 0;

	if (shmid == -1 && errno != ENOENT)	/* flags 0: never create */
		die("shmget");
	if (shmid != -1 && shmctl(shmid, IPC_STAT, &ds) == -1) {
		if (errno != EINVAL && errno != EIDRM)
			die("shmctl IPC_STAT");
		shmid = -1;		/* removed since shmget */
	}
	len = shmid == -1 ? snprintf(line, size, "no segment; ") :
	    snprintf(line, size, "nattch %lu; ", (unsigned long)ds.shm_nattch);
	if (len < 0 || (size_t)len >= size)
		return 1;
	line += len;
	size -= (size_t)len;
	if ((semid = semget(key, 0, 0)) == -1 && errno != ENOENT)
		die("semget");
	if (semid != -1)
		ours = set_kind(semid, &n, line, size, 1);	/* n 0: gone */
	if (n == 0)
		snprintf(line, size, "no semaphores");
	else if (!ours)
		snprintf(line, size, "a set of %lu semaphores (%s)", n,
		    set_owner(n));
	return n != 0 || shmid != -1;
}

/* The command line: -f -k -q (common/), then stat, rm, key or watch. */
static int
options(int argc, char *argv[], int *force)
{
	static const struct row rows[] = {
		{ "stat", "print the segment (IPC_STAT) and its semaphores" },
		{ "rm", "remove the segment and the semaphore set (IPC_RMID)" },
		KEY_CMD,
		{ "watch", "print nattch and the semaphores each time they "
		    "change" },
		{ "-f", "rm: another user's segment and set too (as root)" },
		KEY_ROW("the key"),
		QUIET_ROW,
	};
	static const struct program ctl = { "shm/ctl", "", NULL, ROWS(rows) };

	return command(argc, argv, parse_options(&ctl, argc, argv,
	    flag_option, force), "", 0, NULL);
}
