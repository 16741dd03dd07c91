#!/bin/sh
# tests/first.sh - the first/ pages of sem/ and shm/, the textbook programs:
# each pair alone in both start orders, and meeting the full programs on
# one key (sem/first/wait and sem/first/post with sem/wait, sem/post and
# sem/ctl); the races and leaks their headers say they leave out, shown;
# their command lines (-h exits 0, a bad one 2); Ctrl-C as the headers
# say.  Kernel state read from /proc/sysvipc and perl's semctl.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

value_is() {
	[ "$(sem_get "$1" 0 GETVAL)" = "$2" ]
}
waiting_is() {
	[ "$(sem_get "$1" 0 GETNCNT)" = "$2" ]
}
# shm/first's set: EMPTY (0) and FULL (1).
empty_is() {
	[ "$(sem_get "$1" 0 GETVAL)" = "$2" ]
}
full_is() {
	[ "$(sem_get "$1" 1 GETVAL)" = "$2" ]
}
# sem_otime, field 9 of /proc/sysvipc/sem: not 0 once a semop was made.
marked_ready() {
	[ "$(ipc_field sem "$1" 9)" != 0 ]
}

# --- the command line ---------------------------------------------------------

FIRST='sem/first/wait sem/first/post shm/first/writer shm/first/reader'

# -h: usage on stdout, exit 0.  A bad option, a bad -k, a bad IPC_DEMO_KEY,
# an operand: usage on stderr, exit 2, and no object made on the key.
t_command_lines() {
	k=$(new_key)
	# shellcheck disable=SC2086 # the list splits into words
	help_ok $FIRST || return 1
	for p in $FIRST; do
		for args in "-x" "-k" "-k junk" "-k 0" "-k $k extra"; do
			# shellcheck disable=SC2086 # the arguments split into words
			$p $args >"$T/out" 2>"$T/err"
			rc=$?
			if [ $rc -ne 2 ] || [ -s "$T/out" ] ||
				! grep -q "^usage: $p " "$T/err"; then
				diag "$p $args: exit $rc" "$(cat "$T/err")"
				return 1
			fi
		done
		IPC_DEMO_KEY=0xjunk $p >/dev/null 2>"$T/err"
		rc=$?
		if [ $rc -ne 2 ] || ! grep -q "IPC_DEMO_KEY: '0xjunk'" "$T/err"; then
			diag "$p, IPC_DEMO_KEY=0xjunk: exit $rc" "$(cat "$T/err")"
			return 1
		fi
		$p -k junk 2>"$T/err"
		if ! grep -q "^$p: -k: 'junk' is not a number" "$T/err"; then
			diag "$p -k junk:" "$(cat "$T/err")"
			return 1
		fi
	done
	nothing_with "$k"
}

# own_checkout CTL PROG...: a copy of CTL and PROG... in a checkout of the
# test's own, $T/top (under valgrind, of the real programs), so that its
# default key is the test's alone; prints the key CTL key gives there, and
# records it for the clean-up.
own_checkout() {
	for p in "$@"; do
		mkdir -p "$T/top/${p%/*}" || return 1
		real=$top/.valgrind/$p
		[ -x "$real" ] || real=$top/$p
		cp "$real" "$T/top/$p" || return 1
	done
	key=$("$T/top/$1" key 2>/dev/null | sed -n 's/^key  *//p')
	[ -n "$key" ] && key_dec "$key" >>"$T/keys" && echo "$key"
}

# The default key (no -k, no IPC_DEMO_KEY): ftok of the checkout, the same
# for a first/ page (TOP/sem/first/post) as for the full programs
# (TOP/sem/ctl).
t_default_key() {
	k=$(own_checkout sem/ctl sem/first/post sem/first/wait) &&
		! has_set "$k" &&
		"$T/top/sem/first/post" && has_set "$k" && value_is "$k" 1 &&
		"$T/top/sem/ctl" -q stat | grep -q '^value      1$' &&
		timeout $((10 * SLOW)) "$T/top/sem/first/wait" &&
		value_is "$k" 0 && "$T/top/sem/ctl" -q rm && ! has_set "$k"
}

