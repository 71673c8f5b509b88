#!/bin/bash
# deliver.sh - ticketctl deliver, the pipe command: a customer mail read
# on standard input comes out tagged on standard output (exit 0), with
# procmail's "From " line kept; its acknowledgement, rendered from the
# templates, leaves through the outbox; a follow-up threads; mail for no
# queue comes out unchanged; --reinject hands the message to [outbox]
# smtp instead; a store fault exits 75 with nothing printed, and the
# same message run again later is recorded once.  Room: tests.
. "$top_srcdir/tests/filter/filter-lib.sh"
filter_begin
tap_diag "scratch directory $TM_DIR (kept with TM_KEEP=1)"

filter_config main "" "busy-timeout = 1000"
"$TM_CTL" -c "$TM_DIR/main.conf" init >/dev/null
deliver() { "$TM_CTL" -c "$TM_DIR/${CONF:-main}.conf" deliver "$@" 2>>"$TM_DIR/deliver.log"; }

printf 'From anna@example.org Mon Dec  7 10:00:00 2026\nFrom: Anna Customer <anna@example.org>\nTo: support@example.com\nSubject: Printer on fire\nMessage-Id: <d-1@example.org>\nX-Ticket-ID: SUP-9999\n\nIt smokes.\n.\n' |
	deliver --recipient support@example.com >"$TM_DIR/out1"
tap_ok $? "a customer mail: exit 0"
head -n 1 "$TM_DIR/out1" | grep -q '^From anna@example.org ' && grep -q '^Subject: \[SUP-1001\] Printer on fire$' "$TM_DIR/out1" &&
	[ "$(grep -c '^X-Ticket-ID:' "$TM_DIR/out1")" = 1 ] && grep -q '^X-Ticket-ID: SUP-1001$' "$TM_DIR/out1" &&
	grep -Eq '^Reply-To: .*support\+sup-1001-[a-z2-7]{16}@example\.com' "$TM_DIR/out1" && tail -n 2 "$TM_DIR/out1" | grep -qx 'It smokes.'
tap_ok $? "written tagged to standard output, the From line first, the body unchanged"
! grep -q $'\r' "$TM_DIR/out1"
tap_ok $? "with LF line ends, as a delivery agent expects"
[ "$(tm_acks main anna@example.org)" = 1 ]
tap_ok $? "its acknowledgement left through the outbox, to the sender of the From line"
# Rendered from the queue's templates as a daemon renders it: the
# ticket, the subject, the promise as a date in words, every tag filled.
ack=$(python3 - "$TM_DIR/main.sent" anna@example.org <<'PY'
import email, email.policy, glob, sys
for path in sorted(glob.glob(sys.argv[1] + "/*-" + sys.argv[2])):
    m = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
    print("Subject:", m["Subject"])
    print("Content-Language:", m.get("Content-Language", ""))
    print(m.get_body(("plain",)).get_content())
    print(m.get_body(("html",)).get_content())
PY
)
echo "$ack" | grep -qx 'Subject: \[SUP-1001\] We’ve received your request: Printer on fire' &&
	echo "$ack" | grep -qx 'Content-Language: en' && echo "$ack" | grep -q 'logged it as ticket SUP-1001\.' &&
	echo "$ack" | grep -Eq "You’ll hear from us by [A-Z][a-z]+day, [A-Z][a-z]+ [0-9]+, 20[0-9][0-9] at [0-9]+:[0-9][0-9]" &&
	echo "$ack" | grep -q '^Example Support$' && echo "$ack" | grep -qi '<html' && ! echo "$ack" | grep -q '{{'
tap_ok $? "... rendered from the templates: the ticket, the subject, the promise in words, text and HTML"

printf 'From: Anna Customer <anna@example.org>\nSubject: Re: Printer on fire\nMessage-Id: <d-2@example.org>\nIn-Reply-To: <d-1@example.org>\n\nStill smoking.\n' |
	deliver --recipient support@example.com --sender '<anna@example.org>' >"$TM_DIR/out2"
[ $? = 0 ] && grep -q '^X-Ticket-ID: SUP-1001$' "$TM_DIR/out2"
tap_ok $? "its follow-up threads into SUP-1001"

printf 'Subject: Lunch?\nX-Ticket-ID: keep-me\n\n12:30?\n' | deliver --recipient someone@example.net >"$TM_DIR/out3"
[ $? = 0 ] && printf 'Subject: Lunch?\nX-Ticket-ID: keep-me\n\n12:30?\n' | cmp -s - "$TM_DIR/out3"
tap_ok $? "mail for no queue comes out unchanged"

# --reinject: through [outbox] smtp.
return_start
sed "s|^command = .*|smtp = 127.0.0.1:$RETURN_PORT|" "$TM_DIR/main.conf" >"$TM_DIR/smtp.conf"
printf 'From: Bob <bob@example.org>\nSubject: Reinjected\nMessage-Id: <d-4@example.org>\n\nHello.\n' |
	CONF=smtp deliver --recipient help@example.com --sender bob@example.org --reinject >"$TM_DIR/out4"
rc=$?
f=$(returned '^Message-Id: <d-4@example.org>')
[ $rc = 0 ] && [ ! -s "$TM_DIR/out4" ] && grep -q '^X-Ticket-ID: SUP-1002' "$f" && grep -q '^X-Rcpt-Args: <help@example.com>' "$f" &&
	grep -q '^X-Mail-Args: <bob@example.org>' "$f"
tap_ok $? "--reinject: nothing on standard output, the tagged message handed to the outbox's SMTP relay"

# A store fault: another writer holds the lock past busy-timeout.
rm -f "$TM_DIR/lock.fifo"; mkfifo "$TM_DIR/lock.fifo"
sqlite3 "$TM_DIR/main.db" <"$TM_DIR/lock.fifo" >"$TM_DIR/lock.out" 2>&1 &
lock_pid=$!
exec 6>"$TM_DIR/lock.fifo"
printf '.timeout 10000\nBEGIN IMMEDIATE;\nSELECT '"'held'"';\n' >&6
for _ in $(seq 1 50); do grep -qx held "$TM_DIR/lock.out" && break; sleep 0.1; done
msg='From: Carol <carol@example.org>\nSubject: Store down\nMessage-Id: <d-5@example.org>\n\nHello?\n'
printf "$msg" | deliver --recipient support@example.com --sender carol@example.org >"$TM_DIR/out5"
rc=$?
[ $rc = 75 ] && [ ! -s "$TM_DIR/out5" ] && grep -q 'tempfail: ' "$TM_DIR/deliver.log"
tap_ok $? "a store fault: exit 75 (EX_TEMPFAIL), nothing written (exit $rc)"
printf 'ROLLBACK;\n.quit\n' >&6
exec 6>&-
wait "$lock_pid"
printf "$msg" | deliver --recipient support@example.com --sender carol@example.org >"$TM_DIR/out6" &&
	grep -q '^X-Ticket-ID: SUP-1003$' "$TM_DIR/out6"
tap_ok $? "run again after the fault: recorded and written (SUP-1003)"
printf "$msg" | deliver --recipient support@example.com --sender carol@example.org >"$TM_DIR/out7" &&
	grep -q '^X-Ticket-ID: SUP-1003$' "$TM_DIR/out7" && [ "$("$TM_CTL" -c "$TM_DIR/main.conf" list | wc -l)" = 3 ]
tap_ok $? "once more: a redelivery, the same headers, no new ticket"

deliver --sender x@example.org </dev/null >/dev/null
[ $? = 64 ]
tap_ok $? "without --recipient: a usage error (64)"

tap_done
