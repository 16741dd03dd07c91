/*
 * sem/ctl - look at, set or remove the semaphore of sem/wait and sem/post,
 * with semctl(2).
 *
 * For each set the kernel keeps a struct semid_ds (owner, mode, the time
 * of the last semop and of the last change), and for each semaphore in it
 * the value, the PID of the last process to operate on it, and how many
 * processes sleep waiting: for the value to rise (GETNCNT, those in P) or
 * to reach zero (GETZCNT).  SETVAL sets the value; IPC_RMID removes the set
 * at once and wakes every waiter with EIDRM.
 *
 * Try this: start sem/wait in two terminals, then sem/ctl stat: value 0,
 * waiting 2.  sem/ctl set 1 lets one in; sem/ctl rm sends the other away
 * with EIDRM.
 *
 * See also: sem/wait, sem/post, semctl(2), ipcs(1), ipcrm(1).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipcdemo.h"
#include "sem.h"

enum { STAT, SET, RM, KEY, WATCH };	/* as options() finds them */
enum { SEMS_SHOWN = 64 };	/* sem_state: values shown, at most */

static int options(int argc, char *argv[], long long *val, int *force);
static int sem_state(char *line, size_t size);
static int still_there(const char *call);
static void show(key_t key, int id, unsigned long n);

int
main(int argc, char *argv[])
{
	long long val = 0;
	union semun arg;
	unsigned long n;
	int cmd, id, force = 0;
	key_t key;

	cmd = options(argc, argv, &val, &force);	/* STAT, ...: below */
	key = use_key(PROJ_SEM);		/* -k, $IPC_DEMO_KEY or ftok */
	if (cmd == KEY || cmd == WATCH)	/* how it was made; live: common/ */
		return cmd == KEY ? explain_key(PROJ_SEM) : watch(sem_state);

	/* Find the set; flags 0 means "open, never create". */
	id = semget(key, 0, 0);
	if (id == -1 && errno == ENOENT)
		die_hint("semget", "no semaphore set has key 0x%08x: sem/wait "
		    "or sem/post creates it", (unsigned int)key);
	if (id == -1)
		die("semget");

	n = set_size(id);	/* another size is not sem/wait's: common/ */
	if (cmd == STAT) {
		show(key, id, n);
	} else if (cmd == RM) {
		may_remove(key, id, n, force);	/* not shm/'s: sem.c */
		if (semctl(id, 0, IPC_RMID) == -1)
			die("semctl IPC_RMID");
		note("semctl IPC_RMID: removed set id %d (%lu semaphore%s%s)",
		    id, n, plural(n), n == SEM_NSEMS ? "" : ", not sem/wait's");
	} else {
		only_ours(key, id, n);		/* sem.c */
		arg.val = (int)val;
		if (semctl(id, 0, SETVAL, arg) == -1)
			die("semctl SETVAL");
		note("semctl SETVAL: the value is now %d, %d waiting",
		    sem_query(id, GETVAL), sem_query(id, GETNCNT));
	}
	return close_stdout() == -1 ? EXIT_CALL_FAILED : 0;
}

/*
 * watch's look at the set (watch() in common/ polls it): the value, how
 * many sleep in P (GETNCNT) and how many wait for zero (GETZCNT).  A set of
 * another size is shown whole: its size, every value (up to 64), the
 * waiters on all.  Returns 0 when no set has our key (not yet, or no more),
 * or it went while we looked.  watch() hands its look no key: ours is
 * common/'s ipc_key, the one use_key() chose.
 */
