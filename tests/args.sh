#!/bin/sh
# tests/args.sh - bad input to every program, from one table: each bad
# option or value is named in the message, the usage goes to stderr, the
# exit status is 2, nothing goes to stdout, and no IPC object is made.
# And -h: the usage on stdout, exit 0.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

progs='msgq/sender msgq/receiver msgq/server msgq/client msgq/ctl sem/wait sem/post sem/ctl
sem/philosophers shm/writer shm/reader shm/counter shm/ctl'

t_help() {
	# shellcheck disable=SC2086 # the list splits into words
	help_ok $progs
}

# Each row: PROG ARGS... => what the first line on stderr must match (an
# extended regex, after "PROG: ").  Unless the row gives -k, the program
# gets "-k KEY" with a key of this test first.
bad='
msgq/sender -x                  => -x: no such option$
msgq/sender -t                  => -t needs a value$
msgq/sender -t 0                => -t: .0. is out of range \(1 to 9223372036854775807\)
msgq/sender -t -1               => -t: .-1. is out of range
msgq/sender -t abc              => -t: .abc. is not a number$
msgq/sender -t 12x              => -t: .12x. is not a number \(junk after it\)
msgq/sender -t 99999999999999999999 => -t: .99999999999999999999. is out of range
msgq/sender -t 0x8000000000000000 => -t: .0x8000000000000000. is out of range \(0x1 to 0x7fffffffffffffff\)
msgq/sender -t 0x               => -t: .0x. is not a number \(junk after it\)
msgq/sender -t " 5"             => -t: . 5. is not a number
msgq/sender -t +5               => -t: .\+5. is not a number
msgq/sender -t ""               => -t: .. is not a number
msgq/sender -t 1.5              => -t: .1.5. is not a whole number$
sem/wait -s 0.5                 => -s: .0.5. is not a whole number$
msgq/sender -t 1e3              => -t: .1e3. is not a number \(junk
msgq/sender -b word             => -b sends standard input; it takes no MESSAGE
msgq/sender -k 0                => -k: .0. is out of range \(1 to 4294967295\)
msgq/sender -k 0x0              => -k: .0x0. is out of range \(0x1 to 0xffffffff\)
msgq/sender -k 0x100000000      => -k: .0x100000000. is out of range
msgq/sender -k 4294967296       => -k: .4294967296. is out of range
msgq/sender -k -5               => -k: .-5. is out of range
msgq/sender -k 1e3              => -k: .1e3. is not a number
msgq/sender -k 0xfg             => -k: .0xfg. is not a number
msgq/sender -k                  => -k needs a value$
msgq/receiver -x                => -x: no such option$
msgq/receiver -c                => -c needs a value$
msgq/receiver -c 0              => -c: .0. is out of range
msgq/receiver -c -1             => -c: .-1. is out of range
msgq/receiver -c ""             => -c: .. is not a number
msgq/receiver -c 9223372036854775808 => -c: .9223372036854775808. is out of range
msgq/receiver -e 0              => -e: .0. is out of range \(1 to 9223372036854775807\)
msgq/receiver -e two            => -e: .two. is not a number
msgq/receiver -e                => -e needs a value$
msgq/receiver -t 1x             => -t: .1x. is not a number
msgq/receiver -t -9223372036854775808 => -t: .-9223372036854775808. is out of range \(-9223372036854775807 to
msgq/receiver -t -0x8000000000000000 => -t: .-0x8000000000000000. is out of range \(-9223372036854775807 to
msgq/receiver -t 9223372036854775808 => -t: .9223372036854775808. is out of range
msgq/receiver -t --1            => -t: .--1. is not a number
msgq/receiver -r                => -r: no such option$
msgq/sender -w                  => -w: no such option$
msgq/server -x                  => -x: no such option$
msgq/server -c                  => -c needs a value$
msgq/server -c 0                => -c: .0. is out of range \(1 to 9223372036854775807\)
msgq/server -c 1x               => -c: .1x. is not a number \(junk
msgq/server extra               => unexpected argument .extra.
msgq/server -k 0                => -k: .0. is out of range
msgq/client -x                  => -x: no such option$
msgq/client -k                  => -k needs a value$
msgq/client -k 0x100000000      => -k: .0x100000000. is out of range
msgq/client -t 1                => -t: no such option$
msgq/receiver extra             => unexpected argument .extra.
msgq/receiver -n extra more     => unexpected argument .extra.
msgq/ctl                        => no command: expected stat, rm, qbytes N, peek, key or watch$
msgq/ctl peek extra             => peek: unexpected argument .extra.
msgq/ctl key extra              => key: unexpected argument .extra.
msgq/ctl peek -q                => peek: unexpected argument .-q.
msgq/ctl frob                   => .frob. is not a command
msgq/ctl STAT                   => .STAT. is not a command
msgq/ctl qbytes                 => qbytes: the number N is missing
msgq/ctl qbytes 0               => qbytes: .0. is out of range
msgq/ctl qbytes x               => qbytes: .x. is not a number
msgq/ctl qbytes 2147483648      => qbytes: .2147483648. is out of range
msgq/ctl qbytes 1 2             => qbytes: unexpected argument .2.
msgq/ctl stat extra             => stat: unexpected argument .extra.
msgq/ctl rm rm                  => rm: unexpected argument .rm.
msgq/ctl watch 1                => watch: unexpected argument .1.
msgq/ctl -x stat                => -x: no such option$
sem/wait -x                     => -x: no such option$
sem/wait -s                     => -s needs a value$
sem/wait -s -1                  => -s: .-1. is out of range \(0 to 86400\)
sem/wait -s x                   => -s: .x. is not a number
sem/wait -s 86401               => -s: .86401. is out of range
sem/wait -s 1s                  => -s: .1s. is not a number \(junk
sem/wait -s 0x15181             => -s: .0x15181. is out of range \(0x0 to 0x15180\)
sem/wait -U                     => -U goes with -s
sem/wait -t                     => -t needs a value$
sem/wait -t x                   => -t: .x. is not a number$
sem/wait -t -1                  => -t: .-1. is not a number$
sem/wait -t .5                  => -t: ..5. is not a number$
sem/wait -t 1.                  => -t: .1\.. is not a number of seconds \(junk
sem/wait -t 1.5.5               => -t: .1\.5\.5. is not a number of seconds \(junk
sem/wait -t 1e3                 => -t: .1e3. is not a number of seconds \(junk
sem/wait -t 0x10                => -t: .0x10. is not a number of seconds \(junk
sem/wait -t " 1"                => -t: . 1. is not a number$
sem/wait -t 0.0000000001        => -t: .0\.0000000001. is not a number of seconds .* more than 9 decimals
sem/wait -t 86400.5             => -t: .86400\.5. is out of range \(0 to 86400\)
sem/wait -t 99999999999999999999 => -t: .99999999999999999999. is out of range
sem/wait -n -t 1                => -n does not wait, -t waits a while: pick one$
sem/wait -n -U                  => -U goes with -s
sem/wait extra                  => unexpected argument .extra.
sem/wait -s 1 extra             => unexpected argument .extra.
sem/post 0                      => N: .0. is out of range \(1 to 32767\)
sem/post -1                     => -1: no such option$
sem/post -- -1                  => N: .-1. is out of range
sem/post 32768                  => N: .32768. is out of range \(1 to 32767\)
sem/post 4294967297             => N: .4294967297. is out of range
sem/post x                      => N: .x. is not a number
sem/post 1x                     => N: .1x. is not a number \(junk
sem/post 1 2                    => unexpected argument .2.
sem/post -z                     => -z: no such option$
sem/ctl                         => no command: expected stat, set N, rm, key or watch$
sem/ctl key 1                   => key: unexpected argument .1.
sem/ctl frob                    => .frob. is not a command
sem/ctl set                     => set: the value N is missing
sem/ctl set -1                  => set: .-1. is out of range \(0 to 32767\)
sem/ctl -- set -1               => set: .-1. is out of range \(0 to 32767\)
sem/ctl stat -q                 => stat: unexpected argument .-q.
sem/ctl set 32768               => set: .32768. is out of range
sem/ctl set 65536               => set: .65536. is out of range
sem/ctl set one                 => set: .one. is not a number
sem/ctl set 1 2                 => set: unexpected argument .2.
sem/ctl rm extra                => rm: unexpected argument .extra.
sem/ctl stat extra              => stat: unexpected argument .extra.
sem/ctl watch -q                => watch: unexpected argument .-q.
sem/philosophers -x             => -x: no such option$
sem/philosophers -U             => -U: no such option$
sem/philosophers -p             => -p needs a value$
sem/philosophers -p 1           => -p: .1. is out of range \(2 to 64\)
sem/philosophers -p 0           => -p: .0. is out of range \(2 to 64\)
sem/philosophers -p -5          => -p: .-5. is out of range
sem/philosophers -p 65          => -p: .65. is out of range \(2 to 64\)
sem/philosophers -p 0x41        => -p: .0x41. is out of range \(0x2 to 0x40\)
sem/philosophers -p five        => -p: .five. is not a number$
sem/philosophers -p 5x          => -p: .5x. is not a number \(junk
sem/philosophers -p ""          => -p: .. is not a number
sem/philosophers -m             => -m needs a value$
sem/philosophers -m 0           => -m: .0. is out of range \(1 to 1000000\)
sem/philosophers -m 1000001     => -m: .1000001. is out of range
sem/philosophers -m -1          => -m: .-1. is out of range
sem/philosophers -m ten         => -m: .ten. is not a number$
sem/philosophers -m 1e3         => -m: .1e3. is not a number \(junk
sem/philosophers -m 99999999999999999999 => -m: .99999999999999999999. is out of range
sem/philosophers -k 0           => -k: .0. is out of range
sem/philosophers extra          => unexpected argument .extra.
sem/philosophers -u 5           => unexpected argument .5.
sem/philosophers -p 5 -m 1 x    => unexpected argument .x.
shm/writer -x                   => -x: no such option$
shm/writer -s                   => -s needs a value$
shm/writer -s 0                 => -s: .0. is out of range \(1 to 1024\)
shm/writer -s 1025              => -s: .1025. is out of range
shm/writer -s x                 => -s: .x. is not a number
shm/writer -s -4                => -s: .-4. is out of range
shm/writer -s 18446744073709551617 => -s: .18446744073709551617. is out of range
shm/writer -z                   => -z needs a value$
shm/writer -z 0                 => -z: .0. is out of range \(1 to 67108864\)
shm/writer -z 67108865          => -z: .67108865. is out of range
shm/writer -z 1k                => -z: .1k. is not a number \(junk
shm/writer -z 0x4000001         => -z: .0x4000001. is out of range \(0x1 to 0x4000000\)
shm/writer extra                => unexpected argument .extra.
shm/reader -x                   => -x: no such option$
shm/reader -s 4                 => -s: no such option$
shm/reader extra                => unexpected argument .extra.
shm/counter -x                  => -x: no such option$
shm/counter -p                  => -p needs a value$
shm/counter -p 0                => -p: .0. is out of range \(1 to 64\)
shm/counter -p 65               => -p: .65. is out of range
shm/counter -p many             => -p: .many. is not a number
shm/counter -n 0                => -n: .0. is out of range \(1 to 100000000\)
shm/counter -n 100000001        => -n: .100000001. is out of range
shm/counter -n x                => -n: .x. is not a number
shm/counter -n 1_000            => -n: .1_000. is not a number \(junk
shm/counter extra               => unexpected argument .extra.
shm/ctl                         => no command: expected stat, rm, key or watch$
shm/ctl key key                 => key: unexpected argument .key.
shm/ctl frob                    => .frob. is not a command
shm/ctl stat extra              => stat: unexpected argument .extra.
shm/ctl rm rm                   => rm: unexpected argument .rm.
shm/ctl watch watch             => watch: unexpected argument .watch.
'

# bad_row PROG ARGS... => REGEX: the row's program fails as it should.
bad_row() {
	row=$1 k=$2
	p=${row%% *}
	args=${row%%=>*}
	args=${args#"$p"}
	want=${row#*=> }
	eval "set -- $args"
	case " $* " in *" -k "*) ;; *) set -- -k "$k" "$@" ;; esac
	"$p" "$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	# The first line, read by the shell (fewer forks: 167 rows).
	first=
	IFS= read -r first <"$T/err"
	if [ $rc -ne 2 ] || [ -s "$T/out" ] || ! nothing_with "$k" ||
		! grep -Eq "^$p: $want" <<EOF ||
$first
EOF
		! grep -q "^usage: $p " "$T/err"; then
		diag "$p $*: exit $rc, wanted 2 and '$p: $want'" \
			"$(cat "$T/err" "$T/out")"
		return 1
	fi
}

t_bad_input() {
	k=$(new_key)
	n=0
	echo "$bad" | {
		while read -r row; do
			[ -n "$row" ] || continue
			bad_row "$row" "$k" || exit 1
			n=$((n + 1))
		done
		echo "# $n bad inputs tried" >&2
	}
}

# A bad key in IPC_DEMO_KEY is a usage error too, named as such, for every
# program given otherwise good arguments; -k wins over it.
t_bad_env_key() {
	k=$(new_key)
	for p in $progs; do
		case $p in
		msgq/sender) set -- x ;;
		*/ctl) set -- stat ;;
		*) set -- ;;
		esac
		IPC_DEMO_KEY=0x1zz "$p" "$@" </dev/null >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc -ne 2 ] || [ -s "$T/out" ] || ! grep -q \
			"^$p: IPC_DEMO_KEY: '0x1zz' is not a number" "$T/err"; then
			diag "$p $*: exit $rc" "$(cat "$T/err")"
			return 1
		fi
	done
	IPC_DEMO_KEY=0x1zz msgq/ctl -k "$k" stat 2>"$T/err"
	[ $? -eq 1 ] && grep -q "key $k (from -k)" "$T/err" && nothing_with "$k"
}

# A byte >= 0x80 as an option (-\351) is named by its value: isgraph()
# must not see a negative char (undefined behaviour).
t_high_byte_option() {
	k=$(new_key)
	for p in msgq/sender msgq/server sem/wait; do
		"$p" -k "$k" "-$(printf '\351')" </dev/null >"$T/out" 2>"$T/err"
		if [ $? -ne 2 ] || ! grep -q "^$p: byte 0xe9: no such option$" \
			"$T/err"; then
			diag "$p" "$(cat "$T/err")"
			return 1
		fi
	done
	nothing_with "$k"
}

# An option after an operand is an operand (POSIX getopt), so it is
# refused as one, with a hint; a plain extra word gets no hint.
t_option_last() {
	k=$(new_key)
	sem/ctl -k "$k" stat -q 2>"$T/err"
	if [ $? -ne 2 ] || ! grep -q \
		"^sem/ctl: hint: options come first: put '-q' before" "$T/err"; then
		diag "$(cat "$T/err")"
		return 1
	fi
	sem/post -k "$k" 1 -q 2>"$T/err"
	if [ $? -ne 2 ] || ! grep -q "^sem/post: hint: options come first" \
		"$T/err"; then
		diag "$(cat "$T/err")"
		return 1
	fi
	shm/ctl -k "$k" rm rm 2>"$T/err"
	[ $? -eq 2 ] && ! grep -q 'hint' "$T/err" && nothing_with "$k" || return 1
	# A MESSAGE operand that is an option: it went as data, to the queue
	# of the default key.  Refused; after --, a MESSAGE may start with -.
	for p in msgq/sender msgq/client; do
		"$p" -k "$k" hi -k "$k" 2>"$T/err"
		if [ $? -ne 2 ] || ! grep -q "^$p: hint: a MESSAGE that starts with '-' goes after --" \
			"$T/err" || ! nothing_with "$k"; then
			diag "$(cat "$T/err")"
			return 1
		fi
	done
	msgq/sender -q -k "$k" -- -x && msgq/receiver -q -n -k "$k" >"$T/out" &&
		[ "$(cat "$T/out")" = "-x" ] && nothing_with "$k"
}

# -h whose usage cannot be written (a full disk, a closed stdout) has not
# done its job: exit 1, and say why on stderr.  Under valgrind, its log
# takes a closed descriptor 1, and the usage goes there: full only.
t_help_unwritten() {
	outs="full closed"
	[ "$SLOW" -gt 1 ] && outs=full
	for p in $progs; do
		for out in $outs; do
			if [ "$out" = full ]; then
				"$p" -h >/dev/full 2>"$T/err"
			else
				"$p" -h >&- 2>"$T/err"
			fi
			if [ $? -ne 1 ] || ! grep -q "^$p: write (stdout): " \
				"$T/err"; then
				diag "$p -h, stdout $out:" "$(cat "$T/err")"
				return 1
			fi
		done
	done
}

# Output into a pipe whose reader is gone, before any object is touched
# (-h, ctl key) and after (ctl stat): EPIPE, said, exit 1 - not a silent
# death by SIGPIPE (141).
closed_pipe() {
	perl -e 'pipe(my $r, my $w) or die; close $r;
		open(STDOUT, ">&", $w) or die; close $w; exec @ARGV or die' "$@"
}

t_closed_pipe() {
	k=$(new_key)
	perl -MIPC::SysV=IPC_CREAT -e 'my $k = hex $ARGV[0];
		semget($k, 1, IPC_CREAT | 0600) // die "semget: $!";
		shmget($k, 4096, IPC_CREAT | 0600) // die "shmget: $!"' "$k" ||
		return 1
	for cmd in "msgq/sender -h" "msgq/receiver -h" "msgq/server -h" \
		"msgq/client -h" "msgq/ctl -h" "sem/wait -h" "sem/post -h" \
		"sem/ctl -h" "sem/philosophers -h" "shm/writer -h" \
		"shm/reader -h" "shm/counter -h" "shm/ctl -h" \
		"msgq/ctl -k $k key" "sem/ctl -k $k key" "shm/ctl -k $k key" \
		"sem/ctl -k $k stat" "shm/ctl -k $k stat"; do
		# shellcheck disable=SC2086 # the command splits into words
		closed_pipe $cmd 2>"$T/err"
		if [ $? -ne 1 ] || ! grep -q ": write (stdout): Broken pipe (EPIPE)$" \
			"$T/err"; then
			diag "$cmd into a closed pipe:" "$(cat "$T/err")"
			return 1
		fi
	done
	ipcrm -S "$k" -M "$k"
}

check "-h prints usage on stdout, exits 0, for every program" t_help
check "-h to a full or closed stdout: exit 1, said" t_help_unwritten
check "into a pipe with no reader: EPIPE said, exit 1, for every program" \
	t_closed_pipe
check "bad options and values: named, usage on stderr, exit 2, no object" \
	t_bad_input
check "a bad IPC_DEMO_KEY is a usage error" t_bad_env_key
check "an option byte >= 0x80 is named by its value" t_high_byte_option
check "an option after the operands: refused, the hint says options come first" \
	t_option_last
done_testing
