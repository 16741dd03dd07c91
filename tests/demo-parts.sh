#!/bin/sh
# tests/demo-parts.sh - "make demo" in its parts: the labeller alone holds
# an effect until its cause; a part, a scene to start at, the brief mode;
# the tour's key taken; step mode in a terminal (a pty made by script(1)):
# the prompt says where we are, the restaurant's customers stay seated
# until Enter; without a terminal, step mode says why it cannot run;
# interrupted, the tour still cleans up.  (The whole tour: demo.sh.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-demo.sh
. "$(dirname "$0")/lib-demo.sh"

# Is nothing left in pipe $1 (all read by its reader)?  FIONREAD.
# shellcheck disable=SC2016 # perl's variables, not the shell's
drained() {
	perl -e 'require "sys/ioctl.ph";
		open(my $h, "+<", $ARGV[0]) or die "$ARGV[0]: $!\n";
		my $n = pack("i", 0);
		ioctl($h, FIONREAD(), $n) or die "FIONREAD: $!\n";
		exit(unpack("i", $n) != 0)' "$1"
}

# The labeller alone (taken from tests/demo as it stands): two pipes, a
# rule "EFFECT after CAUSE"; the effect is written first and the cause a
# moment later, and the effect still comes out second.  An effect whose
# cause never comes is shown after LATE seconds (3 here), marked.  The
# cause is written once the labeller has read the effect (its pipe
# empty), not 0.3 s after; and LATE was 1 s, less than a loaded machine
# may pause the test between the two (when the 0.3 s became 1.2 s, the
# effect came out first, marked late).
t_hold() {
	sed -n "/^LABELLER='\$/,/^'\$/p" tests/demo | sed '1d;$d' >"$T/label.pl"
	mkfifo "$T/a" "$T/b" && : >"$T/log" || return 1
	start /dev/null "$T/lab" /dev/null perl "$T/label.pl" "$T/log" 0 '' '' \
		"$T/ready" 0 $((3 * SLOW)) -a '^p/b: effect' '^p/a: cause' 0 \
		p/a "$T/a" p/b "$T/b"
	l=$!
	wait_for test -e "$T/ready" || return 1
	{
		echo 'p/b: effect one' >"$T/b" && wait_for drained "$T/b" &&
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
done_testing
