#!/bin/bash
# loops.sh - end to end: mail loops stop, and the test counts the mail.
#
# One private Postfix with two ticket-milter instances attached (A:
# support@a.example, B: support@b.example, each with its own
# configuration, database, secret and hostname), relaying everything to
# the sink.  Each instance delivers its acknowledgements by SMTP back
# into that Postfix, so each one's mail reaches the other's milter.
#
#   loop-rfc3834   B's queue address writes to A.  A acknowledges (null
#                  sender, Auto-Submitted); B tickets that and is silent.
#   loop-laundered the same, but with a bounce address on both sides and
#                  a forwarder in between that strips every robot mark
#                  (Auto-Submitted, X-Auto-Response-Suppress, Precedence,
#                  In-Reply-To, References, Reply-To) and replaces the
#                  subject: each acknowledgement arrives at the other
#                  side as a new customer's mail, and only the rate limit
#                  (3 per recipient per 10 minutes) stops the exchange.
#   autoresponder  naive autoresponders (a script reading the sink) that
#                  answer every mail without Auto-Submitted: one replies
#                  "Re: subject" with In-Reply-To, one replies to the
#                  Reply-To address, one sends a fixed subject and no
#                  references to the From address.
#
# For each: the exchange must go quiet, and each side may have sent at
# most the rate limit.  The counts are printed.
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin
RATE=3
MILTER_A=$MILTER_PORT
MILTER_B=$(pf_pick_port "$PF_SMTP_PORT" "$PF_SINK_PORT" "$MILTER_A")
LAUNDER_PORT=$(pf_pick_port "$PF_SMTP_PORT" "$PF_SINK_PORT" "$MILTER_A" "$MILTER_B")

# loop_config NAME SIDE MILTER-PORT OUTBOX-PORT [BOUNCE-ADDRESS]
loop_config() {
	cat >"$TM_DIR/$1.conf" <<CONF
[milter]
socket = inet:$3@127.0.0.1
database = $TM_DIR/$1.db
secret-file = $TM_DIR/$1.secret
hostname = support.$2.example
pid-file = $TM_DIR/$1.pid
templates = $top_srcdir/templates

[outbox]
smtp = 127.0.0.1:$4
retry-after = 1s
bounce-address = ${5:-}

[autoreply]
rate = $RATE/10m, 10/1d

[queue support]
name = Support $2
addresses = support@$2.example
tag = S${2^^}
CONF
}

# --- Postfix: the main port with both milters, and a laundering port --------
PF_MILTER=
pf_init "$TM_DIR/pf" >/dev/null
cat >"$PF_DIR/conf/launder.regexp" <<'EOF'
/^(Auto-Submitted|X-Auto-Response-Suppress|Precedence|In-Reply-To|References|Reply-To|X-Loop):/ IGNORE
/^Subject:/ REPLACE Subject: A question about my account
EOF
launder="127.0.0.1:$LAUNDER_PORT/inet"
postconf -c "$PF_DIR/conf" -e "smtpd_milters=inet:127.0.0.1:$MILTER_A inet:127.0.0.1:$MILTER_B" &&
	postconf -c "$PF_DIR/conf" -M "$launder=127.0.0.1:$LAUNDER_PORT inet n - n - - smtpd" \
		"launder/unix=launder unix n - n - 0 cleanup" &&
	postconf -c "$PF_DIR/conf" -P "$launder/smtpd_milters=" "$launder/cleanup_service_name=launder" \
		"$launder/content_filter=relay:[127.0.0.1]:$PF_SMTP_PORT" "$launder/syslog_name=postfix/launder" \
		"launder/unix/header_checks=regexp:$PF_DIR/conf/launder.regexp" &&
	_pf_backdate "$PF_DIR/conf/main.cf" "$PF_DIR/conf/master.cf" && sink_start && pf_start
tap_ok $? "private Postfix with two milters (A on $MILTER_A, B on $MILTER_B) and a laundering port started"

# rcpt_of FILE: the envelope recipients smtp-sink saw
rcpt_of() { sed -n 's/^X-Rcpt-Args: //p' "$1"; }
# sent_by NAME: acknowledgements an instance delivered (its outbox)
sent_by() { sqlite3 "$TM_DIR/$1.db" "PRAGMA busy_timeout=5000; SELECT count(*) FROM outbox WHERE state = 'sent'" | tail -n 1; }
pending_in() { sqlite3 "$TM_DIR/$1.db" "PRAGMA busy_timeout=5000; SELECT count(*) FROM outbox WHERE state IN ('queued','sending')" | tail -n 1; }
tickets_of() { sqlite3 "$TM_DIR/$1.db" "SELECT count(*) FROM tickets"; }
messages_in() { sqlite3 "$TM_DIR/$1.db" "SELECT count(*) FROM messages WHERE direction = 'in'"; }

