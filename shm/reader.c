/*
 * shm/reader - write out, byte for byte, what shm/writer streams through
 * a System V shared memory segment.  Its partner is shm/writer.
 *
 * The reader maps the writer's segment with shmat(2), read-only
 * (SHM_RDONLY: a stray store would be a crash, not a corruption), and
 * write(2)s each filled slot straight out of the shared pages.  The
 * semaphores say when a slot is full (FILLED) and give it back when it has
 * been written (FREE); shm/ring.h has the protocol.
 *
 * Whichever side starts first creates the semaphores.  A reader that comes
 * first waits for the writer's first slot, then attaches.  At the end of
 * the stream the reader detaches and removes the segment and the set;
 * the segment really goes when the writer has detached too.
 *
 * Run it in two terminals:
 *	terminal 1:  shm/reader > copy
 *	terminal 2:  shm/writer < some-file;  then cmp copy some-file
 * and watch with ipcs -m -s while it runs.
 *
 * Try this: kill -9 the writer mid-stream; the reader notices within a
 * second or two, says the output is incomplete, exits 1 and cleans up.
 *
 * See also: shm/writer, shm/ctl, shmget(2), shmop(2), shmctl(2), semop(2).
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

static int semid = -1, shmid = -1;	/* the set and the segment */
static struct ring *ring;		/* the segment, once attached */
static uint32_t slots, slot_bytes;	/* its geometry, checked, kept here */
static const char *data;		/* where its slots start */
static int finished;			/* finish() has run */

static int attach(void);
static int drain(void);
static int writer_gone(void);
static void finish(int status);
static void abandon(void);

