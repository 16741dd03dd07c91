#!/bin/sh
# tests/output.sh - every msgq program that writes data, and sem/wait, with
# its standard output failing: a full device (/dev/full), a pipe whose
# reader has gone (| head -c 1), and a file past its size limit (ulimit
# -f; shm/reader too).  Each says which call failed and exactly
# what was lost, with a hint about the output (not the IPC object), exits
# 1, and leaves on the queue everything it did not take.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# closed_pipe CMD...: run CMD with standard output a pipe whose reader
# has gone already (as after | head -c 1), deterministically.
closed_pipe() {
	perl -e 'pipe(my $r, my $w) or die; close $r;
		open(STDOUT, ">&", $w) or die; exec @ARGV' "$@"
}

# A receiver on /dev/full: message 1 is lost, and said so; the rest of the
# stream (and its end) stays queued, and a second receiver gets it.
t_receiver_full() {
	k=$(new_key)
	msgq/sender -q -k "$k" a bb &&
		msgq/receiver -q -k "$k" >/dev/full 2>"$T/err"
	[ $? -eq 1 ] &&
		grep -q '^msgq/receiver: write: No space left on device (ENOSPC); 2 bytes of message 1 lost$' "$T/err" &&
		grep -q '^msgq/receiver: hint: the disk or device that standard output goes to is full' "$T/err" &&
		! grep -q "limit on" "$T/err" &&
		messages_are "$k" 2 &&
		[ "$(msgq/receiver -q -k "$k")" = bb ] && ! has_queue "$k"
}

# A receiver whose reader went away (EPIPE, not killed by SIGPIPE).
t_receiver_pipe() {
	k=$(new_key)
	seq 1000 | msgq/sender -q -k "$k" &&
		closed_pipe msgq/receiver -q -k "$k" 2>"$T/err"
	[ $? -eq 1 ] &&
		grep -q '^msgq/receiver: write: Broken pipe (EPIPE); 2 bytes of message 1 lost$' "$T/err" &&
		grep -q '^msgq/receiver: hint: whoever read our output (a pipe) has gone away' "$T/err" &&
		messages_are "$k" 1000 && msgq/ctl -q -k "$k" rm
}

# A client on /dev/full: the answer is lost, and said so; its private queue
# is removed; the server serves on.  A server on /dev/full answers the
# request, then stops: the request's copy was not printed.
t_client_server_full() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null msgq/server -q -k "$k"
	r=$!
	wait_for has_queue "$k" &&
		msgq/client -q -k "$k" hello >/dev/full 2>"$T/err"
	[ $? -eq 1 ] &&
		grep -q '^msgq/client: write: .* (ENOSPC); 6 bytes of the answer to request 1 lost$' "$T/err" &&
		[ "$(msgq/client -q -k "$k" again)" = AGAIN ] &&
		interrupt "$r" && exits_with "$r" 130 && ! has_queue "$k" &&
		start /dev/null /dev/full "$T/r.err" msgq/server -q -k "$k"
	r=$!
	wait_for has_queue "$k" &&
		[ "$(msgq/client -q -k "$k" hello)" = HELLO ] &&
		exits_with "$r" 1 &&
		grep -q '^msgq/server: write: .* (ENOSPC); 6 bytes of request 1 not printed (it was answered)$' "$T/r.err" &&
		! has_queue "$k"
}

# msgq/ctl stat into /dev/full and into a closed pipe: exit 1, said.
t_ctl_output() {
	k=$(new_key)
	msgq/sender -q -k "$k" x && msgq/ctl -q -k "$k" stat >/dev/full 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(ENOSPC)$' "$T/err" &&
		grep -q 'hint: the disk or device that standard output' "$T/err" &&
		closed_pipe msgq/ctl -q -k "$k" stat 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(EPIPE)$' "$T/err" &&
		msgq/ctl -q -k "$k" rm
}

# sem/wait -s whose "enter" or "leave" cannot be written gives its seat
# back even without SEM_UNDO (-U): later customers are not locked out.
t_seat_given_back() {
	k=$(new_key)
	sem/post -q -k "$k" &&
		{ sem/wait -q -U -s 1 -k "$k" 2>"$T/err"; echo $? >"$T/rc"; } |
		head -n 1 >/dev/null
	[ "$(cat "$T/rc")" = 1 ] && grep -q '(EPIPE)$' "$T/err" &&
		[ "$(sem_get "$k" 0 GETVAL)" = 1 ] &&
		sem/wait -q -U -s 0 -k "$k" >/dev/full 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(ENOSPC)$' "$T/err" &&
		[ "$(sem_get "$k" 0 GETVAL)" = 1 ] &&
		timeout $((5 * SLOW)) sem/wait -q -n -U -s 0 -k "$k" >/dev/null &&
		sem/ctl -q -k "$k" rm
}

# limited LIMIT OUT CMD...: run CMD with the file size limit (ulimit -f,
# in this shell's blocks) at LIMIT, its standard output into file OUT, its
# standard error through a pipe (a file would be limited too) to $T/err,
# its exit status into $T/rc.
limited() {
	limit=$1 out=$2
	shift 2
	{ (ulimit -f "$limit" && exec "$@" >"$out") 2>&1; echo $? >"$T/rc"; } |
		cat >"$T/err"
}

