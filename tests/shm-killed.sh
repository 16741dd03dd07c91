#!/bin/sh
# tests/shm-killed.sh - shm/writer and shm/reader: a peer killed in any
# state (running, stopped, before its first slot, after the end, with a
# look held up): the other side sees it within 3 s, says so, and leaves
# nothing.  Split from shm.sh to run beside it.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-shm.sh
. "$(dirname "$0")/lib-shm.sh"

t_reader_killed_stopped() { reader_killed_mid_stream stopped; }

# The reader killed before it took its first slot: stopped on an empty
# ring, and then the writer fills the ring (the issue's case: a stopped
# reader is not waiting in semop, so it never gets a slot); or running,
# blocked on FILLED while the writer waits for input.  Either way the
# writer says the reader has gone, exits 1, and nothing is left.
t_reader_killed_stopped_before_a_slot() {
	k=$(new_key)
	start /dev/null /dev/null "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop && kill -STOP "$(child_of "$r")" &&
		wait_for stopped "$r" || return 1
	start "$T/big" /dev/null "$T/w.err" shm/writer -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		[ "$(sem_get "$k" 1 GETVAL)" = 2 ] && [ "$(sem_get "$k" 4 GETVAL)" = 0 ] &&
		kill_as "$r" stopped "$w" && exits_with "$w" 1 &&
		grep -q 'the reader has gone before the end .*(killed?)' "$T/w.err" &&
		nothing_left "$k"
}

t_reader_killed_running_before_a_slot() {
	k=$(new_key)
	mkfifo "$T/fifo.kb" && exec 3<>"$T/fifo.kb" || return 1
	start "$T/fifo.kb" /dev/null "$T/w.err" shm/writer -k "$k"
	w=$!
	wait_for has_segment "$k" || return 1
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop && [ "$(sem_get "$k" 3 GETVAL)" = 1 ] &&
		kill_as "$r" running "$w" && exits_with "$w" 1 &&
		grep -q 'the reader has gone before the end .*(killed?)' "$T/w.err" &&
		[ ! -s "$T/copy" ] && nothing_left "$k"
}

# The writer killed in STATE (running or stopped), mid-stream or before
# its first slot (FIRST: bytes to send first, 0 for none), its input a
# FIFO: the reader says the writer has gone, exits 1, what it wrote is a
# prefix of the input, and nothing is left.
writer_killed() {
	k=$(new_key)
	mkfifo "$T/fifo.kw$1$2" && exec 3<>"$T/fifo.kw$1$2" || return 1
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for has_set "$k" || return 1
	start "$T/fifo.kw$1$2" /dev/null "$T/w.err" shm/writer -k "$k" -z 1024
	w=$!
	head -c "$2" "$T/big" >&3 && wait_for size_at_least "$T/copy" "$2" &&
		wait_for has_segment "$k" && wait_for blocked_in "$w" pipe_read &&
		wait_for blocked_in "$r" semtimedop &&
		kill_as "$w" "$1" "$r" && exits_with "$r" 1 &&
		grep -q 'the writer has gone before the end .*incomplete' "$T/r.err" &&
		head -c "$(wc -c <"$T/copy")" "$T/big" | cmp - "$T/copy" &&
		nothing_left "$k"
}

# A reader killed while it waits for a writer that never came took
# nothing: the next reader is let in, not told the stream is broken, and
# a writer then streams to it, byte-exact; and a writer that comes first
# after such a death streams as well.
t_reader_killed_with_no_writer() {
	k=$(new_key)
	head -c 100000 "$T/big" >"$T/100k"
	for first in reader writer; do
		start /dev/null /dev/null /dev/null shm/reader -k "$k"
		r=$!
		wait_for blocked_in "$r" semtimedop &&
			kill -KILL "$(child_of "$r")" && exits_with "$r" 137 ||
			return 1
		if [ $first = reader ]; then
			start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
			r=$!
			wait_for blocked_in "$r" semtimedop &&
				shm/writer -q -k "$k" -z 4096 <"$T/100k" &&
				exits_with "$r" 0
		else
			start "$T/100k" /dev/null "$T/w.err" shm/writer -k "$k" -z 4096
			w=$!
			wait_for blocked_in "$w" semtimedop &&
				shm/reader -q -k "$k" >"$T/copy" && exits_with "$w" 0
		fi && cmp "$T/100k" "$T/copy" && nothing_left "$k" && continue
		diag "$first first"
		return 1
	done
}

t_writer_killed_stopped() { writer_killed stopped 5000; }

t_writer_killed_stopped_before_a_slot() { writer_killed stopped 0; }

t_writer_killed_running_before_a_slot() { writer_killed running 0; }

# A reader stopped before its first slot and killed after the writer has
# ended the stream (exit 0) leaves its death notice, STARTED 1 - but it
# took nothing.  The next reader sees every slot still filled, clears the
# notice and reads the whole stream; nothing is left.
t_reader_killed_stopped_after_the_end() {
	k=$(new_key)
	head -c 100000 "$T/big" >"$T/small" || return 1
	start /dev/null /dev/null "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop && kill -STOP "$(child_of "$r")" &&
		wait_for stopped "$r" || return 1
	exits 0 timeout $((20 * SLOW)) shm/writer -k "$k" -s 8 <"$T/small" \
		2>"$T/w.err" && kill -KILL "$(child_of "$r")" &&
		exits_with "$r" 137 && [ "$(sem_get "$k" 4 GETVAL)" = 1 ] &&
		exits 0 timeout $((20 * SLOW)) shm/reader -k "$k" >"$T/copy" \
			2>"$T/r2.err" && cmp "$T/copy" "$T/small" && nothing_left "$k"
}

