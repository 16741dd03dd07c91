/*
 * kinds.c - what an object with our key is: a ring's or a counter's
 * segment (its header), a ring's or a counter's set (its size and its
 * mark), or another program's.  shm/ctl names and removes only shm/'s
 * kinds, and no other user's (unless -f); the ring's programs and the
 * counter (counter_attach) say what they refuse.  This file alone knows
 * both the ring (ring.h) and the counter (team.h).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/types.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "ipcdemo.h"
#include "ring.h"
#include "team.h"

/*
 * A segment whose header is still zeros, as the kernel made it, is a ring
 * whose writer died (or failed to attach it) before writing the header -
 * if that writer made it: its creator (shm_cpid) is FREE's last pid on the
 * ring's set with our key (GETPID: the writer sets FREE right after its
 * shmget, before its shmat; no other process touches FREE until a slot is
 * filled, and so the header written).  Else it is a stranger's.
 */
static int
unwritten_ring(const struct shmid_ds *ds, const struct ring *r)
{
	unsigned long n;
	char line[128];
	int semid;

	if (ds->shm_segsz < ring_size(1, 1) || r->magic != 0 ||
	    r->version != 0 || r->slots != 0 || r->slot_bytes != 0)
		return 0;
	semid = semget(ipc_key, 0, 0);
	if (semid == -1 || !set_kind(semid, &n, line, sizeof line, 1) ||
	    n != NSEMS)
		return 0;
	return semctl(semid, FREE, GETPID) == ds->shm_cpid;
}

/*
 * What is this segment?  Attached read-only for a look at its header:
 * "a ring", "a counter", ours but damaged, shm/first's buffer (it has no
 * header: its size says), or "not one of ours".  Sets *segsz.
 */
const char ring_kind[] = "shm/writer's ring";
const char unwritten_kind[] = "shm/writer's ring, its header never written "
    "(its writer died first)";
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
	else if (unwritten_ring(&ds, r))
		kind = unwritten_kind;
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
	return kind == ring_kind || kind == unwritten_kind ||
	    kind == counter_kind || kind == damaged_kind || kind == first_kind;
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
 * shm/reader, not attached, with no writer and no slot to read: is the
 * segment with our key a stream of ours?  Before the reader arrives
 * (arrived 0), none is: another program's, or a crash's.  As it waits, a
 * ring, laid out or not, is its writer's, gone before the first slot:
 * ours to remove (*shmid; returns 1).  Anything else is said and left,
 * with the set unless we made it (returns -1: the reader exits 1).  No
 * segment, or a writer just come: 0, wait on.
 */
int
ring_stale(int semid, key_t key, int arrived, int made_set, int *shmid)
{
	struct shmid_ds ds;
	const char *kind;
	size_t size;
	int id;

	if ((id = shmget(key, 0, 0)) == -1)
		return 0;
	/* Again: a writer that just came has WRITER 1 before its segment. */
	if (arrived && (ring_value(semid, WRITER) != 0 ||
	    ring_value(semid, FILLED) != 0))
		return 0;
	shmctl_stat(id, &ds);			/* another user's: refused */
	kind = segment_kind(id, &size);
	if (arrived && (kind == ring_kind || kind == unwritten_kind)) {
		*shmid = id;
		return 1;
	}
	ring_refuse(key, id, "", arrived ? ", which came while we waited "
	    "for a writer: left as it is" : ", with no writer and nothing to "
	    "read: left as it is", arrived ? "no writer can use this key "
	    "while it is there; pick another key with -k" : "if it is a "
	    "stream left behind, remove it with {ctl} rm; or pick another "
	    "key with -k");
	if (made_set)
		ring_remove(semid, -1);
	else if (arrived)
		(void)ring_leave(semid, READER);
	return -1;
}

/*
 * Create the counter's segment or join it, holding the mutex; the creator
 * writes the header (a new segment is zeros: the count starts at 0).  A
 * segment made by anyone else has another size or header: refused.  A
 * failed shmat returns (void *)-1, not NULL: a segment we made goes.
 */
struct counter *
counter_attach(key_t key, int *shmid)
{
	struct shmid_ds ds;
	struct counter *c;
	int id, created, err;

	do {	/* ENOENT: the last run out removed it between our calls */
		created = 1;
		id = shmget(key, sizeof *c, IPC_CREAT | IPC_EXCL | 0600);
		if (id == -1 && errno == EEXIST) {
			created = 0;
			id = shmget(key, 0, 0);
		}
	} while (id == -1 && errno == ENOENT);
	if (id == -1)
		die("shmget");
	shmctl_stat(id, &ds);		/* and refuse_if_not_ours */
	if ((c = shmat(id, NULL, 0)) == (void *)-1) {
		err = errno;
		if (created && shmctl(id, IPC_RMID, NULL) == -1)
			complain("shmctl IPC_RMID");
		errno = err;
		die("shmat");
	}
	if (created) {
		c->version = COUNTER_VERSION;
		c->magic = COUNTER_MAGIC;
	} else if (ds.shm_segsz != sizeof *c || c->magic != COUNTER_MAGIC ||
	    c->version != COUNTER_VERSION) {
		fprintf(stderr, "%s: key 0x%08x holds a segment of %zu bytes "
		    "that is not a counter (id %d): left as it is\n", prog,
		    (unsigned int)key, (size_t)ds.shm_segsz, id);
		hint("pick another key with -k (or another IPC_DEMO_KEY)");
		exit(EXIT_CALL_FAILED);
	}
	*shmid = id;
	note("shmat: segment id %d at %p, nattch %lu; the count is %lld",
	    id, (void *)c, (unsigned long)ds.shm_nattch + 1,
	    atomic_load(&c->count));
	return c;
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
