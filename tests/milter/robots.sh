#!/bin/bash
# robots.sh - no robot is ever acknowledged, through the real daemon:
# every message of tests/fixtures/robots (bounces without headers, list
# mail known only by List-Help or Sender: owner-..., complaint reports
# that are not multipart/report, RT, Jira and cron mail, system senders,
# automatic replies...) goes to the support queue by miltertest with a
# forwarder's envelope sender.  Each is ticketed; no acknowledgement of
# a robot enters the outbox, the log says why for each; every person
# (human-*: a "Fwd: Returned mail", a question about a failed parcel
# delivery...) gets one.
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
tm_scratch
trap tm_cleanup EXIT

fixtures="$top_srcdir/tests/fixtures/robots"
files=$(cd "$fixtures" && ls ./*.eml | sed 's|^\./||' | sort)
list=$(echo "$files" | paste -sd, -)
conf=$(tm_config main)
tm_start main
tap_ok $? "daemon starts"
tm_miltertest main robots.lua -D "fixtures=$fixtures" -D "files=$list" >"$TM_DIR/robots.out"
tap_ok $? "robots.lua sent every fixture"
tap_renumber <"$TM_DIR/robots.out"

# The sender thread runs after each commit: wait until every person's
# acknowledgement has been handed on (up to 30 s on a loaded machine).
people=$(echo "$files" | grep -c '^human-')
outbox() { "$TM_CTL" -c "$conf" outbox --json; }
for i in $(seq 1 300); do
	[ "$(outbox | grep -o '"state":"sent"' | wc -l)" -ge "$people" ] && break
	sleep 0.1
done

# Per class (the fixture's name up to its first "-"): messages,
# tickets, acknowledgements, for the reliability report.
declare -A c_in c_tickets c_acks
n=0
robots=0
robot_acks=0
human_acks=0
for name in $files; do
	n=$((n + 1))
	qid=$(printf '4ROB%04d' "$n")
	line=$(grep -F "$qid: new ticket" "$TM_DIR/main.log")
	class=${name%%-*}
	c_in[$class]=$((${c_in[$class]:-0} + 1))
	c_tickets[$class]=$((${c_tickets[$class]:-0} + $([ -n "$line" ] && echo 1 || echo 0)))
	c_acks[$class]=$((${c_acks[$class]:-0} + $(echo "$line" | grep -c ", acknowledgement queued")))
	case $name in
	human-*)
		from=$(sed -n 's/^From:.*<\(.*\)>.*/\1/p' "$fixtures/$name" | head -1)
		echo "$line" | grep -q ", acknowledgement queued" &&
			outbox | grep -q "\"kind\":\"ack\",\"state\":\"[a-z]*\",\"recipient\":\"$from\""
		rc=$?
		[ $rc = 0 ] && human_acks=$((human_acks + 1))
		tap_ok $rc "$name: ticketed and acknowledged to $from"
		;;
	*)
		robots=$((robots + 1))
		why=$(echo "$line" | sed -n 's/.*, no acknowledgement: //p')
		[ -n "$line" ] && [ -n "$why" ]
		rc=$?
		[ $rc = 0 ] || robot_acks=$((robot_acks + 1))
		tap_ok $rc "$name: ticketed, no acknowledgement (${why:-${line:-not ticketed}})"
		;;
	esac
done
acks=$(outbox | grep -o '"kind":"ack"' | wc -l)
[ "$acks" = "$people" ]
tap_ok $? "the outbox holds exactly one acknowledgement per person ($acks for $people), none for $robots robots"
tap_diag "robots: $robot_acks of $robots acknowledged; people: $human_acks of $people acknowledged"
for class in bounce autoreply list report machine human; do
	if [ "$class" = human ]; then
		what="people beside the robots (a \"Fwd: Returned mail\"...), their own envelope sender"
	else
		what="$class-*.eml fixtures by miltertest, a forwarder's envelope sender (not <>)"
	fi
	printf '# reliability\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "robots: $class" "$what" \
		"${c_in[$class]:-0}" "${c_tickets[$class]:-0}" "${c_acks[$class]:-0}" 0 0 -
done
tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
tap_done
