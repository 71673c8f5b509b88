#!/bin/bash
# hardening.sh - the parser against hostile mail, through the real daemon
# driven by miltertest (tests/milter/hardening.lua builds the messages):
#   - 200,000 distinct charset labels in encoded words: the daemon's
#     resident memory must not grow with them (GMime kept every label);
#   - HTML parts of 2 MB of '&', '&#', '&amp' ...: ticketed, at about
#     the CPU time of as many parts of letters (each cost 0.4-2 s when
#     every '&' searched the rest of the part for ';').
# Each case prints a reliability line.
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
tm_scratch
trap tm_cleanup EXIT

reliability() { printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }
rss_now() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# The daemon's CPU time so far, in clock ticks (utime + stime).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

run_case() { # run_case CASE [-D k=v ...]
	local case=$1
	shift
	tm_miltertest hard hardening.lua -D "case=$case" "$@" >"$TM_DIR/$case.out"
	tap_renumber <"$TM_DIR/$case.out"
}

tm_config hard >/dev/null
tm_start hard
tap_ok $? "daemon starts"
pid=$(cat "$TM_DIR/hard.bgpid")

# --- HTML entities -----------------------------------------------------------
# Five HTML parts of 2 MB of entities against five of plain letters, the
# same size: linear, both cost the daemon about the same (a few ticks
# each, more under the sanitizers); when every '&' searched the rest of
# the part for ';', each of the first cost 0.4-2 s.
html_ticks() { # html_ticks FIRST-N UNIT...: TICKS, the daemon's CPU ticks for those messages
	local before n=$1 unit
	shift
	before=$(cpu_ticks "$pid")
	for unit in "$@"; do
		run_case html -D "unit=$unit" -D "n=$n"
		n=$((n + 1))
	done
	TICKS=$(( $(cpu_ticks "$pid") - before ))
}
hz=$(getconf CLK_TCK)
html_ticks 1 'x' 'xy' 'xyz' 'xyzw' 'xy'
plain=$TICKS
html_ticks 6 '&' '&#' '&amp' '&#x' '&lt'
entities=$TICKS
[ "$entities" -le $((3 * plain + hz / 2)) ]
tap_ok $? "html: five 2 MB HTML parts of entities cost the daemon $entities ticks of CPU, five of letters $plain (at most 3 x $plain + $((hz / 2)))"
reliability "parse: HTML entities" "five HTML parts of 2 MB of '&', '&#', '&amp', '&#x', '&lt'" 5 5 - 0 0 "$(rss_now "$pid")"

# --- charset labels ----------------------------------------------------------
# Warm up with 2 messages (26,000 labels), then 31 more (201,500 labels).
run_case spray -D first=0 -D messages=2
rss_before=$(rss_now "$pid")
run_case spray -D first=26000 -D messages=31
rss_after=$(rss_now "$pid")
growth=$((rss_after - rss_before))
if ldd "$TM_BIN" 2>/dev/null | grep -q libasan; then
	tap_ok 0 "spray: the daemon grew by $growth KB (not checked under AddressSanitizer, which keeps freed memory)"
else
	[ "$growth" -lt 5120 ]
	tap_ok $? "spray: 201,500 distinct charset labels grew the daemon by $growth KB (${rss_before} -> ${rss_after} KB; at most 5 MB)"
fi
reliability "parse: 200,000 charset labels" "33 messages of 6,500 encoded words with labels of their own" 33 1 1 0 0 "$rss_after"

tm_stop hard
tm_check_clean hard
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