# IPC_DEMO_KEY: the pages take their key from it as the full programs
# do (its low 24 bits, the proj id on top), so they meet on it.
t_demo_key() {
	base=$(new_key)
	s=$(($(printf '%d' "'s") * 16777216 + (base & 0xffffff)))
	h=$(($(printf '%d' "'h") * 16777216 + (base & 0xffffff)))
	echo "$s" >>"$T/keys" && echo "$h" >>"$T/keys" || return 1
	IPC_DEMO_KEY=$base
	export IPC_DEMO_KEY
	nothing_with "$s" && nothing_with "$h" && sem/first/post &&
		value_is "$(printf '0x%08x' "$s")" 1 &&
		timeout $((10 * SLOW)) sem/wait -q -n && sem/ctl -q rm || return 1
	start /etc/services /dev/null /dev/null shm/first/writer
	w=$!
	wait_for has_segment "$(printf '0x%08x' "$h")" &&
		shm/ctl -q stat | grep -q "^holds      shm/first/writer's buffer" &&
		timeout $((10 * SLOW)) shm/first/reader >"$T/copy" &&
		exits_with "$w" 0 && cmp /etc/services "$T/copy" &&
		nothing_with "$s" && nothing_with "$h"
}

# --- sem/first: the pair, and the full programs -----------------------------

# P then V: first/wait creates the set (value 0, mode 0600, marked ready)
# and sleeps in semop, counted by GETNCNT; first/post lets it in.
t_sem_pair_wait_first() {
	k=$(new_key)
	start /dev/null /dev/null "$T/w.err" sem/first/wait -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop && waiting_is "$k" 1 &&
		value_is "$k" 0 && [ "$(ipc_field sem "$k" 3)" = 600 ] &&
		[ "$(ipc_field sem "$k" 4)" = 1 ] && marked_ready "$k" &&
		sem/first/post -k "$k" && exits_with "$w" 0 &&
		value_is "$k" 0 && waiting_is "$k" 0 && [ ! -s "$T/w.err" ]
}

# V then P: first/post creates the set with 1; first/wait takes it at once.
t_sem_pair_post_first() {
	k=$(new_key)
	sem/first/post -k "$k" && value_is "$k" 1 && marked_ready "$k" &&
		sem/first/post -k "$k" && value_is "$k" 2 &&
		timeout $((10 * SLOW)) sem/first/wait -k "$k" &&
		timeout $((10 * SLOW)) sem/first/wait -k "$k" && value_is "$k" 0
}

# first/wait made the set and sleeps: sem/post joins it at once (no "not
# initialised yet": the no-op semop marked it), and sem/ctl stat shows it.
t_sem_first_wait_full_post() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null sem/first/wait -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		sem/ctl -q -k "$k" stat >"$T/stat" &&
		grep -q '^semaphores 1$' "$T/stat" &&
		grep -q '^value      0$' "$T/stat" &&
		grep -q '^waiting    1 ' "$T/stat" &&
		timeout $((10 * SLOW)) sem/post -k "$k" 2>"$T/p.err" &&
		exits_with "$w" 0 && grep -q 'joined set' "$T/p.err" &&
		! grep -q 'not initialised' "$T/p.err" && value_is "$k" 0
}

# sem/wait made the set and sleeps: first/post lets it in.
t_sem_full_wait_first_post() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null sem/wait -q -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop && sem/first/post -k "$k" &&
		exits_with "$w" 0 && value_is "$k" 0 && waiting_is "$k" 0
}

# first/post made the set: sem/wait -n gets in at once, without waiting
# for a creator; sem/post made it: first/wait gets in.
t_sem_first_post_full_wait() {
	k=$(new_key)
	sem/first/post -k "$k" && sem/ctl -q -k "$k" stat >"$T/stat" &&
		grep -q '^value      1$' "$T/stat" &&
		timeout $((10 * SLOW)) sem/wait -n -k "$k" 2>"$T/w.err" &&
		! grep -q 'not initialised' "$T/w.err" && value_is "$k" 0 &&
		sem/ctl -q -k "$k" rm || return 1
	sem/post -q -k "$k" && timeout $((10 * SLOW)) sem/first/wait -k "$k" &&
		value_is "$k" 0
}

