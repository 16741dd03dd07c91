# shellcheck shell=sh
# tests/lib.sh - sourced by every tests/*.sh.  POSIX sh.
#
# Gives each test script:
#   $T              a private temp dir, removed at exit
#   new_key         a key of its own (printed as 0x%08x), free when chosen,
#                   so two runs of the suite never share an object
#   start IN OUT ERR CMD...  a background peer, always under timeout, with
#                   its PID recorded
#   child_of PID    the program that timeout PID runs
#   wait_for ...    poll a command (never a fixed sleep), at most 10 s;
#                   give it a function, so that each try looks afresh
#   check NAME FN   run test function FN and print TAP "ok N - NAME"
#                   (TEST_TIMES=1: and how long it took, in a comment)
# and on exit kills only the PIDs it started and removes only the IPC
# objects with its own keys (never ipcrm -a, which removes everyone's).

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/ipc-demos.XXXXXX") || exit 1
: >"$T/keys"
: >"$T/pids"
# Every process this script starts carries its mark, $T, in its
# environment: cleanup finds by it a peer that no list holds (ours).
IPC_TEST_MARK=$T
export IPC_TEST_MARK
# The clock when this script began: an object made since, with a key
# derived from one of ours, is ours too (see derived_left).
since=$(($(date +%s) - 1))
tests_run=0
tests_failed=0
# Under valgrind (make check-valgrind) every program starts and runs many
# times slower: TEST_SLOW multiplies every time limit of the tests.
SLOW=${TEST_SLOW:-1}
PEER_TIMEOUT=${PEER_TIMEOUT:-$((20 * SLOW))}

# Tests run the programs as a student does, from the top of the checkout,
# and give every key explicitly.
cd "$top" || exit 1
unset IPC_DEMO_KEY
LC_ALL=C
export LC_ALL

cleanup() {
	status=$?
	# Nothing may cut this short: not a second Ctrl-C, nor a second TERM
	# (timeout passes one on to its whole process group as well).
	trap '' INT TERM HUP
	while read -r p; do
		kill -TERM "$p" 2>/dev/null
	done <"$T/pids"
	# Let them go before their keys are removed, or one could make its
	# object again after; each is under timeout, so this wait is short.
	while read -r p; do
		wait "$p" 2>/dev/null
	done <"$T/pids"
	# A check's foreground peer (timeout N CMD) is on no list: cut short
	# by a TERM, the check's subshell dies at once and leaves it running,
	# in a process group of its own (timeout's), which that TERM did not
	# reach; it went on until its object was removed, or its time was up
	# (tests/run-stopped.sh saw it).  Find each by our mark and stop it.
	ours >"$T/ours"
	while read -r p; do
		kill -TERM "$p" 2>/dev/null
	done <"$T/ours"
	cat "$T/ours" >>"$T/pids"
	# wait cannot wait for a peer that a check started in its subshell
	# (cut short by a TERM, that subshell is gone): look until each is
	# gone, 5 s at most (times TEST_SLOW: under valgrind a program takes
	# a while to go, and make test cut short left one running).
	n=$((50 * SLOW))
	while [ "$n" -gt 0 ] && any_alive <"$T/pids"; do
		n=$((n - 1))
		sleep 0.1
	done
	keys_left | while read -r opt k; do
		ipcrm "$opt" "$k" 2>/dev/null
	done
	derived_left | while read -r opt id; do
		ipcrm "$opt" "$id" 2>/dev/null
	done
	rm -rf "$T"
	exit "$status"
}
trap cleanup EXIT
# The PIDs of the timeout processes still running (not zombies) that
# carry our mark (IPC_TEST_MARK, above) in their environment: the peers
# this script started, wherever they are now.
# shellcheck disable=SC2016 # perl's variables, not the shell's
ours() {
	perl -e 'my $mark = "IPC_TEST_MARK=$ARGV[0]";
		local $/ = "\0";
		for my $d (glob "/proc/[0-9]*") {
			open(my $s, "<", "$d/stat") or next;
			my $st = <$s> // next;
			next unless $st =~ /^\d+ \(timeout\) [^Z]/;
			open(my $e, "<", "$d/environ") or next;
			while (my $v = <$e>) {
				chomp $v;
				if ($v eq $mark) { print substr($d, 6), "\n"; last }
			}
		}' "$T"
}
# Is any of the PIDs on standard input still there?
any_alive() {
	while read -r p; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}
