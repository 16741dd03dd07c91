/*
 * shm/reader - write out, byte for byte, what shm/writer streams through
 * a System V shared memory segment.  Its partner is shm/writer.
 *
 * The reader maps the writer's segment with shmat(2), read-only
 * (SHM_RDONLY: a stray store would be a crash, not a corruption), and
 * write(2)s each filled slot straight out of the shared pages.  The
 * semaphores say when a slot is full (FILLED) and give it back when it has
 * been written (FREE); shm/ring.h has the protocol.
 *
 * Whichever side starts first creates the semaphores.  A reader that comes
 * first waits for the writer's first slot, then attaches.  At the end of
 * the stream the reader detaches and removes the segment and the set;
 * the segment really goes when the writer has detached too.  One reader
 * per stream: once a reader has taken a slot, no other may take its place
 * (what it took is lost with it), and a second reader is refused.
 *
 * Run it in two terminals:
 *	terminal 1:  shm/reader > copy
 *	terminal 2:  shm/writer < some-file;  then cmp copy some-file
 * and watch with ipcs -m -s while it runs.
 *
 * Try this: kill -9 the writer mid-stream; the reader notices within a
 * second or two, says the output is incomplete, exits 1 and cleans up.
 * Try this: shm/writer < some-file, then shm/reader > /dev/full: nothing
 * can be written, so nothing is taken, and shm/reader > copy gets it all.
 * Try this: as a slow writer streams, a V on FILLED from outside (perl -e
 * 'semop(semget(KEY, 0, 0), pack("s!3", 1, 1, 0))'): the reader takes a
 * slot not filled yet, sees it, and says the stream was tampered with.
 *
 * See also: shm/writer, shm/ctl, shmget(2), shmop(2), shmctl(2), semop(2).
 */
#include <sys/sem.h>
#include <sys/shm.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "ring.h"

static key_t key;			/* main's: for the looks, at exit */
static int semid = -1, shmid = -1;	/* the set; the writer's segment */
static int made_set;			/* we created the set in this run */
static const struct ring *ring;		/* the segment, once attached */

static void options(int argc, char *argv[]);
static int no_writer(int arrived);
static int writer_gone(void);
static int attach(uint32_t *slots, uint32_t *slot_bytes);
static int drain(uint32_t slots, uint32_t slot_bytes, struct tally *t);
static void finish(int status);
static void abandon(void);

int
main(int argc, char *argv[])
{
	struct sembuf first[2] = {	/* the first P: ring.h */
		{ .sem_num = FILLED, .sem_op = -1, .sem_flg = 0 },
		{ .sem_num = STARTED, .sem_op = 1, .sem_flg = SEM_UNDO },
	};
	struct tally t = { 0, 0, { 0, 0 } };
	uint32_t slots = 0, slot_bytes = 0;
	int status;

	options(argc, argv);			/* -k -q: below */
	key = use_key(PROJ_SHM);		/* -k, $IPC_DEMO_KEY or ftok */
	catch_signals();
	semid = open_ring_set(key, &made_set);	/* semget: turns.c */
	if (semid == -1)
		return exit_status(EXIT_CALL_FAILED);
	(void)no_writer(0);		/* a segment there must be live */
	semop_arrive(semid, READER, key);	/* READER 0 -> 1, SEM_UNDO */
	if (atexit(abandon) != 0)
		die("atexit");

	/* P(FILLED), and STARTED 0 -> 1 in the same call: we take part. */
	ring_first_p(semid);			/* says if it will wait */
	status = semop_or_gone(semid, first, 2, writer_gone);
	if (status == DONE)
		status = attach(&slots, &slot_bytes);	/* shmat, read-only */
	if (clock_gettime(CLOCK_MONOTONIC, &t.t0) == -1)
		die("clock_gettime");
	if (status == DONE)
		status = drain(slots, slot_bytes, &t);	/* write, V, P */
	ring_tally(&t, status == DONE ? "; then the end of the stream" : "");
	finish(status);				/* shmdt, IPC_RMID */
	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(status == DONE ? 0 : EXIT_CALL_FAILED);
}

/*
 * Has the writer gone, leaving no filled slot?  WRITER is 1 while it runs
 * (SEM_UNDO puts it back to 0 when it dies).  Not attached, a segment with
 * our key is looked at (ring_stale, kinds.c): before we arrive (main),
 * none is a stream of ours; as we wait (writer_gone), a ring is our
 * writer's, gone before its first slot: ours to remove (shmid).  Anything
 * else is said and left: exit 1.  No segment: we wait on (0).
 */
static int
no_writer(int arrived)
{
	int r;

	if (ring_value(semid, WRITER) != 0 || ring_value(semid, FILLED) != 0)
		return 0;
	if (ring != NULL)
		return 1;
	if ((r = ring_stale(semid, key, arrived, made_set, &shmid)) != -1)
		return r;
	semid = -1;				/* nothing for abandon() */
	exit(EXIT_CALL_FAILED);
}

