# shellcheck shell=bash
#
# postfix-lib.sh - run a PRIVATE Postfix instance on loopback for end-to-end
# tests of ticket-milter.
#
# The instance lives entirely under one directory (DIR): its own main.cf and
# master.cf (written from scratch, nothing is copied from /etc/postfix), its
# own queue, data directory and log file.  It listens on 127.0.0.1:PF_SMTP_PORT
# and relays every message, whatever the recipient, to an smtp-sink on
# 127.0.0.1:PF_SINK_PORT that stores each received transaction as a file in
# DIR/sink/.  The system's default Postfix instance (/etc/postfix, port 25)
# is never started, stopped, reloaded or edited.
#
# Room: tests.
#
# Usage (as root; Postfix needs root to start its master process):
#
#   . tests/e2e/postfix-lib.sh
#   PF_SMTP_PORT=20025 PF_SINK_PORT=20026 PF_MILTER=unix:/tmp/x/milter.sock
#   pf_init "$(mktemp -d)"
#   trap pf_cleanup EXIT
#   sink_start && pf_start
#   pf_send --from a@x.example --to b@y.example --header 'Subject: hi'
#   sink_wait 1 15 && sink_header "$(sink_files | head -n1)" Subject
#
# Functions (details in the comment above each one):
#   pf_pick_port [USED...] a free loopback port (mta-lib.sh)
#   pf_init DIR            create DIR/{conf,queue,data,sink,log} + config
#   pf_use DIR             make an already initialised DIR the current instance
#   pf_start / pf_stop     start / stop the private Postfix (bounded waits)
#   pf_postconf K=V...     change main.cf parameters, reload if running
#   pf_set_milter SPEC     set smtpd_milters + non_smtpd_milters, reload
#                          (libmilter syntax inet:PORT@HOST is converted)
#   pf_send SWAKS-ARGS...  send one message with swaks to the private port
#   pf_sendmail ARGS...    inject one message locally (sendmail -C DIR/conf)
#   pf_flush               retry deferred mail now, make pickup rescan
#   pf_queue_count         number of messages still in the queue (not hold)
#   pf_hold_count          number of messages in the hold queue
#   pf_queue_empty_wait T  wait up to T seconds for an empty queue
#   pf_log                 print the instance's maillog
#   pf_cleanup             stop sink and Postfix (for `trap pf_cleanup EXIT`)
#   sink_*                 the capturing smtp-sink (mta-lib.sh), which
#                          pf_init / pf_use point at DIR and PF_SINK_PORT
#
# With PF_REINJECT_PORT set, a second smtpd listens on that loopback port
# without any milter: where mail the milter itself generates is submitted
# (ticket-milter's [outbox] smtp), as in the README's Postfix setup.
#
# Several instances may run at the same time as long as they use different
# directories and ports (e.g. parallel test scripts).  Within one shell the
# "current" instance is the one from the last pf_init / pf_use.
#
# The library is `set -u` safe, does not change shell options of the caller
# and every wait is bounded.

# shellcheck source=tests/e2e/mta-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/mta-lib.sh"

# Defaults; may be set by the caller before pf_init.
: "${PF_SMTP_PORT:=10025}"
: "${PF_SINK_PORT:=10026}"
: "${PF_MILTER:=}"
# Directory of the current instance (set by pf_init / pf_use).
: "${PF_DIR:=}"

# Postfix user/groups on Debian; the private instance reuses the system
# accounts (creating new ones would change the system).
PF_MAIL_OWNER=${PF_MAIL_OWNER:-postfix}
PF_SETGID_GROUP=${PF_SETGID_GROUP:-postdrop}

# ---------------------------------------------------------------------------
# internal helpers
# ---------------------------------------------------------------------------

# _pf_err MSG... - diagnostics go to stderr so TAP output on stdout stays clean
_pf_err() {
    printf 'postfix-lib: %s\n' "$*" >&2
}

# _pf_need_dir - fail unless pf_init/pf_use has selected an instance
_pf_need_dir() {
    if [[ -z ${PF_DIR:-} || ! -f ${PF_DIR}/conf/main.cf ]]; then
        _pf_err "no instance selected (call pf_init DIR first)"
        return 1
    fi
}