# sem/wait's restaurant, two seats: a first/ customer (P, then V later)
# waits at the door behind two seated sem/wait -s, gets in when one
# leaves, and its V opens the seat again: the value comes back to 2.  The
# two seated are stopped (SIGSTOP) while the first/ customer comes in, so
# that they are still seated however slow the machine: under load, a
# 1-second seat was over before the first/ customer came to the door
# (a 2-second seat leaves room to stop them).
t_sem_restaurant() {
	k=$(new_key)
	sem/post -q -k "$k" 2 || return 1
	start /dev/null "$T/c1" /dev/null sem/wait -q -k "$k" -s $((2 * SLOW))
	s1=$!
	start /dev/null "$T/c2" /dev/null sem/wait -q -k "$k" -s $((2 * SLOW))
	s2=$!
	wait_for grep -qs enter "$T/c1" && wait_for grep -qs enter "$T/c2" &&
		p1=$(child_of "$s1") && p2=$(child_of "$s2") &&
		kill -STOP "$p1" "$p2" && value_is "$k" 0 &&
		start /dev/null /dev/null /dev/null sem/first/wait -k "$k" &&
		w=$! && wait_for waiting_is "$k" 1 && kill -CONT "$p1" "$p2" &&
		exits_with "$w" 0 &&
		wait_for grep -q leave "$T/c1" && wait_for grep -q leave "$T/c2" &&
		wait_for value_is "$k" 1 && sem/first/post -k "$k" &&
		value_is "$k" 2
	rc=$?
	[ -z "${p1:-}" ] || kill -CONT "$p1" 2>/dev/null
	[ -z "${p2:-}" ] || kill -CONT "$p2" 2>/dev/null
	return $rc
}

# Ctrl-C while first/wait sleeps: it dies of it (130, no handler), out of
# the line, took nothing; the set stays, and serves the next ones.
t_sem_sigint() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null sem/first/wait -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop && interrupt "$w" &&
		exits_with "$w" 130 && waiting_is "$k" 0 && value_is "$k" 0 &&
		has_set "$k" && sem/post -q -k "$k" && value_is "$k" 1
}

# Ctrl-Z and fg: semop fails with EINTR even with no handler; it waits on.
# (It failed once under valgrind, saying nothing: each step is named.)
t_sem_stop_cont() {
	k=$(new_key)
	start /dev/null /dev/null "$T/err" sem/first/wait -k "$k"
	w=$!
	c=
	step='waits in semop' && wait_for blocked_in "$w" semtimedop &&
		step=SIGSTOP && c=$(child_of "$w") && kill -STOP "$c" &&
		step=stopped && wait_for grep -q '^State:.*T' "/proc/$c/status" &&
		step=SIGCONT && kill -CONT "$c" &&
		step='waits again' && wait_for blocked_in "$w" semtimedop &&
		step='GETNCNT 1' && waiting_is "$k" 1 &&
		step=post && sem/first/post -k "$k" &&
		step='exit 0' && exits_with "$w" 0 &&
		step='nothing on stderr' && [ ! -s "$T/err" ] && return 0
	diag "failed at: $step; wchan ${wchan:-none}," \
		"$(grep -s '^State' "/proc/${c:-0}/status")," \
		"GETNCNT $(sem_get "$k" 0 GETNCNT)" "$(cat "$T/err")"
	[ -z "$c" ] || kill -CONT "$c" 2>/dev/null
	return 1
}

