#!/bin/sh
# tests/watch.sh - msgq/ctl, sem/ctl and shm/ctl watch: the state once,
# then a line per change, through a pipe as it happens; waiting for an
# object that is not there yet; the end on rm (exit 0) and on Ctrl-C (130).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# watch_piped MECH KEY: MECH/ctl watch through a pipe (cat) into $T/w,
# narration in $T/w.err; the exit status is the watch's (pipefail).
watch_piped() {
	# shellcheck disable=SC2016 # $1 and $2 are bash's, not ours
	start /dev/null "$T/w" "$T/w.err" bash -c \
		'set -o pipefail; "$1"/ctl -k "$2" watch | cat' sh "$1" "$2"
}

# The states the watch printed, without the seconds in front.
states() {
	sed 's/^ *[0-9]*\.[0-9][0-9] s  //' "$T/w"
}

# Has the watch printed a state matching the extended regex $1?
shown() {
	states | grep -Eq "$1"
}

# Has it printed a state matching $2 exactly $1 times?
shown_times() {
	[ "$(states | grep -Ec "$2")" = "$1" ]
}

# Is every line "  S.SS s  state", the seconds never going back?
stamped() {
	awk '!/^ *[0-9]+\.[0-9][0-9] s  [^ ]/ { bad = 1 }
		$1 + 0 < last { bad = 1 } { last = $1 + 0 }
		END { exit bad || NR == 0 }' "$T/w"
}

# 0 -> 1 -> 0 around a sem/post and a sem/wait, a waiter counted, and the
# end on rm; started before the set exists, it waits for it.
t_sem() {
	k=$(new_key)
	watch_piped sem "$k"
	w=$!
	wait_for grep -q 'no semaphore set has key .* yet: waiting' "$T/w.err" &&
		exits 1 sem/wait -q -n -k "$k" 2>/dev/null &&
		wait_for shown '^value 0, 0 waiting' &&
		sem/post -q -k "$k" && wait_for shown '^value 1' &&
		sem/wait -q -k "$k" &&
		wait_for shown_times 2 '^value 0' &&
		start /dev/null /dev/null /dev/null sem/wait -q -k "$k" &&
		wait_for shown '^value 0, 1 waiting' &&
		sem/ctl -q -k "$k" rm && exits_with "$w" 0 &&
		printf '%s\n' 'value 0, 0 waiting, 0 waiting for zero' \
			'value 1, 0 waiting, 0 waiting for zero' \
			'value 0, 0 waiting, 0 waiting for zero' \
			'value 0, 1 waiting, 0 waiting for zero' removed >"$T/want" &&
		states | cmp -s - "$T/want" && stamped &&
		grep -q 'the semaphore set is gone' "$T/w.err"
}

# A queue's count rises with each sender and falls with a receiver; -q
# leaves stderr empty.  (A sender sends its line, 4 bytes - the textbook
# message, no kind byte - and an end of stream, 0 bytes.)
t_msgq() {
	k=$(new_key)
	msgq/sender -q -k "$k" one || return 1
	start /dev/null "$T/w" "$T/w.err" msgq/ctl -q -k "$k" watch
	w=$!
	wait_for shown '^2 messages, 4 bytes$' &&
		msgq/sender -q -k "$k" two &&
		wait_for shown '^4 messages, 8 bytes$' &&
		msgq/receiver -q -c 1 -k "$k" >"$T/r" &&
		wait_for shown '^3 messages, 4 bytes$' &&
		msgq/ctl -q -k "$k" rm && exits_with "$w" 0 &&
		[ "$(states | head -n 1)" = '2 messages, 4 bytes' ] &&
		[ "$(states | tail -n 1)" = removed ] && stamped &&
		! [ -s "$T/w.err" ] && echo one | cmp -s - "$T/r"
}

# A ring: the writer and the reader arrive (WRITER, READER), the reader
# attaches (nattch 2) and starts; at the end the reader removes both.
t_shm_ring() {
	k=$(new_key)
	mkfifo "$T/in" && exec 3<>"$T/in" || return 1
	watch_piped shm "$k" 3<&-
	w=$!
	wait_for grep -q 'no segment has key .* yet: waiting' "$T/w.err" &&
		start "$T/in" /dev/null /dev/null shm/writer -q -k "$k" -z 64 3<&- &&
		wait_for shown '^nattch 1; .*WRITER 1 READER 0 STARTED 0$' &&
		start /dev/null "$T/r" /dev/null shm/reader -q -k "$k" 3<&- &&
		wait_for shown '^nattch 1; .*WRITER 1 READER 1 STARTED 0$' &&
		echo hi >&3 && wait_for grep -q hi "$T/r" &&
		wait_for shown '^nattch 2; .*WRITER 1 READER 1 STARTED 1$' &&
		exec 3>&- && exits_with "$w" 0 &&
		[ "$(states | tail -n 1)" = removed ] && stamped
}

# shm/ctl rm ends a watch too; a counter's set (its size, and its mark,
# 0x636f: shm/counter.h) is named as the counter's.
t_shm_rm() {
	k=$(new_key)
	watch_piped shm "$k"
	w=$!
	wait_for grep -q 'waiting for it' "$T/w.err" &&
		perl -e 'use IPC::SysV qw(IPC_CREAT SETALL);
			my $id = semget(hex($ARGV[0]), 4, IPC_CREAT | 0600) // exit 1;
			semctl($id, 0, SETALL, pack("s!4", 0, 0, 0, 0x636f))
				or exit 1' "$k" &&
		wait_for shown '^no segment; MUTEX 0 GATE 0 RUNNERS 0$' &&
		shm/ctl -q -k "$k" rm && exits_with "$w" 0 &&
		[ "$(states | tail -n 1)" = removed ]
}

# Ctrl-C ends a watch with 130, whether the object is there or not yet.
t_sigint() {
	k=$(new_key)
	start /dev/null "$T/w" /dev/null msgq/ctl -k "$k" watch
	w=$!
	msgq/sender -q -k "$k" one && wait_for shown '^2 messages' &&
		interrupt "$w" && exits_with "$w" 130 &&
		start /dev/null /dev/null "$T/w.err" sem/ctl -k "$k" watch &&
		w=$! && wait_for grep -q 'waiting for it' "$T/w.err" &&
		interrupt "$w" && exits_with "$w" 130 && ! has_set "$k" &&
		msgq/ctl -q -k "$k" rm
}

# watch takes no operand; -h shows it.
t_usage() {
	for m in msgq sem shm; do
		exits 2 "$m/ctl" watch now 2>"$T/err" &&
			grep -q "watch: unexpected argument 'now'" "$T/err" &&
			"$m/ctl" -h | grep -q '^  watch ' || return 1
	done
}

t_nothing_left() {
	while read -r k; do
		nothing_with "$k" || return 1
	done <"$T/keys"
}

check "sem: 0 -> 1 -> 0 around post and wait, a waiter, rm ends it" t_sem
check "msgq: the count rises with senders, falls with a receiver" t_msgq
check "shm: a ring's nattch and semaphores, removed at the end" t_shm_ring
check "shm: a counter's set by name; ctl rm ends the watch" t_shm_rm
check "Ctrl-C: exit 130, before and after the object exists" t_sigint
check "watch: usage" t_usage
check "nothing left behind" t_nothing_left
done_testing
