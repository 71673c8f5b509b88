# shellcheck shell=bash
#
# sendmail-lib.sh - run a PRIVATE Sendmail (Debian 12's sendmail-bin,
# never installed) on loopback for end-to-end tests of ticket-milter.
#
# Room: tests.
#
# Debian's Sendmail and Postfix packages conflict, and the machine runs
# Postfix: so the packages are fetched with `apt-get download` into a
# cache (SM_DEBS, a folder of the build tree), unpacked with `dpkg-deb -x`
# into DIR/root, and the binary runs from there with the libraries the
# machine lacks (libwrap0, ...) beside it.  The .cf is built from a small
# .mc (DIR/conf/sendmail.mc) with m4 and the unpacked cf/ macros: one
# daemon on 127.0.0.1:SM_SMTP_PORT, a queue in DIR/mqueue, the milter
# SM_MILTER with F=T, every recipient relayed to the smtp-sink on
# 127.0.0.1:SM_SINK_PORT (mta-lib.sh), no DNS.  The system's Sendmail,
# were there one, and port 25 are never touched.
#
# Usage (as root):
#
#   . tests/e2e/sendmail-lib.sh
#   SM_DEBS=$top_builddir/tests/e2e/sendmail-debs
#   sm_fetch || tap_skip_all "$SM_WHY"
#   SM_SMTP_PORT=... SM_SINK_PORT=... SM_MILTER=unix:/tmp/x/milter.sock
#   sm_init "$dir" || ...
#   trap sm_cleanup EXIT
#   sink_start && sm_start
#   sm_send --from a@x.example --to b@y.example   # swaks
#
# Functions:
#   sm_fetch               the packages into SM_DEBS (kept between runs);
#                          false with the reason in SM_WHY
#   sm_init DIR            unpack, write the .mc, build the .cf
#   sm_start / sm_stop     the daemon (sendmail -bd), bounded waits
#   sm_send SWAKS-ARGS...  one message by SMTP to the private port
#   sm_queue_count         messages in DIR/mqueue
#   sm_queue_empty_wait T  wait up to T seconds for an empty queue
#   sm_cleanup             stop the sink and Sendmail (for an EXIT trap)
#
# Sendmail logs only to syslog, which the tests do not read: what it did
# is seen in the SMTP replies, at the sink and in the milter's log.
# `set -u` safe; every wait is bounded.

# shellcheck source=tests/e2e/mta-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/mta-lib.sh"

: "${SM_DEBS:=}"
: "${SM_SMTP_PORT:=10025}"
: "${SM_SINK_PORT:=10026}"
: "${SM_MILTER:=}"
: "${SM_DIR:=}"
SM_WHY=
# What the test fetches; sm_fetch adds the libraries sendmail-bin
# depends on that the machine lacks.
SM_PACKAGES=(sendmail-bin sendmail-base sendmail-cf)
# Sendmail sleeps a minute at start when the host's name has no dot and
# does not resolve to one (a CI container's "vm"): each sendmail process
# runs in a UTS namespace of its own under this name.
SM_HOSTNAME=mx.test.example

_sm_err() {
    printf 'sendmail-lib: %s\n' "$*" >&2
}

