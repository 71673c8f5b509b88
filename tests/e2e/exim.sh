#!/bin/bash
# exim.sh - end to end with a real Exim 4.96 (Debian 12's
# exim4-daemon-light) in front of ticket-filter.  Room: tests.
#
# Exim is never installed: its packages are fetched (apt-get download)
# and unpacked with dpkg-deb -x into a private tree under the build
# directory, kept there for the next run.  It runs from there with a
# private configuration of its own (exim -bd -C FILE) on loopback: one
# port for mail from outside, whose queue addresses (and an
# authenticated agent's mail) its router sends through the filter by an
# smtp transport, and a return port for what the filter passes back,
# which goes, like everything else, to a capturing smtp-sink.  The
# system's Exim, if any, is never touched.  Exim needs its compiled-in
# user, Debian-exim: created here when missing, and removed at the end
# when this test created it.
#
# Through Exim and the filter: a new ticket tagged with all headers, its
# acknowledgement, a follow-up threaded, an authenticated agent's reply
# rewritten to the customer, a note kept from the customer, a store
# fault answered 4xx and the message delivered once the store is back,
# and Exim restarted while mail waits in its queue with nothing lost.
. "$top_srcdir/tests/filter/filter-lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "needs root to run a private Exim"
EXIM_TREE="$top_builddir/tests/e2e/exim-root"
EXIM="$EXIM_TREE/usr/sbin/exim4"
if [ ! -x "$EXIM" ]; then
	fetch=$(mktemp -d)
	if ! (cd "$fetch" && timeout 120 apt-get download exim4-daemon-light exim4-base exim4-config >/dev/null 2>&1); then
		rm -rf "$fetch"
		tap_skip_all "cannot fetch exim4-daemon-light (apt-get download failed: no package lists or no network)"
	fi
	mkdir -p "$EXIM_TREE"
	for deb in "$fetch"/*.deb; do dpkg-deb -x "$deb" "$EXIM_TREE"; done
	rm -rf "$fetch"
fi
missing=$(ldd "$EXIM" 2>/dev/null | awk '/not found/ { print $1 }')
[ -z "$missing" ] || tap_skip_all "the unpacked exim4 misses libraries: $missing"
command -v sqlite3 >/dev/null || tap_skip_all "sqlite3 not installed"

filter_begin
tap_diag "scratch directory $TM_DIR (kept with TM_KEEP=1)"
created_user=
exim_cleanup() {
	exim_stop
	filter_cleanup
	if [ -n "$created_user" ]; then
		userdel Debian-exim 2>/dev/null
		getent group Debian-exim >/dev/null && groupdel Debian-exim 2>/dev/null
	fi
}
trap exim_cleanup EXIT
if ! getent passwd Debian-exim >/dev/null; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin Debian-exim ||
		tap_skip_all "cannot create the Debian-exim user"
	created_user=1
fi
EXIM_PORT=$(pf_pick_port "$FILTER_PORT" "$RETURN_PORT")
MTA_RETURN=$(pf_pick_port "$FILTER_PORT" "$RETURN_PORT" "$EXIM_PORT")
SINK_PORT=$RETURN_PORT	# filter-lib's return sink is Exim's final destination here
E="$TM_DIR/exim"
mkdir -p "$E/spool" "$E/log"
chown -R Debian-exim:Debian-exim "$E"

# The MTA: mail from outside on EXIM_PORT; the filter's re-injection on
# MTA_RETURN.  Every address, in any domain, ends at the sink.
cat >"$E/exim.conf" <<CONF
exim_path = $EXIM
spool_directory = $E/spool
log_file_path = $E/log/%slog
pid_file_path = $E/exim.pid
primary_hostname = mta.test.example
daemon_smtp_ports = $EXIM_PORT : $MTA_RETURN
local_interfaces = 127.0.0.1
host_lookup =
rfc1413_hosts =
keep_environment =
acl_smtp_rcpt = accept
auth_advertise_hosts = *
queue_only = false

begin acl

begin routers

# Queue addresses, and what an authenticated agent sends, go through
# the filter; never what comes back from it.
ticket_filter:
  driver = accept
  condition = \${if and{ {!eq{\$received_port}{$MTA_RETURN}} \\
                        {or{ {match_domain{\$domain}{example.com}} {def:authenticated_id} }} }}
  transport = ticket_filter

to_sink:
  driver = accept
  transport = to_sink

begin transports

ticket_filter:
  driver = smtp
  hosts = 127.0.0.1
  port = $FILTER_PORT
  allow_localhost
  hosts_avoid_tls = *
  authenticated_sender = \${if def:authenticated_id {\$authenticated_id}fail}
  authenticated_sender_force = true

to_sink:
  driver = smtp
  hosts = 127.0.0.1
  port = $SINK_PORT
  allow_localhost
  hosts_avoid_tls = *

begin retry

*  *  F,1h,3s

begin authenticators

plain:
  driver = plaintext
  public_name = PLAIN
  server_condition = \${if and{ {eq{\$auth2}{agent@example.com}} {eq{\$auth3}{agent-secret}} }}
  server_set_id = \$auth2
CONF
chmod 644 "$E/exim.conf"

exim_start() {
	local i
	"$EXIM" -C "$E/exim.conf" -bd -q2s >>"$E/start.log" 2>&1
	for i in $(seq 1 50); do
		_pf_banner_ok "$EXIM_PORT" && return 0
		sleep 0.1
	done
	cat "$E/log/paniclog" "$E/start.log" 2>/dev/null | tail -5 >&2
	return 1
}
exim_stop() {
	local pid i
	pid=$(cat "$E/exim.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	rm -f "$E/exim.pid"
}
exim_queue() { "$EXIM" -C "$E/exim.conf" -bpc 2>/dev/null; }
exim_send() { swaks --server "127.0.0.1:$EXIM_PORT" --timeout 30 "$@" >>"$E/swaks.log" 2>&1; }
# at_sink PATTERN [SECONDS]: the newest message at the sink matching PATTERN.
at_sink() {
	local i f
	for i in $(seq 1 $((${2:-20} * 10))); do
		for f in $(ls -t "$TM_DIR/returned" 2>/dev/null); do
			grep -q -- "$1" "$TM_DIR/returned/$f" && { echo "$TM_DIR/returned/$f"; return 0; }
		done
		sleep 0.1
	done
	return 1
}

filter_config main "" "user = nobody
busy-timeout = 1000" "agents = agent@example.com, colleague@example.com"
sed -i "s|^command = .*|smtp = 127.0.0.1:$MTA_RETURN|" "$TM_DIR/main.conf"
sed -i "s|^reinject = .*|reinject = 127.0.0.1:$MTA_RETURN|" "$TM_DIR/main.conf"
mkdir -p "$TM_DIR/data" && chown nobody "$TM_DIR/data"
sed -i "s|^database = .*|database = $TM_DIR/data/tickets.db|" "$TM_DIR/main.conf"
return_start && filter_start main && exim_start
tap_ok $? "Exim $("$EXIM" -C "$E/exim.conf" -bV 2>/dev/null | sed -n 's/^Exim version \([^ ]*\).*/\1/p') on $EXIM_PORT (return port $MTA_RETURN), ticket-filter on $FILTER_PORT, sink on $SINK_PORT"

