/*
 * ring.h - what shm/writer and shm/reader agree on: the layout of the
 * shared segment (layout.c), and the semaphores that take turns over it
 * (turns.c); and how shm/'s programs tell a ring from a counter, or from
 * another program's object, with our key (kinds.c).
 *
 * The segment is a ring of SLOTS slots of SLOT_BYTES bytes each, after a
 * small header.  The writer read(2)s standard input straight into the next
 * free slot and records how many bytes it holds; the reader write(2)s each
 * filled slot straight out.  The bytes cross from one process to the other
 * without the kernel copying them: both map the same pages.
 *
 * Shared memory gives no synchronisation at all, so a semaphore set (same
 * key, 6 semaphores) says whose turn each slot is - the producer/consumer
 * of the notes:
 *	FREE	slots the writer may fill (starts at SLOTS)
 *	FILLED	slots the reader may empty (starts at 0)
 * The writer does P(FREE), fills, V(FILLED); the reader P(FILLED), empties,
 * V(FREE).  Each side goes round the ring in order, so the slot numbers
 * need no sharing.  Three more semaphores say who is there:
 *	WRITER, READER	1 while that side runs, taken with SEM_UNDO so that the
 *			kernel puts it back to 0 when the process dies, even by
 *			kill -9.  A peer blocked in P looks at it once a second.
 *	STARTED		1 once a reader has taken the first slot, and for
 *			good: no SEM_UNDO takes it back when that reader dies.
 * And a sixth, RING_MARK, holds RING_MARK_VALUE from the start, never
 * changed: a set has no name, and the mark tells the ring's set from
 * another of six semaphores, a dinner of six philosophers (open_set).
 *
 * A reader that dies mid-stream.  What it took is gone with it: the slots
 * it emptied were given back to the writer and refilled, and the bytes it
 * was writing may or may not have reached its output.  No later reader
 * could go on from exactly the next byte, so none may go on at all: a
 * reader arrives only while STARTED is 0 (one atomic semop with READER),
 * and a second one is refused with "the stream is broken".  The writer
 * sees STARTED 1 and READER 0, however soon the second reader came, and
 * stops too.  A reader that leaves before taking anything (Ctrl-C while it
 * waits) breaks nothing: the next one reads the whole stream.
 *
 * A reader killed before its first slot.  A reader stopped by SIGSTOP or
 * Ctrl-Z is not waiting in semop (the stop takes it out; SIGCONT makes the
 * call again), so the writer's V(FILLED) cannot hand it a slot: killed
 * so, it leaves READER 0 and STARTED 0, as a reader that left on purpose
 * does.  So a reader arrives with a death notice: +1 on STARTED, then -1
 * with SEM_UNDO, in the arriving semop.  STARTED stays 0, but the kernel
 * will add 1 to it when the reader dies; its first take (+1 with
 * SEM_UNDO) or its leaving on purpose takes the notice back.  Killed in
 * any state, a reader leaves STARTED 1 and READER 0, and the writer stops.
 * Killed after the writer has ended the stream and left, it took nothing:
 * the next reader finds every slot still filled (FILLED is the end's
 * seq, slot 0 the stream's first: ring_unread), clears the notice, and
 * reads the whole stream.
 *
 * End of stream: a slot of length 0, which the writer marks as the end
 * (`ended`, with the stream's `total` of bytes).  An interrupted writer
 * sets `aborted` instead, so the reader can tell a complete stream from a
 * cut one.
 *
 * The semaphores are not proof.  Anyone with our uid may V on FILLED or
 * FREE, or write into the segment: the reader would then take a slot not
 * yet filled, or one filled a round ago, or an end nobody wrote.  So each
 * slot carries its place in the stream (`seq`: 1, 2, 3 ... written last,
 * after the data and the length), and the reader checks it before and
 * after writing the slot out; it accepts an end only where the writer
 * marked it, with the total it wrote out; and after the end it counts
 * the tokens: FREE + FILLED must be SLOTS - 1 (it holds the last).  A
 * mismatch is said ("tampered with"), and the reader exits 1.  All of it
 * costs no system call per slot.
 *
 * Who creates and who removes.  Whichever side starts first creates the
 * semaphore set (IPC_EXCL, 0600, race-free: open_set() in common/sets.c).
 * The writer creates the segment with IPC_EXCL, because only it knows
 * SLOTS and SLOT_BYTES; a reader that came first waits on FILLED, and
 * attaches when the first slot is filled.  The reader removes both at the
 * end of the stream; a side that stops early removes both if the other
 * side is gone too.  A program refused at the start (a second writer, a
 * reader of a broken stream, a set or segment of another shape) removes
 * nothing it did not make.  IPC_RMID on a segment only marks it: it goes
 * when the last process detaches.  A writer whose shmat fails removes its
 * segment at once (no header: nobody could use it); until the header is
 * written, the segment is known as ours by its creator, who set FREE
 * last (kinds.c).  A reader whose shmat fails gives its slot back.
 */
#ifndef RING_H
#define RING_H

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <time.h>

