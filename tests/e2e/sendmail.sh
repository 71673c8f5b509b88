#!/bin/bash
# sendmail.sh - end to end through a real Sendmail: Debian 12's
# sendmail-bin, fetched and unpacked into a private tree
# (sendmail-lib.sh), with ticket-milter attached by INPUT_MAIL_FILTER
# (F=T) on a unix socket, relaying to a capturing smtp-sink.
#
# Room: tests.
#
# Customers write from 127.0.0.2; the office is 127.0.0.1, the only
# trusted network, so an agent's mail from there is authenticated (no
# SMTP AUTH: Cyrus SASL would need files outside a private tree).  The
# outbox submits by SMTP to the same Sendmail.
#
#   1. a new ticket: subject tag, every X-Ticket-* header, the signed
#      Reply-To, a forged X-Ticket-ID removed;
#   2. its acknowledgement reaches the customer through Sendmail;
#   3. a follow-up by In-Reply-To joins the ticket;
#   4. the agent's reply to the gateway address is rewritten for the
#      customer; the agent's address from outside is a spoof attempt;
#   5. a note reaches the other agent, never the customer in Cc;
#   6. mail for anyone else passes untouched;
#   7. every line the daemon wrote for these carries Sendmail's queue id;
#   8. a store fault (the write lock held past busy-timeout) is 451 4.3.0
#      to the client, and its retry is ticketed once;
#   9. the daemon down: F=T makes Sendmail answer 4xx, and the retry
#      after the restart is ticketed.
#
# The packages are cached in the build tree (tests/e2e/sendmail-debs);
# without them and no way to fetch them, the test skips.
. "$top_srcdir/tests/e2e/e2e.sh"
. "$top_srcdir/tests/e2e/sendmail-lib.sh"
e2e_begin
for tool in sqlite3 runuser unshare; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool not installed"
done
SM_DEBS=$top_builddir/tests/e2e/sendmail-debs
sm_fetch || tap_skip_all "Sendmail's Debian packages: $SM_WHY"
SM_SMTP_PORT=$PF_SMTP_PORT
SM_SINK_PORT=$PF_SINK_PORT
SM_MILTER=unix:$TM_DIR/milter.sock
sm_init "$TM_DIR/sm" || tap_skip_all "Sendmail from Debian's packages cannot run here: $SM_WHY"

conf=$TM_DIR/main.conf
db=$TM_DIR/data/tickets.db
mkdir -p "$TM_DIR/data"
chown nobody "$TM_DIR/data"
trap 'exec 7>&- 2>/dev/null; sm_cleanup; e2e_cleanup' EXIT

MILTER_SOCKET=$SM_MILTER
{ e2e_milter_section "$db"; cat <<CONF
# The office: mail from there is an agent's when it is from an agent's address.
trusted-networks = 127.0.0.1/32
# Short, so that a held lock outlasts it at once.
busy-timeout = 1000

[outbox]
smtp = 127.0.0.1:$SM_SMTP_PORT
retry-after = 1s

[queue support]
name = Example Support
addresses = support@example.com
tag = SUP
agents = alice@example.com, bob@example.com
CONF
} >"$conf"

# --- helpers ----------------------------------------------------------------

must() { # must STATUS DESCRIPTION: what everything after depends on
	tap_ok "$1" "$2"
	[ "$1" -eq 0 ] || { echo "Bail out! $2"; exit 1; }
}
ctl() { "$TM_CTL" -c "$conf" "$@"; }
log_has() { grep -q -- "$1" "$TM_DIR/main.log"; }
until_true() { # until_true SECONDS COMMAND...
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS >= deadline)) && return 1
		sleep 0.1
	done
}
# sink_rcpts FILE: the envelope recipients of a sink dump, one a line.
sink_rcpts() {
	awk '/^Received: /{ exit } /^X-Rcpt-Args: /{ gsub(/[<>]/, "", $2); print $2 }' "$1"
}
# rcpts_of_message PATTERN: every envelope recipient of every dump whose
# message matches PATTERN.
rcpts_of_message() {
	local f
	for f in $(sink_files); do
		sink_body "$f" | grep -q "$1" && sink_rcpts "$f"
	done
}