# A slow creator, as TLPI's svsem_bad_init: perl makes the set, says so
# in $T/made, waits for $T/go, then sets the value 0 and marks it ready
# with a no-op semop, as the first/ pages and open_set() do.
# shellcheck disable=SC2016 # perl's variables, not the shell's
slow_creator() {
	rm -f "$T/made" "$T/go"
	start /dev/null /dev/null "$T/perl.err" perl -e '
		use IPC::SysV qw(IPC_CREAT IPC_EXCL SETVAL);
		my ($key, $made, $go) = @ARGV;
		my $id = semget(hex $key, 1, IPC_CREAT | IPC_EXCL | 0600)
			// die "semget: $!";
		open(my $f, ">", $made) or die "$made: $!";
		close $f;
		select(undef, undef, undef, 0.02) until -e $go;
		semctl($id, 0, SETVAL, 0) // die "semctl: $!";
		semop($id, pack("s!3s!3", 0, 1, 0, 0, -1, 0)) or die "semop: $!";
		' "$1" "$T/made" "$T/go"
}

# The race the headers leave out: first/post joins a set its creator has
# not yet initialised, and the creator's SETVAL undoes its V.  sem/post
# waits for sem_otime, and its V is kept.
t_sem_race_shown() {
	k=$(new_key)
	slow_creator "$k"
	c=$!
	wait_for test -f "$T/made" && sem/first/post -k "$k" &&
		value_is "$k" 1 && touch "$T/go" && exits_with "$c" 0 &&
		value_is "$k" 0 || return 1
	ipcrm -S "$k" && slow_creator "$k"
	c=$!
	wait_for test -f "$T/made" &&
		start /dev/null /dev/null "$T/p.err" sem/post -k "$k" &&
		p=$! && wait_for grep -q 'not initialised yet' "$T/p.err" &&
		touch "$T/go" && exits_with "$c" 0 && exits_with "$p" 0 &&
		value_is "$k" 1 && sem/ctl -q -k "$k" rm
}

# A foreign set of another shape on the key (perl's, of 3): first/post
# raises its semaphore 0, first/wait takes it back (the headers say so);
# sem/post and sem/wait refuse it and leave it as it is.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_sem_foreign_shape() {
	k=$(new_key)
	perl -e 'use IPC::SysV qw(IPC_CREAT);
		my $id = semget(hex $ARGV[0], 3, IPC_CREAT | 0600) // die "$!";
		semop($id, pack("s!3", 2, 7, 0)) or die "$!"' "$k" &&
		sem/first/post -k "$k" && value_is "$k" 1 &&
		[ "$(sem_get "$k" 2 GETVAL)" = 7 ] &&
		timeout $((10 * SLOW)) sem/first/wait -k "$k" && value_is "$k" 0 &&
		exits 1 sem/post -k "$k" 2>"$T/err" &&
		grep -q 'holds a set of 3 semaphores' "$T/err" &&
		exits 1 sem/wait -n -k "$k" 2>"$T/err" &&
		grep -q 'holds a set of 3 semaphores' "$T/err" &&
		value_is "$k" 0 && [ "$(sem_get "$k" 2 GETVAL)" = 7 ] &&
		ipcrm -S "$k"
}

# A failed call: one line, "prog: call: strerror (ERRNO)", a hint, exit 1.
# The set removed under first/wait (EIDRM); another user's (EACCES).
t_sem_errors() {
	k=$(new_key)
	start /dev/null /dev/null "$T/err" sem/first/wait -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop && sem/ctl -q -k "$k" rm &&
		exits_with "$w" 1 &&
		grep -q '^sem/first/wait: semop: .* (EIDRM)$' "$T/err" &&
		grep -q '^sem/first/wait: hint: ' "$T/err" &&
		sem/first/post -k "$k" &&
		exits 1 as_other sem/first/post -k "$k" 2>"$T/err" &&
		grep -q '^sem/first/post: semget: .* (EACCES)$' "$T/err" &&
		exits 1 as_other sem/first/wait -k "$k" 2>"$T/err" &&
		grep -q '^sem/first/wait: semget: .* (EACCES)$' "$T/err" &&
		value_is "$k" 1
}

