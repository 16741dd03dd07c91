#!/bin/sh
# tests/demo.sh - "make demo", as CI runs it (DEMO_PAUSE=0): every scene
# succeeds on the one key it was given, and nothing it made is left, while
# "make demo-watch" shows its objects from the first scene to the last;
# lines come in the order things happened, whatever the load; a part, a
# scene to start at, the brief mode; step mode in a terminal (a pty made by
# script(1)): the prompt says where we are, the restaurant's customers stay
# seated until Enter; without a terminal, step mode says why it cannot
# run; interrupted, the tour still cleans up.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# The keys a run of the tour announced ("export IPC_DEMO_KEY=0x...").
demo_keys() {
	sed -n 's/.*export IPC_DEMO_KEY=\(0x[0-9a-f]*\).*/\1/p' "$1" | sort -u
}
# The key a program derives from key $1 with ftok proj id $2 in the top
# byte ('m' 0x6d, 's' 0x73, 'h' 0x68, 'c' 0x63), as 0x%08x.
derived() {
	printf '0x%08x\n' $((($2 << 24) | ($1 & 0xffffff)))
}
# None of them is in /proc/sysvipc any more, nor the keys each program
# derives from them.
keys_gone() {
	for k in $(demo_keys "$1"); do
		for p in 0 0x6d 0x73 0x68 0x63; do
			d=$(( p ? (p << 24) | (k & 0xffffff) : k ))
			if key_in_use "$d"; then
				diag "key $(printf '0x%08x' "$d") is still there"
				return 1
			fi
		done
	done
}
# Line numbers in that order: each pattern's first line after the last.
in_order() {
	f=$1
	shift
	last=0
	for re in "$@"; do
		n=$(awk -v re="$re" -v after="$last" \
			'NR > after && $0 ~ re { print NR; exit }' "$f")
		if [ -z "$n" ]; then
			diag "not in order: '$re' after line $last"
			return 1
		fi
		last=$n
	done
}
# before FILE AFTER CAUSE EFFECT: after the first line matching AFTER, the
# first line matching CAUSE comes before the first matching EFFECT (both
# there): the lines of a cause and its effect, as each program printed.
before() {
	awk -v a="$2" -v c="$3" -v e="$4" '
		!seen && $0 ~ a { seen = NR; next }
		seen && !nc && $0 ~ c { nc = NR }
		seen && !ne && $0 ~ e { ne = NR }
		END { exit !(seen && nc && ne && nc < ne) }' "$1" && return 0
	diag "after '$2': '$3' is not before '$4'"
	return 1
}
# Every line fits a projector: 80 columns at most.
narrow() {
	awk 'length > 80 { print "too wide: " $0; bad = 1 } END { exit bad }' "$1" |
		while read -r l; do diag "$l"; done
	awk 'length > 80 { bad = 1 } END { exit bad }' "$1"
}

# The whole tour on a key of the test's, and "make demo-watch" on that key
# from before it starts until after it ends (its lines in $T/pane, its
# exit status after Ctrl-C in $T/pane.status; t_watch reads them).
t_full_tour() {
	k=$(new_key)
	PEER_TIMEOUT=$((120 * SLOW)) start /dev/null "$T/pane" "$T/pane.err" \
		env NO_COLOR=1 DEMO_KEY="$k" tests/demo watch
	w=$!
	wait_for grep -q 'Ctrl-C stops' "$T/pane" || return 1
	NO_COLOR=1 DEMO_PAUSE=0 DEMO_KEY=$k timeout $((120 * SLOW)) \
		make -s demo >"$T/out" 2>&1 || {
		diag "$(tail -n 5 "$T/out")"
		return 1
	}
	# The pane sees the counter go, the tour's last object; Ctrl-C ends it.
	wait_for grep -q 'counter  *removed$' "$T/pane"
	interrupt "$w"
	exits_with "$w" 130
	echo $? >"$T/pane.status"
	[ "$(grep -c '^=== ' "$T/out")" = 9 ] &&
		[ "$(demo_keys "$T/out")" = "$k" ] && keys_gone "$T/out" &&
		grep -q "^demo: Every scene uses one key, DEMO_KEY $k\." "$T/out" &&
		grep -q "make demo-watch DEMO_KEY=$k" "$T/out" &&
		head -n 1 "$T/out" | grep -q '^demo: A tour' &&
		grep -q '^msgq/receiver> hello$' "$T/out" &&
		grep -q '^client A> ALPHA$' "$T/out" &&
		grep -q '^client B> BRAVO$' "$T/out" &&
		grep -q '^customer 3: sem/wait: value 0: none free' "$T/out" &&
		grep -q '^shm/counter> got 200000$' "$T/out" &&
		grep -Eq '^msgq/sender: up to [0-9]+ bytes' "$T/out" &&
		! grep -q 'warning\|out of order' "$T/out" &&
		! grep -q "$(printf '\033')" "$T/out" && narrow "$T/out"
}

