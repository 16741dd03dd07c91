/*
 * layout.c - the ring's layout: how big the segment is, where its slots
 * begin, how its header is checked before it is trusted, what goes into
 * a slot and out of it, and a side's last words: why it stopped, what it
 * moved.  The semaphores are in turns.c; what else a segment with our key
 * may be, in kinds.c; see ring.h.
 */
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "ring.h"

/* The header and the slot lengths, rounded up so the slots align. */
size_t
ring_header_size(uint32_t slots)
{
	size_t size = sizeof(struct ring) + (size_t)slots * sizeof(struct slot);

	return (size + DATA_ALIGN - 1) / DATA_ALIGN * DATA_ALIGN;
}

/* The whole segment: the header, then the slots. */
size_t
ring_size(uint32_t slots, uint32_t slot_bytes)
{
	return ring_header_size(slots) + (size_t)slots * slot_bytes;
}

/*
 * Trust nothing in a segment we did not lay out: a corrupt header could
 * send us reading past its end.  Magic, version, and a geometry that
 * fills exactly the segment's size, as the kernel reports it (segsz).
 */
int
ring_fits(const struct ring *r, size_t segsz)
{
	return segsz >= sizeof *r && r->magic == RING_MAGIC &&
	    r->version == RING_VERSION && r->slots >= 1 &&
	    r->slots <= SLOTS_MAX && r->slot_bytes >= 1 &&
	    r->slot_bytes <= SLOT_BYTES_MAX &&
	    ring_size(r->slots, r->slot_bytes) == segsz;
}

/*
 * shm/writer, attached to the segment it has just made: the header (the
 * kernel zeroed the lengths: a new segment is zeros), the magic number
 * last.  Until then the segment is known as ours by its creator (kinds.c).
 */
void
ring_lay_out(struct ring *r, int shmid, uint32_t slots, uint32_t slot_bytes)
{
	struct shmid_ds ds;

	r->version = RING_VERSION;
	r->slots = slots;
	r->slot_bytes = slot_bytes;
	r->aborted = 0;
	r->ended = 0;
	r->total = 0;
	r->magic = RING_MAGIC;
	if (shmctl(shmid, IPC_STAT, &ds) == -1)
		die("shmctl IPC_STAT");
	note("shmget: created segment id %d, %zu bytes (%u slot%s of %u "
	    "byte%s); shmat: at %p, nattch %lu", shmid,
	    ring_size(slots, slot_bytes), slots, plural(slots), slot_bytes,
	    plural(slot_bytes), (void *)r, (unsigned long)ds.shm_nattch);
}

/*
 * shmat failed: it returns (void *)-1, not NULL (ulimit -v: no room in
 * our address space).  The writer removes the segment it has just made:
 * without a header no reader could use it.  The reader gives back the
 * slot it took (ring_untake): nothing of the stream got out, and it stays
 * whole for the next reader.  Exit 1; the side then leaves (its atexit).
 */
noreturn void
ring_not_attached(int who, int semid, int shmid)
{
	int err = errno;

	if (who == WRITER && shmctl(shmid, IPC_RMID, NULL) == -1)
		complain("shmctl IPC_RMID");
	if (who == READER)
		ring_untake(semid);
	errno = err;
	if (who == WRITER)
		die_lost("shmat", "the segment we made is removed: without "
		    "its header nobody could use it");
	die_lost("shmat", "nothing was taken: the stream stays whole for "
	    "another reader");
}

/*
 * shm/reader, attached: is the segment laid out as a ring (ring_fits)?  If
 * not, say so, give back the slot we took (ring_untake), so that all
 * stays as we found it, and return CORRUPT.
 */
int
ring_check(int semid, const struct ring *r, size_t segsz, key_t key)
{
	if (ring_fits(r, segsz))
		return DONE;
	refuse("key 0x%08x: the segment's header is not one of ours, or is "
	    "corrupt (%zu bytes)", (unsigned int)key, segsz);
	hint("remove it with {ctl} rm, or pick another key with -k");
	ring_untake(semid);
	return CORRUPT;
}

/* The hint after every "tampered with". */
static int
tampered(void)
{
	hint("someone with your uid (or root) changed the ring's semaphores "
	    "or its segment; start the stream again");
	return TAMPERED;
}

