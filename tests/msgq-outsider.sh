#!/bin/sh
# tests/msgq-outsider.sh - what an outside probe (issue 21) did to the msgq
# programs, each now a check: foreign messages in a client's queue, a
# request that names a queue not the client's, a foreign message of
# another type in a stream queue, a dead server whose PID was given to a
# new process, a client pointed at a stream's key, a huge type in
# msgq/ctl peek, a message lost on output counted as received.  The
# truth, exit non-zero, nothing foreign touched.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# A server, stopped (SIGSTOP) once it waits; a client whose request
# (MESSAGE...) then waits behind the signature.  Sets r and sc (the
# server's timeout and the server), cl (the client's timeout) and own
# (the client's queue id, from its narration).
stopped_server_waiting_client() {
	start /dev/null /dev/null "$T/r.err" msgq/server -k "$k"
	r=$!
	wait_for messages_are "$k" 1 && wait_for blocked_in "$r" msgrcv &&
		sc=$(child_of "$r") && kill -STOP "$sc" &&
		start /dev/null "$T/c.out" "$T/c.err" msgq/client -k "$k" "$@" &&
		cl=$! && wait_for messages_are "$k" 2 &&
		own=$(sed -n 's/.*our own queue id \([0-9]*\);.*/\1/p' "$T/c.err") &&
		[ -n "$own" ]
}

# perl_put ID TYPE TEXT: a plain message into the queue with that id.
# shellcheck disable=SC2016 # perl's variables
perl_put() {
	perl -e 'msgsnd($ARGV[0], pack("l! a*", $ARGV[1], $ARGV[2]), 0)
		or die "msgsnd: $!"' "$@"
}

# Issue 21, 5: foreign messages in a client's private queue - one of
# another type (12345), one typed for the client but not the answer to
# its request - are not printed; the real answer is, exit 0.  (The first
# was printed as the answer, the real one lost; the second is said.)
t_client_foreign_answers() {
	k=$(new_key)
	stopped_server_waiting_client hello &&
		perl_put "$own" 12345 XYZ &&
		perl_put "$own" "$(child_of "$cl")" "HELLX
" &&
		kill -CONT "$sc" && exits_with "$cl" 0 &&
		echo HELLO | cmp - "$T/c.out" &&
		grep -q '^msgq/client: a message typed for us, 6 bytes, is not the answer to request 1: not printed' "$T/c.err" &&
		interrupt "$r" && exits_with "$r" 130 && nothing_with "$k"
	rc=$?
	[ -z "${sc:-}" ] || kill -CONT "$sc" 2>/dev/null
	return $rc
}

# request QUEUE-ID TYPE TEXT: a request (the textbook format of msgq.h:
# the answer queue's id, an int, then the bytes) to the server's key.
# shellcheck disable=SC2016 # perl's variables
request() {
	perl -e 'my $id = msgget(hex($ARGV[0]), 0) // die "msgget: $!";
		msgsnd($id, pack("l! i a*", $ARGV[2], $ARGV[1], $ARGV[3]), 0)
			or die "msgsnd: $!"' "$k" "$@"
}

# Issue 21, 6: a request that names the server's own queue, another key's
# stream queue, or another user's private queue is not answered there
# (said); the server answers only into a private queue (key 0) of the
# requester's user, and counts only answers sent.
t_server_answers_only_clients() {
	k=$(new_key)
	s=$(new_key)
	msgq/sender -q -k "$s" data || return 1
	sid=$(ipc_field msg "$s" 2)
	theirs=$(as_other perl -e 'print msgget(0, 01600) // die "$!"') || return 1
	start /dev/null "$T/r.out" "$T/r.err" msgq/server -k "$k"
	r=$!
	wait_for messages_are "$k" 1 || return 1
	q=$(ipc_field msg "$k" 2)
	request "$q" $$ "own queue
" && request "$sid" $$ "stream queue
" && request "$theirs" $$ "their queue
" && request -1 $$ "no queue
" && wait_for messages_are "$k" 1 &&
		[ "$(msgq/client -q -k "$k" fine)" = FINE ] &&
		interrupt "$r" && exits_with "$r" 130 &&
		messages_are "$s" 2 && [ "$(msgq/receiver -q -k "$s")" = data ] &&
		[ "$(awk -v id="$theirs" '$2 == id { print $5 }' /proc/sysvipc/msg)" = 0 ] &&
		grep -q "^msgq/server: request of PID $$ names our own queue id $q for its answer: not answered" "$T/r.err" &&
		grep -q "^msgq/server: request of PID $$ names queue id $sid, key $s, for its answer: not a client's private queue (key 0): not answered" "$T/r.err" &&
		grep -q "^msgq/server: request of PID $$ (uid 0) names queue id $theirs of uid 4242: not its own: not answered" "$T/r.err" &&
		grep -q "^msgq/server: request of PID $$ names queue id -1, which is not there: not answered" "$T/r.err" &&
		! grep -q "PID $$ is gone" "$T/r.err" &&
		grep -q '^msgq/server: answered 1 request$' "$T/r.err" &&
		[ "$(cat "$T/r.out")" = fine ] && nothing_with "$k"
	rc=$?
	ipcrm -q "$theirs" 2>/dev/null
	return $rc
}

