#!/bin/bash
# reminders.sh - end to end: SLA reminders and escalation by mail, on a
# clock the test moves.
#
# A private Postfix on loopback with ticket-milter attached relays to a
# capturing smtp-sink; the outbox goes back through Postfix.  The daemon
# runs on a test clock read from a file (TICKET_MILTER_TEST_CLOCK names
# it): the test writes a time into it and sends SIGUSR2, so that days
# pass in seconds, without sleeping.  Business time runs while the
# office (UTC, Mon-Fri 09:00-17:00, agent alice) or New York (Mon-Fri
# 09:00-17:00 local, 14:00-22:00 UTC, agent carol, who reads German) is
# open; the SLA promises a first response within 8 business hours and a
# resolution within 2 business days, and reminds at 50% and 75% the
# assignee, at 100% the assignee and the team lead, at 150% the agents at
# work and the manager.
#
#   1. Anna writes on Monday 16 November 2026 at 20:00 UTC.  Tuesday 11:00
#      (50%): nobody is assigned, so the queue's agents get a reminder,
#      carol in German; 13:00 (75%): the assignee alone; 15:00 (100%): the
#      assignee and the team lead; 19:00 (150%): carol, New York being
#      the calendar open, and the manager: an escalation.  Each reminder
#      carries the tag, the time left or how late, the customer and the
#      excerpt, Reply-To the gateway address; `ticketctl show` lists them.
#   2. carol answers from her reminder: the answer reaches Anna under the
#      ticket's subject, in reply to her own message, and the first
#      response is recorded; `ticketctl due` lists the resolution.
#   3. Dirk writes urgently on Friday at 20:00 (4 hours of calendar time):
#      every level falls in the night or the weekend, and none is sent
#      before Monday 09:00, when the office opens; the 150% goes to the
#      office's agent, not New York's, asleep.
#   4. Erik writes; the daemon is restarted before his reminder falls due:
#      it is sent once, after the restart.
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin
for tool in sqlite3 python3; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool not installed (apt-get install $tool)"
done
conf=$TM_DIR/main.conf
db=$TM_DIR/data/tickets.db
clock=$TM_DIR/clock

write_config() {
	{ e2e_milter_section "$db"; cat <<CONF
trusted-networks = 127.0.0.0/8

[outbox]
smtp = 127.0.0.1:$PF_SMTP_PORT
retry-after = 1s

[queue support]
name = Example Support
addresses = support@example.com
tag = SUP
agents = alice@example.com, bob@example.com, carol@example.com
locales = en, de
sla = standard
calendars = office, new-york

[sla standard]
first-response = 8h
resolution = 2d
urgent.first-response = 4h calendar
remind = 50%, 75%: assignee; 100%: assignee, lead@example.com; 150%: agents, manager@example.com

[calendar office]
timezone = UTC
hours = mon-fri 09:00-17:00
agents = alice@example.com

[calendar new-york]
timezone = America/New_York
hours = mon-fri 09:00-17:00
agents = carol

[agent carol]
address = carol@example.com
locale = de
timezone = America/New_York
CONF
	} >"$conf"
}

# --- helpers ----------------------------------------------------------------

must() {
	tap_ok "$1" "$2"
	[ "$1" -eq 0 ] || { echo "Bail out! $2"; exit 1; }
}

until_true() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS >= deadline)) && return 1
		sleep 0.1
	done
}

ctl() { TICKET_MILTER_TEST_CLOCK=$clock "$TM_CTL" -c "$conf" "$@"; }
log_count() { grep -c "$1" "$TM_DIR/main.log"; }

start_daemon() {
	local try
	for try in 1 2 3; do
		write_config
		TICKET_MILTER_TEST_CLOCK=$clock tm_start main && return 0
		tm_stop main
		tap_diag "ticket-milter did not start on $MILTER_SOCKET (try $try)"
		MILTER_PORT=$(pf_pick_port "$PF_SMTP_PORT" "$PF_SINK_PORT")
		MILTER_SOCKET="inet:$MILTER_PORT@127.0.0.1"
		# shellcheck disable=SC2034 # read by pf_init
		PF_MILTER=$MILTER_SOCKET
	done
	return 1
}

# set_clock ISO-TIME: the daemon's clock moves there (SIGUSR2); waits
# until it says so.
set_clock() {
	local before
	before=$(log_count 'the clock is set to')
	echo "$1" >"$clock"
	kill -USR2 "$(cat "$TM_DIR/main.pid")"
	until_true 10 clock_moved "$before"
}
clock_moved() { [ "$(log_count 'the clock is set to')" -gt "$1" ]; }

