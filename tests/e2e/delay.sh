#!/bin/bash
# delay.sh - end to end: the customer hears a first response will be
# late before they have to ask, on a clock the test moves (as
# reminders.sh: TICKET_MILTER_TEST_CLOCK names a file, SIGUSR2 re-reads it).
#
# A private Postfix on loopback with ticket-milter attached relays to a
# capturing smtp-sink.  The office is open Mon-Fri 09:00-17:00 UTC; the
# first response is promised within 8 business hours, and delay-notice =
# 90%: 7 hours 12 minutes of business time after the promise.
#
#   1. On Monday 16 November 2026 at 10:00, Dieter writes in German,
#      Kenji in Japanese, Pia and Carl in English; Pia's ticket is set
#      pending on her, and bob answers Carl from the acknowledgement.
#   2. Tuesday 09:12: Dieter gets the notice in German, Kenji in
#      Japanese, each in the thread of their message with a new time;
#      Pia (pending) and Carl (answered) get nothing.  Each once.
#   3. Pia's ticket, pending since Monday (pending-reminder = 3d,
#      pending-resolve = 7d): Thursday she gets one nudge; the Wednesday
#      after, the ticket is resolved, and she gets the resolved notice.
#   4. -n refuses delay-notice when a locale offered has no delay template.
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
agents = bob@example.com
locales = en, de, ja
sla = standard
calendars = office
delay-notice = 90%
pending-reminder = 3d
pending-resolve = 7d

[sla standard]
first-response = 8h
resolution = 5d

[calendar office]
timezone = UTC
hours = mon-fri 09:00-17:00
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

set_clock() {
	local before
	before=$(log_count 'the clock is set to')
	echo "$1" >"$clock"
	kill -USR2 "$(cat "$TM_DIR/main.pid")"
	until_true 10 clock_moved "$before"
}
clock_moved() { [ "$(log_count 'the clock is set to')" -gt "$1" ]; }

# decoded FILE: "Subject: ..." decoded, then the text part, decoded.
decoded() {
	sink_body "$1" | python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
print("Subject: " + str(m["Subject"]))
for part in m.walk():
    if part.get_content_type() == "text/plain":
        print(part.get_content())
'
}

# subject_of FILE: its Subject, decoded.
subject_of() {
	sink_body "$1" | python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
print(str(m["Subject"]))
'
}

# mails_to ADDRESS: the sink files whose first envelope recipient is ADDRESS.
mails_to() {
	local files
	files=$(sink_files)
	[ -n "$files" ] || return 0
	# shellcheck disable=SC2086 # one file name per word
	awk -v a="$1" '
		FNR == 1 { rcpt = "" }
		/^X-Rcpt-Args: / && rcpt == "" { rcpt = tolower($2); gsub(/[<>]/, "", rcpt); if (rcpt == a) print FILENAME }
	' $files
}

# notices_to ADDRESS SUBJECT-PATTERN: how many mails to ADDRESS match.
notices_to() {
	local f n=0
	for f in $(mails_to "$1"); do
		subject_of "$f" | grep -q "$2" && n=$((n + 1))
	done
	echo "$n"
}
notice_file() {
	local f
	for f in $(mails_to "$1"); do
		subject_of "$f" | grep -q "$2" && { echo "$f"; return 0; }
	done
	return 1
}
has_notice() { [ "$(notices_to "$1" "$2")" -ge 1 ]; }

customer() {
	local addr=$1 from=$2
	shift 2
	pf_send --xclient-addr "$addr" --from "${from#*<}" --header "From: $from" "$@"
}

