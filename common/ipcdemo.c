/*
 * ipcdemo.c - keys, errors, numbers, narration and signals for every
 * ipc-demos program, and the one semaphore-set opener they share.  See
 * ipcdemo.h.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"

enum { PACE_LINES = 10 };	/* detailed narration lines per second */

const char *prog = "ipc-demos";
int quiet;
key_t ipc_key = IPC_PRIVATE;
volatile sig_atomic_t stop_signal;

/* Words for hints, set by choose_key() from the mechanism's proj id. */
static const char *noun = "object";	/* "queue", "semaphore set", ... */
static const char *ctl = "the ctl program";

/* How long a late-comer waits for a set's creator: 5 s in all. */
enum { READY_POLLS = 500, READY_POLL_MS = 10 };

static int checkout_dir(char *dir, size_t size);
static int join_set(int id, int nsems);

/*
 * Pick the key, one per kind of object, so that one setting serves a whole
 * lesson: the restaurant's set, the ring's set and the counter's set never
 * share a key.
 *   -k KEY		exactly KEY: the student chose it.
 *   $IPC_DEMO_KEY	its low 24 bits, with this mechanism's proj id in
 *			the top byte, as ftok does: 0x00c0ffee gives the
 *			queue 0x6dc0ffee, the semaphore 0x73c0ffee, ...
 *   neither		ftok() of this checkout's top directory (below).
 * Returns -1, after saying why, when -k or IPC_DEMO_KEY is not a valid key
 * (a usage error).
 */
int
choose_key(const char *arg, int proj)
{
	const char *env = getenv("IPC_DEMO_KEY");
	char dir[4096];
	long long k;

	switch (proj) {
	case PROJ_MSGQ:
		noun = "queue", ctl = "msgq/ctl";
		break;
	case PROJ_SEM:
		noun = "semaphore set", ctl = "sem/ctl";
		break;
	case PROJ_SHM:
	case PROJ_COUNTER:
		noun = "segment", ctl = "shm/ctl -k KEY";
		break;
	}
	/* Key 0 is IPC_PRIVATE, a new object every time: no use to a pair. */
	if (arg != NULL) {
		if (parse_num("-k", arg, 1, 0xffffffffLL, &k) == -1)
			return -1;
		ipc_key = (key_t)(unsigned int)k;
		note("key 0x%08x (from -k)", (unsigned int)ipc_key);
		return 0;
	}
	if (env != NULL && *env != '\0') {
		if (parse_num("IPC_DEMO_KEY", env, 1, 0xffffffffLL, &k) == -1)
			return -1;
		ipc_key = (key_t)(((unsigned int)proj << 24) |
		    ((unsigned int)k & 0xffffff));
		note("key 0x%08x (IPC_DEMO_KEY %s with '%c' in the top byte)",
		    (unsigned int)ipc_key, env, proj);
		return 0;
	}
	if (checkout_dir(dir, sizeof dir) == -1)
		die_hint("readlink /proc/self/exe", "the default key comes "
		    "from the checkout's directory; give a key with -k");
	ipc_key = ftok(dir, proj);
	if (ipc_key == -1)
		die_hint("ftok", "the default key comes from %s; give a key "
		    "with -k", dir);
	note("key 0x%08x (from ftok(\"%s\", '%c'))", (unsigned int)ipc_key,
	    dir, proj);
	return 0;
}

/*
 * The top directory of this checkout: every program is built in place, in
 * TOP/msgq/, TOP/sem/ or TOP/shm/, so it is two levels above our own
 * executable.  A directory keeps its inode while the checkout lives (an
 * editor's save or a git checkout replaces files, not the directory), so
 * the key does not move; two checkouts get two keys.
 */
static int
checkout_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 1);
	char *slash;
	int up;

	if (n <= 0 || (size_t)n >= size - 1)
		return -1;
	dir[n] = '\0';
	for (up = 0; up < 2; up++) {
		slash = strrchr(dir, '/');
		if (slash == NULL)
			return -1;
		*slash = '\0';
	}
	if (dir[0] == '\0')
		strcpy(dir, "/");
	return 0;
}

