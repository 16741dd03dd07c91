/*
 * cmdline.c - the command line, read from the program's table of rows
 * (struct program, ipcdemo.h), which is also its usage: getopt over the
 * rows' letters (parse_options), the usage made from them (show_usage), a
 * ctl's command word (command), the operands after the options, and what
 * to say when any of them is wrong (exit 2).
 *
 * Man pages: getopt(3); usage shaped like a man page's SYNOPSIS.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo.h"

static const struct program *me;	/* for show_usage() and command() */

static void indented(FILE *f, int indent, const char *text);

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
	ignore_output_signals();	/* from here on, -h and ctl key too */
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
 * own() for a program whose one option of its own is a flag (a ctl's -f):
 * the letter parse_options() hands it sets the int at ctx to 1.
 */
int
flag_option(int opt, const char *arg, void *ctx)
{
	(void)opt;
	(void)arg;
	*(int *)ctx = 1;
	return 0;
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