# quiet NAME...: waits until the instances' outboxes and the Postfix queue
# are empty, the autoresponder (if any) has answered everything it got,
# and the sink has received nothing for 2 s (at most 90 s); false when
# the exchange did not stop.
quiet() {
	local n last=-1 still=0 name busy
	for _ in $(seq 1 180); do
		busy=$(pf_queue_count)
		for name in "$@"; do busy=$((busy + $(pending_in "$name"))); done
		n=$(sink_count)
		if [ "$busy" -eq 0 ] && [ "$n" -eq "$last" ] && ar_caught_up; then
			still=$((still + 1))
			[ "$still" -ge 4 ] && return 0
		else
			still=0
		fi
		last=$n
		sleep 0.5
	done
	return 1
}

# ar_caught_up: every message for an autoresponder at the sink is answered
# (the autoresponder writes its line once Postfix has taken the answer).
ar_caught_up() {
	local f got=0
	[ -e "$TM_DIR/autoresponses" ] || return 0
	for f in $(sink_files); do
		rcpt_of "$f" | grep -q '^<ar-[a-z]*@c\.example>' && got=$((got + 1))
	done
	[ "$got" -eq "$(wc -l <"$TM_DIR/autoresponses")" ]
}

# --- loop-rfc3834 ---------------------------------------------------------------
loop_config a1 a "$MILTER_A" "$PF_SMTP_PORT"
loop_config b1 b "$MILTER_B" "$PF_SMTP_PORT"
tm_start a1 && tm_start b1
tap_ok $? "instances A and B start (outbox into Postfix, null bounce address)"
t0=$SECONDS
pf_send --from support@b.example --to support@a.example --header "From: Support b <support@b.example>" \
	--header "Subject: Loop test: our order 4711" --header "Message-Id: <loop-1@b.example>" \
	--body "Please check our order 4711." >/dev/null
quiet a1 b1
tap_ok $? "the exchange between A and B stops"
a_sent=$(sent_by a1)
b_sent=$(sent_by b1)
tap_diag "loop-rfc3834: A sent $a_sent, B sent $b_sent; A has $(tickets_of a1) ticket(s), B $(tickets_of b1); $((SECONDS - t0)) s"
[ "$a_sent" -eq 1 ] && [ "$b_sent" -eq 0 ]
tap_ok $? "A acknowledged once, B did not answer the acknowledgement (RFC 3834)"
grep -q 'no acknowledgement: null sender' "$TM_DIR/b1.log"
tap_ok $? "B logs why: null sender"
printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' loop-rfc3834 \
	"two instances, B's queue address writes to A" $(($(messages_in a1) + $(messages_in b1))) \
	$(($(tickets_of a1) + $(tickets_of b1))) $((a_sent + b_sent)) - - -

# --- autoresponders -------------------------------------------------------------
# autoresponder: answers every message at the sink for ar-*@c.example,
# once, to the From address (or Reply-To for ar-replyto), as a naive
# vacation program does: no Auto-Submitted, no Precedence.
autoresponder() {
	local f seen=" " mode to from subject mid n=0
	while :; do
		for f in $(sink_files); do
			case "$seen" in *" $f "*) continue ;; esac
			seen="$seen$f "
			to=$(rcpt_of "$f" | grep -o '^<ar-[a-z]*@c\.example>' | tr -d '<>')
			[ -n "$to" ] || continue
			mode=${to%@*}
			mode=${mode#ar-}
			from=$(sink_header "$f" From | grep -o '[^<> ]*@[^<> ]*' | head -n 1)
			[ "$mode" = replyto ] && from=$(sink_header "$f" Reply-To | grep -o '[^<> ]*@[^<> ]*' | head -n 1)
			subject=$(sink_header "$f" Subject)
			mid=$(sink_header "$f" Message-Id)
			n=$((n + 1))
			case "$mode" in
			thread | replyto)
				pf_send --from "$to" --to "$from" --header "From: <$to>" --header "Subject: Re: $subject" \
					--header "In-Reply-To: $mid" --header "References: $mid" \
					--header "Message-Id: <ar-$mode-$n@c.example>" \
					--body "I am out of the office until Monday." >/dev/null ;;
			fresh)
				pf_send --from "$to" --to "$from" --header "From: <$to>" --header "Subject: Thank you for your message" \
					--header "Message-Id: <ar-$mode-$n@c.example>" \
					--body "Thank you for your message.  We will get back to you." >/dev/null ;;
			esac
			echo "$mode" >>"$TM_DIR/autoresponses"
		done
		sleep 0.3
	done
}
: >"$TM_DIR/autoresponses"
autoresponder &
ar_pid=$!
for mode in thread replyto fresh; do
	pf_send --from "ar-$mode@c.example" --to support@a.example --header "From: Customer <ar-$mode@c.example>" \
		--header "Subject: My invoice is wrong ($mode)" --header "Message-Id: <ar-$mode-0@c.example>" \
		--body "Hello, my invoice of March is wrong." >/dev/null
