/*
 * turns.c - the ring's turns: its set of semaphores, how a side says it
 * is there, how a P waits without waiting blindly, a new stream's slots
 * and a slot given back, and who leaves and who removes at the end.  The
 * P and V on the slots themselves are in the writer's and the reader's
 * loops.  The segment's layout is in layout.c; see ring.h.
 */
#define _GNU_SOURCE		/* semtimedop(2), in glibc and musl alike */
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

static int stream_over(int semid, key_t key);
static noreturn void refused(int semid, int who, key_t key);

/*
 * The ring's set of NSEMS semaphores, all 0 but the mark, made or joined
 * by open_set (common/sets.c: semget on the key, without a race).  Returns the id, or -1 if a signal stopped the
 * wait for the set's creator.
 */
int
open_ring_set(key_t key, int *made)
{
	static const unsigned short init[NSEMS] = { [RING_MARK] =
		RING_MARK_VALUE };

	return open_set(key, NSEMS, init, 1, made);
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
semop_arrive(int semid, int who, key_t key)
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
		    !stream_over(semid, key))
			refused(semid, who, key);
	}
}

/*
 * STARTED is 1 with no reader and no writer, and no segment: a reader
 * died (its death notice) or broke a stream that is over now; nothing is
 * left to read, so nothing is broken.  Or a segment whose stream nobody
 * read (ring_unread, layout.c): a reader killed before its first slot.
 * Clear it, in one semop that makes sure no writer and no reader came
 * meanwhile.  Returns 1 if cleared.
 */
static int
stream_over(int semid, key_t key)
{
	struct sembuf clear[3] = {
		{ .sem_num = WRITER, .sem_op = 0, .sem_flg = IPC_NOWAIT },
		{ .sem_num = READER, .sem_op = 0, .sem_flg = IPC_NOWAIT },
		{ .sem_num = STARTED, .sem_op = -1, .sem_flg = IPC_NOWAIT },
	};

	if (!ring_unread(semid, key))
		return 0;
	if (semop(semid, clear, 3) == 0)
		return 1;
	if (errno != EAGAIN)
		die("semop (clearing STARTED)");
	return 0;
}

/* Another of our kind is here, or the stream is broken: exit 1. */
static noreturn void
refused(int semid, int who, key_t key)
{
	if (ring_value(semid, who) != 0) {
		fprintf(stderr, "%s: key 0x%08x: another %s is already using "
		    "this ring\n", prog, (unsigned int)key,
		    who == WRITER ? "writer" : "reader");
		hint("wait for it to finish, or pick another key with -k");
	} else {
		fprintf(stderr, "%s: key 0x%08x: the stream is broken: a "
		    "reader took part of it and is gone, and what it took "
		    "cannot be read again\n", prog, (unsigned int)key);
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
 * shm/reader, before its first P on FILLED: say what it will do - wait
 * for the writer's first slot (FILLED 0), or take one filled already.
 * (A writer may fill one between our look and our P: then we only wait
 * less than we said.)
 */
void
ring_first_p(int semid)
{
	int filled = ring_value(semid, FILLED);

	if (filled == 0)
		note("waiting for the writer's first slot (P on FILLED)...");
	else
		note("P on FILLED: %d slot%s filled already, no wait", filled,
		    plural((unsigned long long)filled));
}

/*
 * semop(semid, ops, nops): a P, so it may wait.  A peer killed with
 * kill -9 can never V again, so we do not wait blindly: semtimedop(2) is
 * semop with a time limit, and after a second of waiting (EAGAIN), or a
 * signal (EINTR), we ask gone() before we wait on.  A P that need not
 * wait costs that one call, nothing more: the look happens only when a
 * wait has lasted, so a fast stream pays nothing for it.  Returns DONE
 * once the semop is done, STOPPED when a signal stops us, PEER_GONE when
 * the peer has gone.
 */
int
semop_or_gone(int semid, struct sembuf *ops, size_t nops,
    int (*gone)(void))
{
	struct timespec second = { .tv_sec = 1, .tv_nsec = 0 };

	for (;;) {
		if (stop_signal)
			return STOPPED;
		if (semtimedop(semid, ops, nops, &second) == 0)
			return DONE;
		if (errno != EAGAIN && errno != EINTR)
			die("semop P");
		if (stop_signal)
			return STOPPED;
		if (gone())
			return PEER_GONE;
	}
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
 * shm/writer, for a segment it has just made, before it attaches it:
 * FREE opens every slot, FILLED starts at 0.  SETVAL is safe here: no slot
 * of this new segment can have been handed over yet.  It also makes us
 * FREE's last pid (GETPID), which is how a segment whose header we never
 * wrote is still known as ours (kinds.c).  Not on STARTED: SETVAL clears every
 * process's SEM_UNDO for the semaphore, and a reader waiting already
 * would lose its death notice (semop_arrive).  A STARTED of 1 with no
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
 * shm/reader: give back the first slot it took, and STARTED with it, in
 * one semop: as if it had never taken it (nothing of the stream got out).
 * The -1 on STARTED with SEM_UNDO leaves its death notice as it was
 * before the first take (semop_arrive).
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
 * The -1 that undoes our +1 on the presence semaphore `who` (semop_arrive),
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
 * A side leaves the stream (`who`, with the status it ends with), and
 * whoever leaves last removes: the end of ring.h's "who removes".  At the
 * end of the stream the writer only leaves, and the reader removes the
 * segment and the set.  Before the end, a stream no reader has taken from
 * (STARTED 0) with its segment there stays whole for the next reader, and
 * a segment not of ours (CORRUPT) is not the reader's to judge; otherwise
 * whoever leaves last removes both: the stream is over or broken.
 */
void
leave_stream(int who, int status, int semid, int shmid, key_t key)
{
	if (status == DONE && who == WRITER) {
		(void)ring_leave(semid, WRITER);   /* the reader removes */
	} else if (status == DONE) {
		(void)ring_leave(semid, READER);
		ring_remove(semid, shmid);
		note("removed the segment and the semaphore set (IPC_RMID)");
	} else if (who == READER && (status == CORRUPT ||
	    (status != PEER_GONE && semctl(semid, STARTED, GETVAL) == 0 &&
	    shmget(key, 0, 0) != -1))) {
		(void)ring_leave(semid, READER);	/* the stream stays */
	} else if (!last_out(semid, who, who == WRITER ? READER : WRITER,
	    shmid)) {
		return;				/* the other side is there */
	} else if (who == READER) {	/* shmid -1: we never found one */
		note("removed %s (IPC_RMID)%s", shmid != -1 ? "the segment "
		    "and the semaphore set" : "the semaphore set", status ==
		    LOST && shmid != -1 ? ": the rest of the stream with them" :
		    "");
	} else if (status != LOST) {
		note("no reader left: removed the segment and the semaphore "
		    "set");
	}
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
