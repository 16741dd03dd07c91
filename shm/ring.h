/*
 * ring.h - what shm/writer and shm/reader agree on: the layout of the
 * shared segment, and the semaphores that take turns over it.
 *
 * The segment is a ring of SLOTS slots of SLOT_BYTES bytes each, after a
 * small header.  The writer read(2)s standard input straight into the next
 * free slot and records how many bytes it holds; the reader write(2)s each
 * filled slot straight out.  The bytes cross from one process to the other
 * without the kernel copying them: both map the same pages.
 *
 * Shared memory gives no synchronisation at all, so a semaphore set (same
 * key) says whose turn each slot is - the producer/consumer of the notes:
 *	FREE	slots the writer may fill (starts at SLOTS)
 *	FILLED	slots the reader may empty (starts at 0)
 * The writer does P(FREE), fills, V(FILLED); the reader P(FILLED), empties,
 * V(FREE).  Each side goes round the ring in order, so the slot numbers
 * need no sharing.  Two more semaphores say who is there:
 *	WRITER, READER	1 while that side runs, taken with SEM_UNDO so that the
 *			kernel puts it back to 0 when the process dies, even by
 *			kill -9.  A peer blocked in P looks at it once a second.
 *
 * End of stream: a slot of length 0.  An interrupted writer sets `aborted`
 * instead, so the reader can tell a complete stream from a cut one.
 *
 * Who creates and who removes.  Whichever side starts first creates the
 * semaphore set (IPC_EXCL, 0600, race-free as in sem/sem.h).  The writer
 * creates the segment, because only it knows SLOTS and SLOT_BYTES; a reader
 * that came first waits on FILLED, and attaches when the first slot is
 * filled.  The reader removes both at the end of the stream; a side that
 * stops early removes both if the other side is gone too.  IPC_RMID on a
 * segment only marks it: it goes when the last process detaches.
 */
#ifndef RING_H
#define RING_H

#include <stdint.h>

enum { FREE, FILLED, WRITER, READER, NSEMS };	/* the semaphores */

#define RING_MAGIC 0x72696e67u	/* "ring": a segment laid out by us */

struct ring {
	uint32_t magic;		/* RING_MAGIC */
	uint32_t slots;		/* how many slots in the ring */
	uint32_t slot_bytes;	/* how many bytes each slot can hold */
	uint32_t aborted;	/* the writer stopped before the end */
	uint32_t len[];		/* bytes in each slot; 0 = end of stream */
};

enum {
	SLOTS_MAX = 1024,		/* -s */
	SLOT_BYTES_MAX = 64 << 20,	/* -z */
	DATA_ALIGN = 64			/* slots start on a cache line */
};

size_t ring_header_size(uint32_t slots);
char *ring_slot(struct ring *r, uint32_t i);
int ring_check(const struct ring *r, size_t segsz);
int ring_open_set(int nsems, unsigned short *init, int *created);
void ring_arrive(int semid, int who);
void ring_join(int semid, int sem);
void ring_leave(int semid, int who);
int ring_value(int semid, int sem);
int ring_take(int semid, int sem, int (*peer_gone)(void));
void ring_give(int semid, int sem);

#endif
