/*
 * hints.c - the hint after an error: the usual cause of each failed call,
 * by call and errno, in one table a student can read whole (usual_cause);
 * and the words a hint is written with, {noun}, {key} and {ctl}, filled
 * in for the object at hand (expand_hint).  die.c prints the error line
 * and then asks here.
 *
 * Man pages: the ERRORS section of each call's page (msgget(2), semop(2),
 * shmat(2), write(2), ...); proc(5) and sysctl(8) for the kernel limits.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipcdemo.h"

/*
 * The usual cause of each error, by call (its first word) and errno; the
 * first row that matches wins.  {noun}, {ctl} and {key}: see
 * expand_hint().
 * tests/hints.sh makes every row happen.
 */
#define GET "msgget semget shmget"
#define USE "msgsnd msgrcv msgctl semop semtimedop semctl shmat shmdt \
    shmctl"
static const struct {
	const char *calls;	/* the calls it is for, blank-separated */
	int err;
	const char *text;
} hints[] = {
	{ GET, ENOENT, "no {noun} has key {key} yet; start one of the pair "
	    "first, and give both the same -k or IPC_DEMO_KEY" },
	{ GET, EEXIST, "a {noun} with key {key} exists already; remove it "
	    "with {ctl} rm, or pick another key with -k" },
	{ GET, EACCES, "key {key} belongs to another user's {noun}, or its "
	    "mode shuts you out; pick another key with -k" },
	{ "semget", EINVAL, "the set would have more semaphores than the "
	    "system allows in one (kernel.sem, 1st field, SEMMSL)" },
	{ "shmget", EINVAL, "the size asked for is above kernel.shmmax (or "
	    "below SHMMIN), or a smaller segment has key {key} (see ipcs "
	    "-m); ask for less, or pick another key with -k" },
	{ "msgget", ENOSPC, "the system's limit on queues (kernel.msgmni) is "
	    "reached; see ipcs -q and remove unused ones by id" },
	{ "semget", ENOSPC, "the system's limit on semaphore sets "
	    "(kernel.sem, 4th field, SEMMNI) or on all semaphores (2nd "
	    "field, SEMMNS) is reached; see ipcs -s and remove unused ones "
	    "by id" },
	{ "shmget", ENOSPC, "the system's limit on segments (kernel.shmmni) "
	    "or on all shared memory (kernel.shmall) is reached; see ipcs -m "
	    "and remove unused ones by id" },
	{ "shmget", ENOMEM, "the kernel could not find the memory for the "
	    "segment; ask for a smaller one (-z), or free memory" },
	{ "shmat", ENOMEM, "no room in our address space to attach the "
	    "segment (ulimit -v?)" },
	{ GET, ENOMEM, "the kernel is out of memory for a new {noun}" },
	{ USE, EACCES, "the {noun}'s mode shuts you out (see {ctl} stat)" },
	{ USE, EPERM, "only the {noun}'s owner or creator (or root) may do "
	    "that" },
	{ USE, EIDRM, "the {noun} was removed while we used it (by {ctl} rm, "
	    "ipcrm, or a peer)" },
	{ "msgsnd", EINVAL, "the queue is gone (its id is stale: removed by "
	    "{ctl} rm, ipcrm, or a peer), or the message is bigger than "
	    "kernel.msgmax" },
	{ "semop", ERANGE, "the value would pass the largest a semaphore may "
	    "hold (SEMVMX, 32767)" },
	{ "semop semtimedop", E2BIG, "more operations in one call than the "
	    "system allows (kernel.sem, 3rd field, SEMOPM)" },
	{ USE, EINVAL, "the {noun} is gone (its id is stale: removed by {ctl} "
	    "rm, ipcrm, or a peer)" },
	{ "write", EPIPE, "whoever read our output (a pipe) has gone away" },
	{ "write", ENOSPC, "the disk or device that standard output goes to "
	    "is full; free some space, or send the output elsewhere" },
	{ "write", EDQUOT, "your disk quota is used up; free some space, or "
	    "send the output elsewhere" },
	{ "write", EFBIG, "the output file reached its size limit (ulimit -f, "
	    "or the file system's)" },
	{ "write", EAGAIN, "standard output is in non-blocking mode "
	    "(O_NONBLOCK, set by another program that shares it) and could "
	    "take no more; send the output to a file or a pipe of its own" },
	{ "write", EBADF, "standard output is closed (>&-); give it a file" },
	{ "write", EIO, "the output device failed (a terminal that was "
	    "closed?)" },
	{ "pipe", EMFILE, "this process has as many files open as it may "
	    "(ulimit -n); raise the limit, or close what it inherited" },
	{ "read", EISDIR, "standard input is a directory; give a file or a "
	    "pipe" },
	{ "read", EBADF, "standard input is closed (<&-); give it a file" },
	{ "read", EIO, "the input device failed (a background job reading the "
	    "terminal?)" },
};

/* Is call (up to its first blank) one of the blank-separated calls? */
static int
is_one_of(const char *call, const char *calls)
{
	size_t len = strcspn(call, " ("), n;

	for (; *calls != '\0'; calls += n + (calls[n] == ' ')) {
		n = strcspn(calls, " ");
		if (n == len && strncmp(call, calls, n) == 0)
			return 1;
	}
	return 0;
}

/* What a call works on: "queue" for msgsnd; else this program's noun. */
static const char *
noun_of(const char *call)
{
	if (strncmp(call, "msg", 3) == 0)
		return "queue";
	if (strncmp(call, "sem", 3) == 0)
		return "semaphore set";
	if (strncmp(call, "shm", 3) == 0)
		return "segment";
	return key_noun();
}

/* The hint for call failing with err, if the table has one. */
void
usual_cause(const char *call, int err)
{
	char text[512];
	size_t i;

	for (i = 0; i < sizeof hints / sizeof hints[0]; i++)
		if (hints[i].err == err && is_one_of(call, hints[i].calls))
			break;
	if (i == sizeof hints / sizeof hints[0])
		return;
	expand_hint(hints[i].text, call, text, sizeof text);
	hint("%s", text);
}

/*
 * The words of a hint, into text: {noun} what call works on (NULL: this
 * program's object), {key} our key, {ctl} the ctl program that reaches
 * our object - with "-k KEY" when its own default key would be another
 * (we were given -k, or we are the counter, the dinner or msgq/server),
 * so that the command a hint gives acts on our object, not on another.
 */
void
expand_hint(const char *in, const char *call, char *text, size_t size)
{
	char key[16], ctl[48];
	const char *p, *word;
	size_t n = 0;

	snprintf(key, sizeof key, "0x%08x", (unsigned int)ipc_key);
	key_ctl(ctl, sizeof ctl);
	for (p = in; *p != '\0' && n < size - 1; p++) {
		word = NULL;
		if (strncmp(p, "{noun}", 6) == 0)
			word = call != NULL ? noun_of(call) : key_noun();
		else if (strncmp(p, "{ctl}", 5) == 0)
			word = ctl;
		else if (strncmp(p, "{key}", 5) == 0)
			word = key;
		if (word == NULL) {
			text[n++] = *p;
			continue;
		}
		n += (size_t)snprintf(text + n, size - n, "%s", word);
		if (n >= size)
			n = size - 1;
		p = strchr(p, '}');
	}
	text[n] = '\0';
}

