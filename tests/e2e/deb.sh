#!/bin/bash
# deb.sh - the Debian package, end to end, on this machine: built with
# dpkg-buildpackage from a copy of the source (make distdir: the files a
# release carries), checked by lintian, installed, its shipped
# configuration checked with -n, the daemon started as the systemd unit
# starts it, the demo's customer mail through a private Postfix to the
# installed daemon (tagged, acknowledged), reloaded and stopped as the
# unit does it, then removed (the data stays) and purged (nothing stays).
# Installs the build tools when they are missing, and skips only when they
# cannot be installed (or when the machine already has a ticket-milter
# installation of its own, which the purge would destroy).  The package
# is purged at exit, also when a check fails.
. "$top_srcdir/tests/e2e/e2e.sh"

CONF=/etc/ticket-milter/ticket-milter.conf
SOCKET=unix:/run/ticket-milter/milter.sock
BUILD_TOOLS=(build-essential debhelper lintian fakeroot dpkg-dev)
export DEBIAN_FRONTEND=noninteractive

[ "$(id -u)" = 0 ] || tap_skip_all "needs root to install the package"
{ command -v apt-get && command -v dpkg-query; } >/dev/null || tap_skip_all "not a Debian system (no apt-get)"
# The package is built from the source with Debian's own flags: a
# sanitizer build's suite would build and install the very same package
# again, and the plain build's suite runs this test.
grep -q '^SAN_CFLAGS = .*-fsanitize' "$top_builddir/Makefile" 2>/dev/null &&
	tap_skip_all "sanitizer build: the package does not use this build (the plain build's suite builds and installs it)"
# The purge at the end removes the user, /etc/ticket-milter and
# /var/lib/ticket-milter: never those of an installation already here.
dpkg-query -W -f='${Status}' ticket-milter 2>/dev/null | grep -q 'ok \(installed\|config-files\)' &&
	tap_skip_all "a ticket-milter package is installed on this machine, and the test would purge it"
for what in /etc/ticket-milter /var/lib/ticket-milter; do
	[ -e "$what" ] && tap_skip_all "$what exists (an installation from source?), and the test's purge would remove it"
done
getent passwd ticket-milter >/dev/null && tap_skip_all "the user ticket-milter exists, and the test's purge would remove it"
command -v postfix >/dev/null || tap_skip_all "postfix not installed (apt-get install postfix)"
command -v swaks >/dev/null || tap_skip_all "swaks not installed (apt-get install swaks)"

missing=()
for p in "${BUILD_TOOLS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; } ||
		tap_skip_all "the build tools cannot be installed (apt-get install ${missing[*]} failed)"
fi

tm_scratch
W=$TM_DIR
started=
cleanup() {
	if [ -n "$started" ]; then
		if [ "$started" = systemd ]; then
			systemctl stop ticket-milter >/dev/null 2>&1
		else
			kill -TERM "$started" 2>/dev/null
		fi
	fi
	# Whatever the start left behind (a pid file not written, a start
	# that timed out): the installed daemon must not outlive the test.
	pkill -TERM -u ticket-milter -x ticket-milter 2>/dev/null && sleep 1
	pkill -KILL -u ticket-milter -x ticket-milter 2>/dev/null
	pf_cleanup
	if dpkg-query -W -f='${Status}' ticket-milter 2>/dev/null | grep -q 'ok \(installed\|config-files\|half\)'; then
		dpkg --purge ticket-milter >/dev/null 2>&1 || tap_diag "dpkg --purge ticket-milter failed at exit"
	fi
	tm_cleanup
}
trap cleanup EXIT

# bail DESCRIPTION LOG: nothing after this step can run.
bail() {
	tap_diag "$1; the end of $2:"
	tail -n 30 "$2" | sed 's/^/# /'
	tap_done
	exit 1
}

# --- build ------------------------------------------------------------------
# make distdir copies exactly what the tarball holds; MAKEFLAGS may name
# the jobserver of the make check that runs us.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" distdir distdir="$W/src" >"$W/distdir.log" 2>&1
tap_ok $? "make distdir copies the source, debian/ included"
[ -x "$W/src/debian/rules" ] || bail "no debian/rules in the copy" "$W/distdir.log"
if ! (cd "$W/src" && dpkg-checkbuilddeps) >/dev/null 2>&1; then
	apt-get build-dep -y -qq --no-install-recommends "$W/src" >"$W/build-dep.log" 2>&1 ||
		tap_skip_all "the build dependencies cannot be installed (apt-get build-dep failed)"
