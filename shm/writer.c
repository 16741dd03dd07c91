/*
 * shm/writer - stream standard input into a System V shared memory
 * segment, a ring of slots that shm/reader empties.  Its partner is
 * shm/reader.
 *
 * shmget(2) makes a segment of memory that belongs to the kernel; shmat(2)
 * maps it into this process, where it is plain memory.  The reader maps the
 * same pages, so what we read(2) into a slot is there for it to write(2)
 * out: no copy through the kernel in between, which is why shared memory
 * is fast.  But nothing stops two processes touching the same bytes at
 * once, so two counting semaphores take turns: FREE slots for us, FILLED
 * slots for the reader (shm/ring.h has the whole protocol).
 *
 * The writer creates the segment (only it knows -s and -z); whichever side
 * starts first creates the semaphores.  The reader removes both at the end.
 *
 * Run it in two terminals:
 *	terminal 1:  shm/writer < /usr/share/dict/words    (or any file)
 *	terminal 2:  shm/reader > copy; cmp copy /usr/share/dict/words
 * and watch with ipcs -m -s (nattch is 2 while both are attached).
 *
 * Try this: shm/writer -s 1 -z 1024 < bigfile, with shm/reader > /dev/null:
 * one small buffer, a hand-over per KiB, and much slower than the defaults.
 * Try this: kill -9 the reader mid-stream, then start another reader: it
 * is refused ("the stream is broken"), the writer notices within a second
 * or two, says so, and removes the segment.
 *
 * See also: shm/reader, shm/ctl, shmget(2), shmop(2), shmctl(2), semop(2).
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

/* Chosen by make bench (BENCH_RINGS): two slots double-buffer, more are
 * only more pages to fault in; 1 MiB slots match dd bs=1M, the floor. */
enum { SLOTS_DEFAULT = 2, SLOT_BYTES_DEFAULT = 1 << 20 };

static int semid = -1, shmid = -1;	/* the set; our segment, once made */
static int made_set;			/* we created the set in this run */
static struct ring *ring;		/* our segment, attached */
static int finished;			/* finish() has run */

static void options(int argc, char *argv[], uint32_t *slots,
    uint32_t *slot_bytes);
static void create_segment(uint32_t slots, uint32_t slot_bytes);
static int stream(uint32_t slots, uint32_t slot_bytes, struct tally *t);
static int reader_gone(void);
static void finish(int status, const struct tally *t);
static void abandon(void);

int
main(int argc, char *argv[])
{
	struct tally t = { 0, 0, { 0, 0 } };
	uint32_t slots, slot_bytes;
	int status;

	options(argc, argv, &slots, &slot_bytes);	/* -k -q -s -z: below */
	catch_signals();
	semid = ring_set(&made_set);		/* semget: sem/set.c */
	if (semid == -1)
		return exit_status(EXIT_CALL_FAILED);
	ring_arrive(semid, WRITER);	/* WRITER 0 -> 1, SEM_UNDO */
	if (atexit(abandon) != 0)
		die("atexit");
	create_segment(slots, slot_bytes);	/* shmget, shmat, header */

	if (clock_gettime(CLOCK_MONOTONIC, &t.t0) == -1)
		die("clock_gettime");
	status = stream(slots, slot_bytes, &t);	/* P, read, V: the ring */
	finish(status, &t);		/* shmdt; the last removes */
	return exit_status(status == DONE ? 0 : EXIT_CALL_FAILED);
}

/*
 * shmget with IPC_CREAT|IPC_EXCL: a segment left with our key (a stream
 * nobody read, a crash, another program's) is not ours to overwrite, so
 * we say what it is and leave it.  shmat with a NULL address lets the
 * kernel choose where the segment appears in our memory.  Then the header,
 * and the stream's semaphores: FREE opens every slot.
 */
static void
create_segment(uint32_t slots, uint32_t slot_bytes)
{
	size_t size = ring_size(slots, slot_bytes);
	struct shmid_ds ds;
	int other;

	shmid = shmget(ipc_key, size, IPC_CREAT | IPC_EXCL | 0600);
	if (shmid == -1 && errno == EEXIST &&
	    (other = shmget(ipc_key, 0, 0)) != -1) {
		ring_refuse(other, " already", ": not ours to overwrite", "a "
		    "stream nobody has read yet (run shm/reader), or one left "
		    "behind ({ctl} rm); or pick another key with -k");
		exit(EXIT_CALL_FAILED);
	}
	if (shmid == -1)
		die("shmget");
	ring = shmat(shmid, NULL, 0);
	if (ring == (void *)-1)
		die("shmat");
	ring->version = RING_VERSION;
	ring->slots = slots;
	ring->slot_bytes = slot_bytes;
	ring->aborted = 0;		/* the kernel zeroed the lengths */
	ring->magic = RING_MAGIC;
	ring_open_slots(semid, slots);	/* FREE = slots: ring.c */
	if (shmctl(shmid, IPC_STAT, &ds) == -1)
		die("shmctl IPC_STAT");
	note("shmget: created segment id %d, %zu bytes (%u slot%s of %u "
	    "byte%s); shmat: at %p, nattch %lu", shmid, size, slots,
	    plural(slots), slot_bytes, plural(slot_bytes), (void *)ring,
	    (unsigned long)ds.shm_nattch);
}

