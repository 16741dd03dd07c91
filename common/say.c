/*
 * say.c - narration and the lines that go with errors: "prog: text" on
 * stderr, in one write (say, and hint and refuse, its macros in
 * ipcdemo.h); narration that -q silences (note), and that a stream of
 * thousands of messages does not flood (paced).  Data goes to stdout,
 * never here: see output.c.
 *
 * Man pages: stdarg(3), vsnprintf(3), clock_gettime(2), write(2).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"

const char *prog = "ipc-demos";
int quiet;

enum { PACE_LINES = 10 };	/* narration lines per second, at most */

/*
 * "prog: tag text" on stderr in one write: no mixing mid-line.  hint()
 * and refuse() are say() (ipcdemo.h); a hint's {ctl} and {key} become
 * the command and key it is about (expand_hint, hints.c).
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
	say_line("%s: %s%s\n", prog, tag, text);
}

/*
 * A whole line on stderr, formatted first, then written in one write(2)
 * if it can be, and finished if it cannot.  Not fprintf: a slow stderr (a
 * pipe nobody reads yet) blocks the write, and our tick (SIGALRM, every
 * second while a stream runs) then cuts it short (EINTR); stdio would
 * drop the rest of the line - the one that says what was lost.
 * write_part (output.c) goes on after a tick, and gives up only when a
 * signal stops us.
 */
void
say_line(const char *fmt, ...)
{
	char line[2200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {		/* cut: end it with a newline */
		n = (int)sizeof line - 1;
		line[n - 1] = '\n';
	}
	(void)write_part(STDERR_FILENO, line, (size_t)n);
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