# The writer killed (or interrupted) before its first slot, then Ctrl-C
# on the reader before its once-a-second look: no writer, nothing to read,
# so the reader removes the ring - nothing is left.  The reader is held
# (SIGSTOP) from before the writer goes until its Ctrl-C is pending: a
# loaded machine took over a second between the two, the reader looked
# first, found the writer gone and exited 1.
reader_last_out() {
	k=$(new_key)
	mkfifo "$T/fifo.lo$1" && exec 3<>"$T/fifo.lo$1" || return 1
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop || return 1
	start "$T/fifo.lo$1" /dev/null "$T/w.err" shm/writer -k "$k"
	w=$!
	wait_for blocked_in "$w" pipe && rp=$(child_of "$r") &&
		kill -STOP "$rp" && wait_for stopped "$r" &&
		kill "-$1" "$(child_of "$w")" &&
		exits_with "$w" $((128 + $2)) &&
		[ "$(sem_get "$k" 2 GETVAL)" = 0 ] && interrupt "$r" &&
		kill -CONT "$rp" &&
		exits_with "$r" 130 && [ ! -s "$T/copy" ] && nothing_left "$k"
	rc=$?
	[ -z "${rp:-}" ] || kill -CONT "$rp" 2>/dev/null
	return $rc
}

t_reader_last_out_after_kill() { reader_last_out KILL 9; }

t_reader_last_out_after_sigint() { reader_last_out INT 2; }

# A tick spent before the wait (issue 25, item 4): strace holds the
# syscall that arms the once-a-second look (alarm or setitimer, its WHEN-th
# call) for 1.5 s, so its first SIGALRM comes before the call blocks.
INJECT=alarm,setitimer:delay_exit=1500000:when
# Is the program under strace under timeout process $1 asleep in $2?
traced_in() {
	c=$(child_of "$(child_of "$1")")
	[ -n "$c" ] && grep -q "$2" "/proc/$c/wchan" 2>/dev/null
}

# The writer, its look held up before it waits (in P(FREE), WHEN 3, on a
# stopped reader; or in read(2), WHEN 2, on a FIFO with nothing in it):
# the reader killed, the writer must see it within 3 s all the same.
writer_tick_spent() {
	no_strace && return 0
	k=$(new_key)
	mkfifo "$T/fifo.ts$1" && exec 3<>"$T/fifo.ts$1" || return 1
	[ "$1" = 2 ] || head -c 4096 /dev/zero >&3 || return 1
	start /dev/null /dev/null "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop || return 1
	[ "$1" = 2 ] || { kill -STOP "$(child_of "$r")" &&
		wait_for stopped "$r"; } || return 1
	start "$T/fifo.ts$1" /dev/null "$T/w.err" env \
		ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null -e \
		trace=alarm,setitimer -e inject="$INJECT=$1" \
		shm/writer -k "$k" -s 1 -z 1024
	w=$!
	wait_for traced_in "$w" "$2" &&
		kill_as "$r" "$([ "$1" = 2 ] && echo running || echo stopped)" \
			"$w" && exits_with "$w" 1 &&
		grep -q 'the reader has gone before the end' "$T/w.err" &&
		nothing_left "$k"
}

t_writer_tick_spent_in_p() { writer_tick_spent 3 semtimedop; }

t_writer_tick_spent_in_read() { writer_tick_spent 2 pipe; }

# The reader, its look held up before its first P: the writer killed
# before its first slot, the reader must see it within 3 s.
t_reader_tick_spent() {
	no_strace && return 0
	k=$(new_key)
	mkfifo "$T/fifo.tr" && exec 3<>"$T/fifo.tr" || return 1
	start /dev/null "$T/copy" "$T/r.err" env ASAN_OPTIONS=detect_leaks=0 \
		strace -qq -o /dev/null -e trace=alarm,setitimer \
		-e inject="$INJECT=1" shm/reader -k "$k"
	r=$!
	wait_for has_set "$k" || return 1
	start "$T/fifo.tr" /dev/null "$T/w.err" shm/writer -k "$k"
	w=$!
	wait_for blocked_in "$w" pipe && wait_for traced_in "$r" semtimedop &&
		kill_as "$w" running "$r" && exits_with "$r" 1 &&
		grep -q 'the writer has gone' "$T/r.err" && nothing_left "$k"
}

check "kill -9 of a stopped reader: the writer exits 1 within 3 s" \
	t_reader_killed_stopped
check "kill -9 of a reader stopped before its first slot: the writer sees it" \
	t_reader_killed_stopped_before_a_slot
check "kill -9 of a reader waiting for its first slot: the writer sees it" \
	t_reader_killed_running_before_a_slot
check "a reader killed with no writer yet breaks nothing" \
	t_reader_killed_with_no_writer
check "kill -9 of a stopped writer: the reader exits 1 within 3 s" \
	t_writer_killed_stopped
check "kill -9 of a writer stopped before its first slot: the reader sees it" \
	t_writer_killed_stopped_before_a_slot
check "kill -9 of a writer before its first slot: the reader sees it" \
	t_writer_killed_running_before_a_slot
check "a look held up in the writer's P: the reader's death seen" \
	t_writer_tick_spent_in_p
check "a look held up in the writer's read: the reader's death seen" \
	t_writer_tick_spent_in_read
check "a look held up in the reader's first P: the writer's death seen" \
	t_reader_tick_spent
check "a reader killed stopped after the end took nothing: the next reads all" \
	t_reader_killed_stopped_after_the_end
check "Ctrl-C on a reader after its writer was killed: nothing left" \
	t_reader_last_out_after_kill
check "Ctrl-C on a reader after its writer's Ctrl-C: nothing left" \
	t_reader_last_out_after_sigint
done_testing