# make demo-watch: one watch for each of the tour's five objects, on the
# keys derived from DEMO_KEY; each starts again after its object is
# removed, so that one pane shows every scene's objects, the first to the
# last; Ctrl-C stops it (130) and every watch with it.
t_watch() {
	k=$(demo_keys "$T/out")
	[ -n "$k" ] && [ "$(cat "$T/pane.status")" = 0 ] || return 1
	for w in "msgq $(derived "$k" 0x6d)" "msgq $(derived "$k" 0x72)" \
		"sem $(derived "$k" 0x73)" "shm $(derived "$k" 0x68)" \
		"shm $(derived "$k" 0x63)"; do
		grep -q "${w% *}/ctl -q -k ${w#* } watch" "$T/pane" || {
			diag "no watch '$w'"
			return 1
		}
	done
	# Each part's objects that live long enough for a watch to see them
	# (it looks every 100 ms): the queue, empty once read; the server's,
	# its signature message at the head, waiting for requests; the
	# restaurant's semaphore and the crash's; the counter.
	grep -Eq '^ +[0-9.]+ s  queue +0 messages, 0 bytes$' "$T/pane" &&
		grep -q 'queue  *removed$' "$T/pane" &&
		grep -Eq '^ +[0-9.]+ s  server +1 message, [0-9]+ bytes$' \
			"$T/pane" && grep -q 'server  *removed$' "$T/pane" &&
		grep -Eq 'semaphore +value 0, 1 waiting' "$T/pane" &&
		[ "$(grep -c 'semaphore  *removed$' "$T/pane")" -ge 2 ] &&
		grep -Eq 'counter +nattch [0-9]+; MUTEX' "$T/pane" &&
		grep -q 'interrupted; cleaning up' "$T/pane" &&
		[ ! -s "$T/pane.err" ] && narrow "$T/pane" &&
		wait_for no_watch "$k"
}
# No process left with one of the keys derived from $1 on its command line.
no_watch() {
	for p in 0x6d 0x72 0x73 0x68 0x63; do
		! grep -qaF "$(derived "$1" "$p")" /proc/[0-9]*/cmdline \
			2>/dev/null || return 1
	done
}

# The restaurant's times: "N enter|leave T" for each line of customer N.
times_of() {
	sed -n 's/^customer \([0-9]\)> \(enter\|leave\) \([0-9.]*\)$/\1 \2 \3/p' \
		"$1"
}
# Customers 1 and 2 sat at least as long as they were told (3 and 4 s;
# 10 and 11 under valgrind), customer 3 came in when customer 1 left (in
# less than a second) and before customer 2 did, and sat its time too.
seated() {
	hold=3
	[ "$SLOW" -gt 1 ] && hold=10
	times_of "$1" | awk -v h="$hold" '
		{ t[$1 " " $2] = $3 }
		END {
			exit !(t["1 leave"] - t["1 enter"] >= h - 0.005 &&
			    t["2 leave"] - t["2 enter"] >= h + 0.995 &&
			    t["3 enter"] >= t["1 leave"] &&
			    t["3 enter"] - t["1 leave"] < 1 &&
			    t["3 enter"] < t["2 leave"] &&
			    t["3 leave"] - t["3 enter"] >= h - 0.005)
		}' && return 0
	diag "the restaurant's times:" "$(times_of "$1")"
	return 1
}

