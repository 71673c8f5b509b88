# e2e.sh - the common start of every end-to-end test: the libraries, the
# skip checks, a scratch directory cleaned up at exit, and free loopback
# ports for Postfix, the sink and the milter.
#
# After e2e_begin: TM_DIR, PF_SMTP_PORT, PF_SINK_PORT, MILTER_PORT, and
# MILTER_SOCKET (libmilter's "inet:PORT@127.0.0.1"; PF_MILTER holds the
# same, which pf_init rewrites into Postfix's own syntax).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/e2e/postfix-lib.sh"

e2e_cleanup() { pf_cleanup; tm_cleanup; }

e2e_begin() {
	[ "$(id -u)" = 0 ] || tap_skip_all "needs root to run a private Postfix"
	command -v postfix >/dev/null || tap_skip_all "postfix not installed (apt-get install postfix)"
	command -v swaks >/dev/null || tap_skip_all "swaks not installed (apt-get install swaks)"
	tm_scratch
	trap e2e_cleanup EXIT
	PF_SMTP_PORT=$(pf_pick_port)
	PF_SINK_PORT=$(pf_pick_port "$PF_SMTP_PORT")
	MILTER_PORT=$(pf_pick_port "$PF_SMTP_PORT" "$PF_SINK_PORT")
	MILTER_SOCKET="inet:$MILTER_PORT@127.0.0.1"
	PF_MILTER=$MILTER_SOCKET
}

# e2e_milter_section DATABASE: the [milter] section the tests' configurations
# start with (the daemon as nobody, its files in TM_DIR); a test's own
# [milter] keys may follow it.
e2e_milter_section() {
	cat <<CONF
[milter]
socket = $MILTER_SOCKET
user = nobody
database = $1
secret-file = $TM_DIR/secret
hostname = support.example.com
pid-file = $TM_DIR/main.pid
templates = $top_srcdir/templates
CONF
}

# sink_find PATTERN: the newest sink file whose message matches PATTERN.
sink_find() {
	local f
	for f in $(sink_files | tac); do
		sink_body "$f" | grep -q "$1" && { echo "$f"; return 0; }
	done
	return 1
}

# wait_for PATTERN SECONDS: until a message matching PATTERN is at the sink.
wait_for() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		sink_find "$1" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}
