#!/bin/bash
# weekly.sh - end to end: the weekly report mailed to managers on its
# schedule ([report NAME]), on a clock the test moves.
#
# A private Postfix on loopback with ticket-milter attached relays to a
# capturing smtp-sink; the outbox goes back through Postfix.  The daemon
# runs on a test clock read from a file (TICKET_MILTER_TEST_CLOCK names
# it; the test writes a time and sends SIGUSR2).  The report goes on
# Mondays at 08:00 Istanbul time (05:00 UTC) to two managers, in Turkish.
#
#   1. Monday 16 November 2026, 07:00 in Istanbul: a customer writes.
#      07:59: nothing has gone.  08:00: each manager gets one mail:
#      multipart/mixed [ related [ alternative [ plain, html ], PNG
#      charts ], CSV ], from the queue, Auto-Submitted, dates in Turkish,
#      every cid the HTML names carried by an image.
#   2. The daemon is restarted at 08:10: nothing is sent again.
#   3. The next Monday at 08:00 the next week's mail goes, once.
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
agents = alice@example.com
locales = en, tr

[report managers]
to = boss@example.com, deputy@example.com
schedule = mon 08:00 Europe/Istanbul
queues = support
by = locale
locale = tr
CONF
	} >"$conf"
}

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

set_clock() {
	local before
	before=$(log_count 'the clock is set to')
	echo "$1" >"$clock"
	kill -USR2 "$(cat "$TM_DIR/main.pid")"
	until_true 10 clock_moved "$before"
}
clock_moved() { [ "$(log_count 'the clock is set to')" -gt "$1" ]; }

# reports_to ADDRESS: the sink's dumps of mail to ADDRESS (managers get
# nothing but reports here).
reports_to() {
	local f
	for f in $(sink_files); do
		awk '/^Received: /{ exit } /^X-Rcpt-Args: /{ gsub(/[<>]/, "", $2); print tolower($2) }' "$f" |
			grep -qx "$1" && echo "$f"
	done
}
count_reports() { reports_to "$1" | wc -l; }
has_reports() { [ "$(count_reports boss@example.com)" -ge "$1" ] && [ "$(count_reports deputy@example.com)" -ge "$1" ]; }

outbox_idle() { [ "$(sqlite3 -readonly "$db" "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')")" = 0 ]; }
settle() { until_true 10 outbox_idle && pf_queue_empty_wait 10; }

# --- start ------------------------------------------------------------------

echo 2026-11-16T04:00:00Z >"$clock"
chmod 644 "$clock"
write_config
"$TM_CTL" -c "$conf" init >/dev/null
"$TM_BIN" -n -c "$conf" >"$TM_DIR/check.out" 2>&1
tap_ok $? "-n accepts a [report] section"
start_daemon
must $? "ticket-milter starts on the test clock"
pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
must $? "private Postfix and sink started"

# --- 1. at its time, not before -----------------------------------------------

pf_send --xclient-addr 192.0.2.10 --from anna@example.org --header "From: Anna <anna@example.org>" \
	--to support@example.com --header "Subject: Printer on fire" --header "Message-Id: <anna-1@example.org>" \
	--body "The printer is smoking."
wait_for '^X-Ticket-ID: SUP-1001' 15
must $? "1: Monday 07:00 in Istanbul, Anna opens SUP-1001"
set_clock 2026-11-16T04:59:00Z
settle
sleep 1
[ "$(count_reports boss@example.com)" = 0 ] && [ "$(count_reports deputy@example.com)" = 0 ]
tap_ok $? "1: 07:59: no report yet"
set_clock 2026-11-16T05:00:30Z
until_true 20 has_reports 1
tap_ok $? "1: 08:00: the report reaches both managers"
settle
[ "$(count_reports boss@example.com)" = 1 ] && [ "$(count_reports deputy@example.com)" = 1 ]
tap_ok $? "1: one each"
f=$(reports_to boss@example.com | head -1)
sink_body "$f" | python3 -c '
import email, email.policy, re, sys
m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
assert m.get_content_type() == "multipart/mixed", m.get_content_type()
related, csv = m.get_payload()
assert related.get_content_type() == "multipart/related", related.get_content_type()
assert csv.get_content_type() == "text/csv" and csv.get_content_disposition() == "attachment", csv
alternative, *images = related.get_payload()
plain, html = alternative.get_payload()
assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
cids = {i["Content-ID"].strip("<>") for i in images if i.get_content_type() == "image/png"}
assert len(cids) >= 3 and all(i.get_payload(decode=True)[:8] == b"\x89PNG\r\n\x1a\n" for i in images), cids
refs = set(re.findall(r"src=\"cid:([^\"]+)\"", html.get_content()))
assert refs == cids, (refs, cids)
assert m["Auto-Submitted"] == "auto-generated", m["Auto-Submitted"]
assert m["From"].addresses[0].addr_spec == "support@example.com", m["From"]
assert "Kas 2026" in str(m["Subject"]) and "Kas 2026" in plain.get_content(), m["Subject"]
assert "labels are in English" in plain.get_content()
assert "," in csv.get_content().splitlines()[0], csv.get_content()[:200]
'
tap_ok $? "1: mixed [ related [ alternative [ plain, html ], PNG charts, each cid referred to ], CSV ], from the queue, auto-generated, dates in Turkish"

# --- 2. a restart -----------------------------------------------------------------

tm_stop main
echo 2026-11-16T05:10:00Z >"$clock"
start_daemon
must $? "2: the daemon is stopped and started again at 08:10"
set_clock 2026-11-16T05:11:00Z
settle
sleep 1
settle
sent=$(sqlite3 -readonly "$db" "SELECT count(*) FROM schedule WHERE kind = 'report' AND state = 'sent'")
[ "$(count_reports boss@example.com)" = 1 ] && [ "$(count_reports deputy@example.com)" = 1 ] && [ "$sent" = 1 ]
tap_ok $? "2: nothing sent again ($(count_reports boss@example.com) to the boss, $sent row sent)"

# --- 3. the next week ---------------------------------------------------------------

set_clock 2026-11-23T04:59:30Z
settle
[ "$(count_reports boss@example.com)" = 1 ]
tap_ok $? "3: the next Monday 07:59: not yet"
set_clock 2026-11-23T05:00:30Z
until_true 20 has_reports 2
settle
[ "$(count_reports boss@example.com)" = 2 ] && [ "$(count_reports deputy@example.com)" = 2 ]
tap_ok $? "3: 08:00: the next week's report, once each"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
