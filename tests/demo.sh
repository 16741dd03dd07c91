#!/bin/sh
# tests/demo.sh - "make demo", as CI runs it (DEMO_PAUSE=0): every scene
# succeeds on the one key it was given, and nothing it made is left, while
# "make demo-watch" shows its objects from the first scene to the last;
# lines come in the order things happened, whatever the load; a small
# "make bench".  (A part, the brief mode, the labeller alone, step mode, the
# key taken, Ctrl-C: demo-parts.sh, split off to run beside this one.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-demo.sh
. "$(dirname "$0")/lib-demo.sh"

# before FILE AFTER CAUSE EFFECT: after the first line matching AFTER, the
# first line matching CAUSE comes before the first matching EFFECT (both
# there): the lines of a cause and its effect, as each program printed.
before() {
	awk -v a="$2" -v c="$3" -v e="$4" '
		!seen && $0 ~ a { seen = NR; next }
		seen && !nc && $0 ~ c { nc = NR }
		seen && !ne && $0 ~ e { ne = NR }
		END { exit !(seen && nc && ne && nc < ne) }' "$1" && return 0
	diag "after '$2': '$3' is not before '$4'"
	return 1
}

# The whole tour on a key of the test's, and "make demo-watch" on that key
# from before it starts until after it ends (its lines in $T/pane, its
# exit status after Ctrl-C in $T/pane.status; t_watch reads them).
t_full_tour() {
	k=$(new_key)
	PEER_TIMEOUT=$((120 * SLOW)) start /dev/null "$T/pane" "$T/pane.err" \
		env NO_COLOR=1 DEMO_KEY="$k" tests/demo watch
	w=$!
	wait_for grep -q 'Ctrl-C stops' "$T/pane" || return 1
	NO_COLOR=1 DEMO_PAUSE=0 DEMO_KEY=$k timeout $((120 * SLOW)) \
		make -s demo >"$T/out" 2>&1 || {
		diag "$(tail -n 5 "$T/out")"
		return 1
	}
	# The pane sees the counter go, the tour's last object; Ctrl-C ends it.
	wait_for grep -q 'counter  *removed$' "$T/pane"
	interrupt "$w"
	exits_with "$w" 130
	echo $? >"$T/pane.status"
	[ "$(grep -c '^=== ' "$T/out")" = 9 ] &&
		[ "$(demo_keys "$T/out")" = "$k" ] && keys_gone "$T/out" &&
		grep -q "^demo: Every scene uses one key, DEMO_KEY $k\." "$T/out" &&
		grep -q "make demo-watch DEMO_KEY=$k" "$T/out" &&
		head -n 1 "$T/out" | grep -q '^demo: A tour' &&
		grep -q '^msgq/receiver> hello$' "$T/out" &&
		grep -q '^client A> ALPHA$' "$T/out" &&
		grep -q '^client B> BRAVO$' "$T/out" &&
		grep -q '^customer 3: sem/wait: value 0: none free' "$T/out" &&
		grep -q '^shm/counter> got 200000$' "$T/out" &&
		grep -Eq '^msgq/sender: up to [0-9]+ bytes' "$T/out" &&
		! grep -q 'warning\|out of order' "$T/out" &&
		! grep -q "$(printf '\033')" "$T/out" && narrow "$T/out" &&
		aligned "$T/out"
}

# In each "kernel:" table, the owners stand under "owner", whatever the
# ids' width (an 8-digit id pushed its row out of line).
aligned() {
	awk 'function at(s, n,   i, p) {	# where word n of s starts
		p = 0
		for (i = 1; i <= n; i++) {
			match(substr(s, p + 1), /[^ ]+/)
			p += RSTART + RLENGTH - 1
		}
		return p - RLENGTH + 1
	}
	/^kernel: key / { col = at($0, 4); next }
	/^kernel: 0x/ && col && at($0, 4) != col { print; bad = 1 }
	END { exit bad }' "$1" >"$T/unaligned" && return 0
	diag "out of line under its header:" "$(head -n 3 "$T/unaligned")"
	return 1
}