fi
start=$SECONDS
(cd "$W/src" && dpkg-buildpackage -us -uc -b -j2) >"$W/build.log" 2>&1
tap_ok $? "dpkg-buildpackage -us -uc -b builds the package ($((SECONDS - start)) s)"
version=$(cd "$W/src" && dpkg-parsechangelog -S Version)
deb=$W/ticket-milter_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || bail "no $deb" "$W/build.log"
[ "$version" = "$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")" ]
tap_ok $? "debian/changelog's version $version is configure's"

lintian "$W"/ticket-milter_"${version}"_*.changes >"$W/lintian.out" 2>&1
grep -E '^[EW]: ' "$W/lintian.out" | sed 's/^/# /'
! grep -q '^E: ' "$W/lintian.out"
tap_ok $? "lintian reports no errors ($(grep -c '^W: ' "$W/lintian.out") warnings)"

dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$W/contents"
ok=0
for f in /usr/sbin/ticket-milter /usr/sbin/ticketctl /usr/sbin/ticket-filter /usr/share/man/man8/ticket-milter.8.gz \
	/usr/share/man/man8/ticketctl.8.gz /usr/share/man/man8/ticket-filter.8.gz /usr/share/man/man5/ticket-milter.conf.5.gz \
	/usr/share/ticket-milter/templates/en/ack.txt /usr/share/ticket-milter/templates/ja/ack.html \
	"$CONF" /usr/lib/tmpfiles.d/ticket-milter.conf; do
	grep -qx "$f" "$W/contents" || { tap_diag "not in the package: $f"; ok=1; }
done
grep -Eqx '(/usr)?/lib/systemd/system/ticket-milter.service' "$W/contents" || { tap_diag "no systemd unit"; ok=1; }
tap_ok $ok "it holds the programs, manual pages, templates, configuration, unit and tmpfiles.d entry"
! grep -q '^/etc/ticket-milter/secret' "$W/contents" && dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles | grep -qx "$CONF"
tap_ok $? "the configuration is a conffile, and no secret is shipped"

# --- install ----------------------------------------------------------------
apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "$deb" >"$W/install.log" 2>&1
tap_ok $? "apt-get install ./$(basename "$deb")"
dpkg-query -W -f='${Status}' ticket-milter 2>/dev/null | grep -q "install ok installed" || bail "not installed" "$W/install.log"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd ticket-milter)
[ "${uid:-0}" -gt 0 ] && [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/ticket-milter ] &&
	[ "$shell" = /usr/sbin/nologin ] && [ "$(id -Gn ticket-milter)" = ticket-milter ]
tap_ok $? "a system user ticket-milter (uid ${uid:-none}), in its own group only, without a login shell"
[ "$(stat -c '%a %U %G' /var/lib/ticket-milter)" = "750 ticket-milter ticket-milter" ] &&
	[ "$(stat -c '%a %U' /var/lib/ticket-milter/tickets.db)" = "600 ticket-milter" ]
tap_ok $? "/var/lib/ticket-milter is the user's, 0750, with the database in it (0600)"
[ "$(stat -c '%a %U %G' /etc/ticket-milter/secret)" = "600 ticket-milter ticket-milter" ] &&
	! dpkg -S /etc/ticket-milter/secret >/dev/null 2>&1
tap_ok $? "the secret was made at install: 0600, the user's, no file of the package"
[ "$(stat -c '%a %U %G' /run/ticket-milter)" = "750 root ticket-milter" ]
tap_ok $? "/run/ticket-milter is root's, open to the group ticket-milter only"
id -Gn postfix | tr ' ' '\n' | grep -qx ticket-milter
tap_ok $? "the user postfix is in the group ticket-milter, to reach the socket"
ticket-milter -n >"$W/check.out" 2>&1
tap_ok $? "ticket-milter -n accepts the shipped configuration ($(tail -n 1 "$W/check.out"))"
[ "$(ticket-milter -V)" = "ticket-milter $version" ]
tap_ok $? "the installed ticket-milter is version $version"

