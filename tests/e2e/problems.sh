#!/bin/bash
# problems.sh - end to end: a known problem announced to its customers.
#
# A private Postfix on loopback with ticket-milter attached relays to a
# capturing smtp-sink; loopback is the office (agents), customers write
# from TEST-NET addresses.  Three customers write in English, German and
# Japanese; the agent alice links their three tickets to the problem
# printer-firmware with #problem by mail; `ticketctl problem list` shows
# it; `ticketctl problem announce printer-firmware --template fixed
# --text FOLDER` queues three mails, which the running daemon delivers:
# each in its customer's language with the agent's text for it, threaded
# into the customer's ticket (In-Reply-To their message, the tag, a signed
# Message-ID, Reply-To the gateway address), each recorded on its
# ticket.  A rerun sends nothing; --pending sets the tickets of a second
# announcement pending; a customer's answer to the announcement joins
# their ticket.
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin
command -v sqlite3 >/dev/null || tap_skip_all "sqlite3 not installed (apt-get install sqlite3)"
conf=$TM_DIR/main.conf
db=$TM_DIR/data/tickets.db

write_config() {
	{ e2e_milter_section "$db"; cat <<CONF
trusted-networks = 127.0.0.0/8

[outbox]
smtp = 127.0.0.1:$PF_SMTP_PORT
retry-after = 1s

[queue support]
name = Example Support
addresses = support@example.com
tag = SUP
agents = alice@example.com
locales = en, de, ja
default-locale = en
CONF
	} >"$conf"
}

must() {
	tap_ok "$1" "$2"
	[ "$1" -eq 0 ] || { echo "Bail out! $2"; exit 1; }
}

ctl() { "$TM_CTL" -c "$conf" "$@"; }
ticket_field() { ctl list | awk -F'\t' -v t="$1" -v n="$2" '$1 == t { gsub(/ /, "", $n); print $n }'; }
sink_rcpts() {
	awk '/^Received: /{ exit } /^X-Rcpt-Args: /{ gsub(/[<>]/, "", $2); print $2 }' "$1"
}
# sink_find_to ADDRESS PATTERN: the newest dump to ADDRESS matching PATTERN.
sink_find_to() {
	local f
	for f in $(sink_files | tac); do
		sink_rcpts "$f" | grep -qixF "$1" && sink_body "$f" | grep -q "$2" && { echo "$f"; return 0; }
	done
	return 1
}
# announcements: how many announcements reached the sink.
announcements() {
	local f n=0
	for f in $(sink_files); do
		[ "$(sink_header "$f" Auto-Submitted)" = auto-generated ] && n=$((n + 1))
	done
	echo "$n"
}
at_sink() { [ "$(announcements)" -ge "$1" ]; }
# sql QUERY: one value from the store, read-only beside the daemon.
sql() { sqlite3 -readonly "$db" "$1"; }
sql_is() { [ "$(sql "$1")" = "$2" ]; }
shows() { ctl show "$1" --json | grep -q "$2"; }
# decoded FILE: the message with quoted-printable and base64 undone.
decoded() {
	sink_body "$1" | perl -MMIME::QuotedPrint -0777 -ne 'print decode_qp($_)'
}
until_true() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS >= deadline)) && return 1
		sleep 0.1
	done
}

