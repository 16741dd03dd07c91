#!/bin/sh
# tests/counter-broken.sh - shm/counter's run broken from outside: kill -9
# of the run or of a child, a child stopped (by us or by a signal of its
# own), a foreign V on the mutex, a mutex held by a process gone.  The
# children stop too, what is lost is named, and nothing is left.  (The
# counter's counts: counter.sh.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-counter.sh
. "$(dirname "$0")/lib-counter.sh"

# kill -9 of the counter's run: its children notice and stop within a
# second or so, and the last of them removes the set and the segment; the
# next run, under the mutex, loses nothing.
# shellcheck disable=SC2086 # $kids: one PID a word
t_counter_kill_9() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null shm/counter -q -k "$k" -p 2 -n 100000000
	cr=$!
	wait_for has_children "$cr" && kids=$(children "$(child_of "$cr")") &&
		sleep 0.2 && kill -KILL "$(child_of "$cr")" && exits_with "$cr" 137 &&
		wait_for all_gone $kids && wait_for nothing_left "$k" &&
		timeout $((30 * SLOW)) shm/counter -q -k "$k" -p 2 -n 1000 >"$T/out" &&
		grep -qx 'lost 0' "$T/out" && nothing_left "$k"
}

# SIGTERM to the run while one child is stopped (SIGSTOP): it is woken to
# stop too; the run ends within seconds.
t_counter_sigterm_with_a_stopped_child() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null shm/counter -q -k "$k" -p 2 -n 100000000
	cr=$!
	wait_for has_children "$cr" && kids=$(children "$(child_of "$cr")") &&
		kill -STOP "${kids%% *}" && kill -TERM "$(child_of "$cr")" &&
		timeout $((3 * SLOW)) sh -c "while kill -0 $cr 2>/dev/null; do sleep 0.05; done" &&
		exits_with "$cr" 143 && wait_for nothing_left "$k"
}

# A child killed with kill -9 (then the run stopped, for the other would
# add on for long): the run names the child and its signal - not the one
# it stopped itself - and calls what is not known "unaccounted", not
# "lost".  It said "interrupted: N of M were made" and named nobody.
t_counter_child_killed() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/err" shm/counter -k "$k" -n 100000000
	cr=$!
	wait_for has_children "$cr" && kids=$(children "$(child_of "$cr")") &&
		sleep 0.2 && kill -KILL "${kids%% *}" && sleep 0.2 &&
		kill -TERM "$(child_of "$cr")" && exits_with "$cr" 143 &&
		grep -q "^shm/counter: child PID ${kids%% *} was killed by signal 9: what it added is not known" "$T/err" &&
		[ "$(grep -c 'was killed by signal' "$T/err")" = 1 ] &&
		grep -q '^shm/counter: a child failed: ' "$T/err" &&
		grep -q '^unaccounted ' "$T/out" && wait_for nothing_left "$k"
}

# A child stopped by a SIGTERM of its own (not the run's): it stops its
# additions, so the run is not whole - named, exit 1.  It exited 0, and
# the run with it, calling itself only "interrupted".
t_counter_child_terminated() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/err" shm/counter -k "$k" -n 100000000
	cr=$!
	if ! wait_for has_two_children "$cr" ||
		! kids=$(children "$(child_of "$cr")") ||
		! kill -TERM "${kids%% *}" || ! sleep 0.2 ||
		! kill -TERM "$(child_of "$cr")" || ! exits_with "$cr" 143 ||
		! grep -q "^shm/counter: child PID ${kids%% *} was stopped by a signal we did not send" "$T/err" ||
		[ "$(grep -c 'was stopped by a signal' "$T/err")" != 1 ] ||
		! wait_for nothing_left "$k"; then
		diag "$(cat "$T/err")"
		return 1
	fi
	# Each child stopped so, the run not: exit 1, both named.
	start /dev/null "$T/out" "$T/err" shm/counter -k "$k" -n 100000000
	cr=$!
	# shellcheck disable=SC2086 # $kids: one PID a word
	wait_for has_two_children "$cr" &&
		kids=$(children "$(child_of "$cr")") && kill -TERM $kids &&
		exits_with "$cr" 1 &&
		[ "$(grep -c 'was stopped by a signal we did not send' "$T/err")" = 2 ] &&
		wait_for nothing_left "$k"
}

# A foreign V on the mutex during a locked run (perl, no SEM_UNDO): two
# processes are inside at once and updates are lost.  The run must say
# the lock was broken and exit 1 (it printed "lost N", exit 0, no word).
t_counter_lock_broken() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/err" shm/counter -k "$k" -p 2 -n 300000
	cr=$!
	wait_for has_children "$cr" && sem_op "$k" 0 1 >/dev/null &&
		exits_with "$cr" 1 && grep -q '^lost [1-9]' "$T/out" &&
		grep -q 'lost under the mutex: the lock was broken' "$T/err" &&
		wait_for nothing_left "$k"
}

# A foreign P without SEM_UNDO on the mutex (perl takes it and exits):
# the run no longer adds, and says so once a second at most - who took
# the mutex last (GETPID) and that it has exited - in mid-run (the run
# notices its count stands still) and before it starts (its own P).
# It waited without a word.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_counter_mutex_held_is_said() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/err" shm/counter -k "$k" -p 2 -n 100000000
	cr=$!
	if ! wait_for has_children "$cr" || ! sem_op "$k" 0 -1 >"$T/perl" ||
		! wait_for grep -q "waiting for the mutex for [0-9]* s or more: PID $(cat "$T/perl") took it last (GETPID), and has exited" "$T/err" ||
		! sleep 2 || ! kill -TERM "$(child_of "$cr")" ||
		! exits_with "$cr" 143 ||
		[ "$(grep -c 'waiting for the mutex' "$T/err")" -gt 4 ] ||
		! wait_for nothing_left "$k"; then
		diag "$(cat "$T/err")"
		return 1
	fi
	perl -e 'use IPC::SysV qw(SETALL);
		my $id = semget(hex($ARGV[0]), 4, 01600) // die "$!";
		semctl($id, 0, SETALL, pack("s!4", 0, 0, 0, $ARGV[1])) or die "$!";
		semop($id, pack("s!6", 1, 1, 0, 1, -1, 0)) or die "$!";
		print "$$\n"' "$k" "$COUNTER_MARK" >"$T/perl" &&
		start /dev/null "$T/out" "$T/err" shm/counter -k "$k" &&
		cr=$! &&
		wait_for grep -q "waiting for the mutex for 1 s or more: PID $(cat "$T/perl") took it last" "$T/err" &&
		interrupt "$cr" && exits_with "$cr" 130 && [ ! -s "$T/out" ] &&
		wait_for nothing_left "$k"
}

check "counter: kill -9 of the run stops its children; the next loses none" \
	t_counter_kill_9
check "counter: SIGTERM with a child stopped: it ends within seconds" \
	t_counter_sigterm_with_a_stopped_child
check "counter: a child killed by kill -9 is named; the rest unaccounted" \
	t_counter_child_killed
check "counter: a child stopped by a signal of its own: named, exit 1" \
	t_counter_child_terminated
check "counter: a foreign V on the mutex: the lock broken is said, exit 1" \
	t_counter_lock_broken
check "counter: a mutex held by a process gone: said, once a second" \
	t_counter_mutex_held_is_said
done_testing