/*
 * shm/reader, holding slot i, the n-th of the stream: does the slot say
 * so (seq, ring.h)?  Returns its length, or TAMPERED (said): a V on FILLED
 * not made by the writer hands over a slot not filled yet, or one a round
 * old; a V on FREE lets the writer refill a slot not yet written out.
 */
long
slot_check(const struct ring *r, uint32_t i, unsigned long n,
    uint32_t slot_bytes)
{
	uint32_t seq = r->slot[i].seq, len = r->slot[i].len;

	if (seq == (uint32_t)n && len <= slot_bytes)
		return (long)len;
	if (seq != (uint32_t)n)
		refuse("slot %u holds slot %u of the stream, not slot %lu: the "
		    "stream was tampered with (a V on FILLED or FREE that the "
		    "writer did not make?)", i, seq, n);
	else
		refuse("slot %u says %u bytes, more than a slot holds: the "
		    "stream was tampered with", i, len);
	return tampered();
}

/*
 * shm/reader, slot i written out: is it still the n-th, with len bytes?
 * If the writer refilled it meanwhile (a V on FREE it did not make let it
 * in), what we wrote out may be half old, half new.  DONE, or TAMPERED.
 */
int
slot_kept(const struct ring *r, uint32_t i, unsigned long n, uint32_t len)
{
	uint32_t seq = r->slot[i].seq, now = r->slot[i].len;

	if (seq == (uint32_t)n && now == len)
		return DONE;
	refuse("slot %u changed as we wrote it out (now slot %u of the "
	    "stream, %u bytes, not slot %lu, %u bytes): what we wrote may be "
	    "mixed: the stream was tampered with", i, seq, now, n, len);
	return tampered();
}

/*
 * shm/reader, at a slot of length 0: the end only if the writer marked
 * this slot so (ended), with as many bytes as we wrote out, and with no
 * token too many: we hold the last slot, so FREE + FILLED must be
 * slots - 1 (ring.h).  Two GETVALs, once a stream.  Returns DONE or
 * TAMPERED (said).
 */
int
ring_end_check(int semid, const struct ring *r, uint32_t slots,
    const struct tally *t)
{
	uint32_t seq = (uint32_t)(t->slots + 1);
	int tokens;

	if (r->ended != seq || r->total != t->bytes) {
		refuse("slot %u of the stream says it is the end, but the "
		    "writer did not mark it so (we wrote out %llu bytes): "
		    "the stream was tampered with", seq, t->bytes);
		return tampered();
	}
	tokens = ring_value(semid, FREE) + ring_value(semid, FILLED);
	if (tokens == (int)slots - 1)
		return DONE;
	refuse("at the end, FREE + FILLED is %d, not %u: someone made a V "
	    "that neither the writer nor we made: the stream was tampered "
	    "with", tokens, slots - 1);
	return tampered();
}

/*
 * shm/reader: the set let us take a slot, but no segment has the key: the
 * set is not a stream's of ours.  Say so, and give back what we took, so
 * that it stays as we found it.  Returns CORRUPT.
 */
int
ring_no_segment(int semid, key_t key)
{
	refuse("key 0x%08x: the semaphore set says a slot is filled, but no "
	    "segment has the key: no stream of ours", (unsigned int)key);
	hint("remove the set with {ctl} rm, or pick another key with -k");
	ring_untake(semid);
	return CORRUPT;
}

/*
 * shm/reader, refused at its arrival by a death notice (STARTED 1, no
 * reader, no writer): is there nothing to break?  No segment: nothing
 * left to read.  Or a ring whose writer marked the end and left, with
 * every slot it filled filled still: FILLED is the end's seq, and slot 0
 * is the stream's first.  A reader that took a slot lowered FILLED for
 * good (no writer is left to raise it).  Looked at read-only; 1 if so.
 */
int
ring_unread(int semid, key_t key)
{
	struct shmid_ds ds;
	const struct ring *r;
	int id = shmget(key, 0, 0400), whole;

	if (id == -1)
		return errno == ENOENT;
	if (shmctl(id, IPC_STAT, &ds) == -1 || ring_value(semid, WRITER) != 0)
		return 0;
	r = shmat(id, NULL, SHM_RDONLY);
	if (r == (void *)-1)
		return 0;
	whole = ring_fits(r, ds.shm_segsz) && !r->aborted && r->ended != 0 &&
	    r->ended <= r->slots && r->slot[0].seq == 1 &&
	    ring_value(semid, FILLED) == (int)r->ended;
	if (shmdt(r) == -1)
		die("shmdt");
	return whole;
}

