#!/bin/sh
# tests/msgq.sh - msgq/sender, msgq/receiver and msgq/ctl, run the way a
# student runs them in two terminals, and checked against the kernel's own
# view of the queue in /proc/sysvipc/msg.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# Test data: NUL bytes, a line over 8 KiB, random binary, no final newline.
{
	printf 'first line\n\000\000 NUL bytes\n'
	head -c 20000 /dev/zero | tr '\0' x
	printf '\n'
	head -c 200000 /dev/urandom
	printf 'no newline at the end'
} >"$T/data"

# --- keys (bad input to every program: tests/args.sh) --------------------

# --- byte-exact transfer ---------------------------------------------------

# transfer MODE ORDER: MODE lines or bulk, ORDER sender-first or
# receiver-first.  The copy must equal the data, and nothing may be left.
transfer() {
	k=$(new_key)
	if [ "$1" = bulk ]; then set -- -b "$2"; else set -- -q "$2"; fi
	if [ "$2" = sender-first ]; then
		start "$T/data" /dev/null "$T/s.err" msgq/sender -k "$k" "$1"
		s=$!
		wait_for has_queue "$k" &&
			timeout $((20 * SLOW)) msgq/receiver -k "$k" >"$T/copy" 2>"$T/r.err" &&
			exits_with "$s" 0
	else
		start /dev/null "$T/copy" "$T/r.err" msgq/receiver -k "$k"
		r=$!
		wait_for has_queue "$k" &&
			timeout $((20 * SLOW)) msgq/sender -k "$k" "$1" <"$T/data" 2>"$T/s.err" &&
			exits_with "$r" 0
	fi &&
		cmp "$T/data" "$T/copy" && ! has_queue "$k"
}
t_lines_sender_first() { transfer lines sender-first; }
t_lines_receiver_first() { transfer lines receiver-first; }
t_bulk_sender_first() { transfer bulk sender-first; }
t_bulk_receiver_first() { transfer bulk receiver-first; }

# Empty input is an empty stream: the receiver gets the end at once.
t_empty() {
	k=$(new_key)
	msgq/sender -q -k "$k" </dev/null &&
		[ "$(queue_messages "$k")" = 1 ] &&
		timeout $((10 * SLOW)) msgq/receiver -q -k "$k" >"$T/copy" &&
		[ ! -s "$T/copy" ] && ! has_queue "$k"
}

# A line longer than kernel.msgmax goes in several messages.
t_long_line_split() {
	k=$(new_key)
	max=$(cat /proc/sys/kernel/msgmax)
	head -c $((max * 2 + 100)) /dev/zero | tr '\0' y >"$T/long"
	echo >>"$T/long"
	start "$T/long" /dev/null "$T/s.err" msgq/sender -q -k "$k"
	s=$!
	wait_for has_queue "$k" &&
		timeout $((10 * SLOW)) msgq/receiver -q -k "$k" -c 1 >"$T/first" &&
		[ "$(wc -c <"$T/first")" -eq "$max" ] &&
		timeout $((10 * SLOW)) msgq/receiver -q -k "$k" >"$T/rest" &&
		exits_with "$s" 0 &&
		cat "$T/first" "$T/rest" | cmp - "$T/long" && ! has_queue "$k"
}

# --- the kernel keeps the messages ------------------------------------------

# Sent with no receiver running, the messages wait in the kernel after the
# sender has gone, and a receiver started later gets them.
# One of each is said so: "1 message, 1 byte", not "1 messages, 1 bytes".
t_singular() {
	k=$(new_key)
	if printf x | msgq/sender -b -k "$k" 2>"$T/s.err" &&
		grep -q 'type 1, 1 byte; the queue now holds 1 message, 1 byte$' \
			"$T/s.err" &&
		timeout $((10 * SLOW)) msgq/receiver -k "$k" >"$T/copy" 2>"$T/r.err" &&
		grep -q '^msgq/receiver: received 1 message, 1 byte$' "$T/r.err"; then
		! has_queue "$k"
	else
		diag "$(cat "$T/s.err" "$T/r.err")"
		return 1
	fi
}

t_persist() {
	k=$(new_key)
	msgq/sender -k "$k" hello world 2>"$T/s.err" &&
		[ "$(queue_messages "$k")" = 3 ] &&
		[ "$(ipc_field msg "$k" 4)" = 12 ] &&
		grep -q 'the queue holds 3 messages now' "$T/s.err" &&
		timeout $((10 * SLOW)) msgq/receiver -q -k "$k" >"$T/copy" &&
		printf 'hello\nworld\n' | cmp - "$T/copy" && ! has_queue "$k"
}

# Types: a positive type takes only that type, a negative one the lowest
# type up to it, 0 the first of any.  What is not taken stays queued.
t_types() {
	k=$(new_key)
	msgq/sender -q -k "$k" -t 3 three &&
		msgq/sender -q -k "$k" -t 1 one &&
		msgq/sender -q -k "$k" -t 2 two &&
		[ "$(msgq/receiver -q -k "$k" -t 2 -c 1)" = two ] &&
		[ "$(msgq/receiver -q -k "$k" -t -3 -c 1)" = one ] &&
		[ "$(msgq/receiver -q -k "$k" -c 1)" = three ] &&
		[ "$(queue_messages "$k")" = 3 ] &&
		msgq/receiver -k "$k" -t 2 >"$T/out" 2>"$T/err" &&
		[ ! -s "$T/out" ] &&
		grep -q '2 messages still queued' "$T/err" &&
		[ "$(queue_messages "$k")" = 2 ] &&
		msgq/ctl -q -k "$k" rm && ! has_queue "$k"
}

# --- two-way: msgq/server and msgq/client --------------------------------------

# Two clients at once, one server: each client gets back exactly its own
# lines, in capitals, and the server printed all of them.  Each client's
# private queue is gone after it, the server's after Ctrl-C.
t_reply_two_clients() {
	k=$(new_key)
	seq -f 'alpha %g' 300 >"$T/a"
	seq -f 'bravo %g' 300 >"$T/b"
	start /dev/null "$T/r.out" "$T/r.err" msgq/server -q -k "$k"
	r=$!
	wait_for has_queue "$k" || return 1
	start "$T/a" "$T/a.out" "$T/a.err" msgq/client -k "$k"
	a=$!
	start "$T/b" "$T/b.out" "$T/b.err" msgq/client -k "$k"
	b=$!
	exits_with "$a" 0 && exits_with "$b" 0 &&
		interrupt "$r" && exits_with "$r" 130 &&
		tr '[:lower:]' '[:upper:]' <"$T/a" | cmp - "$T/a.out" &&
		tr '[:lower:]' '[:upper:]' <"$T/b" | cmp - "$T/b.out" &&
		sort "$T/r.out" >"$T/r.sorted" &&
		sort "$T/a" "$T/b" | cmp - "$T/r.sorted" && ! has_queue "$k" &&
		private_queue_gone "$T/a.err" && private_queue_gone "$T/b.err"
}

