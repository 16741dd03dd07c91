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

/*
 * Defaults, measured on a cached 256 MiB file (median of 9): 4 slots of
 * 1 MiB 51 ms, 8 of 256 KiB 55 ms, 16 of 256 KiB 61 ms; cat | cat 130 ms.
 * Bigger slots mean fewer hand-overs; a ring much bigger than the caches
 * makes each copy slower.
 */
enum { SLOTS_DEFAULT = 4, SLOT_BYTES_DEFAULT = 1 << 20 };

/* How a stream ended: the end of input, or why not. */
enum { DONE = 0, STOPPED = -1, NO_READER = -2, TAMPERED = -3 };

static int semid = -1, shmid = -1;	/* the set; our segment, once made */
static int made_set;			/* we created the set in this run */
static struct ring *ring;		/* our segment, attached */
static int finished;			/* finish() has run */

static void options(int argc, char *argv[], uint32_t *slots,
    uint32_t *slot_bytes);
static void create_segment(uint32_t slots, uint32_t slot_bytes);
static int stream(uint32_t slots, uint32_t slot_bytes, struct tally *t);
static ssize_t next_input(char *slot, uint32_t slot_bytes);
static int reader_gone(void);
static void finish(int status, const struct tally *t, double seconds);
static void abandon(void);