# Piped, the lines come in the order things happened: what caused a line
# comes before it, and the tour acts only on what was printed.  None of it
# hangs on the clock or the machine's load: where two programs print at
# once, the tour holds the effect back until its cause is out (t_hold).
t_in_order() {
	f=$T/out
	in_order "$f" '^sem/wait: value 0: none free' '^\$ sem/post$' \
		'^sem/post: key' '^sem/post: semop V' '^sem/wait: semop P' &&
		in_order "$f" 'a restaurant' '^customer 1: sem/wait: value 0' \
			'^customer 2: sem/wait: value 0' \
			'^customer 3: sem/wait: value 0' '^kernel: waiting +3 ' \
			'^\$ sem/post 2$' '^sem/post: semop V' '^customer 1> enter' \
			'^kernel: waiting +1 ' '^customer 1> leave' \
			'^customer 1: sem/wait: semop V' \
			'^customer 3: sem/wait: semop P' '^customer 3> enter' \
			'^customer 3> leave' '^kernel: value +2$' &&
		in_order "$f" '^sem/post: semop V [(][+]2[)]' '^customer 2> enter' \
			'^kernel: waiting +1 ' '^customer 2> leave' &&
		! in_order "$f" '^customer 3> enter' '^customer 2> enter' \
			2>/dev/null && seated "$f" &&
		in_order "$f" 'a crash in the seat' '^customer: sem/wait: holding' \
			'^kernel: value +0$' '^\$ kill -9' '^kernel: value +1$' \
			'^customer: sem/wait: holding' '^kernel: value +0$' \
			'^\$ kill -9' '^kernel: value +0$' &&
		in_order "$f" '^msgq/receiver: waiting' '^\$ msgq/sender ' \
			'^msgq/sender: key' '^one ' '^msgq/receiver> one' '^two ' \
			'^msgq/receiver> two' '^three ' '^msgq/receiver> three' \
			'^\^D' '^msgq/sender: msgsnd: end of stream' \
			'^msgq/receiver: msgctl IPC_RMID' &&
		for w in '^one ' '^two ' '^three ' '^\^D'; do
			before "$f" "$w" '^msgq/sender: msgsnd:' \
				'^msgq/receiver: msgrcv:' || return 1
		done &&
		in_order "$f" '^\$ msgq/client -q alpha' \
			'^msgq/server: msgsnd: answered' '^client A> ALPHA' \
			'^\$ msgq/client -q bravo' '^msgq/server: msgsnd: answered' \
			'^client B> BRAVO' &&
		in_order "$f" '^shm/reader: semget: created' '^\$ shm/writer' \
			'^shm/writer: semget: joined' '^shm/writer: shmget: created' \
			'^shm/reader: shmat' '^shm/writer: [0-9]+ bytes in' \
			'^shm/reader: [0-9]+ bytes in' '^shm/reader: removed'
}

