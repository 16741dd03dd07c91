#!/bin/sh
# tests/shm-outsider.sh - shm/writer and shm/reader: breaks an outsider found
# (a foreign segment or set while the reader waits, a writer arriving as
# the last stream is removed or while the reader looks, a reader stopped
# mid-slot).  Split from shm.sh to run beside it.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-shm.sh
. "$(dirname "$0")/lib-shm.sh"

# A segment of someone else's appears while the reader waits for a writer:
# the reader says what it is and leaves it (it used to adopt and remove it).
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_foreign_segment_while_waiting() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop &&
		perl -e 'shmget(hex($ARGV[0]), 100, 01600) // die "$!"' "$k" &&
		exits_with "$r" 1 && [ ! -s "$T/out" ] &&
		grep -q 'not one of ours' "$T/err" &&
		! grep -q 'removed the segment' "$T/err" &&
		has_segment "$k" && [ "$(ipc_field shm "$k" 4)" = 100 ]
}

# A set of six with the ring's mark (0x7269, ring.h), FILLED 3 and no
# segment at all (perl): the reader, let in, finds no segment; it says so
# and leaves the set as it was.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_foreign_ring_set_without_segment() {
	k=$(new_key)
	perl -e 'use IPC::SysV qw(SETALL);
		my $id = semget(hex($ARGV[0]), 6, 01600) // die "$!";
		semctl($id, 0, SETALL, pack("s!6", 0, 3, 0, 0, 0, 0x7269))
			or die "$!";
		semop($id, pack("s!6", 0, 1, 0, 0, -1, 0)) or die "$!"' "$k" &&
		exits 1 timeout $((10 * SLOW)) shm/reader -k "$k" >/dev/null 2>"$T/err" &&
		grep -q 'no segment' "$T/err" && ! grep -q 'yet; start one' "$T/err" &&
		! grep -q 'removed' "$T/err" && has_set "$k" &&
		[ "$(sem_get "$k" 1 GETVAL)$(sem_get "$k" 4 GETVAL)" = 30 ]
}

# (Under strace, ASan's leak check cannot stop the process it checks, as
# it must: it is switched off for the programs traced here.)
#
# The reader looks for the writer's segment just as the writer makes it,
# before its header is written (strace slows the reader's shmget and the
# writer's shmat): the reader must not take it for a stranger's.
t_writer_arriving_while_the_reader_looks() {
	no_strace && return 0
	k=$(new_key)
	start /dev/null "$T/copy" "$T/r.err" env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null \
		-e trace=shmget -e inject=shmget:delay_enter=2000000 \
		shm/reader -k "$k"
	r=$!
	wait_for has_set "$k" && sleep 2.5 &&
		echo hello | ASAN_OPTIONS=detect_leaks=0 timeout $((20 * SLOW)) strace -f -qq -o /dev/null \
			-e trace=shmat -e inject=shmat:delay_enter=2000000 \
			shm/writer -q -k "$k" &&
		exits_with "$r" 0 && echo hello | cmp - "$T/copy" &&
		! grep -q 'not one of ours' "$T/r.err" && nothing_left "$k"
}

# Has the ring with key $1 lost its set or its segment (being removed)?
half_gone() {
	! has_segment "$1" || ! has_set "$1"
}

# The end of one stream and the start of the next, at the worst moment:
# while the reader of stream A removes the set and the segment (each of
# its shmctl and semctl calls slowed by strace), writer B starts.  Writer
# B is either refused (exit 1) or its stream B is read exactly: never exit
# 0 with a stream nobody can read.
t_next_stream_while_the_last_is_removed() {
	no_strace && return 0
	k=$(new_key)
	head -c 5000 "$T/big" >"$T/a"
	head -c 7000 /dev/urandom >"$T/b"
	shm/writer -q -k "$k" -s 4 -z 4096 <"$T/a" || return 1
	start /dev/null "$T/copy_a" /dev/null env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null \
		-e trace=shmctl,semctl -e inject=shmctl,semctl:delay_exit=400000 \
		shm/reader -q -k "$k"
	a=$!
	wait_for half_gone "$k" || return 1
	timeout $((10 * SLOW)) shm/writer -q -k "$k" -s 4 -z 4096 <"$T/b" 2>"$T/w.err"
	wb=$?
	exits_with "$a" 0 && cmp "$T/a" "$T/copy_a" || return 1
	if [ "$wb" -eq 0 ]; then
		timeout $((10 * SLOW)) shm/reader -q -k "$k" >"$T/copy_b" &&
			cmp "$T/b" "$T/copy_b" && nothing_left "$k"
	else
		[ "$wb" -eq 1 ] && wait_for nothing_left "$k"
	fi
}

# SIGTERM while the reader is blocked writing slot 0 into a full pipe
# nobody reads: it says how much of the slot did not get out.
t_reader_stopped_mid_slot() {
	k=$(new_key)
	mkfifo "$T/fifo.ms" && exec 3<>"$T/fifo.ms" || return 1
	start "$T/big" /dev/null /dev/null shm/writer -q -k "$k"
	w=$!
	start /dev/null "$T/fifo.ms" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" pipe_write && kill -TERM "$(child_of "$r")" &&
		exits_with "$r" 143 && exec 3<&- &&
		grep -q 'stopped by signal 15 in slot 0: [0-9]* of 1048576 bytes lost' "$T/r.err" &&
		exits_with "$w" 1 && wait_for nothing_left "$k"
}

check "a foreign segment appearing while the reader waits is left" \
	t_foreign_segment_while_waiting
check "a ring-shaped set with no segment: named, left as it was" \
	t_foreign_ring_set_without_segment
check "a writer starting while the last stream is removed: no lost stream" \
	t_next_stream_while_the_last_is_removed
check "a writer arriving while the reader looks is no stranger" \
	t_writer_arriving_while_the_reader_looks
check "reader stopped mid-slot: it says what did not get out" \
	t_reader_stopped_mid_slot
done_testing
