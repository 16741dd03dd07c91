#!/bin/sh
# tests/counter.sh - shm/counter: exact under the mutex, updates lost on
# every run without it, runs sharing the count, SIGTERM and Ctrl-C at a
# held mutex: the children stop too, and "lost" counts only lost updates.
# (A run broken from outside - kill -9, a stopped child, a foreign V, a
# mutex held by a process gone: counter-broken.sh, split off to run beside
# this one; updates lost on every run: counter-lost.sh, run alone.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-counter.sh
. "$(dirname "$0")/lib-counter.sh"

# Under the mutex, exact; the segment and set gone after the last run.
t_counter_locked() {
	k=$(new_key)
	timeout $((60 * SLOW)) shm/counter -q -k "$k" -p 4 -n 100000 >"$T/out" &&
		printf 'expected 400000\ngot 400000\nlost 0\n' | cmp - "$T/out" &&
		nothing_left "$k"
}

# Without it, the numbers agree with each other (that some are lost on
# every run is the test after this one).
t_counter_unlocked() {
	k=$(new_key)
	timeout $((60 * SLOW)) shm/counter -k "$k" -u -p 4 -n 100000 >"$T/out" 2>"$T/err" &&
		awk '$1 == "expected" { e = $2 } $1 == "got" { g = $2 }
			$1 == "lost" { l = $2 }
			END { exit !(e == 400000 && g + l == e && g > 0) }' "$T/out" &&
		grep -q 'WITHOUT a lock' "$T/err" && nothing_left "$k"
}

# Is the counter's "expected" (struct counter in shm/team.h: after the
# magic, the version and the count) N: the additions booked by all runs?
# shellcheck disable=SC2016 # perl's variables, not the shell's
booked_is() {
	[ "$(perl -e 'my $id = shmget(hex($ARGV[0]), 0, 0) // exit 1;
		shmread($id, my $b, 16, 8) or exit 1;
		print unpack("q", $b), "\n"' "$1")" = "$2" ]
}

# Two runs at once share the counter (it lives in the segment): the
# second starts while the first (larger) one runs; the last to finish
# reports both runs' additions, all there.  The first run is held
# (SIGSTOP) from its children's start (its additions booked) until the
# second has booked its own: loaded, the first ended before the second
# came, and each reported its own run alone.
t_counter_two_runs() {
	k=$(new_key)
	start /dev/null "$T/a" /dev/null shm/counter -q -k "$k" -p 1 -n 100000
	a=$!
	wait_for has_children "$a" && ar=$(child_of "$a") &&
		kill -STOP "$ar" &&
		start /dev/null "$T/b" /dev/null shm/counter -q -k "$k" -p 1 \
			-n 20000 &&
		b=$! && wait_for booked_is "$k" 120000
	rc=$?
	[ -z "${ar:-}" ] || kill -CONT "$ar" 2>/dev/null
	[ $rc -eq 0 ] && exits_with "$a" 0 && exits_with "$b" 0 &&
		cat "$T/a" "$T/b" | grep -qx 'expected 120000' &&
		cat "$T/a" "$T/b" | grep -qx 'got 120000' && nothing_left "$k"
}

# SIGTERM to the run alone, not its children: they stop too, within a
# second or so; the report says how many of the planned additions were
# made, and under the mutex none is lost.
# shellcheck disable=SC2086 # $kids: one PID a word
t_counter_sigterm() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/err" shm/counter -k "$k" -p 2 -n 100000000
	cr=$!
	wait_for has_children "$cr" && kids=$(children "$(child_of "$cr")") &&
		sleep 0.2 && kill -TERM "$(child_of "$cr")" &&
		timeout $((3 * SLOW)) sh -c "while kill -0 $cr 2>/dev/null; do sleep 0.05; done" &&
		exits_with "$cr" 143 && all_gone $kids &&
		awk '$1 == "expected" { e = $2 } $1 == "got" { g = $2 }
			$1 == "lost" { l = $2 }
			END { exit !(e > 0 && e == g && l == 0 && e < 200000000) }' \
			"$T/out" &&
		grep -q 'interrupted: [0-9]* of the 200000000 planned additions were made' "$T/err" &&
		nothing_left "$k"
}

