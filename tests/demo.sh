#!/bin/sh
# tests/demo.sh - "make demo", as CI runs it (DEMO_PAUSE=0): every scene
# succeeds and nothing it made is left; interrupted, it still cleans up.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# The keys a run of the tour announced ("export IPC_DEMO_KEY=0x...").
demo_keys() {
	sed -n 's/.*export IPC_DEMO_KEY=\(0x[0-9a-f]*\).*/\1/p' "$1" | sort -u
}
# None of them is in /proc/sysvipc any more, nor the keys each program
# derives from them (proj 'm', 's', 'h', 'c' in the top byte).
keys_gone() {
	for k in $(demo_keys "$1"); do
		for p in 0 0x6d 0x73 0x68 0x63; do
			d=$(( p ? (p << 24) | (k & 0xffffff) : k ))
			if key_in_use "$d"; then
				diag "key $(printf '0x%08x' "$d") is still there"
				return 1
			fi
		done
	done
}
# The number of the first line matching $2 in file $1 (0: none).
line_of() {
	grep -nE -m 1 -- "$2" "$1" | cut -d: -f1 | grep . || echo 0
}
# Line numbers in that order: each pattern's first line after the last.
in_order() {
	f=$1
	shift
	last=0
	for re in "$@"; do
		n=$(awk -v re="$re" -v after="$last" \
			'NR > after && $0 ~ re { print NR; exit }' "$f")
		if [ -z "$n" ]; then
			diag "not in order: '$re' after line $last"
			return 1
		fi
		last=$n
	done
}
# Every line fits a projector: 80 columns at most.
narrow() {
	awk 'length > 80 { print "too wide: " $0; bad = 1 } END { exit bad }' "$1" |
		while read -r l; do diag "$l"; done
	awk 'length > 80 { bad = 1 } END { exit bad }' "$1"
}

t_full_tour() {
	NO_COLOR=1 DEMO_PAUSE=0 timeout $((120 * SLOW)) make -s demo >"$T/out" 2>&1 || {
		diag "$(tail -n 5 "$T/out")"
		return 1
	}
	[ "$(grep -c '^=== ' "$T/out")" = 9 ] &&
		[ "$(demo_keys "$T/out" | wc -l)" = 9 ] && keys_gone "$T/out" &&
		head -n 1 "$T/out" | grep -q '^demo: A tour' &&
		grep -q '^msgq/receiver> hello$' "$T/out" &&
		grep -q '^client A> ALPHA$' "$T/out" &&
		grep -q '^client B> BRAVO$' "$T/out" &&
		grep -q '^client A> ALPHA$' "$T/out" &&
		{ [ "$SLOW" -gt 1 ] || # under valgrind it may come too late to wait
			grep -q '^customer 3: sem/wait: value 0: none free' "$T/out"; } &&
		grep -q '^shm/counter> got 200000$' "$T/out" &&
		! grep -q "$(printf '\033')" "$T/out" && narrow "$T/out"
}

# Piped, the lines still come in the order things happened: what caused a
# line comes before it, and the tour acts only on what was printed.
t_in_order() {
	f=$T/out
	# Under valgrind (TEST_SLOW) each program takes seconds to start, and
	# the restaurant's customers, who hold their seats for a few seconds
	# of the clock, no longer overlap: the order is checked in plain runs.
	if [ "$SLOW" -gt 1 ]; then
		echo "under valgrind: the scenes run on a clock" >"$T/skip"
		return 0
	fi
	in_order "$f" '^sem/wait: value 0: none free' '^\$ sem/post$' \
		'^sem/post: key' '^sem/post: semop V' &&
		in_order "$f" '^customer 1> enter 0\.' '^customer 2> enter 0\.' \
			'^customer 3: sem/wait: value 0' '^customer 1> leave 3\.' \
			'^customer 3: sem/wait: semop P' '^customer 3> enter 3\.' \
			'^customer 3> leave 6\.' &&
		in_order "$f" 'a crash in the seat' '^customer: sem/wait: holding' \
			'^kernel: value +0$' '^\$ kill -9' '^kernel: value +1$' \
			'^customer: sem/wait: holding' '^kernel: value +0$' \
			'^\$ kill -9' '^kernel: value +0$' &&
		in_order "$f" '^msgq/receiver: waiting' '^\$ msgq/sender ' \
			'^msgq/sender: key' '^one ' '^msgq/receiver> one' '^two ' '^msgq/receiver> two' \
			'^\^D' '^msgq/sender: msgsnd: end of stream' &&
		in_order "$f" '^shm/reader: semget: created' '^\$ shm/writer' \
			'^shm/writer: semget: joined' '^shm/writer: shmget: created' \
			'^shm/reader: shmat' '^shm/reader: removed'
}