static void
usage(FILE *f)
{
	fprintf(f, "usage: shm/reader [-q] [-k KEY] > output\n"
	    "  Write out what shm/writer streams through shared memory.\n"
	    "  -k KEY  the key (default: $IPC_DEMO_KEY, else one made by "
	    "ftok)\n"
	    "  -q      quiet: no narration on stderr\n");
	exit(f == stdout ? 0 : EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	unsigned short zeros[NSEMS] = { 0 };
	const char *karg = NULL;
	int created, opt, status;

	prog = "shm/reader";
	while ((opt = getopt(argc, argv, ":hk:q")) != -1) {
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

	/* The semaphores and our presence; then wait for a first slot. */
	catch_signals();
	semid = ring_open_set(NSEMS, zeros, &created);
	if (semid == -1)
		return exit_status(EXIT_CALL_FAILED);
	ring_arrive(semid, READER);
	if (atexit(abandon) != 0)
		die("atexit");
	note("waiting for the writer's first slot (P on FILLED)...");
	status = ring_take(semid, FILLED, writer_gone);
	if (status == 0)
		status = attach();
	if (status == 0)
		status = drain();
	finish(status);
	if (close_stdout() == -1)
		return EXIT_CALL_FAILED;
	return exit_status(status == 0 ? 0 : EXIT_CALL_FAILED);
}

/*
 * The writer has filled a slot, so its segment exists.  SHM_RDONLY maps
 * it read-only.  Its size comes from the kernel (IPC_STAT), never from
 * the header alone, so a corrupt header cannot send us past the end.
 */
static int
attach(void)
{
	struct shmid_ds ds;
	int id;

	/* Ours to remove (shmid) only once we know it is ours. */
	id = shmget(ipc_key, 0, 0400);
	if (id == -1)
		die("shmget");
	if (shmctl(id, IPC_STAT, &ds) == -1)
		die("shmctl IPC_STAT");
	refuse_if_not_ours("segment", id, &ds.shm_perm);
	shmid = id;
	ring = shmat(shmid, NULL, SHM_RDONLY);
	if (ring == (void *)-1)
		die("shmat");
	if (ring_check(ring, ds.shm_segsz) == -1)
		return -3;
	/* Copied once: a header changed later cannot move us past the end. */
	slots = ring->slots;
	slot_bytes = ring->slot_bytes;
	data = (const char *)ring + ring_header_size(slots);
	note("shmat: segment id %d, %zu bytes (%u slot%s of %u byte%s), "
	    "read-only at %p; nattch %lu", shmid, (size_t)ds.shm_segsz,
	    slots, plural(slots), slot_bytes, plural(slot_bytes),
	    (void *)ring, (unsigned long)ds.shm_nattch + 1);
	return 0;
}

/*
 * The consumer: the slot is ours (we hold one FILLED), write it out,
 * V(FREE), P(FILLED) for the next, round the ring in order.  A slot of
 * length 0 is the end of the stream.
 */
static int
drain(void)
{
	unsigned long long bytes = 0;
	unsigned long emptied = 0;
	struct timespec t0, t1;
	double seconds;
	uint32_t i = 0, len;
	int r = 0;

	if (clock_gettime(CLOCK_MONOTONIC, &t0) == -1)
		die("clock_gettime");
	for (;;) {
		len = ring->len[i];
		if (len > slot_bytes) {
			fprintf(stderr, "%s: slot %u says %u bytes, more than a "
			    "slot holds: corrupt segment\n", prog, i, len);
			r = -3;
			break;
		}
		if (len == 0)
			break;
		if (write_all(STDOUT_FILENO, data + (size_t)i * slot_bytes,
		    len) == -1) {
			r = -1;
			break;
		}
		bytes += len;
		emptied++;
		ring_give(semid, FREE);
		i = (i + 1) % slots;
		r = ring_take(semid, FILLED, writer_gone);
		if (r != 0)
			break;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &t1) == -1)
		die("clock_gettime");
	seconds = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	note("%llu byte%s in %lu slot%s, %.3f s, %.1f MB/s%s", bytes,
	    plural(bytes), emptied, plural(emptied), seconds,
	    seconds > 0 ? (double)bytes / seconds / 1e6 : 0.0,
	    r == 0 ? "; then the end of the stream" : "");
	return r;
}

/*
 * Has the writer gone, leaving no filled slot?  WRITER is 1 while it runs
 * (SEM_UNDO puts it back to 0 when it dies).  Before any segment exists no
 * writer has come yet: keep waiting.
 */
static int
writer_gone(void)
{
	if (ring_value(semid, WRITER) != 0 || ring_value(semid, FILLED) != 0)
		return 0;
	if (ring == NULL && shmget(ipc_key, 0, 0) == -1)
		return 0;
	return 1;
}

/*
 * Say how it ended, detach, leave, and remove what the pair used: at the
 * end of the stream always, otherwise when the writer is gone too.
 */
static void
finish(int status)
{
	struct shmid_ds ds;
	int id;

	finished = 1;
	if (status == -2 && ring != NULL && ring->aborted)
		fprintf(stderr, "%s: the writer was interrupted: the output is "
		    "incomplete\n", prog);
	else if (status == -2)
		fprintf(stderr, "%s: the writer has gone before the end of the "
		    "stream (killed?): the output is incomplete\n", prog);
	if (status == -1)
		note("stopped by signal %d", (int)stop_signal);
	if (ring != NULL && shmdt(ring) == -1)
		die("shmdt");
	ring_leave(semid, READER);
	if (status == -3)
		return;		/* not ours to judge: shm/ctl rm, says the hint */
	if (status != 0 && semctl(semid, WRITER, GETVAL) > 0)
		return;		/* the writer is there, and will remove */
	/* Never attached: the writer's segment, if it is ours to remove. */
	if (shmid == -1 && (id = shmget(ipc_key, 0, 0)) != -1 &&
	    shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_perm.uid == geteuid())
		shmid = id;
	if (shmid != -1 && shmctl(shmid, IPC_RMID, NULL) == -1 &&
	    errno != EINVAL && errno != EIDRM)
		complain("shmctl IPC_RMID");
	if (semctl(semid, 0, IPC_RMID) == -1 && errno != EINVAL &&
	    errno != EIDRM)
		complain("semctl IPC_RMID");
	note("removed the segment and the semaphore set (IPC_RMID)");
}

/*
 * At exit after a failed call (die), before finish(): the semaphore set
 * removed under us, say.  With no writer there to do it, remove the
 * segment and the set, so that nothing is left to nobody.
 */
static void
abandon(void)
{
	if (finished)
		return;
	ring_leave(semid, READER);
	if (semctl(semid, WRITER, GETVAL) > 0)
		return;		/* the writer is there, and will remove */
	if (shmid != -1)
		(void)shmctl(shmid, IPC_RMID, NULL);
	(void)semctl(semid, 0, IPC_RMID);
}