# The labeller alone (taken from tests/demo as it stands): two pipes, a
# rule "EFFECT after CAUSE"; the effect is written first and the cause a
# moment later, and the effect still comes out second.  An effect whose
# cause never comes is shown after LATE seconds (1 here), marked.
t_hold() {
	sed -n "/^LABELLER='\$/,/^'\$/p" tests/demo | sed '1d;$d' >"$T/label.pl"
	mkfifo "$T/a" "$T/b" && : >"$T/log" || return 1
	start /dev/null "$T/lab" /dev/null perl "$T/label.pl" "$T/log" 0 '' '' \
		"$T/ready" 0 1 -a '^p/b: effect' '^p/a: cause' 0 \
		p/a "$T/a" p/b "$T/b"
	l=$!
	wait_for test -e "$T/ready" || return 1
	{
		echo 'p/b: effect one' >"$T/b" && sleep 0.3 &&
			echo 'p/a: cause one' >"$T/a" &&
			echo 'p/b: effect two' >"$T/b" &&
			wait_for grep -q 'effect two' "$T/lab"
	} || return 1
	kill -TERM "$(child_of "$l")" 2>/dev/null
	printf '%s\n' 'p/a: cause one' 'p/b: effect one' \
		'demo: (out of order: what caused the next line was not printed)' \
		'p/b: effect two' >"$T/want"
	if ! exits_with "$l" 0 || ! cmp -s "$T/want" "$T/lab"; then
		diag "$(cat "$T/lab")"
		return 1
	fi
}

# One part, brief: the msgq scenes only, without the lines about kernel
# limits (said at the start); bad values refused.  (Starting at a scene:
# t_step.)
t_parts() {
	k=$(new_key)
	NO_COLOR=1 DEMO_PAUSE=0 DEMO_BRIEF=1 SCENE=msgq DEMO_KEY=$k \
		timeout $((60 * SLOW)) make -s demo >"$T/out2" 2>&1 &&
		[ "$(grep -c '^=== Message queues' "$T/out2")" = 4 ] &&
		! grep -q '^=== Sema' "$T/out2" && keys_gone "$T/out2" &&
		grep -q '^msgq/receiver> hello$' "$T/out2" &&
		grep -q '^demo: (Brief: the lines about kernel limits' "$T/out2" &&
		! grep -Eq 'up to [0-9]+ bytes|kernel\.msg|qbytes' "$T/out2" ||
		return 1
	for bad in SCENE=bogus SCENE=sem.4 SCENE=shm.0 SCENE=msgq. SCENE=.1 \
		DEMO_BRIEF=yes DEMO_KEY=0x DEMO_KEY=0x123456789 DEMO_KEY=007 \
		DEMO_KEY=0 DEMO_KEY=-1 DEMO_STEP=2; do
		if ! exits 2 env "$bad" tests/demo >/dev/null 2>"$T/err" ||
			! grep -q "^demo: ${bad%%=*} must be" "$T/err"; then
			diag "$bad: $(cat "$T/err")"
			return 1
		fi
	done
	exits 2 env SCENE=sem.4 tests/demo 2>"$T/err" >/dev/null &&
		grep -q 'SCENE must be msgq, sem or shm (one part), or a scene' \
			"$T/err"
}

# Its key taken (here by a queue of the test's on the tour's queue key),
# the tour refuses at once, names the object and how to remove it, and
# leaves it alone.
t_key_taken() {
	k=$(new_key)
	q=$(derived "$k" 0x6d)
	echo $((q)) >>"$T/keys"
	msgq/sender -q -k "$q" hi &&
		exits 1 env DEMO_KEY="$k" DEMO_PAUSE=0 tests/demo >"$T/out2" \
			2>"$T/err" &&
		grep -q "DEMO_KEY $k, is in use" "$T/err" &&
		grep -q "a queue has key $q (remove it: ipcrm -Q $q)" "$T/err" &&
		grep -q 'make demo DEMO_KEY=' "$T/err" && [ ! -s "$T/out2" ] &&
		messages_are "$q" 2 && msgq/ctl -q -k "$q" rm
}

