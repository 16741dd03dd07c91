#!/bin/sh
# tests/shm.sh - shm/writer, shm/reader and shm/ctl: byte-exact streams in
# both start orders, the peer that dies, Ctrl-C, corrupt and foreign
# segments; checked against /proc/sysvipc/shm and /proc/sysvipc/sem.
# (The ring's other checks, split off to run beside these: shm-outsider.sh,
# shm-killed.sh, shm-hostile.sh; their helpers are in lib-shm.sh.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-shm.sh
. "$(dirname "$0")/lib-shm.sh"

t_64m_writer_first() { stream writer-first "$T/big"; }

t_64m_reader_first() { stream reader-first "$T/big"; }

# Empty input and sizes that are not a multiple of a slot.
t_odd_sizes() {
	: >"$T/empty"
	stream writer-first "$T/empty" || return 1
	for n in 1 1023 1024 1025 262145; do
		head -c "$n" "$T/big" >"$T/odd"
		stream reader-first "$T/odd" -s 3 -z 1024 ||
			{ diag "size $n"; return 1; }
		# One of each is said in the singular.
		[ "$n" -ne 1 ] ||
			grep -q '^shm/reader: 1 byte in 1 slot, ' "$T/r.err" ||
			{ diag "$(cat "$T/r.err")"; return 1; }
	done
}

# One small buffer: -s 1 -z 1024 still works (and is slow: 4 MiB here).
t_one_small_buffer() {
	head -c $((4 << 20)) "$T/big" >"$T/4m"
	stream writer-first "$T/4m" -s 1 -z 1024 &&
		grep -q 'created segment id .* (1 slot of 1024 bytes)' "$T/w.err"
}

# The reader says it waits for the writer's first slot only when it will:
# with the ring filled already it says it takes one at once (it said
# "waiting" with FILLED at 2).
t_first_p_said_truly() {
	head -c $((4 << 20)) "$T/big" >"$T/4m"
	stream writer-first "$T/4m" -s 2 -z 4096 &&
		grep -q '^shm/reader: P on FILLED: 2 slots filled already, no wait$' \
			"$T/r.err" && ! grep -q 'waiting' "$T/r.err" &&
		stream reader-first "$T/4m" -s 2 -z 4096 &&
		grep -q "^shm/reader: waiting for the writer's first slot" "$T/r.err"
}

# The narration says what a student should see, once, not per slot.
t_narration() {
	stream writer-first "$T/big" &&
		grep -q '^shm/writer: shmget: created segment id .*; shmat: at 0x' \
			"$T/w.err" &&
		grep -q '^shm/writer: 67108864 bytes in 65 slots, .* MB/s$' \
			"$T/w.err" &&
		grep -q '^shm/reader: shmat: .* read-only at 0x.*; nattch 2$' \
			"$T/r.err" &&
		[ "$(wc -l <"$T/w.err")" -lt 10 ] && [ "$(wc -l <"$T/r.err")" -lt 10 ]
}

# kill -9 of the reader mid-stream: the writer, blocked on a full ring,
# notices within 5 s (3 s: reader_killed_mid_stream, below), says so,
# exits 1, and removes everything.
t_kill_reader() { reader_killed_mid_stream running; }

# kill -9 of the writer mid-stream: the reader, on an empty ring, notices
# within 5 s, says the output is incomplete, exits 1, removes everything;
# what it wrote is a prefix of the input.
t_kill_writer() {
	k=$(new_key)
	mkfifo "$T/fifo.kw" && exec 3<>"$T/fifo.kw" || return 1
	start "$T/fifo.kw" /dev/null "$T/w.err" shm/writer -k "$k" -z 1024
	w=$!
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	head -c 5000 "$T/big" >&3 &&
		wait_for test -s "$T/copy" && wait_for blocked_in "$r" semtimedop &&
		kill -KILL "$(child_of "$w")" && exits_with "$w" 137 &&
		timeout $((5 * SLOW)) sh -c "while kill -0 $r 2>/dev/null; do sleep 0.1; done" &&
		exits_with "$r" 1 &&
		grep -q 'the writer has gone .*incomplete' "$T/r.err" &&
		head -c "$(wc -c <"$T/copy")" "$T/big" | cmp - "$T/copy" &&
		nothing_left "$k"
}

