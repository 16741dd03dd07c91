#!/bin/sh
# tests/keys.sh - where each program's key comes from: -k exactly, one
# IPC_DEMO_KEY for a whole lesson (a key of its own for each kind of
# object), and the default ftok() key of the checkout, which no edit, save
# or checkout moves, in a checkout whose path has quotes and spaces.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# The key that IPC_DEMO_KEY=$1 gives the programs of proj id $2 (m, s,
# h or c): its low 24 bits under the proj id.  Recorded for the cleanup.
derived() {
	d=$(($(printf '%d' "'$2") * 16777216 + ($1 & 0xffffff)))
	echo "$d" >>"$T/keys"
	printf '0x%08x\n' "$d"
}

# The key a program says it uses, from its first line of narration.
key_of() {
	sed -n 's/^[a-z/]*: key \(0x[0-9a-f]*\) .*/\1/p' "$1" | head -n 1
}

t_k_exact() {
	k=$(new_key)
	IPC_DEMO_KEY=0x1 msgq/ctl -k "$k" stat 2>"$T/err"
	grep -q "^msgq/ctl: key $k (from -k)$" "$T/err" && ! has_queue "$k"
}

# K's low 24 bits, in 6 hex digits.
low24() {
	printf '%06x\n' $(($1 & 0xffffff))
}

# IPC_DEMO_KEY=K: the queue, the server's queue (msgq/ctl -s), the
# semaphore, the ring and the counter each get K's low 24 bits under their
# proj id, and say so (our keys have 31 bits: the line says which 24 were
# kept).
t_demo_key_derived() {
	k=$(new_key)
	for p in msgq/ctl:m "msgq/ctl -s:r" sem/ctl:s shm/ctl:h; do
		want=$(derived "$k" "${p#*:}")
		# shellcheck disable=SC2086 # "msgq/ctl -s" splits into words
		IPC_DEMO_KEY=$k ${p%:*} stat 2>"$T/err"
		if [ "$(key_of "$T/err")" != "$want" ] ||
			! grep -q "(IPC_DEMO_KEY $k cut to its low 24 bits, 0x$(low24 "$k"), with '${p#*:}' in the top byte)" \
				"$T/err"; then
			diag "$p: $(head -n 1 "$T/err")"
			return 1
		fi
	done
	want=$(derived "$k" c)
	IPC_DEMO_KEY=$k timeout $((20 * SLOW)) shm/counter -p 1 -n 10 \
		>/dev/null 2>"$T/err" &&
		[ "$(key_of "$T/err")" = "$want" ] && nothing_with "$want"
}

# The key line shows IPC_DEMO_KEY as the samples do, in hex: K typed in
# decimal gets its hex beside it; K past 24 bits is said to be cut to the
# 24 kept, so that 0x1000000 and 0x2000000, one key, say so.  ctl key
# touches no object.
key_line_is() {
	if ! IPC_DEMO_KEY=$1 msgq/ctl key >/dev/null 2>"$T/err" ||
		[ "$(cat "$T/err")" != "msgq/ctl: key $2 (IPC_DEMO_KEY $1$3 with 'm' in the top byte)" ]; then
		diag "IPC_DEMO_KEY=$1: $(cat "$T/err")"
		return 1
	fi
}
t_demo_key_in_hex() {
	key_line_is 1000000 0x6d0f4240 ' (0x0f4240)' &&
		key_line_is 0x00b14b00 0x6db14b00 '' &&
		key_line_is 0XB14B00 0x6db14b00 '' &&
		key_line_is 0x1000000 0x6d000000 ' cut to its low 24 bits, 0x000000,' &&
		key_line_is 0x2000000 0x6d000000 ' cut to its low 24 bits, 0x000000,' &&
		key_line_is 1073746433 0x6d001201 ' cut to its low 24 bits, 0x001201,'
}

# The default key: the same from any directory, ftok of the checkout (two
# levels above the program; tests/valgrind keeps the real programs one
# level deeper, in .valgrind/).
t_default_key_anywhere() {
	(cd / && "$top/msgq/ctl" stat) >/dev/null 2>"$T/a"
	(cd "$T" && "$top/msgq/ctl" stat) >/dev/null 2>"$T/b"
	grep -q "key 0x6d[0-9a-f]\{6\} (from ftok(\"$top\(/.valgrind\)\{0,1\}\", 'm'))" \
		"$T/a" && [ "$(head -n 1 "$T/a")" = "$(head -n 1 "$T/b")" ]
}

