/*
 * sem.h - what sem/wait, sem/post and sem/ctl share: one semaphore, in a
 * set of one, made race-free by whichever program comes first (open_set()
 * in common/sets.c explains the race it avoids).  Its value starts at 0:
 * no seat is free until a V opens one.
 *
 * A set with our key but another number of semaphores is not ours (the
 * ring's set has 6, the counter's 4): every program refuses it, and
 * sem/ctl stat says how many it holds.
 *
 * Nobody removes the set but sem/ctl rm: its value is the state the demo
 * is about (seats free), and it must outlive each program.  sem/ctl rm
 * leaves another user's set (unless -f) and shm/'s, the ring's or the
 * counter's (may_remove): those are shm/ctl rm's to remove.
 */
#ifndef SEM_H
#define SEM_H

#include <sys/types.h>

/* The largest value a semaphore may hold (Linux SEMVMX); ERANGE above it. */
enum { SEM_MAX = 32767 };

enum { SEM_NSEMS = 1 };		/* one semaphore in the set */

int open_seat(key_t key);
int sem_query(int semid, int cmd);
void only_ours(key_t key, int id, unsigned long n);		/* set */
void may_remove(key_t key, int id, unsigned long n, int force);	/* rm */

#endif