# Nothing of the pair's is left once sem/ctl rm removed the set.
t_sem_nothing_left() {
	k=$(new_key)
	sem/first/post -k "$k" && timeout $((10 * SLOW)) sem/first/wait -k "$k" &&
		sem/ctl -q -k "$k" rm && nothing_with "$k"
}

# --- shm/first: the pair, and the full programs -----------------------------

head -c $((3 << 20)) /dev/urandom >"$T/data"

# pair ORDER FILE: FILE through shm/first's one buffer, byte-exact, both
# exit 0, the reader removes the set and the segment.  ORDER: writer-first
# (it fills the buffer, FULL 1, and waits for EMPTY; with no input it
# ends the stream and leaves) or reader-first (it waits for
# FULL, having made the set and the segment).
pair() {
	k=$(new_key)
	if [ "$1" = writer-first ]; then
		start "$2" /dev/null "$T/w.err" shm/first/writer -k "$k"
		w=$!
		wait_for has_set "$k" && wait_for full_is "$k" 1 &&
			timeout $((30 * SLOW)) shm/first/reader -k "$k" \
				>"$T/copy" 2>"$T/r.err" && exits_with "$w" 0
	else
		start /dev/null "$T/copy" "$T/r.err" shm/first/reader -k "$k"
		r=$!
		wait_for blocked_in "$r" semtimedop && has_segment "$k" &&
			[ "$(ipc_field shm "$k" 3)" = 600 ] &&
			timeout $((30 * SLOW)) shm/first/writer -k "$k" <"$2" \
				2>"$T/w.err" && exits_with "$r" 0
	fi &&
		cmp "$2" "$T/copy" && [ ! -s "$T/w.err" ] && [ ! -s "$T/r.err" ] &&
		nothing_with "$k"
}
t_shm_pair_writer_first() { pair writer-first "$T/data"; }
t_shm_pair_reader_first() { pair reader-first "$T/data"; }

# An empty input, and sizes around the buffer's 65535 bytes.
t_shm_pair_sizes() {
	: >"$T/empty"
	pair writer-first "$T/empty" && pair reader-first "$T/empty" || return 1
	for n in 1 65534 65535 65536 131070 131071; do
		head -c "$n" "$T/data" >"$T/odd"
		pair reader-first "$T/odd" || { diag "size $n"; return 1; }
	done
}

# The writer waits with the buffer full: shm/ctl stat names the segment
# and the set as shm/first's, with EMPTY 0 and FULL 1.  shm/reader and
# shm/writer refuse the set of 2, say whose it may be, and touch nothing:
# the stream then reaches shm/first/reader whole.
t_shm_full_programs_refuse() {
	k=$(new_key)
	start "$T/data" /dev/null /dev/null shm/first/writer -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		shm/ctl -q -k "$k" stat >"$T/stat" &&
		grep -q "^holds      shm/first/writer's buffer" "$T/stat" &&
		grep -q '^size       65538$' "$T/stat" &&
		grep -q "^semaphores id [0-9]*, 2 of them (shm/first/writer's" \
			"$T/stat" &&
		grep -q '^values     EMPTY 0 FULL 1$' "$T/stat" || return 1
	for p in shm/reader shm/writer; do
		if ! exits 1 timeout $((10 * SLOW)) $p -k "$k" </dev/null \
			>"$T/out" 2>"$T/err" || [ -s "$T/out" ] ||
			! grep -q "holds a set of 2 semaphores (shm/first/writer's" \
				"$T/err"; then
			diag "$p:" "$(cat "$T/err")"
			return 1
		fi
	done
	full_is "$k" 1 && [ "$(sem_get "$k" 0 GETVAL)" = 0 ] &&
		timeout $((30 * SLOW)) shm/first/reader -k "$k" >"$T/copy" &&
		exits_with "$w" 0 && cmp "$T/data" "$T/copy" && nothing_with "$k"
}