# Ctrl-C while the run waits for the mutex, held by someone who does not
# let go (here a perl process took it, without SEM_UNDO, and left): the
# run stops at once with 130, having added nothing.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_counter_ctrl_c_at_the_mutex() {
	k=$(new_key)
	perl -e 'use IPC::SysV qw(SETALL);
		my $id = semget(hex($ARGV[0]), 4, 01600) // die "$!";
		semctl($id, 0, SETALL, pack("s!4", 0, 0, 0, $ARGV[1])) or die "$!";
		semop($id, pack("s!6", 1, 1, 0, 1, -1, 0)) or die "$!"' "$k" \
		"$COUNTER_MARK" &&
		start /dev/null "$T/out" "$T/err" shm/counter -k "$k" &&
		cr=$! && wait_for blocked_in "$cr" semtimedop && interrupt "$cr" &&
		timeout $((2 * SLOW)) sh -c "while kill -0 $cr 2>/dev/null; do sleep 0.05; done" &&
		exits_with "$cr" 130 && [ ! -s "$T/out" ] && ! has_segment "$k"
}

# A set of the counter's size that is not the counter's (perl: zeros, its
# last semaphore not the counter's mark): refused at once - before, the
# run waited on its "mutex" for ever, then removed the set - and left.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_counter_foreign_set() {
	k=$(new_key)
	perl -e 'my $id = semget(hex($ARGV[0]), 4, 01600) // die "$!";
		semop($id, pack("s!6", 0, 1, 0, 0, -1, 0)) or die "$!"' "$k" &&
		exits 1 timeout $((10 * SLOW)) shm/counter -k "$k" -n 10 >"$T/out" 2>"$T/err" &&
		grep -q "has the 4 semaphores shm/counter needs, but not its mark (the last holds 0, not " "$T/err" &&
		[ ! -s "$T/out" ] && ! has_segment "$k" && has_set "$k" &&
		[ "$(sem_get "$k" 2 GETVAL)" = 0 ] && ipcrm -S "$k"
}

# Two runs that finish together: at least one of them reports the final
# count ("lost"), never both "pending" (each used to count the other as
# still adding, 1 time in 5).  10 pairs started at once.
t_counter_two_finish_together() {
	k=$(new_key)
	i=0
	while [ $i -lt 10 ]; do
		start /dev/null "$T/a" /dev/null shm/counter -q -k "$k" -p 2 -n 5000
		a=$!
		start /dev/null "$T/b" /dev/null shm/counter -q -k "$k" -p 2 -n 5000
		b=$!
		exits_with "$a" 0 && exits_with "$b" 0 || return 1
		if ! cat "$T/a" "$T/b" | grep -qx 'lost 0'; then
			diag "pair $i:" "$(cat "$T/a" "$T/b")"
			return 1
		fi
		nothing_left "$k" || return 1
		i=$((i + 1))
	done
}

# A run that joins the set just as the last run out removes it: its join
# is held back 2 s by strace, and meanwhile the first run is stopped
# (SIGTERM), the last run out, so it removes the set.  The late run makes
# the next set and counts, exit 0 - it used to die on EIDRM, as CI under
# valgrind saw.  (The first run used to end by itself within the 2 s,
# which a busy machine did not always give it.)
t_counter_join_as_the_last_leaves() {
	if [ "$SLOW" -gt 1 ]; then
		echo "under valgrind: the join's 2 s hold-back is too short" >"$T/skip"
		return 0
	fi
	no_strace && return 0
	k=$(new_key)
	start /dev/null "$T/a" /dev/null shm/counter -q -k "$k" -p 1 \
		-n 100000000
	a=$!
	wait_for has_set "$k" || return 1
	start /dev/null "$T/b" "$T/b.err" env ASAN_OPTIONS=detect_leaks=0 \
		strace -qq -o /dev/null -e trace=semop,semtimedop \
		-e inject=semop,semtimedop:delay_enter=2000000:when=1 \
		shm/counter -k "$k" -p 1 -n 1000
	b=$!
	if ! wait_for grep -q 'joined set' "$T/b.err" ||
		! kill -TERM "$(child_of "$a")" || ! exits_with "$a" 143 ||
		! exits_with "$b" 0 ||
		! grep -q 'was removed as we joined it' "$T/b.err" ||
		! grep -qx 'got 1000' "$T/b" || ! nothing_left "$k"; then
		diag "$(cat "$T/b.err")"
		return 1
	fi
}