# sink_rcpts FILE: the envelope recipients of a sink dump.
sink_rcpts() {
	awk '/^Received: /{ exit } /^X-Rcpt-Args: /{ gsub(/[<>]/, "", $2); print $2 }' "$1"
}

# decoded FILE: "Subject: ..." decoded, then the text part, decoded.
decoded() {
	sink_body "$1" | python3 -c '
import email, email.header, email.policy, sys
m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
print("Subject: " + str(m["Subject"]))
print("Date: " + str(m["Date"]))
for part in m.walk():
    if part.get_content_type() == "text/plain":
        print(part.get_content())
'
}

# reminders: "FILE RECIPIENT TICKET" for each mail at the sink to an
# agent, the team lead or the manager: in this test they get nothing but
# reminders (the customers' mail goes to the queue, the answers to them).
reminders() {
	local files
	files=$(sink_files)
	[ -n "$files" ] || return 0
	# shellcheck disable=SC2086 # one file name per word
	awk '
		function flush() { if (rcpt ~ /^(alice|bob|carol|lead|manager)@example\.com$/) print file, rcpt, ticket }
		FNR == 1 { if (NR > 1) flush(); file = FILENAME; rcpt = ""; ticket = "" }
		/^X-Rcpt-Args: / { r = $2; gsub(/[<>]/, "", r); if (rcpt == "") rcpt = tolower(r) }
		/^X-Ticket-ID: / && ticket == "" { ticket = $2 }
		END { if (NR > 0) flush() }
	' $files
}

# reminders_to ADDRESS TICKET: the reminder dumps for ADDRESS about TICKET.
reminders_to() { reminders | awk -v a="$1" -v t="$2" '$2 == a && $3 == t { print $1 }'; }

# count_reminders TICKET: reminder mails about TICKET at the sink.
count_reminders() { reminders | awk -v t="$1" '$3 == t' | wc -l; }

# wait_reminders TICKET N: until N reminders about TICKET reached the sink.
wait_reminders() { until_true 20 has_reminders "$1" "$2"; }
has_reminders() { [ "$(count_reminders "$1")" -ge "$2" ]; }

# newest_reminder ADDRESS TICKET PATTERN: the newest whose decoded text matches.
newest_reminder() {
	local f
	for f in $(reminders_to "$1" "$2" | tac); do
		decoded "$f" | grep -q "$3" && { echo "$f"; return 0; }
	done
	return 1
}

customer() {
	local addr=$1 from=$2
	shift 2
	pf_send --xclient-addr "$addr" --from "${from#*<}" --header "From: $from" "$@"
}

# --- start ------------------------------------------------------------------

echo 2026-11-16T20:00:00Z >"$clock"
chmod 644 "$clock"
write_config
"$TM_CTL" -c "$conf" init >/dev/null
"$TM_BIN" -n -c "$conf" >"$TM_DIR/check.out" 2>&1
tap_ok $? "-n accepts reminders, calendars' agents and an [agent] section"
start_daemon
must $? "ticket-milter starts on the test clock, read from a file"
grep -q "warning: TICKET_MILTER_TEST_CLOCK is set" "$TM_DIR/main.log"
tap_ok $? "and says so in its log"
pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
must $? "private Postfix and sink started"

# --- 1. each level to the right people -------------------------------------------

customer 192.0.2.10 "Anna Customer <anna@example.org>" --to support@example.com \
	--header "Subject: Printer on fire" --header "Message-Id: <anna-1@example.org>" \
	--body "The printer in room 12 is smoking."
wait_for '^X-Ticket-ID: SUP-1001' 15
must $? "1: Monday 20:00, Anna opens SUP-1001"
set_clock 2026-11-17T10:59:00Z
tap_ok $? "1: the clock moves to Tuesday 10:59 (SIGUSR2)"
set_clock 2026-11-17T11:00:30Z
wait_reminders SUP-1001 3
tap_ok $? "1: Tuesday 11:00, 50%: three reminders"
[ "$(count_reminders SUP-1001)" = 3 ] && [ -n "$(reminders_to alice@example.com SUP-1001)" ] &&
	[ -n "$(reminders_to bob@example.com SUP-1001)" ] && [ -n "$(reminders_to carol@example.com SUP-1001)" ]
