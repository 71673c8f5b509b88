#!/bin/bash
# hardening.sh - the parser against hostile mail, through the real daemon
# driven by miltertest (tests/milter/hardening.lua builds the messages):
#   - 200,000 distinct charset labels in encoded words: the daemon's
#     resident memory must not grow with them (GMime kept every label);
#   - HTML parts of 2 MB of '&', '&#', '&amp' ...: ticketed, at about
#     the CPU time of as many parts of letters (each cost 0.4-2 s when
#     every '&' searched the rest of the part for ';');
#   - two Subject fields: the first is tagged, stored and acknowledged;
#   - Content-Language de, ja, pt-BR, "de, en", fr-CA: X-Ticket-Locale
#     and the acknowledgement's language follow it (GMime files the
#     field under the top-level part, where the engine did not look).
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

ack_of() { # ack_of RCPT: the acknowledgement captured for RCPT (waits up to 10 s)
	local i f
	for i in $(seq 1 100); do
		f=$(ls "$TM_DIR/hard.sent" 2>/dev/null | grep -- "-$1\$" | head -n1)
		[ -n "$f" ] && { echo "$TM_DIR/hard.sent/$f"; return 0; }
		sleep 0.1
	done
	return 1
}

# The decoded Subject of a mail file.
mail_subject() {
	python3 -c 'import email, email.header, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(str(email.header.make_header(email.header.decode_header(m["Subject"]))))' "$1"
}

tm_config hard "" "locales = en, de, ja, pt-BR, fr
default-locale = en" >/dev/null
tm_start hard
tap_ok $? "daemon starts"
pid=$(cat "$TM_DIR/hard.bgpid")

# --- two Subject fields ------------------------------------------------------
run_case duplicate -D "want=[SUP-1001] the first subject"
t=$(tm_ticket_of hard dup@example.org)
stored=$("$TM_CTL" -c "$TM_DIR/hard.conf" show "$t" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["subject"])')
[ "$stored" = "the first subject" ]
tap_ok $? "duplicate: the ticket's subject is the first one (\"$stored\")"
ack=$(ack_of dup@example.org) && subject=$(mail_subject "$ack")
case "$subject" in *"the first subject"*) true ;; *) false ;; esac
tap_ok $? "duplicate: the acknowledgement's subject is the first one (\"$subject\")"
reliability "parse: two Subject fields" "the first tagged, stored and acknowledged" 1 "$([ -n "$t" ] && echo 1 || echo 0)" \
	"$([ -n "$ack" ] && echo 1 || echo 0)" "$([ -n "$t" ] && echo 0 || echo 1)" 0 "$(rss_now "$pid")"

# --- Content-Language --------------------------------------------------------
n=0
for pair in de:de ja:ja pt-BR:pt-BR "de, en:de" "fr-CA:fr"; do
	lang=${pair%:*} want=${pair##*:} n=$((n + 1))
	run_case language -D "lang=$lang" -D "want=$want" -D "n=$n"
	ack=$(ack_of "lang$n@example.org")
	sed '/^\r\{0,1\}$/q' "$ack" 2>/dev/null | grep -qi "^Content-Language: $want"
	tap_ok $? "language: Content-Language $lang gives an acknowledgement in $want"
	reliability "parse: Content-Language $lang" "X-Ticket-Locale and the acknowledgement in $want" 1 1 \
		"$([ -n "$ack" ] && echo 1 || echo 0)" 0 0 "$(rss_now "$pid")"
done

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