enum { FREE, FILLED, WRITER, READER, STARTED, RING_MARK, NSEMS };
/* "ri", in RING_MARK: ipcdemo.h holds it, so that sem/ctl knows it too. */
enum { RING_MARK_VALUE = RING_SET_MARK };
_Static_assert((int)NSEMS == (int)RING_SET_SIZE, "as ipcdemo.h has it");

#define RING_MAGIC 0x72696e67u	/* "ring": a segment laid out by us */
#define RING_VERSION 4u		/* 4: seq, ended, total */

struct slot {
	uint32_t len;		/* bytes in the slot; 0 = the end, if marked */
	uint32_t seq;		/* its place in the stream, from 1; last */
};

struct ring {
	uint32_t magic;		/* RING_MAGIC */
	uint32_t version;	/* RING_VERSION */
	uint32_t slots;		/* how many slots in the ring */
	uint32_t slot_bytes;	/* how many bytes each slot can hold */
	uint32_t aborted;	/* the writer stopped before the end */
	uint32_t ended;		/* the seq of the end slot, once written */
	uint64_t total;		/* with ended: the bytes of the whole stream */
	struct slot slot[];	/* each slot's length and seq */
};

/* madvise(2): fault in every page of a range now, for writing (Linux
 * 5.14): musl's headers lack it; the kernel's own value. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

enum {
	SLOTS_MAX = 1024,		/* -s */
	SLOT_BYTES_MAX = 64 << 20,	/* -z */
	DATA_ALIGN = 64			/* slots start on a cache line */
};

/*
 * shm/first/writer's and reader's segment, as those pages lay it out
 * (their set has 2 semaphores, EMPTY and FULL, no mark): here so that
 * shm/ctl knows it, by its size alone, and can name and remove it.
 */
struct first_seg {
	uint16_t len;		/* bytes in buf; 0: the end of the stream */
	char buf[UINT16_MAX];
};
enum { FIRST_NSEMS = 2 };

/* How a side's stream ended: the end, or why not. */
enum {
	DONE = 0, STOPPED = -1,	/* a signal */
	PEER_GONE = -2,		/* the other side died or left early */
	CORRUPT = -3,		/* a header not ours, or changed under us */
	LOST = -4,		/* a failed call, at exit (die) */
	TAMPERED = -5		/* a slot or an end the writer did not make */
};

/* What a side moved, for its last line (ring_tally). */
struct tally {
	unsigned long long bytes;	/* bytes streamed */
	unsigned long slots;		/* slots filled or emptied */
	struct timespec t0;		/* when it began */
};

/* layout.c: the segment, its header and its slots; a side's last words. */
size_t ring_header_size(uint32_t slots);
size_t ring_size(uint32_t slots, uint32_t slot_bytes);
int ring_fits(const struct ring *r, size_t segsz);
void ring_lay_out(struct ring *r, int shmid, uint32_t slots,
    uint32_t slot_bytes);
noreturn void ring_not_attached(int who, int semid, int shmid);
int ring_check(int semid, const struct ring *r, size_t segsz, key_t key);
long slot_check(const struct ring *r, uint32_t i, unsigned long n,
    uint32_t slot_bytes);
int slot_kept(const struct ring *r, uint32_t i, unsigned long n,
    uint32_t len);
int ring_end_check(int semid, const struct ring *r, uint32_t slots,
    const struct tally *t);
int ring_no_segment(int semid, key_t key);
int ring_unread(int semid, key_t key);
ssize_t read_or_gone(char *slot, uint32_t slot_bytes, int (*gone)(void));
int ring_lost(int semid, uint32_t i, uint32_t len, size_t out,
    unsigned long long before);
void ring_tally(const struct tally *t, const char *tail);
void ring_ended(int who, int status, int semid, const struct ring *r,
    key_t key);

/* kinds.c: a ring's, a counter's (team.h), shm/first's, or another's. */
extern const char ring_kind[], unwritten_kind[], counter_kind[],
    damaged_kind[], first_kind[];
const char *segment_kind(int shmid, size_t *segsz);
int shm_kind(const char *kind);
void shmctl_stat(int shmid, struct shmid_ds *ds);
void ring_refuse(key_t key, int shmid, const char *already, const char *why,
    const char *advice);
noreturn void ring_not_made(key_t key);
int ring_stale(int semid, key_t key, int arrived, int made_set, int *shmid);
int set_kind(int semid, unsigned long *n, char *line, size_t size,
    int gone_ok);
void not_foreign(int shmid, int semid, int force);	/* shm/ctl rm */

/* turns.c: the semaphores, whose turn it is and who is there (semop). */
int open_ring_set(key_t key, int *made);
void semop_arrive(int semid, int who, key_t key);
int ring_value(int semid, int sem);
void ring_first_p(int semid);
int semop_or_gone(int semid, struct sembuf *ops, size_t nops,
    int (*gone)(void));
void ring_open_slots(int semid, uint32_t slots);
void ring_untake(int semid);
int ring_leave(int semid, int who);
void leave_stream(int who, int status, int semid, int shmid, key_t key);
int last_out(int semid, int mine, int others, int shmid);
void ring_remove(int semid, int shmid);

#endif
