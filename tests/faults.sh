#!/bin/sh
# tests/faults.sh - the world changing under running programs: their
# objects removed from outside (ipcrm by id) while they wait and while they
# stream.  Every program must end promptly with a clear message, never hang,
# never crash; what arrived is always a prefix of what was sent; nothing is
# left.  (SIGSTOP, SIGCONT and SIGINT at random moments: faults-random.sh.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-faults.sh
. "$(dirname "$0")/lib-faults.sh"

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
		ended_with "$r" 1 "$T/r.err" '\((EIDRM|EINVAL)\)$' || return 1
	# The client's side: a server stopped (SIGSTOP), so the answer waits.
	# (A client talks to a signed queue only: no perl-made one here.)
	start /dev/null /dev/null "$T/r.err" msgq/server -q -k "$k"
	r=$!
	wait_for messages_are "$k" 1 && kill -STOP "$(child_of "$r")" &&
		start /dev/null /dev/null "$T/s.err" msgq/client -k "$k" question
	s=$!
	wait_for blocked_in "$s" do_msgrcv && ipcrm -q "$(queue_id "$k")" &&
		ended_with "$s" 1 "$T/s.err" 'the server stopped: its queue is gone' &&
		kill -CONT "$(child_of "$r")" &&
		ended_with "$r" 1 "$T/r.err" '\((EIDRM|EINVAL)\)$' &&
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
done_testing
