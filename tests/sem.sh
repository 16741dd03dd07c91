#!/bin/sh
# tests/sem.sh - sem/wait, sem/post and sem/ctl: P blocks until V, the
# restaurant, the mutex, SEM_UNDO after kill -9, the race-free creation, the
# time limit (-t), and the failures; checked against the kernel (semctl from perl, /proc).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# The semaphore's value and its waiters, as the kernel reports them.
sem_value() {
	sem_get "$1" 0 GETVAL
}
sem_waiting() {
	sem_get "$1" 0 GETNCNT
}
value_is() {
	[ "$(sem_value "$1")" = "$2" ]
}
waiting_is() {
	[ "$(sem_waiting "$1")" = "$2" ]
}
# The most customers ever inside at once, from "enter T" / "leave T" lines
# of several sem/wait -s runs.  A leave sorts before an enter at equal times.
most_inside() {
	cat "$@" | sed 's/^leave/0 leave/; s/^enter/1 enter/' |
		awk '{ print $3, $1, $2 }' | sort -n -k1,1 -k2,2 |
		awk '$3 == "enter" { n++; if (n > max) max = n }
			$3 == "leave" { n-- }
			END { print max + 0 }'
}

# Have N customers left, by their event files?
left() {
	n=$1
	shift
	[ "$(cat "$@" | grep -c leave)" = "$n" ]
}

# --- P and V ----------------------------------------------------------------

# P at 0 blocks (asleep in semop, counted by GETNCNT) until a V.
t_p_blocks_until_v() {
	k=$(new_key)
	start /dev/null /dev/null "$T/w.err" sem/wait -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		[ "$(sem_waiting "$k")" = 1 ] && [ "$(sem_value "$k")" = 0 ] &&
		grep -q 'value 0: none free; waiting, first in line' "$T/w.err" &&
		sem/post -k "$k" 2>"$T/p.err" &&
		exits_with "$w" 0 &&
		grep -q 'the value was 0 with 1 waiting' "$T/p.err" &&
		[ "$(sem_value "$k")" = 0 ] && [ "$(sem_waiting "$k")" = 0 ] &&
		[ "$(ipc_field sem "$k" 3)" = 600 ]
}

# The restaurant: two seats, three customers.  Never more than two inside;
# the third waits at the door (GETNCNT 1) until a seat is free.  The first
# two stay until sent home (Ctrl-C: they leave early), the first once the
# third waits, the second once the third is in: seated for a second each,
# they had both left before a slow third came (valgrind), who then did
# not wait at all.
t_restaurant() {
	k=$(new_key)
	sem/post -q -k "$k" 2 || return 1
	start /dev/null "$T/c1" "$T/c1.err" sem/wait -k "$k" -s 60
	c1=$!
	start /dev/null "$T/c2" "$T/c2.err" sem/wait -k "$k" -s 60
	c2=$!
	wait_for grep -q enter "$T/c1" && wait_for grep -q enter "$T/c2" &&
		start /dev/null "$T/c3" "$T/c3.err" sem/wait -k "$k" -s 1 &&
		wait_for waiting_is "$k" 1 && value_is "$k" 0 &&
		interrupt "$c1" && wait_for grep -q enter "$T/c3" &&
		interrupt "$c2" &&
		wait_for left 3 "$T/c1" "$T/c2" "$T/c3" &&
		[ "$(most_inside "$T/c1" "$T/c2" "$T/c3")" = 2 ] &&
		wait_for value_is "$k" 2 &&
		grep -l 'value 0: none free; waiting' "$T/c1.err" "$T/c2.err" "$T/c3.err" |
		wc -l | grep -qx 1
}

# A mutex: one seat, four processes, many rounds: sections never overlap.
t_mutex() {
	k=$(new_key)
	sem/post -q -k "$k" 1 || return 1
	for c in 1 2 3 4; do
		(for _ in $(seq 25); do
			timeout $((10 * SLOW)) sem/wait -q -k "$k" -s 0 || exit 1
		done) >"$T/m$c" &
		echo $! >>"$T/pids"
	done
	wait &&
		[ "$(cat "$T"/m? | grep -c enter)" = 100 ] &&
		[ "$(cat "$T"/m? | grep -c leave)" = 100 ] &&
		[ "$(most_inside "$T"/m?)" = 1 ] && [ "$(sem_value "$k")" = 1 ]
}

