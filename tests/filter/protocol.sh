#!/bin/bash
# protocol.sh - ticket-filter on its own, between swaks or a raw client
# and an smtp-sink standing for the MTA's return port: -n, SMTP with
# pipelining, dot-stuffing both ways, several messages on one
# connection, the size limit, a command line too long, the connection
# limit, mail for no queue untouched, an agent's reply (AUTH=) rewritten,
# a store fault and a refused or absent return port answered 451 (and
# the message passed on once they heal), LMTP with one reply per
# recipient, and shutdown.  Room: tests.
. "$top_srcdir/tests/filter/filter-lib.sh"
filter_begin
tap_diag "scratch directory $TM_DIR (kept with TM_KEEP=1)"

filter_config main "max-connections = 3
max-size = 64k" "max-message-size = 32k
busy-timeout = 1000
trusted-networks = 192.0.2.0/24" "agents = agent@example.com"
"$TM_CTL" -c "$TM_DIR/main.conf" init >/dev/null
"$TF_BIN" -n -c "$TM_DIR/main.conf" >"$TM_DIR/n.out" 2>&1
tap_ok $? "ticket-filter -n accepts the configuration ($(tail -n 1 "$TM_DIR/n.out"))"
sed 's/^reinject = .*//' "$TM_DIR/main.conf" >"$TM_DIR/noreinject.conf"
! "$TF_BIN" -n -c "$TM_DIR/noreinject.conf" >"$TM_DIR/n2.out" 2>&1 && grep -q '\[filter\] reinject is not set' "$TM_DIR/n2.out"
tap_ok $? "-n refuses a configuration without [filter] reinject, saying so"
! "$TM_BIN" -n -c "$TM_DIR/main.conf" >"$TM_DIR/n3.out" 2>&1 && grep -q '\[milter\] socket is not set' "$TM_DIR/n3.out"
tap_ok $? "ticket-milter refuses the same file: it has no [milter] socket"

return_start && filter_start main
tap_ok $? "ticket-filter listens on $FILTER_PORT, re-injecting to $RETURN_PORT"

out=$(printf 'EHLO mta.example.com\nQUIT\n' | smtp_raw "$FILTER_PORT")
echo "$out" | grep -q '^220 support.example.com ESMTP' && echo "$out" | grep -q '^250-PIPELINING' &&
	echo "$out" | grep -q '^250-SIZE 65536' && echo "$out" | grep -q '^250-8BITMIME' && echo "$out" | grep -q '^250 XFORWARD'
tap_ok $? "greeting and EHLO: PIPELINING, SIZE 65536, 8BITMIME, XFORWARD"

# 1. A new ticket through swaks, pipelined, with dot-stuffed lines.
out=$(filter_send --pipeline --from anna@example.org --to support@example.com \
	--header "From: Anna Customer <anna@example.org>" --header "Subject: Printer on fire" \
	--header "Message-Id: <f-1@example.org>" --header "X-Ticket-ID: SUP-9999" \
	--body $'The printer smokes.\n.starts with a dot\n..two dots\n.')
echo "$out" >"$TM_DIR/swaks1.out"
echo "$out" | grep -q '^<-  250 2.0.0 Ok: F[0-9A-F]* passed on'
tap_ok $? "the final dot is answered 250 once the message was passed on"
f=$(returned 'f-1@example.org')
tap_ok $? "the message reached the return port"
grep -q '^Subject: \[SUP-1001\] Printer on fire' "$f" && [ "$(grep -c '^X-Ticket-ID:' "$f")" = 1 ] &&
	grep -q '^X-Ticket-ID: SUP-1001' "$f" && grep -Eq '^Reply-To: .*support\+sup-1001-[a-z2-7]{16}@example\.com' "$f"
tap_ok $? "tagged: subject, one X-Ticket-ID (the forged one gone), the signed Reply-To"
grep -q '^X-Rcpt-Args: <support@example.com>' "$f" && grep -q '^X-Mail-Args: <anna@example.org>' "$f"
tap_ok $? "the envelope as it came: sender and recipient"
grep -qx '.starts with a dot' "$f" && grep -qx '..two dots' "$f" && grep -qx '.' "$f"
tap_ok $? "dot-stuffed lines arrive as they were written (unstuffed in, stuffed again out)"
[ "$(tm_acks main anna@example.org)" = 1 ]
tap_ok $? "the customer's acknowledgement left through the outbox"
grep -Eq 'info: F[0-9A-F]+: new ticket SUP-1001 from=<anna@example.org> evidence=claimed .* elapsed=' "$TM_DIR/main.log"
tap_ok $? "the milter's log line, under the filter's own message id"

