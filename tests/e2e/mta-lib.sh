# shellcheck shell=bash
#
# mta-lib.sh - what the end-to-end tests' private MTAs share: free
# loopback ports, bounded waits, process checks, and the capturing
# smtp-sink every private MTA relays to.  postfix-lib.sh and
# sendmail-lib.sh source it; a test sources one of those.
#
# Room: tests.
#
# The sink (smtp-sink, from the postfix package) belongs to an instance
# directory SINK_DIR holding sink/ (one file per received transaction)
# and log/; it listens on 127.0.0.1:SINK_PORT and, started as root, runs
# as SINK_USER.  pf_init / pf_use (and sm_init) point these at their
# instance.  The helpers keep their _pf_ names: the tests and the
# benchmark call them by those.
#
#   pf_pick_port [USED...] a free loopback port in 20000-32767
#   sink_start / sink_stop start / stop the capturing smtp-sink
#   sink_count             number of completely received messages
#   sink_wait N T          wait up to T seconds for >= N received messages
#   sink_files             paths of received messages, oldest first
#   sink_body FILE         RFC 5322 message (headers + body) of a dump file
#   sink_header FILE NAME  unfolded value of the first header NAME
#   sink_clear             delete all completely received messages
#
# `set -u` safe; every wait is bounded.

: "${SINK_DIR:=}"
: "${SINK_PORT:=10026}"
: "${SINK_USER:=postfix}"

# _sink_err MSG... - diagnostics go to stderr so TAP output on stdout stays clean
_sink_err() {
    printf 'sink: %s\n' "$*" >&2
}

# _sink_need_dir - fail unless an instance has set up SINK_DIR/sink
_sink_need_dir() {
    if [[ -z ${SINK_DIR:-} || ! -d ${SINK_DIR}/sink ]]; then
        _sink_err "no sink directory (pf_init or sm_init first)"
        return 1
    fi
}

