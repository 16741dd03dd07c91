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
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "ipcdemo.h"
#include "ring.h"

/* Chosen by make bench (BENCH_RINGS): two slots double-buffer, more are
 * only more pages to fault in; 1 MiB slots match dd bs=1M, the floor. */
enum { SLOTS_DEFAULT = 2, SLOT_BYTES_DEFAULT = 1 << 20 };
enum { POPULATE_MAX = 4 << 20 };	/* made at once; see stream() */

static int semid = -1, shmid = -1;	/* the set; our segment, once made */
static int made_set;			/* we created the set in this run */
static struct ring *ring;		/* our segment, attached */

static void options(int argc, char *argv[], uint32_t *slots,
    uint32_t *slot_bytes);
static int stream(uint32_t slots, uint32_t slot_bytes, struct tally *t);
static int reader_gone(void);
static void finish(int status, const struct tally *t, key_t key);
static void abandon(void);

int
main(int argc, char *argv[])
{
	struct tally t = { 0, 0, { 0, 0 } };
	uint32_t slots, slot_bytes;
	key_t key;
	void *at;
	int status;

	options(argc, argv, &slots, &slot_bytes);	/* -k -q -s -z: below */
	key = use_key(PROJ_SHM);		/* -k, $IPC_DEMO_KEY or ftok */
	catch_signals();
	semid = open_ring_set(key, &made_set);	/* semget: turns.c */
	if (semid == -1)
		return exit_status(EXIT_CALL_FAILED);
	semop_arrive(semid, WRITER, key);	/* WRITER 0 -> 1, SEM_UNDO */
	if (atexit(abandon) != 0)
		die("atexit");

	/* Our segment, made for this stream: IPC_EXCL, never another's. */
	shmid = shmget(key, ring_size(slots, slot_bytes),
	    IPC_CREAT | IPC_EXCL | 0600);
	if (shmid == -1)
		ring_not_made(key);		/* EEXIST: kinds.c */
	ring_open_slots(semid, slots);		/* FREE = slots: turns.c */
	at = shmat(shmid, NULL, 0);		/* NULL: the kernel chooses */
	if (at == (void *)-1)		/* -1, not NULL: removed, exit */
		ring_not_attached(WRITER, semid, shmid);	/* layout.c */
	ring = at;
	ring_lay_out(ring, shmid, slots, slot_bytes);	/* the header */

	if (clock_gettime(CLOCK_MONOTONIC, &t.t0) == -1)
		die("clock_gettime");
	status = stream(slots, slot_bytes, &t);	/* P, read, V: the ring */
	finish(status, &t, key);		/* shmdt; the last removes */
	return exit_status(status == DONE ? 0 : EXIT_CALL_FAILED);
}

/*
 * The producer: P(FREE), read(2) straight into the slot, V(FILLED), round
 * the ring in order.  Each slot gets its place in the stream (seq), after
 * its data: the reader checks it (ring.h).  A read of 0 bytes (end of
 * input) fills the last slot with length 0, marked as the end with the
 * stream's total.  The geometry is our own copy, and the header is checked
 * each round: only we write it, but anything with our uid could change it
 * under us.  Whether the reader is still there costs nothing per slot: we
 * look when a wait lasts a second (semop_or_gone, the tick for a read),
 * and once at the end of input.
 */