# shm/first's pages pointed at a full ring (-k), its buffers full and the
# writer waiting: both find a semaphore 2, say so and exit 1 before any
# semop; the ring's values and its header are as they were, and
# shm/reader then gets the stream whole.
t_shm_pages_refuse_a_ring() {
	k=$(new_key)
	start "$T/data" /dev/null /dev/null shm/writer -q -k "$k" -s 2 -z 65536
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		shm/ctl -q -k "$k" stat >"$T/before" || return 1
	for p in shm/first/reader shm/first/writer; do
		if ! exits 1 timeout $((10 * SLOW)) $p -k "$k" </etc/services \
			>"$T/out" 2>"$T/err" || [ -s "$T/out" ] ||
			! grep -qx "$p: not our set of 2" "$T/err"; then
			diag "$p:" "$(cat "$T/err")"
			return 1
		fi
	done
	shm/ctl -q -k "$k" stat >"$T/after" &&
		grep -v '^last\|^attached\|^detached' "$T/before" >"$T/b" &&
		grep -v '^last\|^attached\|^detached' "$T/after" >"$T/a" &&
		cmp "$T/b" "$T/a" &&
		grep -q "^holds      shm/writer's ring$" "$T/after" &&
		timeout $((30 * SLOW)) shm/reader -q -k "$k" >"$T/copy" &&
		exits_with "$w" 0 && cmp "$T/data" "$T/copy" && nothing_with "$k"
}

# Foreign sets of the wrong shape on the key (perl's): of 3, the pages
# find a semaphore 2 and refuse it; of 1, semget cannot open it as a set
# of 2 (EINVAL).  Exit 1 either way, the values as they were, no segment.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_shm_foreign_sets() {
	for n in 3 1; do
		k=$(new_key)
		perl -e 'use IPC::SysV qw(IPC_CREAT SETALL);
			my $id = semget(hex $ARGV[0], $ARGV[1], IPC_CREAT | 0600)
				// die "$!";
			semctl($id, 0, SETALL, pack("s!*", (5) x $ARGV[1])) // die "$!"
			' "$k" "$n" || return 1
		for p in shm/first/writer shm/first/reader; do
			if ! exits 1 timeout $((10 * SLOW)) $p -k "$k" </etc/services \
				>"$T/out" 2>"$T/err" || [ -s "$T/out" ] ||
				! grep -q "^$p: \(not our set of 2\|semget: .* (EINVAL)\)$" \
					"$T/err" || [ "$(sem_get "$k" 0 GETVAL)" != 5 ] ||
				has_segment "$k"; then
				diag "$p, a set of $n:" "$(cat "$T/err")"
				return 1
			fi
		done
		ipcrm -S "$k" || return 1
	done
}

# Ctrl-C (no handler: 130) on a page that waits alone leaves the set and
# the segment, as the headers say; shm/ctl rm removes them.
t_shm_sigint_leaves_them() {
	for p in shm/first/writer shm/first/reader; do
		k=$(new_key)
		start "$T/data" /dev/null /dev/null $p -k "$k"
		w=$!
		if ! wait_for blocked_in "$w" semtimedop || ! interrupt "$w" ||
			! exits_with "$w" 130 || ! has_set "$k" ||
			! has_segment "$k" || ! shm/ctl -k "$k" rm 2>"$T/err" ||
			! grep -q 'removed the segment and the semaphore set' \
				"$T/err" || ! nothing_with "$k"; then
			diag "$p"
			return 1
		fi
	done
}