tap_ok $? "1: nobody is assigned: the queue's agents alice, bob and carol, none earlier"
f=$(newest_reminder alice@example.com SUP-1001 'Time left: 4 hours')
text=$(decoded "$f")
printf '%s\n' "$text" | grep -qF 'Subject: [SUP-1001] 4 hours left: Printer on fire' &&
	printf '%s\n' "$text" | grep -qF 'Customer: Anna Customer <anna@example.org>' &&
	printf '%s\n' "$text" | grep -qF '> The printer in room 12 is smoking.' &&
	printf '%s\n' "$text" | grep -qF 'First response promised by Tuesday, November 17, 2026 at 3:00 PM UTC.'
tap_ok $? "1: alice's: the tag, the time left in business hours, the customer, the excerpt, the promise"
sink_header "$f" Reply-To | grep -q 'support+sup-1001-[a-z2-7]\{16\}@example\.com' &&
	[ "$(sink_header "$f" In-Reply-To)" = "<anna-1@example.org>" ]
tap_ok $? "1: Reply-To the ticket's gateway address, in the thread of Anna's message"
f=$(newest_reminder carol@example.com SUP-1001 'Noch 4 Stunden')
decoded "$f" | grep -qF 'Erste Antwort zugesagt bis Dienstag, 17. November 2026 um 10:00 Uhr'
tap_ok $? "1: carol's is in German, the promise in New York's time"

ctl set SUP-1001 assign=alice@example.com >/dev/null
tap_ok $? "1: ticketctl set SUP-1001 assign=alice@example.com"
set_clock 2026-11-17T13:00:30Z
wait_reminders SUP-1001 4
[ "$(count_reminders SUP-1001)" = 4 ] && newest_reminder alice@example.com SUP-1001 'Time left: 2 hours' >/dev/null
tap_ok $? "1: Tuesday 13:00, 75%: the assignee alone"
set_clock 2026-11-17T15:00:30Z
wait_reminders SUP-1001 7
newest_reminder alice@example.com SUP-1001 'Subject: \[SUP-1001\] Due now' >/dev/null &&
	newest_reminder lead@example.com SUP-1001 'Subject: \[SUP-1001\] Due now' >/dev/null &&
	newest_reminder alice@example.com SUP-1001 'Resolution promised by' >/dev/null &&
	[ "$(count_reminders SUP-1001)" = 7 ]
tap_ok $? "1: Tuesday 15:00, 100%: the assignee and the team lead; 50% of the resolution: the assignee"
set_clock 2026-11-17T19:00:30Z
wait_reminders SUP-1001 10
newest_reminder manager@example.com SUP-1001 'Subject: \[SUP-1001\] Overdue by 4 hours: Printer on fire' >/dev/null
tap_ok $? "1: Tuesday 19:00, 150%: the manager hears it is 4 business hours overdue"
newest_reminder carol@example.com SUP-1001 'berfällig seit 4 Stunden' >/dev/null &&
	! newest_reminder alice@example.com SUP-1001 'Overdue' >/dev/null
tap_ok $? "1: and the agents at work: carol in New York, not alice, whose office closed at 17:00"
ctl show SUP-1001 >"$TM_DIR/show.out"
[ "$(grep -c ' reminder first response at ' "$TM_DIR/show.out")" = 4 ] &&
	grep -q ' reminder first response at 150% to <carol@example.com>, <manager@example.com>' "$TM_DIR/show.out"
tap_ok $? "1: ticketctl show lists each reminder"

# --- 2. an answer from the reminder ----------------------------------------------

f=$(newest_reminder carol@example.com SUP-1001 'berfällig')
gateway=$(sink_header "$f" Reply-To | grep -o 'support+sup-1001-[a-z2-7]\{16\}@example\.com')
reminder_id=$(sink_header "$f" Message-Id)
pf_send --from carol@example.com --to "$gateway" --header "From: Carol Agent <carol@example.com>" \
	--header "Subject: Re: [SUP-1001] Reminder" --header "In-Reply-To: $reminder_id" \
	--header "Message-Id: <carol-1@example.com>" --body "Please switch it off; a technician is on the way."
wait_for '^Please switch it off' 15
reply=$(sink_find '^Please switch it off')
[ "$(sink_rcpts "$reply")" = anna@example.org ]
tap_ok $? "2: carol answers from her reminder: it reaches Anna"
[ "$(decoded "$reply" | sed -n 's/^Subject: //p')" = "Re: [SUP-1001] Printer on fire" ] &&
	[ "$(sink_header "$reply" In-Reply-To)" = "<anna-1@example.org>" ] &&
	sink_header "$reply" From | grep -q 'Carol Agent via Example Support'