# Ctrl-C on the writer: it exits 130; the reader says the stream was cut
# short and exits 1; nothing is left.  (Interrupted only once the data has
# come through: a writer stopped before it made the segment is, to the
# reader, a writer that has not come yet.)
t_sigint_writer() {
	k=$(new_key)
	mkfifo "$T/fifo.iw" && exec 3<>"$T/fifo.iw" || return 1
	start "$T/fifo.iw" /dev/null "$T/w.err" shm/writer -k "$k"
	w=$!
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	echo some data >&3 &&
		wait_for test -s "$T/copy" && wait_for blocked_in "$r" semtimedop &&
		interrupt "$w" && exits_with "$w" 130 && exits_with "$r" 1 &&
		grep -q 'the writer was interrupted' "$T/r.err" &&
		echo some data | cmp - "$T/copy" && nothing_left "$k"
}

# Ctrl-C on the reader: it exits 130; the writer says the reader has gone
# and exits 1; nothing is left.
t_sigint_reader() {
	full_ring ir &&
		interrupt "$r" && exec 3<&- && exits_with "$r" 130 &&
		exits_with "$w" 1 && nothing_left "$k"
}

# Ctrl-C on a writer that no reader ever came for: 130, nothing left.
t_sigint_lonely_writer() {
	k=$(new_key)
	start "$T/big" /dev/null /dev/null shm/writer -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		interrupt "$w" && exits_with "$w" 130 && nothing_left "$k"
}

t_ctl() {
	k=$(new_key)
	shm/ctl -k "$k" stat >/dev/null 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(ENOENT)$' "$T/err" &&
		grep -q 'hint: no segment and no semaphore set' "$T/err" &&
		grep -q 'shm/counter' "$T/err" &&
		start "$T/big" /dev/null /dev/null shm/writer -q -k "$k" -s 2 -z 4096 &&
		w=$! && wait_for blocked_in "$w" semtimedop &&
		shm/ctl -q -k "$k" stat >"$T/stat" &&
		grep -q "^key        $k$" "$T/stat" &&
		grep -q '^mode       0600$' "$T/stat" &&
		grep -q '^nattch     1$' "$T/stat" &&
		grep -q '^size       8256$' "$T/stat" &&
		grep -q '^values     FREE 0 FILLED 2 WRITER 1 READER 0 STARTED 0$' "$T/stat" &&
		[ "$(ipc_field shm "$k" 4)" = 8256 ] &&
		shm/ctl -k "$k" rm 2>"$T/err" &&
		grep -q 'removed the segment and the semaphore set' "$T/err" &&
		! has_set "$k" && exits_with "$w" 1
}

# The reader must wait for its first slot before the segment comes:
# its set alone (has_set) is there before it has looked for a segment,
# and one found then is refused as a stranger's, not read.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_corrupt_header() {
	k=$(new_key)
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop || return 1
	# A header that says 1000 slots of 64 KiB, in a 4 KiB segment.
	perl -e '
		my ($key) = hex($ARGV[0]);
		my $id = shmget($key, 4096, 01600) // die "shmget: $!";
		shmwrite($id, pack("L4", 0x72696e67, 1000, 65536, 0), 0, 16)
			or die "shmwrite: $!";
		my $set = semget($key, 0, 0) // die "semget: $!";
		semop($set, pack("s!3", 1, 1, 0)) or die "semop: $!";
	' "$k" &&
		exits_with "$r" 1 && [ ! -s "$T/copy" ] &&
		grep -q 'header is not one of ours, or is corrupt' "$T/r.err" &&
		grep -q "hint: remove it with shm/ctl -k $k rm" "$T/r.err" &&
		shm/ctl -q -k "$k" rm && nothing_left "$k"
}