# kill -9 in the seat: SEM_UNDO gives the seat back; with -U it is lost.
crash() {
	k=$(new_key)
	sem/post -q -k "$k" 1 || return 1
	start /dev/null "$T/c" "$T/c.err" sem/wait -k "$k" -s 60 "$@"
	w=$!
	wait_for grep -q enter "$T/c" && [ "$(sem_value "$k")" = 0 ] &&
		kill -KILL "$(child_of "$w")" && exits_with "$w" 137
}
t_crash_undo() {
	crash && [ "$(sem_value "$k")" = 1 ]
}
t_crash_no_undo() {
	crash -U && [ "$(sem_value "$k")" = 0 ]
}

# Eight programs started at once on a missing set: exactly one creates
# and initialises it, and no V is lost to the initialisation.  Ten rounds.
t_race_free_creation() {
	for round in $(seq 10); do
		k=$(new_key)
		for _ in 1 2 3 4 5 6 7 8; do
			timeout $((10 * SLOW)) sem/post -k "$k" 2>>"$T/err.$round" &
			echo $! >>"$T/pids"
		done
		wait
		v=$(sem_value "$k")
		created=$(grep -c 'created set' "$T/err.$round")
		sem/ctl -q -k "$k" rm
		if [ "$v" != 8 ] || [ "$created" != 1 ]; then
			diag "round $round: value $v, created $created times"
			return 1
		fi
	done
}

# --- interruptions ----------------------------------------------------------

# Ctrl-C in line: exit 130 at once, out of the line (GETNCNT 0), and said
# as msgq/server says it ("stopped by signal 2"), last; with -q, nothing.
t_sigint_waiting() {
	k=$(new_key)
	start /dev/null /dev/null "$T/err" sem/wait -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		interrupt "$w" && exits_with "$w" 130 &&
		[ "$(tail -n 1 "$T/err")" = "sem/wait: stopped by signal 2" ] &&
		[ "$(sem_waiting "$k")" = 0 ] && [ "$(sem_value "$k")" = 0 ] &&
		start /dev/null /dev/null "$T/err" sem/wait -q -k "$k" || return 1
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		interrupt "$w" && exits_with "$w" 130 && [ ! -s "$T/err" ] &&
		[ "$(sem_waiting "$k")" = 0 ] && [ "$(sem_value "$k")" = 0 ]
}

# Ctrl-C in the seat: leave (V) before exiting 130; the seat is free; said.
t_sigint_seated() {
	k=$(new_key)
	sem/post -q -k "$k" 1 || return 1
	start /dev/null "$T/c" "$T/c.err" sem/wait -k "$k" -s 60
	w=$!
	wait_for grep -q enter "$T/c" &&
		interrupt "$w" && exits_with "$w" 130 &&
		grep -q leave "$T/c" && grep -q 'leaving early' "$T/c.err" &&
		[ "$(tail -n 1 "$T/c.err")" = "sem/wait: stopped by signal 2" ] &&
		[ "$(sem_value "$k")" = 1 ]
}

# Ctrl-Z, fg: semop fails with EINTR even with no handler; wait on.
t_stop_cont() {
	k=$(new_key)
	start /dev/null /dev/null "$T/err" sem/wait -q -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop && c=$(child_of "$w") &&
		kill -STOP "$c" && wait_for grep -q '^State:.*T' "/proc/$c/status" &&
		kill -CONT "$c" && wait_for blocked_in "$w" semtimedop &&
		[ "$(sem_waiting "$k")" = 1 ] &&
		sem/post -q -k "$k" && exits_with "$w" 0 && [ ! -s "$T/err" ]
}

# The set removed while we wait: EIDRM at once, explained, exit 1.
t_eidrm() {
	k=$(new_key)
	start /dev/null /dev/null "$T/err" sem/wait -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		sem/ctl -q -k "$k" rm && exits_with "$w" 1 &&
		grep -q '^sem/wait: semop P: .* (EIDRM)$' "$T/err" &&
		grep -q '^sem/wait: hint: the semaphore set was removed' "$T/err" &&
		! has_set "$k"
}

# --- -n, ERANGE, ctl --------------------------------------------------------------

t_nowait() {
	k=$(new_key)
	sem/wait -n -k "$k" 2>"$T/err"
	[ $? -eq 1 ] && grep -q '^sem/wait: semop P: .* (EAGAIN)$' "$T/err" &&
		grep -q 'hint: no unit is free (value 0' "$T/err" &&
		sem/post -q -k "$k" && sem/wait -q -n -k "$k" &&
		[ "$(sem_value "$k")" = 0 ]
}

