/*
 * key.c - the IPC key, one per kind of object: from -k, from
 * $IPC_DEMO_KEY, or made by ftok(3) from this checkout's directory
 * (use_key, choose_key); and "ctl key", which shows how it was made
 * (explain_key).  The key also says what the object is and which ctl
 * program reaches it, for the hints and the watch (key_noun, key_ctl).
 *
 * Man pages: ftok(3), svipc(7), stat(2), readlink(2).
 */
#include <sys/ipc.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcdemo.h"

key_t ipc_key = IPC_PRIVATE;
static int key_proj;		/* the proj id of ipc_key; 0: none chosen */
static const char *key_given;	/* the -k text it came from, or NULL */
static const char *key_arg;	/* -k KEY, until use_key() parses it */
static long long key_base;	/* $IPC_DEMO_KEY, as choose_key() read it */

static int checkout_dir(char *dir, size_t size);
static int ftok_parts(int proj);

/* -k KEY, from parse_options(): kept as typed, for use_key() to parse. */
void
key_option(const char *arg)
{
	key_arg = arg;
}

/*
 * The key (choose_key); bad: usage.  Returned for main() to hold and pass
 * on, and kept in ipc_key for the narration and the hints.
 */
key_t
use_key(int proj)
{
	if (choose_key(key_arg, proj) == -1)
		show_usage(stderr);
	return ipc_key;
}

/*
 * The key for a first/ page, which reads its own options: `name` is the
 * page ("sem/first/wait", the start of any line we print), `arg` -k's text
 * or NULL.  The key use_key() gives the full programs (the page meets them),
 * made quietly.  A bad -k or IPC_DEMO_KEY: says why, returns -1 (usage).
 */
int
first_key(const char *name, const char *arg, int proj, key_t *key)
{
	prog = name;
	quiet = 1;
	if (choose_key(arg, proj) == -1)
		return -1;
	*key = ipc_key;
	return 0;
}

/*
 * The key, one per kind of object (proj):
 *   -k KEY		exactly KEY.
 *   $IPC_DEMO_KEY	its low 24 bits, proj in the top byte, as ftok does:
 *			0x00c0ffee gives the queue 0x6dc0ffee, ...  The key
 *			line shows it in hex, and the 24 bits kept of more.
 *   neither		ftok() of this checkout's top directory (below).
 * Returns -1, after saying why, for a bad -k or IPC_DEMO_KEY (usage).
 */
int
choose_key(const char *arg, int proj)
{
	const char *env = getenv("IPC_DEMO_KEY");
	char dir[4096], hex[48];
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
		if (parse_num("IPC_DEMO_KEY", env, 1, 0xffffffffLL,
		    &key_base) == -1)
			return -1;
		k = key_base & 0xffffff;
		ipc_key = (key_t)(((unsigned int)proj << 24) | k);
		snprintf(hex, sizeof hex, key_base > k ? " cut to its low 24 "
		    "bits, 0x%06llx," : " (0x%06llx)", k);
		note("key 0x%08x (IPC_DEMO_KEY %s%s with '%c' in the top "
		    "byte)", (unsigned int)ipc_key, env, key_base > k ||
		    (env[1] != 'x' && env[1] != 'X') ? hex : "", proj);
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
 * place in TOP/msgq/, ...; a first/ page three).  Its inode outlives edits
 * and checkouts, so the key does not move; two checkouts get two keys.
 */
static int
checkout_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 1);
	char *slash;
	int up, levels = 2;

	if (n <= 0 || (size_t)n >= size - 1)
		return -1;
	dir[n] = '\0';
	for (up = 0; up < levels; up++) {
		slash = strrchr(dir, '/');
		if (slash == NULL)
			return -1;
		*slash = '\0';
		levels += up == 1 && strcmp(slash + 1, "first") == 0;
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

	printf("key        0x%08x\n", key);
	if (key_arg != NULL) {
		printf("from       -k %s: exactly this key\n", key_arg);
		printf("parts      0x%08x = 0x%08x\n", key, key);
	} else if (env != NULL && *env != '\0') {
		printf("from       $IPC_DEMO_KEY %s, proj id '%c'\n", env,
		    proj);
		printf("proj id    0x%02x ('%c') in bits 24-31: 0x%08x\n",
		    proj, proj, p);
		printf("base       0x%08llx: its low 24 bits in bits 0-23: "
		    "0x%08llx\n", key_base, key_base & 0xffffff);
		printf("parts      0x%08x | 0x%08llx = 0x%08x\n", p,
		    key_base & 0xffffff, key);
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
	return key_proj == 0 ? "object" : key_proj == PROJ_MSGQ ||
	    key_proj == PROJ_SERVER ? "queue" : key_proj == PROJ_SEM ||
	    key_proj == PROJ_PHIL ? "semaphore set" : "segment";
}

/*
 * The ctl program that reaches our object, into ctl: "msgq/ctl", or
 * "sem/ctl -k 0x70c0ffee" when its own default key would be another (we
 * were given -k, or we are the counter, the dinner or msgq/server).
 */
void
key_ctl(char *ctl, size_t size)
{
	const char *name = key_proj == 0 ? "the ctl program" : key_proj ==
	    PROJ_MSGQ || key_proj == PROJ_SERVER ? "msgq/ctl" : key_proj ==
	    PROJ_SEM || key_proj == PROJ_PHIL ? "sem/ctl" : "shm/ctl";
	int keyed = key_given != NULL || key_proj == PROJ_PHIL ||
	    key_proj == PROJ_COUNTER || key_proj == PROJ_SERVER;

	if (keyed)
		snprintf(ctl, size, "%s -k 0x%08x", name,
		    (unsigned int)ipc_key);
	else
		snprintf(ctl, size, "%s", name);
}
