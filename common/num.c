/*
 * num.c - the one number parser, for keys, types, counts and sizes:
 * decimal, or hex with 0x; no blanks, no junk, the range checked, the bad
 * text quoted in the message (parse_num).  Never atoi(3), which cannot
 * tell "0" from "zero".
 *
 * Man pages: strtol(3) (strtoll), errno(3) (ERANGE).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ipcdemo.h"

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
		fprintf(stderr, "%s: %s: '%s' is not a number\n", prog, what,
		    s);
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, hex ? 16 : 10);
	if (*end != '\0' && errno == 0) {
		fprintf(stderr, "%s: %s: '%s' is not %s\n", prog, what, s,
		    *end == '.' ? "a whole number" : "a number (junk after it)");
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