tap_ok $? "2: under the ticket's subject, in reply to Anna's message, from carol via the queue"
ctl show SUP-1001 | grep -q ' first-response promise missed'
tap_ok $? "2: the first response is recorded (late)"
ctl due --json >"$TM_DIR/due.json"
python3 - "$TM_DIR/due.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["id"] for r in rows] == ["SUP-1001"], rows
r = rows[0]
# (the promise counts from when the message arrived, a second or so after 20:00)
assert r["promise"] == "resolution" and r["due"].startswith("2026-11-18T10:00:0") and not r["late"], r
# Tuesday 19:00:30 to 22:00, and Wednesday 09:00 to 10:00, in business minutes
assert r["left_minutes"] == 239 and r["clock"] == "business" and r["assignee"] == "alice@example.com", r
PY
tap_ok $? "2: ticketctl due --json: the resolution, due Wednesday 10:00, 239 business minutes left"
[ -z "$(ctl due --within 2h)" ] && ctl due | grep -q '^SUP-1001'$'\t''resolution'
tap_ok $? "2: ticketctl due --within 2h: nothing within two hours of wall-clock time; without it, SUP-1001"
ctl set SUP-1001 status=resolved >/dev/null
tap_ok $? "2: SUP-1001 resolved: its reminders end"

# --- 3. never at night --------------------------------------------------------------

set_clock 2026-11-20T20:00:00Z
customer 192.0.2.11 "Dirk Kunde <dirk@example.de>" --to support@example.com \
	--header "Subject: URGENT: server down" --header "Message-Id: <dirk-1@example.de>" --body "Nothing works."
wait_for '^X-Ticket-ID: SUP-1002' 15
must $? "3: Friday 20:00, Dirk opens SUP-1002, urgent: 4 hours of calendar time"
set_clock 2026-11-21T03:00:00Z && set_clock 2026-11-22T12:00:00Z
tap_ok $? "3: the clock moves through Saturday night and Sunday"
set_clock 2026-11-23T09:00:30Z
wait_reminders SUP-1002 12
tap_ok $? "3: Monday 09:00: the four levels go (the three agents three times, the lead, the office's agent and the manager)"
dates=$(for f in $(for a in alice@example.com bob@example.com carol@example.com lead@example.com manager@example.com; do
	reminders_to "$a" SUP-1002; done); do sink_header "$f" Date; done | sort -u)
[ "$dates" = "Mon, 23 Nov 2026 09:00:30 +0000" ]
tap_ok $? "3: none was written before the office opened (${dates//$'\n'/; })"
newest_reminder manager@example.com SUP-1002 'Subject: \[SUP-1002\] Overdue by 57 hours: URGENT: server down' >/dev/null &&
	ctl show SUP-1002 | grep -q ' reminder first response at 150% to <alice@example.com>, <manager@example.com> '
tap_ok $? "3: 150%: the manager, 57 hours late, and the agent at work, alice, not carol (New York sleeps)"

# --- 4. a restart -----------------------------------------------------------------

set_clock 2026-11-23T09:10:00Z
customer 192.0.2.12 "Erik <erik@example.net>" --to support@example.com \
	--header "Subject: Keyboard missing keys" --header "Message-Id: <erik-1@example.net>" --body "No Q key."
wait_for '^X-Ticket-ID: SUP-1003' 15
must $? "4: Monday 09:10, Erik opens SUP-1003"
tm_stop main
echo 2026-11-23T13:10:30Z >"$clock"
start_daemon
must $? "4: the daemon is stopped and started again at 13:10"
wait_reminders SUP-1003 3
tap_ok $? "4: after the restart his 50% reminders go"
set_clock 2026-11-23T13:11:00Z
outbox_idle() { [ "$(sqlite3 -readonly "$db" "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')")" = 0 ]; }
until_true 10 outbox_idle && pf_queue_empty_wait 10
sent=$(sqlite3 -readonly "$db" "SELECT count(*) FROM schedule s JOIN tickets t ON t.id = s.ticket_id
	WHERE t.number = 1003 AND s.state = 'sent'")
[ "$(count_reminders SUP-1003)" = 3 ] && [ "$sent" = 1 ]
tap_ok $? "4: once ($(count_reminders SUP-1003) mails, $sent level sent)"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