# Another user can neither read, attach (shmread attaches), join, stat nor
# remove; nobody attached but the writer.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_other_user() {
	k=$(new_key)
	start "$T/big" /dev/null /dev/null shm/writer -q -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		as_other shm/reader -k "$k" >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && [ ! -s "$T/out" ] &&
		grep -q '^shm/reader: semget: .* (EACCES)$' "$T/err" &&
		as_other shm/ctl -k "$k" rm 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(EPERM)$' "$T/err" &&
		as_other shm/ctl -k "$k" stat >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && [ ! -s "$T/out" ] && grep -q '(EACCES)$' "$T/err" &&
		as_other shm/writer -k "$k" <"$T/big" 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(EACCES)$' "$T/err" &&
		as_other shm/counter -k "$k" >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(EACCES)$' "$T/err" &&
		as_other perl -e 'shmread($ARGV[0], my $b, 0, 8) || exit 3; exit 0' \
			"$(ipc_field shm "$k" 2)"
	[ $? -eq 3 ] &&
		has_segment "$k" && attached_is "$k" 1 &&
		interrupt "$w" && exits_with "$w" 130 && nothing_left "$k"
}

# Another user's segment or set on our key is refused, and left alone:
# we remove only the set we made ourselves.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_squatter() {
	k=$(new_key)
	as_other perl -e 'shmget(hex($ARGV[0]), 4096, 01666) // die "$!"' "$k" &&
		shm/writer -k "$k" <"$T/big" 2>"$T/err"
	[ $? -eq 1 ] && grep -q 'segment id .* belongs to uid 4242' "$T/err" &&
		! has_set "$k" && [ "$(ipc_field shm "$k" 8)" = 4242 ] &&
		shm/counter -k "$k" >"$T/out" 2>"$T/err"
	[ $? -eq 1 ] && grep -q 'segment id .* belongs to uid 4242' "$T/err" &&
		! has_set "$k" && [ "$(ipc_field shm "$k" 8)" = 4242 ] &&
		ipcrm -M "$k" &&
		as_other perl -e 'semget(hex($ARGV[0]), 4, 01666) // die "$!"' "$k" &&
		shm/reader -k "$k" 2>"$T/err"
	[ $? -eq 1 ] && grep -q 'semaphore set id .* belongs to uid 4242' "$T/err"
}


# --- one stream, one reader; foreign objects; the header ----------------------

# restart SIGNAL: reader 1 takes a few slots of a stream that comes slowly
# through a FIFO and is stopped by SIGNAL; reader 2 starts at once.  It is
# refused with nothing written (the stream is broken), or, if the writer
# saw the break and removed the ring before it came (valgrind is slow),
# it waits for a new writer with nothing written.  The writer exits 1, and
# reader 1's output is a prefix of the input; nothing is left.
restart() {
	sig=$1
	k=$(new_key)
	mkfifo "$T/fifo.rs$sig" && exec 3<>"$T/fifo.rs$sig" || return 1
	start "$T/fifo.rs$sig" /dev/null "$T/w.err" shm/writer -k "$k" -z 4096
	w=$!
	start /dev/null "$T/out1" "$T/r1.err" shm/reader -k "$k"
	r=$!
	head -c 20000 "$T/big" >&3 && wait_for size_at_least "$T/out1" 8192 ||
		return 1
	if [ "$sig" = KILL ]; then
		kill -KILL "$(child_of "$r")" && exits_with "$r" 137
	else
		interrupt "$r" && exits_with "$r" 130
	fi || return 1
	start /dev/null "$T/out2" "$T/r2.err" shm/reader -k "$k"
	r2=$!
	exits_with "$w" 1 && grep -q 'the reader has gone before the end' "$T/w.err" &&
		wait_for refused_or_waiting "$r2" || return 1
	if grep -q 'the stream is broken: a reader took part of it' "$T/r2.err"; then
		exits_with "$r2" 1
	else
		interrupt "$r2" && exits_with "$r2" 130
	fi && [ ! -s "$T/out2" ] &&
		head -c "$(wc -c <"$T/out1")" "$T/big" | cmp - "$T/out1" &&
		wait_for nothing_left "$k"
}

# Reader 2 of restart(): refused, or asleep waiting for a writer.
refused_or_waiting() {
	grep -q 'the stream is broken' "$T/r2.err" || blocked_in "$1" semtimedop
}

t_restart_after_kill() { restart KILL; }