done
t0=$SECONDS
quiet a1 b1
stopped=$?
kill "$ar_pid" 2>/dev/null
wait "$ar_pid" 2>/dev/null
tap_ok $stopped "the exchanges with the autoresponders stop"
for mode in thread replyto fresh; do
	acks=$(sqlite3 "$TM_DIR/a1.db" "SELECT count(*) FROM outbox WHERE recipient = 'ar-$mode@c.example' AND state = 'sent'")
	at_sink=0
	for f in $(sink_files); do
		rcpt_of "$f" | grep -q "^<ar-$mode@c.example>" && at_sink=$((at_sink + 1))
	done
	replies=$(grep -c "^$mode\$" "$TM_DIR/autoresponses")
	tickets=$(sqlite3 "$TM_DIR/a1.db" "SELECT count(*) FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE c.address = 'ar-$mode@c.example'")
	tap_diag "autoresponder-$mode: A sent $acks acknowledgement(s) ($at_sink at the sink), the autoresponder $replies repl(y/ies), $tickets ticket(s)"
	case $mode in
	thread | replyto) want=1 ;;
	fresh) want=$RATE ;;
	esac
	[ "$acks" -eq "$want" ] && [ "$at_sink" -eq "$acks" ] && [ "$replies" -eq "$acks" ]
	tap_ok $? "autoresponder ($mode): stops after $want acknowledgement(s), as many replies (got $acks, $replies)"
	printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "autoresponder-$mode" \
		"a naive autoresponder answering every mail ($mode)" $((1 + replies)) "$tickets" "$acks" - - -
done
grep -q 'no acknowledgement: rate limit for this recipient reached' "$TM_DIR/a1.log"
tap_ok $? "A logs the rate limit that stopped the fresh-subject autoresponder"
tm_stop a1
tm_stop b1
tm_check_clean a1 && tm_check_clean b1
tap_ok $? "no sanitizer reports in the daemons' logs"

# --- loop-laundered -----------------------------------------------------------
loop_config a2 a "$MILTER_A" "$LAUNDER_PORT" helpdesk@a.example
loop_config b2 b "$MILTER_B" "$LAUNDER_PORT" helpdesk@b.example
tm_start a2 && tm_start b2
tap_ok $? "instances A and B restart with bounce addresses, their mail through the laundering forwarder"
t0=$SECONDS
pf_send --from support@b.example --to support@a.example --header "From: Support b <support@b.example>" \
	--header "Subject: Loop test: our order 4712" --header "Message-Id: <loop-2@b.example>" \
	--body "Please check our order 4712." >/dev/null
quiet a2 b2
tap_ok $? "the laundered exchange between A and B stops"
a_sent=$(sent_by a2)
b_sent=$(sent_by b2)
tap_diag "loop-laundered: A sent $a_sent, B sent $b_sent; A has $(tickets_of a2) ticket(s), B $(tickets_of b2); $((SECONDS - t0)) s"
[ "$a_sent" -ge 1 ] && [ "$a_sent" -le "$RATE" ] && [ "$b_sent" -le "$RATE" ]
tap_ok $? "each side sent at most the rate limit ($RATE): A $a_sent, B $b_sent"
laundered=$(sink_find '^Subject: .*A question about my account')
[ -n "$laundered" ] && ! sink_body "$laundered" | grep -qi '^Auto-Submitted:'
tap_ok $? "the forwarder really stripped Auto-Submitted"
printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' loop-laundered \
	"two instances acknowledging each other through a forwarder that strips robot headers" \
	$(($(messages_in a2) + $(messages_in b2))) $(($(tickets_of a2) + $(tickets_of b2))) $((a_sent + b_sent)) - - -
tm_stop a2
tm_stop b2
tm_check_clean a2 && tm_check_clean b2
tap_ok $? "no sanitizer reports in the daemons' logs"
tap_done
