#!/bin/sh
# tests/readme.sh - every README.md and its README.ko.md must not drift
# apart.  The pairs: the start page (README.md, README.ko.md) and one
# chapter a mechanism (msgq/, sem/, shm/, each README.md and README.ko.md).
#
# The rule: each file is reduced to its skeleton, and the two skeletons of
# a pair must be the same.  The skeleton is, in order:
#   - each heading of level 2 or 3, as its level alone ("##" or "###"):
#     the text is in two languages, the structure is one;
#   - each command line of the examples: a line of a code block (indented
#     by 4 or more spaces) that starts with a prompt, "$ ", "terminal N$ "
#     or "terminals N, M$ " (or "터미널 N$ " in Korean), reduced to the
#     command after the prompt, without a trailing "  # comment" (comments
#     are translated; commands are not).
# So every command of a README.md is in its README.ko.md verbatim, under
# the heading of the same rank, in the same order, and both have the same
# sections in the same order.  On a difference, the diff of the two
# skeletons is printed (TAP "#" lines).  Each file also links its twin,
# and every relative link in it reaches a file (and, after "#", a heading
# of that file), in its own language: a README.ko.md links the Korean
# pages, a README.md the English ones.  Each program's synopsis, as its -h
# prints it, is in the chapter of its mechanism, in both languages.  The
# start page stays a start: at most 350 lines, the test command, links to
# HACKING.md and the chapters; and each chapter comes to a command for a
# second terminal within its first 60 lines.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# The English page of each pair; its twin is the same name with .ko.md.
PAIRS='README.md msgq/README.md sem/README.md shm/README.md'
CHAPTERS='msgq sem shm'

twin() {
	echo "${1%.md}.ko.md"
}

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

# The anchors of a README's headings, one a line, as GitHub makes them:
# the text in lower case, without punctuation but "-" and "_", each blank
# a "-", and "-1", "-2" ... after a heading met again.  (Bytes above 127,
# the Korean, stay as they are: LC_ALL=C.)
anchors() {
	awk '
	BEGIN { punct = "!\"#$%&'\''()*+,./:;<=>?@[\\]^`{|}~" }
	/^#+ / {
		text = $0
		sub(/^#+ +/, "", text)
		sub(/ +#* *$/, "", text)
		text = tolower(text)
		a = ""
		for (i = 1; i <= length(text); i++) {
			c = substr(text, i, 1)
			if (index(punct, c) == 0)
				a = a c
		}
		gsub(/ /, "-", a)
		if (a in seen)
			print a "-" seen[a]++
		else {
			print a
			seen[a] = 1
		}
	}' "$1"
}

# Show a file as TAP comments, as diag does.
diag_file() {
	sed 's/^/# /' "$1" >&2
}

t_all_there() {
	for en in $PAIRS; do
		for f in "$en" "$(twin "$en")"; do
			if [ ! -s "$f" ]; then
				diag "$f is missing or empty"
				return 1
			fi
		done
	done
}

t_same_skeleton() {
	for en in $PAIRS; do
		ko=$(twin "$en")
		skeleton "$en" >"$T/en" && skeleton "$ko" >"$T/ko" || return 1
		if [ "$(grep -c '^    ' "$T/en")" -eq 0 ]; then
			diag "$en shows no example command"
			return 1
		fi
		if ! diff -u "$T/en" "$T/ko" >"$T/diff"; then
			diag "$en and $ko differ:"
			diag_file "$T/diff"
			return 1
		fi
	done
}

# links FILE: the targets of FILE's relative links, one a line.
links() {
	grep -o '](\([^)]*\))' "$1" | sed 's/^](//; s/)$//' |
		grep -v '^[a-z][a-z]*:'
}

# link_ok FILE TARGET: TARGET, linked from FILE, reaches a file, and after
# "#" a heading of it; a Korean page's links to README pages reach Korean
# pages, an English page's English ones (the twin is the exception).
link_ok() {
	dir=$(dirname "$1")
	path=${2%%#*}
	case $2 in *'#'*) anchor=${2#*#} ;; *) anchor= ;; esac
	target=$1
	if [ -n "$path" ]; then
		target=$dir/$path
	fi
	if [ ! -e "$target" ]; then
		diag "$1 links $2: there is no $target"
		return 1
	fi
	case $1 in
	*.ko.md) lang=ko other='README.md' ;;
	*) lang=en other='README.ko.md' ;;
	esac
	case $path in
	"$other") ;;
	*README.md | *README.ko.md)
		case $lang:$path in
		ko:*.ko.md | en:*[!o].md | en:README.md) ;;
		*)
			diag "$1 links $2: a page in the other language"
			return 1
			;;
		esac
		;;
	esac
	if [ -n "$anchor" ] && ! anchors "$target" | grep -qxF "$anchor"; then
		diag "$1 links $2: $target has no heading #$anchor"
		return 1
	fi
}

