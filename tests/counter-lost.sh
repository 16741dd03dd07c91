#!/bin/sh
# tests/counter-lost.sh - shm/counter -u loses updates on every run, 20
# runs of 20.  Its two processes must run at the same time, on two CPUs:
# with the CPUs busy (other scripts' lanes), one could run its whole share
# before the other began, and lose nothing.  So run.sh runs this script
# alone, after the others.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-counter.sh
. "$(dirname "$0")/lib-counter.sh"

# Without the mutex, updates are lost on every run: 20 runs of the
# defaults, each loses some (the window between load and store is wide).
t_counter_unlocked_loses_every_run() {
	k=$(new_key)
	for i in $(seq 20); do
		timeout $((60 * SLOW)) shm/counter -q -u -k "$k" >"$T/out" ||
			return 1
		lost=$(awk '$1 == "lost" { print $2 }' "$T/out")
		[ "${lost:-0}" -gt 0 ] || { diag "run $i lost nothing"; return 1; }
	done
	nothing_left "$k"
}

check "counter -u: updates lost in 20 runs of 20" \
	t_counter_unlocked_loses_every_run
done_testing
