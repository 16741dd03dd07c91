/*
 * ring.c - the steps the shm programs share: where the slots are, how a
 * segment is checked before it is trusted, how a side says it is there,
 * how P waits without waiting blindly, and who removes at the end.  See
 * ring.h.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "counter.h"
#include "ring.h"

static int stream_over(int semid);
static noreturn void refused(int semid, int who);
static int set_state(char *line, size_t size);

/* The header and the slot lengths, rounded up so the slots align. */
size_t
ring_header_size(uint32_t slots)
{
	size_t size = sizeof(struct ring) + (size_t)slots * sizeof(uint32_t);

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
 * fills exactly the segment's size, as the kernel reports it.
 */
int
ring_check(const struct ring *r, size_t segsz)
{
	if (segsz < sizeof *r || r->magic != RING_MAGIC ||
	    r->version != RING_VERSION || r->slots < 1 ||
	    r->slots > SLOTS_MAX || r->slot_bytes < 1 ||
	    r->slot_bytes > SLOT_BYTES_MAX ||
	    ring_size(r->slots, r->slot_bytes) != segsz) {
		fprintf(stderr, "%s: key 0x%08x: the segment's header is not "
		    "one of ours, or is corrupt (%zu bytes)\n", prog,
		    (unsigned int)ipc_key, segsz);
		hint("remove it with {ctl} rm, or pick another key with -k");
		return -1;
	}
	return 0;
}

/*
 * What is this segment?  Attached read-only for a look at its header:
 * "a ring", "a counter", ours but damaged, or "not one of ours".  Sets
 * *segsz.
 */
const char ring_kind[] = "shm/writer's ring";
const char counter_kind[] = "shm/counter's counter";
const char damaged_kind[] = "shm/'s magic number, but a corrupt header";

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
	else if (ds.shm_segsz >= sizeof *r && r->magic == RING_MAGIC &&
	    r->version == RING_VERSION && r->slots >= 1 &&
	    r->slots <= SLOTS_MAX && r->slot_bytes >= 1 &&
	    r->slot_bytes <= SLOT_BYTES_MAX &&
	    ring_size(r->slots, r->slot_bytes) == ds.shm_segsz)
		kind = ring_kind;
	else if (ds.shm_segsz >= sizeof r->magic && (r->magic == RING_MAGIC ||
	    r->magic == COUNTER_MAGIC))
		kind = damaged_kind;
	if (shmdt(r) == -1)
		die("shmdt");
	return kind;
}

/*
 * IPC_STAT on a segment with our key: another user's, or one open to
 * others, is refused (refuse_if_not_ours, common/).
 */
void
ring_stat(int shmid, struct shmid_ds *ds)
{
	if (shmctl(shmid, IPC_STAT, ds) == -1)
		die("shmctl IPC_STAT");
	refuse_if_not_ours("segment", shmid, &ds->shm_perm);
}

/*
 * The set vanished as a new stream began: most likely the reader of the
 * last stream removed it just as we joined (it removes the set first).
 */
static noreturn void
set_gone(const char *call)
{
	if (errno == EINVAL || errno == EIDRM)
		die_hint(call, "the set was removed just as we joined it (the "
		    "reader of the last stream finishing?); start again");
	die(call);
}

/*
 * The ring's set of NSEMS semaphores, all 0 but the mark, made or joined
 * (open_set, sem/set.c).  Returns the id, or -1 if a signal stopped the wait.
 */
int
ring_set(int *made)
{
	static const unsigned short init[NSEMS] = { [RING_MARK] =
		RING_MARK_VALUE };

	return open_set(NSEMS, init, 1, made);
}

/*
 * A segment with our key that we will not use: another user's is refused
 * (common/), else we say what it holds, "already" and "why", and advise.
 * The caller exits.
 */
