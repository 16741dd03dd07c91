/*
 * kinds.c - what an object with our key is: a ring's or a counter's
 * segment (its header), a ring's or a counter's set (its size and its
 * mark), or another program's.  shm/ctl names and removes only shm/'s
 * kinds, and no other user's (unless -f); the ring's programs say what
 * they refuse.  This file alone knows both the ring (ring.h) and the
 * counter (team.h).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ipcdemo.h"
#include "ring.h"
#include "team.h"

/*
 * What is this segment?  Attached read-only for a look at its header:
 * "a ring", "a counter", ours but damaged, shm/first's buffer (it has no
 * header: its size says), or "not one of ours".  Sets *segsz.
 */
const char ring_kind[] = "shm/writer's ring";
const char counter_kind[] = "shm/counter's counter";
const char damaged_kind[] = "shm/'s magic number, but a corrupt header";
const char first_kind[] = "shm/first/writer's buffer (by its size)";

const char *
segment_kind(int shmid, size_t *segsz)
{
	const struct ring *r;
	struct shmid_ds ds;
	const char *kind = "a segment that is not one of ours";

	if (shmctl(shmid, IPC_STAT, &ds) == -1)
		die("shmctl IPC_STAT");
	*segsz = ds.shm_segsz;
	r = shmat(shmid, NULL, SHM_RDONLY);
	if (r == (void *)-1)
		die("shmat (to look at the header)");
	if (ds.shm_segsz == sizeof(struct counter) &&
	    r->magic == COUNTER_MAGIC)
		kind = counter_kind;
	else if (ring_fits(r, ds.shm_segsz))
		kind = ring_kind;
	else if (ds.shm_segsz >= sizeof r->magic && (r->magic == RING_MAGIC ||
	    r->magic == COUNTER_MAGIC))
		kind = damaged_kind;
	else if (ds.shm_segsz == sizeof(struct first_seg))
		kind = first_kind;
	if (shmdt(r) == -1)
		die("shmdt");
	return kind;
}

/* Is it one of shm/'s kinds: a ring, a counter, ours but damaged, or
 * shm/first's? */
int
shm_kind(const char *kind)
{
	return kind == ring_kind || kind == counter_kind ||
	    kind == damaged_kind || kind == first_kind;
}

/*
 * IPC_STAT on a segment with our key: another user's, or one open to
 * others, is refused (refuse_if_not_ours, common/).
 */
void
shmctl_stat(int shmid, struct shmid_ds *ds)
{
	if (shmctl(shmid, IPC_STAT, ds) == -1)
		die("shmctl IPC_STAT");
	refuse_if_not_ours("segment", shmid, &ds->shm_perm);
}

/*
 * A segment with our key that we will not use: another user's is refused
 * (common/), else we say what it holds, "already" and "why", and advise.
 * The caller exits.
 */
void
ring_refuse(key_t key, int shmid, const char *already, const char *why,
    const char *advice)
{
	struct shmid_ds ds;
	const char *kind;
	size_t size;

	shmctl_stat(shmid, &ds);
	kind = segment_kind(shmid, &size);
	fprintf(stderr, "%s: key 0x%08x holds %s%s (id %d, %zu bytes)%s\n",
	    prog, (unsigned int)key, kind, already, shmid, size, why);
	if (kind == first_kind)
		hint("a stream of shm/first/writer's (shm/first/reader reads "
		    "it, {ctl} rm removes it); or pick another key with -k");
	else if (shm_kind(kind))
		hint("%s", advice);
	else	/* not shm/'s: {ctl} rm would leave it, rightly */
		hint("it is not shm/'s, so no shm/ program will remove it; "
		    "pick another key with -k");
}

/*
 * shm/writer: shmget with IPC_CREAT|IPC_EXCL failed.  A segment left with
 * our key (a stream nobody read, a crash, another program's) is not ours
 * to overwrite: we say what it is, leave it, and exit 1.
 */
noreturn void
ring_not_made(key_t key)
{
	int other;

	if (errno == EEXIST && (other = shmget(key, 0, 0)) != -1) {
		ring_refuse(key, other, " already", ": not ours to overwrite",
		    "a stream nobody has read yet (run shm/reader), or one "
		    "left behind ({ctl} rm); or pick another key with -k");
		exit(EXIT_CALL_FAILED);
	}
	die("shmget");
}

/*
 * shm/ctl rm leaves another user's segment or set - both, if either is -
 * as every other program does, unless -f (refuse_if_foreign, common/):
 * root passes every permission check, and would remove anyone's without a
 * word.
 */
void
not_foreign(int shmid, int semid, int force)
{
	struct shmid_ds shm;
	struct semid_ds sem;
	union semun arg;

	if (shmid != -1 && shmctl(shmid, IPC_STAT, &shm) == -1)
		die("shmctl IPC_STAT");
	if (shmid != -1)
		refuse_if_foreign("segment", shmid, &shm.shm_perm, force);
	arg.buf = &sem;
	if (semid != -1 && semctl(semid, 0, IPC_STAT, arg) == -1)
		die("semctl IPC_STAT");
	if (semid != -1)
		refuse_if_foreign("semaphore set", semid, &sem.sem_perm,
		    force);
}

/*
 * Set semid: how many semaphores it has (IPC_STAT) into *n, and whether
 * it is the ring's or the counter's: its size and its mark say (ring.h,
 * team.h).  If it is, its values by name (GETALL) go into line, "FREE 0
 * FILLED 2 ...", all but the mark, and it returns 1; else 0.  A set of 2
 * may be shm/first's (EMPTY, FULL): its values go into line too, but it
 * has no mark, so it is not called ours (0).  For ctl watch (gone_ok), a
 * set that went since it was found is no error: *n is 0.
 */
int
set_kind(int semid, unsigned long *n, char *line, size_t size, int gone_ok)
{
	static const char *const ring[] = { "FREE", "FILLED", "WRITER",
		"READER", "STARTED" };
	static const char *const counter[] = { "MUTEX", "GATE", "RUNNERS" };
	static const char *const first[] = { "EMPTY", "FULL" };
	const char *const *names = NULL;
	unsigned short vals[NSEMS];	/* room for a ring's or a counter's */
	struct semid_ds ds;
	union semun arg;
	unsigned long i, shown;
	size_t len;

	*n = 0;
	arg.buf = &ds;
	if (semctl(semid, 0, IPC_STAT, arg) == -1) {
		if (!gone_ok)
			die("semctl IPC_STAT");
		return 0;
	}
	*n = (unsigned long)ds.sem_nsems;
	arg.array = vals;
	if ((*n == NSEMS || *n == COUNTER_NSEMS || *n == FIRST_NSEMS) &&
	    semctl(semid, 0, GETALL, arg) == -1) {
		if (!gone_ok)
			die("semctl GETALL");
		*n = 0;
		return 0;
	}
	if (*n == NSEMS && vals[RING_MARK] == RING_MARK_VALUE)
		names = ring;
	if (*n == COUNTER_NSEMS && vals[COUNTER_MARK] == COUNTER_MARK_VALUE)
		names = counter;
	shown = *n - 1;				/* all but the mark */
	if (*n == FIRST_NSEMS) {		/* shm/first's? it has no mark */
		names = first;
		shown = *n;
	}
	for (i = 0, len = 0; names != NULL && i < shown && len < size; i++)
		len += (size_t)snprintf(line + len, size - len, "%s%s %u",
		    i ? " " : "", names[i], vals[i]);
	return names != NULL && names != first;
}