# The private queue a client narrated ("our own queue id N") is gone.
private_queue_gone() {
	id=$(sed -n 's/.*answers come to our own queue id \([0-9]*\);.*/\1/p' "$1")
	[ -n "$id" ] &&
		! awk -v id="$id" '$2 == id { found = 1 } END { exit !found }' \
			/proc/sysvipc/msg
}

# The server is killed (kill -9) while a client waits for its answer: the
# client says the server is gone within a few seconds, exit 1, and takes
# its request back: the queue holds the dead server's signature alone.  A
# new server is refused that key, told (EEXIST, not the ENOENT of a look
# at the dead one's /proc entry) that a dead server left it.
t_reply_server_killed() {
	k=$(new_key)
	mkfifo "$T/sfifo" && exec 3<>"$T/sfifo" || return 1
	start /dev/null /dev/null /dev/null msgq/server -q -k "$k"
	r=$!
	wait_for has_queue "$k" &&
		start "$T/sfifo" "$T/c.out" "$T/c.err" msgq/client -k "$k" &&
		c=$! && echo first >&3 && wait_for [ -s "$T/c.out" ] &&
		kill -9 "$(child_of "$r")" && exits_with "$r" 137 &&
		echo second >&3 &&
		t0=$(date +%s) && exits_with "$c" 1 &&
		[ $(($(date +%s) - t0)) -le $((5 * SLOW)) ] &&
		echo FIRST | cmp - "$T/c.out" &&
		grep -q '^msgq/client: the server (PID [0-9]*) is gone' "$T/c.err" &&
		grep -q "^msgq/client: hint: remove the queue with msgq/ctl -k $k rm" \
			"$T/c.err" &&
		messages_are "$k" 1 &&
		msgq/client -q -k "$k" third 2>"$T/c.err"
	rc=$?
	exec 3>&-
	[ $rc -eq 1 ] && grep -q 'the server (PID [0-9]*) is gone' "$T/c.err" &&
		messages_are "$k" 1 && msgq/server -k "$k" 2>"$T/s.err"
	[ $? -eq 1 ] && grep -q '^msgq/server: msgget: .* (EEXIST)$' "$T/s.err" &&
		grep -q "^msgq/server: hint: a queue with key $k exists already, left by msgq/server PID [0-9]*, which is gone" "$T/s.err" &&
		msgq/ctl -q -k "$k" rm
}

# Three clients with 8188-byte lines (over a message with the header):
# requests and answers never share a queue, so nothing deadlocks; every
# answer is exact, within 20 s.
t_reply_big_lines() {
	k=$(new_key)
	for c in 1 2 3; do
		i=0
		while [ $i -lt 20 ]; do
			head -c 8187 /dev/zero | tr '\0' "$(printf '\\%03o' $((96 + c)))"
			echo
			i=$((i + 1))
		done >"$T/in.$c"
	done
	start /dev/null /dev/null "$T/r.err" msgq/server -q -k "$k"
	r=$!
	wait_for has_queue "$k" || return 1
	for c in 1 2 3; do
		start "$T/in.$c" "$T/out.$c" "$T/err.$c" \
			timeout $((20 * SLOW)) msgq/client -q -k "$k"
		echo $! >"$T/pid.$c"
	done
	for c in 1 2 3; do
		if ! exits_with "$(cat "$T/pid.$c")" 0 ||
			! tr '[:lower:]' '[:upper:]' <"$T/in.$c" | cmp - "$T/out.$c"; then
			diag "client $c" "$(cat "$T/err.$c")"
			return 1
		fi
	done
	interrupt "$r" && exits_with "$r" 130 && ! has_queue "$k"
}

# Ctrl-C on a server that never waits, for four clients keep it busy:
# the signal comes between two calls, so none returns EINTR.  It must stop
# at once all the same (it served on until its timeout here), and each
# client says its request was not answered.
t_sigint_busy_server() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null msgq/server -q -k "$k"
	r=$!
	wait_for has_queue "$k" || return 1
	for c in 1 2 3 4; do
		rm -f "$T/out.$c"	# not one left from a test before
		yes hello | timeout $((20 * SLOW)) msgq/client -q -k "$k" \
			>"$T/out.$c" 2>"$T/err.$c" &
		echo $! >"$T/pid.$c"
	done
	wait_for answered 1 2 3 4 || { diag "not all clients answered"; return 1; }
	stops_at_once "$r" || return 1
	exits_with "$r" 130 || return 1
	for c in 1 2 3 4; do
		if ! exits_with "$(cat "$T/pid.$c")" 1 ||
			! grep -q 'was not answered' "$T/err.$c"; then
			diag "client $c" "$(cat "$T/err.$c")"
			return 1
		fi
	done
	! has_queue "$k"
}

# Ctrl-C on a server blocked writing a request to a full pipe: it was
# answered, but not printed whole - said, as the receiver says it (the
# server said nothing, and with -q nothing at all).  The pipe's reader
# holds it open and reads nothing until the end, so the server blocks
# however late the client comes: a reader that drained the pipe after
# 3 s had drained it all before a client held 3.5 s at its msgget
# (strace -e inject) sent a byte, and the server never blocked.
t_sigint_server_writing() {
	k=$(new_key)
	rm -f "$T/sfifo" && mkfifo "$T/sfifo" || return 1
	start "$T/sfifo" /dev/null /dev/null sleep $((20 * SLOW))
	h=$!
	start /dev/null "$T/sfifo" "$T/err" msgq/server -q -k "$k"
	r=$!
	wait_for has_queue "$k" || return 1
	perl -e 'print "a" x 8000, "\n" for 1..20' |
		timeout $((20 * SLOW)) msgq/client -q -k "$k" >/dev/null 2>&1 &
	echo $! >>"$T/pids"
	if ! wait_for blocked_in "$r" pipe || ! interrupt "$r" ||
		! exits_with "$r" 130 ||
		! grep -q '^msgq/server: stopped while writing: [0-9]* bytes\{0,1\} of request [0-9]* not printed (it was answered)$' "$T/err"; then
		diag "$(cat "$T/err")"
		kill "$h"
		return 1
	fi
	kill "$h"
}

# The client's own queue (no key) removed while it waits for its answer:
# the hint says so, and names no ctl command - one given the server's key
# would remove the server's queue instead.
t_client_own_queue_removed() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null msgq/server -q -k "$k"
	r=$!
	wait_for blocked_in "$r" msgrcv && kill -STOP "$(child_of "$r")" &&
		start /dev/null /dev/null "$T/c.err" msgq/client -k "$k" hello &&
		c=$! && wait_for grep -q 'msgsnd: request 1' "$T/c.err" &&
		own=$(sed -n 's/.*our own queue id \([0-9]*\).*/\1/p' "$T/c.err") &&
		ipcrm -q "$own" && exits_with "$c" 1 || return 1
	kill -CONT "$(child_of "$r")"
	if ! grep -q "^msgq/client: hint: our own queue (id $own, no key) was removed (ipcrm -q?): the answer to request 1 is lost" "$T/c.err" ||
		grep -q 'ctl' "$T/c.err"; then
		diag "$(cat "$T/c.err")"
		return 1
	fi
	interrupt "$r" && exits_with "$r" 130 && ! has_queue "$k"
}

