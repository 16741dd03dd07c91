#!/bin/sh
# tests/limits.sh - the kernel's limits, lowered in a private IPC namespace
# (unshare --ipc) so that nobody else on the machine feels them: no more
# queues, sets or segments (ENOSPC), a small maximum message, a small
# queue.  Every program must say which limit it hit, leave nothing half
# made, and lose no data.  Skipped (TAP SKIP) where no namespace can be
# made.

# Run the whole script in a namespace of its own; its objects, and its
# limits, go when the script ends.
if [ -z "${IPC_DEMO_NS:-}" ]; then
	if unshare --ipc true 2>/dev/null; then
		IPC_DEMO_NS=1 exec unshare --ipc sh "$0" "$@"
	fi
	IPC_DEMO_NS=none
fi

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# Lines of every length around the limits, NUL bytes, binary, no final
# newline.
{
	printf 'short\n\000\000 NUL\n'
	for n in 1 99 100 101 199 200 201 255 256 257 1000; do
		head -c "$n" /dev/zero | tr '\0' y
		printf '\n'
	done
	head -c 20000 /dev/zero | tr '\0' x
	printf '\n'
	head -c 50000 /dev/urandom
	printf 'no newline at the end'
} >"$T/data"

# Can this test lower the limits?  Otherwise say why it is skipped.
in_namespace() {
	if [ "$IPC_DEMO_NS" != 1 ]; then
		echo "unshare --ipc is not allowed here" >"$T/skip"
		return 1
	fi
	if ! echo 32000 2>/dev/null >/proc/sys/kernel/msgmni; then
		echo "cannot write /proc/sys/kernel in the namespace" >"$T/skip"
		return 1
	fi
}

# limit NAME VALUE: set kernel.NAME in our namespace (the defaults are
# put back by the next test's in_namespace and defaults).
limit() {
	echo "$2" >"/proc/sys/kernel/$1"
}
defaults() {
	limit msgmni 32000 && limit msgmax 8192 && limit msgmnb 16384 &&
		limit sem '32000 1024000000 500 32000' && limit shmmni 4096
}

# enospc_ok PROG ERRFILE CALL LIMIT: exit 1 was checked by the caller; the
# message names the call and ENOSPC, and the hint the limit.
enospc_ok() {
	if ! grep -q "^$1: $3: No space left on device (ENOSPC)$" "$2" ||
		! grep -q "^$1: hint: the system's limit on .*$4.* is reached" \
			"$2"; then
		diag "$1" "$(cat "$2")"
		return 1
	fi
}

t_msgmni() {
	in_namespace || return 0
	defaults && limit msgmni 1 || return 1
	a=$(new_key) b=$(new_key)
	msgq/sender -q -k "$a" first &&
		msgq/sender -k "$b" second 2>"$T/err"
	[ $? -eq 1 ] && enospc_ok msgq/sender "$T/err" msgget kernel.msgmni &&
		msgq/receiver -k "$b" >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && [ ! -s "$T/out" ] &&
		enospc_ok msgq/receiver "$T/err" msgget kernel.msgmni &&
		nothing_with "$b" && [ "$(msgq/receiver -q -k "$a")" = first ] &&
		nothing_with "$a"
}

t_semmni() {
	in_namespace || return 0
	defaults && limit sem '32000 1024000000 500 1' || return 1
	a=$(new_key) b=$(new_key) c=$(new_key)
	sem/post -q -k "$a" && sem/wait -k "$b" 2>"$T/err"
	[ $? -eq 1 ] && enospc_ok sem/wait "$T/err" semget 'SEMMNI' &&
		sem/post -k "$b" 2>"$T/err"
	[ $? -eq 1 ] && enospc_ok sem/post "$T/err" semget 'SEMMNI' &&
		shm/writer -k "$c" <"$T/data" 2>"$T/err"
	[ $? -eq 1 ] && enospc_ok shm/writer "$T/err" semget 'SEMMNI' &&
		shm/counter -k "$c" >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && enospc_ok shm/counter "$T/err" semget 'SEMMNI' &&
		nothing_with "$b" && nothing_with "$c" &&
		sem/ctl -q -k "$a" rm && nothing_with "$a"
}

