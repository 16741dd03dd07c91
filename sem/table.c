/*
 * table.c - sem/philosophers' steps around the dinner: its largest semop
 * tried once before anyone sits, and who never told their meals.  See
 * table.h.
 *
 * Man pages: semop(2) (E2BIG), proc(5) (/proc/sys/kernel/sem), waitpid(2).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipcdemo.h"
#include "table.h"

/*
 * A philosopher's largest semop has nops operations: both forks (2), or
 * under -u the window, which waits on every fork.  The kernel allows at
 * most SEMOPM in one call (kernel.sem, 3rd field) and fails more with
 * E2BIG - which each philosopher would find out alone, and say: forty
 * times for forty.  So the call is tried once, here, before anyone sits:
 * waiting for zero with IPC_NOWAIT on forks that are all 1 fails at once
 * with EAGAIN and changes nothing - or fails with E2BIG, said once.
 */
void
ops_fit(int semid, int nops)
{
	struct sembuf ops[PHIL_MAX];
	int i;

	for (i = 0; i < nops && i < PHIL_MAX; i++) {
		ops[i].sem_num = (unsigned short)i;
		ops[i].sem_op = 0;
		ops[i].sem_flg = IPC_NOWAIT;
	}
	if (semop(semid, ops, (size_t)i) == 0 || errno == EAGAIN)
		return;
	if (errno == E2BIG)
		die_hint("semop (trying a philosopher's largest)", "a "
		    "philosopher's semop takes %d operations (-u: its window "
		    "waits on every fork), more than the system allows in one "
		    "call (kernel.sem, 3rd field, SEMOPM); seat fewer (-p)",
		    nops);
	die("semop (trying a philosopher's largest)");
}

/* Why philosopher kid ended, from waitpid: "exited with status 1"... */
static void
why(pid_t kid, char *text, size_t size)
{
	int status;

	if (kid <= 0) {		/* never forked: waitpid(0) is anyone's */
		snprintf(text, size, "it never sat down");
		return;
	}
	while (waitpid(kid, &status, 0) == -1)
		if (errno != EINTR) {
			snprintf(text, size, "it ended unseen (%s)",
			    errname(errno));
			return;
		}
	if (WIFSIGNALED(status))
		snprintf(text, size, "killed by signal %d",
		    WTERMSIG(status));
	else
		snprintf(text, size, "exited with status %d%s",
		    WEXITSTATUS(status), WEXITSTATUS(status) != 0 ?
		    ", after an error (above)" : "");
}

/*
 * The philosophers who never told their meals (ate[i] < 0), reaped for
 * why, one line for each why: "philosophers 0 1 2 never told their meals
 * (not known): exited with status 1, after an error (above)".
 */
void
untold(const long long *ate, const pid_t *kids, int n)
{
	char whys[PHIL_MAX][64], who[PHIL_MAX * 4];
	int i, j, count, said[PHIL_MAX] = { 0 };

	for (i = 0; i < n && i < PHIL_MAX; i++)
		if (ate[i] < 0)
			why(kids[i], whys[i], sizeof whys[i]);
	for (i = 0; i < n && i < PHIL_MAX; i++) {
		if (ate[i] >= 0 || said[i])
			continue;
		who[0] = '\0';
		for (j = i, count = 0; j < n && j < PHIL_MAX; j++)
			if (ate[j] < 0 && !said[j] &&
			    strcmp(whys[j], whys[i]) == 0) {
				said[j] = 1;
				count++;
				snprintf(who + strlen(who), sizeof who -
				    strlen(who), " %d", j);
			}
		refuse("philosopher%s%s never told %s meals (not known): %s",
		    count > 1 ? "s" : "", who, count > 1 ? "their" : "its",
		    whys[i]);
	}
}
