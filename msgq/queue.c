/*
 * queue.c - the queue itself, for every msgq program: how big a message
 * may be (kernel.msgmax, the queue's qbytes), a buffer for one, msgget to
 * create the queue or join it (never a server's), a server's signature
 * read without taking it, whether a PID the queue names is still the
 * process it was, and how often a wait is narrated.  See msgq.h.
 */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipcdemo.h"
#include "msgq.h"

enum { MSGMAX_DEFAULT = 8192, MSGMAX_CAP = 16 << 20 };

static size_t qbytes_now(int qid);
static void refuse_server_queue(key_t key, int id);

/*
 * The largest message the kernel accepts is kernel.msgmax (8192 bytes
 * unless an administrator changed it): msgsnd fails with EINVAL above it.
 * msgmax_now() reads it afresh (it may change while we run);
 * max_message_size() reads it once, for the sizes fixed at start.
 */
size_t
msgmax_now(void)
{
	long max = MSGMAX_DEFAULT;
	FILE *f = fopen("/proc/sys/kernel/msgmax", "r");

	if (f != NULL) {
		if (fscanf(f, "%ld", &max) != 1 || max < 0)
			max = MSGMAX_DEFAULT;
		fclose(f);
	}
	return max > MSGMAX_CAP ? (size_t)MSGMAX_CAP : (size_t)max;
}

size_t
max_message_size(void)
{
	static size_t max;	/* read once: it is asked for often */

	if (max == 0)
		max = msgmax_now();
	return max;
}

/*
 * A buffer for msgrcv that takes any message this queue can hold: a
 * message went in when it fitted kernel.msgmax and the queue's qbytes of
 * that moment, and either may have been lowered since; the larger of the
 * two now covers the usual cases (capped at 16 MiB).
 */
size_t
receive_room(int qid)
{
	size_t max = msgmax_now(), qbytes = qbytes_now(qid);

	if (qbytes > max)
		max = qbytes < MSGMAX_CAP ? qbytes : MSGMAX_CAP;
	return max;
}

/*
 * The largest message that can ever go into this queue now: kernel.msgmax,
 * and the queue's own msg_qbytes (msgq/ctl qbytes may lower it at any
 * time).  A bigger one would wait in msgsnd forever, even on an empty
 * queue: the kernel waits for room that can never be.
 */
size_t
queue_room(int qid)
{
	size_t max = max_message_size(), qbytes = qbytes_now(qid);

	return qbytes < max ? qbytes : max;
}

/*
 * A message can hold at most room bytes (queue_room), fewer than the least
 * we need for what: say which limit it is - kernel.msgmax, or the qbytes
 * of whose queue - and how to raise that one; exit 1.  A client's own
 * queue has no key: its qbytes came from kernel.msgmnb when it was made.
 */
void
no_room(size_t room, const char *whose, const char *what, size_t least)
{
	if (room == max_message_size()) {
		refuse("a message may hold at most %zu byte%s "
		    "(kernel.msgmax): no room for %s (at least %zu)", room,
		    plural(room), what, least);
		hint("raise kernel.msgmax (as root: sysctl "
		    "kernel.msgmax=8192)");
		exit(EXIT_CALL_FAILED);
	}
	refuse("%s holds at most %zu byte%s: no room for %s (at least %zu)",
	    whose, room, plural(room), what, least);
	if (strncmp(whose, "our own", 7) == 0)
		hint("raise kernel.msgmnb (as root), where a new queue's "
		    "qbytes comes from");
	else
		hint("raise it with {ctl} qbytes");
	exit(EXIT_CALL_FAILED);
}

/* The queue's msg_qbytes, the most bytes it may hold, as it is now. */
static size_t
qbytes_now(int qid)
{
	struct msqid_ds ds;

	if (msgctl(qid, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	return (size_t)ds.msg_qbytes;
}

/* Room for a message of up to size bytes (after the mtype). */
struct message *
new_message(size_t size)
{
	struct message *m = malloc(sizeof *m + size);

	if (m == NULL)
		die("malloc");
	return m;
}

/*
 * Create the queue with this key, or join it if the peer was first (then
 * refuse it if it is not ours alone - see refuse_if_not_ours in common/ -
 * or if it is msgq/server's: refuse_server_queue, below).
 * IPC_CREAT|IPC_EXCL fails with EEXIST instead of opening an existing
 * queue, so we know for sure which of the two we did.  The mode is given
 * here in full: umask does not apply to System V IPC objects.  Joining
 * asks for read and write (0600), so the kernel checks our permission
 * now, not at the first send.
 */
int
open_queue(key_t key)
{
	struct msqid_ds ds;
	int id;

	for (;;) {
		id = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
		if (id != -1) {
			note("msgget: created queue id %d (mode 0600)", id);
			return id;
		}
		if (errno != EEXIST)
			die("msgget");
		id = msgget(key, 0600);
		if (id != -1)
			break;
		if (errno != ENOENT)
			die("msgget");
		/* Removed between our two calls: try to create it again. */
	}
	if (msgctl(id, IPC_STAT, &ds) == -1)
		die("msgctl IPC_STAT");
	refuse_if_not_ours("queue", id, &ds.msg_perm);
	refuse_server_queue(key, id);
	note("msgget: joined queue id %d, which was there already with %lu "
	    "message%s", id, (unsigned long)ds.msg_qnum,
	    plural(ds.msg_qnum));
	return id;
}

/*
 * A stream program joined a queue: if msgq/server signed it, it holds
 * requests, not a stream.  We take nothing and send nothing: we say so,
 * and exit 1.
 */
static void
refuse_server_queue(key_t key, int id)
{
	unsigned long long start;
	pid_t pid;

	if (signed_by(id, &pid, &start) != 1)
		return;
	refuse("key 0x%08x: queue id %d is msgq/server's (PID %ld): it holds "
	    "requests, not a stream; nothing taken, nothing sent",
	    (unsigned int)key, id, (long)pid);
	hint("msgq/client talks to msgq/server; give the stream a key of its "
	    "own with -k");
	exit(EXIT_CALL_FAILED);
}

/*
 * The key of queue id, as the kernel's table shows it (/proc/sysvipc/msg:
 * the key field of struct ipc_perm has no name glibc and musl share); -1
 * when no queue has that id.
 */
long long
queue_key(int id)
{
	FILE *f = fopen("/proc/sysvipc/msg", "r");
	char line[512];
	int key, qid;

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "%d %d", &key, &qid) == 2 && qid == id) {
			fclose(f);
			return (long long)(unsigned int)key;
		}
	if (f != NULL)
		fclose(f);
	return -1;
}