# customer ADDR FROM MID SUBJECT BODY [SWAKS-ARGS...]
customer() {
	local from=${2##*<}
	pf_send --xclient-addr "$1" --from "${from%>}" --to support@example.com --header "From: $2" \
		--header "Subject: $4" --header "Message-Id: <$3>" \
		--header "Content-Type: text/plain; charset=utf-8" --body "$5" "${@:6}"
}

write_config
ctl init >/dev/null
"$TM_BIN" -n -c "$conf" >"$TM_DIR/check.out" 2>&1
tap_ok $? "-n accepts the configuration and the templates, fixed included"
tm_start main
must $? "ticket-milter starts"
pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
must $? "private Postfix and sink started"

# --- three customers in three languages -------------------------------------

customer 192.0.2.10 "Anna Smith <anna@example.org>" anna-1@example.org "Printer on fire" \
	"Hello, the printer in room 12 stopped printing this morning and smells of smoke. Can you help?"
customer 192.0.2.11 "Jürgen Müller <juergen@example.de>" de-1@example.de "Drucker druckt nicht" \
	"Guten Tag, unser Drucker im zweiten Stock druckt seit heute Morgen nicht mehr. Können Sie bitte helfen?"
customer 192.0.2.12 "山田太郎 <yamada@example.jp>" ja-1@example.jp "プリンターが動きません" \
	"お世話になっております。プリンターが動かなくなりました。ご確認をお願いいたします。"
wait_for "^Content-Language: ja" 20 && wait_for "^Content-Language: de" 20 && wait_for "^Content-Language: en" 20
must $? "three acknowledgements, in English, German and Japanese"
for n in 1001 1002 1003; do
	[ -n "$(ticket_field "SUP-$n" 2)" ] || { tap_diag "no SUP-$n:" "$(ctl list)"; break; }
done
[ "$(ctl list | wc -l)" = 3 ]
must $? "three tickets, SUP-1001 to SUP-1003"

# --- the agent links them by mail -------------------------------------------

n=0
for t in SUP-1001 SUP-1002 SUP-1003; do
	n=$((n + 1))
	pf_send --from alice@example.com --to support@example.com --header "From: Alice Agent <alice@example.com>" \
		--header "Subject: Re: [$t] printer" --header "Message-Id: <link-$n@example.com>" \
		--body "#problem printer-firmware"
done
until_true 20 sql_is 'SELECT count(*) FROM problem_tickets' 3
tap_ok $? "alice's #problem printer-firmware links the three tickets"
ctl problem list | grep -q $'^printer-firmware\tsupport\t3 linked\t3 open\tannounced -'
tap_ok $? "ticketctl problem list: printer-firmware, 3 linked, 3 open, never announced"
ctl problem list --json | grep -q '"name":"printer-firmware","queue":"support","description":null,"linked":3,"open":3'
tap_ok $? "and as JSON"
ctl problem describe printer-firmware "Firmware 2.1 jams the tray" | grep -q 'described' &&
	ctl problem show printer-firmware | grep -q '^Firmware 2.1 jams the tray$'
tap_ok $? "ticketctl problem describe, and show prints it"

# --- the announcement -------------------------------------------------------

mkdir -p "$TM_DIR/texts"
printf 'Firmware 2.1.4 fixes the paper jams: it installs itself tonight.\n' >"$TM_DIR/texts/en.txt"
printf 'Die Firmware 2.1.4 behebt die Papierstaus; sie installiert sich heute Nacht von selbst.\n' >"$TM_DIR/texts/de.txt"
printf 'ファームウェア 2.1.4 で紙詰まりが解消されます。今夜自動的に適用されます。\n' >"$TM_DIR/texts/ja.txt"
ctl problem announce printer-firmware --template fixed --text "$TM_DIR/texts" --dry-run >"$TM_DIR/dry.out" 2>&1
grep -q '3 mailed.*dry run' "$TM_DIR/dry.out" &&
	sql_is "SELECT count(*) FROM outbox WHERE kind = 'announce'" 0
tap_ok $? "--dry-run: three would be mailed, nothing is queued"
ctl problem announce printer-firmware --template fixed --text "$TM_DIR/texts" >"$TM_DIR/announce.out" 2>&1
tap_ok $? "ticketctl problem announce printer-firmware --template fixed --text FOLDER"
grep -q '3 mailed, 0 covered by another ticket.s mail, 0 skipped, 0 announced before' "$TM_DIR/announce.out"
tap_ok $? "it says: 3 mailed ($(tail -n 1 "$TM_DIR/announce.out"))"
until_true 20 at_sink 3 && until_true 10 sql_is "SELECT count(*) FROM outbox WHERE kind = 'announce' AND state = 'sent'" 3
tap_ok $? "the running daemon delivers the three"

check_mail() { # check_mail ADDRESS TICKET LOCALE CUSTOMER-MID WORDS
	local f
	f=$(sink_find_to "$1" '^Auto-Submitted: auto-generated') || { tap_diag "no announcement to $1"; return 1; }
	[ "$(sink_header "$f" Content-Language)" = "$3" ] || { tap_diag "$1: Content-Language $(sink_header "$f" Content-Language)"; return 1; }
	[ "$(sink_header "$f" In-Reply-To)" = "<$4>" ] || { tap_diag "$1: In-Reply-To $(sink_header "$f" In-Reply-To)"; return 1; }
	sink_header "$f" References | grep -qF "<$4>" || { tap_diag "$1: References"; return 1; }
	[ "$(sink_header "$f" X-Ticket-ID)" = "$2" ] || return 1
	sink_header "$f" Subject | grep -qiF "[$2]" || sink_header "$f" Subject | grep -qi "$2" || { tap_diag "$1: Subject $(sink_header "$f" Subject)"; return 1; }
	sink_header "$f" Message-Id | grep -Eq "^<tm\\.$(echo "$2" | tr A-Z a-z)\\.[a-z2-7]+\\.[a-z2-7]{16}@support\\.example\\.com>\$" || return 1
	sink_header "$f" Reply-To | grep -q "support+$(echo "$2" | tr A-Z a-z)-" || return 1
	[ "$(sink_rcpts "$f")" = "$1" ] || return 1
	decoded "$f" | grep -qF "$5" || { tap_diag "$1: no '$5' in the text"; return 1; }
}
check_mail anna@example.org SUP-1001 en anna-1@example.org "Firmware 2.1.4 fixes the paper jams"
tap_ok $? "Anna's: English, the English text, threaded into SUP-1001 (In-Reply-To, References, tag, signed Message-ID, Reply-To)"
check_mail juergen@example.de SUP-1002 de de-1@example.de "Die Firmware 2.1.4 behebt die Papierstaus"
tap_ok $? "Jürgen's: German, the German text, threaded into SUP-1002"
check_mail yamada@example.jp SUP-1003 ja ja-1@example.jp "ファームウェア 2.1.4 で紙詰まりが解消されます"
tap_ok $? "Yamada's: Japanese, the Japanese text, threaded into SUP-1003"
f=$(sink_find_to juergen@example.de '^Auto-Submitted: auto-generated') && decoded "$f" | grep -q 'Guten Tag Jürgen Müller' &&
	f=$(sink_find_to yamada@example.jp '^Auto-Submitted: auto-generated') && decoded "$f" | grep -q '山田太郎 様'
tap_ok $? "each greets the customer by name in their language's way"
for t in SUP-1001 SUP-1002 SUP-1003; do
	ctl show "$t" | grep -q 'announcement.*printer-firmware (fixed): mailed to the customer' || { tap_diag "$t:" "$(ctl show "$t" | tail -n 5)"; false; }
done
tap_ok $? "ticketctl show: the announcement on each ticket"
ctl problem list | grep -q $'^printer-firmware\tsupport\t3 linked\t3 open\tannounced 20'
tap_ok $? "ticketctl problem list: announced"
[ "$(ctl problem show printer-firmware | grep -c $'^  fixed 20.*\tSUP-100[123]\tmailed\t')" = 3 ]
tap_ok $? "ticketctl problem show: the three tickets mailed"

# --- never twice --------------------------------------------------------------

ctl problem announce printer-firmware --template fixed --text "$TM_DIR/texts" >"$TM_DIR/again.out" 2>&1 &&
	grep -q '0 mailed, 0 covered by another ticket.s mail, 0 skipped, 3 announced before' "$TM_DIR/again.out"
tap_ok $? "a rerun: 0 mailed, 3 announced before"
sleep 2
[ "$(announcements)" = 3 ] && sql_is "SELECT count(*) FROM outbox WHERE kind = 'announce'" 3
tap_ok $? "and nothing more reaches the sink"

# --- pending ------------------------------------------------------------------

for t in SUP-1001 SUP-1002 SUP-1003; do ctl set "$t" problem=wifi >/dev/null || break; done
tap_ok $? "ticketctl set SUP-100x problem=wifi links them to a second problem"
[ "$(ticket_field SUP-1001 2)" = new ]
tap_ok $? "SUP-1001 is new"
ctl problem announce wifi --message "The new access points are in." --pending >"$TM_DIR/pending.out" 2>&1 &&
	grep -q '3 mailed.*3 set pending' "$TM_DIR/pending.out"
tap_ok $? "announce wifi --message TEXT --pending: 3 mailed, 3 set pending"
[ "$(ticket_field SUP-1001 2)" = pending ] && [ "$(ticket_field SUP-1002 2)" = pending ] &&
	[ "$(ticket_field SUP-1003 2)" = pending ]
tap_ok $? "the three tickets are pending"
until_true 20 at_sink 6
tap_ok $? "and the second announcement is delivered"

# --- the customer answers -----------------------------------------------------

f=$(sink_find_to anna@example.org '^Auto-Submitted: auto-generated') && mid=$(sink_header "$f" Message-Id)
customer 192.0.2.10 "Anna Smith <anna@example.org>" anna-2@example.org "Re: works" \
	"Thank you, the printer works again." --header "In-Reply-To: $mid"
until_true 15 shows SUP-1001 anna-2@example.org
tap_ok $? "Anna's answer to the announcement joins SUP-1001"
[ "$(ctl list | wc -l)" = 3 ] && [ "$(ticket_field SUP-1001 2)" = open ]
tap_ok $? "no new ticket; SUP-1001 is open again"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
