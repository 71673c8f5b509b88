#!/bin/bash
# protocol.sh - the real daemon driven over the milter protocol by
# miltertest: headers and replies, several messages per connection, the
# store behind them, on-error actions, -n, -V, reload and shutdown.
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
tm_scratch
trap tm_cleanup EXIT

# --- the command line -------------------------------------------------
conf=$(tm_config main)
"$TM_BIN" -V | grep -q "^ticket-milter [0-9]"
tap_ok $? "-V prints the version"
"$TM_CTL" -c "$conf" init >/dev/null
tap_ok $? "ticketctl init creates database and secret"
[ "$(stat -c %a "$TM_DIR/main.secret")" = 600 ]
tap_ok $? "secret is created 0600"
out=$("$TM_BIN" -n -c "$conf" 2>&1)
tap_ok $? "-n accepts a good configuration ($out)"
bad=$(tm_config bad "socket = nonsense
frobnicate = yes")
out=$("$TM_BIN" -n -c "$bad" 2>&1)
rc=$?
sock_line=$(grep -n '^socket = nonsense' "$bad" | cut -d: -f1)
key_line=$(grep -n '^frobnicate' "$bad" | cut -d: -f1)
[ $rc -eq 1 ] && echo "$out" | grep -q "^$bad:$sock_line: socket \"nonsense\"" &&
	echo "$out" | grep -q "^$bad:$key_line: unknown key"
tap_ok $? "-n exits 1 naming FILE:LINE for each problem"
chmod 644 "$TM_DIR/main.secret"
out=$("$TM_BIN" -n -c "$conf" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "readable by others"
tap_ok $? "-n refuses a secret readable by others"
# The daemon itself: not started, one line naming the file, its mode and the remedy.
for mode in 640 620 604; do
	chmod "$mode" "$TM_DIR/main.secret"
	timeout 20 "$TM_BIN" -f -c "$conf" 2>"$TM_DIR/secret.err"
	rc=$?
	[ $rc -eq 1 ] && [ "$(wc -l <"$TM_DIR/secret.err")" = 1 ] &&
		grep -Eq "error: not starting: .*secret-file $TM_DIR/main.secret \(mode 0$mode\) is (readable|writable) by others than its owner; chmod 0600 it" "$TM_DIR/secret.err"
	tap_ok $? "the daemon refuses to start with a secret of mode 0$mode: $(cat "$TM_DIR/secret.err")"
done
"$TM_CTL" -c "$conf" init >/dev/null 2>"$TM_DIR/secret.err"
[ $? -ne 0 ] && grep -q "chmod 0600" "$TM_DIR/secret.err"
tap_ok $? "ticketctl init does not keep an unsafe secret silently"
chmod 600 "$TM_DIR/main.secret"
[ ! -e "$TM_DIR/main.pid" ] && [ ! -e "$TM_DIR/main.sock" ]
tap_ok $? "the refused starts left no pid file or socket"
[ "$(stat -c %a "$TM_DIR/main.db")" = 600 ]
tap_ok $? "the database is created 0600 ($(stat -c %a "$TM_DIR/main.db"))"

# syslog = no: stderr only, so it needs -f.
quiet=$(tm_config quiet "syslog = no")
"$TM_CTL" -c "$quiet" init >/dev/null
timeout 20 "$TM_BIN" -c "$quiet" 2>"$TM_DIR/quiet.err"
rc=$?
[ $rc -eq 1 ] && grep -q "^$quiet: syslog = no needs -f" "$TM_DIR/quiet.err" && [ ! -e "$TM_DIR/quiet.pid" ]
tap_ok $? "syslog = no without -f: not started, exit 1 ($rc): $(cat "$TM_DIR/quiet.err")"
tm_start quiet && tm_stop quiet
[ "$(grep -c "ticket-milter: info: ticket-milter [^ ]* listening on unix:$TM_DIR/quiet.sock" "$TM_DIR/quiet.log")" = 1 ] &&
	! grep -v '^[0-9-]*T[0-9:.]*Z ticket-milter: [a-z]*: ' "$TM_DIR/quiet.log" | grep -q .
tap_ok $? "syslog = no with -f: runs, every stderr line whole and stamped"

# --- the protocol ------------------------------------------------------
tm_start main
tap_ok $? "daemon starts, opens its socket and writes its pid file"
tm_miltertest main basic.lua >"$TM_DIR/basic.out"
tap_ok $? "basic.lua ran to the end"
tap_renumber <"$TM_DIR/basic.out"

json=$("$TM_CTL" -c "$conf" show SUP-1001 --json)
echo "$json" | grep -q '"id":"SUP-1001"' && [ "$(echo "$json" | grep -o '"direction":"in"' | wc -l)" -eq 2 ]
tap_ok $? "store: SUP-1001 holds the message and its follow-up, not the redelivery"
echo "$json" | grep -q '"message_id":"m2@example.org"'
tap_ok $? "store: show --json lists the messages with their Message-IDs"
[ "$("$TM_CTL" -c "$conf" list | wc -l)" -eq 2 ]
tap_ok $? "store: exactly two tickets (the aborted message left nothing)"
"$TM_CTL" -c "$conf" list --status new --json | grep -q '"customer":"carl@example.net"'
tap_ok $? "ticketctl list --status new --json"
"$TM_CTL" -c "$conf" search smoking | grep -q "^SUP-1001"
tap_ok $? "ticketctl search finds the ticket by its text"
"$TM_CTL" -c "$conf" show SUP-4242 >/dev/null 2>&1
[ $? -ne 0 ]
tap_ok $? "ticketctl show of an unknown ticket fails"
grep -q "4QID0001: new ticket SUP-1001" "$TM_DIR/main.log"
tap_ok $? "log line starts with the queue id"

# Reload: a broken file is refused and the old configuration kept.
# (tests/e2e/reload.sh shows which configuration mail gets, and a
# connection held open across a reload.)
log_wait() { # log_wait PATTERN: up to 10 s for the daemon to log it
	local i
	for i in $(seq 1 100); do
		grep -q "$1" "$TM_DIR/main.log" && return 0
		sleep 0.1
	done
	return 1
}
cp "$conf" "$TM_DIR/main.conf.good"
echo "garbage line" >>"$conf"
kill -USR1 "$(cat "$TM_DIR/main.bgpid")"
log_wait "keeping the running configuration"
tap_ok $? "SIGUSR1 with a broken configuration keeps the old one"
tm_miltertest main basic.lua >/dev/null 2>&1
grep -q "4QID0004: redelivery of SUP-1002" "$TM_DIR/main.log"
tap_ok $? "daemon keeps working after the failed reload"
cp "$TM_DIR/main.conf.good" "$conf"
kill -USR1 "$(cat "$TM_DIR/main.bgpid")"
log_wait "reloaded"
tap_ok $? "SIGUSR1 with a good configuration reloads"

# Stale socket: a second daemon must not steal a live socket.
"$TM_BIN" -f -c "$conf" 2>"$TM_DIR/second.log"
[ $? -ne 0 ] && grep -q "in use" "$TM_DIR/second.log"
tap_ok $? "a second daemon refuses a socket that is in use"
tm_stop main
[ ! -e "$TM_DIR/main.pid" ] && [ ! -e "$TM_DIR/main.sock" ]
tap_ok $? "SIGTERM: clean exit, pid file and socket removed"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$TM_DIR/main.sock"
tm_start main
tap_ok $? "a stale socket left by a dead process is removed at start"
tm_stop main

# --- agents ------------------------------------------------------------
tm_config agents "" "agents = alice@example.com, bob@example.com" >/dev/null
tm_start agents
tm_miltertest agents agent.lua >"$TM_DIR/agent.out"
tap_ok $? "agent.lua ran to the end"
tap_renumber <"$TM_DIR/agent.out"
grep -q "spoof attempt: <alice@example.com>" "$TM_DIR/agents.log"
tap_ok $? "the spoof attempt is logged as a warning"
"$TM_CTL" -c "$TM_DIR/agents.conf" show SUP-1001 --json | grep -q '"direction":"out"' &&
	"$TM_CTL" -c "$TM_DIR/agents.conf" show SUP-1001 --json | grep -q '"direction":"note"'
tap_ok $? "the reply and the note are in the thread"
"$TM_CTL" -c "$TM_DIR/agents.conf" list | grep -q "^SUP-1001.*pending.*urgent"
tap_ok $? "the commands were applied (pending, urgent)"
out=$("$TM_CTL" -c "$TM_DIR/agents.conf" set SUP-1001 priority=low status=bogus 2>&1)
[ $? -ne 0 ] && echo "$out" | grep -q "status=bogus: unknown status" &&
	"$TM_CTL" -c "$TM_DIR/agents.conf" list | grep -q "^SUP-1001.*urgent"
tap_ok $? "ticketctl set refuses a bad value and changes nothing"
"$TM_CTL" -c "$TM_DIR/agents.conf" set SUP-1001 status=resolved assign=bob@example.com | grep -q "asked for a rating" &&
	"$TM_CTL" -c "$TM_DIR/agents.conf" list --status resolved | grep -q "^SUP-1001"
tap_ok $? "ticketctl set resolves a ticket and asks the customer for a rating"
for i in $(seq 1 50); do
	"$TM_CTL" -c "$TM_DIR/agents.conf" outbox --json | grep -q '"kind":"resolved","state":"sent","recipient":"anna@example.org"' && break
	sleep 0.1
done
"$TM_CTL" -c "$TM_DIR/agents.conf" outbox --json | grep -q '"kind":"resolved","state":"sent","recipient":"anna@example.org"'
tap_ok $? "the running daemon delivers the rating request"
"$TM_CTL" -c "$TM_DIR/agents.conf" show SUP-1001 | grep -q "ticketctl:.* status pending -> resolved"
tap_ok $? "the change is an event with who did it"
tm_stop agents

# --- on-error ----------------------------------------------------------
for action in tempfail accept; do
	tm_config "err$action" "on-error = $action" >/dev/null
	tm_start "err$action"
	# The pid file comes before the start-up check of the store: wait for
	# "listening", or a slow daemon (valgrind) finds the broken file at
	# start and refuses to run.
	for i in $(seq 1 300); do
		grep -q "listening on" "$TM_DIR/err$action.log" && break
		sleep 0.1
	done
	# The daemon opens the store per connection: break it under its feet.
	rm -f "$TM_DIR/err$action.db"*
	head -c 8192 /dev/urandom >"$TM_DIR/err$action.db"
	tm_miltertest "err$action" error.lua -D "expect=$action" >"$TM_DIR/err.out"
	tap_renumber <"$TM_DIR/err.out"
	grep -q "4QERR001: .*$( [ $action = tempfail ] && echo tempfail || echo 'accepted unrecorded')" "$TM_DIR/err$action.log"
	tap_ok $? "on-error = $action: one log line with the queue id and the cause"
	kill -0 "$(cat "$TM_DIR/err$action.bgpid")"
	tap_ok $? "on-error = $action: the daemon stays up"
	tm_stop "err$action"
done

for name in main agents errtempfail erraccept; do
	tm_check_clean $name
	tap_ok $? "daemon $name: no sanitizer reports in its log"
done

tap_done