void
ring_refuse(int shmid, const char *already, const char *why,
    const char *advice)
{
	struct shmid_ds ds;
	const char *kind;
	size_t size;

	ring_stat(shmid, &ds);
	kind = segment_kind(shmid, &size);
	fprintf(stderr, "%s: key 0x%08x holds %s%s (id %d, %zu bytes)%s\n",
	    prog, (unsigned int)ipc_key, kind, already, shmid, size, why);
	if (kind == ring_kind || kind == counter_kind || kind == damaged_kind)
		hint("%s", advice);
	else	/* not shm/'s: {ctl} rm would leave it, rightly */
		hint("it is not shm/'s, so no shm/ program will remove it; "
		    "pick another key with -k");
}

/*
 * Say "I am here": wait-for-zero and +1 on our own semaphore, in one
 * semop, atomically - so a second writer (or reader) is refused, not let
 * in beside the first.  SEM_UNDO makes the kernel take the +1 back when we
 * exit, however we exit: that is how the peer learns we are gone.  A
 * reader also needs STARTED at 0 in the same call: no reader before it
 * has taken part of this stream.  And it leaves the kernel a death notice
 * for the writer: +1 on STARTED, then -1 with SEM_UNDO - the value stays
 * 0, but if we die the kernel adds 1 back, and the writer sees STARTED
 * without READER (ring.h).
 */
void
ring_arrive(int semid, int who)
{
	struct sembuf ops[5] = {
		{ .sem_num = (unsigned short)who, .sem_op = 0,
		    .sem_flg = IPC_NOWAIT },
		{ .sem_num = (unsigned short)who, .sem_op = 1,
		    .sem_flg = SEM_UNDO },
		{ .sem_num = STARTED, .sem_op = 0, .sem_flg = IPC_NOWAIT },
		{ .sem_num = STARTED, .sem_op = 1, .sem_flg = 0 },
		{ .sem_num = STARTED, .sem_op = -1, .sem_flg = SEM_UNDO },
	};

	while (semop(semid, ops, who == READER ? 5 : 2) == -1) {
		if (errno != EAGAIN)
			die("semop (arriving)");
		if (who != READER || ring_value(semid, READER) != 0 ||
		    !stream_over(semid))
			refused(semid, who);
	}
}

/*
 * STARTED is 1 with no reader, no writer and no segment: a reader died
 * (its death notice) or broke a stream that is over now; nothing is left
 * to read, so nothing is broken.  Clear it, in one semop that makes sure
 * no writer and no reader came meanwhile.  Returns 1 if cleared.
 */
static int
stream_over(int semid)
{
	struct sembuf clear[3] = {
		{ .sem_num = WRITER, .sem_op = 0, .sem_flg = IPC_NOWAIT },
		{ .sem_num = READER, .sem_op = 0, .sem_flg = IPC_NOWAIT },
		{ .sem_num = STARTED, .sem_op = -1, .sem_flg = IPC_NOWAIT },
	};

	if (shmget(ipc_key, 0, 0) != -1 || errno != ENOENT)
		return 0;
	if (semop(semid, clear, 3) == 0)
		return 1;
	if (errno != EAGAIN)
		die("semop (clearing STARTED)");
	return 0;
}

/* Another of our kind is here, or the stream is broken: exit 1. */
static noreturn void
refused(int semid, int who)
{
	if (ring_value(semid, who) != 0) {
		fprintf(stderr, "%s: key 0x%08x: another %s is already using "
		    "this ring\n", prog, (unsigned int)ipc_key,
		    who == WRITER ? "writer" : "reader");
		hint("wait for it to finish, or pick another key with -k");
	} else {
		fprintf(stderr, "%s: key 0x%08x: the stream is broken: a "
		    "reader took part of it and is gone, and what it took "
		    "cannot be read again\n", prog, (unsigned int)ipc_key);
		hint("start the writer again; {ctl} rm removes what is left "
		    "if nobody does");
	}
	exit(EXIT_CALL_FAILED);
}

