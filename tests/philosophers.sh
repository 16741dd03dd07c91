#!/bin/sh
# tests/philosophers.sh - sem/philosophers: both forks in one semop, every
# philosopher fed, exact counts; -u deadlocks on every run and the program
# says so; Ctrl-C and SIGTERM stop every philosopher; a set already there
# is refused and left; a philosopher killed gives its forks back.  Checked
# against the kernel (/proc/sysvipc/sem, /proc/PID/task/PID/children).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# The table sem/philosophers prints for N philosophers, M meals each.
fed() {
	i=0
	while [ "$i" -lt "$1" ]; do
		echo "philosopher $i ate $2"
		i=$((i + 1))
	done
	echo "total $(($1 * $2))"
}
# The forks, as -u's deadlock leaves them, for N philosophers.
stuck() {
	i=0
	while [ "$i" -lt "$1" ]; do
		echo "fork $i: value 0, 1 waiting; held by philosopher $i," \
			"wanted by $(((i + $1 - 1) % $1))"
		i=$((i + 1))
	done
}

# The philosophers (the children) of the program that timeout $1 runs.
philosophers_of() {
	c=$(child_of "$1")
	[ -n "$c" ] && cat "/proc/$c/task/$c/children" 2>/dev/null
}
# Are N philosophers at the table of timeout $1's program?  Their PIDs go
# to $T/kids.
seated() {
	philosophers_of "$1" >"$T/kids" &&
		[ "$(wc -w <"$T/kids")" -eq "$2" ]
}
# Have all the PIDs in $T/kids gone (exited and reaped)?
all_gone() {
	read -r pids <"$T/kids"
	for p in $pids; do
		gone "$p" || { diag "philosopher $p is still there"; return 1; }
	done
}

# Is each of PIDs $@ stopped (SIGSTOP), a zombie, or gone?
held() {
	for p; do
		grep -qs '^State:.*[TZ]' "/proc/$p/status" || ! kill -0 "$p" \
			2>/dev/null || return 1
	done
}
# The first of PIDs $@ that is stopped (still alive), if any.
stopped_one() {
	for p; do
		if grep -qs '^State:.*T' "/proc/$p/status"; then
			echo "$p"
			return
		fi
	done
}

# Every philosopher eats every meal: 2, 5 (the default) and 16 of them.
t_fed() {
	for n in 2 5 16; do
		k=$(new_key)
		fed "$n" 10 >"$T/want"
		if ! timeout $((20 * SLOW)) sem/philosophers -q -k "$k" -p "$n" \
			>"$T/out" 2>"$T/err" || ! cmp "$T/want" "$T/out" ||
			[ -s "$T/err" ] || ! nothing_with "$k"; then
			diag "$n philosophers"
			return 1
		fi
	done
	k=$(new_key)
	fed 5 10 >"$T/want"
	timeout $((20 * SLOW)) sem/philosophers -k "$k" >"$T/out" 2>/dev/null &&
		cmp "$T/want" "$T/out" && nothing_with "$k"
}

# Without -q: the set made, each meal with its forks, the set removed.
t_narration() {
	k=$(new_key)
	timeout $((20 * SLOW)) sem/philosophers -k "$k" -p 2 -m 3 \
		>/dev/null 2>"$T/err" &&
		grep -q "^sem/philosophers: key $k (from -k)$" "$T/err" &&
		grep -q '^sem/philosophers: semget: created set id [0-9]* (2 semaphores, mode 0600)' "$T/err" &&
		grep -q '^sem/philosophers: philosopher 0 eats with forks 0 and 1 (meal 1)$' "$T/err" &&
		grep -q '^sem/philosophers: philosopher 1 eats with forks 1 and 0 (meal 3)$' "$T/err" &&
		grep -q '^sem/philosophers: semctl IPC_RMID: removed set id' "$T/err" &&
		[ "$(grep -c ' eats with forks ' "$T/err")" = 6 ] && nothing_with "$k"
}

