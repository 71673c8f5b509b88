#!/bin/bash
# postfix.sh - end to end: a private Postfix on loopback with ticket-milter
# attached (running as nobody after dropping root), relaying to a capturing
# smtp-sink.  A customer mail arrives tagged with its ticket, its follow-up
# lands in the same ticket, locally injected mail passes the milter too,
# and mail for anyone else arrives unchanged.
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin

cat >"$TM_DIR/main.conf" <<CONF
[milter]
socket = $MILTER_SOCKET
user = nobody
database = $TM_DIR/data/tickets.db
secret-file = $TM_DIR/secret
hostname = support.example.com
pid-file = $TM_DIR/main.pid
templates = $top_srcdir/templates

[outbox]
smtp = 127.0.0.1:$PF_SMTP_PORT

[queue support]
name = Example Support
addresses = support@example.com, help@example.com
tag = SUP
CONF
conf=$TM_DIR/main.conf
tm_start main
tap_ok $? "ticket-milter starts on $MILTER_SOCKET"
[ "$(ps -o user= -p "$(cat "$TM_DIR/main.pid")")" = nobody ]
tap_ok $? "the daemon runs as nobody after opening its socket"

pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
tap_ok $? "private Postfix and sink started (smtp $PF_SMTP_PORT, sink $PF_SINK_PORT)"

# 1. A new customer mail.
pf_send --from anna@example.org --to support@example.com \
	--header "From: Anna Customer <anna@example.org>" \
	--header "Subject: Printer on fire" --header "Message-Id: <e2e-1@example.org>" \
	--header "X-Ticket-ID: SUP-9999" \
	--body "The printer in room 12 is smoking."
tap_ok $? "Postfix accepts the customer mail"
wait_for '^Message-I[dD]: <e2e-1@example.org>' 15
tap_ok $? "it reaches the sink"
first=$(sink_find '^Message-I[dD]: <e2e-1@example.org>')
[ "$(sink_header "$first" Subject)" = "[SUP-1001] Printer on fire" ]
tap_ok $? "subject tagged [SUP-1001] ($(sink_header "$first" Subject))"
[ "$(sink_body "$first" | grep -ci '^X-Ticket-ID:')" = 1 ] && [ "$(sink_header "$first" X-Ticket-ID)" = SUP-1001 ]
tap_ok $? "exactly one X-Ticket-ID, ours: the forged one was removed"
sink_header "$first" Reply-To | grep -Eq 'support\+sup-1001-[a-z2-7]{16}@example\.com'
tap_ok $? "Reply-To carries the signed gateway address"
[ "$(sink_header "$first" X-Ticket-Status)" = new ] && [ "$(sink_header "$first" X-Ticket-Queue)" = support ]
tap_ok $? "X-Ticket-Status and X-Ticket-Queue"

# 2. Its follow-up, as a mail client sends it: In-Reply-To only.
pf_send --from anna@example.org --to support@example.com \
	--header "From: Anna Customer <anna@example.org>" \
	--header "Subject: Re: Printer on fire" --header "Message-Id: <e2e-2@example.org>" \
	--header "In-Reply-To: <e2e-1@example.org>" --body "Now it is on fire."
wait_for '^Message-I[dD]: <e2e-2@example.org>' 15
second=$(sink_find '^Message-I[dD]: <e2e-2@example.org>')
[ "$(sink_header "$second" X-Ticket-ID)" = SUP-1001 ] && [ "$(sink_header "$second" Subject)" = "[SUP-1001] Re: Printer on fire" ]
tap_ok $? "the follow-up lands in SUP-1001"

# 3. Mail injected locally goes through non_smtpd_milters.
printf 'From: bob@example.org\nTo: help@example.com\nSubject: Local mail\nMessage-Id: <e2e-3@example.org>\n\nHello from the sendmail command.\n' \
	| pf_sendmail -i -f bob@example.org -- help@example.com
wait_for '^Message-I[dD]: <e2e-3@example.org>' 20
third=$(sink_find '^Message-I[dD]: <e2e-3@example.org>')
[ "$(sink_header "$third" X-Ticket-ID)" = SUP-1002 ]
tap_ok $? "locally injected mail is ticketed too (SUP-1002)"

# 4. Mail for anyone else passes untouched.
pf_send --from anna@example.org --to someone@example.net \
	--header "Subject: Lunch?" --header "Message-Id: <e2e-4@example.org>" --header "X-Ticket-ID: keep-me" --body "12:30?"
wait_for '^Message-I[dD]: <e2e-4@example.org>' 15
fourth=$(sink_find '^Message-I[dD]: <e2e-4@example.org>')
[ "$(sink_header "$fourth" Subject)" = "Lunch?" ] && [ "$(sink_header "$fourth" X-Ticket-ID)" = keep-me ] &&
	! sink_body "$fourth" | grep -qi '^Reply-To:'
tap_ok $? "mail for no queue arrives unchanged"

# 5. The store, seen through ticketctl.
json=$("$TM_CTL" -c "$conf" show SUP-1001 --json)
[ "$(echo "$json" | grep -o '"direction":"in"' | wc -l)" = 2 ] && echo "$json" | grep -q '"message_id":"e2e-2@example.org"'
tap_ok $? "ticketctl show SUP-1001 --json: both messages, in order"
[ "$("$TM_CTL" -c "$conf" list | wc -l)" = 2 ]
tap_ok $? "two tickets in all"
grep -Eq ' ticket-milter: info: [0-9A-F]{6,}: new ticket SUP-1001 .* elapsed=[0-9]+us' "$TM_DIR/main.log"
tap_ok $? "the log line names Postfix's queue id"
[ "$(stat -c %U "$TM_DIR/data/tickets.db")" = nobody ] && [ "$(stat -c %a "$TM_DIR/data/tickets.db")" = 600 ]
tap_ok $? "database owned by the daemon's user, mode 0600"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"

tap_done