# send NAME FROM-ADDR SWAKS-ARGS...: one message; swaks' dialogue in
# $TM_DIR/NAME.smtp, Sendmail's queue id (from its 250 to the final
# dot) in QID[NAME].  Customers write from 127.0.0.2, agents (agent_send)
# from the office.
declare -A QID
send_from() {
	local ip=$1 name=$2 from=$3 rc
	shift 3
	sm_send --local-interface "$ip" --from "$from" "$@" >"$TM_DIR/$name.smtp" 2>&1
	rc=$?
	QID[$name]=$(sed -n 's/^<-  250 2\.0\.0 \([0-9A-Za-z]\{8,\}\) Message accepted for delivery.*/\1/p' "$TM_DIR/$name.smtp" | tail -n 1)
	return $rc
}
customer_send() { send_from 127.0.0.2 "$@"; }
agent_send() { send_from 127.0.0.1 "$@"; }

# --- start ------------------------------------------------------------------

"$TM_CTL" -c "$conf" init >/dev/null
"$TM_BIN" -n -c "$conf" >"$TM_DIR/check.out" 2>&1
tap_ok $? "-n accepts the configuration"
tm_start main
must $? "ticket-milter starts on $SM_MILTER"
sink_start && sm_start
must $? "Sendmail (Debian's sendmail-bin, unpacked) and the sink started (smtp $SM_SMTP_PORT, sink $SM_SINK_PORT)"
tap_diag "$(_sm_sendmail -d0.1 -bt -C "$SM_DIR/conf/sendmail.cf" </dev/null 2>&1 | head -n 1)"

# The shipped snippet in place of the test's filter line builds a .cf
# with the filter, and Sendmail reads it without an error.
cf=$SM_DIR/root/usr/share/sendmail/cf
sed "s|^INPUT_MAIL_FILTER(.*|include(\`$top_srcdir/conf/sendmail.mc')dnl|" "$SM_DIR/conf/sendmail.mc" >"$TM_DIR/shipped.mc" &&
	m4 -D_CF_DIR_="$cf/" "$cf/m4/cf.m4" "$TM_DIR/shipped.mc" >"$TM_DIR/shipped.cf" 2>/dev/null &&
	grep -qxF 'Xticket-milter, S=unix:/run/ticket-milter/milter.sock, F=T, T=S:30s;R:60s;E:5m' "$TM_DIR/shipped.cf" &&
	grep -qx 'O InputMailFilters=ticket-milter' "$TM_DIR/shipped.cf" &&
	! _sm_sendmail -bt -C "$TM_DIR/shipped.cf" </dev/null 2>&1 | grep -i 'error\|unknown\|line [0-9]'
tap_ok $? "conf/sendmail.mc builds into a sendmail.cf Sendmail reads, with the filter on"

# --- 1. a new ticket ----------------------------------------------------------

customer_send new anna@example.org --to support@example.com \
	--header "From: Anna Customer <anna@example.org>" --header "Subject: Printer on fire" \
	--header "Message-Id: <sm-1@example.org>" --header "X-Ticket-ID: SUP-9999" \
	--header "X-Ticket-Status: closed" --header "X-Ticket-ID: SUP-9998" --header "X-Ticket-Queue:" \
	--body "The printer in room 12 is smoking."
