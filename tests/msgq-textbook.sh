#!/bin/sh
# tests/msgq-textbook.sh - the textbook message: the first/ pages of the
# queue pair, and the full pair, speak `struct { long mtype; char
# mtext[]; }` with nothing in front of the bytes, and an empty message as
# the end of the stream.  So each page pairs with the other, with the full
# programs (both ways), and with a plain perl msgsnd/msgrcv, types and
# -t selection included, byte-exact; and the pages meet the full programs
# on the same key (-k, IPC_DEMO_KEY).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# Text a first/ page sends whole: lines under 8192 bytes, no NUL byte
# (fgets), the last with no newline.
{
	printf 'first line\n\ttabs\tand "quotes"\n\n'
	seq 1 2000
	head -c 6000 /dev/zero | tr '\0' x
	printf '\nno newline at the end'
} >"$T/text"

# pair SENDER RECEIVER ORDER: the text through the pair on a new key, in
# that start order; the copy equals the text and nothing is left.
pair() {
	k=$(new_key)
	if [ "$3" = sender-first ]; then
		timeout $((20 * SLOW)) "$1" -k "$k" <"$T/text" 2>"$T/s.err" &&
			timeout $((20 * SLOW)) "$2" -k "$k" >"$T/copy" 2>"$T/r.err"
	else
		start /dev/null "$T/copy" "$T/r.err" "$2" -k "$k"
		r=$!
		wait_for has_queue "$k" &&
			timeout $((20 * SLOW)) "$1" -k "$k" <"$T/text" 2>"$T/s.err" &&
			exits_with "$r" 0
	fi || { diag "$1 | $2, $3:" "$(cat "$T/s.err" "$T/r.err")"; return 1; }
	cmp "$T/text" "$T/copy" && nothing_with "$k"
}

t_first_pair() {
	pair msgq/first/sender msgq/first/receiver sender-first &&
		pair msgq/first/sender msgq/first/receiver receiver-first
}

t_first_to_full() {
	pair msgq/first/sender msgq/receiver sender-first &&
		pair msgq/first/sender msgq/receiver receiver-first
}

t_full_to_first() {
	pair msgq/sender msgq/first/receiver sender-first &&
		pair msgq/sender msgq/first/receiver receiver-first
}

# The pages' -t: type 2 and type 1 on one queue, each receiver takes its
# own stream (a full receiver -t 2, a page -t 1), each byte-exact.
t_first_types() {
	k=$(new_key)
	printf 'two\n' | msgq/first/sender -k "$k" -t 2 &&
		printf 'one\n' | msgq/first/sender -k "$k" -t 1 &&
		messages_are "$k" 4 &&
		[ "$(msgq/receiver -q -k "$k" -t 2)" = two ] &&
		messages_are "$k" 2 &&
		[ "$(msgq/first/receiver -k "$k" -t 1)" = one ] &&
		nothing_with "$k"
}

# The sizes are the bytes alone: "hello\n" is 6 bytes in ipcs, the end 0.
t_sizes() {
	k=$(new_key)
	msgq/sender -q -k "$k" hello world &&
		messages_are "$k" 3 && [ "$(ipc_field msg "$k" 4)" = 12 ] &&
		printf 'hello\n' | msgq/first/sender -k "$k" &&
		messages_are "$k" 5 && [ "$(ipc_field msg "$k" 4)" = 18 ] &&
		msgq/ctl -q -k "$k" rm
}

# A plain perl sender: each ARG as one message of its type ("2:two\n",
# where \n is a newline and \0 a NUL byte), an empty text the end.
# shellcheck disable=SC2016 # perl's variables
perl_send() {
	perl -e 'use IPC::SysV qw(IPC_CREAT);
		my $id = msgget(hex(shift), IPC_CREAT | 0600) // die "msgget: $!";
		for (@ARGV) {
			my ($t, $text) = split /:/, $_, 2;
			$text =~ s/\\n/\n/g;
			$text =~ s/\\0/\0/g;
			msgsnd($id, pack("l! a*", $t, $text), 0) or die "msgsnd: $!";
		}' "$@"
}

