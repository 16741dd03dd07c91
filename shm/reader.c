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
 *
 * See also: shm/writer, shm/ctl, shmget(2), shmop(2), shmctl(2), semop(2).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "ring.h"

static int semid = -1, shmid = -1;	/* the set; the writer's segment */
static int made_set;			/* we created the set in this run */
static const struct ring *ring;		/* the segment, once attached */
static int finished;			/* finish() has run */

static void options(int argc, char *argv[]);
static int attach(uint32_t *slots, uint32_t *slot_bytes);
static int drain(uint32_t slots, uint32_t slot_bytes, struct tally *t);
static int writer_gone(void);
static void finish(int status);
static void leave_early(int status);
static void abandon(void);

/*
 * For ring_take: has the writer gone (ring.c)?  It may give us shmid.  A
 * segment not ours came instead (-1): said; we stop, and remove only the
 * set, if we made it.
 */
static int
writer_gone(void)
{
	int gone = ring_writer_gone(semid, ring != NULL, &shmid);

	if (gone != -1)
		return gone;
	finished = 1;
	if (made_set)
		ring_remove(semid, -1);
	else
		(void)ring_leave(semid, READER);
	exit(EXIT_CALL_FAILED);
}

int
main(int argc, char *argv[])
{
	struct tally t = { 0, 0, { 0, 0 } };
	uint32_t slots = 0, slot_bytes = 0;
	int status;

	options(argc, argv);			/* -k -q: below */
	catch_signals();
	semid = ring_set(&made_set);		/* semget: sem/set.c */
	if (semid == -1)
		return exit_status(EXIT_CALL_FAILED);
	ring_stale(semid, made_set);	/* a segment there must be live */
	ring_arrive(semid, READER);	/* READER 0 -> 1 if STARTED is 0 */
	if (atexit(abandon) != 0)
		die("atexit");

	/* P(FILLED), and STARTED 0 -> 1 in the same call: we take part. */
	note("waiting for the writer's first slot (P on FILLED)...");
	status = ring_take(semid, FILLED, STARTED, writer_gone);
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
 * The writer has filled a slot, so its segment exists.  SHM_RDONLY maps
 * it read-only.  Its size comes from the kernel (IPC_STAT), never from
 * the header alone, so a corrupt header cannot send us past the end; the
 * geometry is copied once, so a header changed later cannot either.
 */
static int
attach(uint32_t *slots, uint32_t *slot_bytes)
{
	struct shmid_ds ds;
	int id;

	id = shmget(ipc_key, 0, 0400);
	if (id == -1 && errno == ENOENT)
		return ring_no_segment(semid);	/* a set not ours: ring.c */
	if (id == -1)
		die("shmget");
	ring_stat(id, &ds);			/* and refuse_if_not_ours */
	ring = shmat(id, NULL, SHM_RDONLY);
	if (ring == (void *)-1)
		die("shmat");
	if (ring_check(ring, ds.shm_segsz) == -1) {
		ring_untake(semid);	/* not ours: as we found it */
		return CORRUPT;
	}
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
 * The consumer: the slot is ours (we hold one FILLED), write it out,
 * V(FREE), P(FILLED) for the next, round the ring in order.  A slot of
 * length 0 is the end of the stream.  If our output fails, say exactly
 * what was lost (output_failed()).
 */
static int
drain(uint32_t slots, uint32_t slot_bytes, struct tally *t)
{
	const char *data = (const char *)ring + ring_header_size(slots);
	uint32_t i = 0, len;
	size_t out;
	int r;

	for (;;) {
		len = ring->len[i];
		if (len > slot_bytes) {
			fprintf(stderr, "%s: slot %u says %u bytes, more than a "
			    "slot holds: corrupt segment\n", prog, i, len);
			return CORRUPT;
		}
		if (len == 0)
			return DONE;
		out = write_part(STDOUT_FILENO, data + (size_t)i * slot_bytes,
		    len);
		if (out < len)
			return ring_lost(semid, i, len, out, t->bytes);
		t->bytes += len;
		t->slots++;
		ring_give(semid, FREE);
		i = (i + 1) % slots;
		if ((r = ring_take(semid, FILLED, -1, writer_gone)) != DONE)
			return r;
	}
}

/*
 * Say how it ended, detach, and leave.  At the end of the stream we remove
 * the segment and the set.  Stopped early, see leave_early().
 */
static void
finish(int status)
{
	finished = 1;
	ring_ended(READER, status, semid, ring);	/* why, in words */
	if (ring != NULL && shmdt(ring) == -1)
		die("shmdt");
	ring = NULL;
	if (status != DONE) {
		leave_early(status);
		return;
	}
	(void)ring_leave(semid, READER);
	ring_remove(semid, shmid);
	note("removed the segment and the semaphore set (IPC_RMID)");
}

/*
 * Leave before the end.  A stream nobody has taken from (STARTED 0) with
 * its segment there stays whole for the next reader; a segment that is
 * not one of ours (CORRUPT) is not ours to judge.  Otherwise whoever
 * leaves last removes both: the stream is over or broken.
 */
static void
leave_early(int status)
{
	if (status == CORRUPT || (status != PEER_GONE &&
	    semctl(semid, STARTED, GETVAL) == 0 &&
	    shmget(ipc_key, 0, 0) != -1)) {
		(void)ring_leave(semid, READER);
		return;
	}
	if (last_out(semid, READER, WRITER, shmid))
		note("removed the segment and the semaphore set (IPC_RMID)%s",
		    status == LOST ? ": the rest of the stream with them" : "");
}

/* At exit after a failed call (die), before finish(): leave, as above. */
static void
abandon(void)
{
	if (finished)
		return;
	if (ring != NULL)
		(void)shmdt(ring);
	leave_early(LOST);
}

/* The command line: -k -q (common/), no operands, then the key. */
static void
options(int argc, char *argv[])
{
	static const struct row rows[] = {
		KEY_ROW("the key"),
		QUIET_ROW,
	};
	static const struct program reader = { "shm/reader", "> output",
	    "Write out what shm/writer streams through shared memory.",
	    ROWS(rows) };

	no_more_operands(argc, argv, parse_options(&reader, argc, argv, NULL,
	    NULL), NULL);
	use_key(PROJ_SHM);
}