# -u: ten runs of ten, each a deadlock, seen and said within seconds; exit
# 1, every philosopher stopped, nothing left.  The runs dine at once, each
# on its own key (one after the other, they took 10 s of make test).  Each
# is seen seated as soon as it starts: a run looks for its deadlock a
# second after its philosophers sit, and then ends - looked at only once
# all ten had started, on a busy machine, a run was over already.
t_deadlock() {
	j=0
	for n in 2 3 5 16 5 2 3 5 16 5; do
		j=$((j + 1))
		k=$(new_key)
		start /dev/null "$T/out.$j" "$T/err.$j" sem/philosophers -q -u \
			-k "$k" -p "$n"
		u=$!
		echo "$n $k $u" >"$T/run.$j"
		if ! wait_for seated "$u" "$n"; then
			diag "run $j, $n philosophers, not seen seated" \
				"$(cat "$T/err.$j")"
			return 1
		fi
		cp "$T/kids" "$T/kids.$j" || return 1
	done
	for j in 1 2 3 4 5 6 7 8 9 10; do
		read -r n k u <"$T/run.$j"
		stuck "$n" >"$T/want"
		cp "$T/kids.$j" "$T/kids"
		if ! exits_with "$u" 1 || ! cmp "$T/want" "$T/out.$j" ||
			! all_gone || ! nothing_with "$k" ||
			[ "$(cat "$T/err.$j")" != "sem/philosophers: deadlock: each philosopher holds one fork and waits for the next
sem/philosophers: hint: without -u, a philosopher takes both forks in one semop" ]; then
			diag "$n philosophers" "$(cat "$T/err.$j")"
			return 1
		fi
	done
}

# Ctrl-C mid-dinner, to the program alone (then it stops its philosophers)
# or to them all (as a terminal sends it): 130, nobody left, nothing left,
# and the stop said, as every program says it.
sigint() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/err" sem/philosophers -k "$k" -m 1000000
	d=$!
	wait_for seated "$d" 5 && c=$(child_of "$d") || return 1
	if [ "$1" = all ]; then
		# shellcheck disable=SC2046 # the PIDs split into words
		kill -INT "$c" $(cat "$T/kids")
	else
		interrupt "$d"
	fi
	exits_with "$d" 130 && all_gone && nothing_with "$k" &&
		[ ! -s "$T/out" ] &&
		grep -q '^sem/philosophers: stopped by signal 2' "$T/err"
}
t_sigint_program() { sigint program; }
t_sigint_all() { sigint all; }

# SIGTERM to the program alone: 143, and the same.
t_sigterm() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null sem/philosophers -q -u -k "$k" -p 3
	d=$!
	wait_for seated "$d" 3 && kill -TERM "$(child_of "$d")" &&
		exits_with "$d" 143 && all_gone && nothing_with "$k"
}

# A philosopher killed (-9) with forks in hand: SEM_UNDO gives them back,
# so the others eat all their meals; the dinner is not whole: exit 1.  The
# dead one's meals are not known, and said so, with why (killed by signal
# 9): no "ate 0" line for it (it used to be printed, though it had eaten).
#
# The one killed is one still at the table: all three are stopped
# (SIGSTOP) as soon as they sit, and the first seen stopped, not a zombie,
# is killed, the others continued.  Killed as it was seen seated, the
# first could have eaten its 50000 meals already (about 2 s here; a 2 s
# pause before the kill, standing for a loaded machine, left a whole
# dinner and exit 0).  Should the whole dinner be over before the stop,
# it is served again, three times at most.
# shellcheck disable=SC2086 # $kids: one PID a word
t_killed_philosopher() {
	v=
	for _ in 1 2 3; do
		k=$(new_key)
		start /dev/null "$T/out" "$T/err" sem/philosophers -q -k "$k" \
			-p 3 -m 50000
		d=$!
		wait_for seated "$d" 3 && kids=$(cat "$T/kids") || return 1
		kill -STOP $kids 2>/dev/null
		wait_for held $kids || return 1
		v=$(stopped_one $kids)
		[ -n "$v" ] && break
		exits_with "$d" 0 && nothing_with "$k" || return 1
		diag "the dinner was over before the stop: again"
	done
	[ -n "$v" ] && kill -KILL "$v" || return 1
	kill -CONT $kids 2>/dev/null	# the killed one is a zombie
	exits_with "$d" 1 &&
		grep -q '^sem/philosophers: not every philosopher ate 50000 meals$' "$T/err" &&
		[ "$(grep -c ' ate 50000$' "$T/out")" = 2 ] &&
		[ "$(grep -c ' ate ' "$T/out")" = 2 ] &&
		grep -qx 'total 100000 (of those told)' "$T/out" &&
		[ "$(grep -c '^sem/philosophers: philosopher [0-2] never told its meals (not known): killed by signal 9$' "$T/err")" = 1 ] &&
		nothing_with "$k"
}

