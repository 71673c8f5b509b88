#!/bin/bash
# faults.sh - end to end: the store fails under the running daemon, behind
# a private Postfix.  Four cases of the reliability report: the database
# file unwritable, the disk holding it full (a small tmpfs), its write
# lock held by another process longer than busy-timeout, the file
# corrupted.
#
# In each case, while the fault is in place, one customer mail comes by
# SMTP and one by the sendmail command (Postfix's pickup, that is
# non_smtpd_milters): the SMTP client is told 451 4.3.0, the local mail
# stays in Postfix's queue; for every attempt the milter writes exactly
# one line, naming Postfix's queue id and the cause; the daemon keeps
# answering the next connection.  Then the fault is removed (the corrupt
# file the way an operator would: daemon stopped, file restored from a
# backup, daemon started), the SMTP client sends again as a client's MTA
# would, Postfix's queue is flushed, and each mail is ticketed once and
# acknowledged once at the sink.
. "$top_srcdir/tests/e2e/e2e.sh"
e2e_begin
command -v sqlite3 >/dev/null || tap_skip_all "sqlite3 not installed (apt-get install sqlite3)"
command -v runuser >/dev/null || tap_skip_all "runuser not installed (util-linux)"

DATA=$TM_DIR/data
db=$DATA/tickets.db
conf=$TM_DIR/main.conf
mkdir -p "$DATA" "$TM_DIR/backup"
chown nobody "$TM_DIR/backup"

# The store lives on its own small tmpfs, so that "disk full" fills that
# filesystem and nothing else.  Without it (no mount in this container)
# the disk-full case is skipped.
if mount -t tmpfs -o "size=16m,mode=0750,uid=$(id -u nobody),gid=$(id -g nobody)" tm-faults "$DATA" 2>/dev/null; then
	TMPFS=1
else
	TMPFS=0
	chown nobody "$DATA"
fi

faults_cleanup() {
	exec 7>&- 2>/dev/null
	[ -n "${LOCK_PID:-}" ] && wait "$LOCK_PID" 2>/dev/null
	pf_cleanup
	tm_stop main
	[ "$TMPFS" = 1 ] && umount "$DATA" 2>/dev/null
	tm_cleanup
}
trap faults_cleanup EXIT

{ e2e_milter_section "$db"; cat <<CONF
# Short, so that a held lock outlasts it at once; long enough for a
# loaded machine's ordinary contention.
busy-timeout = 1000

[outbox]
smtp = 127.0.0.1:$PF_SINK_PORT
retry-after = 1s

[queue support]
name = Example Support
addresses = support@example.com
tag = SUP
CONF
} >"$conf"

# sqlite3 as the daemon's user: files it creates belong to the daemon.
as_daemon() { runuser -u nobody -- "$@"; }
sql() { as_daemon sqlite3 -cmd ".timeout 5000" "$db" "$@"; }
daemon_pid() { cat "$TM_DIR/main.pid"; }
peak_rss() { awk '/^VmHWM:/ { print $2 }' "/proc/$(daemon_pid)/status" 2>/dev/null || echo -; }

# Log positions at the start of a case: what came after belongs to it.
mark() {
	tm_mark=$(wc -l <"$TM_DIR/main.log")
	pf_mark=$(pf_log | wc -l)
}
tm_since() { tail -n "+$((tm_mark + 1))" "$TM_DIR/main.log"; }
pf_since() { pf_log | tail -n "+$((pf_mark + 1))"; }

# The queue ids of the attempts the milter tempfailed since the mark,
# with the envelope sender: "QID SENDER".
tempfailed() {
	pf_since | sed -n 's/.* \([0-9A-F]\{6,\}\): milter-reject: END-OF-MESSAGE .*: 4\.3\.0 .*; from=<\([^>]*\)>.*/\1 \2/p'
}

# sink_count_matching PATTERN: how many received messages match.
sink_count_matching() {
	local f n=0
	for f in $(sink_files); do
		sink_body "$f" | grep -q "$1" && n=$((n + 1))
	done
	echo "$n"
}

send_smtp() { # send_smtp MESSAGE-ID SENDER; swaks' complaints in $TM_DIR/swaks.out
	pf_send --from "$2" --to support@example.com --header "From: Customer <$2>" \
		--header "Subject: Order $1 has not arrived" --header "Message-Id: <$1>" \
		--body "Hello, my order $1 has not arrived yet. Could you please look into it?" >"$TM_DIR/swaks.out" 2>&1
}

send_local() { # send_local MESSAGE-ID SENDER: through the sendmail command
	printf 'From: Customer <%s>\nTo: support@example.com\nSubject: Order %s has not arrived\nMessage-Id: <%s>\nDate: %s\n\nHello, my order %s has not arrived yet. Could you please look into it?\n' \
		"$2" "$1" "$1" "$(date -R)" "$1" | pf_sendmail -i -f "$2" -- support@example.com
}

