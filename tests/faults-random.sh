#!/bin/sh
# tests/faults-random.sh - SIGSTOP, SIGCONT and SIGINT at random moments of
# every pair (FAULT_ROUNDS rounds each, 3 by default), and a stream cut with
# messages still queued.  Every program must end by itself, on a failure it
# explains, or by the interrupt, never hang, never crash; what arrived is
# always a prefix of what was sent; nothing is left.  (Objects removed from
# outside: faults.sh.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-faults.sh
. "$(dirname "$0")/lib-faults.sh"

# --- random stops, continues and interrupts ---------------------------------

# A random number below $1, from the kernel's generator.
rnd() {
	echo $(($(od -An -N2 -tu2 /dev/urandom) % $1))
}
pause_ms() {
	sleep "$(printf '0.%03d' "$1")"
}

# shake A B: at random moments stop and continue either peer (PIDs of
# their timeouts, so the signal goes to the program itself), then
# interrupt one of them, or none.
shake() {
	for _ in 1 2 3; do
		pause_ms "$(rnd 150)"
		p=$(child_of "$(if [ "$(rnd 2)" = 0 ]; then echo "$1"; else echo "$2"; fi)")
		[ -n "$p" ] || continue
		kill -STOP "$p" 2>/dev/null
		pause_ms "$(rnd 300)"
		kill -CONT "$p" 2>/dev/null
	done
	case $(rnd 3) in
	0) interrupt "$1" 2>/dev/null ;;
	1) interrupt "$2" 2>/dev/null ;;
	esac
}

# ended_ok PID: exited by itself (0), on failure explained (1), or by the
# interrupt (130) - never at its timeout (124), never by a crash.
ended_ok() {
	{ wait "$1"; } 2>/dev/null
	rc=$?
	case $rc in 0 | 1 | 130) return 0 ;; esac
	diag "exit $rc"
	return 1
}

# drain KEY: a second receiver takes what the first left on the queue, to
# $T/out.  The sender was interrupted, so it sent no end of stream: the
# drain sees the queue empty, no end come and the sender gone, says the
# stream was cut, and exits 1 - whether it took anything or not (then the
# last receiver is gone too).  The queue is gone after it.  (The sender
# used to mark the cut with a kind byte, or say it could not: the textbook
# message has no room for a mark, and the drain must now see the cut by
# itself, every time.)
drain() {
	timeout $((10 * SLOW)) msgq/receiver -n -k "$1" >>"$T/out" 2>"$T/d.err"
	rc=$?
	if [ $rc = 1 ] && grep -q 'the stream is cut: its sender' "$T/d.err"; then
		! has_queue "$1" && return 0
	fi
	diag "exit $rc" "$(cat "$T/d.err")"
	return 1
}

# The receiver interrupted while messages wait for it (stopped, so that
# they pile up), then the sender: the messages outlive both, with no end.
# A second receiver takes them and says the stream was cut (exit 1); what
# came is a prefix; nothing is left.  (The random rounds below meet this
# case now and then.)
t_cut_with_queued() {
	k=$(new_key)
	slow_data || return 1
	start "$T/fifo.in" /dev/null "$T/s.err" msgq/sender -k "$k"
	s=$!
	start /dev/null "$T/out" "$T/r.err" msgq/receiver -k "$k"
	r=$!
	wait_for flowing || { diag "no data came"; return 1; }
	p=$(child_of "$r")
	kill -STOP "$p" || return 1
	wait_for queued "$k" || { diag "no messages piled up"; return 1; }
	kill -INT "$p" && kill -CONT "$p" && exits_with "$r" 130 || return 1
	has_queue "$k" || { diag "the queue went with the receiver"; return 1; }
	interrupt "$s" && exits_with "$s" 130 &&
		drain "$k" && is_prefix "$T/out" "$T/data" && nothing_with "$k"
}
queued() {
	[ "$(queue_messages "$1")" -gt 2 ]
}

# make test: 3 rounds of each; CI runs 25 more (FAULT_ROUNDS).
ROUNDS=${FAULT_ROUNDS:-3}

# shake_round SENDER RECEIVER [SENDER OPTIONS...]: one round on a new key.
# The sender reads the endless slow data, so it is always interrupted in
# the end.  The shaking starts once data flows: a signal that comes before
# a program has set its handlers (under valgrind, its first second) just
# kills it, and a peer then rightly waits on for it.  Messages outlive
# their sender: a second receiver (-n) drains what is left.  What arrived
# is a prefix of the data; nothing is left.
shake_round() {
	snd=$1 rcv=$2
	shift 2
	k=$(new_key)
	slow_data || return 1
	start "$T/fifo.in" /dev/null "$T/s.err" "$snd" -k "$k" "$@"
	s=$!
	start /dev/null "$T/out" "$T/r.err" "$rcv" -k "$k"
	r=$!
	wait_for flowing || { diag "no data came"; return 1; }
	shake "$s" "$r"
	interrupt "$s" 2>/dev/null
	if ! ended_ok "$s" || ! ended_ok "$r"; then
		diag "$snd:" "$(cat "$T/s.err")" "$rcv:" "$(cat "$T/r.err")"
		return 1
	fi
	if has_queue "$k" && ! drain "$k"; then
		diag "the drain failed"
		return 1
	fi
	if ! is_prefix "$T/out" "$T/data" || ! nothing_with "$k"; then
		diag "$(cat "$T/s.err" "$T/r.err")"
		return 1
	fi
}

# ROUNDS rounds of the queue pair, line mode and bulk mode in turn.
t_shake_queue() {
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		i=$((i + 1))
		if [ $((i % 2)) = 0 ]; then set -- -b; else set --; fi
		shake_round msgq/sender msgq/receiver "$@" ||
			{ diag "round $i"; return 1; }
	done
}

t_shake_ring() {
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		i=$((i + 1))
		shake_round shm/writer shm/reader -z 65536 ||
			{ diag "round $i"; return 1; }
	done
}

# Customers in a 1-seat restaurant, shaken: never two inside, and the
# seat is free again at the end (SEM_UNDO gives back an interrupted one's).
t_shake_sem() {
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		i=$((i + 1))
		k=$(new_key)
		sem/post -q -k "$k" || return 1
		start /dev/null "$T/a" /dev/null sem/wait -q -k "$k" -s 1
		a=$!
		start /dev/null "$T/b" /dev/null sem/wait -q -k "$k" -s 1
		b=$!
		shake "$a" "$b"
		ended_ok "$a" && ended_ok "$b" || return 1
		v=$(sem_get "$k" 0 GETVAL)
		[ "$v" = 1 ] || { diag "round $i: value $v"; return 1; }
		sem/ctl -q -k "$k" rm && nothing_with "$k" || return 1
	done
}

mkfifo "$T/fifo.in"
check "receiver, then sender interrupted: a drain gets the rest and the cut" \
	t_cut_with_queued
check "msgq pair: random STOP/CONT/INT, $ROUNDS rounds: prefix, nothing left" \
	t_shake_queue
check "shm pair: random STOP/CONT/INT, $ROUNDS rounds: prefix, nothing left" \
	t_shake_ring
check "sem/wait pair: random STOP/CONT/INT, $ROUNDS rounds: value restored" \
	t_shake_sem
done_testing
