#!/bin/bash
# hardening.sh - the parser against hostile mail, through the real daemon
# driven by miltertest (tests/milter/hardening.lua builds the messages):
#   - 200,000 distinct charset labels in encoded words: the daemon's
#     resident memory must not grow with them (GMime kept every label).
# Each case prints a reliability line.
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
tm_scratch
trap tm_cleanup EXIT

reliability() { printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }
rss_now() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
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