# make demo-watch: one watch for each of the tour's five objects, on the
# keys derived from DEMO_KEY; each starts again after its object is
# removed, so that one pane shows every scene's objects, the first to the
# last; Ctrl-C stops it (130) and every watch with it.
t_watch() {
	k=$(demo_keys "$T/out")
	[ -n "$k" ] && [ "$(cat "$T/pane.status")" = 0 ] || return 1
	for w in "msgq $(derived "$k" 0x6d)" "msgq $(derived "$k" 0x72)" \
		"sem $(derived "$k" 0x73)" "shm $(derived "$k" 0x68)" \
		"shm $(derived "$k" 0x63)"; do
		grep -q "${w% *}/ctl -q -k ${w#* } watch" "$T/pane" || {
			diag "no watch '$w'"
			return 1
		}
	done
	# Each part's objects that live long enough for a watch to see them
	# (it looks every 100 ms): the queue, empty once read; the
	# restaurant's semaphore and the crash's; the counter.
	for re in '^ +[0-9.]+ s  queue +0 messages, 0 bytes$' \
		'queue  *removed$' 'semaphore +value 0, 1 waiting' \
		'semaphore  *removed$' 'counter +nattch [0-9]+; MUTEX' \
		'interrupted; cleaning up'; do
		grep -Eq "$re" "$T/pane" ||
			{ diag "no line '$re' in the pane"; return 1; }
	done
	# The server's queue lives a few tenths of a second here (no pauses):
	# a watch may miss it (CI saw that once).  Seen, it is seen whole: its
	# signature message at the head, then removed.
	if grep -Eq '^ +[0-9.]+ s  server ' "$T/pane"; then
		if ! grep -Eq '^ +[0-9.]+ s  server +1 message, [0-9]+ bytes$' \
			"$T/pane" || ! grep -q 'server  *removed$' "$T/pane"; then
			diag "$(grep -E '^ +[0-9.]+ s  server ' "$T/pane")"
			return 1
		fi
	fi
	[ "$(grep -c 'semaphore  *removed$' "$T/pane")" -ge 2 ] &&
		[ ! -s "$T/pane.err" ] && narrow "$T/pane" &&
		wait_for no_watch "$k"
}

# No process left with one of the keys derived from $1 on its command line.
no_watch() {
	for p in 0x6d 0x72 0x73 0x68 0x63; do
		! grep -qaF "$(derived "$1" "$p")" /proc/[0-9]*/cmdline \
			2>/dev/null || return 1
	done
}

