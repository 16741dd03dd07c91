#!/bin/sh
# tests/run.sh - run every test script (tests/*.sh but this one, lib.sh and
# the lib-*.sh that scripts share), each under a time limit, show its TAP
# lines, and end with the one line CI reads: "N passed, N failed".  Exit
# status 1 if anything failed.
#
#   tests/run.sh                  all scripts
#   tests/run.sh tests/msgq.sh    just these
#   TEST_JOBS=1 tests/run.sh      one script at a time (default: 3 at once)
#   TEST_LIMIT=600 tests/run.sh   each script's time limit in seconds
#                                 (default 120; times TEST_SLOW)
#
# Scripts run TEST_JOBS at a time (each has its own keys and temp dir, so
# they cannot disturb each other); the slowest start first, longest first,
# so that the lanes end close together.  Each script's output is kept and
# shown whole as soon as the script ends, so results come in the order the
# scripts finish, never two scripts' lines mixed.
cd "$(dirname "$0")/.." || exit 1
if [ $# -eq 0 ]; then
	slow='tests/demo.sh tests/msgq.sh tests/outsider-perf.sh tests/shm.sh
	    tests/shm-hostile.sh tests/shm-outsider.sh tests/msgq-cut.sh
	    tests/shm-killed.sh tests/faults-random.sh tests/counter.sh
	    tests/load.sh tests/faults.sh tests/demo-parts.sh
	    tests/counter-broken.sh tests/sem.sh tests/first.sh
	    tests/msgq-outsider.sh tests/keys.sh tests/args.sh'
	for t in $slow tests/*.sh; do
		case " $* " in *" $t "*) continue ;; esac
		[ -f "$t" ] && set -- "$@" "$t"
	done
fi
# A script that needs the CPUs to itself (a race shown to happen: its
# processes must run at once) runs alone, after the lanes: moved last.
alone='tests/counter-lost.sh'
later=
for t; do
	case " $alone " in
	*" $t "*) later="$later $t" ;;
	*) set -- "$@" "$t" ;;
	esac
	shift
done
for t in $later; do
	set -- "$@" "$t"
done
# Most of a script's time is spent waiting (for a peer to block, for a
# death to be seen a second later), not on a CPU: three lanes keep two
# CPUs busy (four were hardly faster, and left less room for the checks
# that time a peer).
jobs=${TEST_JOBS:-3}
q=$(mktemp -d "${TMPDIR:-/tmp}/ipc-demos-run.XXXXXX") || exit 1
trap 'rm -rf "$q"' EXIT
# Stopped (Ctrl-C, or the TERM of a time limit such as timeout's), we stop
# what runs - the lanes, and in each lane its script - and wait for it: a
# script stopped so stops its peers and removes its objects by key (lib.sh)
# before we exit.  timeout puts each script in a process group of its own,
# which a signal to ours does not reach: a script left running cleaned up
# only when it ended, long after make test had gone.
running=
stop() {
	for p in $running; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $running; do
		wait "$p" 2>/dev/null
	done
	exit "$1"
}
trap 'stop 130' INT
trap 'stop 143' TERM
echo 0 >"$q/next"
i=0
lanes_end=0
for t in "$@"; do
	i=$((i + 1))
	echo "$t" >"$q/script.$i"
	case " $alone " in *" $t "*) ;; *) lanes_end=$i ;; esac
done
total=$i

# mkdir is atomic: the one lock, for the queue and for the screen.
lock() {
	while ! mkdir "$q/lock" 2>/dev/null; do
		sleep 0.01
	done
}
unlock() {
	rmdir "$q/lock"
}

# Take the number of the next script to run, or fail when none is left
# below $last.
take() {
	lock
	n=$(($(cat "$q/next") + 1))
	echo "$n" >"$q/next"
	unlock
	[ "$n" -le "$last" ] && echo "$n"
}

# Show script $1's output whole, judge it, and keep its counts for the end;
# $3 is how long it took, in seconds.
report() {
	t=$(cat "$q/script.$1")
	status=$2
	p=$(grep -c '^ok ' "$q/out.$1")
	f=$(grep -c '^not ok ' "$q/out.$1")
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$q/out.$1")
	lock
	echo "# $t ($3 s)"
	cat "$q/out.$1"
	# A script that died, timed out or lost count is a failure too.
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ] ||
		[ "$plan" != "$((p + f))" ]; then
		echo "not ok - $t ended badly (exit $status, plan '$plan')"
		f=$((f + 1))
	fi
	unlock
	echo "$p $f" >"$q/count.$1"
}

# One lane: run scripts until none is left.  The script runs in the
# background, so that a signal to the lane (stop) reaches it at once.
lane() {
	trap 'stop 130' INT
	trap 'stop 143' TERM
	while n=$(take); do
		t=$(cat "$q/script.$n")
		case "$t" in */lib.sh | */lib-*.sh | */run.sh) continue ;; esac
		t0=$(date +%s)
		timeout -k 5 $((${TEST_LIMIT:-120} * ${TEST_SLOW:-1})) sh "$t" \
			>"$q/out.$n" 2>&1 &
		running=$!
		wait "$running"
		status=$?
		running=
		report "$n" "$status" $(($(date +%s) - t0))
	done
}

last=$lanes_end
l=0
while [ $l -lt "$jobs" ]; do
	l=$((l + 1))
	lane &
	running="$running $!"
done
wait
# Then the scripts that run alone, one after the other.
echo "$lanes_end" >"$q/next"
last=$total
lane

passed=0
failed=0
for c in "$q"/count.*; do
	[ -f "$c" ] || continue
	read -r p f <"$c"
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
