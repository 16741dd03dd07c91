/*
 * ipcdemo.h - the little that every ipc-demos program shares: how the IPC
 * key is chosen, how the command line is read, how a failed call is
 * reported (with a hint a student can act on), how numbers are parsed,
 * how narration is written, how Ctrl-C is caught, how output is
 * checked, and the polling loop of the ctl programs' watch.
 *
 * No get, op or ctl call is made here.  Each is made in the mechanism's
 * own directory - by the program, or by its helper file (msgq/msgq.c,
 * msgq/stream.c, sem/sem.c, sem/set.c, shm/ring.c, shm/team.c) - and
 * checked right there, so that a reader sees the call and what happens
 * when it fails.
 */
#ifndef IPCDEMO_H
#define IPCDEMO_H

#include <sys/ipc.h>
#include <sys/types.h>

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <time.h>

/*
 * The proj ids given to ftok(3), one per kind of object, so that the
 * default keys of the queue, the semaphore sets and the segments differ.
 */
enum { PROJ_MSGQ = 'm', PROJ_SEM = 's', PROJ_SHM = 'h', PROJ_COUNTER = 'c',
	PROJ_PHIL = 'p' };

/* Exit codes shared by the whole suite (signals exit 128 + signo). */
enum { EXIT_CALL_FAILED = 1, EXIT_USAGE = 2 };

/*
 * semctl(2) takes a fourth argument of this type, but the program must
 * declare it itself: POSIX and the Linux man page say so, and neither glibc
 * nor musl defines it.  Declared here once for every program.
 */
union semun {
	int val;			/* SETVAL */
	struct semid_ds *buf;		/* IPC_STAT, IPC_SET */
	unsigned short *array;		/* GETALL, SETALL */
};

extern const char *prog;	/* "msgq/sender": starts every line we print */
extern int quiet;		/* -q: no narration */
extern key_t ipc_key;		/* the key in use, for narration and hints */
extern volatile sig_atomic_t stop_signal;	/* SIGINT, TERM, HUP or QUIT */

/*
 * A program's command line, which is also its usage: one row an option
 * ("-c COUNT") or ctl command ("set N"), with what it does; a '\n' in the
 * text goes on under it.  parse_options() takes its getopt letters from
 * the rows, and command() its commands.
 */
struct row {
	const char *name;
	const char *help;
};
struct program {
	const char *name;	/* "shm/writer": starts every line we print */
	const char *operands;	/* the usage after the options: "[N]" */
	const char *about;	/* what it does, a line or two, or NULL */
	const struct row *rows;	/* options and commands, as listed */
	size_t nrows;
};
#define ROWS(rows) rows, sizeof rows / sizeof rows[0]

/* The rows of -k and -q, and of ctl key, the same in every program. */
#define KEY_ROW(what) { "-k KEY", what " (default: $IPC_DEMO_KEY, else " \
	"one made by ftok)" }
#define QUIET_ROW { "-q", "quiet: no narration on stderr" }
#define KEY_CMD { "key", "print the key and how it was made (-k, " \
	"$IPC_DEMO_KEY, ftok)" }

int parse_options(const struct program *p, int argc, char *argv[],
    int (*own)(int opt, const char *arg, void *ctx), void *ctx);
noreturn void show_usage(FILE *f);
void no_more_operands(int argc, char *argv[], int first, const char *cmd);
char **messages(int argc, char *argv[], int first);
key_t use_key(int proj);
int command(int argc, char *argv[], int first, const char *what,
    long long max, long long *n);
int choose_key(const char *arg, int proj);
int explain_key(int proj);
/* For common/ alone: -k's text; the key's object and its ctl, for hints. */
void key_option(const char *arg);
const char *key_noun(void);
void key_ctl(char *ctl, size_t size);
void bad_option(int opt);
void bad_operand(const char *cmd, const char *arg);
int parse_num(const char *what, const char *s, long long min, long long max,
    long long *out);

int paced(void);
void ticking(int on);
void say(const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A second line after an error: what the student can do about it. */
#define hint(...) say("hint: ", __VA_ARGS__)
/* A refusal, when no call failed (errno would be stale): "prog: text". */
#define refuse(...) say("", __VA_ARGS__)
const char *plural(unsigned long long n);
const char *ipc_time(time_t t);
void complain(const char *call);
noreturn void die(const char *call);
noreturn void die_text(const char *call, int lost, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define die_hint(call, ...) die_text(call, 0, __VA_ARGS__)
#define die_lost(call, ...) die_text(call, 1, __VA_ARGS__)
const char *errname(int err);
/* For common/ alone: the hint table's line, and a hint's {words}. */
void usual_cause(const char *call, int err);
void expand_hint(const char *in, const char *call, char *text,
    size_t size);

void refuse_if_not_ours(const char *what, int id,
    const struct ipc_perm *perm);
void catch_signals(void);
void ignore_sigpipe(void);	/* for common/ alone: parse_options */
int exit_status(int status);
int watch(int (*look)(char *line, size_t size));
size_t write_part(int fd, const void *buf, size_t len);
int close_stdout(void);

/*
 * sets.c: a semaphore set of our kind, made without a race or joined
 * after its shape is checked.  For sem/ and shm/ alike.
 */
int open_set(int nsems, const unsigned short *init, int marked,
    int *created);
const char *set_owner(unsigned long nsems);
unsigned long set_size(int id);

#endif