# Ctrl-C to timeout process $1's program: gone within 1 s (x SLOW).
stops_at_once() {
	interrupt "$1"
	t=0
	while ! gone "$1" && [ $t -lt $((50 * SLOW)) ]; do
		sleep 0.02
		t=$((t + 1))
	done
	gone "$1" || { diag "still running 1 s after Ctrl-C"; return 1; }
}

# Has each of clients $@ had an answer yet?
answered() {
	for c; do
		[ -s "$T/out.$c" ] || return 1
	done
}

# A stream program at a server's key (the server's first line says it):
# the sender and the receiver see the server's signature at the head of
# its queue, send nothing, take nothing, and exit 1; the server serves
# on.  A plain message there (perl), too short for a request, is dropped,
# said, and nothing is answered or printed.  (The kind byte is gone: the
# stream and the requests are told apart by the signature, not by a byte
# in every message.)
# shellcheck disable=SC2016 # perl's $! and $ARGV, not the shell's
t_reply_foreign() {
	k=$(new_key)
	start /dev/null "$T/r.out" "$T/r.err" msgq/server -k "$k"
	r=$!
	wait_for has_queue "$k" && wait_for messages_are "$k" 1 &&
		{ msgq/sender -k "$k" "hello there" 2>"$T/err"; [ $? -eq 1 ]; } &&
		grep -q "^msgq/sender: key $k: queue id [0-9]* is msgq/server's (PID [0-9]*): it holds requests, not a stream; nothing taken, nothing sent" "$T/err" &&
		messages_are "$k" 1 &&
		{ msgq/receiver -k "$k" >"$T/out" 2>"$T/err"; [ $? -eq 1 ]; } &&
		[ ! -s "$T/out" ] && grep -q "^msgq/receiver: key $k: queue id [0-9]* is msgq/server's" "$T/err" &&
		messages_are "$k" 1 &&
		perl -e 'my $id = msgget(hex($ARGV[0]), 0) // die "$!";
			msgsnd($id, pack("l! a*", 1, "hi\n"), 0) or die "$!"' "$k" &&
		wait_for messages_are "$k" 1 &&
		[ "$(msgq/client -q -k "$k" ok)" = OK ] &&
		interrupt "$r" && exits_with "$r" 130 &&
		[ "$(cat "$T/r.out")" = ok ] &&
		grep -q '^msgq/server: a message of type 1, 3 bytes, is too short for a request: dropped' "$T/r.err" &&
		! has_queue "$k"
}

# No server: the client says to start one (ENOENT), exit 1, makes nothing.
t_reply_no_server() {
	k=$(new_key)
	msgq/client -k "$k" hi >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && [ ! -s "$T/out" ] &&
		grep -q '^msgq/client: msgget: .* (ENOENT)$' "$T/err" &&
		grep -q '^msgq/client: hint: no msgq/server has key' "$T/err" &&
		nothing_with "$k" &&
		msgq/sender -q -k "$k" x && msgq/server -k "$k" 2>"$T/err"
	[ $? -eq 1 ] && grep -q '^msgq/server: msgget: .* (EEXIST)$' "$T/err" &&
		grep -q "^msgq/server: hint: a queue with key $k exists already" "$T/err" &&
		messages_are "$k" 2 && msgq/ctl -q -k "$k" rm
}

# --- -n on both sides ---------------------------------------------------------

# A full queue: sender -n fails at once and says how full, and that its
# stream is cut (it sends no end); nothing is lost: the receiver gets all
# that was sent, sees the sender gone with no end sent, says the stream
# was cut, and exits 1.  receiver -n takes what is queued and stops when
# there is no more of its type.
t_nowait() {
	k=$(new_key)
	head -c 8000 /dev/zero | tr '\0' z >"$T/line"
	echo >>"$T/line"
	cat "$T/line" "$T/line" "$T/line" >"$T/three"
	msgq/sender -n -k "$k" <"$T/three" 2>"$T/err"
	[ $? -eq 1 ] &&
		grep -q '^msgq/sender: msgsnd: .* (EAGAIN)$' "$T/err" &&
		grep -q '^msgq/sender: hint: the queue is full: 2 messages' \
			"$T/err" &&
		grep -q '^msgq/sender: the stream is cut: no end of stream was sent' \
			"$T/err" &&
		[ "$(queue_messages "$k")" = 2 ] &&
		{ timeout $((10 * SLOW)) msgq/receiver -q -n -k "$k" >"$T/copy" 2>"$T/err"
		[ $? -eq 1 ]; } &&
		grep -q '^msgq/receiver: the stream is cut: its sender (PID [0-9]*) is gone' "$T/err" &&
		cat "$T/line" "$T/line" | cmp - "$T/copy" && ! has_queue "$k" &&
		msgq/sender -q -k "$k" -t 2 two &&
		timeout $((10 * SLOW)) msgq/receiver -n -t -1 -k "$k" >"$T/copy" 2>"$T/err" &&
		[ ! -s "$T/copy" ] &&
		grep -q 'no more messages of the lowest type <= 1 queued' \
			"$T/err" &&
		[ "$(queue_messages "$k")" = 2 ] && msgq/ctl -q -k "$k" rm
}

# receiver -n with nothing there: exit 0 at once, nothing left behind.
t_nowait_empty() {
	k=$(new_key)
	timeout $((10 * SLOW)) msgq/receiver -q -n -k "$k" >"$T/out" &&
		[ ! -s "$T/out" ] && ! has_queue "$k"
}

# receiver -n while the stream goes on: it takes what is queued (exit 0,
# "more may come"), and the empty queue stays, for its sender still runs -
# it used to be removed under the sender, whose next line was lost.  A
# second receiver gets the rest of the stream.
t_nowait_midstream() {
	k=$(new_key)
	rm -f "$T/go" "$T/mid" && mkfifo "$T/mid" || return 1
	(
		echo a
		n=0
		while [ ! -e "$T/go" ] && [ $n -lt 400 ]; do
			sleep 0.05
			n=$((n + 1))
		done
		echo b
	) >"$T/mid" &
	echo $! >>"$T/pids"
	start "$T/mid" /dev/null "$T/s.err" msgq/sender -k "$k"
	s=$!
	wait_for messages_are "$k" 1 &&
		msgq/receiver -n -k "$k" >"$T/out" 2>"$T/err" &&
		[ "$(cat "$T/out")" = a ] &&
		grep -q 'not at the end of the stream: more may come' "$T/err" &&
		grep -q 'its sender (PID [0-9]*) still runs: the queue stays' "$T/err" &&
		has_queue "$k" && touch "$T/go" && exits_with "$s" 0 &&
		msgq/receiver -q -k "$k" >"$T/out" && [ "$(cat "$T/out")" = b ] &&
		nothing_with "$k"
}