# kernel.msgmax 0 (or 4): no room for data (or a request, or the server's
# signature) in any message.
# The limit named is kernel.msgmax, not the queue's qbytes, which is
# 16384 and which raising would not help; the hint says so.  (With the
# kind byte gone, 1 byte holds data, and 5 a request: its queue id and a
# byte.)
t_msgmax_tiny() {
	in_namespace || return 0
	defaults && limit msgmax 0 || return 1
	k=$(new_key)
	msgq/sender -k "$k" hi 2>"$T/err"
	if [ $? -ne 1 ] ||
		! grep -q '^msgq/sender: a message may hold at most 0 bytes (kernel.msgmax): no room for data' "$T/err" ||
		! grep -q '^msgq/sender: hint: raise kernel.msgmax' "$T/err" ||
		grep -q qbytes "$T/err"; then
		diag "$(cat "$T/err")"
		return 1
	fi
	msgq/ctl -q -k "$k" rm && limit msgmax 4 || return 1
	msgq/server -k "$k" 2>"$T/err"
	if [ $? -ne 1 ] || ! nothing_with "$k" ||
		! grep -q '^msgq/server: a message may hold at most 4 bytes (kernel.msgmax): no room for our signature' "$T/err"; then
		diag "$(cat "$T/err")"
		return 1
	fi
	limit msgmax 8192 || return 1
	start /dev/null /dev/null /dev/null msgq/server -q -k "$k"
	s=$!
	wait_for messages_are "$k" 1 && limit msgmax 4 || return 1
	client_refused 'a message may hold at most 4 bytes (kernel.msgmax): no room for a request' \
		'raise kernel.msgmax'
}

# kernel.msgmnb lowered after the server made its queue: the client's own
# queue (made now, its qbytes from msgmnb) is the small one, and is named
# with the limit to raise - not the server's queue, and not "ctl qbytes",
# which cannot reach a queue with no key.
t_msgmnb_client() {
	in_namespace || return 0
	defaults || return 1
	k=$(new_key)
	start /dev/null /dev/null /dev/null msgq/server -q -k "$k"
	s=$!
	wait_for has_queue "$k" && limit msgmnb 4 || return 1
	client_refused 'our own queue holds at most 4 bytes: no room for a request' \
		'raise kernel.msgmnb'
}

# client_refused SAYS HINT: msgq/client at the server on key $k (timeout
# PID $s) exits 1, saying SAYS and hinting HINT; then the server is
# stopped, and nothing is left.
client_refused() {
	msgq/client -k "$k" hi 2>"$T/err"
	if [ $? -ne 1 ] || ! grep -q "^msgq/client: $1" "$T/err" ||
		! grep -q "^msgq/client: hint: $2" "$T/err"; then
		diag "$(cat "$T/err")"
		return 1
	fi
	interrupt "$s" && exits_with "$s" 130 && nothing_with "$k"
}

# The namespace has no semaphore set at all.
no_sets() {
	[ "$(wc -l </proc/sysvipc/sem)" = 1 ] ||
		{ diag "$(cat /proc/sysvipc/sem)"; return 1; }
}

# SEMMSL 5: a set of 6 (the ring) or 10 (a dinner) is more than one set may
# have.  The hint says so; it used to blame a set "with another number of
# semaphores" that was not there.
t_semmsl() {
	in_namespace || return 0
	defaults && limit sem '5 1024000000 500 32000' || return 1
	a=$(new_key) b=$(new_key)
	shm/writer -k "$a" <"$T/data" 2>"$T/err"
	[ $? -eq 1 ] && grep -q 'hint: .*SEMMSL' "$T/err" &&
		sem/philosophers -k "$b" -p 10 -m 1 2>"$T/err"
	if [ $? -ne 1 ] || ! grep -q 'hint: .*SEMMSL' "$T/err" || ! no_sets; then
		diag "$(cat "$T/err")"
		return 1
	fi
}

# SEMOPM 1: the creator's no-op semop that marks a set ready has two
# operations.  Each program says which limit, with a hint, and removes
# the set it had just made - it used to leave it.
t_semopm() {
	in_namespace || return 0
	defaults && limit sem '32000 1024000000 1 32000' || return 1
	k=$(new_key)
	for p in sem/post sem/philosophers shm/counter shm/writer; do
		"$p" -k "$k" </dev/null >/dev/null 2>"$T/err"
		if [ $? -ne 1 ] || ! grep -q '(E2BIG)$' "$T/err" ||
			! grep -q "^$p: hint: .*SEMOPM" "$T/err" || ! no_sets; then
			diag "$p" "$(cat "$T/err")"
			return 1
		fi
	done
}