# A terminal, made by script(1): the tour's output goes to $T/out3, the
# terminal (its prompts) to $T/tty; the keys typed (Enter, Ctrl-C) go
# through $T/kbd.
pty_tour() {
	rm -f "$T/kbd"
	mkfifo "$T/kbd" || return 1
	exec 7<>"$T/kbd"
	: >"$T/out3"
	SHELL=/bin/sh start "$T/kbd" "$T/tty" /dev/null script -q -e -c \
		"env NO_COLOR=1 DEMO_STEP=1 $* tests/demo >$T/out3 2>&1" /dev/null
}
# press PROMPT: once the terminal shows PROMPT, press Enter.
press() {
	wait_for grep -qF -- "$1" "$T/tty" || {
		diag "no prompt '$1'" "$(tail -n 3 "$T/out3")"
		return 1
	}
	printf '\r' >&7
}
# sem_is KEY VALUE WAITING: the semaphore's value and waiters.
sem_is() {
	[ "$(sem_get "$1" 0 GETVAL)" = "$2" ] &&
		[ "$(sem_get "$1" 0 GETNCNT)" = "$3" ]
}

# DEMO_STEP=1 SCENE=sem.2 in a terminal: the tour starts at the restaurant;
# each prompt says where we are; after "waiting 1", nobody leaves until
# Enter (longer than a customer sits without DEMO_STEP); Enter sends one
# customer home, and the third takes its seat; after the scene it offers
# the next (sem.3), and Ctrl-C there ends it (130) and cleans up.  The
# prompts are on the terminal only.
t_step() {
	k=$(new_key)
	s=$(derived "$k" 0x73)
	pty_tour "SCENE=sem.2 DEMO_KEY=$k" || return 1
	d=$!
	at='scene 6/9 (sem.2)' at_re='scene 6/9 [(]sem[.]2[)]'
	if ! { press "Enter: $at --" && press "$at, step 1/6: Enter" &&
		wait_for grep -qF "$at, step 2/6" "$T/tty" && sem_is "$s" 0 3 &&
		press "$at, step 2/6: Enter" &&
		wait_for grep -qF "$at, step 3/6" "$T/tty" && sem_is "$s" 0 1 &&
		grep -Eq '^kernel: waiting +1 ' "$T/out3" &&
		sleep 3.5 && sem_is "$s" 0 1 && ! grep -q '> leave' "$T/out3" &&
		press "$at, step 3/6: Enter" &&
		wait_for grep -qF "$at, step 4/6" "$T/tty" &&
		wait_for sem_is "$s" 0 0 &&
		wait_for in_order "$T/out3" '^\$ kill -INT <customer 1>' \
			'^customer 1> leave' '^customer 1: sem/wait: semop V' \
			'^customer 3: sem/wait: semop P' '^customer 3> enter' \
			2>/dev/null &&
		! grep -q '^customer 2> leave' "$T/out3" &&
		press "$at, step 4/6: Enter" && press "$at, step 5/6: Enter" &&
		press "$at, step 6/6: Enter" &&
		wait_for grep -qF "$at done; Enter: scene 7/9 (sem.3) --" \
			"$T/tty"; }; then
		diag "last prompt: $(grep -o -- '-- [^-]*--' "$T/tty" | tail -n 1)" \
			"$(tail -n 4 "$T/out3")"
		interrupt "$d"
		return 1
	fi
	printf '\003' >&7
	exits_with "$d" 130 && grep -q '^demo: interrupted' "$T/out3" &&
		! grep -q 'a crash in the seat' "$T/out3" &&
		[ "$(grep -c '^=== ' "$T/out3")" = 1 ] &&
		! grep -q -- '-- .*Enter' "$T/out3" &&
		grep -o -- '-- [^-]*--' "$T/tty" >"$T/prompts" &&
		in_order "$T/prompts" "$at_re, step 1/6" "$at_re, step 2/6" \
			"$at_re, step 3/6" "$at_re, step 4/6" "$at_re, step 5/6" \
			"$at_re, step 6/6" && keys_gone "$T/out3" && narrow "$T/out3"
}

# With no terminal to read Enter from, DEMO_STEP=1 says so, and exits 2:
# the tour alone, and make demo.
t_no_terminal() {
	k=$(new_key)
	exits 2 setsid -w env DEMO_STEP=1 DEMO_KEY="$k" tests/demo </dev/null \
		>"$T/out2" 2>"$T/err" && [ ! -s "$T/out2" ] &&
		grep -q '^demo: DEMO_STEP=1 waits for Enter on a terminal' "$T/err" &&
		! setsid -w make -s demo DEMO_STEP=1 DEMO_KEY="$k" </dev/null \
			>"$T/out2" 2>"$T/err" &&
		grep -q '^demo: DEMO_STEP=1 waits for Enter on a terminal' "$T/err"
}