# -t: semtimedop gives up within 0.5 s of the time asked, exit 1, and
# says what the set holds - with another customer in line, who is still
# there after (and gets in at the next V); nothing in the set changed.
# The 0.5 s is counted from when it says it waits: the start of a
# program (slow under ASan on a loaded machine: 1.3 s once in CI) is not
# part of its time limit.  The whole run still takes at least 1.2 s.
t_timeout() {
	k=$(new_key)
	start /dev/null /dev/null "$T/w.err" sem/wait -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop || return 1
	t0=$(date +%s%N)
	start /dev/null "$T/out" "$T/err" sem/wait -k "$k" -t 1.2
	g=$!
	wait_for grep -q 'waiting in line' "$T/err" || return 1
	t1=$(date +%s%N)
	exits_with "$g" 1
	rc=$?
	t2=$(date +%s%N)
	ms=$(((t2 - t0) / 1000000))
	waited=$(((t2 - t1) / 1000000))
	if [ $rc -ne 0 ] || [ $ms -lt 1200 ] ||
		[ $waited -ge $((1700 + (SLOW - 1) * 1000)) ]; then
		diag "after $ms ms, $waited ms after it said it waits" \
			"$(cat "$T/err")"
		return 1
	fi
	[ ! -s "$T/out" ] &&
		grep -q '^sem/wait: gave up after 1.2 s; the value is still 0, 1 waiting$' \
			"$T/err" &&
		grep -q '^sem/wait: hint: no unit came free in time' "$T/err" &&
		value_is "$k" 0 && waiting_is "$k" 1 &&
		sem/post -q -k "$k" && exits_with "$w" 0 &&
		value_is "$k" 0 && waiting_is "$k" 0
}

# -t: a V before the time is up lets the waiter in, plain or with -s.
t_timeout_post() {
	k=$(new_key)
	start /dev/null /dev/null "$T/w.err" sem/wait -k "$k" -t 30
	w=$!
	wait_for blocked_in "$w" semtimedop && sem/post -q -k "$k" &&
		exits_with "$w" 0 && value_is "$k" 0 || return 1
	start /dev/null "$T/s.out" "$T/s.err" sem/wait -k "$k" -t 30 -s 0
	w=$!
	wait_for blocked_in "$w" semtimedop && sem/post -q -k "$k" &&
		exits_with "$w" 0 && grep -q '^enter ' "$T/s.out" &&
		grep -q '^leave ' "$T/s.out" && value_is "$k" 1 &&
		! grep -q 'gave up' "$T/s.err"
}

t_erange() {
	k=$(new_key)
	sem/post -q -k "$k" 32767 && sem/post -k "$k" 2>"$T/err"
	[ $? -eq 1 ] && grep -q 'semop V: .* (ERANGE)$' "$T/err" &&
		grep -q 'would pass SEMVMX (32767)' "$T/err" &&
		[ "$(sem_value "$k")" = 32767 ]
}

t_ctl() {
	k=$(new_key)
	sem/ctl -k "$k" stat >/dev/null 2>"$T/err"
	[ $? -eq 1 ] && grep -q 'semget: .* (ENOENT)$' "$T/err" &&
		[ "$(grep -c "^sem/ctl: key $k (from -k)$" "$T/err")" = 1 ] &&
		grep -q 'hint: no semaphore set has key' "$T/err" &&
		sem/post -q -k "$k" 3 &&
		sem/ctl -q -k "$k" stat >"$T/stat" &&
		grep -q "^key        $k$" "$T/stat" &&
		grep -q '^mode       0600$' "$T/stat" &&
		grep -q '^value      3$' "$T/stat" &&
		grep -q '^last pid   [1-9]' "$T/stat" &&
		sem/ctl -q -k "$k" set 5 && [ "$(sem_value "$k")" = 5 ] &&
		sem/ctl -k "$k" rm 2>"$T/err" &&
		grep -q 'IPC_RMID: removed set id' "$T/err" && ! has_set "$k"
}

# --- other users ----------------------------------------------------------------

t_other_user() {
	k=$(new_key)
	sem/post -q -k "$k" 2 &&
		as_other sem/wait -k "$k" 2>"$T/err"
	[ $? -eq 1 ] && grep -q '^sem/wait: semget: .* (EACCES)$' "$T/err" &&
		grep -q "hint: key $k belongs to another user's semaphore set" \
			"$T/err" &&
		as_other sem/post -k "$k" 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(EACCES)$' "$T/err" &&
		as_other sem/ctl -k "$k" rm 2>"$T/err"
	[ $? -eq 1 ] && grep -q 'IPC_RMID: .* (EPERM)$' "$T/err" &&
		as_other sem/ctl -k "$k" set 9 2>"$T/err"
	[ $? -eq 1 ] && as_other sem/ctl -k "$k" stat >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && [ ! -s "$T/out" ] && grep -q '(EACCES)$' "$T/err" &&
		[ "$(sem_value "$k")" = 2 ] && sem/ctl -q -k "$k" rm
}

