# shellcheck shell=sh
# tests/lib-faults.sh - sourced, after lib.sh, by faults.sh and
# faults-random.sh (one topic, split so that the two run side by side):
# what both use.  $T/data, 8 MiB of random bytes, is made here.

# The ids behind a key, as ipcrm -q/-s/-m takes them.
queue_id() { ipc_field msg "$1" 2; }
set_id() { ipc_field sem "$1" 2; }
segment_id() { ipc_field shm "$1" 2; }

# ended_with PID STATUS ERRFILE REGEX: the peer ends within 3 s (x SLOW;
# not at its timeout), with STATUS and REGEX on stderr.
# shellcheck disable=SC2153 # SLOW: lib.sh's
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