static int
sem_state(char *line, size_t size)
{
	unsigned short vals[SEMS_SHOWN];
	unsigned long i, n, ncnt = 0, zcnt = 0;
	char text[SEMS_SHOWN * 6 + 1] = "";
	struct semid_ds ds;
	union semun arg;
	int v, id = semget(ipc_key, 0, 0);	/* 0: open, never create */

	if (id == -1 && errno == ENOENT)
		return 0;
	if (id == -1)
		die("semget");
	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == -1)
		return still_there("semctl IPC_STAT");
	n = (unsigned long)ds.sem_nsems;
	for (i = 0; i < n; i++) {
		if ((v = semctl(id, (int)i, GETNCNT)) == -1)
			return still_there("semctl GETNCNT");
		ncnt += (unsigned long)v;
		if ((v = semctl(id, (int)i, GETZCNT)) == -1)
			return still_there("semctl GETZCNT");
		zcnt += (unsigned long)v;
	}
	arg.array = vals;
	if (n <= SEMS_SHOWN && semctl(id, 0, GETALL, arg) == -1)
		return still_there("semctl GETALL");
	for (i = 0; i < n && i < SEMS_SHOWN; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text),
		    " %u", vals[i]);
	if (n == SEM_NSEMS)
		snprintf(line, size, "value%s, %lu waiting, %lu waiting for "
		    "zero", text, ncnt, zcnt);
	else
		snprintf(line, size, "a set of %lu: values%s, %lu waiting, "
		    "%lu waiting for zero", n, n <= SEMS_SHOWN ? text : " ...",
		    ncnt, zcnt);
	return 1;
}

/* A semctl that failed in the middle of a look: gone (0), or die. */
static int
still_there(const char *call)
{
	if (errno == EINVAL || errno == EIDRM)
		return 0;	/* removed since semget */
	die(call);
}

/*
 * IPC_STAT for the set, GETVAL and friends for its one semaphore.  A set
 * of another size is shown as what it is, with every value (GETALL).
 */
static void
show(key_t key, int id, unsigned long n)
{
	unsigned short vals[256];
	struct semid_ds ds;
	union semun arg;
	unsigned long i;

	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == -1)
		die("semctl IPC_STAT");
	printf("key        0x%08x\n", (unsigned int)key);
	printf("id         %d\n", id);
	printf("owner      uid %u, gid %u\n", (unsigned int)ds.sem_perm.uid,
	    (unsigned int)ds.sem_perm.gid);
	printf("creator    uid %u, gid %u\n", (unsigned int)ds.sem_perm.cuid,
	    (unsigned int)ds.sem_perm.cgid);
	printf("mode       0%03o\n", (unsigned int)ds.sem_perm.mode & 0777);
	printf("semaphores %lu%s\n", n, n == SEM_NSEMS ? "" :
	    " (not sem/wait's set of 1)");
	if (n != SEM_NSEMS) {
		printf("whose      %s\n", set_owner(n));
		if (n > sizeof vals / sizeof vals[0])
			return;
		arg.array = vals;
		if (semctl(id, 0, GETALL, arg) == -1)
			die("semctl GETALL");
		printf("values    ");
		for (i = 0; i < n; i++)
			printf(" %u", vals[i]);
		printf("\n");
		return;
	}
	printf("value      %d\n", sem_query(id, GETVAL));
	printf("waiting    %d (in P, for the value to rise: GETNCNT)\n",
	    sem_query(id, GETNCNT));
	printf("zero-wait  %d (for the value to be 0: GETZCNT)\n",
	    sem_query(id, GETZCNT));
	printf("last pid   %d (GETPID)\n", sem_query(id, GETPID));
	printf("last semop %s\n", ipc_time(ds.sem_otime));
	printf("changed    %s\n", ipc_time(ds.sem_ctime));
}

/* The command line: -f -k -q (common/), then stat, set N or rm. */
static int
options(int argc, char *argv[], long long *val, int *force)
{
	static const struct row rows[] = {
		{ "stat", "print the semaphore: value, waiters, last PID, "
		    "times" },
		{ "set N", "set the value to N, 0 to 32767 (SETVAL)" },
		{ "rm", "remove the set (IPC_RMID); waiters fail with EIDRM" },
		KEY_CMD,
		{ "watch", "print value and waiters each time they change "
		    "(Ctrl-C stops)" },
		{ "-f", "rm: another user's set too (as root)" },
		KEY_ROW("the set's key"),
		QUIET_ROW,
	};
	static const struct program ctl = { "sem/ctl", "", NULL, ROWS(rows) };

	return command(argc, argv, parse_options(&ctl, argc, argv,
	    flag_option, force), "the value N", SEM_MAX, val);
}