unit=$(dpkg -L ticket-milter | grep -E '/systemd/system/ticket-milter\.service$')
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify "$unit" >"$W/verify.out" 2>&1
	tap_ok $? "systemd-analyze verify accepts the unit"
	tap_diag "$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | grep 'Overall exposure')"
fi
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
grep -q '^ExecReload=.*-USR1' "$unit" && [ "$(unit_value NoNewPrivileges)" = yes ] &&
	[ "$(unit_value ProtectSystem)" = strict ] && [ "$(unit_value PrivateTmp)" = yes ] &&
	unit_value ReadWritePaths | grep -q /var/lib/ticket-milter && unit_value ReadWritePaths | grep -q /run/ticket-milter
tap_ok $? "the unit reloads with SIGUSR1 and is hardened (NoNewPrivileges, ProtectSystem=strict, ReadWritePaths, PrivateTmp)"

# --- run --------------------------------------------------------------------
PF_SMTP_PORT=$(pf_pick_port)
PF_SINK_PORT=$(pf_pick_port "$PF_SMTP_PORT")
PF_REINJECT_PORT=$(pf_pick_port "$PF_SMTP_PORT" "$PF_SINK_PORT")
PF_MILTER=$SOCKET
# Acknowledgements go to the private Postfix's listener without milter,
# where the README's setup has 127.0.0.1:10027.
sed -i "s|^smtp = .*|smtp = 127.0.0.1:$PF_REINJECT_PORT|" "$CONF"

# Without systemd as PID 1: what the unit's lines say, in a clean
# environment, as root in the group ticket-milter, with its umask, its
# capability bounding set and no new privileges; Type=forking.
start_as_unit() {
	local group caps bounding=-all nnp=() c
	group=$(unit_value Group)
	caps=$(unit_value CapabilityBoundingSet)
	for c in $caps; do bounding="$bounding,+$(echo "${c#CAP_}" | tr '[:upper:]' '[:lower:]')"; done
	[ -z "$caps" ] && bounding=+all
	[ "$(unit_value NoNewPrivileges)" = yes ] && nnp=(--no-new-privs)
	(
		umask "$(unit_value UMask)"
		cd /
		run() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin setpriv ${group:+--regid="$group"} --clear-groups \
			"${nnp[@]}" --bounding-set="$bounding" "$@"; }
		# shellcheck disable=SC2046 # the unit's command lines, split as systemd splits these
		run $(unit_value ExecStartPre) && run $(unit_value ExecStart)
	)
}
if [ -d /run/systemd/system ]; then
	systemctl is-enabled ticket-milter >/dev/null && systemctl is-active ticket-milter >/dev/null
	tap_ok $? "the package enabled and started the unit"
	# Again, for the outbox's port set above.
	systemctl restart ticket-milter && started=systemd
	pid=$(systemctl show -p MainPID --value ticket-milter)
	how="by systemctl"
else
	start_as_unit >"$W/start.out" 2>&1 && pid=$(cat "$(unit_value PIDFile)" 2>/dev/null) && started=$pid
	how="as the unit's ExecStartPre and ExecStart lines (no systemd here)"
fi
[ -n "$started" ] && kill -0 "${pid:-0}" 2>/dev/null && [ -S /run/ticket-milter/milter.sock ] &&
	[ "$(stat -c %U "/proc/$pid")" = ticket-milter ]
tap_ok $? "the daemon starts $how and runs as ticket-milter"
[ -n "$started" ] || bail "the daemon did not start" "$W/start.out"

pf_init "$W/pf" >/dev/null
sink_start && pf_start
tap_ok $? "private Postfix (smtp $PF_SMTP_PORT) with the milter on $SOCKET, and its sink"

pf_send --from anna@example.org --to support@example.com \
	--header "From: Anna Customer <anna@example.org>" \
	--header "Subject: Printer on fire" --header "Message-Id: <deb-1@example.org>" \
	--body "Hello, the printer in room 12 is smoking. Please help!"
