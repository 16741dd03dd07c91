/*
 * sem/post - V on a System V semaphore: give back N units (default 1) and
 * wake the processes waiting for them.  Its partner is sem/wait (P).
 *
 * V is semop(2) with a positive sem_op: the kernel adds it to the value in
 * one atomic step and wakes the processes asleep in P, in the order they
 * came, as far as the new value lets them in.  V never waits.  In the
 * restaurant of sem/wait, sem/post 2 opens two seats.
 *
 * The first of sem/wait and sem/post creates the set with the value 0 (see
 * sem/sem.h); only sem/ctl rm removes it.
 *
 * Run it in two terminals:
 *	terminal 1:  sem/wait           blocks: the value is 0
 *	terminal 2:  sem/post           "value 0 -> 1, 1 was waiting"
 * and terminal 1 gets in.  Watch with sem/ctl stat or ipcs -s.
 *
 * Try this: start three sem/wait, then sem/post 2: two get in, one waits.
 * Try this: sem/post 32767 twice: the second fails with ERANGE, because a
 * semaphore's value cannot pass SEMVMX.
 *
 * See also: sem/wait, sem/ctl, semop(2), semctl(2).
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>

#include "ipcdemo.h"
#include "sem.h"

static long long options(int argc, char *argv[]);

int
main(int argc, char *argv[])
{
	struct sembuf v = { .sem_num = 0, .sem_op = 1, .sem_flg = 0 };
	long long n = options(argc, argv);	/* -k -q, N: below */
	int before, after, waiting, semid;
	key_t key;

	key = use_key(PROJ_SEM);	/* -k, $IPC_DEMO_KEY or ftok */
	catch_signals();
	semid = open_seat(key);	/* semget: sem/sem.c */
	if (semid == -1)
		return exit_status(EXIT_CALL_FAILED);

	/* What V will change: the value, and who waits for it (GETNCNT). */
	before = sem_query(semid, GETVAL);
	waiting = sem_query(semid, GETNCNT);

	/* V: add n at once.  No SEM_UNDO: the units are given for good. */
	v.sem_op = (short)n;
	if (semop(semid, &v, 1) == -1) {
		if (errno == ERANGE)
			die_hint("semop V", "the value %d + %lld would pass "
			    "SEMVMX (%d)", before, n, SEM_MAX);
		die("semop V");
	}

	/* Whoever was waiting may have taken the new units already. */
	after = sem_query(semid, GETVAL);
	note("semop V (+%lld): the value was %d with %d waiting; now %d",
	    n, before, waiting, after);
	if (after < before + n)
		note("%lld of the units went at once to waiting processes",
		    before + n - after);
	return close_stdout() == -1 ? EXIT_CALL_FAILED : 0;
}

/* The command line: -k -q (common/), then N (default 1). */
static long long
options(int argc, char *argv[])
{
	static const struct row rows[] = {
		KEY_ROW("the set's key"),
		QUIET_ROW,
	};
	static const struct program post = { "sem/post", "[N]",
	    "V: add N (default 1, at most 32767) to the semaphore, waking "
	    "waiters.", ROWS(rows) };
	int first = parse_options(&post, argc, argv, NULL, NULL);
	long long n = 1;

	if (first < argc) {
		no_more_operands(argc, argv, first + 1, NULL);
		if (parse_num("N", argv[first], 1, SEM_MAX, &n) == -1)
			show_usage(stderr);
	}
	return n;
}