trap "trap '' INT TERM HUP; exit 130" INT
trap "trap '' INT TERM HUP; exit 143" TERM

# Is a key in use by any queue, semaphore set or segment on the machine -
# or its low 24 bits, as the keys derived from it under IPC_DEMO_KEY or
# DEMO_KEY (see derived_left) have them?
key_in_use() {
	cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm 2>/dev/null |
		awk -v k="$1" 'NR > 1 && ($1 == k || ($1 - k) % 16777216 == 0) {
			found = 1
		} END { exit !found }'
}

# keys_left: "-Q KEY", "-S KEY" or "-M KEY" for each object that has one
# of our keys: one awk a kind, where an ipcrm for each key and kind cost
# dozens of forks at every script's end (a clean script leaves nothing).
keys_left() {
	for f in "msg -Q" "sem -S" "shm -M"; do
		# shellcheck disable=SC2086 # two words
		set -- $f
		awk -v keys="$T/keys" -v opt="$2" '
			BEGIN {
				while ((getline k < keys) > 0)
					mine[sprintf("%d", k)] = 1
			}
			NR > 1 {
				k = $1 + 0
				if (k < 0)
					k += 4294967296
				k = sprintf("%d", k)
				if (k in mine)
					print opt, k
			}' "/proc/sysvipc/$1"
	done
}

# derived_left: "-q ID", "-s ID" or "-m ID" for each object whose key is
# one of ours with another proj in its top byte, as a program makes it
# under IPC_DEMO_KEY or DEMO_KEY (0x40c0ffee gives the set 0x73c0ffee),
# made since this script began: what a test that failed half way left.
# Such a key is ours (its low 24 bits hold our PID), but only an object
# made since is surely ours, not one that had the key before we did.
derived_left() {
	# The file, its column of ctime (last change: made, or set), the option.
	for f in "msg 14 -q" "sem 10 -s" "shm 14 -m"; do
		# shellcheck disable=SC2086 # three words
		set -- $f
		awk -v keys="$T/keys" -v col="$2" -v opt="$3" -v since="$since" '
			BEGIN {
				while ((getline k < keys) > 0)
					low[sprintf("%d", k) % 16777216] = 1
				n = split("109 115 104 99 112 114", proj, " ")
			}
			NR > 1 && $col >= since && ($1 % 16777216) in low {
				for (i = 1; i <= n; i++)
					if (int($1 / 16777216) == proj[i])
						print opt, $2
			}' "/proc/sysvipc/$1"
	done
}

# A key made from our PID and a counter, skipping any that is taken.
# Keys stay below 0x80000000 so /proc/sysvipc shows them as they are.
new_key() {
	i=$(wc -l <"$T/keys")
	while :; do
		i=$((i + 1))
		k=$((0x40000000 + ($$ % 65536) * 256 + i % 256))
		key_in_use "$k" || break
	done
	echo "$k" >>"$T/keys"
	printf '0x%08x\n' "$k"
}

# Hex key to the decimal that /proc/sysvipc/* shows.
key_dec() {
	printf '%d\n' "$1"
}

# Field F of the line for key K in /proc/sysvipc/FILE (msg, sem or shm).
# ($((K)) is key_dec without its fork: a poll runs these many times.)
ipc_field() {
	awk -v k="$(($2))" -v f="$3" '$1 == k { print $f }' \
		"/proc/sysvipc/$1"
}