# A set already there with the key - another dinner's, or anyone's - is
# refused, whatever its size, and left as it was.
# shellcheck disable=SC2016 # perl's variables, not the shell's
t_set_there() {
	k=$(new_key)
	perl -e 'use IPC::SysV qw(SETALL);
		my $id = semget(hex($ARGV[0]), 5, 01600) // die "$!";
		semctl($id, 0, SETALL, pack("s!5", 1, 0, 1, 0, 1)) or die "$!";
		semop($id, pack("s!6", 0, 1, 0, 0, -1, 0)) or die "$!"' "$k" &&
		exits 1 timeout $((10 * SLOW)) sem/philosophers -k "$k" >"$T/out" 2>"$T/err" &&
		grep -q "^sem/philosophers: key $k: set id [0-9]* is there already: left as it is$" "$T/err" &&
		[ ! -s "$T/out" ] &&
		[ "$(sem_get "$k" 0 GETVAL)$(sem_get "$k" 1 GETVAL)$(sem_get "$k" 4 GETVAL)" = 101 ] &&
		exits 1 timeout $((10 * SLOW)) sem/philosophers -k "$k" -p 3 2>"$T/err" &&
		grep -q "holds a set of 5 semaphores (sem/philosophers'?); sem/philosophers needs 3" "$T/err" &&
		has_set "$k" && ipcrm -S "$k" && ! has_set "$k"
}

# A second dinner on the key of one in progress is refused; the first
# goes on, and ends as it should.
t_second_dinner() {
	k=$(new_key)
	start /dev/null "$T/out" /dev/null sem/philosophers -q -k "$k" -p 4 -m 1000000
	d=$!
	wait_for seated "$d" 4 &&
		exits 1 timeout $((10 * SLOW)) sem/philosophers -q -k "$k" -p 4 2>"$T/err" &&
		grep -q 'is there already: left as it is' "$T/err" &&
		seated "$d" 4 && interrupt "$d" && exits_with "$d" 130 && all_gone &&
		nothing_with "$k"
}

# shm/counter and the ring on a dinner's key find a set of the size they
# need (4 forks: the counter's 4; 6 forks: the ring's 6), but not their
# mark in its last semaphore: refused at once, no fork touched, the dinner
# goes on and ends as it should.
t_shm_on_a_dinner() {
	k=$(new_key)
	start /dev/null /dev/null /dev/null sem/philosophers -q -k "$k" -p 4 -m 1000000
	d=$!
	if ! { wait_for seated "$d" 4 &&
		exits 1 timeout $((10 * SLOW)) shm/counter -k "$k" -n 10 >"$T/out" 2>"$T/err" &&
		grep -q "has the 4 semaphores shm/counter needs, but not its mark" "$T/err" &&
		[ ! -s "$T/out" ] && ! has_segment "$k" &&
		seated "$d" 4 && interrupt "$d" && exits_with "$d" 130 && all_gone &&
		nothing_with "$k"; }; then
		diag "$(cat "$T/err")"
		return 1
	fi
	start /dev/null /dev/null /dev/null sem/philosophers -q -k "$k" -p 6 -m 1000000
	d=$!
	wait_for seated "$d" 6 &&
		exits 1 shm/writer -k "$k" </dev/null 2>"$T/err" &&
		grep -q "has the 6 semaphores shm/writer needs, but not its mark" "$T/err" &&
		exits 1 timeout $((10 * SLOW)) shm/reader -k "$k" >"$T/out" 2>"$T/err" &&
		grep -q "has the 6 semaphores shm/reader needs, but not its mark" "$T/err" &&
		! has_segment "$k" &&
		seated "$d" 6 && interrupt "$d" && exits_with "$d" 130 && all_gone &&
		nothing_with "$k"
}