# --- msgq/ctl -------------------------------------------------------------------

# stat shows the kernel's msqid_ds (14 bytes: the text alone, no type);
# qbytes 16 leaves no room for "four\n": the sender -n fails before it sent
# anything, so it claims no cut stream (there is none); rm removes it all.
t_ctl() {
	k=$(new_key)
	msgq/sender -q -k "$k" one two three &&
		msgq/ctl -q -k "$k" stat >"$T/stat" &&
		grep -q "^key        $k$" "$T/stat" &&
		grep -q '^mode       0600$' "$T/stat" &&
		grep -q '^messages   4$' "$T/stat" &&
		grep -q '^bytes      14$' "$T/stat" &&
		grep -q '^last recv  pid 0, never$' "$T/stat" &&
		[ "$(ipc_field msg "$k" 3)" = 600 ] &&
		msgq/ctl -q -k "$k" qbytes 16 &&
		msgq/ctl -q -k "$k" stat | grep -q '^qbytes     16$' &&
		! msgq/sender -q -n -k "$k" four 2>"$T/err" &&
		grep -q '(EAGAIN)$' "$T/err" && ! grep -q 'the stream is cut' "$T/err" &&
		[ "$(queue_messages "$k")" = 4 ] &&
		msgq/ctl -k "$k" rm 2>"$T/err" &&
		grep -q 'IPC_RMID: removed queue id' "$T/err" &&
		! has_queue "$k"
}

# peek: every message listed in queue order (position, type, bytes, kind,
# the first bytes), and the queue untouched: the same counts, no receiver
# recorded (lrpid 0, rtime 0), and the messages still there to receive.
t_ctl_peek() {
	k=$(new_key)
	msgq/sender -q -k "$k" -t 3 three &&
		msgq/sender -q -k "$k" -t 1 'one	"1"' &&
		msgq/sender -q -k "$k" -t 2 "$(printf '%040d' 2)" &&
		before=$(grep "^ *$(key_dec "$k") " /proc/sysvipc/msg) &&
		msgq/ctl -k "$k" peek >"$T/out" 2>"$T/err" || return 1
	cat >"$T/want" <<-EOF
	pos  type                bytes  kind     first bytes
	0    3                       6  DATA     "three\\n"
	1    3                       0  END      ""
	2    1                       8  DATA     "one\\t\\"1\\"\\n"
	3    1                       0  END      ""
	4    2                      41  DATA     "000000000000000000000000"...
	5    2                       0  END      ""
	messages   6 before, 6 after (6 copied)
	bytes      55 before, 55 after
	EOF
	if ! cmp -s "$T/want" "$T/out"; then
		diag "$(diff "$T/want" "$T/out")"
		return 1
	fi
	grep -q 'msgrcv MSG_COPY: 6 messages copied, none taken' "$T/err" &&
		[ "$(grep "^ *$(key_dec "$k") " /proc/sysvipc/msg)" = "$before" ] &&
		[ "$(ipc_field msg "$k" 7)" = 0 ] &&
		[ "$(ipc_field msg "$k" 13)" = 0 ] &&
		[ "$(msgq/receiver -q -k "$k" -t 1)" = 'one	"1"' ] &&
		[ "$(queue_messages "$k")" = 4 ] &&
		msgq/ctl -q -k "$k" rm && ! has_queue "$k"
}

# No queue: ctl says so (ENOENT) and who creates it, exit 1.
t_ctl_missing() {
	k=$(new_key)
	msgq/ctl -k "$k" stat >/dev/null 2>"$T/err"
	[ $? -eq 1 ] && grep -q '^msgq/ctl: msgget: .* (ENOENT)$' "$T/err" &&
		grep -q '^msgq/ctl: hint: no queue has key' "$T/err"
}

# rm of a queue that is already gone (a receiver removed it): a failure,
# with -q as without - -q quiets the narration, not an error - exit 1, and
# the hint says there was nothing to remove (as the chapter shows it).
t_ctl_rm_missing() {
	k=$(new_key)
	msgq/sender -q -k "$k" x && msgq/receiver -q -k "$k" >/dev/null &&
		! has_queue "$k" || return 1
	msgq/ctl -q -k "$k" rm >"$T/out" 2>"$T/err"
	if [ $? != 1 ] || [ -s "$T/out" ] ||
		! grep -q '^msgq/ctl: msgget: .* (ENOENT)$' "$T/err" ||
		! grep -q "^msgq/ctl: hint: no queue has key $k: nothing to remove" "$T/err" ||
		[ "$(wc -l <"$T/err")" != 2 ]; then
		diag "$(cat "$T/err")"
		return 1
	fi
	# The server's queue: its server removes it, not a receiver.
	msgq/ctl -q -s -k "$k" rm 2>"$T/err"
	if [ $? != 1 ] ||
		! grep -q "nothing to remove (msgq/server removes" "$T/err"; then
		diag "$(cat "$T/err")"
		return 1
	fi
}

# As root, rm and qbytes refuse another user's live queue, as every other
# program does ("belongs to uid 4242"), and leave it as it was; -f acts.
t_ctl_foreign_queue() {
	k=$(new_key)
	as_other "$top/msgq/sender" -q -k "$k" hello || return 1
	qb=$(msgq/ctl -q -k "$k" stat | sed -n 's/^qbytes  *//p')
	for cmd in rm "qbytes 100"; do
		# shellcheck disable=SC2086 # the command splits into words
		msgq/ctl -k "$k" $cmd >"$T/out" 2>"$T/err"
		if [ $? != 1 ] || [ -s "$T/out" ] ||
			! grep -q "^msgq/ctl: key $k: queue id [0-9]* belongs to uid 4242, not to you (uid 0)$" "$T/err" ||
			! grep -q '^msgq/ctl: hint: .* -f ' "$T/err" ||
			! messages_are "$k" 2 ||
			[ "$(msgq/ctl -q -k "$k" stat | sed -n 's/^qbytes  *//p')" != "$qb" ]; then
			diag "$cmd" "$(cat "$T/err")"
			return 1
		fi
	done
	msgq/ctl -f -k "$k" qbytes 100 2>"$T/err" &&
		grep -q 'belongs to uid 4242; -f: going on' "$T/err" &&
		msgq/ctl -q -k "$k" stat | grep -q '^qbytes     100$' &&
		msgq/ctl -q -f -k "$k" rm && ! has_queue "$k"
}

# Raising qbytes above kernel.msgmnb needs CAP_SYS_RESOURCE, which root
# lacks on these machines: EPERM, explained.
t_ctl_qbytes_eperm() {
	k=$(new_key)
	big=$(($(cat /proc/sys/kernel/msgmnb) * 4))
	msgq/sender -q -k "$k" x &&
		msgq/ctl -k "$k" qbytes "$big" 2>"$T/err"
	rc=$?
	msgq/ctl -q -k "$k" rm
	[ $rc -eq 1 ] && grep -q 'IPC_SET: .* (EPERM)$' "$T/err" &&
		grep -q 'hint: .*kernel.msgmnb' "$T/err"
}

