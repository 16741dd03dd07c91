/*
 * tests/fuzz.c - libFuzzer target for what every program does with its
 * command line before it touches the kernel: getopt, parse_num, the key.
 * Built and run by "make fuzz" (clang, ASan, UBSan); not part of the suite.
 *
 * Each input is either
 *   - a command line for one of the 13 programs or of the first/ pages:
 *     the first byte picks the program, the rest is split at NUL bytes
 *     into its arguments.  The program's main() runs in this process (the
 *     Makefile renames it) until it exits, returns or makes its first IPC
 *     call.  exit() and msgget(), semget()
 *     and shmget() are wrapped (ld --wrap) to jump back here, so nothing
 *     is ever created.  Checked: a program that stops before the kernel
 *     stops with 0 (-h) or 2 (usage), never 1; one that goes on has a real
 *     key, never IPC_PRIVATE.
 *   - or a number for parse_num(), compared with a parser written here
 *     from its specification: -?(0[xX][0-9a-fA-F]+|[0-9]+), no blanks, no
 *     '+', no junk, within [min, max].
 * ASan and UBSan check every access on the way.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <limits.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "../msgq/msgq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The thirteen programs' main()s and the first/ pages', renamed by the
 * Makefile: each named once, in PROGRAM(dir, name) or FIRST(dir, name),
 * which declares it and then makes its row.
 */
#define PROGRAMS \
	PROGRAM(msgq, sender) PROGRAM(msgq, receiver) PROGRAM(msgq, server) \
	PROGRAM(msgq, client) PROGRAM(msgq, ctl) PROGRAM(sem, wait) \
	PROGRAM(sem, post) PROGRAM(sem, ctl) PROGRAM(sem, philosophers) \
	PROGRAM(shm, writer) PROGRAM(shm, reader) PROGRAM(shm, counter) \
	PROGRAM(shm, ctl) FIRST(msgq, sender) FIRST(msgq, receiver) \
	FIRST(sem, wait) FIRST(sem, post) FIRST(shm, writer) FIRST(shm, reader)

#define PROGRAM(dir, name) int main_##dir##_##name(int, char **);
#define FIRST(dir, name) int main_##dir##_first_##name(int, char **);
PROGRAMS
#undef PROGRAM
#undef FIRST

static const struct {
	const char *name;
	int (*main)(int, char **);
} progs[] = {
#define PROGRAM(dir, name) { #dir "/" #name, main_##dir##_##name },
#define FIRST(dir, name) { #dir "/first/" #name, main_##dir##_first_##name },
	PROGRAMS
#undef PROGRAM
#undef FIRST
};
enum { NPROGS = sizeof progs / sizeof progs[0], MAXARGS = 16 };
enum { REACHED_KERNEL = 1000 };	/* a status no program exits with */

static jmp_buf back;
static int in_program;

/* ld --wrap: the programs' calls come here; libFuzzer's own go through. */
noreturn void __real_exit(int status);
noreturn void __wrap_exit(int status);
int __wrap_msgget(key_t key, int flags);
int __wrap_semget(key_t key, int nsems, int flags);
int __wrap_shmget(key_t key, size_t size, int flags);
struct message *__real_new_message(size_t size);
struct message *__wrap_new_message(size_t size);
int __wrap_explain_key(int proj);
int __real_fclose(FILE *f);
int __wrap_fclose(FILE *f);

noreturn void
__wrap_exit(int status)
{
	if (!in_program)
		__real_exit(status);
	longjmp(back, status + 1);
}

static noreturn void
reached_kernel(key_t key)
{
	if (key == IPC_PRIVATE)
		abort();	/* every program must use a real key */
	longjmp(back, REACHED_KERNEL + 1);
}

int
__wrap_msgget(key_t key, int flags)
{
	(void)flags;
	reached_kernel(key);
}

int
__wrap_semget(key_t key, int nsems, int flags)
{
	(void)nsems, (void)flags;
	reached_kernel(key);
}

int
__wrap_shmget(key_t key, size_t size, int flags)
{
	(void)size, (void)flags;
	reached_kernel(key);
}

/*
 * "ctl key" does its work without any IPC call: having chosen the key (as
 * every program must, with a real one), it has come as far as the others
 * come when they reach the kernel.
 */
int
__wrap_explain_key(int proj)
{
	(void)proj;
	reached_kernel(ipc_key);
}

/*
 * -h ends with close_stdout(), which closes stdout: here it must stay open
 * for the next run, so a program's fclose of it only flushes.
 */
int
__wrap_fclose(FILE *f)
{
	if (in_program && f == stdout)
		return fflush(f);
	return __real_fclose(f);
}

/*
 * The msgq programs allocate their message buffers before they open a queue;
 * the jump back at msgget would leak them, so they are kept and freed.
 */
static struct message *buffers[4];
static size_t nbuffers;

struct message *
__wrap_new_message(size_t size)
{
	struct message *m = __real_new_message(size);

	if (nbuffers == sizeof buffers / sizeof buffers[0])
		abort();
	buffers[nbuffers++] = m;
	return m;
}

/* Run one program on the NUL-separated arguments in data. */
static void
run_program(const uint8_t *data, size_t size)
{
	static char buf[4096];
	char *argv[MAXARGS + 2];
	volatile int status;
	int argc = 0;
	size_t i, start;

	if (size == 0 || size > sizeof buf - 1)
		return;
	argv[argc++] = (char *)progs[data[0] % NPROGS].name;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	/* No bytes after the first: no arguments; else one per NUL. */
	for (i = start = 0; size > 1 && i < size && argc <= MAXARGS; i++) {
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;

	optind = 0;		/* glibc: start getopt afresh */
	quiet = 0;
	ipc_key = IPC_PRIVATE;
	in_program = 1;
	status = setjmp(back);
	if (status == 0)
		status = progs[data[0] % NPROGS].main(argc, argv) + 1;
	in_program = 0;
	while (nbuffers > 0)
		free(buffers[--nbuffers]);
	status--;
	/* Before the kernel: 0 for -h, 2 for bad usage; 1 is for failed calls. */
	if (status != 0 && status != EXIT_USAGE && status != REACHED_KERNEL)
		abort();
}

/* parse_num as specified, written separately to compare with it. */
static int
reference_num(const char *s, long long min, long long max, long long *out)
{
	unsigned long long mag = 0, limit;
	int neg = *s == '-', base = 10, d;

	s += neg;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	if (*s == '\0')
		return -1;
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (mag > (limit - (unsigned long long)d) / (unsigned)base)
			return -1;
		mag = mag * (unsigned)base + (unsigned long long)d;
	}
	if (neg)
		*out = mag == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN :
		    -(long long)mag;
	else
		*out = (long long)mag;
	return *out < min || *out > max ? -1 : 0;
}

/* 16 bytes of min and max, then the text. */
static void
compare_num(const uint8_t *data, size_t size)
{
	char text[256];
	long long min, max, got = 12345, want;
	int r1, r2;

	if (size < 16 || size - 16 >= sizeof text)
		return;
	memcpy(&min, data, 8);
	memcpy(&max, data + 8, 8);
	memcpy(text, data + 16, size - 16);
	text[size - 16] = '\0';
	r1 = parse_num("fuzz", text, min, max, &got);
	r2 = reference_num(text, min, max, &want);
	if (r1 != r2 || (r1 == 0 && got != want) || (r1 == -1 && got != 12345))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] >= 0xf0)
		compare_num(data + 1, size - 1);
	else
		run_program(data, size);
	return 0;
}
