#!/bin/bash
# headers.sh - end to end through a private Postfix: the header fields
# ticket-milter changes arrive whole.
#   - A 600-character Japanese subject, RFC 2047-encoded as mail clients
#     write it, and the same in raw UTF-8: the tagged Subject reaches the
#     sink folded, every header line at most 998 bytes and every Subject
#     line at most 78, and it decodes to "[SUP-N] " and the subject.
#     (Written as one line, Postfix cut it at 998 bytes inside an encoded
#     word.)
#   - Two Subject fields: the first is the one tagged, and it is the
#     subject of the ticket; the second passes unchanged.
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin
command -v python3 >/dev/null || tap_skip_all "python3 not installed"

{ e2e_milter_section "$TM_DIR/data/tickets.db"; cat <<CONF

[outbox]
smtp = 127.0.0.1:$PF_SMTP_PORT

[queue support]
name = Example Support
addresses = support@example.com
tag = SUP
CONF
} >"$TM_DIR/main.conf"
conf=$TM_DIR/main.conf
tm_start main
tap_ok $? "ticket-milter starts"
pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
tap_ok $? "private Postfix and sink started"

# send MESSAGE-FILE: the raw message to Postfix by SMTP, as it is.
send() {
	python3 - "$PF_SMTP_PORT" "$1" <<'PY'
import smtplib, sys
raw = open(sys.argv[2], "rb").read()
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60) as s:
    s.sendmail("kenji@example.jp", ["support@example.com"], raw)
PY
}

# check FILE ID WANT: the message at the sink (sink_body of FILE) has every
# header line within 998 bytes, every Subject line within 78, and its
# first Subject decodes to WANT; prints what it found.
check() {
	sink_body "$1" | python3 -c '
import email, email.header, sys
raw = sys.stdin.buffer.read()
head = raw.split(b"\n\n", 1)[0].replace(b"\r\n", b"\n")
lines = head.split(b"\n")
longest = max(len(l) for l in lines)
subject, state = [], "before"
for l in lines:
    if l[:1] in (b" ", b"\t"):
        if state == "in":
            subject.append(l)
        continue
    state = "in" if state == "before" and l.lower().startswith(b"subject:") else "before" if state == "before" else "after"
    if state == "in":
        subject.append(l)
longest_subject = max([len(l) for l in subject] or [0])
value = b"".join(subject)[len(b"Subject:"):].decode("ascii", "replace")
decoded = str(email.header.make_header(email.header.decode_header(value)))
want = open(sys.argv[1], encoding="utf-8").read()
print("header lines at most %d bytes, the Subject %d lines of at most %d" % (longest, len(subject), longest_subject))
sys.exit(0 if longest <= 998 and longest_subject <= 78 and decoded == want else 1)
' "$2"
}

# A 600-character Japanese subject.
python3 - "$TM_DIR" <<'PY'
import sys
from email.message import EmailMessage
from email import policy
d = sys.argv[1]
subject = "".join("日本語の件名です"[i % 8] for i in range(600))
open(d + "/subject.txt", "w", encoding="utf-8").write(subject)
m = EmailMessage(policy=policy.SMTP)
m["From"] = "Kenji <kenji@example.jp>"
m["To"] = "support@example.com"
m["Subject"] = subject
m["Message-ID"] = "<long-encoded@example.jp>"
m.set_content("プリンターが動きません。")
open(d + "/encoded.eml", "wb").write(m.as_bytes())
# The same subject in raw UTF-8, on one line.
raw = ("From: Kenji <kenji@example.jp>\r\nTo: support@example.com\r\nSubject: " + subject +
       "\r\nMessage-ID: <long-raw@example.jp>\r\nMIME-Version: 1.0\r\n"
       "Content-Type: text/plain; charset=utf-8\r\n\r\nプリンターが動きません。\r\n")
open(d + "/raw.eml", "wb").write(raw.encode("utf-8"))
# Two Subject fields.
open(d + "/twice.eml", "wb").write(
    b"From: Kenji <kenji@example.jp>\r\nTo: support@example.com\r\nSubject: the first subject\r\n"
    b"Message-ID: <twice@example.jp>\r\nSubject: the second subject\r\n\r\nTwo subjects.\r\n")
PY

n=0
for kind in encoded raw; do
	n=$((n + 1))
	send "$TM_DIR/$kind.eml"
	tap_ok $? "$kind: Postfix accepts the 600-character Japanese subject"
	wait_for "^Message-I[dD]: <long-$kind@example.jp>" 20
	f=$(sink_find "^Message-I[dD]: <long-$kind@example.jp>")
	tag=$(sink_header "$f" X-Ticket-ID)
	printf '[%s] %s' "$tag" "$(cat "$TM_DIR/subject.txt")" >"$TM_DIR/want-$kind.txt"
	out=$(check "$f" "$TM_DIR/want-$kind.txt")
	tap_ok $? "$kind: the tagged Subject arrives folded and decodes to \"[$tag] \" and the subject ($out)"
	printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "headers: 600-character subject ($kind)" \
		"through Postfix, tagged, lines within 78/998 bytes" 1 "$([ -n "$tag" ] && echo 1 || echo 0)" - \
		"$([ -n "$f" ] && echo 0 || echo 1)" 0 -
done

send "$TM_DIR/twice.eml"
wait_for '^Message-I[dD]: <twice@example.jp>' 20
f=$(sink_find '^Message-I[dD]: <twice@example.jp>')
tag=$(sink_header "$f" X-Ticket-ID)
subjects=$(sink_body "$f" | sed '/^\r\{0,1\}$/q' | grep -i '^Subject:' | tr -d '\r' | paste -sd '|')
[ "$subjects" = "Subject: [$tag] the first subject|Subject: the second subject" ]
tap_ok $? "two Subjects: the first is tagged, the second unchanged ($subjects)"
"$TM_CTL" -c "$conf" show "$tag" --json | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["subject"] != "the first subject")'
tap_ok $? "two Subjects: the ticket $tag holds the first"

tm_stop main
tap_done
