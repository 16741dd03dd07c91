/*
 * ipcdemo.h - the one header of common/, the small library that every
 * ipc-demos program links (common/libipcdemo.a), one concern a file, in
 * the manner of TLPI's lib/.  Each section below says which .c holds it
 * and what the concern is:
 *
 *   key.c	the IPC key: -k, $IPC_DEMO_KEY or ftok; ctl key
 *   cmdline.c	the command line and its usage, from a table of rows
 *   num.c	the one number parser
 *   say.c	narration on stderr, and the hint and refusal lines
 *   hints.c	the usual cause of each failed call, a table
 *   die.c	a failed call reported, then exit 1; objects not ours
 *   signals.c	Ctrl-C and the others as a flag; a tick to wake calls
 *   watch.c	the ctl programs' watch
 *   output.c	standard output written whole and checked
 *   sets.c	a semaphore set opened without a race (sem/ and shm/)
 *
 * Of the IPC calls, common/ makes only those of sets.c.  Every other get,
 * op or ctl call is made in the mechanism's own directory - by the
 * program, or by its helper files - and checked right there, so that a
 * reader sees the call and what happens when it fails.
 *
 * A few functions are marked "common/ only": one file of the library
 * asks another for them; the programs do not call them.
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

/*
 * key.c: the key, one per kind of object.  The proj ids given to ftok(3),
 * one per kind of object, so that the default keys of the queue, the
 * semaphore sets and the segments differ.  msgq/server's queue has one of
 * its own, so that the stream's programs never meet it by default.
 */
enum { PROJ_MSGQ = 'm', PROJ_SEM = 's', PROJ_SHM = 'h', PROJ_COUNTER = 'c',
	PROJ_PHIL = 'p', PROJ_SERVER = 'r' };

extern key_t ipc_key;		/* the key in use, for narration and hints */

key_t use_key(int proj);
int choose_key(const char *arg, int proj);
int first_key(const char *name, const char *arg, int proj, key_t *key);
int explain_key(int proj);
void key_option(const char *arg);		/* common/ only: -k */
const char *key_noun(void);			/* common/ only: "queue" */
void key_ctl(char *ctl, size_t size);		/* common/ only: "msgq/ctl" */

/*
 * cmdline.c: a program's command line, which is also its usage: one row
 * an option ("-c COUNT") or ctl command ("set N"), with what it does; a
 * '\n' in the text goes on under it.  parse_options() takes its getopt
 * letters from the rows, and command() its commands.
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
int flag_option(int opt, const char *arg, void *ctx);
noreturn void show_usage(FILE *f);
void no_more_operands(int argc, char *argv[], int first, const char *cmd);
char **messages(int argc, char *argv[], int first);
int command(int argc, char *argv[], int first, const char *what,
    long long max, long long *n);
void bad_option(int opt);
void bad_operand(const char *cmd, const char *arg);

/* num.c: the one strict number parser. */
int parse_num(const char *what, const char *s, long long min, long long max,
    long long *out);

/* say.c: narration, and the lines that go with errors, on stderr. */
extern const char *prog;	/* "msgq/sender": starts every line we print */
extern int quiet;		/* -q: no narration */

int paced(void);
void say(const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A whole line on stderr, a tick or a slow reader notwithstanding. */
void say_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A second line after an error: what the student can do about it. */
#define hint(...) say("hint: ", __VA_ARGS__)
/* A refusal, when no call failed (errno would be stale): "prog: text". */
#define refuse(...) say("", __VA_ARGS__)
const char *plural(unsigned long long n);

/* hints.c: the usual cause of a failed call, and a hint's words. */
void usual_cause(const char *call, int err);		/* common/ only */
void expand_hint(const char *in, const char *call, char *text,
    size_t size);					/* common/ only */

/* die.c: a failed call reported; an object with our key not ours. */
void complain(const char *call);
noreturn void die(const char *call);
noreturn void die_text(const char *call, int lost, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define die_hint(call, ...) die_text(call, 0, __VA_ARGS__)
#define die_lost(call, ...) die_text(call, 1, __VA_ARGS__)
const char *errname(int err);
void refuse_if_not_ours(const char *what, int id,
    const struct ipc_perm *perm);
void refuse_if_foreign(const char *what, int id, const struct ipc_perm *perm,
    int force);

/* signals.c: stopped by a signal, woken by a tick. */
extern volatile sig_atomic_t stop_signal;	/* SIGINT, TERM, HUP or QUIT */

void catch_signals(void);
void ticking(int on);
int exit_status(int status);
void ignore_output_signals(void);			/* common/ only */

/* watch.c: ctl watch, a state line each time the object changes. */
int watch(int (*look)(char *line, size_t size));

/* output.c: standard output, written whole and checked. */
size_t write_part(int fd, const void *buf, size_t len);
int close_stdout(void);
const char *ipc_time(time_t t);

/*
 * sets.c: a semaphore set of our kind, made without a race or joined
 * after its shape is checked.  For sem/ and shm/ alike.
 */
int open_set(key_t key, int nsems, const unsigned short *init, int marked,
    int *created);
const char *set_owner(unsigned long nsems);
unsigned long set_size(int id);

/*
 * The marks of shm/'s sets (open_set's `marked`): from the start the last
 * semaphore of the ring's set holds RING_SET_MARK, the counter's
 * COUNTER_SET_MARK, values no other set has there.  shm/ring.h and
 * shm/team.h make their sets with them; sem/ctl knows shm/'s sets by
 * them (shm_owner), and leaves them to shm/ctl.
 */
enum { RING_SET_SIZE = 6, RING_SET_MARK = 0x7269,	/* "ri" */
	COUNTER_SET_SIZE = 4, COUNTER_SET_MARK = 0x636f };	/* "co" */

const char *shm_owner(int id, unsigned long nsems);

#endif
