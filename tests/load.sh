#!/bin/sh
# tests/load.sh - many processes and much data at once, with nothing lost:
# 8 senders to one receiver and to two, 1 GiB through the shared memory
# ring and 256 MiB through a queue (checksums equal), 8 processes taking a
# semaphore in turn, and the shared counter under 8 processes.
#   LOAD_SHM_MB, LOAD_MSGQ_MB   the sizes (default 1024 and 256)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

SHM_MB=${LOAD_SHM_MB:-1024}
MSGQ_MB=${LOAD_MSGQ_MB:-256}
SENDERS=8
LINES=2000

# 64 MiB of random bytes, read as many times as it takes: big streams
# without a big file, from the page cache.
head -c $((64 << 20)) /dev/urandom >"$T/r64"
stream_of() {
	n=$1
	while [ "$n" -ge 64 ]; do
		cat "$T/r64"
		n=$((n - 64))
	done
	[ "$n" -eq 0 ] || head -c $((n << 20)) "$T/r64"
}

# feed MB: that stream into the fifo $T/fifo, for a peer started on it.
mkfifo "$T/fifo"
feed() {
	stream_of "$1" >"$T/fifo" &
	echo $! >>"$T/pids"
}

# What the senders send, all of it, sorted: "s3 1742" is line 1742 of
# sender 3.
expected() {
	i=0
	while [ $i -lt $SENDERS ]; do
		i=$((i + 1))
		seq -f "s$i %g" $LINES
	done | sort
}

start_senders() {
	i=0
	: >"$T/senders"
	while [ $i -lt $SENDERS ]; do
		i=$((i + 1))
		seq -f "s$i %g" $LINES >"$T/lines.$i"
		start "$T/lines.$i" /dev/null "$T/s.err.$i" \
			msgq/sender -q -k "$1"
		echo $! >>"$T/senders"
	done
}

senders_ok() {
	while read -r s; do
		exits_with "$s" 0 || return 1
	done <"$T/senders"
}

# One receiver: it stops by itself after the 8 ends of stream (-e 8).
t_senders_one_receiver() {
	k=$(new_key)
	expected >"$T/want"
	start /dev/null "$T/out" "$T/r.err" msgq/receiver -q -e $SENDERS -k "$k"
	r=$!
	start_senders "$k"
	senders_ok && exits_with "$r" 0 && sort "$T/out" | cmp - "$T/want" &&
		nothing_with "$k" &&
		echo "# $((SENDERS * LINES)) messages from $SENDERS senders, each once" >&2
}

# Two receivers share the work: each message goes to exactly one of them.
# Neither can know when the other senders are done, so once all is sent
# and taken, both are stopped with Ctrl-C; the first out removes the empty
# queue (the other may be woken by that removal first: EIDRM, exit 1).
t_senders_two_receivers() {
	k=$(new_key)
	expected >"$T/want"
	start /dev/null "$T/out.a" "$T/a.err" msgq/receiver -q -e 99 -k "$k"
	a=$!
	start /dev/null "$T/out.b" "$T/b.err" msgq/receiver -q -e 99 -k "$k"
	b=$!
	start_senders "$k"
	senders_ok && wait_for messages_are "$k" 0 &&
		interrupt "$a" "$b" && receiver_stopped "$a" "$T/a.err" &&
		receiver_stopped "$b" "$T/b.err" &&
		cat "$T/out.a" "$T/out.b" | sort | cmp - "$T/want" &&
		[ -s "$T/out.a" ] && [ -s "$T/out.b" ] && nothing_with "$k" &&
		echo "# split $(wc -l <"$T/out.a") + $(wc -l <"$T/out.b")" >&2
}
receiver_stopped() {
	{ wait "$1"; } 2>/dev/null
	rc=$?
	[ $rc -eq 130 ] && return 0
	[ $rc -eq 1 ] && grep -Eq '\((EIDRM|EINVAL)\)$' "$2" && return 0
	diag "receiver exit $rc" "$(cat "$2")"
	return 1
}

same() {
	[ "$1" = "$2" ] || { diag "sent: cksum $1" "got:  cksum $2"; return 1; }
}

# big MB NAME SENDER SENDER-OPTION RECEIVER: MB of data through a pair, the
# checksums of what went in and what came out equal, nothing left.  The
# sender has the receiver's 60 s (x SLOW), not start's usual 20: loaded,
# 1 GiB took longer, and the sender's timeout stopped it mid-stream.
big() {
	mb=$1 name=$2
	shift 2
	k=$(new_key)
	PEER_TIMEOUT=$((60 * SLOW))	# this check's subshell alone
	sum_in=$(stream_of "$mb" | cksum)
	feed "$mb"
	start "$T/fifo" /dev/null "$T/s.err" "$1" -q -k "$k" ${2:+"$2"}
	s=$!
	sum_out=$(timeout $((60 * SLOW)) "$3" -q -k "$k" | cksum)
	same "$sum_in" "$sum_out" && exits_with "$s" 0 && nothing_with "$k" &&
		echo "# $name: $mb MiB, cksum $sum_out" >&2
}

t_shm_big() {
	big "$SHM_MB" shm shm/writer "" shm/reader
}

t_msgq_big() {
	big "$MSGQ_MB" msgq msgq/sender -b msgq/receiver
}

# 8 processes, each taking a 1-unit semaphore 25 times for a zero-length
# critical section: no two are ever inside at once.
t_sem_contention() {
	k=$(new_key)
	sem/post -q -k "$k" || return 1
	i=0
	while [ $i -lt 8 ]; do
		i=$((i + 1))
		# shellcheck disable=SC2016 # $1 is the child shell's
		timeout $((60 * SLOW)) sh -c 'for j in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do
			sem/wait -q -k "$1" -s 0 || exit 1; done' sh "$k" >"$T/ev.$i" &
		echo $! >>"$T/pids"
		echo $! >>"$T/waiters"
	done
	while read -r p; do
		wait "$p" || return 1
	done <"$T/waiters"
	cat "$T"/ev.* | sed 's/^leave/0 leave/; s/^enter/1 enter/' |
		awk '{ print $3, $1 }' | sort -n -k1,1 -k2,2 |
		awk '$2 == 1 { n++; if (n > most) most = n } $2 == 0 { n-- }
			END { exit !(most == 1 && n == 0 && NR == 400) }' &&
		[ "$(sem_get "$k" 0 GETVAL)" = 1 ] &&
		sem/ctl -q -k "$k" rm && nothing_with "$k" &&
		echo "# 200 critical sections by 8 processes, never 2 at once" >&2
}

# The shared counter, 8 processes under the mutex: nothing lost.
t_counter_eight() {
	k=$(new_key)
	timeout $((60 * SLOW)) shm/counter -q -k "$k" -p 8 -n 20000 >"$T/out" &&
		printf 'expected 160000\ngot 160000\nlost 0\n' | cmp - "$T/out" &&
		nothing_with "$k"
}

check "$SENDERS senders x $LINES messages, 1 receiver: each exactly once" \
	t_senders_one_receiver
check "$SENDERS senders x $LINES messages, 2 receivers: each exactly once" \
	t_senders_two_receivers
check "$SHM_MB MiB through the shm pair: checksums equal" t_shm_big
check "$MSGQ_MB MiB through the msgq pair: checksums equal" t_msgq_big
check "8 processes x 25 critical sections: never two inside" t_sem_contention
check "shm/counter, 8 processes x 20000 under the mutex: exact" \
	t_counter_eight
done_testing
