#!/bin/sh
# tests/run.sh - run every test script (tests/*.sh but lib.sh and this one),
# each under a time limit, show its TAP lines, and end with the one line
# CI reads: "N passed, N failed".  Exit status 1 if anything failed.
#
#   tests/run.sh                  all scripts
#   tests/run.sh tests/msgq.sh    just these
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || set -- tests/*.sh
passed=0
failed=0
for t in "$@"; do
	case "$t" in */lib.sh | */run.sh) continue ;; esac
	echo "# $t"
	out=$(timeout -k 5 120 sh "$t" 2>&1)
	status=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	plan=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
	passed=$((passed + p))
	failed=$((failed + f))
	# A script that died, timed out or lost count is a failure too.
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ] ||
		[ "$plan" != "$((p + f))" ]; then
		echo "not ok - $t ended badly (exit $status, plan '$plan')"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
