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
 * Try this: kill -9 the reader mid-stream: the writer notices within a
 * second or two, says so, and removes the segment.
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

static int semid = -1, shmid = -1;	/* the set and the segment */
static struct ring *ring;		/* the segment, once attached */
static unsigned long filled;		/* slots we have filled */
static int reader_seen;			/* a reader has been there */
static int finished;			/* finish() has run */
static int segment_lost;		/* removed before a reader came */

static int create_segment(uint32_t slots, uint32_t slot_bytes);
static int stream(void);
static int reader_gone(void);
static void finish(int status, double seconds, unsigned long long bytes);
static void abandon(void);

static void
usage(FILE *f)
{
	fprintf(f, "usage: shm/writer [-q] [-k KEY] [-s SLOTS] [-z SLOT_BYTES] "
	    "< input\n"
	    "  Stream standard input through a shared memory ring to "
	    "shm/reader.\n"
	    "  -k KEY         the key (default: $IPC_DEMO_KEY, else one made by "
	    "ftok)\n"
	    "  -q             quiet: no narration on stderr\n"
	    "  -s SLOTS       slots in the ring, 1 to 1024 (default 4)\n"
	    "  -z SLOT_BYTES  bytes in a slot, 1 to 67108864 (default "
	    "1048576)\n");
	exit(f == stdout ? 0 : EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	unsigned short zeros[NSEMS] = { 0 };
	const char *karg = NULL;
	long long slots = SLOTS_DEFAULT, slot_bytes = SLOT_BYTES_DEFAULT;
	int created, opt, status;

	prog = "shm/writer";
	while ((opt = getopt(argc, argv, ":hk:qs:z:")) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			break;
		case 'k':
			karg = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 's':
			if (parse_num("-s", optarg, 1, SLOTS_MAX, &slots) == -1)
				usage(stderr);
			break;
		case 'z':
			if (parse_num("-z", optarg, 1, SLOT_BYTES_MAX,
			    &slot_bytes) == -1)
				usage(stderr);
			break;
		default:
			bad_option(opt);
			usage(stderr);
		}
	}
	if (optind < argc) {
		bad_operand(NULL, argv[optind]);
		usage(stderr);
	}
	if (choose_key(karg, PROJ_SHM) == -1)
		usage(stderr);

	/* The semaphores, then our presence on them, then the segment. */
	catch_signals();
	semid = ring_open_set(NSEMS, zeros, &created);
	if (semid == -1)
		return exit_status(EXIT_CALL_FAILED);
	ring_arrive(semid, WRITER);
	if (atexit(abandon) != 0)
		die("atexit");
	status = create_segment((uint32_t)slots, (uint32_t)slot_bytes);
	if (status == 0)
		status = stream();
	return status;
}

/*
 * shmget with IPC_CREAT|IPC_EXCL: a segment left with our key (a stream
 * nobody read, or a crash) is not ours to overwrite.  shmat with a NULL
 * address lets the kernel choose where the segment appears in our memory.
 * Then the header, and the FREE semaphore opens every slot.
 */
static int
create_segment(uint32_t slots, uint32_t slot_bytes)
{
	size_t size = ring_header_size(slots) + (size_t)slots * slot_bytes;
	struct shmid_ds ds;
	union semun arg;
	uint32_t i;
	int other;

	shmid = shmget(ipc_key, size, IPC_CREAT | IPC_EXCL | 0600);
	if (shmid == -1 && errno == EEXIST) {
		/* Someone else's (a squatter), or ours from before? */
		other = shmget(ipc_key, 0, 0);
		if (other != -1 && shmctl(other, IPC_STAT, &ds) == 0)
			refuse_if_not_ours("segment", other, &ds.shm_perm);
		errno = EEXIST;
		die_hint("shmget", "a segment with key 0x%08x is there "
		    "already: a stream nobody has read yet (run shm/reader), "
		    "or one left behind (shm/ctl rm)", (unsigned int)ipc_key);
	}
	if (shmid == -1)
		die("shmget");
	ring = shmat(shmid, NULL, 0);
	if (ring == (void *)-1)
		die("shmat");
	ring->slots = slots;
	ring->slot_bytes = slot_bytes;
	ring->aborted = 0;
	for (i = 0; i < slots; i++)
		ring->len[i] = 0;
	ring->magic = RING_MAGIC;
	arg.val = 0;
	if (semctl(semid, FILLED, SETVAL, arg) == -1)
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
	return 0;
}

/*
 * The producer: P(FREE), read(2) straight into the slot, V(FILLED), round
 * the ring in order.  A read of 0 bytes (end of input) fills the last slot
 * with length 0: the end of the stream.
 */