# run_case NAME CAUSE-REGEX "CASE" "WHAT WAS DONE": inject_NAME and
# remove_NAME put the fault in place and take it away.
run_case() {
	local name=$1 cause=$2 title=$3 what=$4
	local smtp_id="$name-smtp@customer.example" smtp_from="$name-smtp@customer.example"
	local local_id="$name-local@customer.example" local_from="$name-local@customer.example"
	local qid from line n_lines rc i ticketed tickets acks copies lost dup rss

	mark
	"inject_$name"
	tap_ok $? "$name: fault in place"

	send_smtp "$smtp_id" "$smtp_from"
	rc=$?
	[ $rc -ne 0 ] && grep -q '451 4\.3\.0 Ticket system temporarily unavailable' "$TM_DIR/swaks.out"
	tap_ok $? "$name: the SMTP client is told 451 4.3.0 (swaks status $rc)"
	send_local "$local_id" "$local_from"
	for i in $(seq 1 200); do
		tempfailed | grep -q " $local_from\$" && break
		sleep 0.1
	done
	tempfailed | grep -q " $local_from\$" && [ "$(pf_queue_count)" -ge 1 ]
	tap_ok $? "$name: the local mail is tempfailed and waits in Postfix's queue"

	# One line per attempt, with Postfix's queue id and the cause.
	rc=0
	while read -r qid from; do
		n_lines=$(tm_since | grep -c " $qid: ")
		line=$(tm_since | grep " $qid: ")
		tap_diag "$qid <$from>: $n_lines line(s): $line"
		[ "$n_lines" = 1 ] && echo "$line" | grep -Eq "error: $qid: tempfail: .*($cause)" || rc=1
	done < <(tempfailed)
	[ "$(tempfailed | wc -l)" -ge 2 ] || rc=1
	tap_ok $rc "$name: exactly one milter log line per attempt, naming the queue id and the cause"

	kill -0 "$(daemon_pid)" && pf_send --from "$name-other@customer.example" --to someone@example.net \
		--header "Subject: not for a queue" --header "Message-Id: <$name-other@customer.example>" --body "hello" >/dev/null 2>&1
	tap_ok $? "$name: the daemon stays up and answers the next connection"

	"remove_$name"
	tap_ok $? "$name: fault removed"
	send_smtp "$smtp_id" "$smtp_from"
	tap_ok $? "$name: the client's retry is accepted"
	pf_flush
	wait_for "^In-Reply-To: <$smtp_id>" 30 && wait_for "^In-Reply-To: <$local_id>" 30 &&
		pf_queue_empty_wait 30
	tap_ok $? "$name: both are acknowledged and Postfix's queue is empty"

	ticketed=$(sql "SELECT count(DISTINCT message_id) FROM messages WHERE message_id IN ('$smtp_id', '$local_id')")
	tickets=$(sql "SELECT count(DISTINCT ticket_id) FROM messages WHERE message_id IN ('$smtp_id', '$local_id')")
	dup=$(sql "SELECT count(*) - count(DISTINCT message_id) FROM messages WHERE message_id IN ('$smtp_id', '$local_id')")
	sleep 1	# a duplicate acknowledgement would be on its way now
	acks=$(( $(sink_count_matching "^In-Reply-To: <$smtp_id>") + $(sink_count_matching "^In-Reply-To: <$local_id>") ))
	copies=$(( $(sink_count_matching "^Message-I[dD]: <$smtp_id>") + $(sink_count_matching "^Message-I[dD]: <$local_id>") ))
	lost=$((2 - ticketed))
	dup=$((dup + (acks > 2 ? acks - 2 : 0) + (copies > 2 ? copies - 2 : 0)))
	rss=$(peak_rss)
	tap_diag "$name: 2 messages in, $ticketed ticketed in $tickets ticket(s), $acks acknowledgement(s), $copies copies delivered"
	[ "$ticketed" = 2 ] && [ "$tickets" = 2 ] && [ "$dup" = 0 ] && [ "$acks" = 2 ] && [ "$copies" = 2 ]
	tap_ok $? "$name: each mail ticketed once, acknowledged once, delivered once"
	printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$title" "$what" 2 "$tickets" "$acks" "$lost" "$dup" "$rss"
}

# --- the faults ------------------------------------------------------------