/*
 * getopt(3) returned '?' (no such option) or ':' (its value is missing).
 * The option strings start with ':', so getopt says nothing itself, and
 * we say it in our words: the same with every libc, and with our name.
 */
void
bad_option(int opt)
{
	char name[16];

	if (isgraph(optopt))
		snprintf(name, sizeof name, "-%c", optopt);
	else
		snprintf(name, sizeof name, "byte 0x%02x", optopt & 0xff);
	if (opt == ':')
		fprintf(stderr, "%s: %s needs a value\n", prog, name);
	else
		fprintf(stderr, "%s: %s: no such option\n", prog, name);
}

/*
 * One operand too many (after command cmd, or NULL).  Options end at the
 * first operand (POSIX getopt), so "sem/ctl stat -q" lands here: say so.
 */
void
bad_operand(const char *cmd, const char *arg)
{
	fprintf(stderr, "%s: %s%sunexpected argument '%s'\n", prog,
	    cmd ? cmd : "", cmd ? ": " : "", arg);
	if (arg[0] == '-' && arg[1] != '\0')
		hint("options come first: put '%s' before the other arguments",
		    arg);
}

/*
 * The one number parser: decimal, or hex with 0x.  No sign but '-', no
 * blanks, no junk after the number, and the range checked.  On error it
 * names the option and quotes the text, and returns -1.
 */