# Issue 21, 7: a foreign message of another type (perl, 4242) in a stream
# queue: the receiver of type 1 takes its stream and leaves it where it
# is - it used to take it, try to put it back, and drop it when a blocked
# sender took the room.  Nothing is lost; the message is still there.
t_foreign_left_alone() {
	k=$(new_key)
	msgq/sender -q -k "$k" one two &&
		perl_put "$(ipc_field msg "$k" 2)" 4242 "not yours" &&
		msgq/sender -q -k "$k" three &&
		msgq/receiver -q -k "$k" -t 1 -e 2 >"$T/out" &&
		printf 'one\ntwo\nthree\n' | cmp - "$T/out" && messages_are "$k" 1 &&
		msgq/ctl -q -k "$k" peek >"$T/peek" &&
		grep -Eq '^0 +4242 +9  DATA +"not yours"$' "$T/peek" &&
		msgq/ctl -q -k "$k" rm
}

# Issue 21, 8: the server killed, and its PID given to a new process (a
# PID namespace of its own, ns_last_pid).  kill(PID, 0) finds that process,
# but its start time is not the one the server signed: the client says
# the server is gone, exit 1 - it used to wait for ever.
# shellcheck disable=SC2016 # the inner sh expands its own variables
t_server_pid_reused() {
	if ! unshare --pid --fork --mount-proc --ipc true 2>/dev/null; then
		echo "unshare --pid --ipc is not allowed here" >"$T/skip"
		return 0
	fi
	timeout $((30 * SLOW)) unshare --pid --fork --mount-proc --ipc sh -c '
		msgq/server -q -k 0x1234 &
		s=$!
		n=0
		until [ "$(awk "\$1 == 4660 { print \$5 }" /proc/sysvipc/msg)" = 1 ]; do
			n=$((n + 1)); [ $n -lt 500 ] || exit 3; sleep 0.02
		done
		sleep 0.05	# a start time is in clock ticks: a later tick
		kill -9 "$s"; wait "$s" 2>/dev/null
		echo $((s - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 30 &
		[ "$!" = "$s" ] || exit 4
		timeout 10 msgq/client -k 0x1234 hi >"$1" 2>"$2"
		echo $? >"$3"
		kill "$!" 2>/dev/null
		exit 0' sh "$T/out" "$T/err" "$T/rc"
	rc=$?
	if [ $rc -eq 4 ]; then
		echo "the PID could not be given again" >"$T/skip"
		return 0
	fi
	if [ $rc -ne 0 ] || [ "$(cat "$T/rc")" != 1 ] || [ -s "$T/out" ] ||
		! grep -q '^msgq/client: the server (PID [0-9]*) is gone' "$T/err"; then
		diag "exit $rc, client $(cat "$T/rc" 2>/dev/null)" "$(cat "$T/err")"
		return 1
	fi
}

# Issue 21, 9: a client pointed at a stream's queue (one message taken by
# a receiver) is told what the queue holds, not that a dead server left
# it, and no "rm" that would drop the stream; nothing is sent or taken.
t_client_at_a_stream() {
	k=$(new_key)
	msgq/sender -q -k "$k" one two three &&
		[ "$(msgq/receiver -q -k "$k" -c 1)" = one ] &&
		msgq/client -k "$k" hi >"$T/out" 2>"$T/err"
	if [ $? -ne 1 ] || [ -s "$T/out" ] || ! messages_are "$k" 3 ||
		! grep -q "^msgq/client: key $k: queue id [0-9]* is no msgq/server's (no signature at its head): it holds 3 messages" "$T/err" ||
		grep -q 'rm\b\|is gone' "$T/err"; then
		diag "$(cat "$T/err")"
		return 1
	fi
	[ "$(msgq/receiver -q -k "$k")" = "$(printf 'two\nthree')" ] &&
		nothing_with "$k"
}

# Issue 21, 12: msgq/ctl peek keeps its columns for the largest type.
t_peek_huge_type() {
	k=$(new_key)
	msgq/sender -q -k "$k" -t 9223372036854775807 big &&
		msgq/sender -q -k "$k" -t 5 small &&
		msgq/ctl -q -k "$k" peek >"$T/peek" &&
		msgq/ctl -q -k "$k" rm || return 1
	cat >"$T/want" <<-EOF
	pos  type                bytes  kind     first bytes
	0    9223372036854775807     4  DATA     "big\\n"
	1    9223372036854775807     0  END      ""
	2    5                       6  DATA     "small\\n"
	3    5                       0  END      ""
	messages   4 before, 4 after (4 copied)
	bytes      10 before, 10 after
	EOF
	cmp -s "$T/want" "$T/peek" || { diag "$(diff "$T/want" "$T/peek")"; return 1; }
}

# Issue 21, 12: Ctrl-C while the receiver is blocked writing to a full
# pipe: the message being written is lost, said, and not counted in
# "received N messages".  The pipe's reader holds it open and reads
# nothing, so the receiver blocks however late the sender comes: a reader
# that drained the pipe after 5 s had drained it all before a sender held
# 5.5 s at its msgget (strace -e inject) sent a byte.
t_lost_not_counted() {
	k=$(new_key)
	rm -f "$T/pipe" && mkfifo "$T/pipe" || return 1
	start "$T/pipe" /dev/null /dev/null sleep $((20 * SLOW))
	h=$!
	perl -e 'print "x" x 8000, "\n" for 1..20' >"$T/big"
	start /dev/null "$T/pipe" "$T/err" msgq/receiver -k "$k"
	r=$!
	wait_for has_queue "$k" &&
		start "$T/big" /dev/null /dev/null msgq/sender -q -k "$k" || return 1
	wait_for blocked_in "$r" pipe && interrupt "$r" && exits_with "$r" 130
	rc=$?
	kill "$h"
	[ $rc -eq 0 ] || return 1
	lost=$(sed -n 's/^msgq\/receiver: stopped while writing: [0-9]* bytes\{0,1\} of message \([0-9]*\) lost$/\1/p' "$T/err")
	got=$(sed -n 's/^msgq\/receiver: received \([0-9]*\) messages\{0,1\}, .*/\1/p' "$T/err")
	if [ -z "$lost" ] || [ "$got" != $((lost - 1)) ]; then
		diag "lost message $lost, received $got" "$(grep -v msgrcv "$T/err")"
		return 1
	fi
	msgq/ctl -q -k "$k" rm
}

# The server's signature taken by a foreign receiver (perl): a client waits
# 5 s for a signature (a new server signs at once), then says the queue is
# no server's, sends nothing, exit 1; the server serves on, untouched.
# (It used to wait the 5 s without a word; then it talked to any queue
# left unsigned, a stream's too: see t_client_at_an_empty_stream.)
# shellcheck disable=SC2016 # perl's variables
t_signature_stolen() {
	k=$(new_key)
	start /dev/null "$T/s.out" /dev/null msgq/server -q -k "$k"
	r=$!
	wait_for messages_are "$k" 1 &&
		perl -e 'my $id = msgget(hex($ARGV[0]), 0) // die "$!"; my $m;
			msgrcv($id, $m, 100, 0, 0) // die "$!"' "$k" || return 1
	timeout $((20 * SLOW)) msgq/client -k "$k" hi >"$T/out" 2>"$T/err"
	[ $? = 1 ] && [ ! -s "$T/out" ] && messages_are "$k" 0 &&
		grep -q "^msgq/client: key $k: queue id [0-9]* is no msgq/server's (no signature at its head): it holds 0 messages" "$T/err" &&
		interrupt "$r" && exits_with "$r" 130 && [ ! -s "$T/s.out" ] &&
		nothing_with "$k"
}

# Bytes of 0x80 and above (UTF-8, binary) come back as they went, for
# toupper leaves them: the client compared a signed char with toupper's
# 0..255, took the answer for a foreign one, and waited for ever.
t_client_high_bytes() {
	k=$(new_key)
	start /dev/null "$T/s.out" /dev/null msgq/server -q -k "$k"
	r=$!
	wait_for messages_are "$k" 1 &&
		printf 'caf\303\251 \200\377\n' | timeout $((10 * SLOW)) \
			msgq/client -q -k "$k" >"$T/out" 2>"$T/err" &&
		printf 'CAF\303\251 \200\377\n' | cmp - "$T/out" &&
		[ ! -s "$T/err" ] && interrupt "$r" && exits_with "$r" 130 &&
		printf 'caf\303\251 \200\377\n' | cmp - "$T/s.out" &&
		nothing_with "$k"
}

# A client at a stream's empty queue (its receiver waits for a sender):
# no signature in 5 s, so no server's: nothing sent, exit 1; the receiver
# writes nothing and waits on.  (The client used to send all the same, and
# the receiver wrote the request - a queue id in binary, then "hi" - as
# the stream's data.)
t_client_at_an_empty_stream() {
	k=$(new_key)
	start /dev/null "$T/r.out" "$T/r.err" msgq/receiver -k "$k"
	r=$!
	wait_for has_queue "$k" && wait_for blocked_in "$r" msgrcv || return 1
	timeout $((20 * SLOW)) msgq/client -k "$k" hi >"$T/out" 2>"$T/err"
	if [ $? != 1 ] || [ -s "$T/out" ] || [ -s "$T/r.out" ] ||
		! messages_are "$k" 0 ||
		! grep -q "^msgq/client: key $k: queue id [0-9]* is no msgq/server's (no signature at its head): it holds 0 messages, a stream's?  Nothing sent$" "$T/err"; then
		diag "$(cat "$T/err")"
		return 1
	fi
	interrupt "$r" && exits_with "$r" 130 && nothing_with "$k"
}

# Ctrl-C while a client waits for a signature: it stops within a second or
# two (exit 130), sends nothing, and says so.  (It used to sleep the 5 s
# out, then send its request, and say "0 requests".)  It waits asleep
# between its looks (nanosleep); its key line comes before it catches
# signals, and a Ctrl-C then killed it without a word.
# shellcheck disable=SC2016 # perl's variables
t_client_stopped_unsigned() {
	k=$(new_key)
	perl -MIPC::SysV=IPC_CREAT -e 'msgget(hex($ARGV[0]), IPC_CREAT | 0600)
		// die "$!"' "$k" || return 1
	start /dev/null "$T/out" "$T/err" msgq/client -k "$k" hello
	p=$!
	wait_for blocked_in "$p" nanosleep || return 1
	t0=$(date +%s)
	interrupt "$p" && exits_with "$p" 130 &&
		[ $(($(date +%s) - t0)) -le $((2 * SLOW)) ] &&
		messages_are "$k" 0 && [ ! -s "$T/out" ] &&
		grep -q '^msgq/client: 0 requests, 0 answered; stopped by a signal$' "$T/err"
	rc=$?
	msgq/ctl -q -k "$k" rm
	return $rc
}

check "a client prints only the answer to its request" \
	t_client_foreign_answers
check "the server answers only into the requester's private queue" \
	t_server_answers_only_clients
check "a foreign message of another type is left alone, nothing lost" \
	t_foreign_left_alone
check "a dead server's PID given to a new process: the client says gone" \
	t_server_pid_reused
check "a client at a stream's key: what it holds, no rm, nothing touched" \
	t_client_at_a_stream
check "msgq/ctl peek: columns kept for the largest type" t_peek_huge_type
check "a message lost on output is not counted as received" \
	t_lost_not_counted
check "the server's signature stolen: the client sends nothing, exit 1" \
	t_signature_stolen
check "bytes >= 0x80: the answer comes back, exit 0" t_client_high_bytes
check "a client at a stream's empty queue: nothing sent, exit 1" \
	t_client_at_an_empty_stream
check "Ctrl-C while a client waits for a signature: 130, nothing sent" \
	t_client_stopped_unsigned
done_testing