/* For semop_or_gone (turns.c): the look once a second, as we wait. */
static int
writer_gone(void)
{
	return no_writer(1);
}

/*
 * The writer has filled a slot, so its segment exists: shmat, SHM_RDONLY.
 * Its size comes from the kernel (IPC_STAT), never from the header alone
 * (ring_check); the geometry is copied once, so a header changed later
 * cannot send us past the end either.
 */
static int
attach(uint32_t *slots, uint32_t *slot_bytes)
{
	struct shmid_ds ds;
	const void *at;
	int id = shmget(key, 0, 0400);

	if (id == -1 && errno == ENOENT)
		return ring_no_segment(semid, key);	/* a set not ours */
	if (id == -1)
		die("shmget");
	shmctl_stat(id, &ds);			/* and refuse_if_not_ours */
	at = shmat(id, NULL, SHM_RDONLY);
	if (at == (void *)-1)		/* -1, not NULL: the slot given back */
		ring_not_attached(READER, semid, id);	/* exit 1: layout.c */
	ring = at;
	if (ring_check(semid, ring, ds.shm_segsz, key) != DONE)
		return CORRUPT;		/* not ours: as we found it */
	shmid = id;
	*slots = ring->slots;
	*slot_bytes = ring->slot_bytes;
	note("shmat: segment id %d, %zu bytes (%u slot%s of %u byte%s), "
	    "read-only at %p; nattch %lu", shmid, (size_t)ds.shm_segsz,
	    *slots, plural(*slots), *slot_bytes, plural(*slot_bytes),
	    (const void *)ring, (unsigned long)ds.shm_nattch + 1);
	return DONE;
}

/*
 * The consumer: the slot is ours (we hold one FILLED): write it out,
 * V(FREE), P(FILLED) for the next, round the ring in order.  Length 0 is
 * the end of the stream; a failed output says what was lost (ring_lost).
 * Before and after the write, the slot must say it is the stream's n-th
 * (slot_check, slot_kept: layout.c): the semaphores alone prove nothing
 * (ring.h).
 */
static int
drain(uint32_t slots, uint32_t slot_bytes, struct tally *t)
{
	struct sembuf v = { .sem_num = FREE, .sem_op = 1, .sem_flg = 0 };
	struct sembuf p = { .sem_num = FILLED, .sem_op = -1, .sem_flg = 0 };
	const char *data = (const char *)ring + ring_header_size(slots);
	uint32_t i = 0;
	size_t out;
	long len;
	int r;

	for (;;) {
		if ((len = slot_check(ring, i, t->slots + 1, slot_bytes)) < 0)
			return TAMPERED;	/* not the n-th slot: said */
		if (len == 0)		/* the end, if the writer marked it */
			return ring_end_check(semid, ring, slots, t);
		out = write_part(STDOUT_FILENO, data + (size_t)i * slot_bytes,
		    (size_t)len);
		if (out < (size_t)len)
			return ring_lost(semid, i, (uint32_t)len, out,
			    t->bytes);
		if (slot_kept(ring, i, t->slots + 1, (uint32_t)len) != DONE)
			return TAMPERED;	/* refilled as we wrote it */
		t->bytes += (unsigned long long)len;
		t->slots++;
		if (semop(semid, &v, 1) == -1)	/* V(FREE) */
			die("semop V");
		i = (i + 1) % slots;
		if ((r = semop_or_gone(semid, &p, 1, writer_gone)) != DONE)
			return r;		/* P(FILLED): turns.c */
	}
}

/*
 * Say how it ended, detach, and leave: at the end we remove the segment
 * and the set, before it leave_stream (turns.c) says who removes.  Stopped
 * by a signal before a slot, with the writer gone (killed, interrupted)
 * and nothing to read, the ring is a dead writer's: the last out removes
 * it (our look, as if the writer's death had been seen).
 */
static void
finish(int status)
{
	int id = semid, how = status;

	if (status == STOPPED && ring == NULL &&
	    semctl(semid, WRITER, GETVAL) == 0 && no_writer(1) == 1)
		how = PEER_GONE;		/* shmid: the writer's */
	semid = -1;
	ring_ended(READER, status, id, ring, key);	/* why, in words */
	if (ring != NULL && shmdt(ring) == -1 && status != LOST)
		die("shmdt");
	leave_stream(READER, how, id, shmid, key);
}

/* At exit after a failed call (die), leave so too; semid is -1 once
 * finish() has begun: nothing left to do. */
static void
abandon(void)
{
	if (semid != -1)
		finish(LOST);
}

/* The command line: -k -q (common/), no operands. */
static void
options(int argc, char *argv[])
{
	static const struct row rows[] = { KEY_ROW("the key"), QUIET_ROW };
	static const struct program reader = { "shm/reader", "> output",
	    "Write out what shm/writer streams through shared memory.",
	    ROWS(rows) };

	no_more_operands(argc, argv, parse_options(&reader, argc, argv, NULL,
	    NULL), NULL);
}