t_linked() {
	for en in $PAIRS; do
		ko=$(twin "$en")
		if ! grep -q '(README\.ko\.md)' "$en" ||
			! grep -q '(README\.md)' "$ko"; then
			diag "$en and $ko do not link each other"
			return 1
		fi
		for f in "$en" "$ko"; do
			links "$f" >"$T/links"
			while read -r l; do
				link_ok "$f" "$l" || return 1
			done <"$T/links"
		done
	done
}

# The synopsis lines ("    msgq/sender [-bnq] ...") are the programs' own,
# the first line of -h without "usage: ": the README cannot fall behind.
# A program's chapter is its top directory's README (msgq/... in msgq/).
t_synopses() {
	n=0
	progs=$(make -s --no-print-directory print-progs) || return 1
	# shellcheck disable=SC2086 # the list splits into words
	for p in $progs; do
		"$p" -h >"$T/usage" || return 1
		line="    $(sed -n '1s/^usage: //p' "$T/usage")"
		for f in "${p%%/*}/README.md" "${p%%/*}/README.ko.md"; do
			if ! grep -qxF "$line" "$f"; then
				diag "$f lacks the synopsis of $p:" "$line"
				return 1
			fi
		done
		n=$((n + 1))
	done
	[ "$n" -ge 13 ]
}

# The start page: short, and it says how to build on, test and go on.
t_start_page() {
	for f in README.md README.ko.md; do
		ext=${f#README}
		lines=$(wc -l <"$f")
		if [ "$lines" -gt 350 ]; then
			diag "$f has $lines lines, more than 350"
			return 1
		fi
		if ! grep -qx '    \$ make test' "$f" ||
			! grep -q '(HACKING\.md)' "$f"; then
			diag "$f does not show '\$ make test' or link HACKING.md"
			return 1
		fi
		for c in $CHAPTERS; do
			if ! grep -qF "($c/README$ext)" "$f"; then
				diag "$f does not link $c/README$ext"
				return 1
			fi
		done
	done
}

# A chapter starts with two terminals: "terminal 2$ " (or "터미널 2$ ")
# in a code block within the first 60 lines.
t_two_terminals_soon() {
	for c in $CHAPTERS; do
		for f in "$c/README.md" "$c/README.ko.md"; do
			if ! head -n 60 "$f" |
				grep -Eq '^ {4,}(terminal|터미널) 2\$ '; then
				diag "$f: no command for terminal 2 in its first 60 lines"
				return 1
			fi
		done
	done
}

check "each README.md and its README.ko.md are there" t_all_there
check "same sections and the same example commands, in the same order" \
	t_same_skeleton
check "each links its twin; every link reaches a file and a heading" t_linked
check "each program's synopsis, as its -h prints it, in its chapter" \
	t_synopses
check "the start page: at most 350 lines, make test, HACKING.md, chapters" \
	t_start_page
check "each chapter comes to two terminals within 60 lines" \
	t_two_terminals_soon
done_testing
