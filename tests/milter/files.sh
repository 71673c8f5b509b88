#!/bin/bash
# files.sh - the files root opens in a folder the daemon's user can write.
#
# The daemon's user (here nobody) owns the database's folder, as
# ticket-milter owns /var/lib/ticket-milter; whoever runs as that user can
# put a symbolic link, or a file of root's, where root is about to create,
# write or chown one.  `ticketctl init`, `ticket-milter -n` and the
# daemon's start must refuse a link or another user's file at the
# database, its -wal, -shm and -outbox files, the secret, the pid file and
# the spool directory, each with one line naming the path, what is wrong
# and what to do, and must leave the link's target untouched.
. "$top_srcdir/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "needs root: these are files root opens (CI runs as root)"
id nobody >/dev/null 2>&1 || tap_skip_all "no user nobody to be the daemon's user"
command -v runuser >/dev/null || tap_skip_all "runuser not installed (util-linux)"
tm_scratch
trap tm_cleanup EXIT

D=$TM_DIR/data
mkdir "$D"
chown nobody "$D"
chmod 755 "$D"
conf=$TM_DIR/files.conf
db=$D/tickets.db
as_nobody() { runuser -u nobody -- "$@"; }

write_conf() { # write_conf [EXTRA-MILTER-LINES]
	cat >"$conf" <<CONF
[milter]
socket = unix:$TM_DIR/files.sock
user = nobody
database = $db
secret-file = $D/secret
hostname = support.example.com
pid-file = $D/files.pid
templates = $top_srcdir/templates
log-level = debug
${1:-}

[outbox]
command = $top_srcdir/tests/lib/capture-mail $TM_DIR/files.sent %r

[queue support]
name = Example Support
addresses = support@example.com
tag = SUP
CONF
}
write_conf

# The file an attacker points the links at: root's, and must stay as it is.
victim=$TM_DIR/victim
printf 'precious\n' >"$victim"
chmod 600 "$victim"
victim_intact() {
	[ "$(cat "$victim")" = precious ] && [ "$(stat -c %U:%a "$victim")" = root:600 ]
}
reset_data() { find "$D" -mindepth 1 -delete; }

# refused DESCRIPTION PATTERN COMMAND...: exit 1, exactly one line on
# stderr matching PATTERN, and the victim untouched.
refused() {
	local desc=$1 pattern=$2 rc
	shift 2
	"$@" >"$TM_DIR/out" 2>"$TM_DIR/err"
	rc=$?
	[ $rc -eq 1 ] && [ "$(wc -l <"$TM_DIR/err")" = 1 ] && grep -q -- "$pattern" "$TM_DIR/err" && victim_intact
	tap_ok $? "$desc (exit $rc): $(cat "$TM_DIR/err")"
}
init() { "$TM_CTL" -c "$conf" init; }
daemon() { timeout 30 "$TM_BIN" -f -c "$conf"; }
link_msg="is a symbolic link, which ticket-milter does not follow .*: remove the link and name the real path in the configuration"

# --- ticketctl init ------------------------------------------------------
as_nobody ln -sfn "$victim" "$db"
refused "init: the database is a link to root's file" "^ticketctl: database $db $link_msg" init

reset_data
as_nobody ln -sfn "$TM_DIR/planted.db" "$db"
refused "init: the database is a dangling link" "^ticketctl: database $db is a symbolic link" init
[ ! -e "$TM_DIR/planted.db" ]
tap_ok $? "init: the dangling link's target was not created"

reset_data
: >"$db"
refused "init: an empty root-owned file at the database" \
	"^ticketctl: database $db is owned by root, not nobody: chown nobody it if it is ticket-milter's, else remove it" init
[ "$(stat -c %U:%s "$db")" = root:0 ]
tap_ok $? "init: that file is still root's and empty ($(stat -c %U:%s "$db"))"

for f in -wal -shm; do
	reset_data
	as_nobody ln -sfn "$victim" "$db$f"
	refused "init: the database's $f file is a link to root's file" "^ticketctl: database $db$f $link_msg" init
	[ ! -e "$db" ]
	tap_ok $? "init: refused before creating the database"
done

reset_data
as_nobody ln -sfn "$victim" "$D/secret"
refused "init: the secret is a link to root's file" "^ticketctl: secret-file $D/secret $link_msg" init
reset_data
as_nobody ln -sfn "$TM_DIR/planted.secret" "$D/secret"
refused "init: the secret is a dangling link" "^ticketctl: secret-file $D/secret is a symbolic link" init
[ ! -e "$TM_DIR/planted.secret" ]
tap_ok $? "init: the dangling link's target was not created"
reset_data
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$D/secret"
chmod 600 "$D/secret"
refused "init: a secret of root's where nobody's belongs (the daemon rereads it as nobody)" \
	"^ticketctl: secret-file $D/secret is owned by root, not nobody" init

reset_data
out=$("$TM_CTL" -c "$conf" init 2>&1)
rc=$?
[ $rc -eq 0 ] && [ "$(stat -c %U:%a "$D/secret")" = nobody:600 ] && [ "$(stat -c %U:%a "$db")" = nobody:600 ]
tap_ok $? "init on a clean folder: the secret (nobody, 0600) and the database (nobody, 0600) ($out)"
[ -z "$(find "$D" -user root)" ]
tap_ok $? "init left nothing of root's in the daemon's folder ($(find "$D" -user root | tr '\n' ' '))"
"$TM_CTL" -c "$conf" init >/dev/null 2>&1
tap_ok $? "init again keeps both"

