#!/bin/bash
# locale.sh - locales through the real daemon: -n refuses a queue that
# offers a locale without templates of its own, at the line of its
# locales key, and accepts it mapped with locale-fallback; a Swedish
# customer of that queue then gets the English text with an English date
# (the date follows the text, never the customer's locale); the
# escalation notice follows each culture's default.
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
command -v python3 >/dev/null || tap_skip_all "python3 not installed (it decodes the captured mail)"
tm_scratch
trap tm_cleanup EXIT

# --- -n ------------------------------------------------------------------
conf=$(tm_config nosv "" "locales = en, sv")
"$TM_CTL" -c "$conf" init >/dev/null
out=$("$TM_BIN" -n -c "$conf" 2>&1)
rc=$?
line=$(grep -n '^locales = en, sv$' "$conf" | cut -d: -f1)
[ $rc -eq 1 ] &&
	echo "$out" | grep -q "^$conf:$line: \[queue support\]: locale sv has no templates ack, reopened, resolved, csat-thanks, agent-notice, fixed of its own" &&
	echo "$out" | grep -q "locale-fallback = sv:en"
tap_ok $? "-n refuses locales = en, sv without Swedish templates, at line $line: $out"

conf=$(tm_config main "" "locales = en, sv, ja, de
locale-fallback = sv:en")
"$TM_CTL" -c "$conf" init >/dev/null
out=$("$TM_BIN" -n -c "$conf" 2>&1)
tap_ok $? "-n accepts sv mapped to English: locale-fallback = sv:en ($(echo "$out" | tr "\n" " "))"

bad=$(tm_config bad "" "locales = en, sv
locale-fallback = sv:nb")
"$TM_CTL" -c "$bad" init >/dev/null
out=$("$TM_BIN" -n -c "$bad" 2>&1)
rc=$?
line=$(grep -n '^locale-fallback = sv:nb$' "$bad" | cut -d: -f1)
[ $rc -eq 1 ] && echo "$out" | grep -q "^$bad:$line: \[queue support\]: locale-fallback sv:nb: neither sv nor nb has the templates ack,"
tap_ok $? "-n refuses a fallback without templates either, at the line of locale-fallback: $out"

# --- the daemon -------------------------------------------------------------
tm_start main
tap_ok $? "daemon starts"
tm_miltertest main locale.lua >"$TM_DIR/locale.out"
tap_ok $? "locale.lua ran to the end"
tap_renumber <"$TM_DIR/locale.out"
for i in $(seq 1 100); do
	[ "$(ls "$TM_DIR/main.sent" 2>/dev/null | wc -l)" -ge 3 ] && break
	sleep 0.1
done

# What a customer reads: Content-Language and the text part, decoded.
read_ack() { # read_ack RECIPIENT
	python3 - "$TM_DIR/main.sent" "$1" <<'PY'
import email, email.policy, glob, sys
for path in sorted(glob.glob(sys.argv[1] + "/*-" + sys.argv[2])):
    m = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
    print("Content-Language:", m.get("Content-Language", ""))
    print(m.get_body(("plain",)).get_content())
PY
}
sv=$(read_ack anders@example.se)
echo "$sv" | grep -q "^Content-Language: en$" && echo "$sv" | grep -q "You’ll hear from us by"
tap_ok $? "sv mapped to en: the English acknowledgement"
promise=$(echo "$sv" | grep "You’ll hear from us by")
echo "$promise" | grep -Eq "by (Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (January|February|March|April|May|June|July|August|September|October|November|December) [0-9]+, 20[0-9][0-9] at [0-9]+:[0-9][0-9][^A-Za-z]*[AP]M" &&
	! echo "$promise" | grep -Eiq "måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag|januari|februari|mars|maj|juni|juli|augusti|oktober| kl\. "
tap_ok $? "... with an English date, not a Swedish one: $promise"

ja=$(read_ack yamada@example.jp)
de=$(read_ack juergen@example.de)
echo "$ja" | grep -q "^Content-Language: ja$" && echo "$ja" | grep -q "本件は上席の.*が直接監督し"
tap_ok $? "ja: the culture default says a senior person oversees the case"
echo "$de" | grep -q "^Content-Language: de$" && echo "$de" | grep -q "bis spätestens" && ! echo "$de" | grep -q "Teamleitung"
tap_ok $? "de: the culture default leaves that out"
tm_stop main
tm_check_clean main
tap_ok $? "daemon main: no sanitizer reports in its log"
tap_done