# ... then a full receiver, -t selecting: type 2's stream, then type 1's.
t_perl_to_full() {
	k=$(new_key)
	perl_send "$k" '2:two\n' '1:one\n' '2:bytes \0 and more\n' 2: 1: &&
		msgq/receiver -k "$k" -t 2 >"$T/out" 2>"$T/err" &&
		printf 'two\nbytes \000 and more\n' | cmp - "$T/out" &&
		messages_are "$k" 2 &&
		msgq/receiver -q -k "$k" >"$T/out" && echo one | cmp - "$T/out" &&
		nothing_with "$k"
}

# A plain perl receiver: msgrcv of type TYPE, each message's text printed
# as it came, "[end]" for an empty one; stops after COUNT messages.
# shellcheck disable=SC2016 # perl's variables
perl_receive() {
	perl -e 'my ($key, $type, $count) = @ARGV;
		my $id = msgget(hex($key), 0) // die "msgget: $!";
		for (1 .. $count) {
			my $m;
			msgrcv($id, $m, 65536, $type, 0) // die "msgrcv: $!";
			my ($t, $text) = unpack("l! a*", $m);
			print length($text) ? $text : "[end $t]\n";
		}' "$@"
}

t_full_to_perl() {
	k=$(new_key)
	head -c 3000 /dev/urandom >"$T/bin"
	msgq/sender -q -k "$k" -t 5 hello "two words" &&
		msgq/sender -q -b -k "$k" -t 7 <"$T/bin" &&
		perl_receive "$k" 7 2 >"$T/out" &&
		{ cat "$T/bin"; echo '[end 7]'; } | cmp - "$T/out" &&
		perl_receive "$k" 0 3 >"$T/out" &&
		printf 'hello\ntwo words\n[end 5]\n' | cmp - "$T/out" &&
		messages_are "$k" 0 && msgq/ctl -q -k "$k" rm
}

# One IPC_DEMO_KEY, or the default key: the pages meet the full programs.
t_same_key() {
	k=$(new_key)
	q=$(printf '0x%08x' $((0x6d000000 | (k & 0xffffff))))
	echo "$((q))" >>"$T/keys"
	IPC_DEMO_KEY=$k msgq/first/sender <"$T/text" && has_queue "$q" &&
		IPC_DEMO_KEY=$k msgq/receiver -q >"$T/copy" &&
		cmp "$T/text" "$T/copy" && nothing_with "$q" &&
		IPC_DEMO_KEY=$k msgq/sender -q <"$T/text" &&
		IPC_DEMO_KEY=$k msgq/first/receiver >"$T/copy" &&
		cmp "$T/text" "$T/copy" && nothing_with "$q"
}

# The default key (no -k, no IPC_DEMO_KEY): each page's msgget asks for
# the key msgq/ctl key gives, ftok of the checkout.  strace makes that
# msgget fail (EACCES), so nothing is made on the checkout's key.  (A
# page is one directory deeper than a full program: it used to take ftok
# of msgq/, and met nobody.)
t_default_key() {
	if ! strace -qq -o /dev/null true 2>/dev/null || [ "$SLOW" -gt 1 ]; then
		echo "strace is missing, or may not trace here" >"$T/skip"
		return 0
	fi
	want=$(msgq/ctl key 2>/dev/null | sed -n 's/^key  *//p')
	for p in msgq/first/sender msgq/first/receiver msgq/sender; do
		strace -f -qq -o "$T/trace" -e trace=msgget \
			-e inject=msgget:error=EACCES "$p" </dev/null >/dev/null 2>&1
		got=$(sed -n 's/.*msgget(\(0x[0-9a-f]*\),.*/\1/p' "$T/trace" | head -n 1)
		[ "$((got))" = "$((want))" ] ||
			{ diag "$p: msgget($got), msgq/ctl key: $want"; return 1; }
	done
}

check "first/sender to first/receiver, both orders: byte-exact" t_first_pair
check "first/sender to msgq/receiver, both orders: byte-exact" t_first_to_full
check "msgq/sender to first/receiver, both orders: byte-exact" t_full_to_first
check "first/ pages' -t: two types on one queue, each its own" t_first_types
check "a message's size is its bytes alone, the end 0" t_sizes
check "a plain perl sender to msgq/receiver, -t selecting: exact" \
	t_perl_to_full
check "msgq/sender to a plain perl receiver, by type: exact" t_full_to_perl
check "IPC_DEMO_KEY: the first/ pages meet the full programs" t_same_key
check "the default key: the first/ pages meet the full programs" \
	t_default_key
done_testing
