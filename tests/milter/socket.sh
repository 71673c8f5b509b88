#!/bin/bash
# socket.sh - the milter socket.  Whoever can connect to it can claim an
# SMTP AUTH login ({auth_authen}) and so act as an agent: -n notes a TCP
# socket that listens beyond this host's loopback (a note, not an error),
# and a unix socket is born 0660, given to the daemon's user and group
# without a chmod or chown that would follow a link put in its place.
. "$top_srcdir/tests/lib/common.sh"

tm_scratch
trap tm_cleanup EXIT

conf=$(tm_config main)
"$TM_CTL" -c "$conf" init >/dev/null
line=$(grep -n '^socket = ' "$conf" | cut -d: -f1)
check_spec() { # check_spec SPEC: -n's output for the configuration listening on SPEC
	sed -i "s|^socket = .*|socket = $1|" "$conf"
	"$TM_BIN" -n -c "$conf" 2>&1
}

for spec in inet:8899@0.0.0.0 inet:8899 inet6:8899@:: inet:8899@192.0.2.25 inet:8899@mx.example.com; do
	out=$(check_spec "$spec")
	rc=$?
	[ $rc -eq 0 ] && echo "$out" | grep -q "^$conf:$line: note: socket $spec listens on .*, not only on this host: whoever can connect to it can claim an SMTP AUTH login ({auth_authen}) and so act as an agent; use a unix socket only the MTA can reach (unix:/run/ticket-milter/milter.sock"
	tap_ok $? "-n notes $spec, and passes (exit $rc): $(echo "$out" | grep 'note: socket' | cut -c1-160)"
done
for spec in inet:8899@127.0.0.1 inet:8899@127.0.0.2 inet6:8899@::1 inet:8899@localhost "unix:$TM_DIR/main.sock"; do
	out=$(check_spec "$spec")
	rc=$?
	[ $rc -eq 0 ] && ! echo "$out" | grep -q "note: socket"
	tap_ok $? "-n says nothing of $spec (exit $rc)"
done

# Born 0660 whatever the umask of whoever started the daemon.
(umask 000 && tm_start main)
tap_ok $? "the daemon starts under umask 000"
[ "$(stat -c %a "$TM_DIR/main.sock")" = 660 ]
tap_ok $? "its unix socket is 0660 ($(stat -c %a "$TM_DIR/main.sock")), not world-writable"
tm_stop main

# As root with a user: the socket is given to the user and its group, and
# neither its mode nor its owner is set by a call that follows links.
if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	tap_diag "not root: the socket's owner is not checked"
else
	mkdir "$TM_DIR/data"
	chown nobody "$TM_DIR/data"
	owned=$(tm_config owned "user = nobody")
	sed -i "s|^database = .*|database = $TM_DIR/data/owned.db|; s|^secret-file = .*|secret-file = $TM_DIR/data/secret|" "$owned"
	wrapper=
	if strace -o /dev/null true 2>/dev/null; then
		wrapper="strace -f -o $TM_DIR/strace.out -e trace=chmod,fchmodat,chown,fchownat,lchown"
	fi
	TM_WRAPPER=$wrapper tm_start owned
	tap_ok $? "the daemon starts as root with user = nobody"
	[ "$(stat -c %a:%U:%G "$TM_DIR/owned.sock")" = "660:nobody:$(id -gn nobody)" ]
	tap_ok $? "its socket is 0660, nobody's and nobody's group's ($(stat -c %a:%U:%G "$TM_DIR/owned.sock"))"
	# strace is the process tm_start knows: stop the daemon itself.
	cp "$TM_DIR/owned.pid" "$TM_DIR/owned.bgpid"
	tm_stop owned
	if [ -n "$wrapper" ]; then
		calls=$(grep -E 'owned\.sock' "$TM_DIR/strace.out")
		echo "$calls" | grep -Eq 'lchown\(|AT_SYMLINK_NOFOLLOW' &&
			! echo "$calls" | grep -E '(^|[^l])(chmod|fchmodat|chown|fchownat)\(' | grep -vq AT_SYMLINK_NOFOLLOW
		tap_ok $? "no chmod or chown through a link on the socket: $(echo "$calls" | sed 's/^[0-9]* *//' | tr '\n' ';')"
	else
		tap_diag "strace cannot trace here: the calls on the socket are not checked"
	fi
fi

tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
printf '# reliability\t%s\t%s\t-\t-\t-\t0\t0\t-\n' "the milter socket" \
	"unix socket 0660 whatever the umask, given away without following links; -n notes TCP beyond loopback ($((TAP_N - TAP_FAILED)) of $TAP_N checks passed)"
tap_done