# Has /proc/sysvipc/FILE a line for key K?  (One fork: awk says it.)
ipc_has() {
	awk -v k="$(($2))" '$1 == k { found = 1; exit } END { exit !found }' \
		"/proc/sysvipc/$1"
}

# Does a queue with key K exist?  How many messages does it hold?
has_queue() {
	ipc_has msg "$1"
}
queue_messages() {
	ipc_field msg "$1" 5
}
messages_are() {
	[ "$(queue_messages "$1")" = "$2" ]
}

# sem_get KEY N GETVAL|GETNCNT|GETZCNT|GETPID: what the kernel says of
# semaphore N of the set with key KEY, asked with perl's semctl (fast, and
# not one of the programs under test).
# shellcheck disable=SC2016 # perl's variables, not the shell's
sem_get() {
	perl -e 'use IPC::SysV qw(GETVAL GETNCNT GETZCNT GETPID);
		my $id = semget(hex($ARGV[0]), 0, 0) // exit 1;
		my $v = semctl($id, $ARGV[1], IPC::SysV->can($ARGV[2])->(), 0)
			// exit 1;
		print $v + 0, "\n"' "$1" "$2" "$3"
}

# sem_op KEY N OP: OP (1 a V, -1 a P) on semaphore N of the set with key
# KEY, by a stranger (perl, no SEM_UNDO); prints the stranger's PID.
# shellcheck disable=SC2016 # perl's variables, not the shell's
sem_op() {
	perl -e 'my $id = semget(hex($ARGV[0]), 0, 0) // die "$!";
		semop($id, pack("s!3", $ARGV[1], $ARGV[2], 0)) or die "$!";
		print "$$\n"' "$1" "$2" "$3"
}

# Does a semaphore set, a segment, anything at all have key K?
has_set() {
	ipc_has sem "$1"
}
has_segment() {
	ipc_has shm "$1"
}
# (One awk for the three files: scripts ask this after every step.)
nothing_with() {
	! awk -v k="$(($1))" '$1 == k { found = 1; exit } END { exit !found }' \
		/proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm
}

# start IN OUT ERR CMD...: CMD in the background under timeout, reading
# IN (a background job would read /dev/null otherwise).  $! is the timeout
# process; the signals sent to it, SIGINT included, are passed on to CMD.
# OUT and ERR, if plain files, are emptied here and now: the background
# job opens them when it gets to it, and a test waiting for CMD's output
# must not find an earlier test's there first (then signal a CMD not yet
# started: a background job ignores SIGINT until timeout catches it).
start() {
	in=$1 out=$2 err=$3
	shift 3
	for f in "$out" "$err"; do
		if [ -f "$f" ]; then : >"$f"; fi
	done
	timeout -k 2 "$PEER_TIMEOUT" "$@" <"$in" >"$out" 2>"$err" &
	echo $! >>"$T/pids"
}

# The PID of the program that timeout process $1 runs.
child_of() {
	child_pid "$1"
	echo "$c"
}

# Set c to the PID of the program that timeout process $1 runs (empty if
# none): child_of without a fork, for the checks a poll repeats.
child_pid() {
	c=
	{ read -r c <"/proc/$1/task/$1/children"; } 2>/dev/null
	c=${c% }
}

# Ctrl-C for the programs that timeout processes $1... run, sent to each
# program as a terminal sends it, not through timeout: timeout follows a
# signal it passes on with SIGCONT to its whole process group, and under
# ASan that SIGCONT, landing in the leak check at exit, cancels the stop
# the check's ptrace waits for - the program then hangs there.  A program
# that has ended already is no error: the exit status, checked next, tells.
interrupt() {
	for t; do
		c=$(child_of "$t")
		kill -INT "${c:-$t}" 2>/dev/null || kill -INT "$t" 2>/dev/null
	done
	return 0
}