# _pf_postfix ARGS... - run the postfix(1) command for this instance.
# Output goes to DIR/log/postfix.out because postfix-script chatters on
# stderr even on success.
_pf_postfix() {
    timeout 30 postfix -c "$PF_DIR/conf" "$@" >>"$PF_DIR/log/postfix.out" 2>&1
}

# _pf_backdate FILE... - set mtime 10 s into the past.  Postfix
# (dict_load_file) treats a main.cf/master.cf modified within the last
# ~2 s as possibly half-written and re-reads it every 0.3 s until it has
# "cooled down".  Every daemon started in that window (postfix check,
# master, smtpd, cleanup after a reload, ...) would stall for up to 2 s.
_pf_backdate() {
    touch -d "@$(($(date +%s) - 10))" "$@"
}

# _pf_save_env - remember ports/milter so pf_use can restore them later
_pf_save_env() {
    {
        printf 'PF_SMTP_PORT=%q\n' "$PF_SMTP_PORT"
        printf 'PF_SINK_PORT=%q\n' "$PF_SINK_PORT"
        printf 'PF_MILTER=%q\n' "$PF_MILTER"
    } >"$PF_DIR/instance.env"
}

# _pf_master_pid - print the pid of this instance's master(8), if alive.
# The pid file is DIR/queue/pid/master.pid (queue_directory-relative).
_pf_master_pid() {
    local f=$PF_DIR/queue/pid/master.pid pid comm
    [[ -r $f ]] || return 1
    read -r pid <"$f" || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    # Guard against pid reuse: it must be a master process.
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    [[ $comm == master ]] || return 1
    # A zombie is dead already (see _pf_pids_gone).
    _pf_pids_gone "$pid" && return 1
    printf '%s\n' "$pid"
}

_pf_master_running() {
    _pf_master_pid >/dev/null
}

# _pf_instance_pids - pids of all Postfix processes of this instance.
# Every Postfix daemon runs with the queue directory as its cwd, which
# identifies the instance exactly (other instances have other queues).
_pf_instance_pids() {
    local p cwd
    for p in /proc/[0-9]*; do
        cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
        [[ $cwd == "$PF_DIR/queue" ]] && printf '%s\n' "${p#/proc/}"
    done
}