# A checkout at a path with a quote, a double quote and a space builds,
# and its default key survives rewriting every file it holds (an editor's
# save, sed -i, git checkout all replace files).
t_default_key_stable() {
	d="$T/it's a \"checkout\""
	if ! git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
		echo "no git checkout" >"$T/skip"
		return 0
	fi
	mkdir "$d" && (cd "$top" && git ls-files -z | xargs -0 tar cf -) |
		(cd "$d" && tar xf -) || return 1
	# -O0: only the key is looked at here, and the build is most of the
	# check's time.
	make -C "$d" -s CFLAGS=-O0 msgq/ctl sem/ctl >"$T/build" 2>&1 ||
		{ diag "$(tail -n 5 "$T/build")"; return 1; }
	"$d/msgq/ctl" stat 2>"$T/before"
	(cd "$d" && find . -type f ! -name '*.o' ! -name '*.d' \
		! -perm -u+x -exec sh -c 'for f; do
			cp -p "$f" "$f.new" && mv "$f.new" "$f" || exit 1
		done' sh {} +) &&
		"$d/msgq/ctl" stat 2>"$T/after"
	if [ -z "$(key_of "$T/before")" ] ||
		[ "$(key_of "$T/before")" != "$(key_of "$T/after")" ]; then
		diag "$(head -n 1 "$T/before")" "$(head -n 1 "$T/after")"
		return 1
	fi
}

# One IPC_DEMO_KEY for a whole lesson, all at once: the restaurant (sem),
# a ring transfer (shm), the counter and a queue, each exact.
t_one_key_for_a_lesson() {
	k=$(new_key)
	for p in m s h c; do derived "$k" "$p" >/dev/null; done
	head -c $((4 << 20)) /dev/urandom >"$T/data"
	IPC_DEMO_KEY=$k
	export IPC_DEMO_KEY
	start /dev/null "$T/copy" "$T/r.err" shm/reader -q
	r=$!
	start "$T/data" /dev/null "$T/w.err" shm/writer -q -s 2 -z 4096
	w=$!
	start /dev/null "$T/count" "$T/c.err" shm/counter -q -p 2 -n 20000
	c=$!
	start /dev/null "$T/msgs" "$T/m.err" msgq/receiver -q
	m=$!
	t=$((10 * SLOW))
	timeout "$t" sem/post -q 2 && timeout "$t" sem/wait -q -s 0 >/dev/null &&
		timeout "$t" sem/wait -q -s 0 >/dev/null &&
		timeout "$t" msgq/sender -q hello lesson &&
		exits_with "$r" 0 && exits_with "$w" 0 && exits_with "$c" 0 &&
		exits_with "$m" 0 && cmp "$T/data" "$T/copy" &&
		printf 'expected 40000\ngot 40000\nlost 0\n' | cmp - "$T/count" &&
		printf 'hello\nlesson\n' | cmp - "$T/msgs" &&
		[ "$(sem_get "$(derived "$k" s)" 0 GETVAL)" = 2 ] &&
		sem/ctl -q rm
}

# ctl key: the "parts" line ORs to the key, which is the key the programs
# use (their narration says it).  $1: the ctl program; the rest: -k or not.
parts_make_key() {
	c=$1
	shift
	"$c" "$@" key >"$T/key" 2>"$T/err" || return 1
	pk=$(sed -n 's/^key  *\(0x[0-9a-f]\{8\}\)$/\1/p' "$T/key")
	# shellcheck disable=SC2046 # the parts split into words on purpose
	set -- $(sed -n 's/^parts  *//p' "$T/key")
	sum=0
	while [ $# -gt 2 ] && [ "$2" = '|' ]; do
		sum=$((sum | $1))
		shift 2
	done
	if [ $# -ne 3 ] || [ "$2" != = ] || [ -z "$pk" ] ||
		[ "$(printf '0x%08x' $((sum | $1)))" != "$pk" ] ||
		[ "$3" != "$pk" ] || [ "$(key_of "$T/err")" != "$pk" ]; then
		diag "$c: key $pk" "$(cat "$T/key" "$T/err")"
		return 1
	fi
}

# ftok's parts: the checkout's real st_dev and st_ino, and what is kept.
ftok_parts_real() {
	dir=$(sed -n 's/^from       ftok("\(.*\)", .*/\1/p' "$T/key")
	dev=$(stat -c %d "$dir") && ino=$(stat -c %i "$dir") &&
		d=$(printf '0x%08x' $(((dev & 0xff) << 16))) &&
		i=$(printf '0x%08x' $((ino & 0xffff))) &&
		grep -q "^st_dev     $dev (0x[0-9a-f]*): .* 16-23: $d$" "$T/key" &&
		grep -q "^st_ino     $ino (0x[0-9a-f]*): .* 0-15: $i$" "$T/key" &&
		grep -q '^collide ' "$T/key"
}

# The three ways, in the three ctl programs.
t_ctl_key() {
	k=$(new_key)
	for c in msgq/ctl sem/ctl shm/ctl; do
		if ! parts_make_key "$c" -k "$k" ||
			! grep -q "^from       -k $k: exactly this key$" "$T/key" ||
			! IPC_DEMO_KEY=$k parts_make_key "$c" ||
			! grep -q "^from       .IPC_DEMO_KEY $k, proj id" "$T/key" ||
			! parts_make_key "$c" || ! ftok_parts_real ||
			! grep -q "^from       ftok(\"$top\(/.valgrind\)\{0,1\}\", " \
				"$T/key"; then
			diag "$c" "$(cat "$T/key")"
			return 1
		fi
	done
	nothing_with "$k"
}

# A hint's ctl command reaches our object, run exactly as the hint gives
# it: with "-k KEY" after -k (msgq/ctl's own key would be another: the
# hint said "msgq/ctl rm", which removed another queue, or none), and for
# msgq/server's queue always: its key (proj id 'r') is never msgq/ctl's
# own (it used to share the stream's key: "msgq/ctl rm" under
# IPC_DEMO_KEY).  An empty queue of no server's on its key (perl) makes
# the server's hint give "... rm".  msgq/ctl -s reaches it too.
# shellcheck disable=SC2016 # perl's $! and $ARGV, not the shell's
t_hint_commands() {
	k=$(new_key)
	q=$(derived "$k" r)
	perl -e 'msgget(hex($ARGV[0]), 01600) // die "$!"' "$q" &&
		IPC_DEMO_KEY=$k msgq/server 2>"$T/err"
	[ $? -eq 1 ] && cmd=$(hint_command) && [ "$cmd" = "msgq/ctl -k $q rm" ] &&
		IPC_DEMO_KEY=$k $cmd 2>/dev/null && ! has_queue "$q" || return 1
	perl -e 'msgget(hex($ARGV[0]), 01600) // die "$!"' "$q" &&
		IPC_DEMO_KEY=$k msgq/ctl -q -s rm && ! has_queue "$q" || return 1
	perl -e 'msgget(hex($ARGV[0]), 01600) // die "$!"' "$k" &&
		msgq/server -k "$k" 2>"$T/err"
	[ $? -eq 1 ] && cmd=$(hint_command) &&
		[ "$cmd" = "msgq/ctl -k $k rm" ] &&
		IPC_DEMO_KEY=$q $cmd 2>/dev/null && ! has_queue "$k"
}
# The command in "hint: ... remove it with CMD rm, ...".
hint_command() {
	sed -n 's/.*hint: .* with \([a-z]*\/ctl.*\) rm, .*/\1 rm/p' "$T/err"
}

check "-k is the key exactly, IPC_DEMO_KEY or not" t_k_exact
check "a hint's ctl command reaches our object, -k or not" \
	t_hint_commands
check "IPC_DEMO_KEY: a key of its own for each kind of object" \
	t_demo_key_derived
check "IPC_DEMO_KEY in hex on the key line; past 24 bits, the cut said" \
	t_demo_key_in_hex
check "the default key: ftok of the checkout, from any directory" \
	t_default_key_anywhere
check "the default key survives rewriting every file; quotes in the path" \
	t_default_key_stable
check "one IPC_DEMO_KEY: sem, ring, counter and queue at once, exact" \
	t_one_key_for_a_lesson
check "ctl key: the parts make the key, for -k, IPC_DEMO_KEY and ftok" \
	t_ctl_key
done_testing
