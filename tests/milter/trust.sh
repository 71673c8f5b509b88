#!/bin/bash
# trust.sh - who a sender is comes from evidence, not from the From
# header: the evidence levels and what each may do, through the real
# daemon driven by miltertest (tests/milter/trust.lua), and the store
# and the outbox afterwards.  Each case prints one "# reliability" line
# for scripts/reliability-report.
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
tm_scratch
trap tm_cleanup EXIT

reliability() { printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }
ctl() { "$TM_CTL" -c "$TM_DIR/$1.conf" "${@:2}"; }
run_case() { tm_miltertest "$1" trust.lua -D "case=$2" "${@:3}" >"$TM_DIR/$2.out"; tap_renumber <"$TM_DIR/$2.out"; }
tm_config main "authserv-id = mx.example.com" "agents = alice@example.com, bob@example.com
max-participants = 8
max-new-participants = 5" >/dev/null
tm_start main
tap_ok $? "daemon trusting authserv-id mx.example.com starts"

# --- a forged From joins as a participant would, but brings nobody -----
run_case main forged
json=$(ctl main show SUP-1001 --json)
echo "$json" | grep -q '"address":"carl@example.org"' && ! echo "$json" | grep -q '"address":"mallory@evil.example"'
tap_ok $? "store: Carl (authenticated mail) is a participant of SUP-1001, Mallory (claimed mail) is not"
echo "$json" | grep -q '"evidence":"claimed","held":"mallory@evil.example"'
tap_ok $? "store: the forged message keeps its evidence and the held address on its row"
ctl main show SUP-1001 | grep -q "from anna@example.org (evidence: authenticated)"
tap_ok $? "ticketctl show prints the evidence of each message"
ctl main show SUP-1001 | grep -q "participants-held"
tap_ok $? "the event log says what was held back and why"
grep "4TR00002: " "$TM_DIR/main.log" | grep -q "evidence=claimed"
tap_ok $? "the message's log line names its evidence"
reliability "forged From, attacker in Cc" "customer mail, forged follow-up, 2 agent replies, authenticated follow-up" 5 "$(ctl main list | wc -l)" "$(tm_acks main anna@example.org)" 0 0 -

[ "$(sqlite3 "$TM_DIR/main.db" "SELECT count(*) FROM ratings")" = 0 ]
tap_ok $? "store: no rating recorded for a ticket that was not resolved"

# --- DMARC failure: a new ticket, no acknowledgement --------------------
run_case main contradicted
t=$(ctl main list | awk -F'\t' '$0 ~ /Printer on fire/ && $1 != "SUP-1001" { print $1 }' | head -1)
[ -n "$t" ] && ctl main show "$t" | grep -q "forged-sender"
tap_ok $? "the contradicted message opened ${t:-no ticket}, with a forged-sender event"
ctl main show "$t" --json | grep -q '"evidence":"contradicted"' && ! ctl main show "$t" --json | grep -q '"address":"mallory@evil.example"'
tap_ok $? "stored as contradicted, nobody it named joined"
! ctl main show "$t" | grep -q "mail-queued" && ctl main show "$t" | grep -q "no-acknowledgement"
tap_ok $? "no acknowledgement for a contradicted sender"
grep "4TR00011: " "$TM_DIR/main.log" | grep -q "no acknowledgement: our MTA found the sender forged"
tap_ok $? "the log line says why it was not acknowledged"
reliability "DMARC failure citing a ticket" "dmarc=fail from our authserv-id, tag and In-Reply-To of SUP-1001" 1 1 0 0 0 -

# --- a reused signed Message-ID is not our own mail ----------------------
ack=$(ls "$TM_DIR/main.sent" | grep -- "-anna@example.org$" | head -1)
ackid=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/Ip' "$TM_DIR/main.sent/$ack" | head -1)
[ -n "$ackid" ]
tap_ok $? "the acknowledgement's signed Message-ID ($ackid)"
run_case main replay -D "ackid=$ackid"
held_in=$(tm_ticket_of main "$ackid")
! grep -q "our own mail .*$ackid" "$TM_DIR/main.log" && [ -n "$held_in" ]
tap_ok $? "it is recorded (in ${held_in:-no ticket}), not passed untouched as our own mail"
reliability "reused signed Message-ID" "an acknowledgement's Message-ID with forged X-Ticket-*, Reply-To" 1 1 0 0 0 -

