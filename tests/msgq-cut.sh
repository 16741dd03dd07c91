#!/bin/sh
# tests/msgq-cut.sh - a cut stream never looks whole.  The textbook message
# has no room for a "cut" mark: a sender that stops before the end of its
# input (kill -9, Ctrl-C, a failure) simply sends no end.  msgq/receiver
# sees it when the queue is empty, no end came, and the last sender
# (msg_lspid) is gone - in every start order, with a receiver restarted
# mid-stream, and when the dead sender's PID was given to a new process.
# It must not see a cut where there is none: two senders, one done and one
# still running, is a stream going on.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# A sender whose input gives "a" and then stays open (a fifo held by our
# fd 3, opened after the sender, so that it alone reads it, and closing
# fd 3 is its end of input): it sends "a" and waits to read more.  Sets s
# (its timeout).
sender_on_fifo() {
	rm -f "$T/fifo" && mkfifo "$T/fifo" || return 1
	start "$T/fifo" /dev/null "$T/s.err" msgq/sender -k "$1" &&
		s=$! && exec 3>"$T/fifo" && echo a >&3
}

# Receiver first: the sender, killed by kill -9 after "a", sent no end.
# The receiver, waiting, says so within 2 s (it ticks each second), exit
# 1, having written "a"; the queue is gone.  It does not then say that
# more may come: nothing will (a student read the two lines as a riddle).
t_killed_receiver_first() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/r.err" msgq/receiver -k "$k"
	r=$!
	wait_for has_queue "$k" && sender_on_fifo "$k" &&
		wait_for [ -s "$T/out" ] && wait_for blocked_in "$r" msgrcv &&
		kill -9 "$(child_of "$s")" && exits_with "$s" 137 &&
		t0=$(date +%s) && exits_with "$r" 1 &&
		[ $(($(date +%s) - t0)) -le $((3 * SLOW)) ] &&
		echo a | cmp - "$T/out" &&
		grep -q '^msgq/receiver: the stream is cut: its sender (PID [0-9]*) is gone, and sent no end of stream' "$T/r.err" &&
		! grep -q 'end of stream (an empty' "$T/r.err" &&
		! grep -q 'more may come' "$T/r.err" && nothing_with "$k"
	rc=$?
	exec 3>&-
	return $rc
}

# Sender first: killed after "a" with no receiver running; a receiver
# started later takes "a", says the stream is cut, exit 1, nothing left.
t_killed_sender_first() {
	k=$(new_key)
	sender_on_fifo "$k" && wait_for messages_are "$k" 1 &&
		kill -9 "$(child_of "$s")" && exits_with "$s" 137 &&
		timeout $((10 * SLOW)) msgq/receiver -k "$k" >"$T/out" 2>"$T/r.err"
	rc=$?
	exec 3>&-
	[ $rc -eq 1 ] && echo a | cmp - "$T/out" &&
		grep -q '^msgq/receiver: the stream is cut' "$T/r.err" &&
		nothing_with "$k"
}

# Ctrl-C to a sender with no receiver running: it says its stream is cut;
# the receiver started after says so too, exit 1.
t_interrupted_sender_first() {
	k=$(new_key)
	sender_on_fifo "$k" && wait_for messages_are "$k" 1 &&
		wait_for blocked_in "$s" read && interrupt "$s" &&
		exits_with "$s" 130 &&
		grep -q '^msgq/sender: the stream is cut: no end of stream was sent' "$T/s.err" &&
		timeout $((10 * SLOW)) msgq/receiver -q -k "$k" >"$T/out" 2>"$T/r.err"
	rc=$?
	exec 3>&-
	[ $rc -eq 1 ] && echo a | cmp - "$T/out" &&
		grep -q '^msgq/receiver: the stream is cut' "$T/r.err" &&
		nothing_with "$k"
}

# A receiver restarted mid-stream: the first is stopped (Ctrl-C) while
# the sender runs (the queue stays for it), then the sender is killed with
# nothing queued.  The next receiver takes nothing, but the queue's last
# sender and last receiver are both gone and no end came: cut, exit 1, and
# the empty queue is removed.  (-n too: it stops with the same word.)
t_receiver_restarted() {
	for n in "" -n; do
		k=$(new_key)
		start /dev/null "$T/out" "$T/r.err" msgq/receiver -q -k "$k"
		r=$!
		wait_for has_queue "$k" && sender_on_fifo "$k" &&
			wait_for [ -s "$T/out" ] && interrupt "$r" &&
			exits_with "$r" 130 && has_queue "$k" &&
			kill -9 "$(child_of "$s")" && exits_with "$s" 137 &&
			timeout $((10 * SLOW)) msgq/receiver ${n:+"$n"} -k "$k" \
				>"$T/out2" 2>"$T/r2.err"
		rc=$?
		exec 3>&-
		if [ $rc -ne 1 ] || [ -s "$T/out2" ] ||
			! grep -q '^msgq/receiver: the stream is cut: its sender (PID [0-9]*) is gone, and so is the receiver before us' "$T/r2.err" ||
			! nothing_with "$k"; then
			diag "receiver $n: exit $rc" "$(cat "$T/r2.err")"
			return 1
		fi
	done
}