# --- signals and removal -----------------------------------------------------

# Ctrl-C on a receiver blocked in msgrcv: exit 130, the empty queue gone.
t_sigint_receiver() {
	k=$(new_key)
	start /dev/null /dev/null "$T/err" msgq/receiver -k "$k"
	r=$!
	wait_for blocked_in "$r" msgrcv &&
		interrupt "$r" && exits_with "$r" 130 && ! has_queue "$k" &&
		grep -q 'IPC_RMID: removed the empty queue' "$T/err"
}

# Has timeout process $2's program taken a message off queue $1 (its
# msg_lrpid, field 7 of /proc/sysvipc/msg)?
receiving() {
	[ "$(ipc_field msg "$1" 7)" = "$(child_of "$2")" ]
}

# Ctrl-C on a receiver that never waits, for a sender keeps its queue
# full: the signal comes between two msgrcv calls, so none returns EINTR.
# The receiver must stop all the same, at once, not when the queue runs
# dry (it ran on for 19 s here).  Three tries, the moment is random.  The
# queue stays for the running sender; removing it stops the sender.
t_sigint_busy_receiver() {
	for _ in 1 2 3; do
		k=$(new_key)
		start /dev/zero /dev/null /dev/null msgq/sender -q -b -k "$k"
		s=$!
		wait_for has_queue "$k" || return 1
		start /dev/null /dev/null "$T/err" msgq/receiver -q -k "$k"
		r=$!
		wait_for receiving "$k" "$r" || return 1
		sleep 0.3
		stops_at_once "$r" || return 1
		exits_with "$r" 130 || { diag "$(cat "$T/err")"; return 1; }
		! has_queue "$k" || msgq/ctl -q -k "$k" rm || return 1
		exits_with "$s" 1 || return 1	# EIDRM: said, exit 1
	done
}

# Ctrl-C on a sender blocked in msgsnd (queue full): exit 130, having said
# why it waited, and that its stream is cut (it sends no end).  What it
# sent stays queued (7-byte messages, qbytes 16000: 2285 of them); a
# receiver gets all of it, sees the sender gone with no end sent, says
# the stream was cut and exits 1 - it used to wait for ever.
# shellcheck disable=SC2016 # perl's $! and $ARGV, not the shell's
t_sigint_sender_full() {
	k=$(new_key)
	seq 100000 199999 >"$T/nums"
	perl -e 'msgget(hex($ARGV[0]), 01600) // die "$!"' "$k" &&
		msgq/ctl -q -k "$k" qbytes 16000 || return 1
	start "$T/nums" /dev/null "$T/err" msgq/sender -k "$k"
	s=$!
	wait_for blocked_in "$s" msgsnd &&
		interrupt "$s" && exits_with "$s" 130 &&
		grep -q '^msgq/sender: queue full (.*): waiting for a receiver' \
			"$T/err" &&
		grep -q '^msgq/sender: the stream is cut: no end of stream was sent' "$T/err" &&
		n=$(queue_messages "$k") && [ "$n" -eq $((16000 / 7)) ] &&
		start /dev/null "$T/copy" "$T/r.err" msgq/receiver -q -k "$k" &&
		r=$! && exits_with "$r" 1 &&
		grep -q '^msgq/receiver: the stream is cut: its sender' "$T/r.err" &&
		head -n "$n" "$T/nums" | cmp - "$T/copy" && ! has_queue "$k"
}

# Ctrl-C on a sender waiting for input cuts the stream (Ctrl-D ends it):
# the waiting receiver gets what was sent, says the stream was cut, exits
# 1, and removes the queue.
t_sigint_sender_reading() {
	k=$(new_key)
	mkfifo "$T/fifo" && exec 3<>"$T/fifo" || return 1
	start /dev/null "$T/copy" "$T/r.err" msgq/receiver -k "$k"
	r=$!
	wait_for has_queue "$k" &&
		start "$T/fifo" /dev/null "$T/s.err" msgq/sender -k "$k" &&
		s=$! &&
		echo partial >&3 &&
		wait_for [ -s "$T/copy" ] &&
		wait_for blocked_in "$s" read &&
		interrupt "$s" && exits_with "$s" 130 && exits_with "$r" 1 &&
		grep -q '^msgq/receiver: the stream is cut: its sender (PID [0-9]*) is gone' "$T/r.err" &&
		echo partial | cmp - "$T/copy" && ! has_queue "$k"
}

# The queue removed under a waiting receiver: EIDRM, explained, exit 1.
t_eidrm() {
	k=$(new_key)
	start /dev/null /dev/null "$T/err" msgq/receiver -k "$k"
	r=$!
	wait_for blocked_in "$r" msgrcv &&
		msgq/ctl -q -k "$k" rm && exits_with "$r" 1 &&
		grep -q '^msgq/receiver: msgrcv: .* (EIDRM)$' "$T/err" &&
		grep -q '^msgq/receiver: hint: the queue was removed' "$T/err"
}

# Ctrl-Z and fg (SIGSTOP, SIGCONT) make msgrcv fail with EINTR even with
# no handler; the receiver must wait on as if nothing happened.
t_stop_cont() {
	k=$(new_key)
	start /dev/null "$T/copy" "$T/err" msgq/receiver -q -k "$k"
	r=$!
	wait_for blocked_in "$r" msgrcv && c=$(child_of "$r") &&
		kill -STOP "$c" && wait_for grep -q '^State:.*T' "/proc/$c/status" &&
		kill -CONT "$c" && wait_for blocked_in "$r" msgrcv &&
		msgq/sender -q -k "$k" after &&
		exits_with "$r" 0 && echo after | cmp - "$T/copy" &&
		[ ! -s "$T/err" ] && ! has_queue "$k"
}

# --- other users -----------------------------------------------------------------

# Another user can neither receive from, send to nor remove our queue; the
# messages are untouched.
t_other_user() {
	k=$(new_key)
	msgq/sender -q -k "$k" secret &&
		as_other "$top/msgq/receiver" -k "$k" >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && [ ! -s "$T/out" ] &&
		grep -q '^msgq/receiver: msgget: .* (EACCES)$' "$T/err" &&
		grep -q "^msgq/receiver: hint: key $k belongs to another user's queue" "$T/err" &&
		as_other "$top/msgq/sender" -k "$k" forged 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(EACCES)$' "$T/err" &&
		as_other "$top/msgq/ctl" -k "$k" rm 2>"$T/err"
	[ $? -eq 1 ] && grep -q 'IPC_RMID: .* (EPERM)$' "$T/err" &&
		as_other "$top/msgq/ctl" -k "$k" stat >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && [ ! -s "$T/out" ] && grep -q '(EACCES)$' "$T/err" &&
		as_other "$top/msgq/ctl" -k "$k" qbytes 100 2>"$T/err"
	[ $? -eq 1 ] && grep -Eq '\((EACCES|EPERM)\)$' "$T/err" &&
		[ "$(queue_messages "$k")" = 2 ] &&
		[ "$(ipc_field msg "$k" 3)" = 600 ] &&
		[ "$(msgq/receiver -q -k "$k")" = secret ] && ! has_queue "$k"
}