# _sm_missing_libs - the lib* packages sendmail-bin needs, directly or
# through another such library, that are not installed here.
_sm_missing_libs() {
    local todo=(sendmail-bin) p d
    local -A seen=()
    while ((${#todo[@]})); do
        p=${todo[0]}
        todo=("${todo[@]:1}")
        for d in $(apt-cache depends "$p" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^lib/ { print $2 }'); do
            [[ -n ${seen[$d]:-} ]] && continue
            seen[$d]=1
            dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q 'install ok installed' && continue
            printf '%s\n' "$d"
            todo+=("$d")
        done
    done
}

# _sm_have PACKAGE - a .deb of PACKAGE is in the cache
_sm_have() {
    compgen -G "$SM_DEBS/${1}_*.deb" >/dev/null
}

# sm_fetch - download what is not cached yet.  apt's package lists may be
# missing on a fresh machine: then one `apt-get update`, and again.
sm_fetch() {
    local p want=() need=()
    [[ -n $SM_DEBS ]] || { SM_WHY="SM_DEBS is not set"; return 1; }
    for p in apt-get apt-cache dpkg-deb dpkg-query m4 unshare ldd; do
        command -v "$p" >/dev/null || { SM_WHY="$p not installed"; return 1; }
    done
    mkdir -p "$SM_DEBS" || { SM_WHY="cannot create $SM_DEBS"; return 1; }
    apt-cache show sendmail-bin >/dev/null 2>&1 || timeout 120 apt-get update -qq >/dev/null 2>&1
    want=("${SM_PACKAGES[@]}")
    mapfile -t -O ${#want[@]} want < <(_sm_missing_libs)
    for p in "${want[@]}"; do
        _sm_have "$p" || need+=("$p")
    done
    ((${#need[@]} == 0)) && return 0
    # apt's download user _apt may write here; without it apt warns and
    # downloads as root.
    chown _apt "$SM_DEBS" 2>/dev/null
    if ! (cd "$SM_DEBS" && timeout 120 apt-get download -qq "${need[@]}") >"$SM_DEBS/download.log" 2>&1; then
        (cd "$SM_DEBS" && timeout 60 apt-get update -qq && timeout 120 apt-get download -qq "${need[@]}") \
            >>"$SM_DEBS/download.log" 2>&1
    fi
    for p in "${need[@]}"; do
        _sm_have "$p" || { SM_WHY="cannot fetch Debian's $p ($(tail -n 1 "$SM_DEBS/download.log"))"; return 1; }
    done
}

# _sm_sendmail ARGS... - the unpacked binary, with the unpacked
# libraries, under SM_HOSTNAME (see above).
_sm_sendmail() {
    # shellcheck disable=SC2016 # expanded by the inner shell
    LD_LIBRARY_PATH=$SM_DIR/root/usr/lib/x86_64-linux-gnu:$SM_DIR/root/lib/x86_64-linux-gnu \
        timeout "${SM_TIMEOUT:-30}" unshare --uts sh -c 'hostname "$0" && exec "$@"' \
        "$SM_HOSTNAME" "$SM_DIR/root/usr/libexec/sendmail/sendmail" "$@"
}

# _sm_write_mc - the .mc.  Everything Sendmail reads or writes is under
# DIR; mail for any domain goes to the sink (SMART_HOST and the port in
# the relay mailer's arguments), the host names come from DIR/conf/hosts.
_sm_write_mc() {
    local d=$SM_DIR
    cat >"$d/conf/sendmail.mc" <<EOF
divert(-1)
# Private Sendmail for ticket-milter's end-to-end tests.
# Generated by tests/e2e/sendmail-lib.sh - do not edit, rerun sm_init.
divert(0)dnl
VERSIONID(\`ticket-milter e2e')dnl
OSTYPE(\`linux')dnl
define(\`MAIL_SETTINGS_DIR', \`$d/conf/')dnl
define(\`confDOMAIN_NAME', \`$SM_HOSTNAME')dnl
define(\`QUEUE_DIR', \`$d/mqueue')dnl
define(\`STATUS_FILE', \`$d/log/statistics')dnl
define(\`ALIAS_FILE', \`')dnl
define(\`confPID_FILE', \`$d/sendmail.pid')dnl
define(\`confSERVICE_SWITCH_FILE', \`$d/conf/service.switch')dnl
define(\`confHOSTS_FILE', \`$d/conf/hosts')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
dnl A loaded test machine must not make it queue or refuse mail.
define(\`confQUEUE_LA', \`1000')dnl
define(\`confREFUSE_LA', \`1000')dnl
define(\`confMIN_QUEUE_AGE', \`0')dnl
dnl /tmp is world-writable and sticky; the socket and queue are below it.
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit')dnl
define(\`SMART_HOST', \`[127.0.0.1]')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $SM_SINK_PORT')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h $SM_SINK_PORT')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
dnl Loopback only; customers write from 127.0.0.2 and must be relayed.
FEATURE(\`promiscuous_relay')dnl
FEATURE(\`no_default_msa')dnl
DAEMON_OPTIONS(\`Family=inet, Name=MTA, Port=$SM_SMTP_PORT, Addr=127.0.0.1')dnl
INPUT_MAIL_FILTER(\`ticket-milter', \`S=$SM_MILTER, F=T, T=S:30s;R:60s;E:5m')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
}

# sm_init DIR - unpack the cached packages into DIR/root and build
# DIR/conf/sendmail.cf.  False, saying why in SM_WHY, when the binary
# cannot run here.
sm_init() {
    local dir=${1:-} deb cf missing
    [[ -n $dir ]] || { _sm_err "usage: sm_init DIR"; return 1; }
    mkdir -p "$dir" || return 1
    dir=$(cd "$dir" && pwd -P) || return 1
    SM_DIR=$dir
    SINK_DIR=$dir SINK_PORT=$SM_SINK_PORT SINK_USER=postfix
    mkdir -p "$dir"/{root,conf,mqueue,sink,log} || return 1
    chmod 755 "$dir" "$dir/conf" "$dir/log"
    chmod 700 "$dir/mqueue"
    chown "$SINK_USER" "$dir/sink"
    for deb in "$SM_DEBS"/*.deb; do
        dpkg-deb -x "$deb" "$dir/root" || { SM_WHY="dpkg-deb -x $deb failed"; return 1; }
    done
    # The binary is setgid (group mail): the loader would ignore
    # LD_LIBRARY_PATH.
    chmod g-s "$dir/root/usr/libexec/sendmail/sendmail"
    missing=$(LD_LIBRARY_PATH=$dir/root/usr/lib/x86_64-linux-gnu:$dir/root/lib/x86_64-linux-gnu \
        ldd "$dir/root/usr/libexec/sendmail/sendmail" | awk '/not found/ { print $1 }')
    [[ -z $missing ]] || { SM_WHY="sendmail needs libraries not fetched: $missing"; return 1; }
    printf 'hosts files\naliases files\n' >"$dir/conf/service.switch"
    printf '127.0.0.1 localhost %s\n' "$SM_HOSTNAME" >"$dir/conf/hosts"
    _sm_write_mc
    cf=$dir/root/usr/share/sendmail/cf
    # m4 warns that promiscuous_relay makes an open relay: on loopback.
    if ! m4 -D_CF_DIR_="$cf/" "$cf/m4/cf.m4" "$dir/conf/sendmail.mc" >"$dir/conf/sendmail.cf" 2>"$dir/log/m4.out" ||
        grep -q ERROR "$dir/log/m4.out"; then
        # shellcheck disable=SC2034 # the caller's skip message
        SM_WHY="m4 could not build sendmail.cf: $(head -n 3 "$dir/log/m4.out")"
        return 1
    fi
}

# _sm_pid - pid of this instance's daemon, if alive
_sm_pid() {
    local pid
    [[ -r $SM_DIR/sendmail.pid ]] || return 1
    read -r pid <"$SM_DIR/sendmail.pid" || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sendmail ]] || return 1
    _pf_pids_gone "$pid" && return 1
    printf '%s\n' "$pid"
}

# _sm_instance_pids - every process of this instance: Sendmail works in
# its queue folder, which no other instance shares.
_sm_instance_pids() {
    local p
    for p in /proc/[0-9]*; do
        [[ $(readlink "$p/cwd" 2>/dev/null) == "$SM_DIR/mqueue" ]] && printf '%s\n' "${p#/proc/}"
    done
}

# sm_start - start the daemon (it forks; -q5s retries deferred mail
# soon); returns once it greets on SM_SMTP_PORT, at most 10 s.
sm_start() {
    [[ -n $SM_DIR && -f $SM_DIR/conf/sendmail.cf ]] || { _sm_err "sm_init first"; return 1; }
    _sm_pid >/dev/null && return 0
    if _pf_port_in_use "$SM_SMTP_PORT"; then
        _sm_err "port 127.0.0.1:$SM_SMTP_PORT is already in use"
        return 1
    fi
    if ! _sm_sendmail -bd -q5s -C "$SM_DIR/conf/sendmail.cf" >>"$SM_DIR/log/sendmail.out" 2>&1; then
        _sm_err "sendmail -bd failed:"
        tail -n 5 "$SM_DIR/log/sendmail.out" >&2
        return 1
    fi
    if ! _pf_sleep_until 10 _pf_banner_ok "$SM_SMTP_PORT"; then
        _sm_err "no SMTP banner on 127.0.0.1:$SM_SMTP_PORT"
        tail -n 5 "$SM_DIR/log/sendmail.out" >&2
        return 1
    fi
}

# sm_stop - SIGTERM to the daemon, then to what is left of the instance
# (delivery and queue-run children), bounded; KILL if they linger.
sm_stop() {
    [[ -n ${SM_DIR:-} && -d $SM_DIR/mqueue ]] || return 0
    local pid pids
    pid=$(_sm_pid) && kill -TERM "$pid" 2>/dev/null && _pf_sleep_until 5 _pf_pids_gone "$pid"
    pids=$(_sm_instance_pids)
    [[ -z $pids ]] && return 0
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null
    # shellcheck disable=SC2086
    _pf_sleep_until 3 _pf_pids_gone $pids || kill -KILL $pids 2>/dev/null
    return 0
}

# sm_send SWAKS-ARGS... - one message by SMTP to this instance; swaks'
# status (124 when it had to be stopped after SM_SEND_TIMEOUT, 60 s).
sm_send() {
    timeout "${SM_SEND_TIMEOUT:-60}" swaks --server 127.0.0.1 --port "$SM_SMTP_PORT" "$@"
}

# sm_queue_count - messages (qf files) in the queue
sm_queue_count() {
    find "$SM_DIR/mqueue" -maxdepth 1 -name 'qf*' 2>/dev/null | wc -l
}

_sm_queue_is_empty() { (($(sm_queue_count) == 0)); }

# sm_queue_empty_wait TIMEOUT_S
sm_queue_empty_wait() {
    _pf_sleep_until "${1:-10}" _sm_queue_is_empty
}

# sm_cleanup - stop the sink and Sendmail; never fails, keeps DIR
sm_cleanup() {
    [[ -n ${SM_DIR:-} ]] || return 0
    sink_stop
    sm_stop
    return 0
}
