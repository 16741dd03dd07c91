/*
 * counter.h - what shm/counter and shm/team.c share: the counter's
 * semaphores, a run's options, and the steps that fork, reap and report
 * the team of processes that add.  The segment itself (struct counter) is
 * in ring.h, where shm/ctl and the ring's checks know it.
 */
#ifndef COUNTER_H
#define COUNTER_H

#include "ring.h"

/* The set; COUNTER_MARK holds its value, never changed (see ring.h). */
enum { MUTEX, GATE, RUNNERS, COUNTER_MARK, COUNTER_NSEMS };
enum { COUNTER_MARK_VALUE = 0x636f };	/* "co" */
enum { PROCS_MAX = 64 };			/* -p */

struct run {
	long long procs, times;	/* -p, -n */
	int unlocked;		/* -u: no mutex */
};

int team_join(int *made_set);
long long team_run(int semid, struct counter *c, const struct run *run,
    long long (*work)(const struct run *run), int *failed);
void team_report(struct counter *c, const struct run *run, long long made,
    int failed);

#endif
