#!/bin/bash
# reload.sh - end to end: SIGUSR1 behind a private Postfix.
#
# A broken configuration file is refused and the running one stays in
# effect (mail still gets the old queue name).  A good one applies to new
# connections, while an SMTP session held open across the reload (a slow
# client, stopped in the middle of its message) is not dropped: its
# message completes and is ticketed under the configuration its
# connection started with.  The queue's display name, which the milter
# writes into Reply-To, tells which configuration handled a message.
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin
conf=$TM_DIR/main.conf

write_config() { # write_config QUEUE-NAME [EXTRA-LINE]
	{ e2e_milter_section "$TM_DIR/data/tickets.db"; cat <<CONF
${2:-}

[outbox]
smtp = 127.0.0.1:$PF_SINK_PORT
retry-after = 1s

[queue support]
name = $1
addresses = support@example.com
tag = SUP
CONF
	} >"$conf"
}

# log_wait PATTERN COUNT: until the daemon's log holds COUNT lines matching.
log_wait() {
	local i
	for i in $(seq 1 100); do
		[ "$(grep -c "$1" "$TM_DIR/main.log")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# reply_to_of MESSAGE-ID: the Reply-To of that message at the sink.
reply_to_of() {
	local f
	f=$(sink_find "^Message-I[dD]: <$1>") && sink_header "$f" Reply-To
}

customer_mail() { # customer_mail MESSAGE-ID
	pf_send --from "$1" --to support@example.com --header "From: Customer <$1>" \
		--header "Subject: Question $1" --header "Message-Id: <$1>" --body "Hello, a question about my order."
}

# A hand-driven SMTP session on file descriptor 5, for the slow client.
smtp_reply() { # reads one reply; prints its last line; fails unless CODE
	local line
	while IFS= read -r -t 30 line <&5; do
		line=${line%$'\r'}
		echo "< $line" >>"$TM_DIR/held.transcript"
		if [[ $line =~ ^[0-9]{3}\  ]]; then
			echo "$line"
			[[ $line == "$1"* ]]
			return
		fi
	done
	return 1
}
smtp_say() { printf '%s\r\n' "$@" >&5; printf '> %s\n' "$@" >>"$TM_DIR/held.transcript"; }

write_config "Example Support"
# A reload as soon as the pid file names the daemon (a service manager
# may send it then) must not kill it: SIGUSR1's default action would.
"$TM_CTL" -c "$conf" init >/dev/null
"$TM_BIN" -f -c "$conf" 2>>"$TM_DIR/main.log" &
echo $! >"$TM_DIR/main.bgpid"
for i in $(seq 1 3000); do
	[ -s "$TM_DIR/main.pid" ] && break
	sleep 0.01
done
kill -USR1 "$(cat "$TM_DIR/main.pid")"
log_wait "configuration $conf reloaded" 1 && kill -0 "$(cat "$TM_DIR/main.pid")"
tap_ok $? "ticket-milter starts, and a SIGUSR1 right after its pid file appears reloads it"
pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
tap_ok $? "private Postfix and sink started"

# --- a broken file ------------------------------------------------------------
write_config "Broken Name" "garbage line without an equals sign"
kill -USR1 "$(cat "$TM_DIR/main.pid")"
log_wait "reload of $conf failed; keeping the running configuration" 1 &&
	grep -q "reload: $conf:[0-9]*: expected \"key = value\"" "$TM_DIR/main.log"
tap_ok $? "SIGUSR1 with a broken file: refused, with FILE:LINE, the running configuration kept"
kill -0 "$(cat "$TM_DIR/main.pid")" && customer_mail before@customer.example && wait_for "^Message-I[dD]: <before@customer.example>" 20
tap_ok $? "the daemon keeps working"
reply_to_of before@customer.example | grep -q '^"\?Example Support"\? <support+sup-'
tap_ok $? "and still under the old configuration ($(reply_to_of before@customer.example))"

# --- a good file, with a session in progress ----------------------------------
rc=0
exec 5<>"/dev/tcp/127.0.0.1/$PF_SMTP_PORT" || rc=1
smtp_reply 220 >/dev/null || rc=1
smtp_say "EHLO slow.customer.example"
smtp_reply 250 >/dev/null || rc=1
smtp_say "MAIL FROM:<held@customer.example>"
smtp_reply 250 >/dev/null || rc=1
smtp_say "RCPT TO:<support@example.com>"
smtp_reply 250 >/dev/null || rc=1
smtp_say "DATA"
smtp_reply 354 >/dev/null || rc=1
smtp_say "From: Slow Customer <held@customer.example>" "To: support@example.com" \
	"Subject: Question held@customer.example" "Message-Id: <held@customer.example>" "Date: $(date -R)" "" \
	"Hello, this message was begun before the reload"
tap_ok $rc "a slow client is in the middle of its message"

write_config "Example Helpdesk"
kill -USR1 "$(cat "$TM_DIR/main.pid")"
log_wait "configuration $conf reloaded" 2
tap_ok $? "SIGUSR1 with a good file: reloaded"
customer_mail after@customer.example && wait_for "^Message-I[dD]: <after@customer.example>" 20 &&
	reply_to_of after@customer.example | grep -q '^"\?Example Helpdesk"\? <support+sup-'
tap_ok $? "a new connection gets the new configuration ($(reply_to_of after@customer.example))"

smtp_say "and completed after it." "."
reply=$(smtp_reply 250)
tap_ok $? "the session held open across the reload is not dropped: its message is accepted ($reply)"
smtp_say "QUIT"
smtp_reply 221 >/dev/null
exec 5>&-
wait_for "^Message-I[dD]: <held@customer.example>" 20 &&
	reply_to_of held@customer.example | grep -q '^"\?Example Support"\? <support+sup-'
tap_ok $? "it is ticketed under the configuration its connection started with ($(reply_to_of held@customer.example))"
wait_for "^In-Reply-To: <before@customer.example>" 20 && wait_for "^In-Reply-To: <held@customer.example>" 20 &&
	wait_for "^In-Reply-To: <after@customer.example>" 20
tap_ok $? "all three are acknowledged"
tickets=$("$TM_CTL" -c "$conf" list | wc -l)
acks=0
for id in before held after; do
	[ -n "$(sink_find "^In-Reply-To: <$id@customer.example>")" ] && acks=$((acks + 1))
done
printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "reload: SIGUSR1" \
	"a broken file, then a good one while an SMTP session was held open mid-message" \
	3 "$tickets" "$acks" $((3 - tickets)) 0 "$(awk '/^VmHWM:/ { print $2 }' "/proc/$(cat "$TM_DIR/main.pid")/status")"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