# --- threading: every reference, Outlook's Thread-Index, RT's tags -------
run_case main threading
t=$(ctl main list | awk -F'\t' '/Scanner jams/ { print $1 }' | tail -1)
[ "$(ctl main show "$t" --json | grep -o '"direction":"in"' | wc -l)" = 4 ]
tap_ok $? "store: $t holds Fritz's four messages"
ack=$(ls "$TM_DIR/main.sent" | grep -- "-fritz@example.de$" | head -1)
grep -q "^Thread-Index: ASgpKissLS4vMDEyMzQ1Njc4OTo7" "$TM_DIR/main.sent/$ack"
tap_ok $? "the acknowledgement continues Fritz's Outlook conversation (Thread-Index)"
reliability "threading past an outsider, Outlook, RT" "a reply to an outsider, a Thread-Index-only reply, an RT tag" 5 2 "$(($(tm_acks main fritz@example.de) + $(tm_acks main eve@example.net)))" 0 0 -

run_case main replyto
run_case main fanout
t=$(ctl main list | awk -F'\t' '/Many people/ { print $1 }')
n=$(ctl main show "$t" --json | grep -o '"role":"[a-z]*"' | wc -l)
[ "$n" = 6 ]
tap_ok $? "fan-out: the customer and 5 Cc became participants (max-new-participants 5), not 41 ($n)"
ctl main show "$t" --json | grep -q '"held":"person06@example.net.* and 15 more"'
tap_ok $? "fan-out: the rest is held, 20 listed and a count"
reliability "40 addresses in Cc" "authenticated; 5 added (max-new-participants), 35 held" 2 1 "$(tm_acks main dora@example.org)" 0 0 -

# --- backscatter: a queue-wide limit on acknowledgements -----------------
tm_config flood "" "[autoreply]
queue-rate = 3/1m" >/dev/null
tm_start flood
cat >"$TM_DIR/flood.lua" <<'LUA'
dofile(libdir .. "/lib.lua")
local conn = open_connection()
for i = 1, 8 do
	local from = string.format("victim%d@example.net", i)
	local r = send_message(conn, string.format("4FL%05d", i), "<" .. from .. ">", {"<support@example.com>"}, {
		{"From", "Visit www.spam.example now <" .. from .. ">"},
		{"Subject", "Cheap watches"},
		{"Message-ID", string.format("<fl%d@example.net>", i)},
	}, "spam\r\n")
	check(r == SMFIR_CONTINUE, "forged sender " .. i .. " is ticketed")
end
mt.disconnect(conn)
LUA
miltertest -D "socket=unix:$TM_DIR/flood.sock" -D "libdir=$top_srcdir/tests/milter" -s "$TM_DIR/flood.lua" \
	>"$TM_DIR/flood.out" 2>&1
tap_renumber <"$TM_DIR/flood.out"
sleep 1
n=$(ls "$TM_DIR/flood.sent" 2>/dev/null | wc -l)
[ "$n" = 3 ]
tap_ok $? "8 forged senders, queue-rate 3/1m: 3 acknowledgements ($n)"
[ "$(grep -c "no acknowledgement: the queue's rate limit" "$TM_DIR/flood.log")" = 5 ]
tap_ok $? "the 5 others each have a log line saying the queue's limit bit"
f=$(ls "$TM_DIR/flood.sent" | head -1)
! grep -qi "spam.example" "$TM_DIR/flood.sent/$f"
tap_ok $? "the acknowledgement does not repeat a display name that carries a link"
reliability "forged senders, queue-rate 3/1m" "8 new tickets from 8 forged senders in one connection" 8 8 "$n" 0 0 -

tap_done
