# shellcheck shell=bash
#
# lib.sh - the pieces bench/run is made of: the tools it compiles, the
# milters it starts, one timed run of one mode, and what it reads from
# /proc.  Sourced by bench/run after tests/e2e/postfix-lib.sh and
# tests/lib/common.sh, with these set:
#
#   SRC       the source tree            BUILD   its build-bench folder
#   W         the scratch folder         SESSIONS  parallel SMTP sessions
#   PF_SMTP_PORT, PF_SINK_PORT, NULL_PORT, TM_PORT  loopback ports
#
# Layout of W: bin/ (compiled tools), wl/<phase>/ (workloads), tm/ (the
# ticket-milter configuration, secret and database: TM_DIR of common.sh),
# pf/ (the private Postfix and its sink), runs/<phase>-r<N>-<mode>/
# (what one timed run leaves: timings.tsv, milter.log, sink.tsv, stats.env,
# and cpu-start, cpu-sent, cpu-delivered: proc_cpu_all when the sending
# began, when it ended and when everything was at the sink; with
# --syscalls, syscalls.txt: bpftrace's count of system calls over that).

CLK_TCK=$(getconf CLK_TCK)
PY=/usr/bin/python3

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ---- tools ----------------------------------------------------------------

# bench_compile - the do-nothing milter and the SMTP client, into W/bin.
bench_compile() {
	mkdir -p "$W/bin"
	gcc -O2 -Wall -Wextra -o "$W/bin/nullmilter" "$SRC/bench/nullmilter.c" -lmilter -lpthread ||
		die "cannot compile bench/nullmilter.c (apt-get install libmilter-dev)"
	gcc -O2 -Wall -Wextra -o "$W/bin/smtpsend" "$SRC/bench/smtpsend.c" -lpthread ||
		die "cannot compile bench/smtpsend.c"
}

# bench_send PHASE-DIR OUT-DIR [SMTPSEND-OPTIONS...] - send a workload
# through the private Postfix; timings to OUT-DIR/timings.tsv.
bench_send() {
	local wl=$1 out=$2
	shift 2
	"$W/bin/smtpsend" -s "127.0.0.1:$PF_SMTP_PORT" -c "$SESSIONS" -i "$wl/index.tsv" \
		-o "$out/timings.tsv" "$@" 2>>"$out/smtpsend.err"
}

# ---- /proc -----------------------------------------------------------------

# proc_cpu_ticks PID - utime + stime of a process, in clock ticks.
# Fields 14 and 15 of /proc/PID/stat, counted after the ")" that closes
# the command name (which may itself contain spaces).
proc_cpu_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	stat=${stat##*) }
	awk '{ print $12 + $13 }' <<<"$stat"
}

# proc_status PID FIELD - a /proc/PID/status value in kB (VmRSS, VmHWM).
proc_status() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

# machine_ticks - "busy total" jiffies of all CPUs from /proc/stat.
machine_ticks() {
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}

# proc_cpu_all - what the whole machine's CPU did so far, for where it
# went during a run: the "cpu" line of /proc/stat (its interrupt time
# belongs to no process), every /proc/PID/stat line as it is (analyze.py
# reads them: a process's CPU time, and that of its children that ended,
# which Postfix's master and the benchmark's shell reap), and "bench PID"
# naming the benchmark's shell.  Shell built-ins only: it runs while the
# outbox still sends, and must not take the CPU from it.
proc_cpu_all() {
	local f line
	read -r line </proc/stat && printf '%s\n' "$line"
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" && printf '%s\n' "$line"
	done
	printf 'bench %s\n' "$$"
}