must $? "1: Sendmail accepts the customer's mail (queue id ${QID[new]})"
wait_for '^Message-I[dD]: <sm-1@example.org>' 20
must $? "1: it reaches the sink"
first=$(sink_find '^Message-I[dD]: <sm-1@example.org>')
[ "$(sink_header "$first" Subject)" = "[SUP-1001] Printer on fire" ]
tap_ok $? "1: subject tagged ($(sink_header "$first" Subject))"
# Sendmail numbers headers for smfi_chgheader its own way: two forged
# X-Ticket-IDs, a forged status and an empty forged queue must all go.
[ "$(sink_body "$first" | grep -ci '^X-Ticket-ID:')" = 1 ] && [ "$(sink_header "$first" X-Ticket-ID)" = SUP-1001 ] &&
	[ "$(sink_body "$first" | grep -ci '^X-Ticket-Status:')" = 1 ] && [ "$(sink_header "$first" X-Ticket-Status)" = new ] &&
	[ "$(sink_body "$first" | grep -ci '^X-Ticket-Queue:')" = 1 ]
tap_ok $? "1: one X-Ticket-ID, X-Ticket-Status and X-Ticket-Queue each, ours: the forged ones are gone"
[ "$(sink_header "$first" X-Ticket-Priority)" = normal ] && [ "$(sink_header "$first" X-Ticket-Queue)" = support ] &&
	sink_header "$first" X-Ticket-Evidence >/dev/null && sink_header "$first" X-Ticket-Due >/dev/null
