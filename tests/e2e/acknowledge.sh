#!/bin/bash
# acknowledge.sh - end to end: acknowledgements through a private Postfix.
# A German and a Japanese customer get acknowledgements in their language
# at the sink; a bounce and an out-of-office reply get none; the
# acknowledgement passes the milter again (it is delivered by SMTP through
# the same Postfix) and is not ticketed; with the sink stopped the
# outbox retries and delivers once it is back; a SIGKILL after end of
# message loses no acknowledgement.
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin
DEAD_PORT=$(pf_pick_port "$PF_SMTP_PORT" "$PF_SINK_PORT" "$MILTER_PORT")
conf=$TM_DIR/main.conf

write_config() { # write_config OUTBOX-PORT
	{ e2e_milter_section "$TM_DIR/data/tickets.db"; cat <<CONF

[outbox]
smtp = 127.0.0.1:$1
retry-after = 1s

[queue support]
name = Example Support
addresses = support@example.com
tag = SUP
locales = en, de, ja, tr, fr, es
default-locale = en
sla = standard
calendars = berlin

[sla standard]
first-response = 8h
urgent.first-response = 1h

[calendar berlin]
timezone = Europe/Berlin
hours = mon-fri 09:00-18:00
CONF
	} >"$conf"
}

write_config "$PF_SMTP_PORT"
"$TM_CTL" -c "$conf" init >/dev/null
"$TM_BIN" -n -c "$conf" >"$TM_DIR/check.out" 2>&1
tap_ok $? "-n accepts the configuration with SLA, calendar and templates"
tm_start main
tap_ok $? "ticket-milter starts"
pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
tap_ok $? "private Postfix and sink started"

# --- German -------------------------------------------------------------
start=$(date +%s.%N)
pf_send --from juergen@example.de --to support@example.com \
	--header "From: Jürgen Müller <juergen@example.de>" --header "Subject: Drucker druckt nicht" \
	--header "Message-Id: <de-1@example.de>" --header "Date: $(TZ=Europe/Berlin date -R)" \
	--body "Guten Tag, unser Drucker im zweiten Stock druckt seit heute Morgen nicht mehr. Können Sie bitte helfen?"
wait_for "^Content-Language: de" 15
tap_ok $? "a German acknowledgement arrives at the sink"
tap_diag "acknowledgement at the sink after $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }') s (the 1 s target is measured by the benchmark, not asserted here)"
ack=$(sink_find "^Content-Language: de")
[ "$(sink_header "$ack" Auto-Submitted)" = auto-replied ] && [ "$(sink_header "$ack" X-Auto-Response-Suppress)" = All ] &&
	[ "$(sink_header "$ack" X-Ticket-ID)" = SUP-1001 ] && [ "$(sink_header "$ack" In-Reply-To)" = "<de-1@example.de>" ]
tap_ok $? "with Auto-Submitted, X-Auto-Response-Suppress, X-Ticket-ID and In-Reply-To"
sink_header "$ack" Message-Id | grep -Eq '^<tm\.sup-1001\.[a-z2-7]+\.[a-z2-7]{16}@support\.example\.com>$'
tap_ok $? "its Message-ID is signed"
sink_header "$ack" Reply-To | grep -q 'support+sup-1001-'
tap_ok $? "Reply-To is the signed gateway address"
grep -q "$(date -u +%Y)" <(sink_body "$ack") && sink_body "$ack" | grep -Eq 'GMT[+-]|MEZ|MESZ|UTC[+-]'
tap_ok $? "the promise names the customer's offset"
inbound=$(sink_find "^X-Ticket-Locale: de")
[ -n "$inbound" ] && sink_header "$inbound" X-Ticket-Due | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
tap_ok $? "the inbound copy carries X-Ticket-Locale and X-Ticket-Due"
# Our mail coming back to a queue address (a loop, a forward, a Cc)
# through the sendmail command, that is through non_smtpd_milters.
sink_body "$ack" | pf_sendmail -i -f '<>' -- support@example.com
for i in $(seq 1 100); do
	grep -q "our own mail for SUP-1001 .* passed untouched" "$TM_DIR/main.log" && break
	sleep 0.1
done
grep -q "our own mail for SUP-1001 .* passed untouched" "$TM_DIR/main.log"
tap_ok $? "our acknowledgement injected back to the queue is recognised by its signed Message-ID"
[ "$("$TM_CTL" -c "$conf" list | wc -l)" = 1 ] && [ "$("$TM_CTL" -c "$conf" show SUP-1001 --json | grep -o '"direction"' | wc -l)" = 1 ] &&
	[ "$("$TM_CTL" -c "$conf" outbox --json | grep -o '"kind"' | wc -l)" = 1 ]