t_one_scene() {
	NO_COLOR=1 DEMO_PAUSE=0 SCENE=msgq timeout $((60 * SLOW)) make -s demo >"$T/out" 2>&1 &&
		[ "$(grep -c '^=== Message queues' "$T/out")" = 4 ] &&
		! grep -q '^=== Sema' "$T/out" && keys_gone "$T/out" &&
		! SCENE=bogus make -s demo >/dev/null 2>"$T/err" &&
		grep -q 'SCENE must be msgq, sem or shm' "$T/err"
}

# shellcheck disable=SC2016 # perl's $ARGV, not the shell's
# Ctrl-C in the middle of the restaurant, as a terminal sends it: to the
# whole process group (setsid gives the tour one of its own).  The tour
# stops at once - it does not go on to the next scene - and cleans up.
t_interrupted() {
	start /dev/null "$T/out" "$T/err" env NO_COLOR=1 DEMO_PAUSE=0 \
		SCENE=sem setsid tests/demo
	d=$!
	wait_for grep -q 'waits at the door' "$T/out" ||
		{ diag "no 'waits at the door'" "$(tail -n 5 "$T/out")"; return 1; }
	g=$(child_of "$d")
	[ -n "$g" ] || { diag "no demo process under $d"; return 1; }
	perl -e 'kill "INT", -$ARGV[0] or die "kill: $!"' "$g" || return 1
	echo "# sent SIGINT to group $g at $(date +%T.%N)" >"$T/when"
	if ! exits_with "$d" 130 ||
		! grep -q 'demo: interrupted; cleaning up' "$T/out" ||
		grep -q 'a crash in the seat' "$T/out" || ! keys_gone "$T/out"; then
		diag "$(cat "$T/when")" "$(grep -n 'door\|interrupted\|crash' "$T/out")" \
			"$(tail -n 4 "$T/out")" "$(tail -n 8 "$T/err")"
		return 1
	fi
}

# make bench, small: every row runs, checks its output, and is reported;
# every comparison is taken round by round; a ring geometry of our own.
t_bench_smoke() {
	BENCH_MB=16 BENCH_ROUNDS=1 BENCH_RINGS=2x2M timeout $((120 * SLOW)) \
		make -s bench >"$T/out" 2>&1 || {
		diag "$(tail -n 5 "$T/out")"
		return 1
	}
	[ "$(grep -c ' MB/s ' "$T/out")" = 8 ] &&
		[ "$(grep -c 'round trips/s' "$T/out")" = 2 ] &&
		grep -q '^dd if=f bs=1M' "$T/out" &&
		grep -q '^shm/writer -s 2 -z 2097152 | reader ' "$T/out" &&
		[ "$(grep -cE ' [0-9.]+x  [0-9.]+ - [0-9.]+$' "$T/out")" = 7 ] &&
		! grep -q 'MISSED\|target' "$T/out" && narrow "$T/out" &&
		[ "$(demo_keys "$T/out" | wc -l)" = 1 ] && keys_gone "$T/out" &&
		! BENCH_RINGS=2by2 make -s bench >/dev/null 2>"$T/err" &&
		grep -q "BENCH_RINGS: '2by2' is not SLOTSxBYTES" "$T/err"
}

check "make demo: every scene, nothing left, 80 columns" t_full_tour
check "make demo, piped: lines in the order things happened" t_in_order
check "make demo SCENE=msgq: one part; a bad SCENE is refused" t_one_scene
check "make demo interrupted: 130, nothing left" t_interrupted
check "make bench (16 MiB, one round, 2x2M too): every row" t_bench_smoke
done_testing
