#!/bin/sh
# tests/layout.sh - the shape of the code, as HACKING.md promises it to the
# student who reads it: pages short enough to read, main() an outline, the
# three mechanisms apart.
#
#   - every .c in common/ at most 250 lines, every program (a file with a
#     main) at most 250, every other helper .c at most 350, and every
#     first/ page at most 90;
#   - main() at most 40 lines (a first/ page's main is the page: no limit
#     but the page's), any other function at most 50 (from the line with
#     its name to its closing brace);
#   - at most 5 file-scope variables in a file (read off the object file:
#     what lies in .data or .bss, not the constant tables);
#   - msgq/, sem/ and shm/ each include and link only their own files and
#     common/.
# Each rule prints the files that break it (TAP "#" lines).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

sources() {
	ls common/*.c msgq/*.c sem/*.c shm/*.c msgq/first/*.c sem/first/*.c \
		shm/first/*.c 2>/dev/null
}

# The most lines a file may have.
budget() {
	case $1 in
	*/first/*) echo 90 ;;
	common/*) echo 250 ;;
	*) if grep -q '^main(' "$1"; then echo 250; else echo 350; fi ;;
	esac
}

t_file_lengths() {
	bad=0
	for f in $(sources); do
		n=$(wc -l <"$f")
		max=$(budget "$f")
		if [ "$n" -gt "$max" ]; then
			diag "$f: $n lines, more than $max"
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}

# Each function's name and length: "file:line name length".
functions() {
	awk '
	FNR == 1 { name = "" }
	/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); at = FNR }
	/^}/ && name != "" {
		print FILENAME ":" at, name, FNR - at + 1
		name = ""
	}' "$@"
}

t_function_lengths() {
	# shellcheck disable=SC2046 # the list splits into words
	functions $(sources) | awk '
	$1 ~ /\/first\// { next }
	$2 == "main" && $3 > 40 { print "# " $1 ": main() is " $3 " lines, more than 40"; bad = 1 }
	$2 != "main" && $3 > 50 { print "# " $1 ": " $2 "() is " $3 " lines, more than 50"; bad = 1 }
	END { exit bad }' >&2
}

# File-scope variables of an object file: objects in .data (.data.rel,
# .data.rel.local: pointers set at load), .bss or COMMON, not .rodata or
# .data.rel.ro
# (a function's own static has a dot in its name: rows.0, options.rows).
variables() {
	objdump -t "$1" | awk '
	substr($0, 24, 1) == "O" {
		split(substr($0, 26), f, /[ \t]+/)
		if (f[1] ~ /^\.(data|bss|tdata|tbss)(\.rel(\.local)?)?$/ ||
		    f[1] == "*COM*")
			if (f[3] !~ /\./)
				print f[3]
	}'
}

t_file_variables() {
	bad=0
	for f in $(sources); do
		o=${f%.c}.o
		[ -f "$o" ] || { diag "$o is not built"; return 1; }
		n=$(variables "$o" | wc -l)
		if [ "$n" -gt 5 ]; then
			diag "$f: $n file-scope variables, more than 5:" \
				"$(variables "$o" | tr '\n' ' ')"
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}

# A mechanism's sources name no other mechanism's files.
t_includes_apart() {
	bad=0
	for m in msgq sem shm; do
		for o in msgq sem shm; do
			[ "$m" = "$o" ] && continue
			if grep -n "#include \"\(\.\./\)*$o/" $m/*.[ch] $m/first/*.[ch] \
				2>/dev/null >"$T/inc"; then
				diag "$m/ includes from $o/:" "$(cat "$T/inc")"
				bad=1
			fi
			if grep -n '#include "\.\./' $m/*.[ch] 2>/dev/null >"$T/inc"; then
				diag "$m/ includes from outside:" "$(cat "$T/inc")"
				bad=1
			fi
		done
	done
	[ "$bad" = 0 ]
}

# Each program links its own directory's objects and common/ only: read
# off the link line make would run.
t_links_apart() {
	bad=0
	progs=$(make -s --no-print-directory print-progs) || return 1
	for p in $progs; do
		m=${p%%/*}
		make -s --no-print-directory -n -B "$p" 2>/dev/null |
			grep -- "-o $p " >"$T/link" || { diag "no link line for $p"; return 1; }
		# shellcheck disable=SC2013 # the words of one line
		for w in $(cat "$T/link"); do
			case $w in
			*.o | *.a)
				case $w in
				"$m"/* | common/*) ;;
				*) diag "$p links $w"; bad=1 ;;
				esac ;;
			esac
		done
	done
	[ "$bad" = 0 ]
}

check "file lengths: common 250, programs 250, helpers 350, first/ 90" \
	t_file_lengths
check "main() at most 40 lines, any other function at most 50" \
	t_function_lengths
check "at most 5 file-scope variables a file" t_file_variables
check "msgq/, sem/ and shm/ include only their own headers and common's" \
	t_includes_apart
check "each program links only its directory's objects and common/" \
	t_links_apart
done_testing
