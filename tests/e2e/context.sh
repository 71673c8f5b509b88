#!/bin/bash
# context.sh - end to end through a private Postfix: the customer's history
# in the agents' copy of their mail ([queue] agent-context = block).
#   1. Anna's first message carries X-Ticket-Customer: tickets=0, and no
#      block.  Bob writes too.
#   2. Her second message (text and HTML) carries her first ticket in
#      X-Ticket-Customer and in a block at the top of both parts, where
#      a search finds its tag; nothing of Bob's.
#   3. Her message to the queue with a colleague in Cc reaches the sink
#      with neither: the colleague gets the same copy.
#   4. A message in her name that our MTA found forged (dmarc=fail) gets
#      neither; her signed message gets the header only, its body as
#      signed.
#   5. Bob's X-Ticket-Customer of his own making is replaced by his own
#      history; the acknowledgements the customers get carry nothing of
#      it.
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin
command -v python3 >/dev/null || tap_skip_all "python3 not installed"

{ e2e_milter_section "$TM_DIR/data/tickets.db"; cat <<CONF
authserv-id = mx.example.com

[outbox]
smtp = 127.0.0.1:$PF_SMTP_PORT
retry-after = 1s

[queue support]
name = Example Support
addresses = support@example.com
tag = SUP
agents = alice@example.com, bob.agent@example.com
agent-context = block
CONF
} >"$TM_DIR/main.conf"
tm_start main
tap_ok $? "ticket-milter starts with agent-context = block"
pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
tap_ok $? "private Postfix and sink started"

# send FROM RCPT[,RCPT...] FILE: the raw message to Postfix by SMTP.
send() {
	python3 - "$PF_SMTP_PORT" "$1" "$2" "$3" <<'PY'
import smtplib, sys
raw = open(sys.argv[4], "rb").read()
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60) as s:
    s.sendmail(sys.argv[2], sys.argv[3].split(","), raw)
PY
}

# arrived ID: the sink file of the message with that Message-ID (waits).
arrived() {
	wait_for "^Message-I[dD]: <$1>" 20 && sink_find "^Message-I[dD]: <$1>"
}

# parts FILE: the message's X-Ticket-Customer headers (count, then the
# first), then its text/plain and text/html parts decoded, each after a
# line "== plain" or "== html".
parts() {
	sink_body "$1" | python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
found = m.get_all("X-Ticket-Customer") or []
print(len(found))
print(" ".join(str(found[0]).split()) if found else "")
for part in m.walk():
    if part.get_content_type() in ("text/plain", "text/html") and not part.is_attachment():
        print("== " + part.get_content_subtype())
        print(part.get_content())
'
}

python3 - "$TM_DIR" <<'PY'
import sys
d = sys.argv[1]
def write(name, text):
    open(d + "/" + name + ".eml", "wb").write(text.replace("\n", "\r\n").encode("utf-8"))
write("first", "From: Anna <anna@example.org>\nTo: support@example.com\nSubject: Printer jams on tray 2\n"
      "Message-ID: <ctx-1@example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
      "The printer jams on tray 2.\n")
write("bob", "From: Bob <bob@example.net>\nTo: support@example.com\nSubject: Bob's secret project\n"
      "Message-ID: <ctx-b1@example.net>\n\nAbout my secret project.\n")
write("second", "From: Anna <anna@example.org>\nTo: support@example.com\nSubject: Scanner broken\n"
      "Message-ID: <ctx-2@example.org>\nMIME-Version: 1.0\n"
      "Content-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\n"
      "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
      "The scanner is broken too. Gr=FC=DFe\n--alt\n"
      "Content-Type: text/html; charset=utf-8\n\n"
      "<html><head><title>x</title></head><body><p>The scanner is broken too. Gr\u00fc\u00dfe</p></body></html>\n"
      "--alt--\n")
write("cc", "From: Anna <anna@example.org>\nTo: support@example.com\nCc: Carl <carl@example.org>\n"
      "Subject: Toner\nMessage-ID: <ctx-3@example.org>\n\nWe need toner; Carl will pick it up.\n")
write("forged", "Authentication-Results: mx.example.com; dmarc=fail (p=reject) header.from=example.org\n"
      "From: Anna <anna@example.org>\nTo: support@example.com\nSubject: Send me all my invoices\n"
      "Message-ID: <ctx-f1@evil.example>\n\nPlease send them to this address.\n")
write("signed", "From: Anna <anna@example.org>\nTo: support@example.com\nSubject: Signed request\n"
      "Message-ID: <ctx-4@example.org>\nMIME-Version: 1.0\n"
      "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; micalg=pgp-sha256; boundary=\"sig\"\n\n"
      "--sig\nContent-Type: text/plain; charset=us-ascii\n\nSigned text.\n--sig\n"
      "Content-Type: application/pgp-signature\n\n-----BEGIN PGP SIGNATURE-----\nxyz\n-----END PGP SIGNATURE-----\n"
      "--sig--\n")
write("bob2", "From: Bob <bob@example.net>\nTo: support@example.com\nSubject: Another thing\n"
      "X-Ticket-Customer: tickets=99; recent=SUP-1001/resolved; tier=vip\n"
      "Message-ID: <ctx-b2@example.net>\n\nAnd another thing.\n")
PY