t_restart_after_ctrl_c() { restart INT; }

# A reader that leaves before it takes anything breaks nothing: the next
# one reads the whole stream.
t_reader_leaves_early() {
	k=$(new_key)
	head -c 100000 "$T/big" >"$T/100k"
	start /dev/null "$T/out1" /dev/null shm/reader -k "$k"
	r=$!
	wait_for has_set "$k" && interrupt "$r" && exits_with "$r" 130 &&
		nothing_left "$k" &&
		stream writer-first "$T/100k" -z 4096
}

# sem/post on the key of a full ring: refused (6 semaphores, not 1); the
# ring's FREE is untouched, and the transfer stays exact.  sem/wait and
# sem/ctl set refuse it too; sem/ctl stat says what it is.
t_sem_programs_on_a_ring() {
	k=$(new_key)
	head -c 8192 "$T/big" >"$T/8k"
	start "$T/8k" /dev/null /dev/null shm/writer -k "$k" -s 2 -z 2048
	w=$!
	wait_for blocked_in "$w" semtimedop && exits 1 sem/post -k "$k" 2 2>"$T/err" &&
		grep -q "^sem/post: key $k holds a set of 6 semaphores (shm/writer's ring or sem/philosophers'?); sem/post needs 1$" "$T/err" &&
		! grep -q 'strerror\|(E[A-Z]*)' "$T/err" &&
		[ "$(sem_get "$k" 0 GETVAL)" = 0 ] &&
		exits 1 sem/wait -n -k "$k" 2>/dev/null &&
		sem/ctl -k "$k" set 3 2>"$T/err"
	[ $? -eq 1 ] && grep -q 'holds a set of 6 semaphores' "$T/err" &&
		sem/ctl -q -k "$k" stat >"$T/stat" &&
		grep -q "^semaphores 6 (not sem/wait's set of 1)$" "$T/stat" &&
		[ "$(sem_get "$k" 0 GETVAL)" = 0 ] &&
		timeout $((20 * SLOW)) shm/reader -k "$k" >"$T/copy" 2>/dev/null &&
		exits_with "$w" 0 && cmp "$T/8k" "$T/copy" && nothing_left "$k"
}

# A foreign set of 3 (perl) is refused by sem/wait and shm/reader, and left
# with its values; shm/writer refuses sem/post's set of 1, with no errno.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_sets_of_other_shapes() {
	k=$(new_key)
	perl -e 'use IPC::SysV qw(SETALL);
		my $id = semget(hex($ARGV[0]), 3, 01600) // die "$!";
		semctl($id, 0, SETALL, pack("s!3", 7, 8, 9)) or die "$!";
		semop($id, pack("s!6", 0, 1, 0, 0, -1, 0)) or die "$!"' "$k" &&
		exits 1 timeout $((10 * SLOW)) sem/wait -k "$k" 2>"$T/err" &&
		grep -q "holds a set of 3 semaphores (sem/philosophers'?); sem/wait needs 1" "$T/err" &&
		exits 1 timeout $((10 * SLOW)) shm/reader -k "$k" >/dev/null 2>"$T/err" &&
		grep -q 'holds a set of 3 semaphores .*; shm/reader needs 6' "$T/err" &&
		[ "$(sem_get "$k" 0 GETVAL)$(sem_get "$k" 1 GETVAL)$(sem_get "$k" 2 GETVAL)" = 789 ] &&
		ipcrm -S "$k" && sem/post -q -k "$k" 3 &&
		exits 1 shm/writer -k "$k" <"$T/big" 2>"$T/err" &&
		grep -q "holds a set of 1 semaphore (sem/wait's and sem/post's?); shm/writer needs 6" "$T/err" &&
		! grep -q 'EINVAL\|stale' "$T/err" && ! has_segment "$k" &&
		[ "$(sem_get "$k" 0 GETVAL)" = 3 ] &&
		shm/ctl -q -k "$k" stat >"$T/stat" &&
		grep -q "^semaphores id [0-9]*, 1 of them (sem/wait's and sem/post's?)$" "$T/stat"
}

