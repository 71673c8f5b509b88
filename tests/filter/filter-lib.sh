# shellcheck shell=bash
# filter-lib.sh - helpers for the tests of ticket-filter and ticketctl
# deliver: a configuration with a [filter] section, the daemon started
# and stopped, a capturing smtp-sink as the MTA's return port, and a raw
# SMTP conversation.  Room: tests.
#
# After filter_begin: TM_DIR, FILTER_PORT (the filter's listener) and
# RETURN_PORT (the sink standing for the MTA's return port).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/e2e/postfix-lib.sh"	# pf_pick_port

TF_BIN="$top_builddir/ticket-filter"

filter_cleanup() {
	local f
	for f in "$TM_DIR"/*.sinkpid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	tm_cleanup
}

filter_begin() {
	command -v smtp-sink >/dev/null || tap_skip_all "smtp-sink not installed (apt-get install postfix)"
	command -v swaks >/dev/null || tap_skip_all "swaks not installed (apt-get install swaks)"
	tm_scratch
	trap filter_cleanup EXIT
	FILTER_PORT=$(pf_pick_port)
	RETURN_PORT=$(pf_pick_port "$FILTER_PORT")
}

# filter_config NAME [EXTRA-FILTER-LINES [EXTRA-MILTER-LINES [EXTRA-QUEUE-LINES]]]:
# $TM_DIR/NAME.conf for a filter on FILTER_PORT re-injecting to RETURN_PORT.
filter_config() {
	local name=$1 filter_extra=${2:-} milter_extra=${3:-} queue_extra=${4:-}
	cat >"$TM_DIR/$name.conf" <<CONF
[milter]
database = $TM_DIR/$name.db
secret-file = $TM_DIR/$name.secret
hostname = support.example.com
templates = $top_srcdir/templates
log-level = debug
$milter_extra

[outbox]
command = $top_srcdir/tests/lib/capture-mail $TM_DIR/$name.sent %r

[filter]
listen = inet:$FILTER_PORT@127.0.0.1
reinject = 127.0.0.1:$RETURN_PORT
pid-file = $TM_DIR/$name.pid
$filter_extra

[queue support]
name = Example Support
addresses = support@example.com, help@example.com
tag = SUP
$queue_extra
CONF
}

# filter_start NAME: ticketctl init, then ticket-filter in the foreground
# (stderr to $TM_DIR/NAME.log) until its "listening" line.
filter_start() {
	local name=$1 i before
	"$TM_CTL" -c "$TM_DIR/$name.conf" init >/dev/null || return 1
	touch "$TM_DIR/$name.log"
	before=$(grep -c "listening on" "$TM_DIR/$name.log")
	${TM_WRAPPER:-} "$TF_BIN" -f -c "$TM_DIR/$name.conf" 2>>"$TM_DIR/$name.log" &
	echo $! >"$TM_DIR/$name.bgpid"
	for i in $(seq 1 300); do
		[ "$(grep -c "listening on" "$TM_DIR/$name.log")" -gt "${before:-0}" ] && return 0
		kill -0 "$(cat "$TM_DIR/$name.bgpid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "filter_start: $name did not start; its log:" >&2
	tail -n 20 "$TM_DIR/$name.log" >&2
	return 1
}

# return_start [SMTP-SINK-OPTIONS...]: a capturing smtp-sink on RETURN_PORT,
# each message a file in $TM_DIR/returned/.
return_start() {
	local user=() i
	[ "$(id -u)" = 0 ] && user=(-u nobody)
	mkdir -p "$TM_DIR/returned"
	chmod 777 "$TM_DIR/returned"
	smtp-sink ${user[@]+"${user[@]}"} "$@" -d "$TM_DIR/returned/%Y%m%d%H%M%S." "127.0.0.1:$RETURN_PORT" 64 \
		</dev/null >>"$TM_DIR/sink.log" 2>&1 &
	echo $! >"$TM_DIR/return.sinkpid"
	for i in $(seq 1 50); do
		_pf_banner_ok "$RETURN_PORT" && return 0
		sleep 0.1
	done
	return 1
}

return_stop() {
	[ -e "$TM_DIR/return.sinkpid" ] || return 0
	kill "$(cat "$TM_DIR/return.sinkpid")" 2>/dev/null
	wait "$(cat "$TM_DIR/return.sinkpid")" 2>/dev/null
	rm -f "$TM_DIR/return.sinkpid"
	for _ in $(seq 1 50); do _pf_port_in_use "$RETURN_PORT" || return 0; sleep 0.1; done
}

# returned PATTERN: the newest file at the return port matching PATTERN
# (waits up to 10 s).
returned() {
	local i f
	for i in $(seq 1 100); do
		for f in $(ls -t "$TM_DIR/returned" 2>/dev/null); do
			grep -q -- "$1" "$TM_DIR/returned/$f" && { echo "$TM_DIR/returned/$f"; return 0; }
		done
		sleep 0.1
	done
	return 1
}

# smtp_raw PORT: sends standard input as one write and prints every reply
# until the server closes the connection (end the input with QUIT).
smtp_raw() {
	# shellcheck disable=SC2016 # $1 is expanded by the inner bash
	timeout 30 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		sed "s/\$/\r/" >&3
		cat <&3' _ "$1"
}

# filter_send SWAKS-ARGS...: one message to the filter with swaks.
filter_send() {
	swaks --server "127.0.0.1:$FILTER_PORT" --timeout 30 "$@" 2>&1
}