# A peer killed mid-stream (kill -9): the other waits for ever in semop,
# until Ctrl-C (130), its copy a prefix of the input (here empty: what it
# had copied out was still in stdio's buffer) and no word said; the set
# and segment stay, for shm/ctl rm.  The writer reads a fifo, so that the
# stream is cut where the test says: after the reader took one buffer and
# the writer took EMPTY again, to wait in read(2) for more.
took_one() {
	[ "$(sem_get "$1" 1 GETPID)" = "$(child_of "$2")" ] && full_is "$1" 0 &&
		empty_is "$1" 0 && blocked_in "$2" semtimedop
}
killed_mid_stream() {
	k=$(new_key)
	rm -f "$T/fifo" && mkfifo "$T/fifo" && exec 3<>"$T/fifo" || return 1
	start "$T/fifo" /dev/null "$T/w.err" shm/first/writer -k "$k"
	w=$!
	start /dev/null "$T/copy" "$T/r.err" shm/first/reader -k "$k"
	r=$!
	head -c 1000 "$T/data" >&3 && wait_for took_one "$k" "$r" || return 1
	if [ "$1" = writer ]; then
		kill -KILL "$(child_of "$w")" && exits_with "$w" 137 &&
			survivor=$r
	else
		kill -KILL "$(child_of "$r")" && exits_with "$r" 137 &&
			head -c 1000 "$T/data" >&3 && wait_for full_is "$k" 1 &&
			survivor=$w
	fi || return 1
	wait_for blocked_in "$survivor" semtimedop && sleep 1 &&
		blocked_in "$survivor" semtimedop &&
		head -c "$(wc -c <"$T/copy")" "$T/data" | cmp - "$T/copy" &&
		interrupt "$survivor" && exits_with "$survivor" 130 &&
		exec 3>&- && [ ! -s "$T/w.err" ] && [ ! -s "$T/r.err" ] &&
		has_set "$k" && has_segment "$k" && shm/ctl -q -k "$k" rm &&
		nothing_with "$k"
}
t_shm_writer_killed() { killed_mid_stream writer; }
t_shm_reader_killed() { killed_mid_stream reader; }

# Ctrl-Z and fg: semop fails with EINTR even with no handler; the page
# waits on, and the stream is whole.
t_shm_stop_cont() {
	k=$(new_key)
	start /dev/null "$T/copy" "$T/r.err" shm/first/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop && c=$(child_of "$r") &&
		kill -STOP "$c" &&
		wait_for grep -q '^State:.*T' "/proc/$c/status" &&
		kill -CONT "$c" && wait_for blocked_in "$r" semtimedop &&
		timeout $((30 * SLOW)) shm/first/writer -k "$k" <"$T/data" &&
		exits_with "$r" 0 && cmp "$T/data" "$T/copy" && [ ! -s "$T/r.err" ]
}

# What the headers leave out: a second writer is not refused.  Writer A
# reads a fifo from a feeder: A takes EMPTY and waits there for input; B
# comes and waits for EMPTY; then the feeder's line fills A's buffer, and
# A waits behind B.  The reader copies A's line, B gets the buffer for its
# line, then A for its end (0 bytes: the feeder is killed, the fifo shut):
# two streams mixed in one copy, and B, still waiting when the reader
# removes the set, fails (EIDRM).  B must be asleep in that semop when
# the set goes (called after, it fails EINVAL): the feeder is killed only
# once the reader has copied both lines and handed EMPTY to A, which waits
# in read(2) for more, and B sleeps for EMPTY again.
b_waits_again() {
	blocked_in "$1" pipe_read && blocked_in "$2" semtimedop &&
		[ "$(sem_get "$3" 0 GETNCNT)" = 1 ]
}
t_shm_second_writer_mixes() {
	k=$(new_key)
	printf 'second\n' >"$T/b" &&
		rm -f "$T/fifo" "$T/gate" && mkfifo "$T/fifo" "$T/gate" || return 1
	# shellcheck disable=SC2016 # the feeder's $1, not ours
	start /dev/null "$T/fifo" /dev/null \
		sh -c 'read -r x <"$1"; echo first; exec sleep 60' sh "$T/gate"
	feeder=$!	# (start() uses $f)
	start "$T/fifo" /dev/null "$T/a.err" shm/first/writer -k "$k"
	a=$!
	wait_for has_segment "$k" && wait_for empty_is "$k" 0 &&
		start "$T/b" /dev/null "$T/b.err" shm/first/writer -k "$k" &&
		b=$! && wait_for blocked_in "$b" semtimedop &&
		echo go >"$T/gate" && wait_for full_is "$k" 1 &&
		wait_for blocked_in "$a" semtimedop || return 1
	start /dev/null "$T/copy" /dev/null shm/first/reader -k "$k"
	r=$!
	wait_for b_waits_again "$a" "$b" "$k" || return 1
	kill -TERM "$feeder" && { wait "$feeder"; } 2>/dev/null
	exits_with "$r" 0 && printf 'first\nsecond\n' | cmp - "$T/copy" &&
		exits_with "$a" 0 && exits_with "$b" 1 &&
		grep -q '^shm/first/writer: semop: .* (EIDRM)$' "$T/b.err" &&
		nothing_with "$k"
}

