#!/bin/sh
# tests/shm.sh - shm/writer, shm/reader and shm/ctl: byte-exact streams in
# both start orders, the peer that dies, Ctrl-C, corrupt and foreign
# segments; checked against /proc/sysvipc/shm and /proc/sysvipc/sem.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

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

# shellcheck disable=SC2016 # perl's variables, not the shell's
t_corrupt_header() {
	k=$(new_key)
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for has_set "$k" || return 1
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

# How many bytes has file $1?  At least $2?
size_at_least() {
	[ "$(wc -c <"$1")" -ge "$2" ]
}

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

# --- breaks an outsider found -------------------------------------------------

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

# --- a peer killed in any state (issue 24) ------------------------------------

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
t_reader_killed_stopped() { reader_killed_mid_stream stopped; }

# The reader killed before it took its first slot: stopped on an empty
# ring, and then the writer fills the ring (the issue's case: a stopped
# reader is not waiting in semop, so it never gets a slot); or running,
# blocked on FILLED while the writer waits for input.  Either way the
# writer says the reader has gone, exits 1, and nothing is left.
t_reader_killed_stopped_before_a_slot() {
	k=$(new_key)
	start /dev/null /dev/null "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop && kill -STOP "$(child_of "$r")" &&
		wait_for stopped "$r" || return 1
	start "$T/big" /dev/null "$T/w.err" shm/writer -k "$k"
	w=$!
	wait_for blocked_in "$w" semtimedop &&
		[ "$(sem_get "$k" 1 GETVAL)" = 2 ] && [ "$(sem_get "$k" 4 GETVAL)" = 0 ] &&
		kill_as "$r" stopped "$w" && exits_with "$w" 1 &&
		grep -q 'the reader has gone before the end .*(killed?)' "$T/w.err" &&
		nothing_left "$k"
}
t_reader_killed_running_before_a_slot() {
	k=$(new_key)
	mkfifo "$T/fifo.kb" && exec 3<>"$T/fifo.kb" || return 1
	start "$T/fifo.kb" /dev/null "$T/w.err" shm/writer -k "$k"
	w=$!
	wait_for has_segment "$k" || return 1
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop && [ "$(sem_get "$k" 3 GETVAL)" = 1 ] &&
		kill_as "$r" running "$w" && exits_with "$w" 1 &&
		grep -q 'the reader has gone before the end .*(killed?)' "$T/w.err" &&
		[ ! -s "$T/copy" ] && nothing_left "$k"
}

# The writer killed in STATE (running or stopped), mid-stream or before
# its first slot (FIRST: bytes to send first, 0 for none), its input a
# FIFO: the reader says the writer has gone, exits 1, what it wrote is a
# prefix of the input, and nothing is left.
writer_killed() {
	k=$(new_key)
	mkfifo "$T/fifo.kw$1$2" && exec 3<>"$T/fifo.kw$1$2" || return 1
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for has_set "$k" || return 1
	start "$T/fifo.kw$1$2" /dev/null "$T/w.err" shm/writer -k "$k" -z 1024
	w=$!
	head -c "$2" "$T/big" >&3 && wait_for size_at_least "$T/copy" "$2" &&
		wait_for has_segment "$k" && wait_for blocked_in "$w" pipe_read &&
		wait_for blocked_in "$r" semtimedop &&
		kill_as "$w" "$1" "$r" && exits_with "$r" 1 &&
		grep -q 'the writer has gone before the end .*incomplete' "$T/r.err" &&
		head -c "$(wc -c <"$T/copy")" "$T/big" | cmp - "$T/copy" &&
		nothing_left "$k"
}
# A reader killed while it waits for a writer that never came took
# nothing: the next reader is let in, not told the stream is broken, and
# a writer then streams to it, byte-exact; and a writer that comes first
# after such a death streams as well.
t_reader_killed_with_no_writer() {
	k=$(new_key)
	head -c 100000 "$T/big" >"$T/100k"
	for first in reader writer; do
		start /dev/null /dev/null /dev/null shm/reader -k "$k"
		r=$!
		wait_for blocked_in "$r" semtimedop &&
			kill -KILL "$(child_of "$r")" && exits_with "$r" 137 ||
			return 1
		if [ $first = reader ]; then
			start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
			r=$!
			wait_for blocked_in "$r" semtimedop &&
				shm/writer -q -k "$k" -z 4096 <"$T/100k" &&
				exits_with "$r" 0
		else
			start "$T/100k" /dev/null "$T/w.err" shm/writer -k "$k" -z 4096
			w=$!
			wait_for blocked_in "$w" semtimedop &&
				shm/reader -q -k "$k" >"$T/copy" && exits_with "$w" 0
		fi && cmp "$T/100k" "$T/copy" && nothing_left "$k" && continue
		diag "$first first"
		return 1
	done
}

t_writer_killed_stopped() { writer_killed stopped 5000; }
t_writer_killed_stopped_before_a_slot() { writer_killed stopped 0; }
t_writer_killed_running_before_a_slot() { writer_killed running 0; }

# A reader stopped before its first slot and killed after the writer has
# ended the stream (exit 0) leaves its death notice, STARTED 1 - but it
# took nothing.  The next reader sees every slot still filled, clears the
# notice and reads the whole stream; nothing is left.
t_reader_killed_stopped_after_the_end() {
	k=$(new_key)
	head -c 100000 "$T/big" >"$T/small" || return 1
	start /dev/null /dev/null "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop && kill -STOP "$(child_of "$r")" &&
		wait_for stopped "$r" || return 1
	exits 0 timeout $((20 * SLOW)) shm/writer -k "$k" -s 8 <"$T/small" \
		2>"$T/w.err" && kill -KILL "$(child_of "$r")" &&
		exits_with "$r" 137 && [ "$(sem_get "$k" 4 GETVAL)" = 1 ] &&
		exits 0 timeout $((20 * SLOW)) shm/reader -k "$k" >"$T/copy" \
			2>"$T/r2.err" && cmp "$T/copy" "$T/small" && nothing_left "$k"
}

# The writer killed (or interrupted) before its first slot, then Ctrl-C
# on the reader before its once-a-second look: no writer, nothing to read,
# so the reader removes the ring - nothing is left.
reader_last_out() {
	k=$(new_key)
	mkfifo "$T/fifo.lo$1" && exec 3<>"$T/fifo.lo$1" || return 1
	start /dev/null "$T/copy" "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop || return 1
	start "$T/fifo.lo$1" /dev/null "$T/w.err" shm/writer -k "$k"
	w=$!
	wait_for blocked_in "$w" pipe && kill "-$1" "$(child_of "$w")" &&
		exits_with "$w" $((128 + $2)) &&
		[ "$(sem_get "$k" 2 GETVAL)" = 0 ] && interrupt "$r" &&
		exits_with "$r" 130 && [ ! -s "$T/copy" ] && nothing_left "$k"
}
t_reader_last_out_after_kill() { reader_last_out KILL 9; }
t_reader_last_out_after_sigint() { reader_last_out INT 2; }

# A tick spent before the wait (issue 25, item 4): strace holds the
# syscall that arms the once-a-second look (alarm or setitimer, its WHEN-th
# call) for 1.5 s, so its first SIGALRM comes before the call blocks.
INJECT=alarm,setitimer:delay_exit=1500000:when
# Is the program under strace under timeout process $1 asleep in $2?
traced_in() {
	c=$(child_of "$(child_of "$1")")
	[ -n "$c" ] && grep -q "$2" "/proc/$c/wchan" 2>/dev/null
}
# The writer, its look held up before it waits (in P(FREE), WHEN 3, on a
# stopped reader; or in read(2), WHEN 2, on a FIFO with nothing in it):
# the reader killed, the writer must see it within 3 s all the same.
writer_tick_spent() {
	no_strace && return 0
	k=$(new_key)
	mkfifo "$T/fifo.ts$1" && exec 3<>"$T/fifo.ts$1" || return 1
	[ "$1" = 2 ] || head -c 4096 /dev/zero >&3 || return 1
	start /dev/null /dev/null "$T/r.err" shm/reader -k "$k"
	r=$!
	wait_for blocked_in "$r" semtimedop || return 1
	[ "$1" = 2 ] || { kill -STOP "$(child_of "$r")" &&
		wait_for stopped "$r"; } || return 1
	start "$T/fifo.ts$1" /dev/null "$T/w.err" env \
		ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null -e \
		trace=alarm,setitimer -e inject="$INJECT=$1" \
		shm/writer -k "$k" -s 1 -z 1024
	w=$!
	wait_for traced_in "$w" "$2" &&
		kill_as "$r" "$([ "$1" = 2 ] && echo running || echo stopped)" \
			"$w" && exits_with "$w" 1 &&
		grep -q 'the reader has gone before the end' "$T/w.err" &&
		nothing_left "$k"
}
t_writer_tick_spent_in_p() { writer_tick_spent 3 semtimedop; }
t_writer_tick_spent_in_read() { writer_tick_spent 2 pipe; }
# The reader, its look held up before its first P: the writer killed
# before its first slot, the reader must see it within 3 s.
t_reader_tick_spent() {
	no_strace && return 0
	k=$(new_key)
	mkfifo "$T/fifo.tr" && exec 3<>"$T/fifo.tr" || return 1
	start /dev/null "$T/copy" "$T/r.err" env ASAN_OPTIONS=detect_leaks=0 \
		strace -qq -o /dev/null -e trace=alarm,setitimer \
		-e inject="$INJECT=1" shm/reader -k "$k"
	r=$!
	wait_for has_set "$k" || return 1
	start "$T/fifo.tr" /dev/null "$T/w.err" shm/writer -k "$k"
	w=$!
	wait_for blocked_in "$w" pipe && wait_for traced_in "$r" semtimedop &&
		kill_as "$w" running "$r" && exits_with "$r" 1 &&
		grep -q 'the writer has gone' "$T/r.err" && nothing_left "$k"
}


# --- the ring under a hostile user (issue 21) ---------------------------------

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
# exited 0 ("then the end of the stream").
t_foreign_v_on_an_empty_ring() {
	k=$(new_key)
	mkfifo "$T/fifo.fe" && exec 3<>"$T/fifo.fe" || return 1
	start "$T/fifo.fe" /dev/null "$T/w.err" shm/writer -k "$k" -z 4096
	w=$!
	wait_for has_segment "$k" || return 1
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
check "a foreign segment appearing while the reader waits is left" \
	t_foreign_segment_while_waiting
check "a ring-shaped set with no segment: named, left as it was" \
	t_foreign_ring_set_without_segment
check "a writer starting while the last stream is removed: no lost stream" \
	t_next_stream_while_the_last_is_removed
check "a writer arriving while the reader looks is no stranger" \
	t_writer_arriving_while_the_reader_looks
check "a refused set: the hint's command removes it" t_refusal_hints_work
check "ctl rm removes shm/'s own kinds, names and leaves the rest" \
	t_ctl_rm_only_ours
check "ctl rm refuses another user's ring, its writer streams on; -f acts" \
	t_ctl_rm_foreign
check "reader stopped mid-slot: it says what did not get out" \
	t_reader_stopped_mid_slot
check "kill -9 of a stopped reader: the writer exits 1 within 3 s" \
	t_reader_killed_stopped
check "kill -9 of a reader stopped before its first slot: the writer sees it" \
	t_reader_killed_stopped_before_a_slot
check "kill -9 of a reader waiting for its first slot: the writer sees it" \
	t_reader_killed_running_before_a_slot
check "a reader killed with no writer yet breaks nothing" \
	t_reader_killed_with_no_writer
check "kill -9 of a stopped writer: the reader exits 1 within 3 s" \
	t_writer_killed_stopped
check "kill -9 of a writer stopped before its first slot: the reader sees it" \
	t_writer_killed_stopped_before_a_slot
check "kill -9 of a writer before its first slot: the reader sees it" \
	t_writer_killed_running_before_a_slot
check "a look held up in the writer's P: the reader's death seen" \
	t_writer_tick_spent_in_p
check "a look held up in the writer's read: the reader's death seen" \
	t_writer_tick_spent_in_read
check "a look held up in the reader's first P: the writer's death seen" \
	t_reader_tick_spent
check "a reader killed stopped after the end took nothing: the next reads all" \
	t_reader_killed_stopped_after_the_end
check "Ctrl-C on a reader after its writer was killed: nothing left" \
	t_reader_last_out_after_kill
check "Ctrl-C on a reader after its writer's Ctrl-C: nothing left" \
	t_reader_last_out_after_sigint
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