/*
 * The producer: P(FREE), read(2) straight into the slot, V(FILLED), round
 * the ring in order.  A read of 0 bytes (end of input) fills the last slot
 * with length 0: the end of the stream.  The geometry is our own copy,
 * and the header is checked each round (ring_intact).
 */
static int
stream(uint32_t slots, uint32_t slot_bytes, struct tally *t)
{
	char *data = (char *)ring + ring_header_size(slots);
	uint32_t i = 0;
	ssize_t n;
	int r;

	for (;;) {
		if ((r = ring_take(semid, FREE, -1, reader_gone)) != 0)
			return r;
		if (!ring_intact(ring, slots, slot_bytes))
			return CORRUPT;
		if ((n = ring_input(data + (size_t)i * slot_bytes,
		    slot_bytes, reader_gone)) < 0)
			return (int)n;
		ring->len[i] = (uint32_t)n;
		ring_give(semid, FILLED);
		t->slots++;
		if (n == 0)
			return DONE;
		t->bytes += (unsigned long long)n;
		i = (i + 1) % slots;
		if (reader_gone())
			return PEER_GONE;
	}
}

/*
 * Has the reader gone before the end?  STARTED is 1 once a reader has
 * taken a slot, and READER 1 while it runs (SEM_UNDO puts it back to 0
 * when it dies): STARTED without READER is a reader gone, and no other
 * can take its place (ring.h).  A reader that never came is not gone: the
 * stream waits for one, as a message queue would - unless our segment was
 * removed meanwhile (shm/ctl rm, ipcrm -m).  IPC_RMID on a segment takes
 * its key away at once, though the memory stays while we are attached:
 * shmget finds no segment, so no reader ever could.
 */
static int
reader_gone(void)
{
	if (ring_value(semid, STARTED) != 0)
		return ring_value(semid, READER) == 0;
	return shmget(ipc_key, 0, 0) != shmid;
}

/*
 * Leave.  Stopped early, we mark the stream aborted so the reader can
 * tell, and if no reader is there, we remove the segment and the set.  A
 * complete stream waits for its reader, which removes both.
 */
static void
finish(int status, const struct tally *t)
{
	finished = 1;
	ring_ended(WRITER, status, semid, ring);	/* why, in words */
	ring_tally(t, "");
	if (status != DONE)
		ring->aborted = 1;
	if (shmdt(ring) == -1)
		die("shmdt");
	if (status == DONE)
		ring_leave(semid, WRITER);	/* the reader removes */
	else if (last_out(semid, WRITER, READER, shmid))
		note("no reader left: removed the segment and the semaphore "
		    "set");
}

/*
 * At exit after a failed call (die), before finish(): leave, and remove
 * what this run made if no reader is there (a writer refused at the start
 * made no segment, and removes the set only if it made that).
 */
static void
abandon(void)
{
	if (finished)
		return;
	if (ring != NULL)
		ring->aborted = 1;
	if (shmid != -1 || made_set)
		(void)last_out(semid, WRITER, READER, shmid);
	else
		(void)ring_leave(semid, WRITER);
}

/* -s and -z, for parse_options(): the geometry of the ring. */
static int
own_option(int opt, const char *arg, void *ctx)
{
	long long *geometry = ctx, *v = &geometry[opt == 'z'];

	if (opt == 's')
		return parse_num("-s", arg, 1, SLOTS_MAX, v);
	return parse_num("-z", arg, 1, SLOT_BYTES_MAX, v);
}

/* The command line: -k -q -s -z (common/), no operands, then the key. */
static void
options(int argc, char *argv[], uint32_t *slots, uint32_t *slot_bytes)
{
	static const struct row rows[] = {
		KEY_ROW("the key"),
		QUIET_ROW,
		{ "-s SLOTS", "slots in the ring, 1 to 1024 (default 2)" },
		{ "-z SLOT_BYTES", "bytes in a slot, 1 to 67108864 (default "
		    "1048576)" },
	};
	static const struct program writer = { "shm/writer", "< input",
	    "Stream standard input through a shared memory ring to "
	    "shm/reader.", ROWS(rows) };
	long long geometry[2] = { SLOTS_DEFAULT, SLOT_BYTES_DEFAULT };

	no_more_operands(argc, argv, parse_options(&writer, argc, argv,
	    own_option, geometry), NULL);
	use_key(PROJ_SHM);
	*slots = (uint32_t)geometry[0];
	*slot_bytes = (uint32_t)geometry[1];
}
