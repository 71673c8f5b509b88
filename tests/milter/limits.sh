#!/bin/bash
# limits.sh - hostile and huge messages through the real daemon, driven by
# miltertest (tests/milter/limits.lua builds them at run time): every
# [milter] max-* limit met with on-limit = record, reject, accept and
# tempfail; broken charsets, an encoded CR/LF; a spool directory that does
# not exist.  (The 100 KB Subject, long id lists, an agent's big reply and
# the 100 MB message go through Postfix: tests/e2e/limits.sh.)  Each case
# prints one reliability line (messages in, tickets,
# acknowledgements, lost, duplicated, the daemon's peak resident memory).
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
tm_scratch
trap tm_cleanup EXIT

reliability() { printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }

# The daemon's peak resident memory (VmHWM, KB) during one case: writing
# 5 to clear_refs resets it (Linux 4.0).  "-" where /proc does not allow.
rss_reset() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null; }
rss_peak() { awk '/^VmHWM:/ { print $2; found = 1 } END { if (!found) print "-" }' "/proc/$1/status" 2>/dev/null; }

# run_case DAEMON CASE [-D k=v ...]: one scenario of limits.lua; sets PEAK.
run_case() {
	local name=$1 case=$2 pid
	shift 2
	pid=$(cat "$TM_DIR/$name.bgpid")
	rss_reset "$pid"
	tm_miltertest "$name" limits.lua -D "case=$case" "$@" >"$TM_DIR/$case.out"
	tap_renumber <"$TM_DIR/$case.out"
	PEAK=$(rss_peak "$pid")
}

# logged DAEMON QID TEXT: the daemon's log has TEXT on a line about QID.
logged() { grep -F "$2: " "$TM_DIR/$1.log" | grep -qF -- "$3"; }

# recorded DAEMON CASE QID MESSAGE-ID RCPT LOG-TEXT TEXT WHAT: the checks of
# a case that must end as a ticket with its text, and its reliability line.
recorded() {
	local name=$1 case=$2 qid=$3 mid=$4 rcpt=$5 log=$6 text=$7 what=$8 t n_acks lost=1
	logged "$name" "$qid" "$log"
	tap_ok $? "$case: one log line with the queue id: $log"
	t=$(tm_ticket_of "$name" "$mid")
	[ -n "$t" ] && lost=0
	[ -n "$t" ] && "$TM_CTL" -c "$TM_DIR/$name.conf" show "$t" | grep -qF -- "$text"
	tap_ok $? "$case: ticket ${t:-missing} holds what could be read (\"$text\")"
	n_acks=$(tm_acks "$name" "$rcpt")
	[ "$n_acks" = 1 ]
	tap_ok $? "$case: one acknowledgement ($n_acks)"
	reliability "limits/milter: $case" "$what" 1 "$([ -n "$t" ] && echo 1 || echo 0)" "$n_acks" "$lost" 0 "$PEAK"
}

# refused DAEMON CASE QID MESSAGE-ID LOG-TEXT WHAT: a case the MTA is told
# about (or that passes untouched): no ticket, the log line.
refused() {
	local name=$1 case=$2 qid=$3 mid=$4 log=$5 what=$6
	logged "$name" "$qid" "$log"
	tap_ok $? "$case: one log line with the queue id: $log"
	! tm_ticket_of "$name" "$mid" >/dev/null
	tap_ok $? "$case: nothing recorded"
	reliability "limits/milter: $case" "$what" 1 0 0 0 0 "$PEAK"
}

# --- on-limit = record, small limits ---------------------------------------
tm_config lim "max-header-line = 512
max-message-size = 1M
spool-memory = 64k" >/dev/null
tm_start lim
tap_ok $? "daemon with small limits starts"