# SEMOPM, the kernel's most operations in one semop (kernel.sem, 3rd
# field), lowered to 2 in a private IPC namespace: -u's window over 40
# forks is one semop of 40.  Said once, before anyone sits - not an E2BIG
# and a "never told its meals" from each of 40 philosophers - exit 1, the
# set removed.
t_semopm_said_once() {
	if ! unshare --ipc true 2>/dev/null; then
		echo "unshare --ipc is not allowed here" >"$T/skip"
		return 0
	fi
	k=$(new_key)
	# shellcheck disable=SC2016 # the inner shell's variables
	unshare --ipc sh -c 'echo "32000 1024000000 2 32000" \
			>/proc/sys/kernel/sem || exit 3
		timeout "$3" sem/philosophers -u -p 40 -k "$1" >"$2/out" \
			2>"$2/err"
		echo $? >"$2/rc"
		! grep -q "^ *$(printf %d "$1") " /proc/sysvipc/sem' \
		sh "$k" "$T" $((20 * SLOW))
	case $? in
	0) ;;
	3) echo "cannot write kernel.sem in a namespace" >"$T/skip"
		return 0 ;;
	*) diag "a set was left" "$(cat "$T/err")"; return 1 ;;
	esac
	if [ "$(cat "$T/rc")" != 1 ] || [ -s "$T/out" ] ||
		[ "$(grep -c '(E2BIG)$' "$T/err")" != 1 ] ||
		! grep -q '^sem/philosophers: semop (.*): .* (E2BIG)$' "$T/err" ||
		[ "$(grep -c '^sem/philosophers: hint: ' "$T/err")" != 1 ] ||
		! grep -q 'hint: .* 40 operations .*SEMOPM' "$T/err" ||
		grep -q 'never told' "$T/err"; then
		diag "$(cat "$T/err")"
		return 1
	fi
}

# No file descriptor left for the pipe the philosophers tell their meals
# through (ulimit -n 4): EMFILE by its name, not "(errno)", with a hint;
# the set removed.  (Not under valgrind, which needs descriptors itself.)
t_emfile_named() {
	if [ "$SLOW" -gt 1 ]; then
		echo "under valgrind" >"$T/skip"
		return 0
	fi
	k=$(new_key)
	# shellcheck disable=SC3045 # dash, bash and busybox sh have ulimit -n
	(ulimit -n 4 && exec sem/philosophers -k "$k" -p 2) >"$T/out" 2>"$T/err"
	if [ $? != 1 ] || [ -s "$T/out" ] ||
		! grep -q '^sem/philosophers: pipe: .* (EMFILE)$' "$T/err" ||
		! grep -q '^sem/philosophers: hint: .*(ulimit -n)' "$T/err" ||
		! nothing_with "$k"; then
		diag "$(cat "$T/err")"
		return 1
	fi
}

t_help() {
	help_ok sem/philosophers
}

check "2, 5 and 16 philosophers all fed: exact counts, nothing left" t_fed
check "narration: the set, each meal and its forks, the removal" t_narration
check "-u: a deadlock on 10 runs of 10, said, exit 1, nobody left" t_deadlock
check "Ctrl-C to the program: 130, every philosopher gone, nothing left" \
	t_sigint_program
check "Ctrl-C to them all: 130, every philosopher gone, nothing left" \
	t_sigint_all
check "SIGTERM mid-deadlock: 143, every philosopher gone, nothing left" \
	t_sigterm
check "a philosopher killed: SEM_UNDO, the others eat; exit 1" \
	t_killed_philosopher
check "a set already there is refused and left, whatever its size" t_set_there
check "a second dinner on the same key is refused" t_second_dinner
check "a counter or a ring on a dinner's key: refused, the dinner goes on" \
	t_shm_on_a_dinner
check "SEMOPM below -u's window: said once, before anyone sits" \
	t_semopm_said_once
check "no descriptor for the pipe: EMFILE named, the set removed" \
	t_emfile_named
check "-h" t_help
done_testing