/* GETVAL: free or filled slots, or whether a side is there (0 or 1). */
int
ring_value(int semid, int sem)
{
	int v = semctl(semid, sem, GETVAL);

	if (v == -1)
		die("semctl GETVAL");
	return v;
}

/*
 * P on a slot semaphore, and +1 on `mark` in the same atomic call unless
 * mark is -1 (the reader's first take marks STARTED, with SEM_UNDO: that
 * takes back the death notice of ring_arrive, and STARTED stays 1 for
 * good).  A peer
 * killed with kill -9 can never V again, so we do not wait blindly: an
 * alarm wakes the semop every second (EINTR), and we ask peer_gone()
 * before we wait on.  The alarm is never cancelled here: the signal
 * handler re-arms it to close its own window (common/), and a cancel
 * could undo that; a late SIGALRM costs one retried call.  Returns 0 once
 * the slot is ours, -1 when a signal stops us, -2 when the peer has gone.
 */
int
ring_take(int semid, int sem, int mark, int (*peer_gone)(void))
{
	struct sembuf ops[2] = {
		{ .sem_num = (unsigned short)sem, .sem_op = -1, .sem_flg = 0 },
		{ .sem_num = (unsigned short)mark, .sem_op = 1,
		    .sem_flg = SEM_UNDO },
	};

	for (;;) {
		if (stop_signal)
			return -1;
		alarm(1);
		if (semop(semid, ops, mark == -1 ? 1 : 2) == 0)
			return 0;
		if (errno != EINTR)
			die("semop P");
		if (stop_signal)
			return -1;
		if (peer_gone())
			return -2;
	}
}

/*
 * shm/writer, for a segment it has just made: FREE opens every slot,
 * FILLED starts at 0.  SETVAL is safe here: no slot of this new segment
 * can have been handed over yet.  Not on STARTED: SETVAL clears every
 * process's SEM_UNDO for the semaphore, and a reader waiting already
 * would lose its death notice (ring_arrive).  A STARTED of 1 with no
 * reader here is an earlier reader's, dead before our stream: cleared,
 * in one semop that makes sure no reader came meanwhile.
 */
void
ring_open_slots(int semid, uint32_t slots)
{
	struct sembuf clear[2] = {
		{ .sem_num = READER, .sem_op = 0, .sem_flg = IPC_NOWAIT },
		{ .sem_num = STARTED, .sem_op = -1, .sem_flg = IPC_NOWAIT },
	};
	union semun arg;

	arg.val = 0;
	if (semctl(semid, FILLED, SETVAL, arg) == -1)
		set_gone("semctl SETVAL");
	arg.val = (int)slots;
	if (semctl(semid, FREE, SETVAL, arg) == -1)
		set_gone("semctl SETVAL");
	if (semop(semid, clear, 2) == -1 && errno != EAGAIN)
		set_gone("semop (clearing STARTED)");
}

/*
 * shm/writer: is the header still the one it wrote?  Only it writes the
 * header, but anything with our uid could change it under us.
 */
int
ring_intact(const struct ring *r, uint32_t slots, uint32_t slot_bytes)
{
	return r->magic == RING_MAGIC && r->slots == slots &&
	    r->slot_bytes == slot_bytes && r->version == RING_VERSION;
}

/*
 * shm/writer: read(2) the next piece of input into a slot.  Input may be
 * slow (a student typing), so the alarm wakes the read every second to
 * ask peer_gone() whether the reader is still there, as ring_take() does.
 * Returns the bytes read (0 at the end of input), -1 when a signal stops
 * us, -2 when the reader has gone.
 */
ssize_t
ring_input(char *slot, uint32_t slot_bytes, int (*peer_gone)(void))
{
	ssize_t n;

	for (;;) {
		if (stop_signal)
			return -1;
		alarm(1);
		n = read(STDIN_FILENO, slot, slot_bytes);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			die("read (stdin)");
		if (!stop_signal && peer_gone())
			return -2;
	}
}

