/*
 * ring.c - the steps shm/writer and shm/reader share: where the slots
 * are, how a segment is checked before it is trusted, and how the
 * semaphore set is made without a race.  See ring.h.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "ring.h"

enum { READY_POLLS = 500, READY_POLL_MS = 10 };	/* 5 s in all */

/* The header and the slot lengths, rounded up so the slots align. */
size_t
ring_header_size(uint32_t slots)
{
	size_t size = sizeof(struct ring) + (size_t)slots * sizeof(uint32_t);

	return (size + DATA_ALIGN - 1) / DATA_ALIGN * DATA_ALIGN;
}

char *
ring_slot(struct ring *r, uint32_t i)
{
	return (char *)r + ring_header_size(r->slots) +
	    (size_t)i * r->slot_bytes;
}

/*
 * Trust nothing in a segment we did not lay out: a corrupt header could
 * send us reading past its end.  The slots must fit in shm_segsz.
 */
int
ring_check(const struct ring *r, size_t segsz)
{
	if (segsz < sizeof *r || r->magic != RING_MAGIC || r->slots < 1 ||
	    r->slots > SLOTS_MAX || r->slot_bytes < 1 ||
	    r->slot_bytes > SLOT_BYTES_MAX ||
	    ring_header_size(r->slots) + (size_t)r->slots * r->slot_bytes >
	    segsz) {
		fprintf(stderr, "%s: key 0x%08x: the segment's header is not "
		    "one of ours, or is corrupt (%zu bytes)\n", prog,
		    (unsigned int)ipc_key, segsz);
		hint("remove it with shm/ctl rm, or pick another key with -k");
		return -1;
	}
	return 0;
}

/*
 * Create a set of nsems semaphores with the values init, or join it.  As in
 * sem/sem.h: the creator sets the values with SETALL, then makes a no-op
 * semop so that sem_otime is no longer 0; a late-comer waits for that
 * before it uses the set.  The no-op waits for zero, with IPC_NOWAIT, on
 * the last semaphore, so init must start it at 0 (both callers do).
 * Returns the id, or -1 if a signal stopped us.
 */
int
ring_open_set(int nsems, unsigned short *init, int *created)
{
	struct sembuf noop = { 0, 0, IPC_NOWAIT };
	struct semid_ds ds;
	struct timespec pause = { 0, READY_POLL_MS * 1000000L };
	union semun arg;
	int id, polls;

	for (;;) {
		id = semget(ipc_key, nsems, IPC_CREAT | IPC_EXCL | 0600);
		if (id != -1) {
			arg.array = init;
			if (semctl(id, 0, SETALL, arg) == -1)
				die("semctl SETALL");
			noop.sem_num = (unsigned short)(nsems - 1);
			if (semop(id, &noop, 1) == -1)
				die("semop (marking the set ready)");
			note("semget: created semaphore set id %d (%d "
			    "semaphores, mode 0600)", id, nsems);
			*created = 1;
			return id;
		}
		if (errno != EEXIST)
			die("semget");
		id = semget(ipc_key, nsems, 0600);
		if (id != -1)
			break;
		if (errno != ENOENT)
			die("semget");
	}
	*created = 0;
	arg.buf = &ds;
	for (polls = 0; polls < READY_POLLS; polls++) {
		if (semctl(id, 0, IPC_STAT, arg) == -1)
			die("semctl IPC_STAT");
		refuse_if_not_ours("semaphore set", id, &ds.sem_perm);
		if (ds.sem_otime != 0) {
			note("semget: joined semaphore set id %d", id);
			return id;
		}
		if (nanosleep(&pause, NULL) == -1 && stop_signal)
			return -1;
	}
	fprintf(stderr, "%s: key 0x%08x: semaphore set id %d was never "
	    "initialised\n", prog, (unsigned int)ipc_key, id);
	hint("its creator may have died half way; remove it with shm/ctl rm");
	exit(EXIT_CALL_FAILED);
}

/*
 * Say "I am here": wait-for-zero and +1 on our own semaphore, in one
 * semop, atomically - so a second writer (or reader) is refused, not let
 * in beside the first.  SEM_UNDO makes the kernel take the +1 back when we
 * exit, however we exit: that is how the peer learns we are gone.
 */
void
ring_arrive(int semid, int who)
{
	struct sembuf ops[2] = {
		{ (unsigned short)who, 0, IPC_NOWAIT },
		{ (unsigned short)who, 1, SEM_UNDO },
	};

	if (semop(semid, ops, 2) == -1) {
		if (errno == EAGAIN)
			die_hint("semop", "another %s is already using this "
			    "key; wait for it, or pick another key with -k",
			    who == WRITER ? "writer" : "reader");
		die("semop (arriving)");
	}
}

/* Count ourselves in, beside others: +1 with SEM_UNDO, never refused. */
void
ring_join(int semid, int sem)
{
	struct sembuf op = { (unsigned short)sem, 1, SEM_UNDO };

	if (semop(semid, &op, 1) == -1)
		die("semop (joining)");
}

/* The -1 that undoes ring_arrive() or ring_join(), now, not at exit. */
void
ring_leave(int semid, int who)
{
	struct sembuf op = { (unsigned short)who, -1, SEM_UNDO | IPC_NOWAIT };

	if (semop(semid, &op, 1) == -1 && errno != EIDRM && errno != EINVAL)
		complain("semop (leaving)");
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
 * P on a slot semaphore.  A peer killed with kill -9 can never V again, so
 * we do not wait blindly: an alarm wakes the semop every second (EINTR),
 * and we ask peer_gone() before we wait on.  Returns 0 once the slot is
 * ours, -1 when a signal stops us, -2 when the peer has gone.
 */
int
ring_take(int semid, int sem, int (*peer_gone)(void))
{
	struct sembuf op = { (unsigned short)sem, -1, 0 };
	int r;

	for (;;) {
		alarm(1);
		r = semop(semid, &op, 1);
		alarm(0);
		if (r == 0)
			return 0;
		if (errno != EINTR)
			die("semop P");
		if (stop_signal)
			return -1;
		if (peer_gone())
			return -2;
	}
}

/* V on a slot semaphore: one more slot for the other side. */
void
ring_give(int semid, int sem)
{
	struct sembuf op = { (unsigned short)sem, 1, 0 };

	if (semop(semid, &op, 1) == -1)
		die("semop V");
}
