#!/bin/sh
# tests/faults.sh - the world changing under running programs: their
# objects removed from outside (ipcrm by id) while they wait and while they
# stream, and SIGSTOP, SIGCONT and SIGINT at random moments of every pair.
# Every program must end promptly with a clear message, never hang, never
# crash; what arrived is always a prefix of what was sent; nothing is left.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# The ids behind a key, as ipcrm -q/-s/-m takes them.
queue_id() { ipc_field msg "$1" 2; }
set_id() { ipc_field sem "$1" 2; }
segment_id() { ipc_field shm "$1" 2; }

# ended_with PID STATUS ERRFILE REGEX: the peer ends within 3 s (x SLOW;
# not at its timeout), with STATUS and REGEX on stderr.
ended_with() {
	t=0
	while ! gone "$1" && [ $t -lt $((150 * SLOW)) ]; do
		sleep 0.02
		t=$((t + 1))
	done
	if ! gone "$1"; then
		diag "still running 3 s after" "$(cat "$3")"
		return 1
	fi
	if ! exits_with "$1" "$2" || ! grep -Eq "$4" "$3"; then
		diag "$(cat "$3")"
		return 1
	fi
}

# is_prefix SMALL BIG: SMALL is the start of BIG (or all of it).
is_prefix() {
	n=$(wc -c <"$1")
	head -c "$n" "$2" | cmp -s - "$1" ||
		{ diag "$1 ($n bytes) is not a prefix of $2"; return 1; }
}

head -c $((8 << 20)) /dev/urandom >"$T/data"

# A slow producer: $T/data in 64 KiB pieces, 10 ms apart (~6 MB/s), so
# that a stream is still going when we act.  It writes to the fifo
# $T/fifo.in, which a peer started with start reads.
# shellcheck disable=SC2016 # perl's variables, not the shell's
slow='open my $f, "<", $ARGV[0] or die; $| = 1;
	while (read $f, my $b, 65536) { print $b; select undef, undef, undef, 0.01 }'
# Each stream gets a new fifo: a producer left from the test or round
# before, still asleep when the next peer opens the fifo, would write into
# the new stream too (a fifo is one pipe while anyone has it open), and
# mix two copies of the data - a busy machine made that happen.  The old
# one now writes to its own fifo, with no reader: it dies of SIGPIPE.
slow_data() {
	rm -f "$T/fifo.in" && mkfifo "$T/fifo.in" || return 1
	perl -e "$slow" "$T/data" >"$T/fifo.in" &
	echo $! >>"$T/pids"
}

# Has the receiving side written 200 KB yet?
got_some() {
	[ "$(wc -c <"$T/out")" -gt 200000 ]
}

# Has it written anything yet?
flowing() {
	[ -s "$T/out" ]
}

# --- objects removed under running programs ---------------------------------

t_rm_waiting_receiver() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/err" msgq/receiver -k "$k"
	r=$!
	wait_for blocked_in "$r" do_msgrcv && ipcrm -q "$(queue_id "$k")" &&
		ended_with "$r" 1 "$T/err" \
			'^msgq/receiver: msgrcv: .*\((EIDRM|EINVAL)\)$' &&
		grep -q 'hint: the queue was removed while we used it' "$T/err" &&
		nothing_with "$k"
}

t_rm_waiting_sender() {
	k=$(new_key)
	start "$T/data" /dev/null "$T/err" msgq/sender -b -k "$k"
	s=$!
	wait_for blocked_in "$s" do_msgsnd && ipcrm -q "$(queue_id "$k")" &&
		ended_with "$s" 1 "$T/err" \
			'^msgq/sender: msgsnd: .*\((EIDRM|EINVAL)\)$' &&
		nothing_with "$k"
}

# A server waiting for work, and a client waiting for its answer when the
# server's queue is removed under it (the server stopped, in effect).
t_rm_reply_mode() {
	k=$(new_key)
	start /dev/null /dev/null "$T/r.err" msgq/server -k "$k"
	r=$!
	wait_for blocked_in "$r" do_msgrcv && ipcrm -q "$(queue_id "$k")" &&
		ended_with "$r" 1 "$T/r.err" '\((EIDRM|EINVAL)\)$' &&
		perl -e 'msgget(hex($ARGV[0]), 01600) // die' "$k" &&
		start /dev/null /dev/null "$T/s.err" msgq/client -k "$k" question
	s=$!
	wait_for blocked_in "$s" do_msgrcv && ipcrm -q "$(queue_id "$k")" &&
		ended_with "$s" 1 "$T/s.err" 'the server stopped: its queue is gone' &&
		nothing_with "$k"
}

# Mid-stream: both ends stop, the output is a prefix, nothing left.
t_rm_streaming_queue() {
	k=$(new_key)
	slow_data || return 1
	start "$T/fifo.in" /dev/null "$T/s.err" msgq/sender -b -k "$k"
	s=$!
	start /dev/null "$T/out" "$T/r.err" msgq/receiver -k "$k"
	r=$!
	wait_for got_some && ipcrm -q "$(queue_id "$k")" &&
		ended_with "$r" 1 "$T/r.err" '\((EIDRM|EINVAL)\)$' &&
		ended_with "$s" 1 "$T/s.err" '\((EIDRM|EINVAL)\)$' &&
		is_prefix "$T/out" "$T/data" && nothing_with "$k"
}