/*
 * Is the message at the head of the queue a server's signature (msgq.h,
 * request.c)?  We copy it out and leave it queued: msgrcv with MSG_COPY
 * (Linux 3.8, CONFIG_CHECKPOINT_RESTORE) takes a position, not a type,
 * and must come with IPC_NOWAIT; MSG_NOERROR cuts a longer message to our
 * buffer - but not with MSG_COPY, which fails with EINVAL for a message
 * bigger than the buffer, or than kernel.msgmax: one that is no signature
 * (unless msgmax is lower than one).  Returns 1 and the server's PID and
 * start time, 0 for any other message or none (ENOMSG), -1 if we cannot
 * copy (ENOSYS: no MSG_COPY in this kernel; or msgmax too low): we cannot
 * tell.  Any other failure (the queue removed, say): die.
 */
int
signed_by(int qid, pid_t *pid, unsigned long long *start)
{
	struct {
		long mtype;
		char mtext[SIGN_BYTES];
	} sig;
	struct msqid_ds ds;
	ssize_t n;
	long p;

	n = msgrcv(qid, &sig, sizeof sig.mtext - 1, 0,
	    MSG_COPY | IPC_NOWAIT | MSG_NOERROR);
	if (n == -1 && errno == EINVAL && msgctl(qid, IPC_STAT, &ds) == 0)
		return msgmax_now() < SIGN_BYTES ? -1 : 0;	/* too big */
	if (n == -1 && errno != ENOMSG && errno != ENOSYS)
		die("msgrcv MSG_COPY");	/* the queue gone, or worse */
	if (n == -1)
		return errno == ENOSYS ? -1 : 0;
	sig.mtext[n] = '\0';
	if (sig.mtype != SIGN_TYPE || sscanf(sig.mtext, SIGN_FORMAT, &p,
	    start) != 2)
		return 0;
	*pid = (pid_t)p;
	return 1;
}

/*
 * When process pid started, in clock ticks after boot: field 22 of
 * /proc/PID/stat (proc(5)), after the name in parentheses, which may hold
 * blanks.  The kernel ties it to the process: a PID used again is a
 * process with another start time.  0 when there is no such process.
 */
unsigned long long
start_time(pid_t pid)
{
	char path[32], buf[1024], *p;
	unsigned long long start = 0;
	size_t n;
	FILE *f;
	int field;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');		/* the end of field 2 */
	for (field = 3; p != NULL && field <= 22; field++)
		p = strchr(p + 1, ' ');	/* the blank before the field */
	if (p == NULL || sscanf(p + 1, "%llu", &start) != 1)
		return 0;
	return start;
}

/*
 * Is pid, which the queue recorded at time `when` (msg_lspid at msg_stime,
 * msg_lrpid at msg_rtime), still that process?  Not if no process has that
 * PID; nor if the process that has it started after `when`: once a process
 * is gone its PID is given to new ones.  Its start is the boot time
 * (btime in /proc/stat) plus its start_time() in ticks; whole seconds on
 * both sides, so within 2 s we cannot tell, and say yes.  0 is no PID.
 */
int
ran_since(pid_t pid, time_t when)
{
	unsigned long long ticks = start_time(pid), boot = 0;
	long hz = sysconf(_SC_CLK_TCK);
	char line[256];
	FILE *f;

	if (pid <= 0 || (kill(pid, 0) == -1 && errno == ESRCH))
		return 0;
	f = fopen("/proc/stat", "r");
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "btime %llu", &boot) == 1)
			break;
	if (f != NULL)
		fclose(f);
	if (ticks == 0 || boot == 0 || hz <= 0)
		return 1;	/* cannot tell: it may be the one */
	return boot + ticks / (unsigned long long)hz <=
	    (unsigned long long)when + 2;
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