# shellcheck disable=SC2016 # perl's $! and $ARGV, not the shell's
t_squatter() {
	k=$(new_key)
	as_other perl -e 'semget(hex($ARGV[0]), 1, 01666) // die "$!"' "$k" &&
		sem/post -k "$k" 2>"$T/err"
	[ $? -eq 1 ] && grep -q 'semaphore set id .* belongs to uid 4242' \
		"$T/err" && [ "$(sem_value "$k")" = 0 ] &&
		ipcrm -S "$k" &&
		perl -e 'semget(hex($ARGV[0]), 1, 01666) // die "$!"' "$k" &&
		sem/wait -k "$k" 2>"$T/err"
	[ $? -eq 1 ] && grep -q 'has mode 0666' "$T/err"
}

# --- breaks an outsider found -------------------------------------------------

# Ctrl-\ (SIGQUIT) in the seat, even with -U: the program lives through it,
# so it gives the seat back before it dies of the signal (131).
t_sigquit_seated() {
	k=$(new_key)
	sem/post -q -k "$k" 1 || return 1
	start /dev/null "$T/c" "$T/c.err" sem/wait -k "$k" -U -s 60
	w=$!
	wait_for grep -q enter "$T/c" && kill -QUIT "$(child_of "$w")" &&
		exits_with "$w" 131 && [ "$(sem_value "$k")" = 1 ]
}

# Standard output closed (>&-): a program that writes nothing to it does
# its work and exits 0 (it used to do the work, then exit 1); one that has
# data to write (sem/wait -s: enter, leave) fails, and gives its seat back.
t_stdout_closed() {
	# Under valgrind, its log file takes the closed descriptor 1, and the
	# program's "enter" goes there: the check means nothing then.
	if [ "$SLOW" -gt 1 ]; then
		echo "under valgrind: its log takes descriptor 1" >"$T/skip"
		return 0
	fi
	k=$(new_key)
	sem/post -q -k "$k" >&- && [ "$(sem_value "$k")" = 1 ] &&
		sem/wait -q -n -k "$k" >&- && [ "$(sem_value "$k")" = 0 ] &&
		sem/post -q -k "$k" &&
		exits 1 sem/wait -q -s 0 -k "$k" >&- 2>/dev/null &&
		[ "$(sem_value "$k")" = 1 ]
}

# sem/ctl set N changes a value as sem/post does: it refuses the same sets
# (another user's, even to root; one open to others), the value untouched.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_ctl_set_not_ours() {
	k=$(new_key)
	as_other perl -e 'semget(hex($ARGV[0]), 1, 01600) // die "$!"' "$k" &&
		sem/ctl -k "$k" set 3 2>"$T/err"
	if [ $? -ne 1 ] || ! grep -q 'set id .* belongs to uid 4242' "$T/err" ||
		[ "$(sem_value "$k")" != 0 ]; then
		diag "another user's set:" "$(cat "$T/err")"
		return 1
	fi
	ipcrm -S "$k" &&
		perl -e 'semget(hex($ARGV[0]), 1, 01666) // die "$!"' "$k" &&
		sem/ctl -k "$k" set 4 2>"$T/err"
	if [ $? -ne 1 ] || ! grep -q 'has mode 0666' "$T/err" ||
		[ "$(sem_value "$k")" != 0 ]; then
		diag "a set open to others:" "$(cat "$T/err")"
		return 1
	fi
	ipcrm -S "$k"
}

# As root, ctl rm refuses another user's live set, as every other program
# does ("belongs to uid 4242"), and leaves it; -f removes it.
t_ctl_rm_foreign() {
	k=$(new_key)
	as_other "$top/sem/post" -q -k "$k" 3 || return 1
	sem/ctl -k "$k" rm >"$T/out" 2>"$T/err"
	if [ $? != 1 ] || [ -s "$T/out" ] ||
		! grep -q "^sem/ctl: key $k: semaphore set id [0-9]* belongs to uid 4242, not to you (uid 0)$" "$T/err" ||
		! grep -q '^sem/ctl: hint: .* -f ' "$T/err" ||
		! has_set "$k" || [ "$(sem_value "$k")" != 3 ]; then
		diag "$(cat "$T/err")"
		return 1
	fi
	sem/ctl -f -k "$k" rm 2>"$T/err" &&
		grep -q 'belongs to uid 4242; -f: going on' "$T/err" &&
		grep -q 'IPC_RMID: removed set id' "$T/err" && ! has_set "$k"
}

