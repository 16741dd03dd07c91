#!/bin/sh
# tests/hints.sh - every row of the hint table (common/hints.c): the
# call's failure is made to happen, for real where a test can (a key in
# use, a closed standard input, a directory) and else injected with
# strace (-e inject=CALL:error=ERRNO), and the program must name the call
# and the errno, give the row's hint, and exit 1.  TAP SKIP where strace
# is missing or may not trace, and under valgrind (strace would inject
# into valgrind's own calls).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# Each row: PROG ARGS :: SYSCALL ERRNO => the hint (a grep regex, after
# "PROG: hint: ").  "-k KEY" is added to PROG ARGS, and KEY in the hint
# is that key.  semop is the semtimedop system call with glibc, semop
# with musl: the row names both.  ERRNO@N injects into the Nth call
# (else the first): msgq/receiver's first msgrcv is the look at the
# queue's head (MSG_COPY: is it msgq/server's?), its second the receive.
rows='
msgq/sender -q x :: msgget ENOENT => no queue has key 0x[0-9a-f]* yet; start one
msgq/server -q :: msgget EEXIST => a queue with key 0x[0-9a-f]* exists already; remove it with msgq/ctl -k KEY rm
msgq/sender -q x :: msgget EACCES => key 0x[0-9a-f]* belongs to another user.s queue
sem/post -q :: semget EINVAL => the set would have more semaphores than the system allows in one (kernel.sem, 1st field, SEMMSL)$
shm/counter -q -n 1 :: shmget EINVAL => the size asked for is above kernel.shmmax
msgq/sender -q x :: msgget ENOSPC => the system.s limit on queues (kernel.msgmni) is reached
sem/post -q :: semget ENOSPC => the system.s limit on semaphore sets (kernel.sem, 4th field, SEMMNI)
shm/counter -q -n 1 :: shmget ENOSPC => the system.s limit on segments (kernel.shmmni)
shm/counter -q -n 1 :: shmget ENOMEM => the kernel could not find the memory for the segment
shm/counter -q -n 1 :: shmat ENOMEM => no room in our address space to attach the segment
msgq/sender -q x :: msgget ENOMEM => the kernel is out of memory for a new queue
msgq/sender -q x :: msgsnd EACCES => the queue.s mode shuts you out (see msgq/ctl -k KEY stat)
QUEUE msgq/ctl -q rm :: msgctl EPERM => only the queue.s owner or creator (or root) may do that
QUEUE msgq/receiver -q :: msgrcv EIDRM@2 => the queue was removed while we used it
msgq/sender -q x :: msgsnd EINVAL => the queue is gone (its id is stale.*bigger than kernel.msgmax
sem/post -q :: semop,semtimedop ERANGE => the value would pass the largest a semaphore may hold
sem/post -q :: semop,semtimedop E2BIG => more operations in one call than the system allows (kernel.sem, 3rd field, SEMOPM)$
QUEUE msgq/receiver -q :: msgrcv EINVAL@2 => the queue is gone (its id is stale: removed by msgq/ctl -k KEY rm, ipcrm, or a peer)$
QUEUE msgq/receiver -q :: write EPIPE => whoever read our output (a pipe) has gone away
QUEUE msgq/receiver -q :: write ENOSPC => the disk or device that standard output goes to is full
QUEUE msgq/receiver -q :: write EDQUOT => your disk quota is used up
QUEUE msgq/receiver -q :: write EFBIG => the output file reached its size limit
QUEUE msgq/receiver -q :: write EAGAIN => standard output is in non-blocking mode
QUEUE msgq/receiver -q :: write EBADF => standard output is closed
QUEUE msgq/receiver -q :: write EIO => the output device failed
sem/philosophers -q :: pipe,pipe2 EMFILE => this process has as many files open as it may (ulimit -n)
'

can_inject() {
	if [ "$SLOW" -gt 1 ]; then
		echo "under valgrind" >"$T/skip"
		return 1
	fi
	if ! strace -qq -o /dev/null true 2>/dev/null; then
		echo "strace is missing or may not trace here" >"$T/skip"
		return 1
	fi
}

# One row: make the queue if asked (QUEUE: one message "x" in it), run the
# program with the failure injected, check its two lines, clean up.
hint_row() {
	row=$1
	k=$(new_key)
	cmd=${row%% ::*}
	want=${row#*=> }
	want=$(echo "$want" | sed "s/KEY/$k/g")
	fault=${row#*:: }
	fault=${fault%% =>*}
	call=${fault% *}
	err=${fault#* }
	when=1
	case $err in *@*) when=${err#*@} err=${err%@*} ;; esac
	case $cmd in
	QUEUE*) msgq/sender -q -k "$k" x || return 1; cmd=${cmd#QUEUE } ;;
	esac
	# shellcheck disable=SC2086 # the command splits into words
	set -- $cmd
	p=$1
	shift
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e trace="$call" \
		-e inject="$call:error=$err:when=$when" "$p" -k "$k" "$@" \
		</dev/null >/dev/null 2>"$T/err"
	rc=$?
	ipcrm -Q "$k" 2>/dev/null
	ipcrm -S "$k" 2>/dev/null
	ipcrm -M "$k" 2>/dev/null
	if [ $rc -ne 1 ] || ! grep -q "^$p: .*($err)" "$T/err" ||
		! grep -q "^$p: hint: $want" "$T/err"; then
		diag "$cmd, $call $err: exit $rc" "$(cat "$T/err")"
		return 1
	fi
}

t_every_row() {
	can_inject || return 0
	n=0
	echo "$rows" | {
		while read -r row; do
			[ -n "$row" ] || continue
			hint_row "$row" || exit 1
			n=$((n + 1))
		done
		echo "# $n hints tried" >&2
	}
}

# The rows that need no strace, for real: input a directory or closed.
t_input_rows() {
	k=$(new_key)
	msgq/sender -q -k "$k" </ 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(EISDIR)$' "$T/err" &&
		grep -q '^msgq/sender: hint: standard input is a directory' "$T/err" &&
		msgq/sender -q -b -k "$k" <&- 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(EBADF)$' "$T/err" &&
		grep -q '^msgq/sender: hint: standard input is closed' "$T/err" &&
		msgq/ctl -q -k "$k" rm
}

# read EIO: injected only into reads of standard input (-P /dev/null:
# the loader and msgmax are read first).  -b reads through stdio, which
# is read(2) in glibc and readv(2) in musl: both get the EIO.
t_input_eio() {
	can_inject || return 0
	k=$(new_key)
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -P /dev/null \
		-e trace=read,readv -e inject=read,readv:error=EIO:when=1 \
		msgq/sender -q -b -k "$k" \
		</dev/null 2>"$T/err"
	[ $? -eq 1 ] && grep -q '(EIO)$' "$T/err" &&
		grep -q '^msgq/sender: hint: the input device failed' "$T/err" &&
		msgq/ctl -q -k "$k" rm
}

check "every row of the hint table, by call and errno" t_every_row
check "standard input a directory, or closed: its own hints" t_input_rows
check "standard input failing (EIO): its own hint" t_input_eio
done_testing