# _pf_port_in_use PORT - true if something accepts connections on
# 127.0.0.1:PORT.  A connect test (rather than parsing ss output) works the
# same for every kind of listener.
_pf_port_in_use() {
    # shellcheck disable=SC2016 # $1 is expanded by the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# _pf_banner_ok PORT - true if an SMTP server on 127.0.0.1:PORT greets
# with 220.  Merely connecting is not enough for Postfix: master(8) owns
# the listening socket, smtpd(8) only exists once it has been spawned.
_pf_banner_ok() {
    # shellcheck disable=SC2016 # $1 is expanded by the inner bash
    timeout 4 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        IFS= read -r -t 3 line <&3 || exit 1
        printf "QUIT\r\n" >&3
        IFS= read -r -t 1 _ <&3
        [[ $line == 220* ]]' _ "$1" 2>/dev/null
}

# _pf_sleep_until TIMEOUT_S CMD... - poll CMD every 0.1 s; false on timeout
_pf_sleep_until() {
    local timeout_s=$1
    shift
    local deadline=$((SECONDS + timeout_s))
    while :; do
        "$@" && return 0
        ((SECONDS >= deadline)) && return 1
        sleep 0.1
    done
}

# _pf_pids_gone PID... - true when none of the processes exists any more.
# Zombies count as gone: they no longer do anything, and daemonised
# Postfix processes are reparented to PID 1, which (in containers and
# micro-VMs) may reap them late or never.
_pf_pids_gone() {
    local p state
    for p in "$@"; do
        state=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || continue
        [[ $state == Z || -z $state ]] || return 1
    done
    return 0
}

# ---------------------------------------------------------------------------
# capturing sink (smtp-sink from the postfix package)
# ---------------------------------------------------------------------------

# _sink_pid - pid of this instance's smtp-sink, if it is alive
_sink_pid() {
    local pid comm
    [[ -r $SINK_DIR/sink.pid ]] || return 1
    read -r pid <"$SINK_DIR/sink.pid" || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    [[ $comm == smtp-sink ]] || return 1
    _pf_pids_gone "$pid" && return 1
    printf '%s\n' "$pid"
}

# sink_start - start smtp-sink on 127.0.0.1:SINK_PORT in the
# background; each transaction becomes one file DIR/sink/<time>.<hex>.
# Returns once the sink answers with a 220 banner (at most 5 s).
sink_start() {
    _sink_need_dir || return 1
    _sink_pid >/dev/null && return 0
    if _pf_port_in_use "$SINK_PORT"; then
        _sink_err "port 127.0.0.1:$SINK_PORT is already in use"
        return 1
    fi
    # -u is mandatory for root: smtp-sink drops privileges after bind.
    local user=()
    ((EUID == 0)) && user=(-u "$SINK_USER")
    # -4: IPv4 only; -c: counters on stdout (in sink.log, handy when
    # debugging); -h: a greeting name different from myhostname, else
    # Postfix would detect a mail loop; backlog 64.
    smtp-sink -4 -c ${user[@]+"${user[@]}"} -h sink.test.example \
        -d "$SINK_DIR/sink/%Y%m%d%H%M%S." \
        "127.0.0.1:$SINK_PORT" 64 \
        </dev/null >>"$SINK_DIR/log/sink.log" 2>&1 &
    echo "$!" >"$SINK_DIR/sink.pid"
    if ! _pf_sleep_until 5 _pf_banner_ok "$SINK_PORT"; then
        _sink_err "smtp-sink did not start; sink.log:"
        tail -n 5 "$SINK_DIR/log/sink.log" >&2
        sink_stop
        return 1
    fi
}

# sink_stop - stop the smtp-sink of this instance (TERM, then KILL)
sink_stop() {
    [[ -n ${SINK_DIR:-} ]] || return 0
    local pid
    pid=$(_sink_pid) || { rm -f "$SINK_DIR/sink.pid"; return 0; }
    kill -TERM "$pid" 2>/dev/null
    _pf_sleep_until 5 _pf_pids_gone "$pid" || kill -KILL "$pid" 2>/dev/null
    # Reap it if it is our child; also swallows bash's "Terminated" notice.
    wait "$pid" 2>/dev/null
    rm -f "$SINK_DIR/sink.pid"
    return 0
}

# sink_files - dump files of completely received messages, oldest first.
# smtp-sink creates the file at MAIL FROM and closes it after the final
# "."; a file it still holds open is a transaction in progress and is
# left out, so callers never see half-written messages.
sink_files() {
    _sink_need_dir || return 1
    local pid fd target
    local -A open=()
    # List first, then look at open files: a file closed in between is
    # complete, which is the right answer.
    local listing
    listing=$(find "$SINK_DIR/sink" -maxdepth 1 -type f -printf '%T@ %p\n' |
        sort -n | cut -d' ' -f2-)
    if pid=$(_sink_pid); then
        for fd in /proc/"$pid"/fd/*; do
            target=$(readlink "$fd" 2>/dev/null) && open[$target]=1
        done
    fi
    local f
    while IFS= read -r f; do
        [[ -n $f && -z ${open[$f]:-} ]] && printf '%s\n' "$f"
    done <<<"$listing"
    return 0
}

# sink_count - number of completely received messages
sink_count() {
    sink_files | grep -c .
}

_sink_has_at_least() {
    (($(sink_count) >= $1))
}

# sink_wait N TIMEOUT_S - wait until at least N messages have been
# received; non-zero on timeout.
sink_wait() {
    _sink_need_dir || return 1
    _pf_sleep_until "${2:-10}" _sink_has_at_least "${1:-1}"
}

# sink_clear - delete all completely received messages (between tests)
sink_clear() {
    local f
    sink_files | while IFS= read -r f; do rm -f -- "$f"; done
}

# sink_body FILE - print the RFC 5322 message of a dump file.  The dump
# starts with smtp-sink's own X-Client-Addr/X-Mail-Args/X-Rcpt-Args/...
# lines and a 3-line "Received: ... (smtp-sink) ..." header, and ends with
# an extra empty line (the LF of the terminating "."); both are removed.
# smtp-sink also strips all CR characters and undoes dot-stuffing.
sink_body() {
    local file=${1:-}
    [[ -r $file ]] || { _sink_err "sink_body: cannot read '$file'"; return 1; }
    awk '
        phase == 0 { if (/^Received: /) phase = 1; next }  # prologue
        phase == 1 { if (/^[ \t]/) next; phase = 2 }       # its folded lines
        { if (have) print prev; prev = $0; have = 1 }
        END { if (have && prev != "") print prev }
    ' "$file"
}

# sink_header FILE NAME - print the unfolded value of the first header
# NAME (case-insensitive) of the message in FILE, without the whitespace
# after the colon.  Unfolding only removes the line breaks (RFC 5322
# 2.2.3), the folding whitespace itself is kept.  Non-zero if absent.
sink_header() {
    local file=${1:-} name=${2:-}
    [[ -n $name ]] || { _sink_err "usage: sink_header FILE NAME"; return 1; }
    sink_body "$file" | awk -v want="$name" '
        function flush() {
            if (cur != "" && tolower(cur) == tolower(want)) {
                sub(/^[ \t]+/, "", val); print val; found = 1; exit
            }
            cur = ""
        }
        /^$/ { flush(); exit }                 # end of the header section
        /^[ \t]/ { if (cur != "") val = val $0; next }
        {
            flush()
            i = index($0, ":")
            if (i == 0) { cur = ""; next }     # not a header line
            cur = substr($0, 1, i - 1); val = substr($0, i + 1)
        }
        END { if (!found) flush(); exit !found }
    '
}

# --- ports --------------------------------------------------------------------
_pf_port_free() { # nothing listening on 127.0.0.1:PORT (checked two ways)
    if command -v ss >/dev/null 2>&1; then
        [[ -z $(ss -Hltn "sport = :$1" 2>/dev/null) ]] || return 1
    fi
    ! _pf_port_in_use "$1"
}

pf_pick_port() { # random free port in 20000-32767, not in "$@"
    local p used
    # Below Linux's range for outgoing connections (32768-60999), so that a
    # busy loopback cannot hand our port to a client socket first.
    for _ in $(seq 1 100); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
        for used in "$@"; do [[ $p == "$used" ]] && continue 2; done
        _pf_port_free "$p" && { echo "$p"; return 0; }
    done
    return 1
}
