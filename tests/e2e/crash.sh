#!/bin/bash
# crash.sh - end to end: no message lost or recorded twice, and no
# acknowledgement lost or sent twice, while the milter is killed with
# SIGKILL under load.
#
# 2,000 customer messages (one customer each; one in ten is a follow-up
# to an earlier one) go over 20 parallel SMTP sessions (smtp-source, one
# run per message: smtp-source sends the same file every time, and the
# messages must differ) into a private Postfix.  That Postfix is set up
# as a sending MTA in front of a receiving one, in one instance: the
# port the load arrives on queues the mail and relays it (content_filter)
# to a second smtpd, the one with ticket-milter attached and
# milter_default_action = tempfail, which relays to the sink.  So when
# the milter is dead the mail waits in the queue, as it would at a real
# sending MTA, and is retried.  ticket-milter is killed with SIGKILL
# four times (at 15, 35, 55 and 75 % of the messages processed) and
# restarted; its acknowledgements go straight to the sink by [outbox]
# smtp.  Then the queue is flushed until empty and the outbox drained.
#
# Checked and printed: messages accepted, message rows in the store (one
# per accepted message), inbound copies at the sink (one each), tickets,
# acknowledgements at the sink per ticket (duplicates and missing counted
# separately), PRAGMA integrity_check.  TM_CRASH_MESSAGES and
# TM_CRASH_KILLS change the load (the sanitizer build uses fewer
# messages; the figures say what was used).
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin
command -v smtp-source >/dev/null || tap_skip_all "smtp-source not installed (postfix package)"
command -v sqlite3 >/dev/null || tap_skip_all "sqlite3 not installed"

SESSIONS=20
if [ -n "${TM_CRASH_MESSAGES:-}" ]; then
	N=$TM_CRASH_MESSAGES
elif grep -q -- '-fsanitize=' "$top_builddir/Makefile" 2>/dev/null; then
	N=1000	# the sanitizer build is three to five times slower
else
	N=2000
fi
KILLS=${TM_CRASH_KILLS:-4}
FOLLOWUPS=$((N / 10))
INNER_PORT=$(pf_pick_port "$PF_SMTP_PORT" "$PF_SINK_PORT" "$MILTER_PORT")
conf=$TM_DIR/main.conf
db=$TM_DIR/data/tickets.db
started=$SECONDS

{ e2e_milter_section "$db"; cat <<CONF

[outbox]
smtp = 127.0.0.1:$PF_SINK_PORT
retry-after = 1s

# Every one of the N new tickets is acknowledged: no queue-wide limit.
[autoreply]
queue-rate = 1000000/1m

[queue support]
name = Example Support
addresses = support@example.com
tag = SUP
CONF
} >"$conf"

# --- the messages ----------------------------------------------------------
# Message i comes from customer i.  The last FOLLOWUPS messages are
# follow-ups: message N-FOLLOWUPS+j answers message j (same customer,
# In-Reply-To and References), so that the original was sent long before.
# The list is "SENDER FILE" per line, in sending order.
mkdir -p "$TM_DIR/mail"
awk -v n="$N" -v f="$FOLLOWUPS" -v dir="$TM_DIR/mail" -v date="$(date -R)" 'BEGIN {
	for (i = 1; i <= n; i++) {
		num = sprintf("%05d", i)
		c = (i > n - f) ? i - (n - f) : i
		cust = sprintf("c%05d@customers.example", c)
		file = dir "/" num ".eml"
		printf "From: Customer %05d <%s>\n", c, cust > file
		printf "To: Example Support <support@example.com>\n" > file
		printf "Date: %s\n", date > file
		printf "Message-ID: <crash-%s@customers.example>\n", num > file
		if (i > n - f) {
			printf "Subject: Re: Crash load %05d: the printer in room %d does not print\n", c, c > file
			printf "In-Reply-To: <crash-%05d@customers.example>\n", c > file
			printf "References: <crash-%05d@customers.example>\n", c > file
		} else {
			printf "Subject: Crash load %s: the printer in room %d does not print\n", num, i > file
		}
		printf "\nHello,\n\nthis is message %s of the crash test.  The printer in room %d\n", num, c > file
		printf "stopped printing this morning.  Could you please have a look?\n\nThanks\n" > file
		close(file)
		print cust, file > (dir "/list")
	}
}'

# --- the daemon and the two-stage Postfix ------------------------------------
tm_start main
tap_ok $? "ticket-milter starts"
PF_MILTER=
pf_init "$TM_DIR/pf" >/dev/null
front="127.0.0.1:$PF_SMTP_PORT/inet"
inner="127.0.0.1:$INNER_PORT/inet"
postconf -c "$PF_DIR/conf" -M "$inner=127.0.0.1:$INNER_PORT inet n - n - - smtpd" &&
	postconf -c "$PF_DIR/conf" -P "$front/content_filter=relay:[127.0.0.1]:$INNER_PORT" \
		"$inner/content_filter=" "$inner/syslog_name=postfix/inner" \
		"$inner/smtpd_milters=$(_pf_milter_spec "$MILTER_SOCKET")" &&
	_pf_backdate "$PF_DIR/conf/master.cf" && sink_start && pf_start
