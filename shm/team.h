/*
 * team.h - shm/counter's segment and semaphores, a run's options, and the
 * steps of its team (team.c) that join the set, fork, reap and report the
 * processes that add.  The adding, the lesson, is in counter.c; shm/ctl
 * and the ring's refusals know a counter when they see one (kinds.c).
 */
#ifndef TEAM_H
#define TEAM_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#define COUNTER_MAGIC 0x636e7472u	/* "cntr" */
#define COUNTER_VERSION 2u		/* 2: done */

struct counter {
	uint32_t magic;		/* COUNTER_MAGIC, written under the mutex */
	uint32_t version;	/* COUNTER_VERSION */
	atomic_llong count;	/* the shared counter */
	atomic_llong expected;	/* what all runs so far have added */
	atomic_llong done;	/* of those, made: all once none adds */
};

/* The set; COUNTER_MARK holds its value, never changed (as the ring's
 * RING_MARK: ring.h). */
enum { MUTEX, GATE, RUNNERS, COUNTER_MARK, COUNTER_NSEMS };
enum { COUNTER_MARK_VALUE = COUNTER_SET_MARK };	/* "co": ipcdemo.h */
_Static_assert((int)COUNTER_NSEMS == (int)COUNTER_SET_SIZE,
    "as ipcdemo.h has it");
enum { PROCS_MAX = 64 };			/* -p */

struct run {
	long long procs, times;	/* -p, -n */
	int unlocked;		/* -u: no mutex */
};

int open_counter_set(key_t key, int *made_set);
struct counter *counter_attach(key_t key, int *shmid);	/* kinds.c */
void mutex_held(int semid, long waited);
long long team_run(int semid, key_t key, struct counter *c,
    const struct run *run, long long (*work)(const struct run *run),
    int *failed);
int team_report(struct counter *c, const struct run *run, long long made,
    int failed);

#endif