# syscalls_start OUT-DIR, syscalls_stop - with --syscalls (SYSCALLS=1),
# every process's system calls by program (thread) name and call number,
# counted in the kernel by one bpftrace probe, into OUT-DIR/syscalls.txt.
syscalls_start() {
	((${SYSCALLS:-0})) || return 0
	bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm, args->id] = count(); }' \
		>"$1/syscalls.txt" 2>"$1/bpftrace.err" &
	SYSCALLS_PID=$!
	_pf_sleep_until 30 grep -q '^Attaching' "$1/syscalls.txt" || die "bpftrace did not start: $(tail -n 2 "$1/bpftrace.err")"
}

syscalls_stop() {
	[[ -n ${SYSCALLS_PID:-} ]] || return 0
	kill -INT "$SYSCALLS_PID" 2>/dev/null
	wait "$SYSCALLS_PID" 2>/dev/null
	SYSCALLS_PID=""
}

# ---- the milters -------------------------------------------------------------

# ack_port - where ticket-milter submits what it sends (ACK_ROUTE):
# reinject, the private Postfix's milter-free listener; postfix, its
# port with the milter; sink, the sink itself.
ack_port() {
	case ${ACK_ROUTE:-reinject} in
	sink) echo "$PF_SINK_PORT" ;;
	postfix) echo "$PF_SMTP_PORT" ;;
	*) echo "$PF_REINJECT_PORT" ;;
	esac
}

# tm_write_config - the ticket-milter configuration used by every run:
# the example configuration's queue (14 locales, SLA over two business
# calendars) with the workload's four agents, what it sends by SMTP to
# ack_port, log lines at info level (one per message, with elapsed=).
tm_write_config() {
	cat >"$TM_DIR/tm.conf" <<CONF
[milter]
socket = inet:$TM_PORT@127.0.0.1
database = $TM_DIR/tickets.db
secret-file = $TM_DIR/secret
hostname = support.example.com
pid-file = $TM_DIR/tm.pid
templates = $SRC/templates
log-level = info
# The log is read from stderr, like nullmilter's; this machine runs no
# syslog daemon, and logging there too would cost a failed connect per
# line that no production server pays.
syslog = no
# The benchmark's agents send from loopback: that authenticates them.
trusted-networks = 127.0.0.0/8

[outbox]
smtp = 127.0.0.1:$(ack_port)

# The load is new tickets by the thousand: the queue-wide limit against
# backscatter would stop their acknowledgements, which are measured.
[autoreply]
queue-rate = 1000000/1m
$([[ ${ACK_ROUTE:-} == off ]] && printf 'never-to = .\n')

[queue support]
name = Example Support
addresses = support@example.com, help@example.com
tag = SUP
agents = anna.berg@example.com, mehmet.yilmaz@example.com, chloe.martin@example.com, ken.sato@example.com
locales = en, tr, de, fr, es, pt-BR, it, nl, ru, ja, zh-CN, ar, ko, pl
default-locale = en
sla = standard
calendars = istanbul, new-york
vip = ceo@bigcorp.example, @vip.example
vip-sla = premium

[sla standard]
first-response = 8h
resolution = 5d
urgent.first-response = 1h
high.first-response = 4h

[sla premium]
first-response = 2h
urgent.first-response = 30m
resolution = 2d

[calendar istanbul]
timezone = Europe/Istanbul
hours = mon-fri 09:00-18:00, sat 10:00-14:00
holidays = 2026-01-01, 2026-04-23, */05-01

[calendar new-york]
timezone = America/New_York
hours = mon-fri 09:00-17:00
holidays = */07-04, */12-25
CONF
}

# tm_fresh_db [SNAPSHOT] - remove the database; copy SNAPSHOT (the
# seeded database) in its place when given.
tm_fresh_db() {
	rm -f "$TM_DIR"/tickets.db "$TM_DIR"/tickets.db-wal "$TM_DIR"/tickets.db-shm
	[[ -z ${1:-} ]] && return 0
	local f
	for f in "$1" "$1-wal"; do
		[[ -f $f ]] && cp "$f" "$TM_DIR/tickets.db${f#"$1"}"
	done
	return 0
}

