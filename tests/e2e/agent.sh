#!/bin/bash
# agent.sh - end to end: agents answer tickets from a real mail client.
#
# A private Postfix on loopback with ticket-milter attached relays to a
# capturing smtp-sink.  Loopback (127.0.0.0/8) is a trusted network, so
# mail submitted from it counts as authenticated; customers and intruders
# are sent with XCLIENT from TEST-NET addresses (192.0.2.0/24) and look
# external.  Acknowledgements and rating mails go back through Postfix.
#
#   1. A customer writes in; the agent alice replies in neomutt (driven in
#      tmux) to the tagged copy.  The customer receives the reply from
#      "Alice Agent via Example Support" with a signed Message-ID, her own
#      Message-ID in References and no command lines; the gateway address
#      receives nothing.  Her answer, threaded by In-Reply-To only, joins
#      the ticket, and the agent's #priority was applied.
#   2. Who counts as an agent: alice's address from outside without login
#      is a customer's mail (and a logged spoof attempt) whose "#status
#      closed" closes nothing, as is a login that names someone else; an
#      SMTP AUTH login (XCLIENT LOGIN, seen by the milter as {auth_authen})
#      that names alice is alice.
#   3. A note to the -note gateway address with the customer in Cc reaches
#      bob, never the customer.
#   4. A reply holding only "#status pending" is applied and delivered to
#      nobody.
#   5. Resolving asks for a rating; the customer's rating mail is recorded
#      and thanked, reopens nothing, and is itself delivered to nobody.
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin
for tool in neomutt tmux sqlite3 perl; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool not installed (apt-get install $tool)"
done
conf=$TM_DIR/main.conf
db=$TM_DIR/data/tickets.db
TMUX_SOCK=$TM_DIR/tmux.sock
# A tmux server of our own, stopped at exit like Postfix and the daemon.
trap 'timeout 5 tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; e2e_cleanup' EXIT

write_config() {
	{ e2e_milter_section "$db"; cat <<CONF
# Loopback is the office: mail submitted from it is authenticated.
trusted-networks = 127.0.0.0/8

[outbox]
smtp = 127.0.0.1:$PF_SMTP_PORT
retry-after = 1s

[queue support]
name = Example Support
addresses = support@example.com
tag = SUP
agents = alice@example.com, bob@example.com
CONF
	} >"$conf"
}

# --- helpers ----------------------------------------------------------------

# must STATUS DESCRIPTION: tap_ok, and stop here when it failed, because
# everything after depends on it (and waiting for each later step to time
# out would take minutes).
must() {
	tap_ok "$1" "$2"
	[ "$1" -eq 0 ] || { echo "Bail out! $2"; exit 1; }
}

# start_daemon: the milter port was free when e2e_begin picked it, but a
# test running beside this one may bind it first: then take another.
start_daemon() {
	local try
	for try in 1 2 3; do
		write_config
		tm_start main && return 0
		tm_stop main
		tap_diag "ticket-milter did not start on $MILTER_SOCKET (try $try)"
		MILTER_PORT=$(pf_pick_port "$PF_SMTP_PORT" "$PF_SINK_PORT")
		MILTER_SOCKET="inet:$MILTER_PORT@127.0.0.1"
		# shellcheck disable=SC2034 # read by pf_init
		PF_MILTER=$MILTER_SOCKET
	done
	return 1
}

ctl() { "$TM_CTL" -c "$conf" "$@"; }

# ticket_field TICKET N: field N of `ticketctl list` (2 status, 3 priority).
ticket_field() { ctl list | awk -F'\t' -v t="$1" -v n="$2" '$1 == t { gsub(/ /, "", $n); print $n }'; }

# until_true SECONDS COMMAND...: polls COMMAND every 0.1 s, bounded.
until_true() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS >= deadline)) && return 1
		sleep 0.1
	done
}

