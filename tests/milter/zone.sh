#!/bin/bash
# zone.sh - the promise of an acknowledgement across a daylight-saving
# change, through the real daemon: a German customer writes on Friday 27
# March 2026 at 18:30 +0100, after the office closed; with two business
# hours in Berlin (Mon-Fri 09:00-18:00) the answer is due Monday 30 March
# at 11:00 Berlin time, after the clocks went forward (exactly, however
# long the test takes: the time counts from Monday's opening).  The
# acknowledgement must say 11:00 MESZ (the Date offset alone said 10:00
# GMT+1), and the zone inferred from the Date offset and the .de domain
# is kept for the customer.  The daemon runs on the test clock
# (TICKET_MILTER_TEST_CLOCK, src/milter/clock.h).
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
command -v sqlite3 >/dev/null || tap_skip_all "sqlite3 not installed (apt-get install sqlite3)"
command -v python3 >/dev/null || tap_skip_all "python3 not installed (apt-get install python3)"
tm_scratch
trap tm_cleanup EXIT

tm_config main "" "locales = en, de
default-locale = en
sla = standard
calendars = berlin

[sla standard]
first-response = 2h

[calendar berlin]
timezone = Europe/Berlin
hours = mon-fri 09:00-18:00" >/dev/null

export TICKET_MILTER_TEST_CLOCK=2026-03-27T18:30:00+01:00
tm_start main
tap_ok $? "ticket-milter starts on the test clock"
unset TICKET_MILTER_TEST_CLOCK
grep -q "warning: TICKET_MILTER_TEST_CLOCK is set" "$TM_DIR/main.log"
tap_ok $? "and says so in its log"

tm_miltertest main zone.lua >"$TM_DIR/zone.out"
tap_renumber <"$TM_DIR/zone.out"
grep -q "^X-Ticket-Due: 2026-03-30T09:00:00Z" "$TM_DIR/zone.out"
tap_ok $? "due on Monday 30 March ($(grep '^X-Ticket-Due' "$TM_DIR/zone.out"))"

# The acknowledgement, handed to the outbox command after the commit.
for i in $(seq 1 100); do
	ack=$(ls "$TM_DIR"/main.sent/*kunde@example.de 2>/dev/null | head -n 1)
	[ -n "$ack" ] && break
	sleep 0.1
done
[ -n "$ack" ]
tap_ok $? "the acknowledgement is sent"
text=$(python3 - "$ack" <<'PY'
import email, sys
with open(sys.argv[1], "rb") as f:
    message = email.message_from_binary_file(f)
for part in message.walk():
    if part.get_content_type() == "text/plain":
        print(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))
PY
)
promise=$(printf '%s\n' "$text" | grep "bis spätestens")
tap_diag "promise: $promise"
printf '%s\n' "$promise" | grep -Eq "Montag, 30. März 2026 um 11:00 (Uhr )?MESZ"
tap_ok $? "promised for Monday 11:00 MESZ, Berlin's wall clock after the change"
! printf '%s\n' "$promise" | grep -q "GMT+1"
tap_ok $? "not in the Date header's fixed offset (10:00 GMT+1)"

stored=$(sqlite3 "$TM_DIR/main.db" "SELECT timezone || ' ' || timezone_source FROM customers WHERE address = 'kunde@example.de'")
[ "$stored" = "Europe/Berlin inferred" ]
tap_ok $? "the customer's zone is stored: $stored"

tm_stop main
tap_done
