/*
 * ipcdemo.c - keys, options, numbers, errors and hints, narration,
 * signals and output for every ipc-demos program.  See ipcdemo.h.
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/time.h>
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

const char *prog = "ipc-demos";
int quiet;
key_t ipc_key = IPC_PRIVATE;
volatile sig_atomic_t stop_signal;

static int key_proj;		/* the proj id of ipc_key; 0: none chosen */
static const char *key_given;	/* the -k text it came from, or NULL */

enum { PACE_LINES = 10 };	/* narration lines per second, at most */

static const struct program *me;	/* for usage() */
static const char *key_arg;	/* -k KEY, until use_key() parses it */
enum { WATCH_POLL_MS = 100 };	/* ctl watch looks this often */

static int checkout_dir(char *dir, size_t size);
static int ftok_parts(int proj);
static void watched(const struct timespec *t0, const char *line);
static void indented(FILE *f, int indent, const char *text);

/*
 * The key, one per kind of object (proj):
 *   -k KEY		exactly KEY.
 *   $IPC_DEMO_KEY	its low 24 bits, proj in the top byte, as ftok does:
 *			0x00c0ffee gives the queue 0x6dc0ffee, ...
 *   neither		ftok() of this checkout's top directory (below).
 * Returns -1, after saying why, for a bad -k or IPC_DEMO_KEY (usage).
 */
int
choose_key(const char *arg, int proj)
{
	const char *env = getenv("IPC_DEMO_KEY");
	char dir[4096];
	long long k;

	key_proj = proj;
	key_given = arg;
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
 * The checkout's top directory, two levels above our executable (built in
 * place in TOP/msgq/ and so on).  Its inode outlives edits and checkouts,
 * so the key does not move; two checkouts get two keys.
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
 * ctl key: the key this mechanism's programs use and how choose_key() made
 * it, one fact a line on stdout ("name  value").  The "parts" line ORs
 * back to the key, so that a script (tests/keys.sh) can check it.
 */
int
explain_key(int proj)
{
	const char *env = getenv("IPC_DEMO_KEY");
	unsigned int key = (unsigned int)ipc_key, p = (unsigned int)proj << 24;
	long long base;

	printf("key        0x%08x\n", key);
	if (key_arg != NULL) {
		printf("from       -k %s: exactly this key\n", key_arg);
		printf("parts      0x%08x = 0x%08x\n", key, key);
	} else if (env != NULL && *env != '\0') {
		if (parse_num("IPC_DEMO_KEY", env, 1, 0xffffffffLL, &base) == -1)
			return EXIT_USAGE;	/* choose_key() took it: not here */
		printf("from       $IPC_DEMO_KEY %s, proj id '%c'\n", env, proj);
		printf("proj id    0x%02x ('%c') in bits 24-31: 0x%08x\n", proj,
		    proj, p);
		printf("base       0x%08llx: its low 24 bits in bits 0-23: "
		    "0x%08llx\n", base, base & 0xffffff);
		printf("parts      0x%08x | 0x%08llx = 0x%08x\n", p,
		    base & 0xffffff, key);
	} else if (ftok_parts(proj) == -1)
		return EXIT_CALL_FAILED;
	return close_stdout() == -1 ? EXIT_CALL_FAILED : 0;
}

/*
 * ftok(3) reads nothing of the file but its stat(2): glibc and musl make
 * the key from the proj id (bits 24-31), the low 8 bits of st_dev (bits
 * 16-23) and the low 16 bits of st_ino (bits 0-15).  We show each part
 * beside the real numbers, and check that they make ftok's key.
 */
static int
ftok_parts(int proj)
{
	unsigned int key = (unsigned int)ipc_key, p, d, i;
	char dir[4096];
	struct stat st;

	if (checkout_dir(dir, sizeof dir) == -1)
		die("readlink /proc/self/exe");
	if (stat(dir, &st) == -1)
		die("stat");
	p = ((unsigned int)proj & 0xff) << 24;
	d = ((unsigned int)st.st_dev & 0xff) << 16;
	i = (unsigned int)st.st_ino & 0xffff;
	printf("from       ftok(\"%s\", '%c')\n", dir, proj);
	printf("proj id    0x%02x ('%c') in bits 24-31: 0x%08x\n", proj, proj,
	    p);
	printf("st_dev     %llu (0x%llx): its low 8 bits in bits 16-23: "
	    "0x%08x\n", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_dev, d);
	printf("st_ino     %llu (0x%llx): its low 16 bits in bits 0-15: "
	    "0x%08x\n", (unsigned long long)st.st_ino,
	    (unsigned long long)st.st_ino, i);
	printf("parts      0x%08x | 0x%08x | 0x%08x = 0x%08x\n", p, d, i,
	    p | d | i);
	if ((p | d | i) != key) {
		refuse("the parts make 0x%08x, but ftok gave 0x%08x: this "
		    "libc's ftok works otherwise", p | d | i, key);
		return -1;
	}
	printf("collide    ftok keeps 16 bits of the inode and 8 of the "
	    "device, no more:\n");
	printf("collide    files whose inode numbers differ by a multiple of "
	    "65536, on devices\n");
	printf("collide    alike in their low 8 bits, get the same key; ftok "
	    "cannot tell them apart\n");
	return 0;
}

