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
# sem_otime, field 9 of /proc/sysvipc/sem: not 0 once a semop was made.
marked_ready() {
	[ "$(ipc_field sem "$1" 9)" != 0 ]
}

# --- the command line ---------------------------------------------------------

FIRST='sem/first/wait sem/first/post'

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

# The default key (no -k, no IPC_DEMO_KEY): ftok of the checkout, the same
# for a first/ page (TOP/sem/first/post) as for the full programs
# (TOP/sem/ctl).  A copy of the programs in a checkout of our own, so
# that its key is ours alone (under valgrind, the real programs).
t_default_key() {
	mkdir -p "$T/top/sem/first" || return 1
	for p in sem/ctl sem/first/post sem/first/wait; do
		real=$top/.valgrind/$p
		[ -x "$real" ] || real=$top/$p
		cp "$real" "$T/top/$p" || return 1
	done
	k=$("$T/top/sem/ctl" key 2>/dev/null | sed -n 's/^key  *//p')
	[ -n "$k" ] && key_dec "$k" >>"$T/keys" && ! has_set "$k" &&
		"$T/top/sem/first/post" && has_set "$k" && value_is "$k" 1 &&
		"$T/top/sem/ctl" -q stat | grep -q '^value      1$' &&
		timeout $((10 * SLOW)) "$T/top/sem/first/wait" &&
		value_is "$k" 0 && "$T/top/sem/ctl" -q rm && ! has_set "$k"
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
# leaves, and its V opens the seat again: the value comes back to 2.
t_sem_restaurant() {
	k=$(new_key)
	sem/post -q -k "$k" 2 || return 1
	for c in 1 2; do
		start /dev/null "$T/c$c" /dev/null sem/wait -q -k "$k" -s "$SLOW"
	done
	wait_for grep -q enter "$T/c1" && wait_for grep -q enter "$T/c2" &&
		start /dev/null /dev/null /dev/null sem/first/wait -k "$k" &&
		w=$! && wait_for waiting_is "$k" 1 && exits_with "$w" 0 &&
		wait_for grep -q leave "$T/c1" && wait_for grep -q leave "$T/c2" &&
		wait_for value_is "$k" 1 && sem/first/post -k "$k" &&
		value_is "$k" 2
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
t_sem_stop_cont() {
	k=$(new_key)
	start /dev/null /dev/null "$T/err" sem/first/wait -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop && c=$(child_of "$w") &&
		kill -STOP "$c" &&
		wait_for grep -q '^State:.*T' "/proc/$c/status" &&
		kill -CONT "$c" && wait_for blocked_in "$w" semtimedop &&
		waiting_is "$k" 1 && sem/first/post -k "$k" &&
		exits_with "$w" 0 && [ ! -s "$T/err" ]
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
		value_is "$k" 1
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
		value_is "$k" 0 && [ "$(sem_get "$k" 2 GETVAL)" = 7 ]
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

check "first/ pages: -h exits 0; a bad command line exits 2, nothing made" \
	t_command_lines
check "first/ pages: the default key is the full programs' (ftok of the top)" \
	t_default_key
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
done_testing
