#!/bin/sh
# tests/outsider-perf.sh - what an outside probe of the fast-path change
# (6f9c4e5..5b36139) found: shm/writer faults in its whole ring at the
# start (madvise MADV_POPULATE_WRITE), a call that no caught signal
# interrupts.  Ctrl-C on a writer with a big ring waits until every page
# is made (9 s for 4 GiB here), and a stream of 3 bytes keeps its whole
# ring in memory until a reader comes.  And msgq/receiver ticks (SIGALRM
# each second) for its whole run now: a tick that lands while it writes
# to a slow stderr (a full pipe) cuts that write short (EINTR), and stdio
# drops the line - the very one that says what was lost (new), or that
# the stream was cut (older: said in a wait, when the tick ran before).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

nothing_left() {
	! has_segment "$1" && ! has_set "$1"
}

# Milliseconds on the clock, for how long a program took to stop.
ms() {
	echo $(($(date +%s%N) / 1000000))
}

# Ctrl-C on a writer as soon as its ring (2 GiB: 32 slots of 64 MiB) is
# made, no reader: it stops within 2 s (exit 130), nothing left.  (It
# went on making the ring's pages first: 4.5 s here, and 9 s for 4 GiB.)
# Its input, a pipe with nothing in it yet: the ring's pages are made by
# the writer alone, never filled with 2 GiB of data.
t_sigint_as_a_big_ring_is_made() {
	k=$(new_key)
	mkfifo "$T/in" && exec 4<>"$T/in" || return 1
	start "$T/in" /dev/null "$T/w.err" shm/writer -k "$k" -s 32 \
		-z $((64 << 20))
	w=$!
	exec 4>&-
	wait_for has_segment "$k" && t0=$(ms) && interrupt "$w" &&
		exits_with "$w" 130 && t1=$(ms) &&
		{ [ $((t1 - t0)) -le $((2000 * SLOW)) ] ||
			{ echo "# stopped after $((t1 - t0)) ms" >&2; false; }; } &&
		nothing_left "$k"
}

# A stream of 3 bytes through a ring of 1 GiB (16 slots of 64 MiB): the
# writer ends it and leaves it for a reader, and the segment holds the
# pages it used, not the whole ring (rss, /proc/sysvipc/shm: < 16 MiB;
# it was the whole 1 GiB).  Then a reader takes it, byte-exact.
t_small_stream_big_ring() {
	k=$(new_key)
	echo hi >"$T/hi"
	exits 0 timeout $((30 * SLOW)) shm/writer -q -k "$k" -s 16 \
		-z $((64 << 20)) <"$T/hi" &&
		rss=$(ipc_field shm "$k" 15) &&
		{ [ "$rss" -lt $((16 << 20)) ] ||
			{ echo "# rss $rss bytes" >&2; false; }; }
	rc=$?
	exits 0 timeout $((30 * SLOW)) shm/reader -q -k "$k" >"$T/out" &&
		cmp "$T/hi" "$T/out" && nothing_left "$k" && return $rc
}

# slow_stderr: our stderr, from here on, a full pipe (64 KiB of NULs in
# it) that is read only 3 s later, into $T/said without the NULs.
slow_stderr() {
	rm -f "$T/errpipe" "$T/said"
	mkfifo "$T/errpipe" || return 1
	{ sleep 3; tr -d '\000'; } <"$T/errpipe" >"$T/said" &
	echo $! >>"$T/pids"
}

# A receiver whose output fails (/dev/full) while its stderr is slow: it
# says which message was lost, however long stderr takes (the line was
# dropped).
t_loss_said_to_a_slow_stderr() {
	k=$(new_key)
	seq 1 100000 >"$T/seq"
	start "$T/seq" /dev/null /dev/null msgq/sender -q -b -k "$k"
	s=$!
	slow_stderr && wait_for has_queue "$k" || return 1
	receiver_to_slow_stderr /dev/full \
		'^msgq/receiver: write: .*(ENOSPC); 8192 bytes of message 1 lost'
}

# receiver_to_slow_stderr OUT LINE: msgq/receiver on key $k, its output
# to OUT, its stderr (slow_stderr's pipe) already full: it exits 1, and
# LINE reaches the end of the pipe whole, however long that takes.
receiver_to_slow_stderr() {
	{ head -c 65536 /dev/zero >&2; exec timeout $((20 * SLOW)) \
		msgq/receiver -q -k "$k" </dev/null >"$1"; } \
		2>"$T/errpipe" &
	r=$!
	echo "$r" >>"$T/pids"
	exits_with "$r" 1 && sleep 3 && wait_for grep -q "$2" "$T/said"
}

# A receiver whose sender is killed (kill -9) while its stderr is slow:
# it says the stream was cut (the line was dropped: exit 1, not a word).
# Not new with the change: before it, the tick ran during each wait, and
# this line is said in a wait; this check fails at 6f9c4e5 too.
t_cut_said_to_a_slow_stderr() {
	k=$(new_key)
	start /dev/zero /dev/null /dev/null msgq/sender -q -b -k "$k"
	s=$!
	slow_stderr && wait_for messages_are "$k" 2 &&
		kill -9 "$(child_of "$s")" || return 1
	receiver_to_slow_stderr /dev/null \
		'^msgq/receiver: the stream is cut: its sender (PID [0-9]*) is gone' &&
		exits_with "$s" 137 && nothing_with "$k"
}

# A sender whose standard input fails (a directory) while its stderr is
# slow: it says why (the line was dropped: exit 1, not a word).
t_read_error_said_to_a_slow_stderr() {
	k=$(new_key)
	slow_stderr || return 1
	{ head -c 65536 /dev/zero >&2; exec timeout $((20 * SLOW)) \
			msgq/sender -q -b -k "$k" </; } 2>"$T/errpipe" &
	s=$!
	echo "$s" >>"$T/pids"
	exits_with "$s" 1 && sleep 3 && wait_for grep -q \
		'^msgq/sender: read (stdin): Is a directory (EISDIR)' "$T/said"
}

check "Ctrl-C as a 2 GiB ring is made: exit 130 within 2 s, nothing left" \
	t_sigint_as_a_big_ring_is_made
check "3 bytes through a 1 GiB ring: not the whole ring in memory" \
	t_small_stream_big_ring
check "receiver: a loss said, to a slow stderr too" \
	t_loss_said_to_a_slow_stderr
check "sender: a failed read said, to a slow stderr too" \
	t_read_error_said_to_a_slow_stderr
check "receiver: a cut stream said, to a slow stderr too" \
	t_cut_said_to_a_slow_stderr
done_testing