int
parse_num(const char *what, const char *s, long long min, long long max,
    long long *out)
{
	const char *digits = s + (*s == '-');
	int hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
	char *end;
	long long v;

	if (!isdigit((unsigned char)digits[0])) {
		fprintf(stderr, "%s: %s: '%s' is not a number\n", prog, what, s);
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, hex ? 16 : 10);
	if (*end != '\0' && errno == 0) {
		fprintf(stderr, "%s: %s: '%s' is not a number (junk after "
		    "it)\n", prog, what, s);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		/* The range in hex if typed so, unless it has negatives. */
		if (hex && min >= 0)
			fprintf(stderr, "%s: %s: '%s' is out of range (0x%llx "
			    "to 0x%llx)\n", prog, what, s,
			    (unsigned long long)min, (unsigned long long)max);
		else
			fprintf(stderr, "%s: %s: '%s' is out of range (%lld "
			    "to %lld)\n", prog, what, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * Print one line "prog: tag: text" to stderr in a single write, so that
 * the lines of two programs sharing a terminal never mix mid-line.
 */
static void __attribute__((format(printf, 2, 0)))
say(const char *tag, const char *fmt, va_list ap)
{
	char text[1024];

	vsnprintf(text, sizeof text, fmt, ap);
	fprintf(stderr, "%s: %s%s\n", prog, tag, text);
}

/* Narration: what the program is doing, on stderr, unless -q. */
void
note(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

/*
 * May a per-message line be narrated now?  Yes for the first PACE_LINES
 * of each second: a student typing sees every message, a stream of
 * thousands stays readable.  When lines were held back, say how many.
 */
int
paced(void)
{
	static time_t second = -1;
	static int lines;
	static unsigned long held;
	struct timespec now;

	if (quiet)
		return 0;
	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 1;
	if (now.tv_sec != second) {
		second = now.tv_sec;
		lines = 0;
	}
	if (lines >= PACE_LINES) {
		held++;
		return 0;
	}
	lines++;
	if (held > 0)
		note("... %lu more line%s not shown (%d a second at most)",
		    held, plural(held), PACE_LINES);
	held = 0;
	return 1;
}

/*
 * May "waiting for ..." be narrated now?  A wait must never go unexplained,
 * even when the per-message lines of this second are used up, so waits
 * have their own pace: the first always, then at most one a second.
 */
int
paced_wait(void)
{
	static time_t last = -1;
	struct timespec now;

	if (quiet)
		return 0;
	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 1;
	if (last != -1 && now.tv_sec == last)
		return 0;
	last = now.tv_sec;
	return 1;
}

/* "1 message", "2 messages": the s, or not. */
const char *
plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

/* A time from an ipc *_ds structure, or "never" for 0 (not yet happened). */
const char *
ipc_time(time_t t)
{
	static char text[64];
	struct tm *tm;

	if (t == 0)
		return "never";
	tm = localtime(&t);
	if (tm == NULL || strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S",
	    tm) == 0)
		return "?";
	return text;
}

/* A second line after an error: what the student can do about it. */
void
hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("hint: ", fmt, ap);
	va_end(ap);
}

/*
 * Which system-wide limit an ENOSPC from this call means.  The call, not
 * the program, decides: shm/writer makes a semaphore set as well as a
 * segment.
 */
static const char *
limit_of(const char *call)
{
	if (strncmp(call, "msgget", 6) == 0)
		return "queues (kernel.msgmni)";
	if (strncmp(call, "semget", 6) == 0)
		return "semaphore sets (kernel.sem, 4th field, SEMMNI) or on "
		    "all semaphores (2nd field, SEMMNS)";
	if (strncmp(call, "shmget", 6) == 0)
		return "segments (kernel.shmmni) or on all shared memory "
		    "(kernel.shmall)";
	return "objects of this kind";
}

/* The usual cause of each errno the IPC calls return, in words. */
static void
usual_cause(const char *call, int err)
{
	unsigned int k = (unsigned int)ipc_key;

	switch (err) {
	case ENOENT:
		hint("no %s has key 0x%08x yet; start one of the pair first, "
		    "and give both the same -k or IPC_DEMO_KEY", noun, k);
		break;
	case EEXIST:
		hint("a %s with key 0x%08x exists already; remove it with "
		    "%s rm, or pick another key with -k", noun, k, ctl);
		break;
	case EACCES:
		hint("key 0x%08x belongs to another user's %s, or its mode "
		    "shuts you out; pick another key with -k", k, noun);
		break;
	case EPERM:
		hint("only the %s's owner or creator (or root) may do that",
		    noun);
		break;
	case EIDRM:
		hint("the %s was removed while we used it (by %s rm, ipcrm, "
		    "or a peer)", noun, ctl);
		break;
	case EINVAL:
		hint("the %s is gone (its id is stale), or a size or value is "
		    "outside the kernel's limits", noun);
		break;
	case ENOSPC:
		hint("the system's limit on %s is reached; see ipcs and "
		    "remove unused ones by id", limit_of(call));
		break;
	case EAGAIN:
		hint("the call would have had to wait, and -n says not to");
		break;
	case ENOMSG:
		hint("no message of the type asked for is queued, and -n says "
		    "not to wait");
		break;
	case EINTR:
		hint("a signal interrupted the call");
		break;
	case EPIPE:
		hint("whoever read our output has gone away");
		break;
	}
}

/* prog: call: strerror (ENAME), and the usual cause as a hint. */
void
complain(const char *call)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s (%s)\n", prog, call, strerror(err),
	    errname(err));
	usual_cause(call, err);
	errno = err;
}

noreturn void
die(const char *call)
{
	complain(call);
	exit(EXIT_CALL_FAILED);
}

/* Like die(), with a hint that knows more than the errno does. */
noreturn void
die_hint(const char *call, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "%s: %s: %s (%s)\n", prog, call, strerror(err),
	    errname(err));
	va_start(ap, fmt);
	say("hint: ", fmt, ap);
	va_end(ap);
	exit(EXIT_CALL_FAILED);
}

/* The symbolic name of an errno, which strerror(3) does not give. */
const char *
errname(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ E2BIG, "E2BIG" }, { EACCES, "EACCES" }, { EAGAIN, "EAGAIN" },
		{ EBADF, "EBADF" }, { EEXIST, "EEXIST" }, { EFAULT, "EFAULT" },
		{ EFBIG, "EFBIG" }, { EIDRM, "EIDRM" }, { EINTR, "EINTR" },
		{ EINVAL, "EINVAL" }, { EIO, "EIO" }, { EISDIR, "EISDIR" },
		{ ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" }, { ENOMSG, "ENOMSG" },
		{ ENOSPC, "ENOSPC" }, { ENOTDIR, "ENOTDIR" },
		{ EOVERFLOW, "EOVERFLOW" }, { EPERM, "EPERM" },
		{ EPIPE, "EPIPE" }, { ERANGE, "ERANGE" }, { EROFS, "EROFS" },
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].err == err)
			return names[i].name;
	return "errno";
}