# A chmod under the running daemon changes nothing: it writes through the
# descriptors it opened (SQLite even reuses them for new connections).  The
# fault bites when the daemon opens the file afresh, after a restart, e.g.
# once an operator restored the file with the wrong mode: then it starts
# with a warning, stays up, tempfails, and heals once the modes are fixed.
inject_unwritable() {
	local i
	tm_stop main
	rm -f "$TM_DIR/main.pid"
	chmod 0400 "$db" && tm_start main || return 1
	# The pid file comes first, the store's check just after it.
	for i in $(seq 1 100); do
		tm_since | grep -q "error: database $db: .*readonly.*tempfailed until this is fixed" && return 0
		sleep 0.1
	done
	return 1
}
# SQLite shares one read-only mapping of the -shm file among the
# process's handles until all are closed: the daemon heals once its
# outbox handle reopened (and says so), not necessarily at the chmod.
remove_unwritable() {
	local i
	chmod 0640 "$db" "$db-wal" "$db-shm" || return 1
	for i in $(seq 1 100); do
		tm_since | grep -q "outbox: the store works again" && return 0
		sleep 0.1
	done
	return 1
}

# SQLite reuses the space of a WAL it has checkpointed: truncate it first,
# so that the next commit needs new blocks.
inject_diskfull() {
	sql "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null || return 1
	dd if=/dev/zero of="$DATA/filler" bs=1M 2>/dev/null
	[ "$(df --output=avail "$DATA" | tail -n 1 | tr -d ' ')" = 0 ]
}
remove_diskfull() { rm -f "$DATA/filler"; }

# Another writer (a sqlite3 process fed through a fifo) holds the write
# lock until released; it prints "held" once it has it.
inject_locked() {
	local i
	rm -f "$TM_DIR/lock.fifo"
	mkfifo -m 0644 "$TM_DIR/lock.fifo"
	as_daemon sqlite3 "$db" <"$TM_DIR/lock.fifo" >"$TM_DIR/lock.out" 2>&1 &
	LOCK_PID=$!
	exec 7>"$TM_DIR/lock.fifo"
	printf '.timeout 10000\nBEGIN IMMEDIATE;\nSELECT '"'held'"';\n' >&7
	for i in $(seq 1 100); do
		grep -qx held "$TM_DIR/lock.out" && return 0
		sleep 0.1
	done
	return 1
}
remove_locked() {
	local rc
	printf 'ROLLBACK;\n.quit\n' >&7
	exec 7>&-
	wait "$LOCK_PID"
	rc=$?
	LOCK_PID=
	return $rc
}

# Every page after the first (the schema) overwritten with zeros, after a
# backup; the operator's remedy is to stop the daemon and restore it.
inject_corrupt() {
	local pages size
	sql ".backup '$TM_DIR/backup/tickets.db'" || return 1
	sql "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null || return 1
	pages=$(sql "PRAGMA page_count;") && size=$(sql "PRAGMA page_size;") || return 1
	as_daemon dd if=/dev/zero of="$db" bs="$size" seek=1 count=$((pages - 1)) conv=notrunc 2>/dev/null
	! sql "PRAGMA quick_check;" 2>/dev/null | grep -qx ok
}
remove_corrupt() {
	tm_stop main
	rm -f "$TM_DIR/main.pid"
	as_daemon cp "$TM_DIR/backup/tickets.db" "$db" && rm -f "$db-wal" "$db-shm" &&
		[ "$(sql "PRAGMA integrity_check;")" = ok ] && tm_start main
}

# --- run -------------------------------------------------------------------

tm_start main
tap_ok $? "ticket-milter starts (store on $([ "$TMPFS" = 1 ] && echo "a 16 MB tmpfs" || echo "the scratch disk"))"
pf_init "$TM_DIR/pf" >/dev/null
sink_start && pf_start
tap_ok $? "private Postfix and sink started"

# A ticket first, so that every fault meets a store with data in it.
send_smtp "warmup@customer.example" "warmup@customer.example"
wait_for "^In-Reply-To: <warmup@customer.example>" 30
tap_ok $? "a first customer mail is ticketed and acknowledged"

run_case unwritable 'readonly|read-only|permission' "store: database file unwritable" \
	"daemon (user nobody) restarted on a database chmod 0400; 1 SMTP + 1 local mail; chmod 0640 of the files without restart, client retry, postqueue -f"
if [ "$TMPFS" = 1 ]; then
	run_case diskfull 'full' "store: disk full" \
		"database on a 16 MB tmpfs filled to the last block (SQLITE_FULL); 1 SMTP + 1 local mail; filler removed, client retry, postqueue -f"
else
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP disk full: cannot mount a tmpfs here"
fi
run_case locked 'locked|busy' "store: database locked" \
	"another sqlite3 holds BEGIN IMMEDIATE beyond busy-timeout (1 s); 1 SMTP + 1 local mail; lock released, client retry, postqueue -f"
run_case corrupt 'malformed|corrupt|not a database' "store: database corrupted" \
	"pages 2..N of the database zeroed; 1 SMTP + 1 local mail; operator stops the daemon, restores the backup, starts it; client retry, postqueue -f"

[ "$(sql "PRAGMA integrity_check;")" = ok ]
tap_ok $? "PRAGMA integrity_check is ok at the end"
tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
