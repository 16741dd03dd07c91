/*
 * die.c - a failed call, reported where it failed: "prog: call: strerror
 * (ENAME)", then a hint a student can act on (hints.c), then exit 1 (die,
 * die_hint, die_lost) or go on (complain); and the refusal of an object
 * with our key that is not ours alone (refuse_if_not_ours), or that a ctl
 * command would remove or change (refuse_if_foreign).
 *
 * Man pages: errno(3), strerror(3), exit(3); svipc(7) for ipc_perm.
 */
#include <sys/ipc.h>
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo.h"

/* "prog: call: strerror (ENAME)[; lost]", then advice or the usual cause. */
static void
failed(const char *call, int err, const char *lost, const char *advice)
{
	say_line("%s: %s: %s (%s)%s%s\n", prog, call, strerror(err),
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

/*
 * The symbolic name of an errno, which strerror(3) does not give: those
 * our calls can fail with, and "errno N" for any other, never a blank.
 */
const char *
errname(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ E2BIG, "E2BIG" }, { EACCES, "EACCES" }, { EAGAIN, "EAGAIN" },
		{ EBADF, "EBADF" }, { EBUSY, "EBUSY" }, { ECHILD, "ECHILD" },
		{ EDQUOT, "EDQUOT" }, { EEXIST, "EEXIST" },
		{ EFAULT, "EFAULT" }, { EFBIG, "EFBIG" }, { EIDRM, "EIDRM" },
		{ EINTR, "EINTR" }, { EINVAL, "EINVAL" }, { EIO, "EIO" },
		{ EISDIR, "EISDIR" }, { EMFILE, "EMFILE" },
		{ ENAMETOOLONG, "ENAMETOOLONG" }, { ENFILE, "ENFILE" },
		{ ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" },
		{ ENOMSG, "ENOMSG" }, { ENOSPC, "ENOSPC" },
		{ ENOSYS, "ENOSYS" }, { ENOTDIR, "ENOTDIR" },
		{ ENOTTY, "ENOTTY" }, { ENXIO, "ENXIO" },
		{ EOVERFLOW, "EOVERFLOW" }, { EPERM, "EPERM" },
		{ EPIPE, "EPIPE" }, { ERANGE, "ERANGE" }, { EROFS, "EROFS" },
		{ ESPIPE, "ESPIPE" }, { ESRCH, "ESRCH" },
	};
	static char other[32];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(other, sizeof other, "errno %d", err);
	return other;
}

/* "key K: queue id N belongs to uid U, not to you (uid E)", on stderr. */
static void
whose(const char *what, int id, const struct ipc_perm *perm)
{
	fprintf(stderr, "%s: key 0x%08x: %s id %d belongs to uid %u, not to "
	    "you (uid %u)\n", prog, (unsigned int)ipc_key, what, id,
	    (unsigned int)perm->uid, (unsigned int)geteuid());
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
		whose(what, id, perm);
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
 * A ctl command that removes or changes an object (rm, qbytes) refuses
 * another user's, as every other program does (exit 1, the owner named):
 * root passes every permission check, so the kernel would let it act on
 * anyone's, without a word.  With -f (force) it goes on, and says so; the
 * kernel still stops anyone but the owner, the creator and root (EPERM).
 */
void
refuse_if_foreign(const char *what, int id, const struct ipc_perm *perm,
    int force)
{
	if (perm->uid == geteuid())
		return;
	if (force) {
		note("%s id %d belongs to uid %u; -f: going on", what, id,
		    (unsigned int)perm->uid);
		return;
	}
	whose(what, id, perm);
	hint("leave it to its owner, or give -f to act on it anyway");
	exit(EXIT_CALL_FAILED);
}