wait_for '^Message-I[dD]: <deb-1@example.org>' 20
tap_ok $? "the customer mail passes the installed milter and reaches the sink"
first=$(sink_find '^Message-I[dD]: <deb-1@example.org>')
[ "$(sink_header "$first" Subject)" = "[SUP-1001] Printer on fire" ] && [ "$(sink_header "$first" X-Ticket-ID)" = SUP-1001 ] &&
	[ "$(sink_header "$first" X-Ticket-Status)" = new ] && [ "$(sink_header "$first" X-Ticket-Queue)" = support ] &&
	sink_header "$first" Reply-To | grep -Eq 'support\+sup-1001-[a-z2-7]{16}@example\.com'
tap_ok $? "tagged: [SUP-1001], X-Ticket-ID, X-Ticket-Status, X-Ticket-Queue, the signed Reply-To"
wait_for '^In-Reply-To: <deb-1@example.org>' 30
ack=$(sink_find '^In-Reply-To: <deb-1@example.org>')
[ -n "$ack" ] && grep -q '^X-Rcpt-Args: .*<anna@example.org>' "$ack" &&
	[ "$(sink_header "$ack" Auto-Submitted)" = auto-replied ] && [ "$(sink_header "$ack" X-Ticket-ID)" = SUP-1001 ]
tap_ok $? "Anna's acknowledgement arrives through the outbox, for SUP-1001"
ticketctl show SUP-1001 --json 2>/dev/null | grep -q '"message_id":"deb-1@example.org"'
tap_ok $? "ticketctl, with the installed default configuration, shows the ticket"

if [ "$started" = systemd ]; then
	systemctl reload ticket-milter
else
	# shellcheck disable=SC2046
	env -i PATH=/usr/bin:/bin $(unit_value ExecReload | sed "s/\$MAINPID/$pid/")
fi
sleep 1
pf_send --from anna@example.org --to support@example.com \
	--header "From: Anna Customer <anna@example.org>" --header "Subject: Re: Printer on fire" \
	--header "Message-Id: <deb-2@example.org>" --header "In-Reply-To: <deb-1@example.org>" --body "Now it is on fire."
wait_for '^Message-I[dD]: <deb-2@example.org>' 20
second=$(sink_find '^Message-I[dD]: <deb-2@example.org>')
kill -0 "$pid" 2>/dev/null && [ -n "$second" ] && [ "$(sink_header "$second" X-Ticket-ID)" = SUP-1001 ]
tap_ok $? "after the unit's reload the same daemon threads the follow-up into SUP-1001"

if [ "$started" = systemd ]; then
	systemctl stop ticket-milter
else
	kill -TERM "$pid"
fi
for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$pid" 2>/dev/null
tap_ok $? "the daemon stops on SIGTERM"
started=
pf_cleanup

# --- remove and purge -------------------------------------------------------
apt-get -o DPkg::Lock::Timeout=300 remove -y ticket-milter >"$W/remove.log" 2>&1 && [ ! -e /usr/sbin/ticket-milter ] && [ ! -e /usr/sbin/ticketctl ] &&
	[ -f /var/lib/ticket-milter/tickets.db ] && [ -f /etc/ticket-milter/secret ] && getent passwd ticket-milter >/dev/null
tap_ok $? "apt-get remove takes the programs and keeps the database, the secret and the user"
apt-get -o DPkg::Lock::Timeout=300 purge -y ticket-milter >"$W/purge.log" 2>&1
tap_ok $? "apt-get purge ticket-milter"
left=()
for f in /usr/sbin/ticket-milter /usr/sbin/ticketctl /usr/sbin/ticket-filter /etc/ticket-milter /var/lib/ticket-milter /run/ticket-milter \
	/usr/share/ticket-milter "$unit" /usr/lib/tmpfiles.d/ticket-milter.conf \
	/etc/systemd/system/multi-user.target.wants/ticket-milter.service \
	/var/lib/systemd/deb-systemd-helper-enabled/ticket-milter.service.dsh-also \
	/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/ticket-milter.service; do
	[ -e "$f" ] && left+=("$f")
done
getent passwd ticket-milter >/dev/null && left+=("the user ticket-milter")
getent group ticket-milter >/dev/null && left+=("the group ticket-milter")
dpkg-query -W -f='${Status}' ticket-milter 2>/dev/null | grep -q 'ok \(installed\|config-files\)' && left+=("dpkg's record")
[ ${#left[@]} -eq 0 ]
tap_ok $? "nothing is left${left[*]:+: ${left[*]}}"

tap_done
[ "$TAP_FAILED" -eq 0 ]