tap_ok $? "it is neither ticketed nor acknowledged"

# --- Japanese -----------------------------------------------------------
pf_send --from yamada@example.jp --to support@example.com \
	--header "Subject: プリンターが動きません" --header "Message-Id: <ja-1@example.jp>" \
	--header "Content-Type: text/plain; charset=utf-8" \
	--body "お世話になっております。プリンターが動かなくなりました。ご確認をお願いいたします。"
wait_for "^Content-Language: ja" 15
tap_ok $? "a Japanese customer gets a Japanese acknowledgement"

# --- Content-Language: a header GMime keeps with the MIME part ------------
# The text says nothing of its language; the header the customer's client
# wrote does.
pf_send --from lucia@example.com --to support@example.com \
	--header "Subject: Order 4711" --header "Message-Id: <es-1@example.com>" \
	--header "Content-Language: es" --header "Content-Type: text/plain; charset=utf-8" \
	--body "Order 4711, invoice 2026-118, SKU X-200."
wait_for "^Content-Language: es" 15
tap_ok $? "Content-Language: es on the customer's mail gives a Spanish acknowledgement"

# --- robots ---------------------------------------------------------------
before=$(sink_count)
pf_send --from '<>' --to support@example.com --header "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>" \
	--header "Subject: Undelivered Mail Returned to Sender" --header "Message-Id: <bounce-1@mx.example.net>" \
	--body "This is the mail system. Your message could not be delivered."
pf_send --from boss@example.org --to support@example.com --header "Subject: Out of Office" \
	--header "Auto-Submitted: auto-replied" --header "Message-Id: <oof-1@example.org>" --body "I am away."
sink_wait $((before + 2)) 15
sleep 2
[ "$(sink_count)" = $((before + 2)) ]
tap_ok $? "a bounce and an out-of-office reply are ticketed but get no acknowledgement"

# --- the sink stopped, then back -------------------------------------------
# The outbox delivers straight to the sink here, so that stopping the sink
# stops the outbox's own delivery (not just Postfix's relaying).
write_config "$PF_SINK_PORT"
kill -USR1 "$(cat "$TM_DIR/main.pid")"
sleep 0.5
sink_stop
pf_send --from claire@example.fr --to support@example.com --header "Subject: Facture incorrecte" \
	--header "Message-Id: <fr-1@example.fr>" --body "Bonjour, notre facture de mars est incorrecte. Pouvez-vous la corriger ?"
for i in $(seq 1 50); do
	"$TM_CTL" -c "$conf" outbox --json | grep -q '"recipient":"claire@example.fr".*"attempts":[2-9].*"last_error":"connect' && break
	sleep 0.2
done
"$TM_CTL" -c "$conf" outbox --json | grep -q '"state":"queued","recipient":"claire@example.fr".*"attempts":[2-9].*"last_error":"connect'
tap_ok $? "with the sink stopped the acknowledgement waits in the outbox and is retried"
sink_start
wait_for "^Content-Language: fr" 30
tap_ok $? "once the sink is back, the outbox delivers it"
[ "$(for f in $(sink_files); do sink_body "$f"; done | grep -c '^In-Reply-To: <fr-1@example.fr>')" = 1 ] &&
	"$TM_CTL" -c "$conf" outbox --json | grep -q '"state":"sent","recipient":"claire@example.fr"'
tap_ok $? "exactly once, and marked sent"
write_config "$PF_SMTP_PORT"
kill -USR1 "$(cat "$TM_DIR/main.pid")"

# --- SIGKILL after end of message -----------------------------------------
write_config "$DEAD_PORT"
kill -USR1 "$(cat "$TM_DIR/main.pid")"
sleep 0.5
pf_send --from ayse@example.com.tr --to support@example.com --header "Subject: Siparişim gelmedi" \
	--header "Message-Id: <tr-1@example.com.tr>" \
	--body "Merhaba, geçen hafta verdiğim sipariş hâlâ elime ulaşmadı. Yardımcı olabilir misiniz?"
kill -KILL "$(cat "$TM_DIR/main.pid")"
wait "$(cat "$TM_DIR/main.bgpid")" 2>/dev/null
write_config "$PF_SMTP_PORT"
rm -f "$TM_DIR/main.pid"
tm_start main
tap_ok $? "the milter restarts after SIGKILL"
wait_for "^Content-Language: tr" 30
tap_ok $? "the acknowledgement committed before the kill is delivered after the restart"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