# The segment limit is hit after the ring's semaphore set was made: the
# set must not be left behind.
# shellcheck disable=SC2016 # perl's $! and $ARGV, not the shell's
t_shmmni() {
	in_namespace || return 0
	defaults && limit shmmni 1 || return 1
	a=$(new_key) b=$(new_key) c=$(new_key)
	perl -e 'shmget(hex($ARGV[0]), 4096, 01600) // die "$!"' "$a" &&
		shm/writer -k "$b" <"$T/data" 2>"$T/err"
	[ $? -eq 1 ] && enospc_ok shm/writer "$T/err" shmget kernel.shmmni &&
		nothing_with "$b" &&
		shm/counter -k "$c" >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && enospc_ok shm/counter "$T/err" shmget kernel.shmmni &&
		nothing_with "$c" && ipcrm -M "$a"
}

# pair K SENDER-OPTIONS...: send $T/data to a receiver, byte-exact.
pair() {
	k=$1
	shift
	start "$T/data" /dev/null "$T/s.err" msgq/sender -k "$k" "$@"
	s=$!
	timeout $((20 * SLOW)) msgq/receiver -q -k "$k" >"$T/copy" &&
		exits_with "$s" 0 && cmp "$T/data" "$T/copy" && nothing_with "$k"
}

# kernel.msgmax at 100: every line longer goes in pieces, rejoined exactly.
t_msgmax_small() {
	in_namespace || return 0
	defaults && limit msgmax 100 || return 1
	k=$(new_key)
	pair "$k" && grep -q 'up to 100 bytes of data in a message' "$T/s.err" &&
		pair "$k" -b && pair "$k" -t 7 && reply_mode "$k"
}

# Server and client under the same limit: the request's header and the
# text share each message; every answer comes back whole, in capitals.
reply_mode() {
	grep -a '^[a-z]' "$T/data" | head -c 5000 >"$T/text"
	start /dev/null /dev/null /dev/null msgq/server -q -k "$1"
	r=$!
	wait_for has_queue "$1" &&
		timeout $((20 * SLOW)) msgq/client -q -k "$1" <"$T/text" >"$T/answers" &&
		tr '[:lower:]' '[:upper:]' <"$T/text" | cmp - "$T/answers" &&
		interrupt "$r" && exits_with "$r" 130 && nothing_with "$1"
}

# A queue of 256 bytes: the sender waits (asleep in msgsnd) for the
# receiver, and nothing is lost.
t_small_queue_waits() {
	in_namespace || return 0
	defaults && limit msgmnb 256 || return 1
	k=$(new_key)
	start "$T/data" /dev/null "$T/s.err" msgq/sender -k "$k"
	s=$!
	wait_for blocked_in "$s" do_msgsnd &&
		[ "$(ipc_field msg "$k" 4)" -le 256 ] &&
		grep -q 'queue full (.* of 256 bytes): waiting' "$T/s.err" &&
		timeout $((20 * SLOW)) msgq/receiver -q -k "$k" >"$T/copy" &&
		exits_with "$s" 0 && cmp "$T/data" "$T/copy" && nothing_with "$k"
}

# With -n, a full queue is an error (EAGAIN, explained); what was sent
# before it is all there, in order: a prefix of the input, and the
# receiver says the stream was cut (exit 1).
t_small_queue_nowait() {
	in_namespace || return 0
	defaults && limit msgmnb 256 || return 1
	k=$(new_key)
	seq 1000 >"$T/nums"
	msgq/sender -n -k "$k" <"$T/nums" 2>"$T/err"
	[ $? -eq 1 ] && grep -q '^msgq/sender: msgsnd: .* (EAGAIN)$' "$T/err" &&
		grep -q 'hint: the queue is full: .* of 256 bytes' "$T/err" &&
		{ msgq/receiver -n -k "$k" >"$T/copy" 2>"$T/err"; [ $? -eq 1 ]; } &&
		grep -q '^msgq/receiver: the stream is cut: its sender' "$T/err" &&
		n=$(wc -l <"$T/copy") && [ "$n" -gt 50 ] &&
		head -n "$n" "$T/nums" | cmp - "$T/copy" && nothing_with "$k"
}

# kernel.msgmax lowered under a sender blocked on a full queue of 8192-byte
# messages: it sees that no such message can be sent any more and sends
# smaller ones; a receiver started after takes the big ones queued (its
# buffer is as big as the queue) and the small ones: exact, exit 0.
t_msgmax_lowered() {
	in_namespace || return 0
	defaults || return 1
	k=$(new_key)
	head -c 100000 /dev/urandom >"$T/big"
	start "$T/big" /dev/null "$T/s.err" msgq/sender -b -k "$k"
	s=$!
	wait_for blocked_in "$s" do_msgsnd && messages_are "$k" 2 &&
		limit msgmax 4000 &&
		timeout $((20 * SLOW)) msgq/receiver -k "$k" >"$T/copy" 2>"$T/r.err" &&
		exits_with "$s" 0 && cmp "$T/big" "$T/copy" &&
		grep -q '^msgq/sender: kernel.msgmax is 4000 bytes now: data goes in messages of at most 4000 bytes' "$T/s.err" &&
		! grep -q E2BIG "$T/r.err" && nothing_with "$k"
}