int
main(int argc, char *argv[])
{
	static const unsigned short zeros[NSEMS];
	struct tally t = { 0, 0 };
	struct timespec t0, t1;
	uint32_t slots, slot_bytes;
	int status;

	options(argc, argv, &slots, &slot_bytes);
	catch_signals();
	semid = open_set(NSEMS, zeros, &made_set);	/* common/: no race */
	if (semid == -1)
		return exit_status(EXIT_CALL_FAILED);
	ring_arrive(semid, WRITER);	/* WRITER 0 -> 1, SEM_UNDO */
	if (atexit(abandon) != 0)
		die("atexit");
	create_segment(slots, slot_bytes);	/* shmget, shmat, header */

	if (clock_gettime(CLOCK_MONOTONIC, &t0) == -1)
		die("clock_gettime");
	status = stream(slots, slot_bytes, &t);
	if (clock_gettime(CLOCK_MONOTONIC, &t1) == -1)
		die("clock_gettime");
	finish(status, &t, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return exit_status(status == DONE ? 0 : EXIT_CALL_FAILED);
}

/*
 * shmget with IPC_CREAT|IPC_EXCL: a segment left with our key (a stream
 * nobody read, a crash, another program's) is not ours to overwrite, so
 * we say what it is and leave it.  shmat with a NULL address lets the
 * kernel choose where the segment appears in our memory.  Then the header,
 * and the stream's semaphores: FREE opens every slot.  SETVAL is safe
 * here: no slot of this new segment can have been handed over yet.
 */
static void
create_segment(uint32_t slots, uint32_t slot_bytes)
{
	size_t size = ring_size(slots, slot_bytes), have;
	const char *kind;
	struct shmid_ds ds;
	union semun arg;
	int other;

	shmid = shmget(ipc_key, size, IPC_CREAT | IPC_EXCL | 0600);
	if (shmid == -1 && errno == EEXIST &&
	    (other = shmget(ipc_key, 0, 0)) != -1) {
		if (shmctl(other, IPC_STAT, &ds) == -1)
			die("shmctl IPC_STAT");
		refuse_if_not_ours("segment", other, &ds.shm_perm);
		kind = segment_kind(other, &have);
		fprintf(stderr, "%s: key 0x%08x holds %s already (id %d, %zu "
		    "bytes): not ours to overwrite\n", prog,
		    (unsigned int)ipc_key, kind, other, have);
		hint("a stream nobody has read yet (run shm/reader), or one "
		    "left behind (shm/ctl rm); or pick another key with -k");
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
	arg.val = 0;
	if (semctl(semid, FILLED, SETVAL, arg) == -1 ||
	    semctl(semid, STARTED, SETVAL, arg) == -1)
		die("semctl SETVAL");
	arg.val = (int)slots;
	if (semctl(semid, FREE, SETVAL, arg) == -1)
		die("semctl SETVAL");
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
 * with length 0: the end of the stream.  The geometry is our own copy:
 * the header is only written here, and checked each round, because
 * anything with our uid could change it under us.
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
		if (ring->magic != RING_MAGIC || ring->slots != slots ||
		    ring->slot_bytes != slot_bytes ||
		    ring->version != RING_VERSION)
			return TAMPERED;
		if ((n = next_input(data + (size_t)i * slot_bytes,
		    slot_bytes)) < 0)
			return (int)n;
		ring->len[i] = (uint32_t)n;
		ring_give(semid, FILLED);
		t->slots++;
		if (n == 0)
			return DONE;
		t->bytes += (unsigned long long)n;
		i = (i + 1) % slots;
		if (reader_gone())
			return NO_READER;
	}
}

/*
 * read(2) the next piece of input into a slot.  Input may be slow (a
 * student typing), so the alarm wakes the read every second to ask
 * whether the reader is still there, as ring_take() does.  Returns the
 * bytes read (0 at the end of input), or STOPPED or NO_READER.
 */
static ssize_t
next_input(char *slot, uint32_t slot_bytes)
{
	ssize_t n;

	for (;;) {
		if (stop_signal)
			return STOPPED;
		alarm(1);
		n = read(STDIN_FILENO, slot, slot_bytes);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			die("read (stdin)");
		if (!stop_signal && reader_gone())
			return NO_READER;
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
 * tell, and if no reader is there, we remove the segment and the set
 * (IPC_RMID on a segment takes effect once the last process detaches).
 * A complete stream waits for its reader, which removes both.
 */
static void
finish(int status, const struct tally *t, double seconds)
{
	finished = 1;
	if (status == NO_READER && ring_value(semid, STARTED) == 0)
		fprintf(stderr, "%s: our segment was removed (shm/ctl rm, "
		    "ipcrm) before a reader came: none can find it now\n",
		    prog);
	else if (status == NO_READER)
		fprintf(stderr, "%s: the reader has gone before the end of the "
		    "stream (killed?): the stream is broken\n", prog);
	else if (status == TAMPERED)
		fprintf(stderr, "%s: key 0x%08x: the segment's header was "
		    "changed under us (not by a reader: it maps the segment "
		    "read-only): stopping\n", prog, (unsigned int)ipc_key);
	else if (status == STOPPED)
		note("stopped by signal %d: the stream is marked as cut short",
		    (int)stop_signal);
	note("%llu byte%s in %lu slot%s, %.3f s, %.1f MB/s", t->bytes,
	    plural(t->bytes), t->slots, plural(t->slots), seconds,
	    seconds > 0 ? (double)t->bytes / seconds / 1e6 : 0.0);
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
 * what this run made if no reader is there.  A writer refused at the
 * start (another stream's segment on our key) made no segment, and
 * removes the set only if it made that too.
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
	static const struct program writer = { "shm/writer",
	    "[-q] [-k KEY] [-s SLOTS] [-z SLOT_BYTES] < input\n"
	    "  Stream standard input through a shared memory ring to "
	    "shm/reader.\n"
	    "  -k KEY         the key (default: $IPC_DEMO_KEY, else one made by "
	    "ftok)\n"
	    "  -q             quiet: no narration on stderr\n"
	    "  -s SLOTS       slots in the ring, 1 to 1024 (default 4)\n"
	    "  -z SLOT_BYTES  bytes in a slot, 1 to 67108864 (default "
	    "1048576)\n", "s:z:" };
	long long geometry[2] = { SLOTS_DEFAULT, SLOT_BYTES_DEFAULT };

	no_more_operands(argc, argv, parse_options(&writer, argc, argv,
	    own_option, geometry), NULL);
	use_key(PROJ_SHM);
	*slots = (uint32_t)geometry[0];
	*slot_bytes = (uint32_t)geometry[1];
}