outbox_idle() { [ "$(sqlite3 -readonly "$db" "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')")" = 0 ]; }

# --- start ------------------------------------------------------------------

echo 2026-11-16T10:00:00Z >"$clock"
chmod 644 "$clock"
write_config
"$TM_CTL" -c "$conf" init >/dev/null
"$TM_BIN" -n -c "$conf" >"$TM_DIR/check.out" 2>&1
tap_ok $? "-n accepts delay-notice = 90%"
start_daemon
must $? "ticket-milter starts on the test clock"
pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
must $? "private Postfix and sink started"

# --- 1. four customers --------------------------------------------------------

customer 192.0.2.10 "Dieter Kunde <dieter@example.de>" --to support@example.com \
	--header "Subject: Drucker" --header "Message-Id: <dieter-1@example.de>" \
	--body "Guten Tag, unser Drucker im Büro druckt seit gestern keine Seiten mehr und zeigt eine Fehlermeldung an. Können Sie uns bitte helfen?"
wait_for '^X-Ticket-ID: SUP-1001' 15
must $? "1: Dieter writes in German: SUP-1001"
customer 192.0.2.11 "Kenji <kenji@example.jp>" --to support@example.com \
	--header "Subject: Printer" --header "Message-Id: <kenji-1@example.jp>" \
	--header "Content-Type: text/plain; charset=UTF-8" \
	--body "お世話になっております。事務所のプリンターが昨日から印刷できなくなりました。エラーが表示されます。ご確認をお願いいたします。"
wait_for '^X-Ticket-ID: SUP-1002' 15
must $? "1: Kenji writes in Japanese: SUP-1002"
customer 192.0.2.12 "Pia <pia@example.org>" --to support@example.com \
	--header "Subject: Invoice" --header "Message-Id: <pia-1@example.org>" \
	--body "Our invoice for October shows the wrong amount."
wait_for '^X-Ticket-ID: SUP-1003' 15
must $? "1: Pia writes: SUP-1003"
customer 192.0.2.13 "Carl <carl@example.org>" --to support@example.com \
	--header "Subject: Login fails" --header "Message-Id: <carl-1@example.org>" \
	--body "I cannot log in to the portal since this morning."
wait_for '^X-Ticket-ID: SUP-1004' 15
must $? "1: Carl writes: SUP-1004"
ctl set SUP-1003 status=pending >/dev/null
tap_ok $? "1: SUP-1003 is pending on Pia"
until_true 20 has_notice carl@example.org 'SUP-1004'
ack=$(notice_file carl@example.org 'SUP-1004')
gateway=$(sink_header "$ack" Reply-To | grep -o 'support+sup-1004-[a-z2-7]\{16\}@example\.com')
pf_send --from bob@example.com --to "$gateway" --header "From: Bob Agent <bob@example.com>" \
	--header "Subject: Re: [SUP-1004] Login fails" --header "Message-Id: <bob-1@example.com>" \
	--body "Please try again now; the portal was restarted."
wait_for '^Please try again now' 15
tap_ok $? "1: bob answers Carl"

# --- 2. Tuesday 09:12 -------------------------------------------------------------

set_clock 2026-11-17T09:11:00Z
tap_ok $? "2: Tuesday 09:11"
set_clock 2026-11-17T09:12:30Z
until_true 20 has_notice dieter@example.de 'Zwischenstand zu Ihrer Anfrage'
tap_ok $? "2: 09:12: Dieter hears from us, in German"
f=$(notice_file dieter@example.de 'Zwischenstand zu Ihrer Anfrage')
text=$(decoded "$f")
printf '%s\n' "$text" | grep -qF 'Subject: [SUP-1001] Zwischenstand zu Ihrer Anfrage: Drucker' &&
	printf '%s\n' "$text" | grep -qF 'Guten Tag Dieter Kunde,' &&
	printf '%s\n' "$text" | grep -qF 'Sie erhalten unsere Antwort bis spätestens Mittwoch, 18. November 2026 um 09:12 Uhr'
tap_ok $? "2: the tag, his name, a new time: 8 business hours on"
sink_header "$f" Reply-To | grep -q 'support+sup-1001-[a-z2-7]\{16\}@example\.com' &&
	[ "$(sink_header "$f" In-Reply-To)" = "<dieter-1@example.de>" ]
tap_ok $? "2: in the thread of his message, Reply-To the ticket's gateway address"
until_true 20 has_notice kenji@example.jp 'ご回答の遅れについてのお知らせ'
tap_ok $? "2: Kenji hears from us, in Japanese"
f=$(notice_file kenji@example.jp 'ご回答の遅れについてのお知らせ')
decoded "$f" | grep -F '2026年11月18日（水）9:12' >/dev/null
tap_ok $? "2: with the new time written the Japanese way"
until_true 10 outbox_idle && pf_queue_empty_wait 10
[ "$(notices_to pia@example.org 'SUP-1003')" = 1 ] && [ "$(notices_to carl@example.org 'SUP-1004')" = 2 ]
tap_ok $? "2: Pia (pending) and Carl (answered) got nothing more than their acknowledgement (and bob's answer)"
set_clock 2026-11-17T12:00:00Z
until_true 10 outbox_idle && pf_queue_empty_wait 10
[ "$(notices_to dieter@example.de 'SUP-1001')" = 2 ] && [ "$(notices_to kenji@example.jp 'SUP-1002')" = 2 ]
tap_ok $? "2: each once: an acknowledgement and one notice"
ctl show SUP-1001 | grep -q ' delay-notice to <dieter@example.de>: no agent reply at 90% '
tap_ok $? "2: ticketctl show lists it"
sent=$(sqlite3 -readonly "$db" "SELECT group_concat(t.number || ':' || s.state, ' ') FROM schedule s
	JOIN tickets t ON t.id = s.ticket_id WHERE s.kind = 'delay-notice' ORDER BY t.number")
[ "$sent" = "1001:sent 1002:sent 1003:paused 1004:cancelled" ]
tap_ok $? "2: the schedule: sent, sent, paused while pending, cancelled by the answer ($sent)"

# --- 3. a nudge, then resolved -------------------------------------------------------

set_clock 2026-11-19T10:30:00Z
until_true 20 has_notice pia@example.org 'Waiting for your reply'
tap_ok $? "3: Thursday: Pia, pending on for 3 business days, gets a nudge"
f=$(notice_file pia@example.org 'Waiting for your reply')
decoded "$f" | grep -F 'we’ll close the ticket in a few days' >/dev/null &&
	[ "$(sink_header "$f" In-Reply-To)" = "<pia-1@example.org>" ]
tap_ok $? "3: in her thread, saying the ticket will be closed"
set_clock 2026-11-25T10:30:00Z
resolved() { [ "$(sqlite3 -readonly "$db" "SELECT status FROM tickets WHERE number = 1003")" = resolved ]; }
until_true 20 resolved
tap_ok $? "3: Wednesday after, 7 business days: SUP-1003 is resolved"
until_true 20 has_notice pia@example.org 'SUP-1003.*resolved\|SUP-1003.*Resolved'
tap_ok $? "3: and she gets the resolved notice"
until_true 10 outbox_idle && pf_queue_empty_wait 10
[ "$(notices_to pia@example.org 'Waiting for your reply')" = 1 ] &&
	ctl show SUP-1003 | grep -q 'pending -> resolved'
tap_ok $? "3: one nudge; ticketctl show: pending -> resolved"

# --- 4. -n --------------------------------------------------------------------------

mkdir -p "$TM_DIR/tpl"
cp -r "$top_srcdir/templates/." "$TM_DIR/tpl/"
rm -f "$TM_DIR/tpl/ja/delay.txt" "$TM_DIR/tpl/ja/delay.html"
sed "s|^templates = .*|templates = $TM_DIR/tpl|" "$conf" >"$TM_DIR/missing.conf"
! "$TM_BIN" -n -c "$TM_DIR/missing.conf" >"$TM_DIR/missing.out" 2>&1 &&
	grep -q 'delay-notice is on, but there is no delay template for locale ja' "$TM_DIR/missing.out"
tap_ok $? "4: -n refuses delay-notice when a locale has no delay template"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
