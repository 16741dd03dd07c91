#!/bin/sh
# tests/run-stopped.sh - make test cut short (a time limit's TERM, or
# Ctrl-C) leaves nothing behind: tests/run.sh stops the script each lane
# runs and waits while it removes its objects.  It used to exit at once;
# the scripts, each in a process group of its own (timeout's), went on,
# and their objects stayed until they ended (a stop hook cut make test at
# 65 s and found six).  The inner run works in IPC and PID namespaces of
# its own, so that what it leaves is all that /proc/sysvipc and /proc show
# there: no object, and no timeout still running a script.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2016 # the inner sh expands its own variables
t_term() {
	# What is checked is run.sh, not the programs; under valgrind the
	# inner run's timing is the valgrind's, and it failed 1 run in 6.
	if [ -n "${TEST_VALGRIND:-}" ]; then
		echo "run.sh itself is checked; under valgrind, timing varies" \
			>"$T/skip"
		return 0
	fi
	if ! unshare --ipc --pid --fork --mount-proc true 2>/dev/null; then
		echo "unshare --ipc --pid is not allowed here" >"$T/skip"
		return 0
	fi
	timeout $((60 * SLOW)) unshare --ipc --pid --fork --mount-proc sh -c '
		objects() {
			cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm |
				wc -l
		}
		tests/run.sh tests/msgq.sh >"$3" 2>&1 &
		r=$!
		n=0
		until [ "$(objects)" -gt 3 ]; do
			n=$((n + 1)); [ $n -lt 1000 ] || exit 3; sleep 0.02
		done
		kill -TERM "$r"
		wait "$r"
		echo $? >"$2"
		objects >>"$2"
		# A timeout still running, not one that has ended: an
		# orphan ended is a zombie of this shell (PID 1 here) until
		# its next wait reaps it, and is no process left behind.
		for p in /proc/[0-9]*; do
			s=$(cat "$p/stat" 2>/dev/null) || continue
			case $s in
			*"(timeout) "[!Z]*)
				echo "${p#/proc/}: $(tr "\0" " " \
					<"$p/cmdline" 2>/dev/null)" ;;
			esac
		done >"$3.left"
		wc -l <"$3.left" >>"$2"
		exit 0' \
		sh unused "$T/rc" "$T/out"
	st=$?
	# shellcheck disable=SC2046 # run.sh's status, the lines, the timeouts
	set -- $(cat "$T/rc" 2>/dev/null)
	[ $st -eq 0 ] && [ "${1:-}" = 143 ] && [ "${2:-}" = 3 ] &&
		[ "${3:-}" = 0 ] && return 0
	diag "exit $st; run.sh's status, /proc/sysvipc's lines, timeouts: $*" \
		"$(cat "$T/out.left" 2>/dev/null)" "$(tail -n 3 "$T/out")"
	return 1
}

check "make test stopped (TERM): every script's objects removed first" \
	t_term
done_testing