t_rm_waiting_sem() {
	k=$(new_key)
	start /dev/null /dev/null "$T/err" sem/wait -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop && ipcrm -s "$(set_id "$k")" &&
		ended_with "$w" 1 "$T/err" \
			'^sem/wait: semop P: .*\((EIDRM|EINVAL)\)$' &&
		nothing_with "$k"
}

# Inside a 30-second critical section: found out within a second or so.
t_rm_holding_sem() {
	k=$(new_key)
	sem/post -q -k "$k" &&
		start /dev/null "$T/out" "$T/err" sem/wait -k "$k" -s 30
	w=$!
	wait_for grep -q enter "$T/out" && ipcrm -s "$(set_id "$k")" &&
		ended_with "$w" 1 "$T/err" '\((EIDRM|EINVAL)\)$' &&
		nothing_with "$k"
}

# A writer waiting for a reader that never came: removing its segment
# (which only takes the key away) means no reader ever can; removing its
# set wakes it at once.  Either way it says so and leaves nothing.
t_rm_waiting_writer() {
	k=$(new_key)
	start "$T/data" /dev/null "$T/err" shm/writer -k "$k" -s 2 -z 4096
	w=$!
	wait_for blocked_in "$w" semtimedop && ipcrm -m "$(segment_id "$k")" &&
		ended_with "$w" 1 "$T/err" 'our segment was removed' &&
		nothing_with "$k" &&
		start "$T/data" /dev/null "$T/err" shm/writer -k "$k" -s 2 -z 4096
	w=$!
	wait_for blocked_in "$w" semtimedop && ipcrm -s "$(set_id "$k")" &&
		ended_with "$w" 1 "$T/err" \
			'^shm/writer: semop P: .*\((EIDRM|EINVAL)\)$' &&
		nothing_with "$k"
}

# Mid-stream, the set removed: both ends stop at once; the output is a
# prefix; the segment goes too.
t_rm_streaming_set() {
	k=$(new_key)
	slow_data || return 1
	start "$T/fifo.in" /dev/null "$T/w.err" shm/writer -k "$k" -z 65536
	w=$!
	start /dev/null "$T/out" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for got_some && ipcrm -s "$(set_id "$k")" &&
		ended_with "$r" 1 "$T/r.err" '\((EIDRM|EINVAL)\)$' &&
		ended_with "$w" 1 "$T/w.err" '\((EIDRM|EINVAL)\)$' &&
		is_prefix "$T/out" "$T/data" && nothing_with "$k"
}

# Mid-stream, the segment removed: that only marks it; both ends keep it
# attached, so the stream completes, exact, and then it is gone.
t_rm_streaming_segment() {
	k=$(new_key)
	slow_data || return 1
	start "$T/fifo.in" /dev/null "$T/w.err" shm/writer -k "$k" -z 65536
	w=$!
	start /dev/null "$T/out" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for got_some && ipcrm -m "$(segment_id "$k")" &&
		exits_with "$w" 0 && exits_with "$r" 0 &&
		cmp "$T/out" "$T/data" && nothing_with "$k"
}

t_rm_counter() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/err" shm/counter -k "$k" -n 100000000
	c=$!
	wait_for has_segment "$k" && sleep 0.3 && ipcrm -s "$(set_id "$k")" &&
		ended_with "$c" 1 "$T/err" '\((EIDRM|EINVAL)\)$' &&
		wait_for nothing_with "$k"
}

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
check "removed under a waiting receiver: EIDRM, exit 1" t_rm_waiting_receiver
check "removed under a sender waiting for room: EIDRM, exit 1" \
	t_rm_waiting_sender
check "removed under reply mode, both sides" t_rm_reply_mode
check "queue removed mid-stream: both stop, output a prefix" \
	t_rm_streaming_queue
check "set removed under a waiting sem/wait" t_rm_waiting_sem
check "set removed during a critical section: noticed within a second" \
	t_rm_holding_sem
check "segment or set removed under a writer waiting for its reader" \
	t_rm_waiting_writer
check "ring's set removed mid-stream: both stop, prefix, nothing left" \
	t_rm_streaming_set
check "segment removed mid-stream: only marked, the stream completes" \
	t_rm_streaming_segment
check "counter's set removed while it counts" t_rm_counter
check "receiver, then sender interrupted: a drain gets the rest and the cut" \
	t_cut_with_queued
check "msgq pair: random STOP/CONT/INT, $ROUNDS rounds: prefix, nothing left" \
	t_shake_queue
check "shm pair: random STOP/CONT/INT, $ROUNDS rounds: prefix, nothing left" \
	t_shake_ring
check "sem/wait pair: random STOP/CONT/INT, $ROUNDS rounds: value restored" \
	t_shake_sem
done_testing