# tm_up - start ticket-milter (common.sh's tm_start: ticketctl init,
# then the daemon with -f, stderr to TM_DIR/tm.log); sets MILTER_PID.
# Its stdout goes to /dev/null: a daemon holding the caller's stdout
# would keep a $(...) around it waiting forever.
tm_up() {
	rm -f "$TM_DIR/tm.pid" "$TM_DIR/tm.log"
	tm_start tm >/dev/null || { tail -n 20 "$TM_DIR/tm.log" >&2; die "ticket-milter did not start"; }
	MILTER_PID=$(cat "$TM_DIR/tm.bgpid")
}

tm_down() { tm_stop tm; rm -f "$TM_DIR/tm.bgpid"; }

# null_up [-e ADDRESS] - start the do-nothing milter (with -e, it tags
# the mail for ADDRESS as ticket-milter would); sets MILTER_PID.
null_up() {
	"$W/bin/nullmilter" -p "inet:$NULL_PORT@127.0.0.1" -l "$@" >/dev/null 2>"$W/null.log" &
	MILTER_PID=$!
	echo "$MILTER_PID" >"$W/null.pid"
	_pf_sleep_until 5 _pf_port_in_use "$NULL_PORT" || die "nullmilter did not start"
}

null_down() {
	local pid
	pid=$(cat "$W/null.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	_pf_sleep_until 5 _pf_pids_gone "$pid" || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$W/null.pid"
}

# mode_up MODE [DB-SNAPSHOT] - start MODE's milter and point Postfix at
# it; sets MILTER_PID (empty for "none").
mode_up() {
	MILTER_PID=""
	case $1 in
	none) pf_set_milter "" || die "postfix reload" ;;
	null | nullack | nulltag)
		if [[ $1 == nulltag ]]; then null_up -e support@example.com; else null_up; fi
		pf_set_milter "inet:$NULL_PORT@127.0.0.1" || die "postfix reload"
		;;
	ticket)
		tm_fresh_db "${2:-}"
		tm_up
		pf_set_milter "inet:$TM_PORT@127.0.0.1" || die "postfix reload"
		;;
	esac
}

# mode_down MODE OUT-DIR - stop MODE's milter, keep its log in OUT-DIR.
mode_down() {
	case $1 in
	null | nullack | nulltag)
		null_down
		mv "$W/null.log" "$2/milter.log"
		;;
	ticket)
		tm_down
		mv "$TM_DIR/tm.log" "$2/milter.log"
		# What the store holds after the run, for the size per ticket.
		{
			echo "db_bytes=$(stat -c %s "$TM_DIR/tickets.db")"
			echo "db_tickets=$(sqlite3 "$TM_DIR/tickets.db" 'SELECT count(*) FROM tickets')"
			echo "db_messages=$(sqlite3 "$TM_DIR/tickets.db" 'SELECT count(*) FROM messages')"
		} >>"$2/stats.env"
		;;
	esac
	return 0
}

# ---- waiting -------------------------------------------------------------------

# acks_queued LOG - how many acknowledgements ticket-milter queued.
acks_queued() {
	grep -c 'acknowledgement queued' "$1" 2>/dev/null || true
}

# wait_delivered N TIMEOUT - until the sink holds N messages and the
# Postfix queue is empty; false on timeout.
wait_delivered() {
	sink_wait "$1" "$2" && pf_queue_empty_wait 10
}

# ---- one timed run ---------------------------------------------------------------

# ack_mode MODE - whether MODE is the do-nothing milter with a second
# client sending ticket-milter's acknowledgements beside it.
ack_mode() { [[ $1 == nullack || $1 == nulltag ]]; }

