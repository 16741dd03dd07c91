#!/bin/sh
# tests/shm-hostile.sh - the ring under a hostile user: shmat failing in
# either side, foreign V operations on its semaphores, a slot's length
# zeroed or refilled, a writer killed before its header.  Split from
# shm.sh to run beside it.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-shm.sh
. "$(dirname "$0")/lib-shm.sh"

# vlimited CMD...: CMD with 50 MB of address space (ulimit -v 50000).
vlimited() {
	prlimit --as=51200000 "$@"
}

# no_vlimit: true (and a TAP SKIP reason) when the programs cannot even
# start so (ASan and valgrind reserve far more), or prlimit is missing.
# Under tests/valgrind not even tried: valgrind would log its failure.
no_vlimit() {
	[ -z "${TEST_VALGRIND:-}" ] && vlimited shm/ctl -h >/dev/null 2>&1 &&
		return 1
	echo "programs cannot start under ulimit -v (ASan? valgrind?)" >"$T/skip"
}

# shmat fails (ulimit -v: no room for 120 MB): the writer says so, exits 1
# and removes what it made - it died of SIGSEGV, its clean-up writing
# through the (void *)-1 that shmat returned, and left a segment no
# program would remove.  With a reader waiting, the segment goes all the
# same (without its header nobody could use it), and the reader waits on
# for a writer that can.
t_writer_shmat_fails() {
	no_vlimit && return 0
	k=$(new_key)
	echo hi | vlimited shm/writer -k "$k" -z 60000000 2>"$T/err"
	st=$?
	if [ "$st" -ne 1 ] || ! grep -q '^shm/writer: shmat: .*(ENOMEM)' "$T/err" ||
		! nothing_left "$k"; then
		diag "exit $st" "$(cat "$T/err")"
		return 1
	fi
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop &&
		{ echo hi | vlimited shm/writer -q -k "$k" -z 60000000; } 2>"$T/err"
	[ $? -eq 1 ] && ! has_segment "$k" && has_set "$k" &&
		blocked_in "$r" semtimedop && echo hi | shm/writer -q -k "$k" &&
		exits_with "$r" 0 && echo hi | cmp - "$T/copy" && nothing_left "$k"
}

# shmat fails in the reader (ulimit -v), the writer waiting on a full
# ring: nothing was output, so the reader gives the slot back, says that
# nothing was taken and removes nothing; the next reader gets the whole
# stream.  It said it removed "the segment and the semaphore set" (only
# the set went), and the next reader was refused.
t_reader_shmat_fails() {
	no_vlimit && return 0
	k=$(new_key)
	start "$T/big" /dev/null "$T/w.err" shm/writer -k "$k" -z 60000000
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		vlimited shm/reader -k "$k" >"$T/copy" 2>"$T/err"
	st=$?
	if [ "$st" -ne 1 ] || [ -s "$T/copy" ] ||
		! grep -q '^shm/reader: shmat: .*(ENOMEM); nothing was taken' "$T/err" ||
		grep -q 'removed' "$T/err" || ! has_segment "$k" || ! has_set "$k"; then
		diag "exit $st" "$(cat "$T/err")"
		return 1
	fi
	[ "$(sem_get "$k" 1 GETVAL)$(sem_get "$k" 3 GETVAL)$(sem_get "$k" 4 GETVAL)" = 200 ] &&
		timeout $((30 * SLOW)) shm/reader -q -k "$k" >"$T/copy" &&
		exits_with "$w" 0 && cmp "$T/big" "$T/copy" && nothing_left "$k"
}

# sem_v KEY N: a V on semaphore N of KEY's set, by a stranger (perl).
sem_v() {
	sem_op "$1" "$2" 1 >/dev/null
}

# A foreign V on FILLED while a slow writer streams, after the ring has
# wrapped (3 lines through 2 slots): the reader takes a slot the writer
# has not filled, which holds line 2 again.  It must say the stream was
# tampered with and exit 1, its output the lines that were sent; the
# writer says the reader has gone, exits 1, no EINVAL.  (The reader wrote
# line 2 twice and called the writer gone; with an empty ring it exited 0
# after the first line, and the writer died of "semctl GETVAL: EINVAL".)
t_foreign_v_on_filled() {
	k=$(new_key)
	mkfifo "$T/fifo.fv" && exec 3<>"$T/fifo.fv" || return 1
	start "$T/fifo.fv" /dev/null "$T/w.err" shm/writer -k "$k" -s 2 -z 4096
	w=$!
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	printf 'line 1\n' >&3 && wait_for size_at_least "$T/copy" 7 &&
		printf 'line 2\n' >&3 && wait_for size_at_least "$T/copy" 14 &&
		printf 'line 3\n' >&3 && wait_for size_at_least "$T/copy" 21 &&
		wait_for blocked_in "$r" semtimedop && sem_v "$k" 1 &&
		exits_with "$r" 1 && exits_with "$w" 1 &&
		grep -q 'the stream was tampered with' "$T/r.err" &&
		printf 'line 1\nline 2\nline 3\n' | cmp - "$T/copy" &&
		! grep -q 'EINVAL' "$T/w.err" && wait_for nothing_left "$k"
}

# A V on FILLED as the reader waits for its first slot (no slot filled
# yet): what it takes is no slot of the stream.  It wrote nothing and
# exited 0 ("then the end of the stream").  The writer waits to read
# first: then its header is written (its segment is there before it).
t_foreign_v_on_an_empty_ring() {
	k=$(new_key)
	mkfifo "$T/fifo.fe" && exec 3<>"$T/fifo.fe" || return 1
	start "$T/fifo.fe" /dev/null "$T/w.err" shm/writer -k "$k" -z 4096
	w=$!
	wait_for blocked_in "$w" pipe || return 1
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop && sem_v "$k" 1 &&
		exits_with "$r" 1 && grep -q 'tampered with' "$T/r.err" &&
		[ ! -s "$T/copy" ] && exits_with "$w" 1 && wait_for nothing_left "$k"
}

