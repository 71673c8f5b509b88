# common.sh - shell helpers shared by the protocol and end-to-end tests:
# TAP output, a scratch directory, and a real ticket-milter daemon with
# its own configuration, database and secret.
#
# Expects top_srcdir and top_builddir in the environment (make check sets
# them); falls back to the current directory.

: "${top_srcdir:=$(pwd)}"
: "${top_builddir:=$(pwd)}"
TM_BIN="$top_builddir/ticket-milter"
TM_CTL="$top_builddir/ticketctl"
TAP_N=0
TAP_FAILED=0

tap_ok() { # tap_ok CONDITION-EXIT-STATUS DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

tap_check() { # tap_check DESCRIPTION COMMAND... : passes when COMMAND succeeds
	local desc=$1
	shift
	"$@" >/dev/null 2>&1
	tap_ok $? "$desc"
}

tap_diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

tap_done() { echo "1..$TAP_N"; }

# Numbers the "ok - x" / "not ok - x" lines of miltertest scripts.
tap_renumber() {
	local line
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) tap_ok 0 "${line#ok - }" ;;
		"not ok - "*) tap_ok 1 "${line#not ok - }" ;;
		*) tap_diag "$line" ;;
		esac
	done
}

tap_skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# A scratch directory removed at exit (kept with TM_KEEP=1 for debugging).
tm_scratch() {
	TM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tm-test.XXXXXX")
	chmod 755 "$TM_DIR"
}

# tm_config NAME [EXTRA-MILTER-LINES [EXTRA-QUEUE-LINES]]: writes
# $TM_DIR/NAME.conf for a daemon listening on $TM_DIR/NAME.sock with
# database $TM_DIR/NAME.db.
tm_config() {
	local name=$1 extra=${2:-} queue_extra=${3:-}
	cat >"$TM_DIR/$name.conf" <<CONF
[milter]
socket = unix:$TM_DIR/$name.sock
database = $TM_DIR/$name.db
secret-file = $TM_DIR/$name.secret
hostname = support.example.com
pid-file = $TM_DIR/$name.pid
templates = $top_srcdir/templates
log-level = debug
$extra

# Tests never hand mail to the machine's own mail system.
[outbox]
command = $top_srcdir/tests/lib/capture-mail $TM_DIR/$name.sent %r

[queue support]
name = Example Support
addresses = support@example.com, help@example.com
tag = SUP
$queue_extra
CONF
	echo "$TM_DIR/$name.conf"
}

# tm_start NAME: ticketctl init, then the daemon in the foreground
# (stderr to $TM_DIR/NAME.log); waits up to 30 s (a loaded CI machine)
# for its pid file, which the daemon writes once its socket is open.
# On failure the daemon's log goes to stderr, so the test log says why.
# TM_WRAPPER, when set, is put in front of the daemon's command (scripts/
# valgrind-e2e sets it to valgrind).
tm_start() {
	local name=$1 i before
	"$TM_CTL" -c "$TM_DIR/$name.conf" init >/dev/null || return 1
	before=$(grep -c "listening on" "$TM_DIR/$name.log" 2>/dev/null)
	${TM_WRAPPER:-} "$TM_BIN" -f -c "$TM_DIR/$name.conf" 2>>"$TM_DIR/$name.log" &
	echo $! >"$TM_DIR/$name.bgpid"
	# Started = its "listening" line: the pid file comes before the
	# privileges are dropped and the store is checked, which a slow
	# daemon (valgrind, a loaded machine) takes a while to do.
	for i in $(seq 1 300); do
		[ -s "$TM_DIR/$name.pid" ] && [ "$(grep -c "listening on" "$TM_DIR/$name.log")" -gt "${before:-0}" ] && return 0
		kill -0 "$(cat "$TM_DIR/$name.bgpid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "tm_start: $name did not start; its log:" >&2
	tail -n 20 "$TM_DIR/$name.log" >&2
	return 1
}

# tm_stop NAME: SIGTERM and wait up to 10 s (60 s under TM_WRAPPER: valgrind
# checks for leaks on the way out); returns the daemon's status.
tm_stop() {
	local pid i
	pid=$(cat "$TM_DIR/$1.bgpid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 $([ -n "${TM_WRAPPER:-}" ] && echo 600 || echo 100)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# tm_check_clean NAME: after tm_stop, the daemon's log holds no
# AddressSanitizer, LeakSanitizer or UndefinedBehaviorSanitizer report.
tm_check_clean() {
	if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TM_DIR/$1.log"; then
		grep -E -A12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TM_DIR/$1.log" | head -40 | sed 's/^/# /'
		return 1
	fi
	return 0
}

tm_cleanup() {
	local f
	for f in "$TM_DIR"/*.bgpid; do
		[ -e "$f" ] && tm_stop "$(basename "$f" .bgpid)"
	done
	[ "${TM_KEEP:-0}" = 1 ] || rm -rf "$TM_DIR"
}

# tm_acks NAME RCPT: the mail the outbox of NAME (tm_config's capture
# command) handed over for RCPT; waits up to 10 s for the first, since
# the sender thread delivers after the commit.
tm_acks() {
	local i
	for i in $(seq 1 100); do
		ls "$TM_DIR/$1.sent" 2>/dev/null | grep -q -- "-$2\$" && break
		sleep 0.1
	done
	ls "$TM_DIR/$1.sent" 2>/dev/null | grep -c -- "-$2\$"
}

# tm_ticket_of NAME MESSAGE-ID: the ticket of NAME's store holding that
# message; fails when none does.
tm_ticket_of() {
	local t
	for t in $("$TM_CTL" -c "$TM_DIR/$1.conf" list | cut -f1); do
		"$TM_CTL" -c "$TM_DIR/$1.conf" show "$t" --json | grep -q "\"message_id\":\"$2\"" && { echo "$t"; return 0; }
	done
	return 1
}

# miltertest NAME SCRIPT [-D k=v ...]: runs a Lua scenario against NAME's socket.
tm_miltertest() {
	local name=$1 script=$2
	shift 2
	miltertest -D "socket=unix:$TM_DIR/$name.sock" -D "libdir=$top_srcdir/tests/milter" "$@" \
		-s "$top_srcdir/tests/milter/$script" 2>&1
}