/* V on a slot semaphore: one more slot for the other side. */
void
ring_give(int semid, int sem)
{
	struct sembuf op = { .sem_num = (unsigned short)sem, .sem_op = 1,
		.sem_flg = 0 };

	if (semop(semid, &op, 1) == -1)
		die("semop V");
}

/*
 * The -1 that undoes our +1 on the presence semaphore `who` (ring_arrive),
 * now, not at exit.  A reader that has taken nothing (STARTED still 0)
 * takes back its death notice in the same semop: it leaves on purpose,
 * and the stream stays whole for the next reader.  Returns -1 if the set
 * is gone already.  Never dies: it runs at exit too.
 */
int
ring_leave(int semid, int who)
{
	struct sembuf leave[4] = {
		{ .sem_num = (unsigned short)who, .sem_op = -1,
		    .sem_flg = SEM_UNDO | IPC_NOWAIT },
		{ .sem_num = STARTED, .sem_op = 0, .sem_flg = IPC_NOWAIT },
		{ .sem_num = STARTED, .sem_op = 1,
		    .sem_flg = SEM_UNDO | IPC_NOWAIT },
		{ .sem_num = STARTED, .sem_op = -1, .sem_flg = IPC_NOWAIT },
	};

	if (semid == -1)
		return 0;
	if (who == READER && semop(semid, leave, 4) == 0)
		return 0;	/* nothing taken: the notice taken back */
	if (semop(semid, leave, 1) == 0)
		return 0;
	if (errno != EIDRM && errno != EINVAL)
		complain("semop (leaving)");
	return -1;
}

/*
 * Leave, and if nobody is left, remove: after ring_leave(), a look at
 * `others` (the peer's presence, or the count of runs).  Whoever leaves
 * last removes the segment (if shmid is not -1) and the set.  A set removed
 * under us (ipcrm -s) leaves the segment to nobody: we remove it too.  Two
 * leaving at once may both remove: EINVAL and EIDRM then mean "done
 * already".  Returns 1 if we removed them.  Never dies.
 */
int
last_out(int semid, int mine, int others, int shmid)
{
	int gone = ring_leave(semid, mine) == -1, left = 0;

	if (!gone)
		left = semctl(semid, others, GETVAL);
	if (left == -1)
		gone = 1;	/* removed since we left */
	if (left > 0 || (gone && shmid == -1))
		return 0;	/* someone is still there, or nothing to do */
	ring_remove(gone ? -1 : semid, shmid);
	return 1;
}

/*
 * IPC_RMID on the set, then the segment (either may be -1: none).  The set
 * goes first: a writer that comes between the two then makes a set of its
 * own and finds the old segment still there (refused), instead of joining
 * a set about to be removed under its new stream.  Removed by someone else
 * meanwhile is fine (EINVAL, EIDRM).  Never dies.
 */
void
ring_remove(int semid, int shmid)
{
	if (semid != -1 && semctl(semid, 0, IPC_RMID) == -1 &&
	    errno != EINVAL && errno != EIDRM)
		complain("semctl IPC_RMID");
	if (shmid != -1 && shmctl(shmid, IPC_RMID, NULL) == -1 &&
	    errno != EINVAL && errno != EIDRM)
		complain("shmctl IPC_RMID");
}

/*
 * Why a side stopped before the end, in words (`who` is WRITER or
 * READER; r is the segment, or NULL if not attached).
 */
void
ring_ended(int who, int status, int semid, const struct ring *r)
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
		    "read-only): stopping\n", prog, (unsigned int)ipc_key);
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
 * shm/reader: a segment with our key before we join, with no writer and
 * nothing to read, is no stream of ours: another program's, or one left
 * by a crash.  Say what it is and leave it (and the set, unless we just
 * made it).
 */