# 1. A new ticket.
exim_send --from anna@example.org --to support@example.com --header "From: Anna Customer <anna@example.org>" \
	--header "Subject: Printer on fire" --header "Message-Id: <x-1@example.org>" --header "X-Ticket-ID: SUP-9999" \
	--body "The printer in room 12 is smoking."
f=$(at_sink '^Message-Id: <x-1@example.org>')
tap_ok $? "the customer's mail went through the filter and back to Exim, which delivered it"
grep -q '^Subject: \[SUP-1001\] Printer on fire' "$f" && [ "$(grep -c '^X-Ticket-ID:' "$f")" = 1 ] &&
	grep -q '^X-Ticket-ID: SUP-1001' "$f" && grep -q '^X-Ticket-Status: new' "$f" && grep -q '^X-Ticket-Priority: normal' "$f" &&
	grep -q '^X-Ticket-Queue: support' "$f" && grep -q '^X-Ticket-Evidence: ' "$f" &&
	grep -Eq '^Reply-To: .*support\+sup-1001-[a-z2-7]{16}@example\.com' "$f"
tap_ok $? "tagged with every header: subject, X-Ticket-ID (the forged one gone), status, priority, queue, evidence, Reply-To"
grep -q '^Received: from \[127.0.0.1\] (helo=support.example.com)' "$f" && grep -q '^X-Rcpt-Args: <support@example.com>' "$f"
tap_ok $? "delivered by Exim after the return port, to the queue address"
ack=$(at_sink 'X-Rcpt-Args: <anna@example.org>')
[ -n "$ack" ] && grep -q '^Auto-Submitted: auto-replied' "$ack" && grep -q 'SUP-1001' "$ack"
tap_ok $? "the acknowledgement reached the customer through Exim's return port"

# 2. The follow-up.
exim_send --from anna@example.org --to support@example.com --header "From: Anna Customer <anna@example.org>" \
	--header "Subject: Re: Printer on fire" --header "Message-Id: <x-2@example.org>" \
	--header "In-Reply-To: <x-1@example.org>" --body "Now it is on fire."
f=$(at_sink '^Message-Id: <x-2@example.org>') && grep -q '^X-Ticket-ID: SUP-1001' "$f"
tap_ok $? "the follow-up is threaded into SUP-1001"

# 3. An authenticated agent's reply to the ticket's address.
tok=$(grep -o 'support+sup-1001-[a-z2-7]*@example.com' "$(at_sink '^Message-Id: <x-1@example.org>')" | head -n 1)
exim_send --from agent@example.com --to "$tok" --auth PLAIN --auth-user agent@example.com --auth-password agent-secret \
	--header "From: Agent <agent@example.com>" --header "Subject: Re: [SUP-1001] Printer on fire" \
	--header "Message-Id: <x-3@example.com>" --body "Please switch it off at the wall."