# ctl rm leaves shm/'s sets, known by their size and mark, as shm/ctl
# leaves what is not shm/'s: the ring's set under a writer mid-stream (the
# stream then ends whole), and a counter's; -f does not change that.  A
# set of the ring's size without its mark (a dinner's) is removed.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_ctl_rm_not_shm() {
	k=$(new_key)
	head -c $((1 << 20)) /dev/urandom >"$T/data"
	start "$T/data" /dev/null "$T/w.err" shm/writer -q -k "$k" -s 2 -z 4096
	w=$!
	wait_for blocked_in "$w" semtimedop || return 1
	for f in "" -f; do
		# shellcheck disable=SC2086 # no -f is no word
		sem/ctl $f -k "$k" rm >"$T/out" 2>"$T/err"
		if [ $? != 1 ] || [ -s "$T/out" ] ||
			! grep -q "^sem/ctl: key $k: set id [0-9]* of 6 semaphores is shm/writer's ring (its size and mark): left$" "$T/err" ||
			! grep -q "^sem/ctl: hint: shm/ctl -k $k rm removes it" "$T/err" ||
			! has_set "$k"; then
			diag "sem/ctl $f rm" "$(cat "$T/err")"
			return 1
		fi
	done
	timeout $((10 * SLOW)) shm/reader -q -k "$k" >"$T/copy" &&
		exits_with "$w" 0 && cmp "$T/data" "$T/copy" && nothing_with "$k" &&
		perl -e 'use IPC::SysV qw(SETALL);
			my $id = semget(hex($ARGV[0]), 4, 01600) // die "$!";
			semctl($id, 0, SETALL, pack("s!4", 1, 0, 0, 0x636f)) or die "$!"' \
			"$k" &&
		exits 1 sem/ctl -k "$k" rm 2>"$T/err" &&
		grep -q "is shm/counter's (its size and mark): left$" "$T/err" &&
		has_set "$k" && ipcrm -S "$k" &&
		perl -e 'use IPC::SysV qw(SETALL);
			my $id = semget(hex($ARGV[0]), 6, 01600) // die "$!";
			semctl($id, 0, SETALL, pack("s!6", 1, 1, 1, 1, 1, 1)) or die "$!"' \
			"$k" &&
		sem/ctl -q -k "$k" rm && ! has_set "$k"
}

# --- nothing left ------------------------------------------------------------------

# Every key this script used is gone once removed (the harness removes
# the rest at exit); here: a full cycle leaves nothing.
t_cycle_leaves_nothing() {
	k=$(new_key)
	sem/post -q -k "$k" && sem/wait -q -k "$k" -s 0 >/dev/null &&
		sem/ctl -q -k "$k" rm && ! has_set "$k"
}

check "P blocks until V" t_p_blocks_until_v
check "restaurant: 2 seats, 3 customers, never more than 2 inside" \
	t_restaurant
check "mutex: 4 x 25 critical sections never overlap" t_mutex
check "kill -9 in the seat: SEM_UNDO gives it back" t_crash_undo
check "kill -9 in the seat with -U: the seat leaks" t_crash_no_undo
check "8 at once on a missing set: one creator, no V lost" \
	t_race_free_creation
check "Ctrl-C while waiting: 130, out of the line, said (not under -q)" \
	t_sigint_waiting
check "Ctrl-C while seated: leaves first, 130, said" t_sigint_seated
check "SIGSTOP/SIGCONT: the waiter waits on" t_stop_cont
check "set removed while waiting: EIDRM explained" t_eidrm
check "-n with no unit free: EAGAIN explained" t_nowait
check "-t: gives up on time, exit 1, the set unchanged" t_timeout
check "-t: a V before the time is up lets the waiter in" t_timeout_post
check "V past SEMVMX: ERANGE explained" t_erange
check "ctl stat, set, rm, missing" t_ctl
check "another user is refused, value untouched" t_other_user
check "a squatted or open set is refused" t_squatter
check "ctl set refuses another user's set and an open one" t_ctl_set_not_ours
check "ctl rm refuses another user's set; -f removes it" t_ctl_rm_foreign
check "ctl rm leaves the ring's and the counter's sets; a dinner's goes" \
	t_ctl_rm_not_shm
check "Ctrl-\\ in the seat, with -U: the seat is given back" t_sigquit_seated
check "stdout closed: no output wanted, exit 0" t_stdout_closed
check "a full cycle leaves nothing" t_cycle_leaves_nothing
done_testing