void
ring_stale(int semid, int made_set)
{
	int id = shmget(ipc_key, 0, 0);

	if (id == -1 || ring_value(semid, WRITER) != 0 ||
	    ring_value(semid, FILLED) != 0)
		return;		/* no segment yet, or a live stream */
	ring_refuse(id, "", ", with no writer and nothing to read: left as "
	    "it is", "if it is a stream left behind, remove it with {ctl} "
	    "rm; or pick another key with -k");
	if (made_set && semctl(semid, 0, IPC_RMID) == -1)
		complain("semctl IPC_RMID");
	exit(EXIT_CALL_FAILED);
}

/*
 * shm/reader's output failed (a full disk, a closed pipe) with slot i
 * taken, `out` of its len bytes written.  If not one byte of the stream
 * got out, nothing is lost: we give the slot back and clear STARTED, in
 * one semop, and the stream waits whole for the next reader.  Otherwise
 * say exactly what is lost: the stream is broken (ring.h).  Either way we
 * exit 1, and the reader's abandon() leaves or removes.  Returns -1 if a
 * signal cut the write short (said here if it cost data).
 */
int
ring_lost(int semid, uint32_t i, uint32_t len, size_t out,
    unsigned long long before)
{
	int err = errno;

	if (out == 0 && before == 0)
		ring_untake(semid);
	if (stop_signal && out == 0 && before == 0)
		return -1;	/* nothing lost: the reader says it stopped */
	if (stop_signal) {
		fprintf(stderr, "%s: stopped by signal %d in slot %u: %zu of %u "
		    "bytes lost, after %llu written: the stream is broken\n",
		    prog, (int)stop_signal, i, len - out, len, before + out);
		return -1;
	}
	errno = err;
	if (out == 0 && before == 0)
		die_lost("write (stdout)", "nothing was taken: the stream "
		    "stays whole for another reader");
	die_lost("write (stdout)", "%zu of %u bytes of slot %u lost, after "
	    "%llu written: the stream is broken", len - out, len, i,
	    before + out);
}

/*
 * Give back the first slot we took, and STARTED with it, in one semop: as
 * if this reader had never taken it (nothing of the stream got out).  The
 * -1 on STARTED with SEM_UNDO leaves the death notice as it was before
 * the first take (ring_arrive).
 */
void
ring_untake(int semid)
{
	struct sembuf put_back[2] = {
		{ .sem_num = FILLED, .sem_op = 1, .sem_flg = 0 },
		{ .sem_num = STARTED, .sem_op = -1, .sem_flg = SEM_UNDO },
	};

	if (semop(semid, put_back, 2) == -1)
		die("semop (giving the slot back)");
}

/*
 * For shm/reader: the set let us take a slot, but no segment has the key:
 * the set is not a stream's of ours.  Say so, and give back what we took,
 * so that it stays as we found it.  Returns CORRUPT.
 */
int
ring_no_segment(int semid)
{
	refuse("key 0x%08x: the semaphore set says a slot is filled, but no "
	    "segment has the key: no stream of ours", (unsigned int)ipc_key);
	hint("remove the set with {ctl} rm, or pick another key with -k");
	ring_untake(semid);
	return CORRUPT;
}

/*
 * For shm/reader: has the writer gone, leaving no filled slot?  WRITER is
 * 1 while it runs (SEM_UNDO puts it back to 0 when it dies).  Before any
 * segment exists no writer has come yet: keep waiting.  A ring that
 * appeared while we waited, with no writer left, is our stream's: ours to
 * remove (*shmid).  Any other segment is not: said, and -1 (the reader
 * stops).  `attached`: the reader has the segment already.
 */