/*
 * What the key's object is, in a hint's or the watch's words: "queue",
 * "semaphore set" or "segment" ("object" before a key is chosen).
 */
const char *
key_noun(void)
{
	if (key_proj == 0)
		return "object";
	return key_proj == PROJ_MSGQ ? "queue" : key_proj == PROJ_SEM ||
	    key_proj == PROJ_PHIL ? "semaphore set" : "segment";
}

/*
 * The ctl program that reaches our object, into ctl: "msgq/ctl", or
 * "sem/ctl -k 0x70c0ffee" when its own default key would be another (we
 * were given -k, or we are the counter or the dinner).
 */
void
key_ctl(char *ctl, size_t size)
{
	const char *name = key_proj == 0 ? "the ctl program" :
	    key_proj == PROJ_MSGQ ? "msgq/ctl" : key_proj == PROJ_SEM ||
	    key_proj == PROJ_PHIL ? "sem/ctl" : "shm/ctl";
	int keyed = key_given != NULL || key_proj == PROJ_PHIL ||
	    key_proj == PROJ_COUNTER;

	if (keyed)
		snprintf(ctl, size, "%s -k 0x%08x", name,
		    (unsigned int)ipc_key);
	else
		snprintf(ctl, size, "%s", name);
}

/*
 * getopt(3) with the letters of p's rows: -h (usage, exit 0), -k KEY and
 * -q are ours, the rest are handed to own(); a bad option or own() saying
 * -1 is a usage error (exit 2).  Returns the first operand's index.  The
 * key comes later (use_key), so that a usage error is the first line.
 */
int
parse_options(const struct program *p, int argc, char *argv[],
    int (*own)(int opt, const char *arg, void *ctx), void *ctx)
{
	char letters[64] = ":h";
	size_t i, n = 2;
	int opt;

	me = p;
	prog = p->name;
	ignore_sigpipe();	/* from here on, for -h and ctl key too */
	for (i = 0; i < p->nrows && n < sizeof letters - 2; i++)
		if (p->rows[i].name[0] == '-') {
			letters[n++] = p->rows[i].name[1];
			if (strchr(p->rows[i].name, ' ') != NULL)
				letters[n++] = ':';
		}
	letters[n] = '\0';
	while ((opt = getopt(argc, argv, letters)) != -1) {
		if (opt == 'h')
			show_usage(stdout);
		else if (opt == 'k')
			key_option(optarg);
		else if (opt == 'q')
			quiet = 1;
		else if (opt == '?' || opt == ':' || own == NULL) {
			bad_option(opt);
			show_usage(stderr);
		} else if (own(opt, optarg, ctx) == -1)
			show_usage(stderr);
	}
	return optind;
}

/*
 * The usage, made from the rows: on stdout for -h (exit 0, or 1 if it
 * could not be written), else on stderr (exit 2).  "usage: NAME [-flags]
 * [-x ARG]... commands operands", what it does, then a line a row.
 */