# shellcheck disable=SC2016 # perl's $ARGV, not the shell's
# Ctrl-C in the middle of the restaurant, as a terminal sends it: to the
# whole process group (setsid gives the tour one of its own).  The tour
# stops at once - it does not go on to the next scene - and cleans up.
t_interrupted() {
	k=$(new_key)
	start /dev/null "$T/out" "$T/err" env NO_COLOR=1 DEMO_PAUSE=0 \
		SCENE=sem DEMO_KEY="$k" setsid tests/demo
	d=$!
	wait_for grep -q 'waits at the door' "$T/out" ||
		{ diag "no 'waits at the door'" "$(tail -n 5 "$T/out")"; return 1; }
	g=$(child_of "$d")
	[ -n "$g" ] || { diag "no demo process under $d"; return 1; }
	perl -e 'kill "INT", -$ARGV[0] or die "kill: $!"' "$g" || return 1
	echo "# sent SIGINT to group $g at $(date +%T.%N)" >"$T/when"
	if ! exits_with "$d" 130 ||
		! grep -q 'demo: interrupted; cleaning up' "$T/out" ||
		grep -q 'a crash in the seat' "$T/out" || ! keys_gone "$T/out"; then
		diag "$(cat "$T/when")" "$(grep -n 'door\|interrupted\|crash' "$T/out")" \
			"$(tail -n 4 "$T/out")" "$(tail -n 8 "$T/err")"
		return 1
	fi
}

# make bench, small: every row runs, checks its output, and is reported;
# every comparison is taken round by round; a ring geometry of our own.
t_bench_smoke() {
	BENCH_MB=16 BENCH_ROUNDS=1 BENCH_RINGS=2x2M timeout $((120 * SLOW)) \
		make -s bench >"$T/out" 2>&1 || {
		diag "$(tail -n 5 "$T/out")"
		return 1
	}
	[ "$(grep -c ' MB/s ' "$T/out")" = 8 ] &&
		[ "$(grep -c 'round trips/s' "$T/out")" = 2 ] &&
		grep -q '^dd if=f bs=1M' "$T/out" &&
		grep -q '^shm/writer -s 2 -z 2097152 | reader ' "$T/out" &&
		[ "$(grep -cE ' [0-9.]+x  [0-9.]+ - [0-9.]+$' "$T/out")" = 7 ] &&
		! grep -q 'MISSED\|target' "$T/out" && narrow "$T/out" &&
		[ "$(demo_keys "$T/out" | wc -l)" = 1 ] && keys_gone "$T/out" &&
		! BENCH_RINGS=2by2 make -s bench >/dev/null 2>"$T/err" &&
		grep -q "BENCH_RINGS: '2by2' is not SLOTSxBYTES" "$T/err"
}

check "make demo: every scene on one DEMO_KEY, nothing left, 80 columns" \
	t_full_tour
check "make demo-watch: every object of the tour, first scene to last" \
	t_watch
check "make demo, piped: lines in the order things happened" t_in_order
check "the labeller: an effect written first still comes after its cause" \
	t_hold
check "make demo SCENE=msgq DEMO_BRIEF=1: no limit lines; bad values" \
	t_parts
check "make demo: its key taken, it refuses and says what holds it" \
	t_key_taken
check "make demo DEMO_STEP=1 SCENE=sem.2 in a terminal: steps, seated" \
	t_step
check "make demo DEMO_STEP=1 without a terminal: says why, exit 2" \
	t_no_terminal
check "make demo interrupted: 130, nothing left" t_interrupted
check "make bench (16 MiB, one round, 2x2M too): every row" t_bench_smoke
done_testing