# Piped, the lines come in the order things happened: what caused a line
# comes before it, and the tour acts only on what was printed.  None of it
# hangs on the clock or the machine's load: where two programs print at
# once, the tour holds the effect back until its cause is out (t_hold).
t_in_order() {
	f=$T/out
	in_order "$f" '^sem/wait: value 0: none free' '^\$ sem/post$' \
		'^sem/post: key' '^sem/post: semop V' '^sem/wait: semop P' &&
		in_order "$f" 'a restaurant' '^customer 1: sem/wait: value 0' \
			'^customer 2: sem/wait: value 0' \
			'^customer 3: sem/wait: value 0' '^kernel: waiting +3 ' \
			'^\$ sem/post 2$' '^sem/post: semop V' '^customer 1> enter' \
			'^kernel: waiting +1 ' '^customer 1> leave' \
			'^customer 1: sem/wait: semop V' \
			'^customer 3: sem/wait: semop P' '^customer 3> enter' \
			'^customer 3> leave' '^kernel: value +2$' &&
		in_order "$f" '^sem/post: semop V [(][+]2[)]' '^customer 2> enter' \
			'^kernel: waiting +1 ' '^customer 2> leave' &&
		! in_order "$f" '^customer 3> enter' '^customer 2> enter' \
			2>/dev/null && seated "$f" &&
		in_order "$f" 'a crash in the seat' '^customer: sem/wait: holding' \
			'^kernel: value +0$' '^\$ kill -9' '^kernel: value +1$' \
			'^customer: sem/wait: holding' '^kernel: value +0$' \
			'^\$ kill -9' '^kernel: value +0$' &&
		in_order "$f" '^msgq/receiver: waiting' '^\$ msgq/sender ' \
			'^msgq/sender: key' '^one ' '^msgq/receiver> one' '^two ' \
			'^msgq/receiver> two' '^three ' '^msgq/receiver> three' \
			'^\^D' '^msgq/sender: msgsnd: end of stream' \
			'^msgq/receiver: msgctl IPC_RMID' &&
		for w in '^one ' '^two ' '^three ' '^\^D'; do
			before "$f" "$w" '^msgq/sender: msgsnd:' \
				'^msgq/receiver: msgrcv:' || return 1
		done &&
		in_order "$f" '^\$ msgq/client -q alpha' \
			'^msgq/server: msgsnd: answered' '^client A> ALPHA' \
			'^\$ msgq/client -q bravo' '^msgq/server: msgsnd: answered' \
			'^client B> BRAVO' &&
		in_order "$f" '^shm/reader: semget: created' '^\$ shm/writer' \
			'^shm/writer: semget: joined' '^shm/writer: shmget: created' \
			'^shm/reader: shmat' '^shm/writer: [0-9]+ bytes in' \
			'^shm/reader: [0-9]+ bytes in' '^shm/reader: removed'
}

# make bench, small: every row runs (the queue's floor too), checks its
# output, and is reported (a line for the round, the two goals);
# every comparison is taken round by round; a ring geometry of our own.
# The floor is built before the tests start: two make test runs at once
# each ran make bench, both linked tests/msgfloor, and one bench found
# it missing (CI's overlapping step failed that way).
t_bench_smoke() {
	if ! [ -x tests/msgfloor ] ||
		[ -n "$(find tests/msgfloor.c -newer tests/msgfloor)" ]; then
		diag "make test did not build tests/msgfloor before its tests"
		return 1
	fi
	BENCH_MB=16 BENCH_ROUNDS=1 BENCH_RINGS=2x2M timeout $((120 * SLOW)) \
		make -s bench >"$T/out" 2>&1 || {
		diag "$(tail -n 5 "$T/out")"
		return 1
	}
	[ "$(grep -c ' MB/s ' "$T/out")" = 9 ] &&
		[ "$(grep -c 'round trips/s' "$T/out")" = 2 ] &&
		grep -q '^dd if=f bs=1M' "$T/out" &&
		grep -q '^msgsnd/msgrcv alone (tests/msgfloor) ' "$T/out" &&
		grep -q '^shm/writer -s 2 -z 2097152 | reader ' "$T/out" &&
		grep -Eq '^1 +[0-9.]+s +[0-9.]+s +[0-9.]+x ' "$T/out" &&
		[ "$(grep -cE ' [0-9.]+x  [0-9.]+ - [0-9.]+$' "$T/out")" = 9 ] &&
		[ "$(grep -cE 'x  asked >= 0\.[89]0x: (yes|no, below)$' "$T/out")" = 2 ] &&
		! grep -q 'MISSED\|target' "$T/out" && narrow "$T/out" &&
		[ "$(demo_keys "$T/out" | wc -l)" = 1 ] && keys_gone "$T/out" &&
		! BENCH_RINGS=2by2 make -s bench >/dev/null 2>"$T/err" &&
		grep -q "BENCH_RINGS: '2by2' is not SLOTSxBYTES" "$T/err"
}

check "make demo: every scene on one DEMO_KEY, nothing left, 80 columns" \
	t_full_tour
check "make demo-watch: every object of the tour, first scene to last" \
	t_watch
check "make demo, piped: lines in the order things happened" t_in_order
check "make bench (16 MiB, one round, 2x2M too): every row" t_bench_smoke
done_testing