tap_ok $? "private Postfix (load on $PF_SMTP_PORT, milter on $INNER_PORT) and sink started"

# --- load and kills ----------------------------------------------------------
processed() { grep -Ec ': (new ticket|follow-up to|redelivery of) ' "$TM_DIR/main.log"; }
peak_kb=0
note_peak() { # the daemon's peak resident memory so far (VmHWM)
	local kb
	kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$(cat "$TM_DIR/main.bgpid")/status" 2>/dev/null)
	[ -n "$kb" ] && [ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
}

: >"$TM_DIR/sent.ok"
: >"$TM_DIR/sent.failed"
load_start=$SECONDS
# One sh and one smtp-source per message; "$0" is the server, xargs
# appends the sender and the file.
export CRASH_DIR=$TM_DIR
# shellcheck disable=SC2016 # expanded by the inner sh
xargs -P "$SESSIONS" -n 2 sh -c 'if smtp-source -4 -f "$1" -t support@example.com -F "$2" "$0" >/dev/null 2>&1
	then echo "$2" >>"$CRASH_DIR/sent.ok"; else echo "$2" >>"$CRASH_DIR/sent.failed"; fi' "127.0.0.1:$PF_SMTP_PORT" \
	<"$TM_DIR/mail/list" &
load_pid=$!
killed=0
for k in $(seq 1 "$KILLS"); do
	at=$((N * (20 * k - 5) / 100))
	for i in $(seq 1 1800); do	# at most 180 s per step
		[ "$(processed)" -ge "$at" ] && break
		sleep 0.1
	done
	note_peak
	kill -KILL "$(cat "$TM_DIR/main.bgpid")"
	wait "$(cat "$TM_DIR/main.bgpid")" 2>/dev/null
	killed=$((killed + 1))
	tap_diag "SIGKILL $k after $(processed) messages processed, $((SECONDS - load_start)) s into the load"
	sleep 1	# mail piles up in the queue meanwhile
	rm -f "$TM_DIR/main.pid"
	tm_start main || break
done
tap_ok $((killed == KILLS ? 0 : 1)) "ticket-milter killed $killed times with SIGKILL and restarted"
wait "$load_pid"
sent_ok=$(wc -l <"$TM_DIR/sent.ok")
sent_failed=$(wc -l <"$TM_DIR/sent.failed")
tap_ok $((sent_ok == N ? 0 : 1)) "Postfix accepted all $N messages from $SESSIONS parallel sessions ($sent_ok accepted, $sent_failed refused)"

# The queue: flush until empty (bounded).
for i in $(seq 1 120); do
	[ "$(pf_queue_count)" -eq 0 ] && break
	pf_flush
	sleep 1
done
[ "$(pf_queue_count)" -eq 0 ]
tap_ok $? "the Postfix queue is empty after flushing ($(pf_queue_count) left)"
# The outbox: until nothing is queued or being sent (bounded).
outbox_pending() {
	runuser -u nobody -- sqlite3 "$db" "PRAGMA busy_timeout=5000; SELECT count(*) FROM outbox WHERE state IN ('queued','sending')" 2>/dev/null | tail -n 1
}
for _ in $(seq 1 600); do
	[ "$(outbox_pending)" = 0 ] && break
	sleep 0.2
done
[ "$(outbox_pending)" = 0 ]
tap_ok $? "the outbox is drained"
note_peak
load_seconds=$((SECONDS - load_start))
tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"

# --- counting ----------------------------------------------------------------
q() { sqlite3 "$db" "$1"; }
[ "$(q 'PRAGMA integrity_check')" = ok ]
tap_ok $? "PRAGMA integrity_check: ok"

# One line per sink file: kind (ack or in), Message-ID, In-Reply-To,
# X-Ticket-ID, from the header section only.
sink_files | xargs -r awk '
	function out() { if (seen) print (auto != "" ? "ack" : "in"), mid, irt, tid }
	FNR == 1 { out(); seen = 1; phase = 0; auto = ""; mid = irt = tid = "-" }
	phase == 0 { if (/^Received: /) phase = 1; next }	# smtp-sink prologue
	phase == 1 { if (/^[ \t]/) next; phase = 2 }		# and its Received header
	phase == 3 { next }					# the body
	/^$/ { phase = 3; next }
	{
		name = tolower($1)
		if (name == "auto-submitted:") auto = $2
		else if (name == "message-id:" && mid == "-") mid = $2
		else if (name == "in-reply-to:" && irt == "-") irt = $2
		else if (name == "x-ticket-id:" && tid == "-") tid = $2
	}
	END { out() }' >"$TM_DIR/sink.tsv"

accepted=$sent_ok
rows=$(q "SELECT count(*) FROM messages WHERE direction = 'in' AND message_id LIKE 'crash-%'")
rows_distinct=$(q "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in' AND message_id LIKE 'crash-%'")
rows_missing=$((accepted - rows_distinct))
rows_dup=$((rows - rows_distinct))
in_at_sink=$(awk '$1 == "in" && $2 ~ /^<crash-/' "$TM_DIR/sink.tsv" | wc -l)
in_distinct=$(awk '$1 == "in" && $2 ~ /^<crash-/ { print $2 }' "$TM_DIR/sink.tsv" | sort -u | wc -l)
in_missing=$((accepted - in_distinct))
in_dup=$((in_at_sink - in_distinct))
tickets=$(q "SELECT count(*) FROM tickets")
joined=$(q "SELECT count(*) FROM messages m WHERE m.direction = 'in' AND m.message_id LIKE 'crash-%'
	AND m.id <> (SELECT min(id) FROM messages WHERE ticket_id = m.ticket_id)")
acks_queued=$(q "SELECT count(*) FROM outbox WHERE kind = 'ack'")
acks_sent=$(q "SELECT count(*) FROM outbox WHERE kind = 'ack' AND state = 'sent'")
# Acknowledgements at the sink per ticket.
q "SELECT tag || '-' || number FROM tickets" | sort >"$TM_DIR/tickets.txt"
awk '$1 == "ack" { print $4 }' "$TM_DIR/sink.tsv" | sort | uniq -c | awk '{ print $2, $1 }' >"$TM_DIR/acks.txt"
acks_at_sink=$(awk '$1 == "ack"' "$TM_DIR/sink.tsv" | wc -l)
acks_missing=$(join -a 1 "$TM_DIR/tickets.txt" "$TM_DIR/acks.txt" | awk 'NF == 1' | wc -l)
acks_dup=$(awk '$2 > 1 { d += $2 - 1 } END { print d + 0 }' "$TM_DIR/acks.txt")
acks_stray=$(join -v 2 "$TM_DIR/tickets.txt" "$TM_DIR/acks.txt" | wc -l)
# What the outbox's log says about the restarts: deliveries its journal
# recorded as sent, and entries caught in the middle of a delivery and
# queued again.  Only the latter can arrive twice: the relay may have
# taken the message just before the kill (RFC 1047; see
# src/sender/journal.h).
journal_recorded=$(sed -n 's/.*outbox: \([0-9]*\) entr.* delivered just before a crash recorded as sent.*/\1/p' "$TM_DIR/main.log" |
	awk '{ n += $1 } END { print n + 0 }')
requeued=$(sed -n 's/.*outbox: \([0-9]*\) entr.* left half-sent by a crash queued again.*/\1/p' "$TM_DIR/main.log" |
	awk '{ n += $1 } END { print n + 0 }')

tap_diag "load: $N messages ($((N - FOLLOWUPS)) new, $FOLLOWUPS follow-ups) over $SESSIONS sessions, $killed SIGKILLs; $load_seconds s from the first message to the drained outbox"
tap_diag "messages: $accepted accepted by Postfix, $rows_distinct in the store ($rows_missing missing, $rows_dup duplicated), $in_distinct at the sink ($in_missing missing, $in_dup duplicated)"
tap_diag "tickets: $tickets ($joined follow-ups joined their ticket; $((FOLLOWUPS - joined)) arrived before their original and opened one)"
tap_diag "acknowledgements: $acks_queued written to the outbox, $acks_sent marked sent, $acks_at_sink at the sink: $acks_missing tickets without one, $acks_dup duplicated, $acks_stray for no ticket"
tap_diag "outbox after the kills: $journal_recorded deliveries recorded as sent from the journal, $requeued entries caught mid-delivery and sent again"
tap_diag "peak resident memory of the daemon: $peak_kb KB; whole test $((SECONDS - started)) s"

tap_ok $((rows_missing == 0 && rows_dup == 0 ? 0 : 1)) "every accepted message has exactly one message row ($rows_missing missing, $rows_dup duplicated)"
tap_ok $((in_missing == 0 && in_dup == 0 ? 0 : 1)) "every accepted message reached the sink exactly once ($in_missing missing, $in_dup duplicated)"
tap_ok $((acks_queued == tickets && acks_sent == tickets ? 0 : 1)) "every ticket has one acknowledgement in the outbox, marked sent ($tickets tickets, $acks_queued queued, $acks_sent sent)"
tap_ok $((acks_missing == 0 && acks_stray == 0 ? 0 : 1)) "every ticket's acknowledgement reached the sink ($acks_missing missing)"
tap_ok $((acks_dup <= requeued ? 0 : 1)) "no acknowledgement reached the sink twice but one caught mid-delivery by a kill ($acks_dup duplicated, $requeued caught)"

printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' crash \
	"$N msgs over $SESSIONS SMTP sessions, milter SIGKILLed $killed times and restarted" \
	"$accepted" "$tickets" "$acks_at_sink" $((rows_missing + in_missing + acks_missing)) \
	$((rows_dup + in_dup + acks_dup)) "$peak_kb"
tap_done
