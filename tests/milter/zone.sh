#!/bin/bash
# zone.sh - the promise of an acknowledgement across both daylight-saving
# changes in two zones, through the real daemon: a customer writes on the
# Friday evening before the change, after the office closed; with two
# business hours (Mon-Fri 09:00-18:00) the answer is due Monday at 11:00
# local time, after the clocks changed (exactly, however long the test
# takes: the time counts from Monday's opening).  The acknowledgement
# must say 11:00 in Monday's zone (the Date offset alone said 10:00 or
# 12:00), and the zone inferred from the Date offset and the country is
# kept for the customer.  Each daemon runs on the test clock
# (TICKET_MILTER_TEST_CLOCK, src/util/clock.h).
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
command -v sqlite3 >/dev/null || tap_skip_all "sqlite3 not installed (apt-get install sqlite3)"
command -v python3 >/dev/null || tap_skip_all "python3 not installed (apt-get install python3)"
tm_scratch
trap tm_cleanup EXIT

# zone_case NAME CLOCK ZONE FROM DATE LOCALE BODY DUE PROMISE WRONG: one
# daemon on the test clock CLOCK with one calendar (ZONE, Mon-Fri
# 09:00-18:00, 2 business hours); the customer's ticket must be due at
# DUE (UTC), its acknowledgement say PROMISE (an extended regular
# expression) and not WRONG (the Date header's fixed offset), and the
# zone inferred for the customer is stored.
zone_case() {
	local name=$1 clock=$2 zone=$3 from=$4 date=$5 locale=$6 body=$7 due=$8 promise=$9 wrong=${10} ack text i
	tm_config "$name" "" "locales = en, de
default-locale = en
sla = standard
calendars = office

[sla standard]
first-response = 2h

[calendar office]
timezone = $zone
hours = mon-fri 09:00-18:00" >/dev/null
	TICKET_MILTER_TEST_CLOCK=$clock tm_start "$name"
	tap_ok $? "$name: ticket-milter starts on the test clock ($clock)"
	grep -q "warning: TICKET_MILTER_TEST_CLOCK is set" "$TM_DIR/$name.log"
	tap_ok $? "$name: and says so in its log"
	tm_miltertest "$name" zone.lua -D "from=$from" -D "date=$date" -D "locale=$locale" -D "body=$body" \
		>"$TM_DIR/$name.out"
	tap_renumber <"$TM_DIR/$name.out"
	grep -q "^X-Ticket-Due: $due" "$TM_DIR/$name.out"
	tap_ok $? "$name: due at $due ($(grep '^X-Ticket-Due' "$TM_DIR/$name.out"))"
	# The acknowledgement, handed to the outbox command after the commit.
	for i in $(seq 1 100); do
		ack=$(ls "$TM_DIR/$name.sent/"*"$from" 2>/dev/null | head -n 1)
		[ -n "$ack" ] && break
		sleep 0.1
	done
	text=$(python3 - "$ack" <<'PY'
import email, sys
with open(sys.argv[1], "rb") as f:
    message = email.message_from_binary_file(f)
for part in message.walk():
    if part.get_content_type() == "text/plain":
        print(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))
PY
)
	tap_diag "$name: $(printf '%s\n' "$text" | grep -E '2026' | head -n 1)"
	printf '%s\n' "$text" | grep -Eq "$promise"
	tap_ok $? "$name: promised in the wall-clock time of that Monday ($promise)"
	! printf '%s\n' "$text" | grep -Eq "$wrong"
	tap_ok $? "$name: not in the Date header's fixed offset ($wrong)"
	[ "$(sqlite3 "$TM_DIR/$name.db" "SELECT timezone || ' ' || timezone_source FROM customers WHERE address = '$from'")" = "$zone inferred" ]
	tap_ok $? "$name: the customer's zone is stored: $zone, inferred"
	tm_stop "$name"
}

# Berlin: clocks forward on Sunday 29 March, back on Sunday 25 October 2026.
zone_case berlin-march 2026-03-27T18:30:00+01:00 Europe/Berlin kunde@example.de "Fri, 27 Mar 2026 18:30:00 +0100" de \
	"Guten Tag, unser Drucker im zweiten Stock druckt seit heute Morgen nicht mehr. Können Sie bitte helfen?" \
	2026-03-30T09:00:00Z "Montag, 30. März 2026 um 11:00 (Uhr )?MESZ" "GMT\+1|10:00"
zone_case berlin-october 2026-10-23T18:30:00+02:00 Europe/Berlin kunde@example.de "Fri, 23 Oct 2026 18:30:00 +0200" de \
	"Guten Tag, unser Drucker im zweiten Stock druckt seit heute Morgen nicht mehr. Können Sie bitte helfen?" \
	2026-10-26T10:00:00Z "Montag, 26. Oktober 2026 um 11:00 (Uhr )?MEZ" "GMT\+2|12:00"
# New York: clocks forward on Sunday 8 March, back on Sunday 1 November 2026.
zone_case newyork-march 2026-03-06T18:30:00-05:00 America/New_York customer@example.us "Fri, 06 Mar 2026 18:30:00 -0500" en \
	"Hello, the printer on the second floor has not printed anything since this morning. Can you help, please?" \
	2026-03-09T15:00:00Z "Monday, March 9, 2026 at 11:00.AM EDT" "GMT-5|10:00"
zone_case newyork-november 2026-10-30T18:30:00-04:00 America/New_York customer@example.us "Fri, 30 Oct 2026 18:30:00 -0400" en \
	"Hello, the printer on the second floor has not printed anything since this morning. Can you help, please?" \
	2026-11-02T16:00:00Z "Monday, November 2, 2026 at 11:00.AM EST" "GMT-4|12:00"
tap_done