log_has() { grep -q "$1" "$TM_DIR/main.log"; }
maillog_has() { pf_log | grep -q "$1"; }

# sink_rcpts FILE: the envelope recipients of a sink dump, one a line.
# smtp-sink -d writes one "X-Rcpt-Args: <addr> ORCPT=..." line per RCPT
# TO in the prologue, before its own Received header.
sink_rcpts() {
	awk '/^Received: /{ exit } /^X-Rcpt-Args: /{ gsub(/[<>]/, "", $2); print $2 }' "$1"
}

# sink_find_to ADDRESS PATTERN: the newest dump for envelope recipient
# ADDRESS whose message matches PATTERN.
sink_find_to() {
	local f
	for f in $(sink_files | tac); do
		sink_rcpts "$f" | grep -qixF "$1" && sink_body "$f" | grep -q "$2" && { echo "$f"; return 0; }
	done
	return 1
}

# rcpts_of_message PATTERN: every envelope recipient of every dump whose
# message matches PATTERN (a message may reach the sink in several dumps).
rcpts_of_message() {
	local f
	for f in $(sink_files); do
		sink_body "$f" | grep -q "$1" && sink_rcpts "$f"
	done
}

# decoded FILE: the message with quoted-printable undone, so that long
# mailto: links are whole again (QP breaks lines at 76 characters).
decoded() { sink_body "$1" | perl -MMIME::QuotedPrint -0777 -ne 'print decode_qp($_)'; }

# customer ADDR SWAKS-ARGS...: mail from anna's side of the world.
customer() {
	local addr=$1
	shift
	pf_send --xclient-addr "$addr" --from anna@example.org \
		--header "From: Anna Customer <anna@example.org>" "$@"
}

# --- neomutt in tmux --------------------------------------------------------

tmx() { timeout 10 tmux -S "$TMUX_SOCK" "$@"; }
screen() { tmx capture-pane -p -t agent 2>/dev/null; }
screen_has() { screen | grep -q "$1"; }
session_gone() { ! tmx has-session -t agent 2>/dev/null; }

# screen_wait PATTERN SECONDS: until PATTERN is on neomutt's screen; shows
# the screen as TAP diagnostics when it does not come.
screen_wait() {
	until_true "$2" screen_has "$1" && return 0
	tap_diag "neomutt screen while waiting for '$1':" "$(screen | grep -v '^ *$')"
	return 1
}

# The agent's mail client: reply (not group reply) goes to Reply-To, the
# signed gateway address, without asking; fast_reply skips the To and
# Subject prompts; the "editor" writes the answer above the quote without
# a terminal; sending is SMTP to the private Postfix from loopback.
write_neomutt() {
	mkdir -p "$TM_DIR/home"
	cat >"$TM_DIR/editor" <<'EDITOR'
#!/bin/sh
# Puts the agent's commands and answer above the quoted message.
f=$1
tmp=$f.agent
{ printf '#priority urgent\n\nPlease switch the printer off and on again.\n'; cat "$f"; } >"$tmp" && cat "$tmp" >"$f" && rm -f "$tmp"
EDITOR
	chmod 755 "$TM_DIR/editor"
	cat >"$TM_DIR/muttrc" <<MUTTRC
set from = "alice@example.com"
set realname = "Alice Agent"
set use_from = yes
set hostname = "mail.example.com"
set reply_to = yes
set fast_reply = yes
set include = yes
set askcc = no
set askbcc = no
set edit_headers = no
set record = ""
set copy = no
set postpone = no
set sendmail_wait = 0
set smtp_url = "smtp://127.0.0.1:$PF_SMTP_PORT"
# NeoMutt insists on TLS by default; the private Postfix offers none.
set ssl_force_tls = no
set ssl_starttls = no
set editor = "$TM_DIR/editor"
set folder = "$TM_DIR"
set spoolfile = "$TM_DIR/agent.mbox"
set mbox_type = mbox
set move = no
set quit = yes
set confirmappend = no
set header_cache = ""
set message_cachedir = ""
set sleep_time = 0
set charset = "utf-8"
set send_charset = "utf-8"
MUTTRC
}