# 2. Two messages on one connection, every command in one write; the
# follow-up threads.
out=$(smtp_raw "$FILTER_PORT" <<'SMTP'
EHLO mta.example.com
MAIL FROM:<anna@example.org> BODY=8BITMIME
RCPT TO:<support@example.com>
DATA
From: Anna Customer <anna@example.org>
Subject: Re: Printer on fire
Message-Id: <f-2@example.org>
In-Reply-To: <f-1@example.org>

Now it burns.
.
MAIL FROM:<bob@example.org>
RCPT TO:<someone@example.net>
DATA
Subject: Lunch?
Message-Id: <f-3@example.org>
X-Ticket-ID: keep-me

12:30?
.
QUIT
SMTP
)
[ "$(echo "$out" | grep -c '^250 2.0.0 Ok: F[0-9A-F]* passed on')" = 2 ] && echo "$out" | grep -q '^221 '
tap_ok $? "two pipelined messages on one connection, each answered 250"
f=$(returned 'f-2@example.org') && grep -q '^X-Ticket-ID: SUP-1001' "$f" && grep -q '^Subject: \[SUP-1001\] Re: Printer' "$f"
tap_ok $? "the follow-up is threaded into SUP-1001"
f=$(returned 'f-3@example.org') && grep -q '^X-Ticket-ID: keep-me' "$f" && ! grep -q '^Reply-To:' "$f" &&
	grep -q '^X-Rcpt-Args: <someone@example.net>' "$f"
tap_ok $? "mail for no queue passes untouched"

# 3. An authenticated agent's reply: the MTA says who logged in (AUTH=).
tok=$(grep -o 'support+sup-1001-[a-z2-7]*@example.com' "$(returned 'f-1@example.org')" | head -n 1)
out=$(smtp_raw "$FILTER_PORT" <<SMTP
EHLO mta.example.com
MAIL FROM:<agent@example.com> AUTH=agent@example.com
RCPT TO:<$tok>
DATA
From: Agent <agent@example.com>
Subject: Re: [SUP-1001] Printer on fire
Message-Id: <f-4@example.com>

Switch it off, please.
.
QUIT
SMTP
)
f=$(returned 'Switch it off') && grep -q '^X-Rcpt-Args: <anna@example.org>' "$f" && ! grep -q "^X-Rcpt-Args: <$tok>" "$f" &&
	grep -Eq '^From: "?Agent via Example Support"? <support@example.com>' "$f"
tap_ok $? "an authenticated agent's reply goes to the customer, from the support identity"
grep -Eq 'info: F[0-9A-F]+: reply for SUP-1001 from agent <agent@example.com>: 1 recipient\(s\) removed, 1 added' "$TM_DIR/main.log"
tap_ok $? "logged as the agent's reply"

# 4. Limits: SIZE at MAIL, the data itself, a command line too long.
out=$(printf 'EHLO x\nMAIL FROM:<a@example.org> SIZE=99999999\nQUIT\n' | smtp_raw "$FILTER_PORT")
echo "$out" | grep -q '^552 5.3.4'
tap_ok $? "MAIL with SIZE over max-size is refused 552"
big=$(head -c 70000 /dev/zero | tr '\0' 'x' | fold -w 76)
out=$(filter_send --from anna@example.org --to support@example.com --header "Message-Id: <f-big@example.org>" --body "$big")
echo "$out" | grep -q '^<\*\* 552 5.3.4' && ! returned 'f-big@example.org' >/dev/null
tap_ok $? "a message over max-size is read to its end and refused 552, not passed on"
out=$( { echo "EHLO x"; printf 'NOOP %5000s\n' x; echo "NOOP"; echo "QUIT"; } | smtp_raw "$FILTER_PORT")
echo "$out" | grep -q '^500 5.5.2 Line too long' && echo "$out" | grep -q '^221 '
tap_ok $? "a command line over 4 KB is answered 500 and the session goes on"
echo "$out" >"$TM_DIR/long.out"
mid=$(head -c 40000 /dev/zero | tr '\0' 'y' | fold -w 76)
out=$(filter_send --from carol@example.org --to support@example.com --header "Message-Id: <f-mid@example.org>" \
	--header "Subject: Big log" --body "$mid")
f=$(returned 'f-mid@example.org') && grep -q '^X-Ticket-ID: SUP-1002' "$f" && [ "$(grep -c '^y' "$f")" -ge 500 ] &&
	grep -q 'over a limit: .*max-message-size.*recording what could be read' "$TM_DIR/main.log"
tap_ok $? "over max-message-size: on-limit = record tags it, and the whole message goes back"