# Key squatting: another user made a queue with our key, open to all.  We
# refuse it, say who owns it, and send it nothing.  Our own queue with a
# mode open to others is refused too.
# shellcheck disable=SC2016 # perl's $! and $ARGV, not the shell's
t_squatter() {
	k=$(new_key)
	as_other perl -e 'msgget(hex($ARGV[0]), 01666) // die "$!"' "$k" &&
		msgq/sender -k "$k" data 2>"$T/err"
	[ $? -eq 1 ] && grep -q "belongs to uid 4242, not to you" "$T/err" &&
		grep -q 'hint: another user has this key' "$T/err" &&
		[ "$(queue_messages "$k")" = 0 ] &&
		msgq/receiver -k "$k" 2>"$T/err"
	[ $? -eq 1 ] && grep -q "belongs to uid 4242" "$T/err" &&
		ipcrm -Q "$k" &&
		perl -e 'msgget(hex($ARGV[0]), 01666) // die "$!"' "$k" &&
		msgq/sender -k "$k" data 2>"$T/err"
	[ $? -eq 1 ] && grep -q "has mode 0666: other users could" "$T/err" &&
		[ "$(queue_messages "$k")" = 0 ] && ipcrm -Q "$k"
}

# The mode is 0600 whatever the umask: umask does not apply to IPC objects.
t_umask() {
	k=$(new_key)
	(umask 000 && msgq/sender -q -k "$k" x) &&
		[ "$(ipc_field msg "$k" 3)" = 600 ] && msgq/ctl -q -k "$k" rm
}

# --- failures, each said for what it is -----------------------------------------

# A queue too small for any data (qbytes 0, set with perl: msgq/ctl
# qbytes takes 1 or more, and a 1-byte message fits 1 byte): refused in
# words, with no strerror (no call failed), no crash, nothing sent; the
# client too (qbytes 4: a request needs 5).  (Once crashed: a
# handler at exit used a buffer not yet made.)  -n: the sender does not
# wait 5 s for room for its "failed" mark, which cannot come.  qbytes 4
# only once the server waits in msgrcv: it has signed its queue by then
# (lowered between its msgget and its signature, the signature does not
# fit and the server stops: CI under load once lost that race).
t_too_small() {
	k=$(new_key)
	msgq/sender -q -k "$k" x &&
		perl -MIPC::Msg -e 'IPC::Msg->new(hex($ARGV[0]), 0)->set(qbytes => 0)
			or die "$!"' "$k" &&
		msgq/sender -n -k "$k" hi 2>"$T/err"
	[ $? -eq 1 ] &&
		grep -q '^msgq/sender: the queue holds at most 0 bytes: no room for data' "$T/err" &&
		! grep -q '(E[A-Z]*)$' "$T/err" &&
		grep -q "^msgq/sender: hint: raise it with msgq/ctl -k $k qbytes" "$T/err" &&
		messages_are "$k" 2 && msgq/ctl -q -k "$k" rm &&
		start /dev/null /dev/null /dev/null msgq/server -q -k "$k" &&
		r=$! && wait_for blocked_in "$r" msgrcv &&
		msgq/ctl -q -k "$k" qbytes 4 &&
		msgq/client -k "$k" hi >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && [ ! -s "$T/out" ] &&
		grep -q "^msgq/client: the server's queue holds at most 4 bytes: no room for a request" "$T/err" &&
		! grep -q '(E[A-Z]*)$' "$T/err" &&
		interrupt "$r" && exits_with "$r" 130 && ! has_queue "$k"
}

# A failed sender (standard input failing with EIO after its first lines:
# strace injects it) sends no end: it says its stream is cut, and the
# receiver, started after it, gets the lines, sees the sender gone with no
# end sent, says the stream was cut and exits 1; nothing is left.  (It
# used to send a "failed" kind byte; the textbook message has none.)
t_failed_stream() {
	if ! strace -qq -o /dev/null true 2>/dev/null || [ "$SLOW" -gt 1 ]; then
		echo "strace is missing, or may not trace here" >"$T/skip"
		return 0
	fi
	k=$(new_key)
	printf 'one\ntwo\n' >"$T/in"
	# shellcheck disable=SC2094 # -P names the file read, not written
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -P "$T/in" \
		-e trace=read -e inject=read:error=EIO:when=2 \
		msgq/sender -k "$k" <"$T/in" 2>"$T/err"
	[ $? -eq 1 ] && grep -q '^msgq/sender: read (stdin): .* (EIO)$' "$T/err" &&
		grep -q '^msgq/sender: the stream is cut: no end of stream was sent' "$T/err" &&
		messages_are "$k" 2 &&
		timeout $((10 * SLOW)) msgq/receiver -k "$k" >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && cmp "$T/in" "$T/out" &&
		grep -q '^msgq/receiver: the stream is cut: its sender (PID [0-9]*) is gone, and sent no end of stream' "$T/err" &&
		! has_queue "$k"
}

# msgq/ctl qbytes 100 in the middle of a stream of long lines: the sender
# sees that a message that big can never fit, says so and sends smaller
# ones; the stream completes, exact, within 10 s.
t_qbytes_lowered() {
	k=$(new_key)
	mkfifo "$T/qfifo" || return 1
	head -c 500 /dev/zero | tr '\0' q >"$T/line"
	echo >>"$T/line"
	start /dev/null "$T/copy" "$T/r.err" msgq/receiver -q -k "$k"
	r=$!
	# The sender alone holds the fifo open, so that it sees its end.
	start "$T/qfifo" /dev/null "$T/s.err" msgq/sender -k "$k"
	s=$!
	exec 4>"$T/qfifo" &&
		wait_for has_queue "$k" && cat "$T/line" >&4 &&
		wait_for [ -s "$T/copy" ] && msgq/ctl -q -k "$k" qbytes 100 &&
		cat "$T/line" "$T/line" >&4 && exec 4>&- &&
		t0=$(date +%s) && exits_with "$s" 0 && exits_with "$r" 0 &&
		[ $(($(date +%s) - t0)) -le $((10 * SLOW)) ] &&
		cat "$T/line" "$T/line" "$T/line" | cmp - "$T/copy" &&
		grep -q "^msgq/sender: the queue's limit is 100 bytes now: data goes in messages of at most 100 bytes" "$T/s.err" &&
		! has_queue "$k"
}