# neomutt_reply MBOX: opens MBOX, replies to its only message, sends,
# quits.  Every step waits for the screen that should follow, bounded.
neomutt_reply() {
	tmx new-session -d -s agent -x 200 -y 50 \
		"HOME='$TM_DIR/home' neomutt -n -F '$TM_DIR/muttrc' -f '$1'" || return 1
	screen_wait 'Printer on fire' 10 || return 1
	tmx send-keys -t agent r
	screen_wait 'y:Send' 10 || return 1
	tmx send-keys -t agent y
	screen_wait 'Mail sent' 15 || return 1
	tmx send-keys -t agent q
	until_true 10 session_gone
}

# --- start ------------------------------------------------------------------

write_config
"$TM_CTL" -c "$conf" init >/dev/null
"$TM_BIN" -n -c "$conf" >"$TM_DIR/check.out" 2>&1
tap_ok $? "-n accepts the configuration with agents and trusted networks"
start_daemon
must $? "ticket-milter starts"
pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
must $? "private Postfix and sink started"

# --- 1. a real mail client --------------------------------------------------

customer 192.0.2.10 --to support@example.com --header "Subject: Printer on fire" \
	--header "Message-Id: <anna-1@example.org>" --body "The printer in room 12 is smoking."
wait_for '^Message-I[dD]: <anna-1@example.org>' 15 &&
	copy=$(sink_find '^Message-I[dD]: <anna-1@example.org>') &&
	gateway=$(sink_header "$copy" Reply-To | grep -o 'support+sup-1001-[a-z2-7]\{16\}@example\.com')