# A second writer on a stream that waits unread, and a counter on the same
# key: both refused, and they leave the set and the segment as they were;
# the reader then gets the first stream whole.
t_refused_programs_remove_nothing() {
	k=$(new_key)
	head -c 10000 "$T/big" >"$T/10k"
	shm/writer -q -k "$k" -s 4 -z 4096 <"$T/10k" &&
		exits 1 shm/writer -k "$k" <"$T/big" 2>"$T/err" &&
		grep -q "holds shm/writer's ring already" "$T/err" &&
		! grep -q 'File exists\|Success' "$T/err" &&
		has_set "$k" && has_segment "$k" &&
		exits 1 timeout $((10 * SLOW)) shm/counter -k "$k" >"$T/out" 2>"$T/err" &&
		[ ! -s "$T/out" ] &&
		grep -q 'holds a set of 6 semaphores' "$T/err" &&
		has_set "$k" && has_segment "$k" &&
		timeout $((10 * SLOW)) shm/reader -k "$k" >"$T/copy" 2>/dev/null &&
		cmp "$T/10k" "$T/copy" && nothing_left "$k"
}

# A foreign segment (perl, same user, 0600, "precious"): the reader says
# what it is at once and leaves it; the counter refuses it too, without a
# stale errno; the writer will not overwrite it.  No hint names shm/ctl rm,
# which leaves such a segment (they did).
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_foreign_segment_untouched() {
	k=$(new_key)
	perl -e 'my $id = shmget(hex($ARGV[0]), 4096, 01600) // die "$!";
		shmwrite($id, "precious", 0, 8) or die "$!"' "$k" &&
		exits 1 timeout $((10 * SLOW)) shm/reader -k "$k" >"$T/out" 2>"$T/err" &&
		[ ! -s "$T/out" ] &&
		grep -q 'holds a segment that is not one of ours (id [0-9]*, 4096 bytes)' "$T/err" &&
		grep -q "hint: it is not shm/'s, so no shm/ program will remove it" "$T/err" &&
		! grep -q 'ctl.* rm' "$T/err" && ! has_set "$k" &&
		exits 1 timeout $((10 * SLOW)) shm/counter -k "$k" >"$T/out" 2>"$T/err" &&
		grep -q 'holds a segment of 4096 bytes that is not a counter' "$T/err" &&
		! grep -q 'File exists\|Success' "$T/err" && ! has_set "$k" &&
		exits 1 shm/writer -k "$k" <"$T/big" 2>"$T/err" &&
		! grep -q 'ctl.* rm' "$T/err" && ! has_set "$k" &&
		perl -e 'shmread(shmget(hex($ARGV[0]), 0, 0), my $b, 0, 8) or die;
			exit($b ne "precious")' "$k" &&
		shm/ctl -q -k "$k" stat >"$T/stat" &&
		grep -q '^holds      a segment that is not one of ours$' "$T/stat"
}

# A set the writer refuses is one shm/ctl rm may leave (not the ring's), so
# the hint names what removes it for sure: ipcrm -s ID.  A set of six never
# initialised (its creator died half way; here perl), and one open to
# others: each hint's command, run as given, removes the set.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_refusal_hints_work() {
	k=$(new_key)
	for mode in 0600 0666; do
		perl -e 'semget(hex($ARGV[0]), 6, 01000 | oct($ARGV[1])) // die "$!"' \
			"$k" "$mode" &&
			exits 1 timeout $((20 * SLOW)) shm/writer -k "$k" </dev/null \
			2>"$T/err" || return 1
		cmd=$(sed -n 's/^shm\/writer: hint: .*remove it with \(ipcrm -s [0-9]*\).*/\1/p' "$T/err")
		if [ -z "$cmd" ] || ! $cmd || has_set "$k" || has_segment "$k"; then
			diag "mode $mode:" "$(cat "$T/err")"
			return 1
		fi
	done
}

