#!/bin/sh
# tests/readme.sh - README.md and README.ko.md must not drift apart.
#
# The rule: each file is reduced to its skeleton, and the two skeletons
# must be the same.  The skeleton is, in order:
#   - each heading of level 2 or 3, as its level alone ("##" or "###"):
#     the text is in two languages, the structure is one;
#   - each command line of the examples: a line of a code block (indented
#     by 4 or more spaces) that starts with a prompt, "$ ", "terminal N$ "
#     or "terminals N, M$ " (or "터미널 N$ " in Korean), reduced to the
#     command after the prompt, without a trailing "  # comment" (comments
#     are translated; commands are not).
# So every command of README.md is in README.ko.md verbatim, under the
# heading of the same rank, in the same order, and both have the same
# sections in the same order.  On a difference, the diff of the two
# skeletons is printed (TAP "#" lines).  Each file also links the other,
# and shows each program's synopsis as its -h prints it.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# The skeleton of a README, one item a line.
skeleton() {
	awk '
	/^##[^#]/ { print "##"; next }
	/^###[^#]/ { print "###"; next }
	/^    / {
		line = $0
		sub(/^ +/, "", line)
		if (line !~ /^((terminals? [0-9, ]+|터미널 [0-9, ]+)?)\$ /)
			next
		sub(/^[^$]*\$ /, "", line)
		sub(/ +# .*$/, "", line)
		print "    " line
	}' "$1"
}

# Show a file as TAP comments, as diag does.
diag_file() {
	sed 's/^/# /' "$1" >&2
}

t_both_there() {
	[ -s README.md ] && [ -s README.ko.md ]
}

t_same_skeleton() {
	skeleton README.md >"$T/en" && skeleton README.ko.md >"$T/ko" &&
		[ "$(grep -c '^    ' "$T/en")" -gt 0 ] &&
		{ diff -u "$T/en" "$T/ko" >"$T/diff" || { diag_file "$T/diff"; false; }; }
}

t_linked() {
	grep -q '(README\.ko\.md)' README.md && grep -q '(README\.md)' README.ko.md
}

# The synopsis lines ("    msgq/sender [-bnq] ...") are the programs' own,
# the first line of -h without "usage: ": the README cannot fall behind.
t_synopses() {
	n=0
	progs=$(make -s --no-print-directory print-progs) || return 1
	# shellcheck disable=SC2086 # the list splits into words
	for p in $progs; do
		"$p" -h >"$T/usage" || return 1
		line="    $(sed -n '1s/^usage: //p' "$T/usage")"
		for f in README.md README.ko.md; do
			if ! grep -qxF "$line" "$f"; then
				diag "$f lacks the synopsis of $p:" "$line"
				return 1
			fi
		done
		n=$((n + 1))
	done
	[ "$n" -ge 13 ]
}

check "README.md and README.ko.md are there" t_both_there
check "same sections and the same example commands, in the same order" \
	t_same_skeleton
check "each links the other" t_linked
check "each program's synopsis, as its -h prints it" t_synopses
done_testing
