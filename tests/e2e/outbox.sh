#!/bin/bash
# outbox.sh - end to end: the outbox when its delivery target fails.
#
# 1. The target (the sink, reached directly by [outbox] smtp) is down
#    while three tickets each queue four mails: acknowledgement, rating
#    request (ticketctl resolves), reopened notice (the customer answers),
#    rating request again.  Once the sink is back, every mail is delivered
#    exactly once, and in the order it was queued for its ticket.
# 2. Through Postfix as the target, one recipient is refused with 550 and
#    one with 451 on every try ([outbox] attempts = 3): the first fails at
#    once, the second after its third attempt, both show in `ticketctl
#    outbox --failed`, and the mail of two other customers queued after
#    them is delivered at the first try meanwhile.
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin
conf=$TM_DIR/main.conf

write_config() { # write_config OUTBOX-PORT ATTEMPTS RETRY-AFTER
	{ e2e_milter_section "$TM_DIR/data/tickets.db"; cat <<CONF

[outbox]
smtp = 127.0.0.1:$1
attempts = $2
retry-after = $3

[autoreply]
# Several mails per ticket and per customer on purpose.
rate = 100/10m
per-ticket = 0s

[queue support]
name = Example Support
addresses = support@example.com
tag = SUP
CONF
	} >"$conf"
}

# reload: SIGUSR1, and wait (bounded) until the daemon says it reloaded.
reload() {
	local before i
	before=$(grep -c "configuration .* reloaded" "$TM_DIR/main.log")
	kill -USR1 "$(cat "$TM_DIR/main.pid")"
	for i in $(seq 1 100); do
		[ "$(grep -c "configuration .* reloaded" "$TM_DIR/main.log")" -gt "$before" ] && return 0
		sleep 0.1
	done
	return 1
}

ctl() { "$TM_CTL" -c "$conf" "$@"; }
peak_rss() { awk '/^VmHWM:/ { print $2 }' "/proc/$(cat "$TM_DIR/main.pid")/status" 2>/dev/null || echo -; }

customer_mail() { # customer_mail FROM MESSAGE-ID SUBJECT [IN-REPLY-TO]
	pf_send --from "$1" --to support@example.com --header "From: Customer <$1>" \
		--header "Subject: $3" --header "Message-Id: <$2>" \
		${4:+--header "In-Reply-To: <$4>"} \
		--body "Hello, this is about my order. Could you please have a look?"
}

# outbox_ids: the outbox's Message-IDs, oldest entry first.
outbox_ids() { ctl outbox --json | grep -o '"message_id":"[^"]*"' | cut -d'"' -f4 | tac; }
# sink_ids: Message-IDs of our mail at the sink, in the order received.
sink_ids() {
	local f
	for f in $(sink_files); do
		sink_header "$f" Message-Id | grep '^<tm\.' | tr -d '<>'
	done
}

write_config "$PF_SINK_PORT" 10 1s
tm_start main
tap_ok $? "ticket-milter starts"
pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
tap_ok $? "private Postfix and sink started"

# --- 1. the target down, then back -------------------------------------------
sink_stop
down=$SECONDS
for i in 1 2 3; do
	customer_mail "c$i@customer.example" "c$i-1@customer.example" "Order $i has not arrived" >/dev/null
done
for i in 1 2 3; do
	ctl set "SUP-100$i" status=resolved >/dev/null
done
for i in 1 2 3; do
	customer_mail "c$i@customer.example" "c$i-2@customer.example" "Re: Order $i has not arrived" "c$i-1@customer.example" >/dev/null
done
for i in 1 2 3; do
	ctl set "SUP-100$i" status=resolved >/dev/null
done
queued=$(outbox_ids | wc -l)
[ "$queued" = 12 ] && [ "$(ctl outbox --json | grep -o '"state":"sent"' | wc -l)" = 0 ]
tap_ok $? "with the sink down, 3 tickets queue 4 mails each and none is sent ($queued queued)"
# entries_retried N: how many entries were tried N times or more, in vain.
entries_retried() {
	ctl outbox --json | grep -o '{[^}]*}' | grep '"last_error":"connect' | grep -c "\"attempts\":\([$1-9]\|[1-9][0-9]\),"
}
for i in $(seq 1 300); do
	[ "$(entries_retried 3)" = 3 ] && break
	sleep 0.1
done
[ "$(entries_retried 3)" = 3 ] && [ "$(entries_retried 1)" = 3 ]
tap_ok $? "the first mail of each ticket is tried again and again (3 times), the others wait behind it"
sink_start
tap_diag "the sink was down for $((SECONDS - down)) s"
back=$SECONDS
for i in $(seq 1 600); do
	[ "$(sink_ids | wc -l)" -ge 12 ] && [ "$(ctl outbox --json | grep -o '"state":"sent"' | wc -l)" = 12 ] && break
	sleep 0.1
