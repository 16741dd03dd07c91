#!/bin/sh
# tests/output.sh - every msgq program that writes data, and sem/wait, with
# its standard output failing: a full device (/dev/full) and a pipe whose
# reader has gone (| head -c 1).  Each says which call failed and exactly
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

check "receiver on /dev/full: the lost message named, the rest queued" \
	t_receiver_full
check "receiver into a closed pipe: EPIPE, what was lost named" \
	t_receiver_pipe
check "client and server on /dev/full: said, the other serves on" \
	t_client_server_full
check "msgq/ctl stat on /dev/full and a closed pipe: exit 1" t_ctl_output
check "sem/wait -U -s: a failed write gives the seat back" t_seat_given_back
done_testing