noreturn void
show_usage(FILE *f)
{
	const struct row *r, *end = me->rows + me->nrows;
	const char *bar = "";
	int width = 0;

	fprintf(f, "usage: %s [-", me->name);
	for (r = me->rows; r < end; r++)	/* -q and the other flags */
		if (r->name[0] == '-' && r->name[2] == '\0')
			fputc(r->name[1], f);
	fputc(']', f);
	for (r = me->rows; r < end; r++)	/* options with a value */
		if (r->name[0] == '-' && r->name[2] != '\0')
			fprintf(f, " [%s]", r->name);
	for (r = me->rows; r < end; r++)	/* a ctl's commands */
		if (r->name[0] != '-') {
			fprintf(f, "%s %s", bar, r->name);
			bar = " |";
		}
	fprintf(f, "%s%s\n", me->operands[0] ? " " : "", me->operands);
	if (me->about != NULL) {
		fputs("  ", f);
		indented(f, 2, me->about);
	}
	for (r = me->rows; r < end; r++)
		if ((int)strlen(r->name) > width)
			width = (int)strlen(r->name);
	for (r = me->rows; r < end; r++) {
		fprintf(f, "  %-*s  ", width, r->name);
		indented(f, width + 4, r->help);
	}
	if (f == stdout)	/* -h: done only if it got out */
		exit(close_stdout() == -1 ? EXIT_CALL_FAILED : 0);
	exit(EXIT_USAGE);
}

/* text on f, a '\n' in it going on after `indent` blanks; then '\n'. */
static void
indented(FILE *f, int indent, const char *text)
{
	int n;

	for (; (n = (int)strcspn(text, "\n")), text[n] != '\0'; text += n + 1)
		fprintf(f, "%.*s\n%*s", n, text, indent, "");
	fprintf(f, "%s\n", text);
}

/* Operands past argv[first] are one too many (after command cmd). */
void
no_more_operands(int argc, char *argv[], int first, const char *cmd)
{
	if (first < argc) {
		bad_operand(cmd, argv[first]);
		show_usage(stderr);
	}
}

/*
 * The operands from argv[first] on, each a MESSAGE (NULL: none).  One that
 * starts with '-' is an option put after them, which getopt no longer
 * sees: refused (usage), for it would go as data, and the key or the mode
 * with it be lost.  A MESSAGE that starts with '-' goes after "--".
 */
char **
messages(int argc, char *argv[], int first)
{
	int i;

	if (first >= argc)
		return NULL;
	if (strcmp(argv[first - 1], "--") == 0)
		return argv + first;
	for (i = first; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			bad_operand(NULL, argv[i]);
			hint("a MESSAGE that starts with '-' goes after --");
			show_usage(stderr);
		}
	return argv + first;
}

/* -k KEY, from parse_options(): kept as typed, for use_key() to parse. */
void
key_option(const char *arg)
{
	key_arg = arg;
}

/*
 * The key, from -k, IPC_DEMO_KEY or ftok (choose_key); bad: usage.  It is
 * returned for main() to hold and pass on, and kept in ipc_key for the
 * narration and the hints.
 */
key_t
use_key(int proj)
{
	if (choose_key(key_arg, proj) == -1)
		show_usage(stderr);
	return ipc_key;
}

/*
 * A ctl program's command at argv[first], one of its rows that are not
 * options ("stat", "set N": a number after a blank), listed first; its
 * number in 0..max to *n (`what` names it).  Returns the row's index; a
 * missing, unknown or extra word is a usage error.
 */
int
command(int argc, char *argv[], int first, const char *what,
    long long max, long long *n)
{
	const char *cmd = first < argc ? argv[first] : "", *name;
	size_t len, i, cmds = 0;
	char list[128] = "";
	int takes;

	while (cmds < me->nrows && me->rows[cmds].name[0] != '-')
		cmds++;
	for (i = 0; i < cmds; i++)
		snprintf(list + strlen(list), sizeof list - strlen(list),
		    "%s%s", i == 0 ? "" : i == cmds - 1 ? " or " : ", ",
		    me->rows[i].name);
	for (i = 0; i < cmds; i++) {
		name = me->rows[i].name;
		len = strcspn(name, " ");
		if (strlen(cmd) == len && strncmp(cmd, name, len) == 0)
			break;
	}
	if (*cmd == '\0' || i == cmds) {
		if (*cmd == '\0')
			fprintf(stderr, "%s: no command: expected %s\n", prog,
			    list);
		else
			fprintf(stderr, "%s: '%s' is not a command: expected "
			    "%s\n", prog, cmd, list);
		show_usage(stderr);
	}
	takes = me->rows[i].name[len] == ' ';
	if (takes && first + 1 >= argc) {
		fprintf(stderr, "%s: %s: %s is missing\n", prog, cmd, what);
		show_usage(stderr);
	}
	no_more_operands(argc, argv, first + 1 + takes, cmd);
	if (takes && parse_num(cmd, argv[first + 1], 0, max, n) == -1)
		show_usage(stderr);
	return (int)i;
}