/*
 * Refuse an object with our key that is not ours alone: one owned by
 * another user, or one whose mode lets others read or write it (steal,
 * forge, or change it).  Someone may be squatting on the key.  Root passes
 * every permission check, so the kernel alone would not stop it.
 */
void
refuse_if_not_ours(const char *what, int id, const struct ipc_perm *perm)
{
	unsigned int mode = perm->mode & 0777;

	if (perm->uid != geteuid()) {
		fprintf(stderr, "%s: key 0x%08x: %s id %d belongs to uid %u, "
		    "not to you (uid %u)\n", prog, (unsigned int)ipc_key, what,
		    id, (unsigned int)perm->uid, (unsigned int)geteuid());
		hint("another user has this key (perhaps squatting on it); "
		    "pick another key with -k");
		exit(EXIT_CALL_FAILED);
	}
	if (mode & 066) {
		fprintf(stderr, "%s: key 0x%08x: %s id %d has mode 0%o: other "
		    "users could read or change it\n", prog,
		    (unsigned int)ipc_key, what, id, mode);
		hint("remove it with %s rm and start again, or pick another "
		    "key with -k", ctl);
		exit(EXIT_CALL_FAILED);
	}
}

/*
 * Whose set has this many semaphores?  Each program's set has its own
 * size, so the size alone tells one from another (shm/ring.h, shm/counter.c,
 * sem/sem.h); a set made by anyone else may have any size.
 */
const char *
set_owner(unsigned long nsems)
{
	switch (nsems) {
	case 1:
		return "sem/wait's and sem/post's?";
	case 3:
		return "shm/counter's?";
	case 5:
		return "shm/writer's ring?";
	}
	return "not one of ours";
}

/*
 * Create a set of nsems semaphores with the values init, or join the one
 * that has our key - after checking it is a set of our kind.
 *
 * The race.  semget(IPC_CREAT) makes a set and semctl(SETALL) gives it
 * values: two calls, not one.  A process that opened the set between them
 * and did P or V at once would work on values that the creator is about
 * to overwrite.  So IPC_CREAT|IPC_EXCL makes exactly one process the
 * creator; after SETALL it makes one semop that changes nothing (+1 and -1
 * on semaphore 0, in one atomic call), only so that the set's sem_otime is
 * no longer 0.  Everyone else waits for sem_otime != 0 before touching the
 * set.  (TLPI 47.5, UNP vol. 2 11.2.)  The mode is given in full: umask
 * does not apply to System V IPC objects.
 *
 * The shape.  semget with nsems 0 opens a set of any size, so we can look
 * before we use it: a set of another size belongs to another program (or
 * to nobody we know), and a P or V on it would corrupt that program's
 * state.  It is refused, and left as it is.
 *
 * Returns the id (*created says whether we made it), or -1 if a signal
 * stopped us while we waited for the creator.
 */
int
open_set(int nsems, const unsigned short *init, int *created)
{
	struct sembuf noop[2] = {
		{ .sem_num = 0, .sem_op = 1, .sem_flg = 0 },
		{ .sem_num = 0, .sem_op = -1, .sem_flg = 0 },
	};
	union semun arg;
	int id;

	for (;;) {
		id = semget(ipc_key, nsems, IPC_CREAT | IPC_EXCL | 0600);
		if (id != -1) {
			arg.array = (unsigned short *)init;
			if (semctl(id, 0, SETALL, arg) == -1)
				die("semctl SETALL");
			if (semop(id, noop, 2) == -1)
				die("semop (marking the set ready)");
			note("semget: created set id %d (%d semaphore%s, "
			    "mode 0600); SETALL, then a no-op semop marks it "
			    "ready", id, nsems,
			    plural((unsigned long long)nsems));
			*created = 1;
			return id;
		}
		if (errno != EEXIST)
			die("semget");
		id = semget(ipc_key, 0, 0600);	/* 0: any size, to look */
		if (id != -1)
			break;
		if (errno != ENOENT)
			die("semget");
		/* Removed between our two calls: try to create it again. */
	}
	*created = 0;
	return join_set(id, nsems);
}

