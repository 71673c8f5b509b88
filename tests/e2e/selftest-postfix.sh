#!/usr/bin/env bash
#
# selftest-postfix.sh - TAP self test of tests/e2e/postfix-lib.sh, without
# any milter: a private Postfix on loopback must relay one SMTP message and
# one locally injected (sendmail) message to the smtp-sink unchanged.
#
# Exit status is 0 unless the harness itself broke; failures are reported
# as "not ok" lines.  Set KEEP_TMP=1 to keep the temp directory.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

skip_all() {
    echo "1..0 # SKIP $*"
    exit 0
}

((EUID == 0)) || skip_all "must run as root (Postfix master needs root)"
for cmd in postfix postconf postqueue sendmail smtp-sink swaks timeout; do
    command -v "$cmd" >/dev/null 2>&1 || skip_all "$cmd not installed"
done
[[ -d /usr/lib/postfix/sbin ]] || skip_all "postfix daemons not found"

# shellcheck source=postfix-lib.sh
. "$here/postfix-lib.sh" || { echo "Bail out! cannot source postfix-lib.sh"; exit 1; }

# --- TAP helpers --------------------------------------------------------------
TESTS=14
n=0
failed=0
echo "1..$TESTS"

ok() { # ok COND-STATUS DESCRIPTION
    n=$((n + 1))
    if [[ $1 == 0 ]]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failed=$((failed + 1))
    fi
}

is() { # is GOT EXPECTED DESCRIPTION
    if [[ $1 == "$2" ]]; then
        ok 0 "$3"
    else
        ok 1 "$3"
        echo "#   got:      '$1'"
        echo "#   expected: '$2'"
    fi
}

diag() { sed 's/^/# /'; }

PF_SMTP_PORT=$(pf_pick_port) || { echo "Bail out! no free port"; exit 1; }
PF_SINK_PORT=$(pf_pick_port "$PF_SMTP_PORT") || { echo "Bail out! no free port"; exit 1; }
PF_MILTER=
echo "# smtp port $PF_SMTP_PORT, sink port $PF_SINK_PORT"

# --- instance -----------------------------------------------------------------
tmp=$(mktemp -d /tmp/pf-selftest.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
# shellcheck disable=SC2317 # invoked via trap
cleanup() {
    pf_cleanup
    if [[ ${KEEP_TMP:-0} == 1 || $failed -gt 0 ]]; then
        echo "# kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

# find_dump MESSAGE-ID - print the captured file carrying that Message-ID
find_dump() {
    local f
    while IFS= read -r f; do
        [[ $(sink_header "$f" Message-ID) == "$1" ]] && { echo "$f"; return 0; }
    done < <(sink_files)
    return 1
}

pf_init "$tmp"
ok $? "pf_init creates a private config"

is "$(postconf -c "$tmp/conf" -h queue_directory 2>/dev/null)" "$tmp/queue" \
    "config points at the private queue"

sink_start
ok $? "smtp-sink listens on 127.0.0.1:$PF_SINK_PORT"

pf_start
ok $? "private postfix answers on 127.0.0.1:$PF_SMTP_PORT"

# --- 1: SMTP submission -----------------------------------------------------
token="$$.$RANDOM"
subject="selftest [$token]: Subject with  two spaces & punctuation!"
msgid="<smtp.$token@selftest.test.example>"
cat >"$tmp/smtp.eml" <<EOF
From: Sender <a@x.example>
To: Rcpt <b@y.example>
Subject: $subject
Message-ID: $msgid
Date: $(date -R)
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hello from the postfix-lib self test.
.a line that starts with a dot
EOF

pf_send --from a@x.example --to b@y.example --data "@$tmp/smtp.eml"
ok $? "swaks submits a message over SMTP"

sink_wait 1 15
ok $? "the message reaches the sink within 15 s"

file=$(find_dump "$msgid")
is "$(sink_header "$file" Subject 2>/dev/null)" "$subject" "Subject arrives unchanged"
is "$(sink_header "$file" Message-ID 2>/dev/null)" "$msgid" "Message-ID arrives unchanged"
sink_body "$file" 2>/dev/null | grep -qx '\.a line that starts with a dot'
ok $? "body arrives (dot-stuffing undone)"

# --- 2: local submission (sendmail -> postdrop -> pickup) -------------------
lmsgid="<local.$token@selftest.test.example>"
printf 'From: a@x.example\nTo: b@y.example\nSubject: local\n\tfolded subject\nMessage-ID: %s\n\nlocal body\n' \
    "$lmsgid" >"$tmp/local.eml"
sendmail -C "$tmp/conf" -i -f a@x.example -- b@y.example <"$tmp/local.eml"
ok $? "sendmail -C accepts a locally injected message"

sink_wait 2 15
lfile=$(find_dump "$lmsgid")
ok $? "the locally injected message reaches the sink"

is "$(sink_header "$lfile" Subject 2>/dev/null)" $'local\tfolded subject' \
    "folded Subject is unfolded by sink_header"

pf_queue_empty_wait 10
ok $? "the private queue drains"

# --- shutdown -----------------------------------------------------------------
sink_stop
pf_stop
leftover=$(_pf_instance_pids)
[[ -z $leftover ]] && ! _pf_master_running && ! _pf_port_in_use "$PF_SMTP_PORT" &&
    ! _pf_port_in_use "$PF_SINK_PORT"
ok $? "pf_stop/sink_stop leave no process or listener behind"

if ((failed > 0)); then
    echo "# maillog:"
    pf_log | tail -n 30 | diag
    echo "# sink files:"
    find "$tmp/sink" -type f -printf '%s %p\n' 2>&1 | diag
fi

((n == TESTS)) || { echo "# planned $TESTS tests but ran $n"; exit 1; }
exit 0