static int
stream(uint32_t slots, uint32_t slot_bytes, struct tally *t)
{
	struct sembuf p = { .sem_num = FREE, .sem_op = -1, .sem_flg = 0 };
	struct sembuf v = { .sem_num = FILLED, .sem_op = 1, .sem_flg = 0 };
	char *data = (char *)ring + ring_header_size(slots);
	size_t size = ring_size(slots, slot_bytes);
	uint32_t i = 0;
	ssize_t n;
	int r;

	/* A new segment's pages are made at their first touch, a page fault
	 * each (512 for 2 MiB) amid our reads; MADV_POPULATE_WRITE (Linux
	 * 5.14; ring.h) makes them in one call.  Only the first POPULATE_MAX
	 * bytes (all of the default ring): the call cannot be interrupted,
	 * and a big ring would keep Ctrl-C waiting, and hold all its memory
	 * for a stream of three bytes.  Without it, as ever. */
	if (madvise(ring, size < POPULATE_MAX ? size : POPULATE_MAX,
	    MADV_POPULATE_WRITE) == -1)
		note("madvise: %s: each page is made at its first touch",
		    errname(errno));
	ticking(1);		/* SIGALRM each second: read_or_gone */
	for (;;) {
		if ((r = semop_or_gone(semid, &p, 1, reader_gone)) != DONE)
			return r;		/* P(FREE): turns.c */
		if (ring->magic != RING_MAGIC || ring->slots != slots ||
		    ring->slot_bytes != slot_bytes ||
		    ring->version != RING_VERSION)
			return CORRUPT;
		n = read_or_gone(data + (size_t)i * slot_bytes, slot_bytes,
		    reader_gone);		/* read(2): layout.c */
		if (n < 0)
			return (int)n;		/* STOPPED, PEER_GONE */
		if (n == 0 && reader_gone())	/* no end for a broken one */
			return PEER_GONE;
		ring->slot[i].len = (uint32_t)n;
		if (n == 0) {		/* the end, marked: ring.h */
			ring->total = t->bytes;
			ring->ended = (uint32_t)(t->slots + 1);
		}
		ring->slot[i].seq = (uint32_t)++t->slots;	/* last */
		if (semop(semid, &v, 1) == -1)	/* V(FILLED) */
			die("semop V");
		if (n == 0)
			return DONE;
		t->bytes += (unsigned long long)n;
		i = (i + 1) % slots;
	}
}

/*
 * Has the reader gone before the end?  STARTED without READER (ring.h) is
 * a reader that took part, or died, and is gone: no other can take its
 * place.  A reader that never came is not gone: the stream waits for one,
 * as a message queue would - unless our segment was removed (shm/ctl rm,
 * ipcrm -m).  IPC_RMID marks a segment (SHM_DEST) and takes its key away
 * at once; the memory stays while we are attached, but no reader ever
 * could find it.
 */
static int
reader_gone(void)
{
	struct shmid_ds ds;

	if (ring_value(semid, STARTED) != 0)
		return ring_value(semid, READER) == 0;
	if (shmctl(shmid, IPC_STAT, &ds) == -1)
		die("shmctl IPC_STAT");
	return (ds.shm_perm.mode & SHM_DEST) != 0;
}

/*
 * Say how it ended, and leave.  Stopped early, we mark the stream aborted
 * so the reader can tell, and if no reader is there, we remove the
 * segment and the set; a complete stream waits for its reader, which
 * removes both (leave_stream, turns.c).  semid is -1 from here on, so
 * abandon() at exit has nothing left to do.
 */
static void
finish(int status, const struct tally *t, key_t key)
{
	int id = semid;

	semid = -1;
	ticking(0);			/* the looks are over */
	ring_ended(WRITER, status, id, ring, key);	/* why, in words */
	ring_tally(t, "");
	if (status != DONE)
		ring->aborted = 1;
	if (shmdt(ring) == -1)
		die("shmdt");
	leave_stream(WRITER, status, id, shmid, key);
}

/*
 * At exit after a failed call (die), before finish(): leave, and remove
 * what this run made if no reader is there (a writer refused at the start
 * made no segment, and removes the set only if it made that).
 */
static void
abandon(void)
{
	if (semid == -1)
		return;
	if (ring != NULL)
		ring->aborted = 1;
	if (shmid != -1 || made_set)
		leave_stream(WRITER, LOST, semid, shmid, 0);
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

/* The command line: -k -q -s -z (common/), no operands. */
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
	*slots = (uint32_t)geometry[0];
	*slot_bytes = (uint32_t)geometry[1];
}