# 5. Connection limit (max-connections = 3).
exec 7<>"/dev/tcp/127.0.0.1/$FILTER_PORT" 8<>"/dev/tcp/127.0.0.1/$FILTER_PORT" 9<>"/dev/tcp/127.0.0.1/$FILTER_PORT"
sleep 0.3
out=$(printf 'QUIT\n' | smtp_raw "$FILTER_PORT")
exec 7>&- 8>&- 9>&-
echo "$out" | grep -q '^421 4.3.2 .*too many connections'
tap_ok $? "a connection over max-connections is told 421"
sleep 0.5

# 6. The return port refuses the message, then is down: 451, nothing lost.
return_stop
return_start -r .
out=$(filter_send --from dave@example.org --to support@example.com --header "Message-Id: <f-5@example.org>" --header "Subject: Retry me")
echo "$out" | grep -q '^<\*\* 451 4.4.0'
tap_ok $? "the return port refusing the message: the MTA is told 451"
return_stop
out=$(filter_send --from dave@example.org --to support@example.com --header "Message-Id: <f-5@example.org>" --header "Subject: Retry me")
echo "$out" | grep -q '^<\*\* 451 4.4.0' && grep -q 'tempfail: re-injection to 127.0.0.1:[0-9]* failed' "$TM_DIR/main.log"
tap_ok $? "the return port down: 451 too, with the cause in the log"
return_start
out=$(filter_send --from dave@example.org --to support@example.com --header "Message-Id: <f-5@example.org>" --header "Subject: Retry me")
f=$(returned 'f-5@example.org') && grep -q '^X-Ticket-ID: SUP-1003' "$f" && grep -q 'redelivery of SUP-1003' "$TM_DIR/main.log"
tap_ok $? "the MTA's retry passes: recorded once (a redelivery), tagged the same"

# 7. A store fault: another writer holds the lock past busy-timeout.
rm -f "$TM_DIR/lock.fifo"; mkfifo "$TM_DIR/lock.fifo"
sqlite3 "$TM_DIR/main.db" <"$TM_DIR/lock.fifo" >"$TM_DIR/lock.out" 2>&1 &
lock_pid=$!
exec 6>"$TM_DIR/lock.fifo"
printf '.timeout 10000\nBEGIN IMMEDIATE;\nSELECT '"'held'"';\n' >&6
for _ in $(seq 1 50); do grep -qx held "$TM_DIR/lock.out" && break; sleep 0.1; done
out=$(filter_send --from erin@example.org --to support@example.com --header "Message-Id: <f-6@example.org>" --header "Subject: Store down")
echo "$out" | grep -q '^<\*\* 451 4.3.0' && ! returned 'f-6@example.org' >/dev/null 2>&1
tap_ok $? "a store fault: 451 4.3.0, and nothing passed on"
printf 'ROLLBACK;\n.quit\n' >&6
exec 6>&-
wait "$lock_pid"
out=$(filter_send --from erin@example.org --to support@example.com --header "Message-Id: <f-6@example.org>" --header "Subject: Store down")
f=$(returned 'f-6@example.org') && grep -q '^X-Ticket-ID: SUP-1004' "$f"
tap_ok $? "the retry after the fault is recorded and passed on"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the filter's log"

# 8. LMTP: one reply per recipient.
filter_config lmtp "protocol = lmtp"
filter_start lmtp
out=$(smtp_raw "$FILTER_PORT" <<'SMTP'
LHLO mta.example.com
MAIL FROM:<frank@example.org>
RCPT TO:<support@example.com>
RCPT TO:<help@example.com>
DATA
From: frank@example.org
Subject: Over LMTP
Message-Id: <f-7@example.org>

Hello.
.
QUIT
SMTP
)
echo "$out" | grep -q '^220 support.example.com LMTP' &&
	[ "$(echo "$out" | grep -c '^250 2.0.0 Ok: F[0-9A-F]* passed on')" = 2 ]
tap_ok $? "LMTP: LHLO, and two replies to the final dot for two recipients"
f=$(returned 'f-7@example.org') && grep -q '^X-Ticket-ID: SUP-1001' "$f" && [ "$(grep -c '^X-Rcpt-Args:' "$f")" = 2 ]
tap_ok $? "passed on once, to both recipients"
out=$(printf 'EHLO x\nQUIT\n' | smtp_raw "$FILTER_PORT")
echo "$out" | grep -q '^500 5.5.1 This is LMTP'
tap_ok $? "LMTP refuses EHLO"
tm_stop lmtp
grep -q 'ticket-filter stopped' "$TM_DIR/lmtp.log"
tap_ok $? "SIGTERM stops it cleanly"
tm_check_clean lmtp
tap_ok $? "no sanitizer reports in the LMTP filter's log"

tap_done