/*
 * Everyone but the creator: check owner, mode and size, then wait until
 * sem_otime says the creator is done.  A creator that died before that
 * leaves a set nobody can trust.
 */
static int
join_set(int id, int nsems)
{
	struct timespec pause = { 0, READY_POLL_MS * 1000000L };
	struct semid_ds ds;
	union semun arg;
	int polls;

	arg.buf = &ds;
	for (polls = 0; polls < READY_POLLS; polls++) {
		if (semctl(id, 0, IPC_STAT, arg) == -1)
			die("semctl IPC_STAT");
		refuse_if_not_ours("semaphore set", id, &ds.sem_perm);
		if (ds.sem_nsems != (unsigned long)nsems) {
			fprintf(stderr, "%s: key 0x%08x holds a set of %lu "
			    "semaphore%s (%s); %s needs %d\n", prog,
			    (unsigned int)ipc_key, (unsigned long)ds.sem_nsems,
			    plural(ds.sem_nsems), set_owner(ds.sem_nsems),
			    prog, nsems);
			hint("pick another key with -k (or another "
			    "IPC_DEMO_KEY); the set was left as it is");
			exit(EXIT_CALL_FAILED);
		}
		if (ds.sem_otime != 0) {
			note("semget: joined set id %d", id);
			return id;
		}
		if (polls == 0)
			note("set id %d is not initialised yet (sem_otime is "
			    "0): waiting for its creator", id);
		if (nanosleep(&pause, NULL) == -1 && stop_signal)
			return -1;
	}
	fprintf(stderr, "%s: key 0x%08x: semaphore set id %d was never "
	    "initialised\n", prog, (unsigned int)ipc_key, id);
	hint("its creator may have died half way; remove it with %s rm",
	    ctl);
	exit(EXIT_CALL_FAILED);
}

/*
 * The handler only records the signal; the program notices the flag, tears
 * down what it owns and dies of the signal (see exit_status()).  Without SA_RESTART, a blocked
 * msgrcv or semop returns EINTR at once, so the flag is seen.  A signal
 * that lands just after the flag was tested and before a blocking call
 * starts would be missed, so the handler also sets an alarm: SIGALRM, every
 * second until the program exits, interrupts that call too.
 */
static void
on_signal(int sig)
{
	if (sig != SIGALRM && stop_signal == 0)
		stop_signal = sig;
	if (stop_signal != 0)
		alarm(1);
}

/*
 * Catch SIGINT (Ctrl-C), SIGTERM and SIGHUP (terminal closed) always, even
 * when the shell started us with SIGINT ignored (a background job), so that
 * our objects are cleaned up however we are stopped.  SIGPIPE is ignored:
 * a write to a closed pipe fails with EPIPE and is reported like any error.
 */
void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGALRM };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: blocked calls return EINTR */
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			die("sigaction");
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		die("sigaction");
}

/*
 * What main returns.  After SIGINT, SIGTERM or SIGHUP, with everything
 * tidied up, die of that same signal: the shell then reports 128 + signo
 * (130 for Ctrl-C) and, more than that, knows we were interrupted.  A
 * script that ran us stops too, instead of going on to its next line, as
 * bash does when a program it waited for handled Ctrl-C and exited.
 */
int
exit_status(int status)
{
	int sig = stop_signal;

	if (sig == 0)
		return status;
	fflush(NULL);
	alarm(0);
	signal(sig, SIG_DFL);
	raise(sig);
	return 128 + sig;	/* not reached */
}

/*
 * Write all of buf, however many write(2) calls it takes: data must arrive
 * byte for byte.  Returns -1 when stopped by a signal; dies on an error.
 */
int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR && !stop_signal)
			continue;
		if (n == -1 && errno == EINTR)
			return -1;
		if (n == -1)
			die("write");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Data went to stdout: make sure it really got out before we exit 0. */
int
close_stdout(void)
{
	if (fclose(stdout) == EOF) {
		complain("write (stdout)");
		return -1;
	}
	return 0;
}
