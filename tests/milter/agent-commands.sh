#!/bin/bash
# agent-commands.sh - an agent's commands through the real daemon
# (tests/milter/agent_commands.lua sends the mail), then what the store
# and the notices to the agents say: no reply vanishes without the agent
# being told.
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
[ "$(grep -c '^alice@example.com	' "$TM_DIR/notices")" = 2 ] && [ "$(grep -c '^carol@example.com	' "$TM_DIR/notices")" = 1 ]
tap_ok $? "one notice per mail: 2 to alice (commands only, typo), 1 to carol ($(cut -f1,2 "$TM_DIR/notices" | tr '\n' ' '))"
for mid in cmd-list cmd-pre cmd-alt; do
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
n=$(notice alice@example.com cmd-only@mail.example.com)
echo "$n" | grep -q "contained only commands" && echo "$n" | grep -q "#priority urgent" &&
	echo "$n" | grep -q "nothing was sent to the customer"
tap_ok $? "commands only: the agent is told that only commands came, which were applied, and that nothing was sent"

# 5. A typo: reported as not understood.
notice alice@example.com cmd-typo@mail.example.com | grep -q "not understood.*#stauts resolved"
tap_ok $? "mistyped #stauts: reported to the agent as not understood"

# 7. The note no one received: recorded, and its author told.
[ "$(sql "SELECT count(*) FROM messages WHERE direction = 'note' AND message_id = 'cmd-note@mail.example.com'")" = 1 ]
tap_ok $? "the note is recorded in BIL-1001"
notice carol@example.com cmd-note@mail.example.com | grep -q "no other agent"
tap_ok $? "the note's author is told that no other agent received it"

tm_stop cmd
tm_check_clean cmd
tap_ok $? "daemon cmd: no sanitizer reports in its log"
tap_done
