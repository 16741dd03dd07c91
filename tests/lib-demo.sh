# shellcheck shell=sh
# tests/lib-demo.sh - sourced, after lib.sh, by demo.sh and demo-parts.sh
# (one topic, split so that the two run side by side): what both use.

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

# Every line fits a projector: 80 columns at most.
narrow() {
	awk 'length > 80 { print "too wide: " $0; bad = 1 } END { exit bad }' "$1" |
		while read -r l; do diag "$l"; done
	awk 'length > 80 { bad = 1 } END { exit bad }' "$1"
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