# --- ticket-milter -n and the daemon's start ------------------------------
# After a clean init, one planted file at a time.
daemon_refused() { # daemon_refused DESCRIPTION PATTERN
	refused "$1" "ticket-milter: error: not starting: $2" daemon
	[ ! -e "$TM_DIR/files.sock" ]
	tap_ok $? "  and left no socket behind"
}

as_nobody ln -sfn "$victim" "$db-shm"
out=$("$TM_BIN" -n -c "$conf" 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "^$conf:[0-9]*: database: $db-shm $link_msg" && victim_intact
tap_ok $? "-n (run as root before every start) refuses a link at the -shm file and leaves its target alone: $out"
daemon_refused "the daemon refuses a link at the -shm file" "database: $db-shm $link_msg"
rm -f "$db-shm"

as_nobody ln -sfn "$victim" "$db-wal"
daemon_refused "the daemon refuses a link at the -wal file" "database: $db-wal $link_msg"
rm -f "$db-wal"

as_nobody ln -sfn "$victim" "$db-outbox"
daemon_refused "the daemon refuses a link at the outbox journal" "database: $db-outbox $link_msg"
rm -f "$db-outbox"

mv "$db" "$D/real.db"
as_nobody ln -sfn "$D/real.db" "$db"
daemon_refused "the daemon refuses a database that is a link" "database: $db $link_msg"
rm -f "$db"
mv "$D/real.db" "$db"

cp -p "$D/secret" "$TM_DIR/secret.copy"
chown root "$TM_DIR/secret.copy"
mv "$D/secret" "$D/secret.real"
as_nobody ln -sfn "$TM_DIR/secret.copy" "$D/secret"
daemon_refused "the daemon refuses a secret that is a link" ".*secret-file $D/secret $link_msg"
out=$("$TM_BIN" -n -c "$conf" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "secret-file $D/secret is a symbolic link"
tap_ok $? "-n refuses it too: $out"
rm -f "$D/secret"
mv "$D/secret.real" "$D/secret"
chown root "$D/secret"
daemon_refused "the daemon refuses a secret of root's (nobody could not reread it)" \
	"secret-file: $D/secret is owned by root, not nobody"
chown nobody "$D/secret"

mkdir "$TM_DIR/elsewhere"
as_nobody ln -sfn "$TM_DIR/elsewhere" "$D/spool"
write_conf "spool-directory = $D/spool"
out=$("$TM_BIN" -n -c "$conf" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "^$conf:[0-9]*: spool-directory: $D/spool is a symbolic link"
tap_ok $? "-n refuses a spool directory that is a link: $out"
daemon_refused "the daemon refuses it" "spool-directory: $D/spool is a symbolic link"
write_conf

as_nobody ln -sfn "$victim" "$D/files.pid"
daemon_refused "the daemon refuses a pid file that is a link (written as root)" "pid-file $D/files.pid $link_msg"
rm -f "$D/files.pid"
as_nobody sh -c "echo 1 >'$D/files.pid'"
daemon_refused "the daemon refuses a pid file nobody made" \
	"pid-file $D/files.pid is owned by nobody, not root: chown root it if it is ticket-milter's, else remove it"
[ "$(cat "$D/files.pid")" = 1 ]
tap_ok $? "  and did not write into it"
rm -f "$D/files.pid"

# ticketctl works on the store as nobody: a link at -shm cannot make it
# (SQLite, as root) truncate or chown root's file.
as_nobody ln -sfn "$victim" "$db-shm"
"$TM_CTL" -c "$conf" list >/dev/null 2>&1
victim_intact
tap_ok $? "ticketctl list with a link at -shm leaves its target alone ($(stat -c %U:%a:%s "$victim"))"
rm -f "$db-shm"

# A stale pid file of root's (a crash) is fine.
echo 99999 >"$D/files.pid"
"$TM_BIN" -f -c "$conf" 2>>"$TM_DIR/files.log" &
echo $! >"$TM_DIR/files.bgpid"
for i in $(seq 1 300); do
	grep -q "listening on" "$TM_DIR/files.log" 2>/dev/null && break
	kill -0 "$(cat "$TM_DIR/files.bgpid")" 2>/dev/null || break
	sleep 0.1
done
grep -q "listening on" "$TM_DIR/files.log"
tap_ok $? "the daemon starts over a stale pid file of root's"
[ "$(cat "$D/files.pid")" = "$(cat "$TM_DIR/files.bgpid")" ]
tap_ok $? "  and writes its pid there"
[ "$(ps -o user= -p "$(cat "$TM_DIR/files.bgpid")")" = nobody ]
tap_ok $? "the daemon runs as nobody"
tm_stop files
tm_check_clean files
tap_ok $? "no sanitizer reports in the daemon's log"

printf '# reliability\t%s\t%s\t-\t-\t-\t0\t0\t-\n' "files opened as root" \
	"links and foreign files at the database, -wal, -shm, secret, journal, spool, pid file: refused, targets untouched ($((TAP_N - TAP_FAILED)) of $TAP_N checks passed)"
tap_done