# ack_send PHASE OUT-DIR - in the background (SENDER_PID), the phase's
# acknowledgements into the route ticket-milter's outbox uses, over as
# many kept connections as its workers ([outbox] concurrency, 4): the MTA
# gets the same extra mail as from ticket-milter, from a sender that
# costs nothing.  They are sent as fast as the MTA takes them, not each
# after its customer's message: the same work within the run, a little
# earlier.
ack_send() {
	"$W/bin/smtpsend" -s "127.0.0.1:$(ack_port)" -c 4 -m 1000000 -i "$W/wl/acks-$1/index.tsv" \
		-o "$2/ack-timings.tsv" 2>>"$2/ack-smtpsend.err" &
	SENDER_PID=$!
}

# run_mode PHASE ROUND MODE [DB-SNAPSHOT] - one timed run: start the
# milter, send the phase's workload over SESSIONS sessions, wait until
# every message and every acknowledgement is at the sink, record the
# milter's CPU time and peak memory, scan the sink, stop the milter.
run_mode() {
	local phase=$1 round=$2 mode=$3 snapshot=${4:-}
	local out=$W/runs/$phase-r$round-$mode wl=$W/wl/$phase
	local pid cpu0=0 cpu1=0 m0 m1 n acks=0 expect t0 t1 delivered=1
	mkdir -p "$out"
	sink_clear
	mode_up "$mode" "$snapshot"
	pid=$MILTER_PID
	n=$(wc -l <"$wl/index.tsv")
	[[ -n $pid ]] && cpu0=$(proc_cpu_ticks "$pid")
	syscalls_start "$out"
	proc_cpu_all >"$out/cpu-start"
	m0=$(machine_ticks)
	t0=$(date +%s.%N)
	ack_mode "$mode" && ack_send "$phase" "$out"
	bench_send "$wl" "$out" || say "  $phase $mode: some messages were not accepted (see $out/smtpsend.err)"
	t1=$(date +%s.%N)
	m1=$(machine_ticks)
	proc_cpu_all >"$out/cpu-sent"
	[[ $mode == ticket ]] && acks=$(acks_queued "$TM_DIR/tm.log")
	if ack_mode "$mode"; then
		wait "$SENDER_PID" || say "  $phase $mode: some acknowledgements were not accepted (see $out/ack-smtpsend.err)"
		SENDER_PID=""
		acks=$(wc -l <"$W/wl/acks-$phase/index.tsv")
	fi
	expect=$((n + acks))
	wait_delivered "$expect" 180 || { delivered=0; say "  $phase $mode: only $(sink_count) of $expect at the sink after 180 s"; }
	proc_cpu_all >"$out/cpu-delivered"
	syscalls_stop
	if [[ -n $pid ]]; then
		cpu1=$(proc_cpu_ticks "$pid")
		{
			echo "pid=$pid"
			echo "cpu_seconds=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')"
			echo "vmhwm_kb=$(proc_status "$pid" VmHWM)"
			echo "vmrss_kb=$(proc_status "$pid" VmRSS)"
			echo "threads=$(proc_status "$pid" Threads)"
		} >>"$out/stats.env"
	fi
	{
		echo "phase=$phase round=$round mode=$mode"
		echo "messages=$n acks_queued=$acks delivered_all=$delivered"
		echo "send_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
		# shellcheck disable=SC2086 # two numbers each
		echo "machine_busy=$(echo $m0 $m1 | awk '{ printf "%.2f", ($3 - $1) / ($4 - $2) }')"
	} >>"$out/stats.env"
	mode_down "$mode" "$out"
	"$PY" "$SRC/bench/analyze.py" scan "$PF_DIR/sink" >"$out/sink.tsv"
	sink_clear
	say "  $phase round $round $(printf '%-6s' "$mode") $(tail -n 1 "$out/smtpsend.err" | sed 's/^smtpsend: //')"
	return 0
}

# round_order ROUND MODE... - the modes rotated by ROUND, so that no mode
# always runs first (warm caches) or last.
round_order() {
	local r=$1
	shift
	local modes=("$@") i n=$#
	for ((i = 0; i < n; i++)); do
		printf '%s ' "${modes[$(((i + r - 1) % n))]}"
	done
}
