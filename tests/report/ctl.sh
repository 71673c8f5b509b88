#!/bin/bash
# ctl.sh - `ticketctl report` on the report's test store
# (tests/unit/report_store.c, written by tests/report/report_fixture):
# each format, the window's days (the last one included), -o (0600),
# --target, and usage errors (exit 2, one line saying what is wrong).
. "$top_srcdir/tests/lib/common.sh"

tm_scratch
trap 'rm -rf "$TM_DIR"' EXIT
"$top_builddir/tests/report/report_fixture" "$TM_DIR" >"$TM_DIR/fixture.log" 2>&1
tap_ok $? "the test store is made"
report() { "$TM_CTL" -c "$TM_DIR/ticket-milter.conf" report --since 2026-03-02 --until 2026-03-15 "$@"; }

out=$(report --by queue)
tap_ok $? "text: exit 0"
echo "$out" | grep -q '^ticket-milter report: Mar 2, 2026 to Mar 15, 2026 (UTC), by queue$'
tap_ok $? "text: the window, the last day included"
echo "$out" | grep -q '^  First response within SLA                75.0 %     90.0 %  below target (8)$'
tap_ok $? "text: the headline with its unit, target and status"

report --by agent --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["schema"] == "ticket-milter-report/1" and d["by"] == "agent"
assert d["total"]["opened"] == 9 and d["window"]["until"] == "2026-03-16T00:00:00Z"
assert [a["address"] for a in d["agents"]][:2] == ["alice@example.com", "bob@example.com"]'
tap_ok $? "json: the schema, the figures, the agents"

report --format csv --by locale -o "$TM_DIR/r.csv"
tap_ok $? "csv -o FILE: exit 0"
[ "$(stat -c %a "$TM_DIR/r.csv")" = 600 ]
tap_ok $? "the file is created 0600 (it names customers' subjects and addresses)"
python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0][:3] == ["row", "key", "opened"] and rows[1][:3] == ["total", "", "9"]
assert {r[1] for r in rows if r[0] == "locale"} == {"ar", "de", "en", "tr"}
assert len({len(r) for r in rows}) == 1' "$TM_DIR/r.csv"
tap_ok $? "csv: a header, the total, a row per locale, the same columns"

report --format html --target first-response-sla=70 -o "$TM_DIR/r.html"
grep -q '<div class="kpi on" data-kpi="first-response-sla">' "$TM_DIR/r.html"
tap_ok $? "--target first-response-sla=70: 75.0 % is on target"

"$TM_CTL" -c "$TM_DIR/ticket-milter.conf" report --since 2026-03-02T09:00:00Z --until 2026-03-02T12:00:00Z --format json |
	python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["total"]["opened"] == 1, d["total"]["opened"]'
tap_ok $? "ISO 8601 times: 09:00 to 12:00 on 2 March holds T1 only"

for bad in "--by nope" "--format pdf" "--since 2026-13-01" "--target speed=1" "--zone Mars/Olympus" "--until"; do
	# shellcheck disable=SC2086 # the words of each case on purpose
	"$TM_CTL" -c "$TM_DIR/ticket-milter.conf" report $bad >"$TM_DIR/out" 2>"$TM_DIR/err"
	rc=$?
	[ $rc = 2 ] && [ ! -s "$TM_DIR/out" ] && [ "$(wc -l <"$TM_DIR/err")" -ge 1 ]
	tap_ok $? "report $bad: exit 2 and a line on stderr ($(head -n1 "$TM_DIR/err"))"
done
"$TM_CTL" -c "$TM_DIR/ticket-milter.conf" report --since 2026-03-15 --until 2026-03-02 >/dev/null 2>"$TM_DIR/err"
[ $? = 1 ] && grep -q "empty" "$TM_DIR/err"
tap_ok $? "a window that ends before it starts: exit 1, said so"

tap_done