static int
stream(void)
{
	struct timespec t0, t1;
	unsigned long long bytes = 0;
	uint32_t i = 0;
	ssize_t n;
	int r;

	if (clock_gettime(CLOCK_MONOTONIC, &t0) == -1)
		die("clock_gettime");
	for (;;) {
		r = ring_take(semid, FREE, reader_gone);
		if (r != 0)
			break;
		do
			n = read(STDIN_FILENO, ring_slot(ring, i),
			    ring->slot_bytes);
		while (n == -1 && errno == EINTR && !stop_signal);
		if (n == -1 && stop_signal) {
			r = -1;
			break;
		}
		if (n == -1)
			die("read (stdin)");
		ring->len[i] = (uint32_t)n;
		ring_give(semid, FILLED);
		filled++;
		if (n == 0)
			break;
		bytes += (unsigned long long)n;
		i = (i + 1) % ring->slots;
		if (reader_gone()) {
			r = -2;
			break;
		}
	}
	if (clock_gettime(CLOCK_MONOTONIC, &t1) == -1)
		die("clock_gettime");
	finish(r, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, bytes);
	return exit_status(r == 0 ? 0 : EXIT_CALL_FAILED);
}

/*
 * Has the reader come and gone?  READER is 1 while one runs (SEM_UNDO puts
 * it back to 0 when it dies).  A reader that never came is not gone: the
 * stream waits for one, as a message queue would - unless our segment was
 * removed meanwhile (shm/ctl rm, ipcrm -m).  IPC_RMID on a segment takes
 * its key away at once, though the memory stays while we are attached:
 * shmget finds no segment, so no reader ever could.
 *
 * A reader may come, take slots and go between two of our looks.  The
 * kernel remembers it for us: shmat and shmdt set the segment's shm_lpid,
 * so a PID other than ours there means a reader has attached.  If
 * IPC_STAT fails, the segment is gone: the shmget below tells.
 */
static int
reader_gone(void)
{
	int here = ring_value(semid, READER);
	struct shmid_ds ds;

	if (here)
		reader_seen = 1;
	if (!reader_seen && shmctl(shmid, IPC_STAT, &ds) == 0 &&
	    ds.shm_lpid != getpid())
		reader_seen = 1;
	if (!reader_seen && shmget(ipc_key, 0, 0) != shmid) {
		segment_lost = 1;
		return 1;
	}
	return reader_seen && !here;
}

/*
 * Leave.  Interrupted, we mark the stream aborted so the reader can tell.
 * Whoever leaves last removes the segment and the set - IPC_RMID on a
 * segment takes effect once the last process has detached - except that
 * a complete stream nobody has read yet waits for its reader.
 */
static void
finish(int status, double seconds, unsigned long long bytes)
{
	if (status == -2 && segment_lost)
		fprintf(stderr, "%s: our segment was removed (shm/ctl rm, "
		    "ipcrm) before a reader came: none can find it now\n",
		    prog);
	else if (status == -2)
		fprintf(stderr, "%s: the reader has gone before the end of the "
		    "stream (killed?)\n", prog);
	finished = 1;
	if (status == -1) {
		ring->aborted = 1;
		note("stopped by signal %d: the stream is marked as cut short",
		    (int)stop_signal);
	}
	note("%llu byte%s in %lu slot%s, %.3f s, %.1f MB/s", bytes,
	    plural(bytes), filled, plural(filled), seconds,
	    seconds > 0 ? (double)bytes / seconds / 1e6 : 0.0);
	if (shmdt(ring) == -1)
		die("shmdt");
	ring_leave(semid, WRITER);
	if (status == 0 || semctl(semid, READER, GETVAL) != 0)
		return;		/* the reader is there, and will remove */
	if (shmctl(shmid, IPC_RMID, NULL) == -1 && errno != EINVAL &&
	    errno != EIDRM)
		complain("shmctl IPC_RMID");
	if (semctl(semid, 0, IPC_RMID) == -1 && errno != EINVAL &&
	    errno != EIDRM)
		complain("semctl IPC_RMID");
	note("no reader left: removed the segment and the semaphore set");
}

/*
 * At exit after a failed call (die), before finish(): a writer that fails
 * half way - no room for the segment, or the set removed under it - must
 * not leave the set and the segment to nobody.  With no reader there,
 * remove them; a reader that is there sees us gone within a second and
 * removes them itself.
 */
static void
abandon(void)
{
	if (finished)
		return;
	ring_leave(semid, WRITER);
	if (semctl(semid, READER, GETVAL) > 0)
		return;		/* the reader is there; else alone, or no set */
	if (shmid != -1)
		(void)shmctl(shmid, IPC_RMID, NULL);
	(void)semctl(semid, 0, IPC_RMID);
}