# _pf_reload - make running daemons pick up a changed main.cf.
# "postfix reload" returns before the old daemons are gone; an old smtpd
# could still accept the next test connection with the old settings.  So
# wait (bounded) until every process that existed before the reload,
# except master itself, has exited.
_pf_reload() {
    local master old=() p
    master=$(_pf_master_pid) || return 0 # not running: nothing to reload
    for p in $(_pf_instance_pids); do
        [[ $p == "$master" ]] || old+=("$p")
    done
    _pf_postfix reload || { _pf_err "postfix reload failed"; return 1; }
    ((${#old[@]} == 0)) && return 0
    if ! _pf_sleep_until 10 _pf_pids_gone "${old[@]}"; then
        _pf_err "old Postfix processes still running 10 s after reload"
        return 1
    fi
}

# _pf_milter_spec SPEC - print SPEC in Postfix syntax.  libmilter (and
# thus the milter's own -p option) writes "inet:PORT@HOST" and
# "local:/path"; Postfix wants "inet:HOST:PORT" and "unix:/path" and dies
# with "garbage after numerical service" on the libmilter form.
_pf_milter_spec() {
    local spec=${1:-}
    if [[ $spec =~ ^inet:([0-9]+)@(.+)$ ]]; then
        spec="inet:${BASH_REMATCH[2]}:${BASH_REMATCH[1]}"
    elif [[ $spec == local:* ]]; then
        spec="unix:${spec#local:}"
    fi
    printf '%s\n' "$spec"
}

# _pf_write_main_cf - write DIR/conf/main.cf from scratch
_pf_write_main_cf() {
    local d=$PF_DIR
    cat >"$d/conf/main.cf" <<EOF
# Private Postfix instance for ticket-milter e2e tests.
# Generated by tests/e2e/postfix-lib.sh - do not edit, rerun pf_init.
compatibility_level = 3.6

# --- locations: everything below $d --------------------------------------
queue_directory = $d/queue
data_directory = $d/data
mail_owner = $PF_MAIL_OWNER
setgid_group = $PF_SETGID_GROUP

# Log to a file via postlogd(8) instead of syslog (there may be no syslog
# daemon, and the tests want to read the log).  maillog_file_prefixes is a
# safety net whose default (/var, /dev/stdout) would refuse this path.
maillog_file = $d/log/maillog
maillog_file_prefixes = $d/log

# --- network: loopback only ---------------------------------------------
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.test.example
mydomain = test.example
myorigin = \$myhostname
mynetworks = 127.0.0.0/8
mydestination =
smtpd_banner = \$myhostname ESMTP

# --- relay every recipient to the smtp-sink ---------------------------------
# relay_domains=static:ALL authorises every destination; this matters when
# tests use XCLIENT to pretend to be a foreign client, where
# permit_mynetworks no longer applies.
relay_domains = static:ALL
relay_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, permit_auth_destination, reject
relayhost = [127.0.0.1]:$PF_SINK_PORT
local_recipient_maps =
alias_maps =
alias_database =
append_dot_mydomain = no
biff = no

# --- no DNS, no TLS -------------------------------------------------------
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtp_tls_security_level = none
smtpd_tls_security_level = none

# --- test friendliness: fast retries, no artificial delays -------------------
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
in_flow_delay = 0s
smtpd_error_sleep_time = 0s

# --- tests use swaks --xclient-addr / --xclient-login ------------------------
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_authorized_xforward_hosts = 127.0.0.0/8

# --- milter -----------------------------------------------------------------
# A broken/absent milter must never let mail through unfiltered.
milter_default_action = tempfail
milter_protocol = 6
smtpd_milters = $PF_MILTER
non_smtpd_milters = $PF_MILTER
EOF
    chmod 644 "$d/conf/main.cf"
    _pf_backdate "$d/conf/main.cf"
}

# _pf_reinject_line - the milter-free listener's master.cf lines, or an
# empty line without PF_REINJECT_PORT.  What it receives (ticket-milter's
# acknowledgements) leaves through a transport of its own, ticket-ack,
# to the same relay host: the queue manager takes turns between
# transports, so the acknowledgements do not wait behind a backlog of
# relayed mail (the README's Postfix setup).
_pf_reinject_line() {
    [[ -n ${PF_REINJECT_PORT:-} ]] || return 0
    printf '127.0.0.1:%s inet n - n - - smtpd -o smtpd_milters= -o syslog_name=postfix/reinject -o content_filter=ticket-ack:[127.0.0.1]:%s\n' \
        "$PF_REINJECT_PORT" "$PF_SINK_PORT"
    printf 'ticket-ack unix - - n - - smtp -o syslog_name=postfix/ticket-ack\n'
}

# _pf_write_master_cf - write DIR/conf/master.cf from scratch.
# chroot is "n" everywhere: a chroot would need copies of /etc files under
# the queue directory, and a unix: milter socket outside of it would be
# unreachable.
_pf_write_master_cf() {
    cat >"$PF_DIR/conf/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PF_SMTP_PORT inet n - n - - smtpd
$(_pf_reinject_line)
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
        -o syslog_name=postfix/\$service_name
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    chmod 644 "$PF_DIR/conf/master.cf"
    _pf_backdate "$PF_DIR/conf/master.cf"
}

# ---------------------------------------------------------------------------
# Postfix instance
# ---------------------------------------------------------------------------

# pf_init DIR - create DIR/{conf,queue,data,sink,log} and write a fresh
# main.cf/master.cf using PF_SMTP_PORT, PF_SINK_PORT and PF_MILTER.
# DIR becomes the current instance.  Existing queue/sink contents are kept.
pf_init() {
    local dir=${1:-}
    if [[ -z $dir ]]; then
        _pf_err "usage: pf_init DIR"
        return 1
    fi
    mkdir -p "$dir" || return 1
    # Absolute, symlink-free path: Postfix wants absolute paths and
    # _pf_instance_pids compares against readlink output.
    dir=$(cd "$dir" && pwd -P) || return 1
    if [[ ! $PF_SMTP_PORT =~ ^[0-9]+$ || ! $PF_SINK_PORT =~ ^[0-9]+$ ||
        $PF_SMTP_PORT == "$PF_SINK_PORT" ]]; then
        _pf_err "PF_SMTP_PORT/PF_SINK_PORT must be two different numbers"
        return 1
    fi
    PF_DIR=$dir
    SINK_DIR=$dir SINK_PORT=$PF_SINK_PORT SINK_USER=$PF_MAIL_OWNER
    PF_MILTER=$(_pf_milter_spec "$PF_MILTER")
    mkdir -p "$dir"/{conf,queue,data,sink,log} || return 1
    # DIR is often a mktemp -d directory (mode 700).  The unprivileged
    # smtp-sink (user postfix) must be able to reach DIR/sink; "postfix
    # check" also warns about group/world writable parents.
    chmod 755 "$dir" "$dir/conf" "$dir/queue" "$dir/log"
    chown "$PF_MAIL_OWNER" "$dir/data" "$dir/sink"
    chmod 700 "$dir/data"
    chmod 755 "$dir/sink"
    _pf_write_main_cf
    _pf_write_master_cf
    _pf_save_env
}

# pf_use DIR - make an instance initialised earlier the current one
# (restores its ports and milter setting).
pf_use() {
    local dir=${1:-}
    dir=$(cd "$dir" 2>/dev/null && pwd -P) || { _pf_err "pf_use: no such DIR"; return 1; }
    [[ -f $dir/instance.env ]] || { _pf_err "pf_use: $dir is not initialised"; return 1; }
    PF_DIR=$dir
    # shellcheck disable=SC1091
    . "$dir/instance.env"
    SINK_DIR=$dir SINK_PORT=$PF_SINK_PORT SINK_USER=$PF_MAIL_OWNER
}

# pf_start - check the configuration (this also creates the queue
# directories with the right owners) and start Postfix; returns once
# smtpd answers with a 220 banner on PF_SMTP_PORT (at most 10 s,
# PF_START_TIMEOUT overrides).  Starting a running instance is a no-op.
pf_start() {
    _pf_need_dir || return 1
    _pf_master_running && return 0
    if _pf_port_in_use "$PF_SMTP_PORT"; then
        _pf_err "port 127.0.0.1:$PF_SMTP_PORT is already in use"
        return 1
    fi
    # "check" runs post-install create-missing (queue dirs owned by
    # postfix, maildrop/public group postdrop) and the sanity checks.
    if ! _pf_postfix check; then
        _pf_err "postfix check failed:"
        tail -n 20 "$PF_DIR/log/postfix.out" >&2
        return 1
    fi
    # On a loaded machine "postfix start" can fail without a word (its
    # own checks time out); if master is not up, try once more.
    if ! _pf_postfix start && ! _pf_master_running; then
        sleep 1
        if ! _pf_postfix start && ! _pf_master_running; then
            _pf_err "postfix start failed:"
            tail -n 20 "$PF_DIR/log/postfix.out" >&2
            return 1
        fi
    fi
    if ! _pf_sleep_until "${PF_START_TIMEOUT:-10}" _pf_banner_ok "$PF_SMTP_PORT"; then
        _pf_err "no SMTP banner on 127.0.0.1:$PF_SMTP_PORT; maillog tail:"
        tail -n 20 "$PF_DIR/log/maillog" >&2 2>/dev/null
        return 1
    fi
}

# pf_stop - stop this instance and make sure none of its processes
# remains (master by pid file, the daemons by their cwd); bounded.
pf_stop() {
    [[ -n ${PF_DIR:-} && -d ${PF_DIR}/queue ]] || return 0
    local pids
    if _pf_master_running; then
        # postfix stop itself waits up to 5 s, then kills the process group.
        _pf_postfix stop
    fi
    pids=$(_pf_instance_pids)
    [[ -z $pids ]] && return 0
    # Daemons notice master's exit by themselves; give them a moment,
    # then insist.
    # shellcheck disable=SC2086
    if ! _pf_sleep_until 3 _pf_pids_gone $pids; then
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null
        # shellcheck disable=SC2086
        _pf_sleep_until 2 _pf_pids_gone $pids ||
            kill -KILL $pids 2>/dev/null
    fi
    return 0
}

# pf_postconf NAME=VALUE... - edit main.cf of this instance with
# `postconf -c DIR/conf -e` and reload a running instance.
pf_postconf() {
    _pf_need_dir || return 1
    postconf -c "$PF_DIR/conf" -e "$@" || return 1
    _pf_backdate "$PF_DIR/conf/main.cf"
    _pf_reload
}

# pf_set_milter SPEC - route SMTP and locally submitted mail through the
# milter SPEC (e.g. unix:/path/sock or inet:8899@127.0.0.1); an empty SPEC
# disables milters.  Reloads a running instance.
pf_set_milter() {
    _pf_need_dir || return 1
    PF_MILTER=$(_pf_milter_spec "${1:-}")
    _pf_save_env
    pf_postconf "smtpd_milters=$PF_MILTER" "non_smtpd_milters=$PF_MILTER"
}

# pf_send SWAKS-ARGS... - send one message to the private instance with
# swaks; extra arguments are passed through.  Returns swaks' exit code
# (124 if it had to be killed after PF_SEND_TIMEOUT, default 60 s).
pf_send() {
    _pf_need_dir || return 1
    timeout "${PF_SEND_TIMEOUT:-60}" \
        swaks --server 127.0.0.1 --port "$PF_SMTP_PORT" --silent 2 "$@"
}

# pf_sendmail SENDMAIL-ARGS... - submit one message (stdin) through the
# local sendmail/postdrop/pickup path of this instance, i.e. what
# non_smtpd_milters sees.  Example: pf_sendmail -i -f a@x -- b@y <msg
pf_sendmail() {
    _pf_need_dir || return 1
    timeout "${PF_SEND_TIMEOUT:-60}" sendmail -C "$PF_DIR/conf" "$@"
}

# pf_flush - retry deferred mail now and make pickup rescan maildrop (a
# message that pickup could not hand to cleanup, e.g. because a
# non_smtpd milter tempfailed, otherwise waits for pickup's 60 s timer).
pf_flush() {
    _pf_need_dir || return 1
    _pf_master_running || return 1
    timeout 10 postqueue -c "$PF_DIR/conf" -f || return 1
    # postkick may die of SIGPIPE when pickup closes the trigger socket
    # early (e.g. right after a reload); the wakeup still arrived.
    timeout 10 postkick -c "$PF_DIR/conf" public pickup W 2>/dev/null
    return 0
}

# pf_queue_count - number of messages waiting in maildrop, incoming,
# active or deferred.  The hold queue is NOT counted: messages a milter
# quarantined stay there forever.
pf_queue_count() {
    _pf_need_dir || return 1
    find "$PF_DIR"/queue/{maildrop,incoming,active,deferred} \
        -type f 2>/dev/null | wc -l
}

# pf_hold_count - number of messages in the hold queue (quarantine)
pf_hold_count() {
    _pf_need_dir || return 1
    find "$PF_DIR/queue/hold" -type f 2>/dev/null | wc -l
}

_pf_queue_is_empty() {
    (($(pf_queue_count) == 0))
}

# pf_queue_empty_wait TIMEOUT_S - wait until pf_queue_count is 0;
# non-zero on timeout.
pf_queue_empty_wait() {
    _pf_need_dir || return 1
    _pf_sleep_until "${1:-10}" _pf_queue_is_empty
}

# pf_log - print the maillog of this instance (empty if none yet)
pf_log() {
    _pf_need_dir || return 1
    cat "$PF_DIR/log/maillog" 2>/dev/null
    return 0
}

# pf_cleanup - stop the sink and Postfix of the current instance; never
# fails, keeps DIR (logs) for inspection.  Meant for `trap pf_cleanup EXIT`.
pf_cleanup() {
    [[ -n ${PF_DIR:-} ]] || return 0
    sink_stop
    pf_stop
    return 0
}