# Poll CMD... until it succeeds; fail after 10 s (x SLOW) by the clock,
# however long each try takes.  A try costs forks (the check's, and the
# sleep's: a few ms of CPU each here), so the naps are not shorter than
# 20 ms and grow as a wait drags on: every 20 ms for the first tenth of a
# second (most waits end there), then 50 ms, and 100 ms after a second.
# The clock is the kernel's uptime, read with no fork.
wait_for() {
	uptime_now
	deadline=$((now + 10 * SLOW))
	tries=0
	while ! "$@"; do
		uptime_now
		[ "$now" -lt "$deadline" ] || return 1
		tries=$((tries + 1))
		if [ "$tries" -le 5 ]; then
			sleep 0.02
		elif [ "$tries" -le 23 ]; then
			sleep 0.05
		else
			sleep 0.1
		fi
	done
}

# Set now to the seconds since boot (whole), from /proc/uptime: a clock
# that never goes back, read by the shell itself.
uptime_now() {
	read -r now _ </proc/uptime
	now=${now%%.*}
}

# Is timeout process $1's program asleep in kernel function $2?
# (Read by the shell: no fork.  wchan has no newline, so read fails but
# still sets the word.)
blocked_in() {
	child_pid "$1"
	[ -n "$c" ] || return 1
	wchan=
	{ read -r wchan <"/proc/$c/wchan"; } 2>/dev/null
	case $wchan in *"$2"*) return 0 ;; esac
	return 1
}

# Has process $1 exited?
gone() {
	! kill -0 "$1" 2>/dev/null
}

# Wait for background PID $1 and succeed if it exited with status $2.
# (The shell's own "Killed" notice for a timeout killed by -9 is dropped.)
exits_with() {
	{ wait "$1"; } 2>/dev/null
	got=$?
	[ "$got" -eq "$2" ] && return 0
	echo "# expected exit $2, got $got" >&2
	return 1
}

# exits N CMD...: run CMD in the foreground and succeed if it exited with
# status N.  Unlike "CMD; [ $? -eq N ] && ..." on the next line, a failure
# earlier in the same && chain cannot slip past it.
exits() {
	want=$1
	shift
	"$@"
	got=$?
	[ "$got" -eq "$want" ] && return 0
	echo "# $1: expected exit $want, got $got" >&2
	return 1
}

# Run a command as another user (root passes every IPC permission check).
as_other() {
	setpriv --reuid=4242 --regid=4242 --clear-groups "$@"
}

# no_strace: true (and a TAP SKIP reason in $T/skip) when strace is
# missing or may not trace here; a check that needs it returns at once.
no_strace() {
	command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null &&
		return 1
	echo "no strace, or ptrace not allowed" >"$T/skip"
}

# help_ok PROG...: -h prints the usage on stdout, nothing on stderr, exit 0.
help_ok() {
	for p in "$@"; do
		if ! "$p" -h >"$T/out" 2>"$T/err" ||
			! grep -q "^usage: $p " "$T/out" || [ -s "$T/err" ]; then
			diag "$p -h"
			return 1
		fi
	done
}

# Say why a check failed, as a TAP comment.
diag() {
	printf '# %s\n' "$@" >&2
}

# check NAME FN: run FN in a subshell (its cd and variables stay there).
# FN may create $T/skip to say the machine cannot run it (TAP SKIP).
check() {
	tests_run=$((tests_run + 1))
	rm -f "$T/skip"
	[ -z "${TEST_TIMES:-}" ] || t0=$(date +%s%N)
	if (set -u; "$2"); then
		if [ -f "$T/skip" ]; then
			echo "ok $tests_run - $1 # SKIP $(cat "$T/skip")"
		else
			echo "ok $tests_run - $1"
		fi
	else
		echo "not ok $tests_run - $1"
		tests_failed=$((tests_failed + 1))
	fi
	# TEST_TIMES=1: how long each check took (to find the slow ones).
	[ -z "${TEST_TIMES:-}" ] ||
		echo "# $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

# Print the plan and leave with the right status.
done_testing() {
	echo "1..$tests_run"
	[ "$tests_failed" -eq 0 ]
}