# A slot's length zeroed (perl) in a stream that waits unread: the reader
# finds a length 0 the writer did not mark as the end - tampered, exit 1,
# only slot 0 out.  (It exited 0 with 4096 of 10000 bytes.)
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_zeroed_slot_length() {
	k=$(new_key)
	head -c 10000 "$T/big" >"$T/10k"
	shm/writer -q -k "$k" -s 4 -z 4096 <"$T/10k" &&
		perl -e 'my $id = shmget(hex($ARGV[0]), 0, 0) // die "$!";
			shmwrite($id, pack("L", 0), 40, 4) or die "$!"' "$k" &&
		exits 1 timeout $((10 * SLOW)) shm/reader -k "$k" >"$T/copy" 2>"$T/err" &&
		grep -q 'says it is the end, but the writer did not mark it' "$T/err" &&
		head -c 4096 "$T/big" | cmp - "$T/copy" && nothing_left "$k"
}

# A V on FREE: the writer refills slot 0 before any reader read it; the
# reader finds slot 3 of the stream where slot 1 should be, exit 1,
# nothing out.  And a V on FREE after a whole stream is written: every
# slot is right, but one token too many is left at the end: said, exit 1.
t_foreign_v_on_free() {
	k=$(new_key)
	start "$T/big" /dev/null "$T/w.err" shm/writer -k "$k" -s 2 -z 4096
	w=$!
	wait_for blocked_in "$w" semtimedop && sem_v "$k" 0 &&
		wait_for sem_is "$k" 1 3 &&
		exits 1 timeout $((10 * SLOW)) shm/reader -k "$k" >"$T/copy" 2>"$T/err" &&
		grep -q 'slot 0 holds slot 3 of the stream, not slot 1' "$T/err" &&
		[ ! -s "$T/copy" ] && exits_with "$w" 1 && wait_for nothing_left "$k" &&
		echo hi | shm/writer -q -k "$k" -s 4 -z 4096 && sem_v "$k" 0 &&
		exits 1 timeout $((10 * SLOW)) shm/reader -k "$k" >"$T/copy" 2>"$T/err" &&
		grep -q 'at the end, FREE + FILLED is 4, not 3' "$T/err" &&
		nothing_left "$k"
}

# A V on FREE while the reader writes slot 0 out (strace holds its first
# write to the copy 2 s; -P: not valgrind's first write, to a file of its
# own): the writer refills slot 0 under it.  The reader, looking again
# after the write, says the slot changed as it wrote it out, exit 1.
t_slot_refilled_as_it_is_written() {
	no_strace && return 0
	k=$(new_key)
	start "$T/big" /dev/null "$T/w.err" shm/writer -k "$k" -s 2 -z 4096
	w=$!
	wait_for blocked_in "$w" semtimedop || return 1
	start /dev/null "$T/copy" "$T/r.err" env ASAN_OPTIONS=detect_leaks=0 \
		strace -qq -o /dev/null -P "$T/copy" -e trace=write \
		-e inject=write:delay_enter=2000000:when=1 shm/reader -q -k "$k"
	r=$!
	wait_for sem_is "$k" 4 1 && sem_v "$k" 0 && exits_with "$r" 1 &&
		grep -q 'slot 0 changed as we wrote it out (now slot 3 of the stream' \
			"$T/r.err" && exits_with "$w" 1 && wait_for nothing_left "$k"
}

sem_is() {
	[ "$(sem_get "$1" "$2" GETVAL)" = "$3" ]
}

# A writer killed after its shmget, before it wrote the header (strace
# holds its shmat): the segment, all zeros, is still known as the ring's
# (its creator is FREE's last pid): shm/ctl stat names it, and rm
# removes it (it called it "not one of ours" and left it).
t_writer_killed_before_its_header() {
	no_strace && return 0
	k=$(new_key)
	start /dev/null /dev/null /dev/null env ASAN_OPTIONS=detect_leaks=0 \
		strace -qq -o /dev/null -e trace=shmat \
		-e inject=shmat:delay_enter=5000000 shm/writer -k "$k"
	w=$!
	wait_for has_segment "$k" && st=$(child_of "$w") &&
		wr=$(child_of "$st") && [ -n "$wr" ] && kill -KILL "$wr" &&
		wait "$w" 2>/dev/null
	shm/ctl -q -k "$k" stat >"$T/stat" &&
		grep -q "^holds      shm/writer's ring, its header never written" \
			"$T/stat" &&
		shm/ctl -q -k "$k" rm && nothing_left "$k"
}

check "shmat fails in the writer: exit 1, what it made removed" \
	t_writer_shmat_fails
check "shmat fails in the reader: the slot given back, nothing removed" \
	t_reader_shmat_fails
check "a writer killed before its header: its segment still ours to rm" \
	t_writer_killed_before_its_header
check "a foreign V on FILLED after the ring wrapped: tampered, exit 1" \
	t_foreign_v_on_filled
check "a foreign V on FILLED before the first slot: tampered, exit 1" \
	t_foreign_v_on_an_empty_ring
check "a slot's length zeroed: not the end, tampered, exit 1" \
	t_zeroed_slot_length
check "a foreign V on FREE: a slot refilled, a token too many: exit 1" \
	t_foreign_v_on_free
check "a slot refilled as the reader writes it out: tampered, exit 1" \
	t_slot_refilled_as_it_is_written
done_testing
