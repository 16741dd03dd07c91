# shellcheck shell=sh
# tests/lib-shm.sh - sourced, after lib.sh, by the ring's test scripts
# (shm.sh, shm-outsider.sh, shm-killed.sh, shm-hostile.sh: one topic,
# split so that they run side by side): what more than one of them uses.
# $T/big, 64 MiB of random bytes, is made here.

nothing_left() {
	! has_segment "$1" && ! has_set "$1"
}

# How many processes have the segment attached (/proc/sysvipc/shm).
attached_is() {
	[ "$(ipc_field shm "$1" 7)" = "$2" ]
}

head -c $((64 << 20)) /dev/urandom >"$T/big"

# stream ORDER [WRITER OPTIONS]: FILE through the ring, byte-exact,
# nothing left after.  ORDER is writer-first or reader-first.
stream() {
	order=$1 file=$2
	shift 2
	k=$(new_key)
	if [ "$order" = writer-first ]; then
		start "$file" /dev/null "$T/w.err" shm/writer -k "$k" "$@"
		w=$!
		wait_for has_segment "$k" &&
			timeout $((30 * SLOW)) shm/reader -k "$k" >"$T/copy" 2>"$T/r.err" &&
			exits_with "$w" 0
	else
		start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
		r=$!
		wait_for has_set "$k" &&
			timeout $((30 * SLOW)) shm/writer -k "$k" "$@" <"$file" 2>"$T/w.err" &&
			exits_with "$r" 0
	fi &&
		cmp "$file" "$T/copy" && nothing_left "$k"
}

# full_ring NAME: a writer (w) of 64 MiB, a reader (r) writing into FIFO
# $T/fifo.NAME that nobody reads, on key k: both attached, the ring full,
# the writer waiting on it.
full_ring() {
	k=$(new_key)
	mkfifo "$T/fifo.$1" && exec 3<>"$T/fifo.$1" || return 1
	start "$T/big" /dev/null "$T/w.err" shm/writer -k "$k"
	w=$!
	start /dev/null "$T/fifo.$1" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for attached_is "$k" 2 && wait_for blocked_in "$w" semtimedop
}

# How many bytes has file $1?  At least $2?
size_at_least() {
	[ "$(wc -c <"$1")" -ge "$2" ]
}

# Is timeout process $1's program stopped (SIGSTOP, Ctrl-Z)?
stopped() {
	c=$(child_of "$1")
	[ -n "$c" ] && grep -q '^State:.*T (stopped)' "/proc/$c/status"
}

# kill -9 the program that timeout process $1 runs, stopped first if $2
# is "stopped"; its peer, timeout process $3, must end within 3 s (the
# side blocked on the ring looks once a second).
kill_as() {
	c=$(child_of "$1")
	if [ "$2" = stopped ]; then
		kill -STOP "$c" && wait_for stopped "$1" || return 1
	fi
	kill -KILL "$c" && exits_with "$1" 137 || return 1
	if ! timeout $((3 * SLOW)) sh -c \
		"while kill -0 $3 2>/dev/null; do sleep 0.05; done"; then
		diag "its peer still runs 3 s after the kill"
		return 1
	fi
}

# The reader killed in STATE (running or stopped) with the ring full in
# mid-stream: the writer says it has gone, exits 1, nothing is left.
reader_killed_mid_stream() {
	full_ring "km$1" &&
		kill_as "$r" "$1" "$w" && exits_with "$w" 1 &&
		grep -q 'the reader has gone before the end .*(killed?)' "$T/w.err" &&
		grep -q 'no reader left: removed the segment' "$T/w.err" &&
		nothing_left "$k"
}