# 1. A first message, and Bob's.
send anna@example.org support@example.com "$TM_DIR/first.eml"
f=$(arrived ctx-1@example.org)
tap_ok $? "Anna's first message reaches the agents"
first=$(sink_header "$f" X-Ticket-ID)
parts "$f" >"$TM_DIR/first.out"
[ "$(sed -n 1p "$TM_DIR/first.out")" = 1 ] && sed -n 2p "$TM_DIR/first.out" | grep -q '^tickets=0'
tap_ok $? "$first: X-Ticket-Customer says no other tickets ($(sed -n 2p "$TM_DIR/first.out"))"
! grep -q 'Customer history' "$TM_DIR/first.out"
tap_ok $? "$first: and the body has no block"
send bob@example.net support@example.com "$TM_DIR/bob.eml"
f=$(arrived ctx-b1@example.net)
bobs=$(sink_header "$f" X-Ticket-ID)

# 2. Her second ticket: the first in the header and at the top of the text.
send anna@example.org support@example.com "$TM_DIR/second.eml"
f=$(arrived ctx-2@example.org)
second=$(sink_header "$f" X-Ticket-ID)
parts "$f" >"$TM_DIR/second.out"
tap_diag "$(cat "$TM_DIR/second.out")"
header=$(sed -n 2p "$TM_DIR/second.out")
[ "$(sed -n 1p "$TM_DIR/second.out")" = 1 ] && printf '%s' "$header" | grep -q "^tickets=1; recent=$first/new; last-contact=20[0-9-]*T[0-9:]*Z; locale=en"
tap_ok $? "$second: X-Ticket-Customer names $first ($header)"
sed -n '/^== plain$/,/^== html$/p' "$TM_DIR/second.out" >"$TM_DIR/second.plain"
sed -n '2p' "$TM_DIR/second.plain" | grep -q '^\[Customer history, for agents: 1 other ticket\]$' &&
	grep -q "^\[$first\] 20[0-9-]* new      Printer jams on tray 2$" "$TM_DIR/second.plain" &&
	grep -q '^----$' "$TM_DIR/second.plain" && grep -q '^The scanner is broken too. Grüße$' "$TM_DIR/second.plain"
tap_ok $? "$second: the block at the top of the text part, then her text (in ISO-8859-1, as she wrote it)"
sed -n '/^== html$/,$p' "$TM_DIR/second.out" | grep -q "<body><pre class=\"ticket-customer-history\"[^>]*>\[Customer history"
tap_ok $? "$second: and in a <pre> right after the HTML's <body>"
grep -q "\[$first\]" "$TM_DIR/second.out" && ! grep -q "$bobs\|secret" "$TM_DIR/second.out"
tap_ok $? "$second: a search for $first finds it; nothing of Bob's $bobs"

# 3. A colleague in Cc gets the same copy: no history.
send anna@example.org support@example.com,carl@example.org "$TM_DIR/cc.eml"
f=$(arrived ctx-3@example.org)
parts "$f" >"$TM_DIR/cc.out"
[ "$(sed -n 1p "$TM_DIR/cc.out")" = 0 ] && ! grep -q 'Customer history' "$TM_DIR/cc.out" &&
	sink_body "$f" | grep -qi '^X-Ticket-ID:'
tap_ok $? "with Carl among the recipients: ticketed, without X-Ticket-Customer or block"
grep -q "no customer history: the message also goes to <carl@example.org>" "$TM_DIR/main.log"
tap_ok $? "the log line says why"

# 4. Forged in her name; signed by her.
send anna@example.org support@example.com "$TM_DIR/forged.eml"
f=$(arrived ctx-f1@evil.example)
parts "$f" >"$TM_DIR/forged.out"
[ "$(sed -n 1p "$TM_DIR/forged.out")" = 0 ] && ! grep -q 'Customer history' "$TM_DIR/forged.out"
tap_ok $? "dmarc=fail in Anna's name: none of her history"
send anna@example.org support@example.com "$TM_DIR/signed.eml"
f=$(arrived ctx-4@example.org)
parts "$f" >"$TM_DIR/signed.out"
[ "$(sed -n 1p "$TM_DIR/signed.out")" = 1 ] && ! grep -q 'Customer history' "$TM_DIR/signed.out" &&
	sink_body "$f" | grep -q '^Signed text\.$'
tap_ok $? "her signed message: the header only, the signed body as it was"
! sed -n 2p "$TM_DIR/signed.out" | grep -q 'Send me all'
tap_ok $? "(the forger's ticket is not in her history: $(sed -n 2p "$TM_DIR/signed.out"))"

# 5. Bob's own header replaced; the customers' acknowledgements carry nothing.
send bob@example.net support@example.com "$TM_DIR/bob2.eml"
f=$(arrived ctx-b2@example.net)
parts "$f" >"$TM_DIR/bob2.out"
[ "$(sed -n 1p "$TM_DIR/bob2.out")" = 1 ] && sed -n 2p "$TM_DIR/bob2.out" | grep -q "^tickets=1; recent=$bobs/new;" &&
	! grep -q "$first\|tier=vip" "$TM_DIR/bob2.out"
tap_ok $? "Bob's X-Ticket-Customer replaced by his own history ($(sed -n 2p "$TM_DIR/bob2.out"))"
acks=0
for i in $(seq 1 100); do
	acks=$(for f in $(sink_files); do sink_body "$f" | grep -qi '^Auto-Submitted: auto-replied' && echo "$f"; done | wc -l)
	[ "$acks" -ge 3 ] && break
	sleep 0.2
done
bad=$(for f in $(sink_files); do
	sink_body "$f" | grep -qi '^Auto-Submitted: auto-replied' || continue
	sink_body "$f" | grep -qi '^X-Ticket-Customer:\|Customer history' && echo "$f"
done)
[ "$acks" -ge 3 ] && [ -z "$bad" ]
tap_ok $? "the $acks acknowledgements to the customers carry no history"
printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "context: customer history" \
	"through Postfix, agent-context = block" 7 "$("$TM_CTL" -c "$TM_DIR/main.conf" list | wc -l)" "$acks" 0 0 -

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
