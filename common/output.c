/*
 * output.c - standard output, where the data goes, byte-exact: all of a
 * buffer, however many write(2) calls it takes (write_part); stdout made
 * sure of before exit 0, for a full disk or a closed pipe would lose data
 * unsaid (close_stdout); and a time from an ipc *_ds structure, for the
 * ctl programs' stat (ipc_time).
 *
 * Man pages: write(2), fclose(3), ferror(3), strftime(3).
 */
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"

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