# Started with SIGINT ignored (nohup, or & in a script), a program leaves
# it ignored, as the classic idiom has it; SIGTERM still stops it cleanly.
# shellcheck disable=SC2016 # the inner sh expands $1
t_sigint_ignored() {
	k=$(new_key)
	start /dev/null /dev/null "$T/err" \
		sh -c 'trap "" INT HUP; exec msgq/receiver -k "$1"' sh "$k"
	r=$!
	wait_for blocked_in "$r" msgrcv && c=$(child_of "$r") &&
		kill -INT "$c" && kill -HUP "$c" && sleep 0.2 &&
		blocked_in "$r" msgrcv && kill -TERM "$c" && exits_with "$r" 143 &&
		! has_queue "$k"
}

# --- narration -------------------------------------------------------------------

# Thousands of messages: the narration stays short enough to read, and
# says where the messages went.
t_narration_paced() {
	k=$(new_key)
	seq 20000 >"$T/nums"
	start "$T/nums" /dev/null "$T/s.err" msgq/sender -k "$k"
	s=$!
	wait_for has_queue "$k" &&
		timeout $((20 * SLOW)) msgq/receiver -k "$k" >"$T/copy" 2>"$T/r.err" &&
		exits_with "$s" 0 && cmp "$T/nums" "$T/copy" &&
		[ "$(wc -l <"$T/s.err")" -lt 200 ] &&
		[ "$(wc -l <"$T/r.err")" -lt 200 ] &&
		grep -q 'sent 20000 messages, 108894 bytes' "$T/s.err" &&
		grep -q 'received 20000 messages, 108894 bytes' "$T/r.err" &&
		grep -q '^msgq/receiver: msgrcv: type 1, 3 bytes; the queue now' \
			"$T/r.err"
}

# --- kernel limits, in a private IPC namespace ----------------------------------

# With kernel.msgmax lowered, long lines still split and arrive exact.  The
# receiver's buffer is the larger of kernel.msgmax and the queue's qbytes:
# a message bigger than both (sent before both were lowered) is E2BIG,
# explained.
# shellcheck disable=SC2016 # the inner sh expands $1 .. $4
t_limits_namespace() {
	if ! unshare --ipc true 2>/dev/null; then
		echo "unshare --ipc is not allowed here" >"$T/skip"
		return 0
	fi
	k=$(new_key)
	head -c 5000 /dev/urandom >"$T/small"
	unshare --ipc sh -c '
		echo 1000 >/proc/sys/kernel/msgmax &&
		msgq/sender -q -k "$1" <"$2" &&
		msgq/receiver -q -k "$1" >"$3" &&
		echo 8192 >/proc/sys/kernel/msgmax &&
		msgq/sender -q -b -k "$1" <"$2" &&
		echo 1000 >/proc/sys/kernel/msgmax &&
		msgq/ctl -q -k "$1" qbytes 1000 &&
		msgq/receiver -k "$1" 2>"$4"
		[ $? -eq 1 ]' sh "$k" "$T/small" "$T/copy" "$T/err" &&
		cmp "$T/small" "$T/copy" &&
		grep -q 'msgrcv: .* (E2BIG)$' "$T/err" &&
		grep -q 'hint: a message is bigger than our 1000 bytes' "$T/err" &&
		grep -q 'it was sent while kernel.msgmax or the queue.s qbytes was higher' "$T/err"
}

# --- the outsider's breaks ------------------------------------------------------

# The server's queue lowered under a waiting client (msgq/ctl qbytes 100):
# a 305-byte request can never fit.  The client sees it at its next tick,
# says so and exits 1, within a few seconds; the server lives on.
t_client_request_never_fits() {
	k=$(new_key)
	mkfifo "$T/cfifo" || return 1
	start /dev/null /dev/null /dev/null msgq/server -q -k "$k"
	r=$!
	wait_for has_queue "$k" || return 1
	start "$T/cfifo" "$T/c.out" "$T/c.err" msgq/client -k "$k"
	c=$!
	exec 5>"$T/cfifo" &&
		echo a >&5 && wait_for [ -s "$T/c.out" ] &&
		msgq/ctl -q -k "$k" qbytes 100 &&
		printf '%0300d\n' 0 >&5 &&
		t0=$(date +%s) && exits_with "$c" 1 &&
		[ $(($(date +%s) - t0)) -le $((5 * SLOW)) ] &&
		grep -q "^msgq/client: request 2 (305 bytes with its header) can never fit in the server.s queue" "$T/c.err" &&
		grep -q "^msgq/client: hint: raise it with msgq/ctl -k $k qbytes" "$T/c.err" &&
		echo A | cmp - "$T/c.out" && ! gone "$(child_of "$r")" &&
		interrupt "$r" && exits_with "$r" 130 && ! has_queue "$k"
	rc=$?
	exec 5>&-
	return $rc
}

# A server that has signed its queue (it waits in msgrcv), then stopped
# with SIGSTOP, and a client whose request (MESSAGE...) waits in the
# queue behind the signature.  Sets r and sc (the server's timeout and the server) and cl (the
# client's timeout); the caller sends SIGCONT to sc in the end.
server_stopped_client_waiting() {
	start /dev/null /dev/null /dev/null msgq/server -q -k "$k"
	r=$!
	wait_for has_queue "$k" && wait_for blocked_in "$r" msgrcv &&
		sc=$(child_of "$r") && kill -STOP "$sc" &&
		start /dev/null "$T/c.out" "$T/c.err" msgq/client -k "$k" "$@" &&
		cl=$! && wait_for messages_are "$k" 2
}

# Another process on a stopped server's queue (a plain receiver, which
# sees the server's signature, takes nothing and exits 1): it is not the
# server, and its coming and going must not be taken for the server's
# death.  The client waits on; once the server runs again, the answer
# comes.
t_client_foreign_reader() {
	k=$(new_key)
	server_stopped_client_waiting hello &&
		{ timeout $((5 * SLOW)) msgq/receiver -q -k "$k" >/dev/null 2>&1; [ $? -eq 1 ]; } &&
		messages_are "$k" 2 && sleep 3 && ! gone "$(child_of "$cl")" &&
		kill -CONT "$sc" && exits_with "$cl" 0 &&
		echo HELLO | cmp - "$T/c.out" &&
		! grep -q 'is gone\|msgq/ctl.* rm' "$T/c.err" &&
		interrupt "$r" && exits_with "$r" 130 && ! has_queue "$k"
	rc=$?
	[ -z "${sc:-}" ] || kill -CONT "$sc" 2>/dev/null
	return $rc
}

# The queue of a stopped server removed while a client waits for the
# answer to its one request: "request 1 was not answered", not 2.
t_client_counts_requests() {
	k=$(new_key)
	server_stopped_client_waiting hello &&
		msgq/ctl -q -k "$k" rm && exits_with "$cl" 1 &&
		grep -q '^msgq/client: the server stopped: its queue is gone; request 1 was not answered' "$T/c.err" &&
		kill -CONT "$sc" && exits_with "$r" 1
	rc=$?
	[ -z "${sc:-}" ] || kill -CONT "$sc" 2>/dev/null
	return $rc
}