tap_ok $? "1: X-Ticket-Priority, X-Ticket-Queue, X-Ticket-Evidence and X-Ticket-Due"
tap_diag "$(sink_body "$first" | grep -i '^\(X-Ticket-\|Subject:\|Reply-To:\)')"
gateway=$(sink_header "$first" Reply-To | grep -o 'support+sup-1001-[a-z2-7]\{16\}@example\.com')
must $? "1: Reply-To is the signed gateway address"
token=${gateway#support+}
token=${token%@example.com}

# --- 2. the acknowledgement ----------------------------------------------------

wait_for '^In-Reply-To: <sm-1@example.org>' 20
ack=$(sink_find '^In-Reply-To: <sm-1@example.org>')
tap_ok $? "2: the acknowledgement reaches the sink through Sendmail"
[ "$(sink_rcpts "$ack")" = anna@example.org ] && [ "$(sink_header "$ack" Auto-Submitted)" = auto-replied ] &&
	[ "$(sink_header "$ack" X-Ticket-ID)" = SUP-1001 ] && sink_header "$ack" Received | grep -q 'by mx\.test\.example (8\.17'
tap_ok $? "2: to anna@example.org, auto-replied, X-Ticket-ID SUP-1001, with Sendmail's Received"

# --- 3. a follow-up -------------------------------------------------------------

customer_send followup anna@example.org --to support@example.com \
	--header "From: Anna Customer <anna@example.org>" --header "Subject: Re: Printer on fire" \
	--header "Message-Id: <sm-2@example.org>" --header "In-Reply-To: <sm-1@example.org>" \
	--body "Now it is on fire."
wait_for '^Message-I[dD]: <sm-2@example.org>' 20
second=$(sink_find '^Message-I[dD]: <sm-2@example.org>')
[ "$(sink_header "$second" X-Ticket-ID)" = SUP-1001 ] && [ "$(sink_header "$second" Subject)" = "[SUP-1001] Re: Printer on fire" ] &&
	[ "$(tm_ticket_of main sm-2@example.org)" = SUP-1001 ] && [ "$(ctl list | wc -l)" = 1 ]
tap_ok $? "3: the follow-up joins SUP-1001"

# --- 4. the agent's reply ---------------------------------------------------------

agent_send reply alice@example.com --to "$gateway" \
	--header "From: Alice Agent <alice@example.com>" --header "To: $gateway" \
	--header "Subject: Re: [SUP-1001] Printer on fire" --header "Message-Id: <alice-1@example.com>" \
	--header "In-Reply-To: <sm-1@example.org>" \
	--body $'#priority urgent\n\nPlease switch the printer off and on again.'
wait_for '^Please switch the printer off and on again' 20
reply=$(sink_find '^Please switch the printer off and on again')
tap_ok $? "4: the agent's reply from the office reaches the sink"
sink_header "$reply" From | grep -q '^"\?Alice Agent via Example Support"\? <support@example.com>$' &&
	[ "$(sink_rcpts "$reply")" = anna@example.org ] &&
	! rcpts_of_message '^Please switch the printer' | grep -qiF "$gateway"
tap_ok $? "4: rewritten: From \"Alice Agent via Example Support\", to anna@example.org alone, not the gateway"
sink_header "$reply" Message-Id | grep -Eq '^<tm\.sup-1001\.[a-z2-7]+\.[a-z2-7]{16}@support\.example\.com>$' &&
	sink_header "$reply" References | grep -qF '<sm-1@example.org>' &&
	[ "$(sink_header "$reply" X-Ticket-ID)" = SUP-1001 ] && sink_header "$reply" Subject | grep -qF '[SUP-1001]' &&
	! sink_body "$reply" | grep -q '^#priority'
tap_ok $? "4: a signed Message-ID, the thread's References, the tag, no command line"
[ "$(ctl list | awk -F'\t' '$1 == "SUP-1001" { gsub(/ /, "", $3); print $3 }')" = urgent ]
tap_ok $? "4: the agent's #priority urgent is applied"

customer_send spoof alice@example.com --to "$gateway" \
	--header "From: Alice Agent <alice@example.com>" --header "Subject: Re: [SUP-1001] Printer on fire" \
	--header "Message-Id: <spoof-1@evil.example>" --body $'#status closed\n\nAll done.'
wait_for '^Message-I[dD]: <spoof-1@evil.example>' 20 &&
	until_true 5 log_has 'spoof attempt: <alice@example.com> .*client 127.0.0.2'
tap_ok $? "4: the agent's address from 127.0.0.2 is a spoof attempt ({client_addr} reaches the milter)"
spoof=$(sink_find '^Message-I[dD]: <spoof-1@evil.example>')
[ "$(sink_rcpts "$spoof")" = "$gateway" ] && sink_body "$spoof" | grep -q '^#status closed' &&
	[ "$(ctl list | awk -F'\t' '$1 == "SUP-1001" { gsub(/ /, "", $2); print $2 }')" != closed ]
tap_ok $? "4: not rewritten, and its #status closed closes nothing"

# --- 5. a note ---------------------------------------------------------------------

note=support+$token-note@example.com
agent_send note alice@example.com --to "$note,anna@example.org" \
	--header "From: Alice Agent <alice@example.com>" --header "To: $note" \
	--header "Cc: Anna Customer <anna@example.org>" --header "Subject: Anna sounds upset" \
	--header "Message-Id: <note-1@example.com>" --body "She called twice; please call her back."
wait_for '^Message-I[dD]: <note-1@example.com>' 20
sm_queue_empty_wait 10
rcpts=$(rcpts_of_message '^Message-I[dD]: <note-1@example.com>')
[ "$rcpts" = bob@example.com ]
tap_ok $? "5: the note reaches bob@example.com and nobody else (envelope: ${rcpts//$'\n'/ })"

# --- 6. mail for anyone else ----------------------------------------------------------

customer_send other anna@example.org --to someone@example.net \
	--header "Subject: Lunch?" --header "Message-Id: <sm-other@example.org>" --header "X-Ticket-ID: keep-me" --body "12:30?"
wait_for '^Message-I[dD]: <sm-other@example.org>' 20
other=$(sink_find '^Message-I[dD]: <sm-other@example.org>')
[ "$(sink_header "$other" Subject)" = "Lunch?" ] && [ "$(sink_header "$other" X-Ticket-ID)" = keep-me ]
tap_ok $? "6: mail for anyone else passes untouched"

# --- 7. the queue id ------------------------------------------------------------------

rc=0
for name in new followup reply spoof note; do
	qid=${QID[$name]:-}
	lines=$(grep -c -- " $qid: " "$TM_DIR/main.log")
	[ -n "$qid" ] && [ "$lines" -ge 1 ] || rc=1
	tap_diag "$name: queue id ${qid:-none}, $lines line(s): $(grep -- " $qid: " "$TM_DIR/main.log" | head -n 1 | cut -c1-160)"
done
! grep -q 'NOQUEUE' "$TM_DIR/main.log" || rc=1
tap_ok $rc "7: each message's lines in the daemon's log name Sendmail's queue id, none says NOQUEUE"

# --- 8. a store fault ---------------------------------------------------------------------

# Another writer holds the write lock (as in faults.sh) until released.
rm -f "$TM_DIR/lock.fifo"
mkfifo -m 0644 "$TM_DIR/lock.fifo"
runuser -u nobody -- sqlite3 "$db" <"$TM_DIR/lock.fifo" >"$TM_DIR/lock.out" 2>&1 &
lock_pid=$!
exec 7>"$TM_DIR/lock.fifo"
printf '.timeout 10000\nBEGIN IMMEDIATE;\nSELECT '"'held'"';\n' >&7
until_true 10 grep -qx held "$TM_DIR/lock.out"
tap_ok $? "8: another process holds the store's write lock"
customer_send fault carl@example.org --to support@example.com \
	--header "From: Carl Customer <carl@example.org>" --header "Subject: Invoice missing" \
	--header "Message-Id: <sm-fault@example.org>" --body "Where is my invoice?"
grep -q '^<\*\* *451 4\.3\.0 Ticket system temporarily unavailable' "$TM_DIR/fault.smtp"
tap_ok $? "8: the client is told 451 4.3.0 at the final dot"
qid=$(sed -n 's/.* error: \([0-9A-Za-z]\{8,\}\): tempfail: .*/\1/p' "$TM_DIR/main.log" | tail -n 1)
[ -n "$qid" ] && [ "$(grep -c -- "error: $qid: tempfail: .*\(locked\|busy\)" "$TM_DIR/main.log")" = 1 ]
tap_ok $? "8: one log line, with the queue id ($qid) and the cause"
printf 'ROLLBACK;\n.quit\n' >&7
exec 7>&-
wait "$lock_pid"
customer_send fault2 carl@example.org --to support@example.com \
	--header "From: Carl Customer <carl@example.org>" --header "Subject: Invoice missing" \
	--header "Message-Id: <sm-fault@example.org>" --body "Where is my invoice?"
tap_ok $? "8: after the lock is released, the client's retry is accepted"
wait_for '^In-Reply-To: <sm-fault@example.org>' 20
fault_ticket=$(tm_ticket_of main sm-fault@example.org)
[ "$fault_ticket" = SUP-1002 ] &&
	[ "$(sqlite3 -readonly "$db" "SELECT count(*) FROM messages WHERE message_id = 'sm-fault@example.org'")" = 1 ]
tap_ok $? "8: ticketed once ($fault_ticket) and acknowledged"

# --- 9. the daemon down ------------------------------------------------------------------------

tm_stop main
customer_send down dora@example.org --to support@example.com \
	--header "From: Dora Customer <dora@example.org>" --header "Subject: Login fails" \
	--header "Message-Id: <sm-down@example.org>" --body "I cannot log in."
tap_diag "$(grep '^<\*\*' "$TM_DIR/down.smtp" | head -n 1)"
grep -q '^<\*\* *4[0-9][0-9] ' "$TM_DIR/down.smtp" && [ -z "${QID[down]}" ]
tap_ok $? "9: with the milter down, Sendmail answers 4xx (F=T) and keeps nothing"
tm_start main
must $? "9: ticket-milter starts again"
customer_send down2 dora@example.org --to support@example.com \
	--header "From: Dora Customer <dora@example.org>" --header "Subject: Login fails" \
	--header "Message-Id: <sm-down@example.org>" --body "I cannot log in."
wait_for '^In-Reply-To: <sm-down@example.org>' 20 && [ "$(tm_ticket_of main sm-down@example.org)" = SUP-1003 ]
tap_ok $? "9: the retry after the restart is ticketed (SUP-1003) and acknowledged"

sm_queue_empty_wait 10
tap_ok $? "Sendmail's queue is empty at the end"
tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