/*
 * getopt(3) said '?' (no such option) or ':' (no value).  Our option
 * strings start with ':', so we say it, the same with every libc.
 */
void
bad_option(int opt)
{
	char name[16];
	int c = optopt & 0xff;	/* a char: negative for bytes >= 0x80 */

	if (c < 0x80 && isgraph(c))
		snprintf(name, sizeof name, "-%c", c);
	else
		snprintf(name, sizeof name, "byte 0x%02x", optopt & 0xff);
	if (opt == ':')
		fprintf(stderr, "%s: %s needs a value\n", prog, name);
	else
		fprintf(stderr, "%s: %s: no such option\n", prog, name);
}

/* One operand too many (after cmd, or NULL); "stat -q" too: say so. */
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
 * The one number parser: decimal, or hex with 0x; no blanks, no junk, the
 * range checked.  An error names `what`, quotes s, and returns -1.
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
 * "prog: tag text" on stderr in one write: no mixing mid-line.  hint()
 * and refuse() are say() (ipcdemo.h); a hint's {ctl} and {key} become
 * the command and key it is about (expand_hint).
 */
void
say(const char *tag, const char *fmt, ...)
{
	char raw[1024], text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	if (strcmp(tag, "hint: ") == 0)	/* {ctl}: see expand_hint() */
		expand_hint(raw, NULL, text, sizeof text);
	else
		snprintf(text, sizeof text, "%s", raw);	/* as it is */
	fprintf(stderr, "%s: %s%s\n", prog, tag, text);
}

/* Narration: what the program is doing, on stderr, unless -q. */
void
note(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	say("", "%s", text);
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
	{ "semget", ENOSPC, "the system's limit on semaphore sets (kernel.sem, "
	    "4th field, SEMMNI) or on all semaphores (2nd field, SEMMNS) is "
	    "reached; see ipcs -s and remove unused ones by id" },
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
 * (we were given -k, or we are the counter or the dinner), so that the
 * command a hint gives acts on our object, not on another.
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

/* "prog: call: strerror (ENAME)[; lost]", then advice or the usual cause. */
static void
failed(const char *call, int err, const char *lost, const char *advice)
{
	fprintf(stderr, "%s: %s: %s (%s)%s%s\n", prog, call, strerror(err),
	    errname(err), lost ? "; " : "", lost ? lost : "");
	if (advice != NULL)
		hint("%s", advice);
	else
		usual_cause(call, err);
	errno = err;
}

void
complain(const char *call)
{
	failed(call, errno, NULL, NULL);
}

noreturn void
die(const char *call)
{
	failed(call, errno, NULL, NULL);
	exit(EXIT_CALL_FAILED);
}

/*
 * die_hint() and die_lost() (macros, ipcdemo.h): like die(), with a hint
 * that knows more than the errno does, or saying what was lost (nothing
 * may be lost unsaid).
 */
noreturn void
die_text(const char *call, int lost, const char *fmt, ...)
{
	int err = errno;
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	failed(call, err, lost ? text : NULL, lost ? NULL : text);
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
		{ EBADF, "EBADF" }, { EDQUOT, "EDQUOT" }, { EEXIST, "EEXIST" },
		{ EFAULT, "EFAULT" }, { ENOTTY, "ENOTTY" }, { ESRCH, "ESRCH" },
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
 * Refuse (exit 1) an object with our key that is not ours alone: another
 * user's (squatting?), or open to others.  Root passes every permission
 * check, so the kernel alone would not stop it.
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
		hint("remove it with ipcrm -%c %d and start again, or pick "
		    "another key with -k", what[0] == 'q' ? 'q' :
		    strncmp(what, "sem", 3) == 0 ? 's' : 'm', id);
		exit(EXIT_CALL_FAILED);
	}
}

/*
 * The handler only records the signal; the program tears down what it
 * owns and dies of it (exit_status).  Without SA_RESTART a blocked call
 * returns EINTR.  A signal just before a call blocks would be missed, so
 * the handler also sets an alarm: SIGALRM each second wakes that call.
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
 * Catch SIGINT, SIGTERM, SIGHUP and SIGQUIT (Ctrl-\), so that our objects
 * are cleaned up however we are stopped (only kill -9 cannot be caught) -
 * but leave SIGINT and SIGHUP ignored if they were (nohup; a background
 * job), as the classic idiom has it.  SIGALRM wakes blocked calls
 * (on_signal, ticking).  SIGPIPE is ignored from the start
 * (ignore_sigpipe).
 */