must $? "1: the customer's mail arrives tagged, Reply-To the gateway address"
token=${gateway#support+}
token=${token%@example.com}

write_neomutt
{
	echo "From agent@x  Thu Jan  1 00:00:00 2026"
	sink_body "$copy" | sed 's/^\(>*From \)/>\1/'
	echo
} >"$TM_DIR/agent.mbox"
neomutt_reply "$TM_DIR/agent.mbox"
tap_ok $? "1: neomutt replies to the tagged copy as alice and quits"

# The customer's copy: to anna, from the agent via the queue.
wait_for '^From: "\?Alice Agent via Example Support"\? <support@example.com>' 15
reply=$(sink_find_to anna@example.org '^From: "\?Alice Agent via Example Support"\? <support@example.com>')
tap_ok $? "1: the reply reaches the customer From \"Alice Agent via Example Support\" <support@example.com>"
reply_id=$(sink_header "$reply" Message-Id)
echo "$reply_id" | grep -Eq '^<tm\.sup-1001\.[a-z2-7]+\.[a-z2-7]{16}@support\.example\.com>$'
tap_ok $? "1: its Message-ID is signed ($reply_id)"
sink_header "$reply" References | grep -qF '<anna-1@example.org>' &&
	! sink_header "$reply" References | grep -qF "$reply_id" &&
	[ "$(sink_header "$reply" In-Reply-To)" = "<anna-1@example.org>" ]
tap_ok $? "1: References and In-Reply-To continue the customer's thread"
sink_body "$reply" | grep -q '^Please switch the printer off and on again\.' &&
	! sink_body "$reply" | grep -q '^#priority'
tap_ok $? "1: the body has the answer and no #priority line"
[ "$(sink_rcpts "$reply")" = anna@example.org ] &&
	! rcpts_of_message "^Message-I[dD]: $reply_id" | grep -qiF "$gateway"
tap_ok $? "1: the envelope goes to anna@example.org alone, not to the gateway"
[ "$(sink_header "$reply" X-Ticket-ID)" = SUP-1001 ] && sink_header "$reply" Subject | grep -qF '[SUP-1001]'
tap_ok $? "1: it carries X-Ticket-ID and the tag in the subject"
[ "$(ticket_field SUP-1001 3)" = urgent ]
tap_ok $? "1: the agent's #priority urgent is applied (ticketctl list)"

# Her mail client threads by In-Reply-To alone and drops the tag.
customer 192.0.2.10 --to support@example.com --header "Subject: Still smoking" \
	--header "Message-Id: <anna-2@example.org>" --header "In-Reply-To: $reply_id" \
	--body "I did, it is still smoking."
wait_for '^Message-I[dD]: <anna-2@example.org>' 15
ctl show SUP-1001 --json | grep -q 'anna-2@example.org' && [ "$(ctl list | wc -l)" = 1 ]
tap_ok $? "1: the customer's answer by In-Reply-To only joins SUP-1001"

# --- 2. who is an agent -----------------------------------------------------

# alice's address from outside, without login: a customer's mail.
pf_send --xclient-addr 192.0.2.66 --from alice@example.com --to support@example.com \
	--header "From: Alice Agent <alice@example.com>" --header "Subject: Re: [SUP-1001] Printer on fire" \
	--header "Message-Id: <spoof-1@evil.example>" --body $'#status closed\n\nAll done, closing.'
wait_for '^Message-I[dD]: <spoof-1@evil.example>' 15
spoof=$(sink_find '^Message-I[dD]: <spoof-1@evil.example>')
status=$(ticket_field SUP-1001 2)
[ -n "$status" ] && [ "$status" != closed ]
tap_ok $? "2: a spoofed agent's #status closed does not close SUP-1001 ($status)"
sink_header "$spoof" X-Ticket-ID | grep -q '^SUP-' && sink_header "$spoof" From | grep -q '^Alice Agent <alice@example.com>$' &&
	sink_body "$spoof" | grep -q '^#status closed' && [ "$(sink_rcpts "$spoof")" = support@example.com ]
tap_ok $? "2: it is a customer's mail: tagged, From and body as written, to the queue"
until_true 5 log_has 'spoof attempt: <alice@example.com>'
tap_ok $? "2: the daemon logs the spoof attempt"

# SMTP AUTH: Postfix turns XCLIENT LOGIN into a SASL login, which reaches
# the milter as {auth_authen}.  A login naming someone else proves nothing.
pf_send --xclient-addr 192.0.2.67 --xclient-login mallory --from alice@example.com --to "$gateway" \
	--header "From: Alice Agent <alice@example.com>" --header "Subject: Re: [SUP-1001] Printer on fire" \
	--header "Message-Id: <spoof-2@evil.example>" --body "Mallory was here."
wait_for '^Message-I[dD]: <spoof-2@evil.example>' 15 &&
	! rcpts_of_message '^Message-I[dD]: <spoof-2@evil.example>' | grep -qi anna@example.org &&
	[ "$(grep -c 'spoof attempt: <alice@example.com>' "$TM_DIR/main.log")" = 2 ]
tap_ok $? "2: a login that names another user is not alice: not rewritten for the customer, a spoof attempt"
pf_send --xclient-addr 192.0.2.20 --xclient-login alice --from alice@example.com --to "$gateway" \
	--header "From: Alice Agent <alice@example.com>" --header "Subject: Re: [SUP-1001] Printer on fire" \
	--header "Message-Id: <alice-auth-1@example.com>" --body "A technician is on the way."
wait_for '^A technician is on the way' 15
auth_reply=$(sink_find_to anna@example.org '^A technician is on the way')
tap_ok $? "2: alice logged in by SMTP AUTH from outside is an agent: her reply reaches the customer"
sink_header "$auth_reply" From | grep -q 'Alice Agent via Example Support' &&
	until_true 5 maillog_has 'sasl_method=XCLIENT, sasl_username=alice' &&
	[ "$(grep -c 'spoof attempt' "$TM_DIR/main.log")" = 2 ]
tap_ok $? "2: rewritten, Postfix logged the XCLIENT login, no spoof attempt"

# --- 3. a note never reaches the customer -------------------------------------

note=support+$token-note@example.com
pf_send --from alice@example.com --to "$note,anna@example.org" \
	--header "From: Alice Agent <alice@example.com>" --header "To: $note" \
	--header "Cc: Anna Customer <anna@example.org>" --header "Subject: Anna sounds upset" \
	--header "Message-Id: <note-1@example.com>" --body "She called twice; please call her back."
wait_for '^Message-I[dD]: <note-1@example.com>' 15
sink_find_to bob@example.com '^Message-I[dD]: <note-1@example.com>' >/dev/null
tap_ok $? "3: the note reaches the other agent, bob@example.com"
pf_queue_empty_wait 10
rcpts=$(rcpts_of_message '^Message-I[dD]: <note-1@example.com>')
[ "$rcpts" = bob@example.com ]
tap_ok $? "3: and nobody else: not the customer in Cc, not the note address (envelope: ${rcpts//$'\n'/ })"

# --- 4. commands only ---------------------------------------------------------

pf_send --from alice@example.com --to "$gateway" \
	--header "From: Alice Agent <alice@example.com>" --header "Subject: Re: [SUP-1001] Printer on fire" \
	--header "Message-Id: <cmd-1@example.com>" --body "#status pending"
until_true 10 log_has 'commands for SUP-1001 from <alice@example.com> recorded, delivered to nobody'
tap_ok $? "4: a command-only reply is recorded and delivered to nobody"
[ "$(ticket_field SUP-1001 2)" = pending ]
tap_ok $? "4: SUP-1001 is pending (ticketctl list)"
log_has 'commands for SUP-1001' && pf_queue_empty_wait 10 &&
	! rcpts_of_message '^Message-I[dD]: <cmd-1@example.com>' | grep -q .
tap_ok $? "4: the customer receives nothing from it"

# --- 5. rating ----------------------------------------------------------------

ctl set SUP-1001 status=resolved | grep -q 'asked for a rating'
tap_ok $? "5: ticketctl set SUP-1001 status=resolved asks for a rating"
wait_for 'csat-5-' 15
resolved=$(sink_find_to anna@example.org 'csat-5-')
links=$(decoded "$resolved" | grep -o "mailto:support+csat-[1-5]-$token@example\.com" | sort -u | wc -l)
[ "$links" = 5 ]
tap_ok $? "5: the customer gets the resolved notice with five rating links ($links)"
before=$(ctl list)
customer 192.0.2.10 --to "support+csat-5-$token@example.com" --header "Subject: SUP-1001 5" \
	--header "Message-Id: <csat-1@example.org>" --body "Quick and friendly, thank you!"
until_true 10 log_has 'rating for SUP-1001 from <anna@example.org> recorded, delivered to nobody'
tap_ok $? "5: the rating is recorded and delivered to nobody"
[ "$(sqlite3 -readonly "$db" 'SELECT rating, comment FROM ratings')" = "5|Quick and friendly, thank you!" ]
tap_ok $? "5: the database holds rating 5 and the comment"
[ "$(ctl list)" = "$before" ] && [ "$(ticket_field SUP-1001 2)" = resolved ]
tap_ok $? "5: no ticket created or reopened"
wait_for 'Thank you for rating' 15
thanks=$(sink_find_to anna@example.org 'Thank you for rating')
[ "$(sink_header "$thanks" Auto-Submitted)" = auto-replied ]
tap_ok $? "5: the thank-you reaches the customer, Auto-Submitted"
log_has 'rating for SUP-1001' && pf_queue_empty_wait 10 &&
	! rcpts_of_message '^Message-I[dD]: <csat-1@example.org>' | grep -q .
tap_ok $? "5: the rating mail itself is not delivered"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