done
tap_diag "all delivered $((SECONDS - back)) s after the sink came back"
sleep 1	# a duplicate would be on its way now
sink_ids >"$TM_DIR/sink.ids"
outbox_ids >"$TM_DIR/outbox.ids"
delivered=$(sort -u "$TM_DIR/sink.ids" | wc -l)
dup=$(($(wc -l <"$TM_DIR/sink.ids") - delivered))
[ "$delivered" = 12 ] && [ "$dup" = 0 ] && [ "$(ctl outbox --json | grep -o '"state":"sent"' | wc -l)" = 12 ]
tap_ok $? "once the sink is back, each of the 12 is delivered exactly once and marked sent ($delivered distinct, $dup duplicates)"
# The order the sink took them in: the daemon logs "sent" after the
# sink's 250.  (The sink's file times are no arrival order: smtp-sink
# writes a file out when its session ends, and the outbox's workers end
# their sessions in parallel.)
grep -o 'sent to <[^>]*> message-id=<[^>]*>' "$TM_DIR/main.log" | sed 's/.*message-id=<\(.*\)>/\1/' >"$TM_DIR/accepted.ids"
rc=0
for i in 1 2 3; do
	# Message-IDs name their ticket: tm.sup-100N.…
	grep "^tm\.sup-100$i\." "$TM_DIR/outbox.ids" >"$TM_DIR/want.$i"
	grep "^tm\.sup-100$i\." "$TM_DIR/accepted.ids" >"$TM_DIR/got.$i"
	cmp -s "$TM_DIR/want.$i" "$TM_DIR/got.$i" && [ "$(wc -l <"$TM_DIR/got.$i")" = 4 ] &&
		[ "$(sort "$TM_DIR/want.$i")" = "$(grep "^tm\.sup-100$i\." "$TM_DIR/sink.ids" | sort)" ] || rc=1
done
kinds=$(while read -r id; do
	ctl outbox --json | grep -o "{[^}]*\"message_id\":\"$id\"[^}]*}" | grep -o '"kind":"[^"]*"' | cut -d'"' -f4
done <"$TM_DIR/got.1" | tr '\n' ' ')
tap_diag "SUP-1001 at the sink, in order: $kinds"
tap_ok $rc "per ticket, the sink received them in the order they were queued"
printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "outbox: target down, then back" \
	"sink stopped $((back - down)) s while 3 tickets queued ack, rating request, reopened notice, rating request each; sink started" \
	6 3 "$delivered" $((12 - delivered)) "$dup" "$(peak_rss)"

# --- 2. recipients that always fail ------------------------------------------
# Postfix is the target now, refusing two recipients at RCPT.
pf_postconf "smtpd_recipient_restrictions = check_recipient_access inline:{ { gone@customer.example = 550 5.1.1 <gone@customer.example>: mailbox unavailable }, { busy@customer.example = 451 4.2.1 <busy@customer.example>: mailbox busy, try later } }"
write_config "$PF_SMTP_PORT" 3 2s
reload
tap_ok $? "reloaded: the outbox delivers through Postfix, 3 attempts, 2 s apart"
for who in gone busy good1 good2; do
	customer_mail "$who@customer.example" "$who-1@customer.example" "Question from $who" >/dev/null
done
wait_for "^In-Reply-To: <good1-1@customer.example>" 30 && wait_for "^In-Reply-To: <good2-1@customer.example>" 30
tap_ok $? "the others' acknowledgements are delivered"
for i in $(seq 1 300); do
	[ "$(ctl outbox --failed --json | grep -o '"state":"failed"' | wc -l)" = 2 ] && break
	sleep 0.1
done
ctl outbox --failed >"$TM_DIR/failed.txt"
tap_diag "ticketctl outbox --failed:" "$(cat "$TM_DIR/failed.txt")"
grep -q "failed.*1 attempt(s).*gone@customer.example.*550 5.1.1" "$TM_DIR/failed.txt"
tap_ok $? "the recipient refused with 550 is failed after 1 attempt"
grep -q "failed.*3 attempt(s).*busy@customer.example.*451 4.2.1" "$TM_DIR/failed.txt"
tap_ok $? "the recipient refused with 451 every time is failed after 3 attempts, the limit"
[ "$(wc -l <"$TM_DIR/failed.txt")" = 2 ]
tap_ok $? "ticketctl outbox --failed shows those two and nothing else"
json=$(ctl outbox --json)
good_done=$(echo "$json" | grep -o '{[^}]*"recipient":"good2@customer.example"[^}]*}' | grep -o '"done":"[^"]*"' | cut -d'"' -f4)
busy_done=$(echo "$json" | grep -o '{[^}]*"recipient":"busy@customer.example"[^}]*}' | grep -o '"done":"[^"]*"' | cut -d'"' -f4)
echo "$json" | grep -o '{[^}]*"recipient":"good[12]@customer.example"[^}]*}' | grep -c '"state":"sent".*"attempts":1,' | grep -qx 2 &&
	[ -n "$good_done" ] && [ -n "$busy_done" ] && [[ ! "$busy_done" < "$good_done" ]]
tap_ok $? "the others were sent at their first attempt, before the failing one gave up ($good_done, $busy_done)"
grep -q "outbox [0-9]*: ack to <busy@customer.example> failed after 3 attempt(s): 451 4.2.1" "$TM_DIR/main.log"
tap_ok $? "the failure is logged with the recipient and the answer"
printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "outbox: permanently failing recipients" \
	"through Postfix: one recipient 550, one 451 on every try (attempts = 3); two others queued after them" \
	4 4 2 0 0 "$(peak_rss)"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