f=$(at_sink 'switch it off at the wall')
[ -n "$f" ] && grep -q '^X-Rcpt-Args: <anna@example.org>' "$f" && grep -Eq '^From: "?Agent via Example Support"? <support@example.com>' "$f" &&
	grep -q '^In-Reply-To: <x-2@example.org>' "$f" && ! ls "$TM_DIR/returned" | xargs -I{} grep -l "X-Rcpt-Args: <$tok>" "$TM_DIR/returned/{}" | grep -q .
tap_ok $? "the agent's reply reaches the customer from the support identity, threaded, and not the gateway address"

# 4. A note: kept from the customer.
exim_send --from agent@example.com --to "$tok" --auth PLAIN --auth-user agent@example.com --auth-password agent-secret \
	--header "From: Agent <agent@example.com>" --header "Subject: Re: [SUP-1001] Printer on fire" \
	--header "Message-Id: <x-4@example.com>" --body $'#note\nCustomer seems to smoke indoors.'
sleep 3
grep -q 'note for SUP-1001 from' "$TM_DIR/main.log" && ! grep -l 'smoke indoors' "$TM_DIR"/returned/* 2>/dev/null | xargs -r grep -l 'X-Rcpt-Args: <anna@example.org>' | grep -q .
tap_ok $? "a note is recorded and never reaches the customer"

# 5. A store fault: 4xx to Exim, which keeps the message and retries.
rm -f "$TM_DIR/lock.fifo"; mkfifo "$TM_DIR/lock.fifo"
sqlite3 "$TM_DIR/data/tickets.db" <"$TM_DIR/lock.fifo" >"$TM_DIR/lock.out" 2>&1 &
lock_pid=$!
exec 6>"$TM_DIR/lock.fifo"
printf '.timeout 10000\nBEGIN IMMEDIATE;\nSELECT '"'held'"';\n' >&6
for _ in $(seq 1 50); do grep -qx held "$TM_DIR/lock.out" && break; sleep 0.1; done
exim_send --from bob@example.org --to support@example.com --header "From: Bob <bob@example.org>" \
	--header "Subject: Store down" --header "Message-Id: <x-5@example.org>" --body "Anyone there?"
for _ in $(seq 1 100); do grep -q 'x-5@example.org\|== support@example.com.*451 4.3.0' "$E/log/mainlog" 2>/dev/null && break; sleep 0.1; done
sleep 2
grep -q '451 4.3.0' "$E/log/mainlog" && ! at_sink '^Message-Id: <x-5@example.org>' 1 >/dev/null && [ "$(exim_queue)" -ge 1 ]
tap_ok $? "a store fault: the filter answers 451 4.3.0, Exim keeps the message in its queue"
printf 'ROLLBACK;\n.quit\n' >&6
exec 6>&-
wait "$lock_pid"
f=$(at_sink '^Message-Id: <x-5@example.org>' 30) && grep -q '^X-Ticket-ID: SUP-1002' "$f"
tap_ok $? "once the store is back, Exim's retry is recorded (SUP-1002) and delivered"

# 6. Exim restarted with mail in its queue: the filter is down meanwhile.
tm_stop main
for i in 1 2 3; do
	exim_send --from "carol$i@example.org" --to support@example.com --header "Subject: Restart $i" \
		--header "Message-Id: <x-r$i@example.org>" --body "Message $i."
done
sleep 1
queued=$(exim_queue)
exim_stop
exim_start && filter_start main
tap_ok $? "Exim restarted with $queued message(s) queued while the filter was down; the filter back"
ok=0
for i in 1 2 3; do
	f=$(at_sink "^Message-Id: <x-r$i@example.org>" 40) && grep -q '^X-Ticket-ID: SUP-100' "$f" && ok=$((ok + 1))
done
[ "$ok" = 3 ]
tap_ok $? "every queued message was ticketed and delivered after the restart ($ok of 3)"
for _ in $(seq 1 50); do [ "$(exim_queue)" = 0 ] && break; sleep 0.2; done
dups=$(grep -h '^Message-Id: <x-' "$TM_DIR"/returned/* | sort | uniq -d | wc -l)
[ "$(exim_queue)" = 0 ] && [ "$dups" = 0 ] && [ "$("$TM_CTL" -c "$TM_DIR/main.conf" list | wc -l)" = 5 ]
tap_ok $? "Exim's queue is empty, nothing was delivered twice, five tickets in all"
tap_diag "$(printf 'reliability\texim-restart\tExim stopped and started with %s queued, filter down meanwhile\t3\t%s\t-\t%s\t%s\t-' \
	"$queued" "$ok" "$((3 - ok))" "$dups")"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the filter's log"
tap_done
