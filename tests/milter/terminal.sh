#!/bin/bash
# terminal.sh - what ticketctl prints comes from mail.  A message through
# the real daemon whose sender name, subject and body carry ESC sequences,
# BEL, U+0085 (NEL, a C1 control) and U+202E (RIGHT-TO-LEFT OVERRIDE):
# the text of show, list and search holds none of those raw bytes but
# visible escapes (\u0085, \u202E); --json gives the stored text exactly.
# The engine already turns C0 controls such as ESC into spaces before they
# are stored; a store written otherwise (an older version, another front
# end, a hand edit) may hold them, so one subject is given an ESC sequence
# in SQLite directly as well.
. "$top_srcdir/tests/lib/common.sh"

command -v miltertest >/dev/null || tap_skip_all "miltertest not installed (apt-get install miltertest)"
command -v python3 >/dev/null || tap_skip_all "python3 not installed"
tm_scratch
trap tm_cleanup EXIT

conf=$(tm_config main)
db=$TM_DIR/main.db
tm_start main
tap_ok $? "the daemon starts"
tm_miltertest main terminal.lua >"$TM_DIR/terminal.out"
tap_ok $? "terminal.lua ran to the end"
tap_renumber <"$TM_DIR/terminal.out"

# shown OUTPUT-FILE ESCAPE...: none of the raw bytes a terminal acts on,
# and every ESCAPE given, literally.
shown() {
	python3 - "$@" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
raw = [b for b in (b"\x1b", b"\x07", b"\xc2\x85", b"\xe2\x80\xae") if b in data]
missing = [e for e in sys.argv[2:] if e.encode() not in data]
if raw or missing:
    print("# raw bytes: %r; escapes missing: %r" % (raw, missing))
    sys.exit(1)
PY
}
show_text() { "$TM_CTL" -c "$conf" show SUP-1001 >"$TM_DIR/show.txt" 2>&1; }

show_text
shown "$TM_DIR/show.txt" '\u0085 due \u202Efdp.exe' 'customer Eve\u202Egnp.exe <eve@example.org>' \
	'line\u0085next \u202Etxt.exe'
tap_ok $? "show: subject, customer name and excerpt with \\u0085 and \\u202E, no raw C1 control or override"
tap_diag "$(cat -v "$TM_DIR/show.txt" | head -8)"
"$TM_CTL" -c "$conf" list >"$TM_DIR/list.txt" 2>&1
shown "$TM_DIR/list.txt" '\u0085 due \u202Efdp.exe'
tap_ok $? "list: the same subject escaped"
for i in $(seq 1 50); do
	"$TM_CTL" -c "$conf" search Invoice >"$TM_DIR/search.txt" 2>&1
	grep -q SUP-1001 "$TM_DIR/search.txt" && break
	sleep 0.2
done
grep -q SUP-1001 "$TM_DIR/search.txt" && shown "$TM_DIR/search.txt" '\u0085 due \u202Efdp.exe'
tap_ok $? "search: the same subject escaped"

# json_exact: show --json decoded is what the store holds, byte for byte.
json_exact() {
	"$TM_CTL" -c "$conf" show SUP-1001 --json >"$TM_DIR/show.json" &&
		python3 - "$TM_DIR/show.json" "$db" <<'PY'
import json, sqlite3, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
subject, name = db.execute("SELECT t.subject, c.name FROM tickets t JOIN customers c ON c.id = t.customer_id"
                           " WHERE t.tag = 'SUP' AND t.number = 1001").fetchone()
msg = db.execute("SELECT subject, excerpt FROM messages WHERE message_id = 'term1@example.org'").fetchone()
got = (doc["subject"], doc["customer_name"], doc["messages"][0]["subject"], doc["messages"][0]["excerpt"])
want = (subject, name, msg[0], msg[1])
if got != want or "\u202e" not in doc["subject"] or "\x85" not in doc["subject"]:
    print("# got  %r\n# want %r" % (got, want))
    sys.exit(1)
PY
}
json_exact
tap_ok $? "show --json: subject, name, message subject and excerpt exactly as stored (U+0085, U+202E included)"

# A stored ESC sequence and BEL, as another writer could leave them.
python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA busy_timeout = 5000")
db.execute("UPDATE tickets SET subject = subject || ' ' || char(27) || ']0;owned' || char(7) || char(27) || '[2J'"
           " WHERE tag = 'SUP' AND number = 1001")
db.commit()
PY
show_text
shown "$TM_DIR/show.txt" 'fdp.exe \x1b]0;owned\x07\x1b[2J'
tap_ok $? "show: a stored ESC sequence and BEL are printed as \\x1b and \\x07"
"$TM_CTL" -c "$conf" list >"$TM_DIR/list.txt" 2>&1
shown "$TM_DIR/list.txt" 'fdp.exe \x1b]0;owned\x07\x1b[2J'
tap_ok $? "list: the same"
json_exact && grep -q '\\u001b\]0;owned\\u0007\\u001b\[2J' "$TM_DIR/show.json"
tap_ok $? "show --json: the same subject, exact, with JSON's own escapes"

tm_stop main
tm_check_clean main
tap_ok $? "no sanitizer reports in the daemon's log"
printf '# reliability\t%s\t%s\t-\t-\t-\t0\t0\t-\n' "control and bidi characters in ticketctl" \
	"ESC, U+0085, U+202E in From, Subject, text: escaped in show, list, search; --json exact ($((TAP_N - TAP_FAILED)) of $TAP_N checks passed)"
tap_done
