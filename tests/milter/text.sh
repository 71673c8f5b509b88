#!/bin/bash
# text.sh - texts that were read wrong, through the real daemon driven by
# miltertest (tests/milter/text.lua sends the messages as a client wrote
# them), read back with `ticketctl show --json` as an operator would:
#   - a raw GBK Subject and From (no encoded words): the ticket's subject
#     and customer name in Chinese, the acknowledgement's subject too;
#   - an encoded word decoding to CR LF, and Thunderbird's padded base64
#     words (GMime kept only the first of them);
#   - Apple Mail's text, image, text: both texts in the excerpt;
#   - ISO-2022-JP with NEC characters (①, ㈱) in Subject and body;
#   - a broken fold as the MTA hands it over (the header ends there, the
#     rest is body), where the raw-input path (test_text_read) reads
#     the line into the Subject.
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
command -v python3 >/dev/null || tap_skip_all "python3 not installed"
tm_scratch
trap tm_cleanup EXIT

run_case() { # run_case CASE
	tm_miltertest text text.lua -D "case=$1" >"$TM_DIR/$1.out"
	tap_renumber <"$TM_DIR/$1.out"
}

# field TICKET KEY: the ticket's KEY (subject, customer_name) or its first
# message's excerpt (excerpt), from ticketctl show --json.
field() {
	"$TM_CTL" -c "$TM_DIR/text.conf" show "$1" --json | python3 -c 'import json, sys
t = json.load(sys.stdin)
print(t["messages"][0]["excerpt"] if sys.argv[1] == "excerpt" else t[sys.argv[1]] or "")' "$2"
}

ack_of() { # ack_of RCPT: the acknowledgement captured for RCPT (waits up to 10 s)
	local i f
	for i in $(seq 1 100); do
		f=$(ls "$TM_DIR/text.sent" 2>/dev/null | grep -- "-$1\$" | head -n1)
		[ -n "$f" ] && { echo "$TM_DIR/text.sent/$f"; return 0; }
		sleep 0.1
	done
	return 1
}

mail_subject() { # the decoded Subject of a mail file
	python3 -c 'import email, email.header, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(str(email.header.make_header(email.header.decode_header(m["Subject"]))))' "$1"
}

is() { # is GOT WANT WHAT
	[ "$1" = "$2" ]
	tap_ok $? "$3: \"$1\""
	[ "$1" = "$2" ] || tap_diag "want \"$2\""
}

starts() { # starts GOT PREFIX WHAT (white space squeezed)
	local got want
	got=$(printf '%s' "$1" | tr -s ' \n\t' '   ')
	want=$(printf '%s' "$2" | tr -s ' \n\t' '   ')
	case "$got" in "$want"*) tap_ok 0 "$3: \"$got\"" ;; *) tap_ok 1 "$3: \"$got\""; tap_diag "want \"$want...\"" ;; esac
}

tm_config text "" "locales = en, zh, ja, de
default-locale = en" >/dev/null
tm_start text
tap_ok $? "daemon starts"

for c in gbk crlf padded apple jis fold; do
	run_case "$c"
done

t=$(tm_ticket_of text text-gbk@example.cn)
is "$(field "$t" subject)" "打印机坏了，请帮忙" "raw GBK subject"
is "$(field "$t" customer_name)" "王小明" "raw GBK sender name"
starts "$(field "$t" excerpt)" "您好，我的打印机昨天开始无法打印" "GBK body"
ack=$(ack_of wang@example.cn) && subject=$(mail_subject "$ack")
case "$subject" in *"打印机坏了，请帮忙"*) tap_ok 0 "raw GBK subject in the acknowledgement: \"$subject\"" ;;
	*) tap_ok 1 "raw GBK subject in the acknowledgement: \"$subject\"" ;; esac

t=$(tm_ticket_of text text-crlf@example.org)
is "$(field "$t" subject)" "abcdef" "an encoded word decoding to CR LF keeps the next one"

t=$(tm_ticket_of text text-padded@example.de)
is "$(field "$t" subject)" "Bestellung 4711: Lieferung verspätet – bitte um Rückruf" "padded base64 words (Thunderbird)"
is "$(field "$t" customer_name)" "Renée Müller" "padded base64 words in the sender's name"

t=$(tm_ticket_of text text-apple@example.org)
starts "$(field "$t" excerpt)" "When I open the app I get this: And then it closes again." "Apple Mail's text, image, text"

t=$(tm_ticket_of text text-jis@example.co.jp)
is "$(field "$t" subject)" "①納品について㈱" "ISO-2022-JP subject with NEC characters"
starts "$(field "$t" excerpt)" "株式会社テスト ①ご請求書の件 ㈱サンプルの山田です。" "ISO-2022-JP body with NEC characters"

t=$(tm_ticket_of text text-fold@example.org)
is "$(field "$t" subject)" "The printer on the third floor" "a broken fold as the MTA hands it over: the subject"
starts "$(field "$t" excerpt)" "prints only blank pages" "a broken fold as the MTA hands it over: the rest is body"

tm_stop text
tm_check_clean text
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