int
ring_writer_gone(int semid, int attached, int *shmid)
{
	struct shmid_ds ds;
	size_t size;
	int id;

	if (ring_value(semid, WRITER) != 0 || ring_value(semid, FILLED) != 0)
		return 0;
	if (attached)
		return 1;
	if ((id = shmget(ipc_key, 0, 0)) == -1)
		return 0;
	/* A writer arrives (WRITER 1) before it makes its segment: one that
	 * came since our first look is here now, header or not. */
	if (ring_value(semid, WRITER) != 0 || ring_value(semid, FILLED) != 0)
		return 0;
	ring_stat(id, &ds);		/* another user's: refused */
	if (segment_kind(id, &size) != ring_kind) {
		ring_refuse(id, "", ", which came while we waited for a "
		    "writer: left as it is", "no writer can use this key while "
		    "it is there; pick another key with -k");
		return -1;
	}
	*shmid = id;
	return 1;
}

/*
 * shm/ctl watch's look (watch() in common/ polls it): the segment's
 * nattch (IPC_STAT), and the values of the set with the same key, by
 * name for the ring's and the counter's.  Returns 0 when neither has our
 * key: not yet, or no more.
 */
int
shm_state(char *line, size_t size)
{
	struct shmid_ds ds;
	int shmid = shmget(ipc_key, 0, 0), n;	/* 0: never create */

	if (shmid == -1 && errno != ENOENT)
		die("shmget");
	if (shmid != -1 && shmctl(shmid, IPC_STAT, &ds) == -1) {
		if (errno != EINVAL && errno != EIDRM)
			die("shmctl IPC_STAT");
		shmid = -1;		/* removed since shmget */
	}
	if (shmid == -1)
		n = snprintf(line, size, "no segment; ");
	else
		n = snprintf(line, size, "nattch %lu; ",
		    (unsigned long)ds.shm_nattch);
	if (n < 0 || (size_t)n >= size)
		return 1;
	return set_state(line + n, size - (size_t)n) || shmid != -1;
}

/*
 * Is a set of n semaphores, with the values vals, the ring's or the
 * counter's?  Its size and its mark say (ring.h, counter.h).  Returns the
 * names of its semaphores (the mark, last, is not shown), or NULL.
 */
const char *const *
set_names(unsigned long n, const unsigned short *vals)
{
	static const char *const ring[] = { "FREE", "FILLED", "WRITER",
		"READER", "STARTED" };
	static const char *const counter[] = { "MUTEX", "GATE", "RUNNERS" };

	if (n == NSEMS && vals[RING_MARK] == RING_MARK_VALUE)
		return ring;
	if (n == COUNTER_NSEMS && vals[COUNTER_MARK] == COUNTER_MARK_VALUE)
		return counter;
	return NULL;
}

/*
 * The values of the set with our key, named as ring.h and counter.h name
 * them; "no semaphores" and 0 if there is none (or it just went).
 */
static int
set_state(char *line, size_t size)
{
	const char *const *names = NULL;
	unsigned short vals[NSEMS];
	struct semid_ds ds;
	union semun arg;
	unsigned long i, n;
	size_t len;
	int semid = semget(ipc_key, 0, 0);

	if (semid == -1 && errno != ENOENT)
		die("semget");
	arg.buf = &ds;
	if (semid != -1 && semctl(semid, 0, IPC_STAT, arg) == -1)
		semid = -1;		/* removed since semget */
	n = semid == -1 ? 0 : (unsigned long)ds.sem_nsems;
	arg.array = vals;	/* GETALL: vals holds a ring's or a counter's */
	if ((n == NSEMS || n == COUNTER_NSEMS) &&
	    semctl(semid, 0, GETALL, arg) == -1)
		semid = -1;
	if (semid != -1 && (n == NSEMS || n == COUNTER_NSEMS))
		names = set_names(n, vals);
	if (semid == -1) {
		snprintf(line, size, "no semaphores");
		return 0;
	}
	if (names == NULL) {
		snprintf(line, size, "a set of %lu semaphores (%s)", n,
		    set_owner(n));
		return 1;
	}
	for (i = 0, len = 0; i < n - 1 && len < size; i++)	/* not the mark */
		len += (size_t)snprintf(line + len, size - len, "%s%s %u",
		    i ? " " : "", names[i], vals[i]);
	return 1;
}