# With one process nothing can be lost, and the counter says so.
t_counter_one_process() {
	k=$(new_key)
	timeout $((20 * SLOW)) shm/counter -u -p 1 -n 1000 -k "$k" >"$T/out" 2>"$T/err" &&
		grep -qx 'lost 0' "$T/out" && grep -q 'one process' "$T/err" &&
		! grep -q 'run it again' "$T/err"
}

# What shm/ctl stat shows of a run, as the shm chapter's exercise has it:
# the default run (two children) counts 3 in RUNNERS - processes, the run
# and its children, not runs - and its segment has nattch 3.
runners_shown() {
	shm/ctl -q -k "$1" stat >"$T/stat" 2>/dev/null &&
		grep -Eq '^values     MUTEX [01] GATE 0 RUNNERS 3$' "$T/stat" &&
		grep -q '^nattch     3$' "$T/stat"
}

t_counter_runners_are_processes() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null shm/counter -q -k "$k" -n 100000000
	run=$!
	if ! wait_for runners_shown "$k"; then
		diag "$(cat "$T/stat")"
		return 1
	fi
	interrupt "$run" && exits_with "$run" 130 && nothing_left "$k"
}

# Two runs -u -p 1 at once (issue 22): the last one out must not say
# "with one process, nothing can be lost" - two runs are two processes;
# it says that other runs added too.  (It looked at its own -p only.)
# The first run is held (SIGSTOP) from its child's start until the second
# has booked its additions, as in t_counter_two_runs: started once the
# segment existed, a second run held 4 s at its shmget (strace -e inject)
# came after the first had ended, and the first said "one process".
t_counter_two_runs_unlocked_one_process() {
	k=$(new_key)
	start /dev/null "$T/a" "$T/a.err" shm/counter -u -k "$k" -p 1 -n 3000000
	a=$!
	ar=
	wait_for has_children "$a" && ar=$(child_of "$a") &&
		kill -STOP "$ar" &&
		start /dev/null "$T/b" "$T/b.err" shm/counter -u -k "$k" -p 1 \
			-n 100000 &&
		b=$! && wait_for booked_is "$k" 3100000
	rc=$?
	[ -z "$ar" ] || kill -CONT "$ar" 2>/dev/null
	[ $rc -eq 0 ] && exits_with "$a" 0 && exits_with "$b" 0 || return 1
	if grep -q 'one process' "$T/a.err" "$T/b.err" ||
		! cat "$T/a" "$T/b" | grep -qx 'expected 3100000'; then
		diag "$(cat "$T/a" "$T/a.err" "$T/b" "$T/b.err")"
		return 1
	fi
	if cat "$T/a" "$T/b" | grep -q '^lost [1-9]'; then
		grep -q 'other runs with this key added too' "$T/a.err" "$T/b.err"
	fi && nothing_left "$k"
}

check "counter: 4 x 100000 under the mutex is exact" t_counter_locked
check "counter -u: expected = got + lost" t_counter_unlocked
check "counter: two runs at once share the count" t_counter_two_runs
check "counter: SIGTERM to the run stops its children; none lost" \
	t_counter_sigterm
check "counter: Ctrl-C while it waits for the mutex: 130 at once" \
	t_counter_ctrl_c_at_the_mutex
check "counter: a set of its size but not its mark is refused and left" \
	t_counter_foreign_set
check "counter: two runs that finish together: the final count is told" \
	t_counter_two_finish_together
check "counter: joining as the last run out removes the set: a new one" \
	t_counter_join_as_the_last_leaves
check "counter: shm/ctl stat shows RUNNERS 3 for a run of 2: processes" \
	t_counter_runners_are_processes
check "counter -u -p 1: nothing can be lost, and it says so" \
	t_counter_one_process
check "counter -u -p 1, two runs at once: not \"one process\"" \
	t_counter_two_runs_unlocked_one_process
done_testing