/*
 * shm/writer: read(2) the next piece of input into a slot.  Input may be
 * slow (a student typing), so the writer's tick (ticking, common/: an
 * interval timer, set once for the whole stream) wakes a read that waits,
 * every second, to ask gone() whether the reader is still there.  Returns
 * the bytes read (0 at the end of input), STOPPED when a signal stops us,
 * PEER_GONE when the reader has gone.
 */
ssize_t
read_or_gone(char *slot, uint32_t slot_bytes, int (*gone)(void))
{
	ssize_t n;

	for (;;) {
		if (stop_signal)
			return STOPPED;
		n = read(STDIN_FILENO, slot, slot_bytes);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			die("read (stdin)");
		if (!stop_signal && gone())
			return PEER_GONE;
	}
}

/*
 * shm/reader's output failed (a full disk, a closed pipe) with slot i
 * taken, `out` of its len bytes written.  If not one byte of the stream
 * got out, nothing is lost: we give the slot back (ring_untake), and the
 * stream waits whole for the next reader.  Otherwise say exactly what is
 * lost: the stream is broken (ring.h).  Either way we exit 1, and the
 * reader leaves or removes at exit.  Returns STOPPED if a signal cut the
 * write short (said here if it cost data).
 */
int
ring_lost(int semid, uint32_t i, uint32_t len, size_t out,
    unsigned long long before)
{
	int err = errno;

	if (out == 0 && before == 0)
		ring_untake(semid);
	if (stop_signal && out == 0 && before == 0)
		return STOPPED;	/* nothing lost: the reader says it stopped */
	if (stop_signal) {
		refuse("stopped by signal %d in slot %u: %zu of %u bytes "
		    "lost, after %llu written: the stream is broken",
		    (int)stop_signal, i, len - out, len, before + out);
		return STOPPED;
	}
	errno = err;
	if (out == 0 && before == 0)
		die_lost("write (stdout)", "nothing was taken: the stream "
		    "stays whole for another reader");
	die_lost("write (stdout)", "%zu of %u bytes of slot %u lost, after "
	    "%llu written: the stream is broken", len - out, len, i,
	    before + out);
}

/* A side's last line: what it moved since t->t0, and how fast. */
void
ring_tally(const struct tally *t, const char *tail)
{
	struct timespec t1;
	double seconds;

	if (clock_gettime(CLOCK_MONOTONIC, &t1) == -1)
		die("clock_gettime");
	seconds = (double)(t1.tv_sec - t->t0.tv_sec) +
	    (double)(t1.tv_nsec - t->t0.tv_nsec) / 1e9;
	note("%llu byte%s in %lu slot%s, %.3f s, %.1f MB/s%s", t->bytes,
	    plural(t->bytes), t->slots, plural(t->slots), seconds,
	    seconds > 0 ? (double)t->bytes / seconds / 1e6 : 0.0, tail);
}

/*
 * Why a side stopped before the end, in words (`who` is WRITER or
 * READER; r is the segment, or NULL if not attached).
 */
void
ring_ended(int who, int status, int semid, const struct ring *r,
    key_t key)
{
	if (who == WRITER && status == PEER_GONE &&
	    ring_value(semid, STARTED) == 0)
		fprintf(stderr, "%s: our segment was removed (shm/ctl rm, "
		    "ipcrm) before a reader came: none can find it now\n",
		    prog);
	else if (who == WRITER && status == PEER_GONE)
		fprintf(stderr, "%s: the reader has gone before the end of the "
		    "stream (killed?): the stream is broken\n", prog);
	else if (who == WRITER && status == CORRUPT)
		fprintf(stderr, "%s: key 0x%08x: the segment's header was "
		    "changed under us (not by a reader: it maps the segment "
		    "read-only): stopping\n", prog, (unsigned int)key);
	else if (who == WRITER && status == STOPPED)
		note("stopped by signal %d: the stream is marked as cut short",
		    (int)stop_signal);
	else if (status == PEER_GONE && r != NULL && r->aborted)
		fprintf(stderr, "%s: the writer was interrupted: the output is "
		    "incomplete\n", prog);
	else if (status == PEER_GONE)
		fprintf(stderr, "%s: the writer has gone before the end of the "
		    "stream (killed?): the output is incomplete\n", prog);
	else if (status == STOPPED)
		note("stopped by signal %d", (int)stop_signal);
}
