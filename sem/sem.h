/*
 * sem.h - what sem/wait, sem/post and sem/ctl share: one semaphore, in a
 * set of one, made race-free by whichever program comes first.
 *
 * The race.  semget(IPC_CREAT) makes a set and semctl(SETVAL) gives it a
 * value: two calls, not one.  A second process that opens the set between
 * them and does P or V at once would work on a value that the creator is
 * about to overwrite, and its V would be lost.  So the creator, after
 * SETVAL, does one semop that changes nothing: that sets the set's
 * sem_otime, which is 0 until the first semop.  Everyone else waits until
 * sem_otime is not 0 before touching the set.  (TLPI 47.5, UNP vol. 2 11.2.)
 *
 * Nobody removes the set but sem/ctl rm: its value is the state the demo
 * is about (seats free), and it must outlive each program.
 */
#ifndef SEM_H
#define SEM_H

/* The largest value a semaphore may hold (Linux SEMVMX); ERANGE above it. */
enum { SEM_MAX = 32767 };

int open_set(void);

#endif
