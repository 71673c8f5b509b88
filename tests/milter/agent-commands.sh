#!/bin/bash
# agent-commands.sh - an agent's commands through the real daemon
# (tests/milter/agent_commands.lua sends the mail), then what the store
# and the notices to the agents say: no reply vanishes without the agent
# being told, #merge stays within its queue, #cc adds and removes people.
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
command -v sqlite3 >/dev/null || tap_skip_all "sqlite3 not installed"
command -v python3 >/dev/null || tap_skip_all "python3 not installed"
tm_scratch
trap tm_cleanup EXIT

conf=$(tm_config cmd "" "agents = alice@example.com, bob@example.com
max-participants = 3

[queue billing]
name = Example Billing
addresses = billing@example.com
tag = BIL
agents = carol@example.com")
tm_start cmd || exit 1
tm_miltertest cmd agent_commands.lua >"$TM_DIR/cmd.out"
tap_ok $? "agent_commands.lua ran to the end"
tap_renumber <"$TM_DIR/cmd.out"

sql() { sqlite3 "$TM_DIR/cmd.db" "PRAGMA busy_timeout=5000; $1" | tail -n 1; }

# The notices as delivered (the sender thread delivers after the commit):
# one line per mail: recipient, In-Reply-To, then subject and text on one
# line, decoded.
wanted=$(sql "SELECT count(*) FROM outbox WHERE kind = 'agent-notice'")
for i in $(seq 1 100); do
	[ "$(sql "SELECT count(*) FROM outbox WHERE kind = 'agent-notice' AND state = 'sent'")" = "$wanted" ] && break
	sleep 0.1
done
notices() {
	python3 - "$TM_DIR/cmd.sent" <<'PY'
import email, email.policy, os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
    with open(os.path.join(d, f), 'rb') as fh:
        m = email.message_from_binary_file(fh, policy=email.policy.default)
    body = m.get_body(preferencelist=('plain',))
    text = body.get_content() if body else ''
    print('\t'.join([f.split('-', 1)[1], str(m['In-Reply-To'] or ''), str(m['Subject'] or ''), ' '.join(text.split())]))
PY
}
notices >"$TM_DIR/notices"
tap_diag "notices:" "$(cut -c1-300 "$TM_DIR/notices")"
notice() { grep "^$1	<$2>	" "$TM_DIR/notices"; }

# One notice per mail that needs one, none for the others.
[ "$(grep -c '^alice@example.com	' "$TM_DIR/notices")" = 5 ] && [ "$(grep -c '^carol@example.com	' "$TM_DIR/notices")" = 1 ]
tap_ok $? "one notice per mail: 5 to alice (commands only, typo, merge, refused #cc, full ticket), 1 to carol ($(cut -f1,2 "$TM_DIR/notices" | tr '\n' ' '))"
for mid in cmd-list cmd-pre cmd-alt cmd-cc1 cmd-cc2 cmd-cc3 cmd-cc4; do
	notice alice@example.com "$mid@mail.example.com" >/dev/null && break
done
[ $? -ne 0 ]
tap_ok $? "no notice for the replies that went out as written"

# 1-3. The replies with lists are recorded as replies.
[ "$(sql "SELECT count(*) FROM messages WHERE direction = 'out' AND excerpt LIKE '%#2 Wait ten seconds.%'")" = 3 ]
tap_ok $? "the three list replies are recorded as outbound messages"
[ "$(sql "SELECT status || ',' || priority FROM tickets WHERE tag = 'SUP'")" = "pending,urgent" ]
tap_ok $? "their commands were applied (pending; high, then urgent by the commands-only mail)"

# 4. Commands only: discarded, the agent told what was applied.
"$TM_CTL" -c "$conf" outbox --json | grep -q '"kind":"agent-notice","state":"[a-z]*","recipient":"alice@example.com"'
tap_ok $? "ticketctl outbox --json lists the agent-notice entries addressed to the agent"
n=$(notice alice@example.com cmd-only@mail.example.com)
echo "$n" | grep -q "contained only commands" && echo "$n" | grep -q "#priority urgent" &&
	echo "$n" | grep -q "nothing was sent to the customer"
tap_ok $? "commands only: the agent is told that only commands came, which were applied, and that nothing was sent"

# 5. A typo: reported as not understood.
notice alice@example.com cmd-typo@mail.example.com | grep -q "not understood.*#stauts resolved"
tap_ok $? "mistyped #stauts: reported to the agent as not understood"

# 6. #merge across queues: nothing changed, the agent told why.
[ "$(sql "SELECT status || ',' || coalesce(merged_into, 0) FROM tickets WHERE tag = 'SUP'")" = "pending,0" ] &&
	[ "$(sql "SELECT status FROM tickets WHERE tag = 'BIL'")" = "new" ]
tap_ok $? "#merge BIL-1001 on SUP-1001: neither ticket changed"
notice alice@example.com cmd-merge@mail.example.com | grep -q "#merge BIL-1001 (.*another queue"
tap_ok $? "#merge across queues: the agent is told why"

# 7. The note no one received: recorded, and its author told.
[ "$(sql "SELECT count(*) FROM messages WHERE direction = 'note' AND message_id = 'cmd-note@mail.example.com'")" = 1 ]
tap_ok $? "the note is recorded in BIL-1001"
notice carol@example.com cmd-note@mail.example.com | grep -q "no other agent"
tap_ok $? "the note's author is told that no other agent received it"

# 8-10. #cc.
[ "$(sql "SELECT group_concat(address || ':' || role, ' ') FROM (SELECT * FROM participants p JOIN tickets t ON t.id = p.ticket_id WHERE t.tag = 'SUP' ORDER BY address)")" = \
	"anna@example.org:customer eve@example.net:cc frank@example.net:cc" ]
tap_ok $? "#cc: the participants are Anna, Eve and Frank (Dave removed, Gina over the limit, refusals not added)"
"$TM_CTL" -c "$conf" show SUP-1001 >"$TM_DIR/sup.txt"
grep -q "alice@example.com cc dave@example.net" "$TM_DIR/sup.txt" && grep -q "alice@example.com cc -dave@example.net" "$TM_DIR/sup.txt"
tap_ok $? "#cc: adding and removing Dave are events with who did it"
n=$(notice alice@example.com cmd-cc5@mail.example.com)
echo "$n" | grep -q "#cc support@example.com (" && echo "$n" | grep -q "#cc bob@example.com (" &&
	echo "$n" | grep -q "#cc -anna@example.org (.*customer"
tap_ok $? "#cc refusals: a queue address, an agent, the customer's removal, each with why"
notice alice@example.com cmd-cc6@mail.example.com | grep -q "#cc gina@example.net (.*max-participants"
tap_ok $? "#cc beyond max-participants: the agent is told"

tm_stop cmd
tm_check_clean cmd
tap_ok $? "daemon cmd: no sanitizer reports in its log"
printf '# reliability\t%s\t%s\t-\t-\t-\t0\t0\t-\n' "agent commands never lose a reply" \
	"numbered lists and <pre> kept, commands-only and unsent notes told, #merge across queues refused, #cc ($((TAP_N - TAP_FAILED)) of $TAP_N checks passed)"
tap_done
