# shellcheck shell=sh
# tests/lib-counter.sh - sourced, after lib.sh, by counter.sh and
# counter-broken.sh (one topic, split so that the two run side by side):
# what both use.

# shm/counter.h's COUNTER_MARK_VALUE, in the last of the counter's set.
# shellcheck disable=SC2034 # used by the scripts that source this
COUNTER_MARK=$((0x636f))

nothing_left() {
	! has_segment "$1" && ! has_set "$1"
}

# The processes that process $1 has forked (its children), by PID.
children() {
	cat "/proc/$1/task/$1/children" 2>/dev/null
}

has_children() {
	[ -n "$(children "$(child_of "$1")")" ]
}

all_gone() {
	for p; do ! kill -0 "$p" 2>/dev/null || return 1; done
}

has_two_children() {
	[ "$(children "$(child_of "$1")" | wc -w)" = 2 ]
}