# shm/ctl rm removes shm/'s own kinds only: a ring's or counter's segment,
# a ring's or counter's set (its size and its mark).  A foreign segment and
# sem/wait's set of 1 on the key are named and left (exit 1); a stream's
# ring and set still go.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_ctl_rm_only_ours() {
	k=$(new_key)
	perl -e 'my $id = shmget(hex($ARGV[0]), 4096, 01600) // die "$!";
		shmwrite($id, "precious", 0, 8) or die "$!"' "$k" &&
		sem/post -q -k "$k" || return 1
	shm/ctl -k "$k" rm 2>"$T/err"
	if [ $? -ne 1 ] || ! has_segment "$k" || ! has_set "$k" ||
		! grep -q 'segment id [0-9]* is not one of ours.*left' "$T/err" ||
		! grep -q 'set id [0-9]* of 1 semaphore is not the ring.s.*left' \
		"$T/err"; then
		diag "$(cat "$T/err")"
		return 1
	fi
	ipcrm -M "$k" -S "$k" || return 1
	echo data | timeout $((10 * SLOW)) shm/writer -q -k "$k" -z 4096 &&
		has_segment "$k" && shm/ctl -q -k "$k" rm &&
		! has_segment "$k" && ! has_set "$k"
}

# As root, ctl rm refuses another user's live ring, as every other program
# does ("belongs to uid 4242"): both stay, its writer streams on; -f
# removes them, and the writer, its ring gone, stops.
t_ctl_rm_foreign() {
	k=$(new_key)
	start "$T/big" /dev/null "$T/w.err" setpriv --reuid=4242 --regid=4242 \
		--clear-groups "$top/shm/writer" -q -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop || return 1
	shm/ctl -k "$k" rm >"$T/out" 2>"$T/err"
	if [ $? != 1 ] || [ -s "$T/out" ] ||
		! grep -q "^shm/ctl: key $k: segment id [0-9]* belongs to uid 4242, not to you (uid 0)$" "$T/err" ||
		! grep -q '^shm/ctl: hint: .* -f ' "$T/err" ||
		! has_segment "$k" || ! has_set "$k" || gone "$w"; then
		diag "$(cat "$T/err")"
		return 1
	fi
	shm/ctl -f -k "$k" rm 2>"$T/err" &&
		grep -q 'segment id [0-9]* belongs to uid 4242; -f: going on' "$T/err" &&
		grep -q 'semaphore set id [0-9]* belongs to uid 4242; -f: going on' "$T/err" &&
		grep -q 'IPC_RMID: removed the segment and the semaphore set' "$T/err" &&
		exits_with "$w" 1 && nothing_left "$k"
}

# Someone with our uid writes slots = 0 into a live ring's header: the
# writer notices on its next slot and stops (it used to divide by zero);
# the reader says the output is cut; nothing is left.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_header_changed_under_the_writer() {
	k=$(new_key)
	mkfifo "$T/fifo.hc" && exec 3<>"$T/fifo.hc" || return 1
	start "$T/fifo.hc" /dev/null "$T/w.err" shm/writer -k "$k" -z 4096
	w=$!
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	head -c 5000 "$T/big" >&3 && wait_for size_at_least "$T/copy" 5000 &&
		perl -e 'shmwrite(shmget(hex($ARGV[0]), 0, 0), pack("L", 0), 8, 4)
			or die "$!"' "$k" &&
		head -c 5000 "$T/big" >&3 && exits_with "$w" 1 &&
		grep -q "header was changed under us" "$T/w.err" &&
		exits_with "$r" 1 && grep -q 'incomplete' "$T/r.err" &&
		wait_for nothing_left "$k"
}

# A Ctrl-C that lands just after a P has succeeded, before the writer
# reads: it must not be lost (ring.c once cancelled the alarm that
# catches it).  strace delivers SIGINT on entering the writer's third
# semop - the first P(FREE), which succeeds at once - and the writer then
# blocks in read() on a FIFO with no data.
t_ctrl_c_after_p() {
	no_strace && return 0
	k=$(new_key)
	mkfifo "$T/fifo.cp" && exec 3<>"$T/fifo.cp" || return 1
	ASAN_OPTIONS=detect_leaks=0 timeout -k 2 $((5 * SLOW)) strace -f -qq -o /dev/null \
		-e trace=semop,semtimedop \
		-e inject=semop,semtimedop:signal=SIGINT:when=3 \
		shm/writer -k "$k" <"$T/fifo.cp" 2>"$T/err"
	st=$?
	[ "$st" -eq 130 ] || { diag "exit $st"; return 1; }
	grep -q 'stopped by signal 2' "$T/err" && nothing_left "$k"
}