# Two senders to one receiver (-e 2): the first sends its line and its end
# and exits; the second has sent a line and waits for input.  The last
# sender is gone and the queue empty, but the last message was an end:
# no cut - the receiver waits on (3 s, three ticks), and when the second
# ends, exits 0 with both lines.  Then the same with the second killed
# after its line: its data was the last message, its sender is gone: cut.
t_two_senders() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/r.err" msgq/receiver -q -e 2 -k "$k"
	r=$!
	wait_for has_queue "$k" && sender_on_fifo "$k" &&
		wait_for [ -s "$T/out" ] && msgq/sender -q -k "$k" b &&
		wait_for messages_are "$k" 0 && sleep 3 && ! gone "$r" &&
		exec 3>&- && exits_with "$s" 0 && exits_with "$r" 0 &&
		[ "$(sort "$T/out" | tr '\n' ' ')" = "a b " ] || return 1
	start /dev/null "$T/out" "$T/r.err" msgq/receiver -e 2 -k "$k"
	r=$!
	wait_for has_queue "$k" && msgq/sender -q -k "$k" b &&
		sender_on_fifo "$k" && wait_for messages_are "$k" 0 &&
		wait_for grep -q '^a$' "$T/out" &&
		kill -9 "$(child_of "$s")" && exits_with "$s" 137 &&
		exits_with "$r" 1 && grep -q 'the stream is cut' "$T/r.err" &&
		nothing_with "$k"
	rc=$?
	exec 3>&-
	return $rc
}

# PID reuse: in a PID namespace of its own (and an IPC one), the sender is
# killed after "a", and 5 s later a new process is made to get its PID
# (ns_last_pid).  5 s: the receiver reckons a start time in whole seconds
# (boot time plus ticks, each rounded down: up to 2 s early) and gives
# 2 s of doubt; after 3 s, CI once saw it take the new process for the
# sender.  kill(PID, 0) finds that process alive, but it started
# after the queue's last send: it is not the sender.  The receiver says the
# stream is cut, exit 1 - it used to wait for ever.
# shellcheck disable=SC2016 # the inner sh expands its own variables
t_sender_pid_reused() {
	if ! unshare --pid --fork --mount-proc --ipc true 2>/dev/null; then
		echo "unshare --pid --ipc is not allowed here" >"$T/skip"
		return 0
	fi
	rm -f "$T/fifo" && mkfifo "$T/fifo" || return 1
	timeout $((30 * SLOW)) unshare --pid --fork --mount-proc --ipc sh -c '
		exec 3<>"$4"
		msgq/sender -q -k 0x1234 <"$4" &
		s=$!
		echo a >&3
		n=0
		until [ "$(awk "\$1 == 4660 { print \$5 }" /proc/sysvipc/msg)" = 1 ]; do
			n=$((n + 1)); [ $n -lt 500 ] || exit 3; sleep 0.02
		done
		kill -9 "$s"; wait "$s" 2>/dev/null
		sleep 5
		echo $((s - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 30 &
		[ "$!" = "$s" ] || exit 4
		timeout 10 msgq/receiver -k 0x1234 >"$1" 2>"$2"
		echo $? >"$3"
		kill "$!" 2>/dev/null
		exit 0' sh "$T/out" "$T/r.err" "$T/rc" "$T/fifo"
	rc=$?
	if [ $rc -eq 4 ]; then
		echo "the PID could not be given again" >"$T/skip"
		return 0
	fi
	if [ $rc -ne 0 ] || [ "$(cat "$T/rc")" != 1 ] ||
		! echo a | cmp - "$T/out" ||
		! grep -q '^msgq/receiver: the stream is cut: its sender (PID [0-9]*) is gone' "$T/r.err"; then
		diag "exit $rc, receiver $(cat "$T/rc" 2>/dev/null)" "$(cat "$T/r.err")"
		return 1
	fi
}

check "kill -9 the sender, receiver first: cut said, exit 1" \
	t_killed_receiver_first
check "kill -9 the sender, receiver after: cut said, exit 1" \
	t_killed_sender_first
check "Ctrl-C the sender, receiver after: cut said by both, exit 1" \
	t_interrupted_sender_first
check "a receiver restarted after the sender died: cut said, exit 1" \
	t_receiver_restarted
check "two senders: one done, one running is no cut; one killed is" \
	t_two_senders
check "the dead sender's PID given to a new process: still cut" \
	t_sender_pid_reused
done_testing