# SIGTERM to a client that waits for an answer (the server is stopped):
# it does not claim every request was answered.
t_client_stopped_waiting() {
	k=$(new_key)
	server_stopped_client_waiting hello world &&
		kill -TERM "$(child_of "$cl")" && exits_with "$cl" 143 &&
		grep -q '^msgq/client: 1 request, 0 answered; stopped by a signal$' "$T/c.err" &&
		! grep -q 'every one answered' "$T/c.err"
	rc=$?
	[ -z "${sc:-}" ] || kill -CONT "$sc" 2>/dev/null
	return $rc
}

# A second server on the key of a live one: it is told that one runs
# (its PID), and never to remove that one's queue.  (Once the first waits
# in msgrcv: it has signed its queue, which is how the second knows it.)
t_server_twice() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null msgq/server -q -k "$k"
	r=$!
	wait_for blocked_in "$r" msgrcv && sp=$(child_of "$r") &&
		msgq/server -k "$k" 2>"$T/err"
	[ $? -eq 1 ] && grep -q '^msgq/server: msgget: .* (EEXIST)$' "$T/err" &&
		grep -q "^msgq/server: hint: a queue with key $k exists already, and PID $sp, .* still runs" "$T/err" &&
		! grep -q 'msgq/ctl.* rm' "$T/err" &&
		[ "$(msgq/client -q -k "$k" still)" = STILL ] &&
		interrupt "$r" && exits_with "$r" 130 && ! has_queue "$k"
}

# SIGTERM to a sender in the middle of a stream cuts it: the receiver gets
# what was sent, says the stream was cut, and exits 1, never 0.
t_sigterm_sender_cuts() {
	k=$(new_key)
	mkfifo "$T/tfifo" || return 1
	seq 1000 >"$T/nums"
	start /dev/null "$T/copy" "$T/r.err" msgq/receiver -k "$k"
	r=$!
	start "$T/tfifo" /dev/null "$T/s.err" msgq/sender -k "$k"
	s=$!
	exec 6>"$T/tfifo" && cat "$T/nums" >&6 &&
		wait_for cmp -s "$T/nums" "$T/copy" &&
		kill -TERM "$(child_of "$s")" && exits_with "$s" 143 &&
		exits_with "$r" 1 &&
		grep -q '^msgq/receiver: the stream is cut: its sender (PID [0-9]*) is gone' "$T/r.err" &&
		grep -q '^msgq/sender: the stream is cut: no end of stream was sent' "$T/s.err" &&
		cmp "$T/nums" "$T/copy" && ! has_queue "$k"
	rc=$?
	exec 6>&-
	return $rc
}

# A queue whose message count is at its qbytes: no room for the end of the
# stream (the kernel counts messages against qbytes too): exit 1.
t_no_room_for_end() {
	k=$(new_key)
	msgq/sender -q -k "$k" </dev/null && msgq/ctl -q -k "$k" qbytes 2 &&
		msgq/sender -q -k "$k" </dev/null && messages_are "$k" 2 &&
		msgq/sender -k "$k" </dev/null 2>"$T/err"
	[ $? -eq 1 ] &&
		grep -q '^msgq/sender: the queue holds as many messages as its qbytes' "$T/err" &&
		messages_are "$k" 2 && msgq/ctl -q -k "$k" rm
}

check "line mode, sender first: byte-exact" t_lines_sender_first
check "line mode, receiver first: byte-exact" t_lines_receiver_first
check "bulk mode, sender first: byte-exact" t_bulk_sender_first
check "bulk mode, receiver first: byte-exact" t_bulk_receiver_first
check "empty input is an empty stream" t_empty
check "a line longer than msgmax is split" t_long_line_split
check "messages outlive their sender" t_persist
check "type selection: positive, negative, any" t_types
check "server and 2 clients: each gets only its own answers" \
	t_reply_two_clients
check "server killed by kill -9: the waiting client says so, exit 1" \
	t_reply_server_killed
check "3 clients with 8188-byte lines: all answered, exact" \
	t_reply_big_lines
check "Ctrl-C on a busy server: it stops at once" t_sigint_busy_server
check "Ctrl-C on a server writing to a full pipe: what was not printed" \
	t_sigint_server_writing
check "the client's own queue removed: said, no ctl command named" \
	t_client_own_queue_removed
check "stream programs at a server's key: refused, nothing touched" \
	t_reply_foreign
check "client with no server, server on a used key: explained" \
	t_reply_no_server
check "-n: full queue is an error; receiver drains and stops" t_nowait
check "receiver -n with no queue: exit 0, nothing left" t_nowait_empty
check "receiver -n mid-stream: the queue stays for its running sender" \
	t_nowait_midstream
check "ctl stat, qbytes, rm" t_ctl
check "ctl peek: every message listed in order, the queue untouched" \
	t_ctl_peek
check "ctl on a missing queue: ENOENT explained" t_ctl_missing
check "ctl qbytes above msgmnb: EPERM explained" t_ctl_qbytes_eperm
check "ctl -q rm of a queue already gone: exit 1, nothing to remove" \
	t_ctl_rm_missing
check "ctl rm and qbytes refuse another user's queue; -f acts" \
	t_ctl_foreign_queue
check "Ctrl-C on a blocked receiver: 130, queue removed" t_sigint_receiver
check "Ctrl-C on a busy receiver: it stops at once" t_sigint_busy_receiver
check "Ctrl-C on a blocked sender: 130, messages kept, cut said" \
	t_sigint_sender_full
check "Ctrl-C on a reading sender cuts the stream" t_sigint_sender_reading
check "queue removed while waiting: EIDRM explained" t_eidrm
check "SIGSTOP/SIGCONT: the receiver waits on" t_stop_cont
check "another user is refused, messages untouched" t_other_user
check "a squatted or open queue is refused" t_squatter
check "umask does not change the mode" t_umask
check "a queue too small for data: said in words, no strerror, no crash" \
	t_too_small
check "a failed sender sends no end; the receiver says cut, exit 1" \
	t_failed_stream
check "qbytes lowered mid-stream: the sender adapts, exact" t_qbytes_lowered
check "SIGINT and SIGHUP ignored at start stay ignored" t_sigint_ignored
check "narration stays readable for 20000 messages" t_narration_paced
check "one message of one byte is said in the singular" t_singular
check "kernel limits in a private namespace" t_limits_namespace
check "qbytes lowered under a client's request: said, exit 1" \
	t_client_request_never_fits
check "a foreign reader of a stopped server's queue is not the server" \
	t_client_foreign_reader
check "a client counts its requests right when the server goes" \
	t_client_counts_requests
check "a client stopped while it waits: not all answered" \
	t_client_stopped_waiting
check "a second server on a live one's key: told it runs, not to rm" \
	t_server_twice
check "SIGTERM cuts the stream: the receiver exits 1" t_sigterm_sender_cuts
check "no room for the end of the stream: exit 1" t_no_room_for_end
done_testing