# at_limit OUT CMD...: as limited, but OUT is a file already past its
# size limit (8 blocks; 8 KiB of "x" is past it in 512- or 1024-byte
# blocks), which CMD appends to: its first write fails.  Not a limit of 0:
# a program may write small files of its own as it starts (valgrind does,
# and dies of SIGXFSZ at 0).
at_limit() {
	out=$1
	shift
	head -c 8192 /dev/zero | tr '\0' x >"$out"
	{ (ulimit -f 8 && exec "$@" >>"$out") 2>&1; echo $? >"$T/rc"; } |
		cat >"$T/err"
}

# untouched OUT: OUT is still what at_limit put there.
untouched() {
	[ "$(wc -c <"$1")" -eq 8192 ] && ! grep -q '[^x]' "$1"
}

# Past the file size limit (ulimit -f) a write fails with EFBIG - unless
# SIGXFSZ kills the writer first, silently, with data in hand.  A reader
# that has taken nothing gives the stream back whole: its writer does not
# call it broken, and the next reader gets every byte.
t_reader_file_limit() {
	k=$(new_key)
	head -c $((5 << 20)) /dev/urandom >"$T/5m"
	start "$T/5m" /dev/null "$T/w.err" shm/writer -q -k "$k" -s 2 -z 65536
	w=$!
	wait_for has_segment "$k" &&
		at_limit "$T/out" timeout $((10 * SLOW)) shm/reader -k "$k" &&
		[ "$(cat "$T/rc")" = 1 ] && untouched "$T/out" &&
		grep -q '^shm/reader: write (stdout): .* (EFBIG); nothing was taken' "$T/err" &&
		grep -q '^shm/reader: hint: the output file reached its size limit' "$T/err" &&
		timeout $((10 * SLOW)) shm/reader -q -k "$k" >"$T/copy" &&
		exits_with "$w" 0 && ! grep -q broken "$T/w.err" &&
		cmp "$T/5m" "$T/copy" && nothing_with "$k"
}

# A receiver stopped by the file size limit mid-message: what it wrote,
# the bytes it names as lost, and what the next receiver gets are the
# stream, whole and in order - no hole.
t_receiver_file_limit() {
	k=$(new_key)
	seq 30000 >"$T/lines"
	start "$T/lines" /dev/null "$T/s.err" msgq/sender -q -k "$k"
	s=$!
	if ! wait_for has_queue "$k" ||
		! limited 100 "$T/out1" timeout $((10 * SLOW)) \
			msgq/receiver -q -k "$k" ||
		[ "$(cat "$T/rc")" != 1 ] || [ ! -s "$T/out1" ]; then
		diag "$(cat "$T/err")"
		return 1
	fi
	# shellcheck disable=SC2046 # "BYTES MESSAGE" splits into two words
	set -- $(sed -n 's/^msgq\/receiver: write: .* (EFBIG); \([0-9]*\) bytes\{0,1\} of message \([0-9]*\) lost$/\1 \2/p' "$T/err")
	[ $# = 2 ] || { diag "$(cat "$T/err")"; return 1; }
	grep -q '^msgq/receiver: hint: the output file reached its size limit' "$T/err" &&
		timeout $((10 * SLOW)) msgq/receiver -q -k "$k" >"$T/out2" &&
		exits_with "$s" 0 &&
		[ "$(head -n "$2" "$T/lines" | wc -c)" -eq \
			$(($(wc -c <"$T/out1") + $1)) ] &&
		head -c "$(wc -c <"$T/out1")" "$T/lines" | cmp - "$T/out1" &&
		tail -n +$(($2 + 1)) "$T/lines" | cmp - "$T/out2" &&
		nothing_with "$k"
}

# sem/wait -U -s whose "enter" cannot be written (a file past its size limit): EFBIG
# said, and the seat given back (no SEM_UNDO would do it under -U).
t_seat_file_limit() {
	k=$(new_key)
	sem/post -q -k "$k" &&
		at_limit "$T/out" sem/wait -q -U -s 1 -k "$k" &&
		[ "$(cat "$T/rc")" = 1 ] && untouched "$T/out" &&
		grep -q '^sem/wait: write (stdout): .* (EFBIG)$' "$T/err" &&
		[ "$(sem_get "$k" 0 GETVAL)" = 1 ] && sem/ctl -q -k "$k" rm &&
		nothing_with "$k"
}

check "receiver on /dev/full: the lost message named, the rest queued" \
	t_receiver_full
check "receiver into a closed pipe: EPIPE, what was lost named" \
	t_receiver_pipe
check "client and server on /dev/full: said, the other serves on" \
	t_client_server_full
check "msgq/ctl stat on /dev/full and a closed pipe: exit 1" t_ctl_output
check "sem/wait -U -s: a failed write gives the seat back" t_seat_given_back
check "shm/reader past ulimit -f: nothing taken, the stream whole" \
	t_reader_file_limit
check "msgq/receiver past ulimit -f: the loss named, no hole" \
	t_receiver_file_limit
check "sem/wait -U -s past ulimit -f: EFBIG, the seat given back" \
	t_seat_file_limit
done_testing