# kernel.msgmax raised after the server started: a 10000-byte request fits
# its buffer (as big as its queue) and is answered.  A request bigger than
# the queue was when the server started (qbytes raised too) is dropped,
# said, and its client told (an empty answer); the server serves on.
t_server_oversized() {
	in_namespace || return 0
	defaults || return 1
	k=$(new_key)
	head -c 10000 /dev/zero | tr '\0' y >"$T/l10k" && echo >>"$T/l10k"
	head -c 20000 /dev/zero | tr '\0' z >"$T/l20k" && echo >>"$T/l20k"
	start /dev/null /dev/null "$T/r.err" msgq/server -q -k "$k"
	r=$!
	wait_for has_queue "$k" && limit msgmax 16000 &&
		timeout $((10 * SLOW)) msgq/client -q -k "$k" <"$T/l10k" >"$T/out" &&
		tr y Y <"$T/l10k" | cmp - "$T/out" &&
		limit msgmnb 40000 && limit msgmax 30000 &&
		msgq/ctl -q -k "$k" qbytes 40000 &&
		{ timeout $((10 * SLOW)) msgq/client -k "$k" <"$T/l20k" >"$T/out" 2>"$T/c.err"
		[ $? -eq 1 ]; } && [ ! -s "$T/out" ] &&
		grep -q '^msgq/client: the server could not take request 1 (20001 bytes) whole' "$T/c.err" &&
		grep -q '^msgq/server: a request of type [0-9]*, of more than 16384 bytes, is bigger than our buffer: dropped' "$T/r.err" &&
		[ "$(timeout $((10 * SLOW)) msgq/client -q -k "$k" ok)" = OK ] &&
		interrupt "$r" && exits_with "$r" 130 && nothing_with "$k"
}

# kernel.msgmax lowered under a queued message: MSG_COPY copies no more
# than msgmax, so peek cannot copy it (EINVAL).  Said as that, with the
# message's position, not as a kernel without MSG_COPY (as it was, after
# two messages had been copied and listed).
t_peek_over_msgmax() {
	in_namespace || return 0
	defaults || return 1
	k=$(new_key)
	msgq/sender -q -k "$k" small &&
		head -c 200 /dev/zero | tr '\0' b | msgq/sender -q -b -k "$k" &&
		limit msgmax 100 || return 1
	msgq/ctl -k "$k" peek >"$T/out" 2>"$T/err"
	rc=$?
	msgq/ctl -q -k "$k" rm
	if [ $rc != 1 ] || grep -q 'lacks MSG_COPY' "$T/err" ||
		! grep -q '^msgq/ctl: msgrcv MSG_COPY: Invalid argument (EINVAL)$' "$T/err" ||
		! grep -q '^msgq/ctl: hint: the message at position 2 is longer than kernel.msgmax (100 bytes) now' "$T/err"; then
		diag "exit $rc" "$(cat "$T/err")"
		return 1
	fi
	nothing_with "$k"
}

check "kernel.msgmni reached: ENOSPC named, nothing made" t_msgmni
check "kernel.sem SEMMNI reached: every set maker says so, nothing made" \
	t_semmni
check "kernel.shmmni reached: the writer's set is not left behind" t_shmmni
check "kernel.msgmax too small for any data: kernel.msgmax named" \
	t_msgmax_tiny
check "kernel.msgmnb below a request: the client's own queue named" \
	t_msgmnb_client
check "kernel.sem SEMMSL below a set's size: said, nothing made" t_semmsl
check "kernel.sem SEMOPM 1: said, the new set removed" t_semopm
check "kernel.msgmax 100: lines split and rejoined exactly, replies too" \
	t_msgmax_small
check "a 256-byte queue: the sender waits, nothing lost" t_small_queue_waits
check "a 256-byte queue with -n: EAGAIN explained, a prefix delivered" \
	t_small_queue_nowait
check "kernel.msgmax lowered mid-stream: the sender adapts, exact" \
	t_msgmax_lowered
check "an oversized request: dropped, its client told, the server serves on" \
	t_server_oversized
check "peek past a message over kernel.msgmax: that is said, not MSG_COPY" \
	t_peek_over_msgmax
done_testing
