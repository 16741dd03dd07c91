#!/bin/sh
# tests/outsider-perf.sh - what an outside probe of the fast-path change
# (6f9c4e5..5b36139) found: shm/writer faults in its whole ring at the
# start (madvise MADV_POPULATE_WRITE), a call that no caught signal
# interrupts.  Ctrl-C on a writer with a big ring waits until every page
# is made (9 s for 4 GiB here), and a stream of 3 bytes keeps its whole
# ring in memory until a reader comes.
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
t_sigint_as_a_big_ring_is_made() {
	k=$(new_key)
	start /dev/zero /dev/null "$T/w.err" shm/writer -k "$k" -s 32 \
		-z $((64 << 20))
	w=$!
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

check "Ctrl-C as a 2 GiB ring is made: exit 130 within 2 s, nothing left" \
	t_sigint_as_a_big_ring_is_made
check "3 bytes through a 1 GiB ring: not the whole ring in memory" \
	t_small_stream_big_ring
done_testing