# The reader's output fails: to /dev/full before it wrote a byte, nothing
# is taken and the stream waits whole for the next reader; into a pipe
# that closes after one byte, it says how much of which slot was lost.
t_reader_output_fails() {
	k=$(new_key)
	head -c 100000 "$T/big" >"$T/100k"
	shm/writer -q -k "$k" -s 4 -z 65536 <"$T/100k" &&
		exits 1 timeout $((10 * SLOW)) shm/reader -k "$k" >/dev/full 2>"$T/err" &&
		grep -q '^shm/reader: write (stdout): .* (ENOSPC); nothing was taken' "$T/err" &&
		grep -q 'hint: the disk or device that standard output goes to is full' "$T/err" &&
		has_segment "$k" &&
		timeout $((10 * SLOW)) shm/reader -k "$k" >"$T/copy" 2>/dev/null &&
		cmp "$T/100k" "$T/copy" && nothing_left "$k" &&
		start "$T/big" /dev/null /dev/null shm/writer -q -k "$k" -z 65536 ||
		return 1
	w=$!
	{ timeout $((10 * SLOW)) shm/reader -k "$k" 2>"$T/err"; echo $? >"$T/st"; } |
		head -c 1 >/dev/null
	[ "$(cat "$T/st")" = 1 ] && exits_with "$w" 1 &&
		grep -q '(EPIPE); [0-9]* of [0-9]* bytes of slot [0-9]* lost, after [0-9]* written: the stream is broken' "$T/err" &&
		nothing_left "$k"
}

check "64 MiB, writer first: byte-exact, nothing left" t_64m_writer_first
check "64 MiB, reader first: byte-exact, nothing left" t_64m_reader_first
check "empty input and odd sizes" t_odd_sizes
check "-s 1 -z 1024: one small buffer" t_one_small_buffer
check "narration: the segment once, a summary, no line per slot" t_narration
check "the reader says it waits for a first slot only when it will" \
	t_first_p_said_truly
check "kill -9 of the reader: the writer exits 1 within 5 s" t_kill_reader
check "kill -9 of the writer: the reader exits 1 within 5 s" t_kill_writer
check "Ctrl-C on the writer: 130, the reader says it was cut" t_sigint_writer
check "Ctrl-C on the reader: 130, the writer stops" t_sigint_reader
check "Ctrl-C on a writer with no reader: 130, nothing left" \
	t_sigint_lonely_writer
check "ctl stat and rm" t_ctl
check "a corrupt header is refused, never read past" t_corrupt_header
check "another user can neither read nor remove" t_other_user
check "a squatted segment or set is refused" t_squatter
check "kill -9 of a reader, another at once: refused, the stream broken" \
	t_restart_after_kill
check "Ctrl-C of a reader, another at once: refused, the stream broken" \
	t_restart_after_ctrl_c
check "a reader that leaves before taking anything breaks nothing" \
	t_reader_leaves_early
check "sem/post, sem/wait, sem/ctl set on a ring's key: refused" \
	t_sem_programs_on_a_ring
check "sets of another size: refused by every program, left as they are" \
	t_sets_of_other_shapes
check "a second writer and a counter on a ring's key remove nothing" \
	t_refused_programs_remove_nothing
check "a foreign segment is named and left untouched" \
	t_foreign_segment_untouched
check "a header changed under the writer: it stops, no SIGFPE" \
	t_header_changed_under_the_writer
check "Ctrl-C just after a P succeeds is not lost" t_ctrl_c_after_p
check "the reader's output fails: nothing taken, or the loss said" \
	t_reader_output_fails
check "a refused set: the hint's command removes it" t_refusal_hints_work
check "ctl rm removes shm/'s own kinds, names and leaves the rest" \
	t_ctl_rm_only_ours
check "ctl rm refuses another user's ring, its writer streams on; -f acts" \
	t_ctl_rm_foreign
done_testing