void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
		SIGALRM };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: blocked calls return EINTR */
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		if (sigaction(sigs[i], NULL, &old) == -1)
			die("sigaction");
		if ((sigs[i] == SIGINT || sigs[i] == SIGHUP) &&
		    old.sa_handler == SIG_IGN)
			continue;
		if (sigaction(sigs[i], &sa, NULL) == -1)
			die("sigaction");
	}
}

/*
 * A write to a closed pipe fails with EPIPE, reported like any error
 * (write_part, close_stdout), instead of killing us without a word.
 * parse_options() calls this first, so it holds for -h and ctl key too.
 */
void
ignore_sigpipe(void)
{
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die("signal");
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
 * While on, SIGALRM every second: a call blocked in the kernel returns
 * EINTR, so that the program can look around (has its peer died?  has the
 * queue's limit changed?) and then wait again.  An interval timer, not
 * alarm(): a tick that came just before the call blocked is followed by
 * another, so no wait goes unwatched.
 */
void
ticking(int on)
{
	struct itimerval it;

	if (stop_signal)
		return;		/* on_signal's alarm() is in charge now */
	it.it_interval.tv_sec = it.it_value.tv_sec = on ? 1 : 0;
	it.it_interval.tv_usec = it.it_value.tv_usec = 0;
	if (setitimer(ITIMER_REAL, &it, NULL) == -1)
		die("setitimer");
}

/*
 * What main returns.  After a stop signal, all tidied up, die of that same
 * signal: the shell sees 128 + signo and knows we were interrupted, so a
 * script that ran us stops too.
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
 * ctl watch: look at the object every WATCH_POLL_MS, and print its state
 * on stdout once, then again each time it changes, after the seconds
 * since we began.  look() writes the state into line and returns 1, or
 * returns 0 when no object has our key.  Polling, not waiting: System V
 * has no call that sleeps until an object changes.  Before the object
 * exists we wait for it; once it has gone we say so and end.  A stop
 * signal ends the watch too (exit_status: 130 for Ctrl-C).  Returns what
 * main returns.
 */
int
watch(int (*look)(char *line, size_t size))
{
	struct timespec pause = { 0, WATCH_POLL_MS * 1000000L }, t0;
	char line[512], last[512] = "";
	int seen = 0, waiting = 0, there;

	catch_signals();
	if (clock_gettime(CLOCK_MONOTONIC, &t0) == -1)
		die("clock_gettime");
	note("watching the %s with key 0x%08x every %d ms; Ctrl-C stops",
	    key_noun(), (unsigned int)ipc_key, WATCH_POLL_MS);
	while (!stop_signal) {
		there = look(line, sizeof line);
		if (!there && !seen) {
			if (!waiting++)
				note("no %s has key 0x%08x yet: waiting for it",
				    key_noun(), (unsigned int)ipc_key);
		} else {
			if (!there)
				snprintf(line, sizeof line, "removed");
			if (strcmp(line, last) != 0)
				watched(&t0, line);
			snprintf(last, sizeof last, "%s", line);
			if (!there)
				break;
			seen = 1;
		}
		(void)nanosleep(&pause, NULL);	/* EINTR: stop_signal says */
	}
	if (!stop_signal)
		note("the %s is gone: the watch ends", key_noun());
	return exit_status(close_stdout() == -1 ? EXIT_CALL_FAILED : 0);
}

/* One line of a watch: the seconds since t0, the state; out at once. */
static void
watched(const struct timespec *t0, const char *line)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		die("clock_gettime");
	printf("%6.2f s  %s\n", (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9, line);
	if (fflush(stdout) == EOF)
		die("write (stdout)");
}

/*
 * All of buf, however many write(2) calls it takes; returns how much
 * went: fewer than len when a write failed (errno) or a signal stopped us.
 */
size_t
write_part(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n == -1 && errno == EINTR && !stop_signal)
			continue;
		if (n == -1)
			break;
		done += (size_t)n;
	}
	return done;
}

/*
 * Make sure stdout's data really got out before we exit 0.  A program run
 * with stdout closed (>&-) that had nothing to write there did its work:
 * the EBADF of closing it then means nothing.
 */
int
close_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		complain("write (stdout)");
		(void)fclose(stdout);
		return -1;
	}
	if (fclose(stdout) == EOF && errno != EBADF) {
		complain("write (stdout)");
		return -1;
	}
	return 0;
}
