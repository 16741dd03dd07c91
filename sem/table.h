/*
 * table.h - sem/philosophers' steps around the dinner (see
 * philosophers.c): before anyone sits, their largest semop checked
 * against the kernel's limit on operations in one call, so that a limit
 * too low is said once and not by every philosopher; after the dinner, the
 * philosophers who never told their meals, with why (waitpid), in one
 * line for each why.  philosophers.c keeps the lesson - the forks, the
 * two sembufs in one semop, the deadlock - and calls each from one line.
 * Only sem/philosophers uses them.
 */
#ifndef TABLE_H
#define TABLE_H

#include <sys/types.h>

enum { PHIL_MAX = 64 };		/* -p at most: philosophers, and forks */

void ops_fit(int semid, int nops);
void untold(const long long *ate, const pid_t *kids, int n);

#endif