run_case lim crlf
t=$(tm_ticket_of lim crlf@example.org)
ack=$(ls "$TM_DIR/lim.sent"/*-eve@example.org 2>/dev/null | head -n1)
for i in $(seq 1 100); do [ -n "$ack" ] && break; sleep 0.1; ack=$(ls "$TM_DIR/lim.sent"/*-eve@example.org 2>/dev/null | head -n1); done
logged lim 4QLIMCRL "repaired: an encoded word decoding to a line break or control character"
tap_ok $? "crlf: one log line with the queue id says what was repaired"
[ -n "$ack" ] && ! sed '/^$/q' "$ack" | grep -qi '^bcc:' && ! sed '/^$/q' "$ack" | grep -q '^injected' &&
	[ "$(ls "$TM_DIR/lim.sent" | wc -l)" = 1 ]
tap_ok $? "crlf: the acknowledgement has no injected header and one recipient"
reliability "limits/milter: encoded CR/LF" "Subject and From name decoding to CR LF and a Bcc header" 1 \
	"$([ -n "$t" ] && echo 1 || echo 0)" "$(ls "$TM_DIR/lim.sent" | grep -c eve@)" "$([ -n "$t" ] && echo 0 || echo 1)" 0 "$PEAK"

run_case lim header-bytes
recorded lim header-bytes 4QLIMHBY hbytes@example.org hbytes@example.org \
	"header fields over 524288 bytes (max-header-bytes); recording what could be read (on-limit = record)" \
	"The text after a big header." "560 KB in 1400 header fields (max-header-bytes 512k), a forged X-Ticket-ID after them"
run_case lim header-count
recorded lim header-count 4QLIMHCN hcount@example.org hcount@example.org \
	"more than 10000 header fields (max-headers)" "The text after many fields." "12,000 header fields (max-headers 10000)"
run_case lim header-line
recorded lim header-line 4QLIMHLN hline@example.org hline@example.org \
	"a header field over 512 bytes (max-header-line)" "The text after a long subject." \
	"a 1000-byte Subject (max-header-line 512)"
subject=$("$TM_CTL" -c "$TM_DIR/lim.conf" show "$(tm_ticket_of lim hline@example.org)" --json |
	python3 -c 'import json,sys; print(len(json.load(sys.stdin)["subject"].encode()))' 2>/dev/null)
[ -n "$subject" ] && [ "$subject" -le 998 ]
tap_ok $? "header-line: the subject is kept, shortened to $subject bytes"
run_case lim parts
recorded lim parts 4QLIMPRT parts@example.org parts@example.org "more than 1000 MIME parts (max-mime-parts)" \
	"The first of many parts." "10,000 MIME parts (max-mime-parts 1000)"
run_case lim depth
recorded lim depth 4QLIMDEP depth@example.org depth@example.org "MIME parts nested deeper than 50 (max-mime-depth)" \
	"deep" "multiparts nested 500 deep (max-mime-depth 50)"
run_case lim size
recorded lim size 4QLIMSIZ size@example.org size@example.org "over max-message-size: only the first 1048576 read" \
	"The text at the top of a big message." "a 3 MB message (max-message-size 1M)"
run_case lim charsets
recorded lim charsets 4QLIMUTF utf@example.org charsets@example.org "repaired: 8-bit header text that is not UTF-8" \
	"caf" "invalid UTF-8 and mislabeled charsets in headers, body and file names"
"$TM_CTL" -c "$TM_DIR/lim.conf" show "$(tm_ticket_of lim utf@example.org)" --json | python3 -c 'import json,sys; json.load(sys.stdin)'
tap_ok $? "charsets: the ticket reads back as valid JSON (valid UTF-8)"

# --- on-limit = reject, accept, tempfail: the same daemon, reloaded ---------
# (Each connection keeps the configuration it started with; a stop costs
# libmilter five seconds, a reload nothing.)
reconfigure() { # reconfigure EXTRA-MILTER-LINES: new lim.conf, SIGUSR1, wait for it
	local before i
	before=$(grep -c "reloaded" "$TM_DIR/lim.log")
	tm_config lim "$1" >/dev/null
	kill -USR1 "$(cat "$TM_DIR/lim.bgpid")"
	for i in $(seq 1 100); do
		[ "$(grep -c "reloaded" "$TM_DIR/lim.log")" -gt "$before" ] && return 0
		sleep 0.1
	done
	return 1
}
before=$("$TM_CTL" -c "$TM_DIR/lim.conf" list | wc -l)
reconfigure "on-limit = reject
max-message-size = 1M
spool-memory = 64k"
tap_ok $? "reloaded with on-limit = reject"
run_case lim reject-parts
refused lim reject-parts 4QREJPRT rparts@example.org "more than 1000 MIME parts (max-mime-parts); rejected (on-limit = reject)" \
	"2000 MIME parts, on-limit reject"
run_case lim reject-size
refused lim reject-size 4QREJSIZ rsize@example.org "more than 1048576 bytes (max-message-size); rejected (on-limit = reject)" \
	"a 3 MB message (max-message-size 1M), on-limit reject"

reconfigure "on-limit = accept"
tap_ok $? "reloaded with on-limit = accept"
run_case lim accept-depth
refused lim accept-depth 4QACCDEP adepth@example.org "accepted unrecorded (on-limit = accept)" \
	"multiparts nested 500 deep, on-limit accept"

reconfigure "on-limit = tempfail
max-headers = 300"
tap_ok $? "reloaded with on-limit = tempfail"
run_case lim tempfail-count
refused lim tempfail-count 4QTMPHCN thcount@example.org "more than 300 header fields (max-headers); tempfailed (on-limit = tempfail)" \
	"1000 header fields (max-headers 300), on-limit tempfail"
[ "$("$TM_CTL" -c "$TM_DIR/lim.conf" list | wc -l)" = "$before" ]
tap_ok $? "rejected, accepted and tempfailed messages left no ticket"

# --- a spool directory that does not exist ----------------------------------
tm_config nosp "spool-directory = $TM_DIR/missing" >/dev/null
"$TM_CTL" -c "$TM_DIR/nosp.conf" init >/dev/null
out=$("$TM_BIN" -n -c "$TM_DIR/nosp.conf" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "spool-directory: $TM_DIR/missing does not exist"
tap_ok $? "-n reports a spool directory that does not exist"
before=$("$TM_CTL" -c "$TM_DIR/lim.conf" list | wc -l)
reconfigure "spool-directory = $TM_DIR/missing
spool-memory = 64k"
tap_ok $? "reloaded with a spool directory that does not exist"
run_case lim nospool
logged lim 4QNOSPOL "tempfail: spooling the message: spool directory $TM_DIR/missing: No such file or directory"
tap_ok $? "nospool: one log line with the queue id and the cause"
kill -0 "$(cat "$TM_DIR/lim.bgpid")"
tap_ok $? "nospool: the daemon stays up"
reliability "limits/milter: spool directory missing" "a 200 KB message and a small one, spool-memory 64k" 2 \
	"$(($("$TM_CTL" -c "$TM_DIR/lim.conf" list | wc -l) - before))" - 0 0 "$PEAK"
tm_stop lim
tm_check_clean lim
tap_ok $? "no sanitizer reports in the daemon's log"

tap_done