# The default key of shm/first's pages is the full programs': shm/ctl
# (a copy, in a checkout of the test's own) finds the writer's stream.
t_shm_default_key() {
	k=$(own_checkout shm/ctl shm/first/writer shm/first/reader) &&
		nothing_with "$k" &&
		"$T/top/shm/first/writer" </dev/null &&
		"$T/top/shm/ctl" -q stat >"$T/stat" &&
		grep -q "^holds      shm/first/writer's buffer" "$T/stat" &&
		timeout $((10 * SLOW)) "$T/top/shm/first/reader" >"$T/copy" &&
		[ ! -s "$T/copy" ] && nothing_with "$k"
}

check "first/ pages: -h exits 0; a bad command line exits 2, nothing made" \
	t_command_lines
check "first/ pages: the default key is the full programs' (ftok of the top)" \
	t_default_key
check "first/ pages: IPC_DEMO_KEY gives them the full programs' keys" \
	t_demo_key
check "sem/first: wait, then post (set made, marked ready, GETNCNT 1)" \
	t_sem_pair_wait_first
check "sem/first: post, then wait (the units kept in the set)" \
	t_sem_pair_post_first
check "sem/first/wait's set: sem/ctl stat shows it, sem/post joins at once" \
	t_sem_first_wait_full_post
check "sem/wait's set: sem/first/post lets it in" t_sem_full_wait_first_post
check "sem/first/post's set: sem/wait joins at once; sem/post's: first/wait" \
	t_sem_first_post_full_wait
check "sem/wait's restaurant: a first/ customer waits its turn" \
	t_sem_restaurant
check "sem/first/wait, Ctrl-C: 130, out of the line, the set stays" \
	t_sem_sigint
check "sem/first/wait, Ctrl-Z and fg: waits on" t_sem_stop_cont
check "the race left out: first/post's V lost to a slow creator, sem/post's kept" \
	t_sem_race_shown
check "a set of 3 on the key: first/ pages use it, sem/post and sem/wait refuse" \
	t_sem_foreign_shape
check "sem/first: EIDRM and EACCES, one line and a hint, exit 1" \
	t_sem_errors
check "sem/first: nothing left after sem/ctl rm" t_sem_nothing_left
check "shm/first: writer first, 3 MiB byte-exact, nothing left" \
	t_shm_pair_writer_first
check "shm/first: reader first, 3 MiB byte-exact, nothing left" \
	t_shm_pair_reader_first
check "shm/first: empty input, sizes around the 65535-byte buffer" \
	t_shm_pair_sizes
check "shm/first's objects: shm/ctl stat names them; shm/reader, shm/writer refuse" \
	t_shm_full_programs_refuse
check "a full ring: shm/first's pages refuse it before any semop, untouched" \
	t_shm_pages_refuse_a_ring
check "foreign sets of 3 and of 1: the shm pages refuse them, untouched" \
	t_shm_foreign_sets
check "shm/first, Ctrl-C: 130, the set and segment left for shm/ctl rm" \
	t_shm_sigint_leaves_them
check "shm/first, writer killed mid-stream: the reader waits for ever" \
	t_shm_writer_killed
check "shm/first, reader killed mid-stream: the writer waits for ever" \
	t_shm_reader_killed
check "shm/first/reader, Ctrl-Z and fg: waits on, the stream whole" \
	t_shm_stop_cont
check "shm/first: a second writer is not refused: two streams mixed" \
	t_shm_second_writer_mixes
check "shm/first: the default key is shm/ctl's" t_shm_default_key
done_testing
