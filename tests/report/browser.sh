#!/bin/bash
# browser.sh - the HTML report in a real browser: Debian's chromium,
# headless, opens the report of the test store with known figures
# (tests/unit/report_store.c, through tests/report/report_fixture) from a
# file:// URL.  The DOM it rendered must show the headline figures and
# bars whose heights are the store's counts on the chart's scale; the
# browser may log no console error (the page has no script: an error is
# markup it could not take), and a screenshot is kept beside this
# test's log (tests/report/browser.png) as an artifact.  Installs
# chromium when it is missing and it can (root, apt-get); skips only
# when no browser can be had.  Every browser run is bounded by a timeout.
. "$top_srcdir/tests/lib/common.sh"

BROWSER_TIMEOUT=90
ARTIFACT="$top_builddir/tests/report/browser.png"

find_browser() {
	local b
	for b in chromium chromium-browser google-chrome; do
		command -v "$b" >/dev/null 2>&1 && { command -v "$b"; return 0; }
	done
	return 1
}

BROWSER=$(find_browser)
if [ -z "$BROWSER" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		tap_diag "chromium is missing: apt-get install -y chromium"
		DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q chromium >/dev/null 2>&1
		BROWSER=$(find_browser)
	fi
	[ -n "$BROWSER" ] || tap_skip_all "no browser: chromium is not installed and could not be" \
		"(apt-get install -y chromium needs root and the Debian archive)"
fi
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is missing (it reads the rendered DOM)"

tm_scratch
trap 'rm -rf "$TM_DIR"' EXIT
"$top_builddir/tests/report/report_fixture" "$TM_DIR" >"$TM_DIR/fixture.log" 2>&1
tap_ok $? "the test store is made"
"$TM_CTL" -c "$TM_DIR/ticket-milter.conf" report --since 2026-03-02 --until 2026-03-15 --by queue --format html \
	-o "$TM_DIR/report.html"
tap_ok $? "ticketctl report --format html writes the page"

# browse ARGS...: one headless run on the page, its stderr kept.
browse() {
	timeout "$BROWSER_TIMEOUT" "$BROWSER" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$TM_DIR/profile" --enable-logging=stderr --v=0 "$@" "file://$TM_DIR/report.html"
}

browse --dump-dom >"$TM_DIR/dom.html" 2>"$TM_DIR/dump.log"
tap_ok $? "$(basename "$BROWSER") renders it headless within ${BROWSER_TIMEOUT}s (--dump-dom)"
rm -f "$ARTIFACT"
mkdir -p "$(dirname "$ARTIFACT")"
browse --window-size=1280,2600 --hide-scrollbars --screenshot="$ARTIFACT" >/dev/null 2>"$TM_DIR/shot.log"
[ -s "$ARTIFACT" ] && [ "$(head -c 8 "$ARTIFACT" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
tap_ok $? "a screenshot is kept: ${ARTIFACT#"$top_builddir"/}"

# Console messages are logged as "...:INFO:CONSOLE:LINE] "message", source:
# URL (LINE)" whatever their level (console.error too): a page without
# script logs none, so any is an error.
! grep -q ':CONSOLE' "$TM_DIR/dump.log" "$TM_DIR/shot.log"
tap_ok $? "no console error (no console message at all)"
grep -h 'CONSOLE' "$TM_DIR/dump.log" "$TM_DIR/shot.log" | head -n 5 | while IFS= read -r line; do tap_diag "$line"; done

# The rendered DOM against the store's figures (test_report.c derives them).
python3 - "$TM_DIR/dom.html" >"$TM_DIR/checks.txt" 2>&1 <<'PY' 
import sys
from html.parser import HTMLParser

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.kpis, self.stack, self.bars, self.plots, self.scripts, self.text = {}, [], [], [], 0, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "div" and "data-kpi" in a:
            self.kpis[a["data-kpi"]] = {"class": a.get("class", ""), "text": []}
            self.stack.append(a["data-kpi"])
        elif tag == "div" and self.stack:
            self.stack.append(None)
        if tag == "g" and a.get("class") == "plot":
            self.plots.append(a)
        if tag == "rect" and "bar" in a.get("class", "").split() and "data-value" in a:
            self.bars.append((len(self.plots) - 1, a))
    def handle_endtag(self, tag):
        if tag == "div" and self.stack:
            self.stack.pop()
    def handle_data(self, data):
        self.text.append(data)
        if self.stack and self.stack[-1]:
            self.kpis[self.stack[-1]]["text"].append(data)

page = Page()
page.feed(open(sys.argv[1], encoding="utf-8").read())

def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)

def kpi(name, value, status=None):
    k = page.kpis.get(name)
    text = " ".join(k["text"]) if k else ""
    check(k is not None and value in text and (status is None or status in text),
          "headline %s shows %s%s (%s)" % (name, value, ", " + status if status else "", text.strip()[:80]))

check(page.scripts == 0, "the rendered page holds no script")
kpi("first-response-sla", "75.0 %", "below target")
kpi("resolution-sla", "57.1 %", "below target")
kpi("fcr", "40.0 %", "below target")
kpi("csat", "50.0 %", "below target")
kpi("nps", "0.0", "below target")
kpi("ces", "6.0 / 7", "on target")
kpi("opened", "9")
kpi("resolved", "5")
kpi("first-response-median", "1.0 h")
check("kpi on" in page.kpis.get("ces", {}).get("class", "") and "kpi below" in page.kpis.get("fcr", {}).get("class", ""),
      "status as a class (colour) besides the words")

# Bars: the store's counts, each bar's height its value on the plot's scale.
want = {("opened", "2026-03-02"): 6, ("resolved", "2026-03-02"): 4, ("opened", "2026-03-09"): 3,
        ("resolved", "2026-03-09"): 1}
volume = [(p, a) for p, a in page.bars if page.plots[p].get("data-y-max")]
check(len(volume) == 4, "four bars: opened and resolved in two weeks (%d)" % len(volume))
for p, a in volume:
    plot = page.plots[p]
    scale = float(plot["data-plot-height"]) / (float(plot["data-y-max"]) - float(plot["data-y-min"]))
    key = (a["data-series"], a["data-week"])
    expected = want.get(key)
    height, y = float(a["height"]), float(a["y"])
    bottom = float(plot["data-plot-top"]) + float(plot["data-plot-height"])
    check(expected is not None and float(a["data-value"]) == expected and abs(height - expected * scale) < 0.01
          and abs(y + height - bottom) < 0.01,
          "%s in the week of %s: %s tickets, %.2f px high on %.2f px per ticket, standing on the axis"
          % (key[0], key[1], expected, height, scale))
text = "".join(page.text)
check("الطابعة لا تعمل" in text and "<script>alert(1)</script>" in text,
      "subjects from mail shown as text: Arabic, and markup as letters")
PY
status=$?
tap_renumber <"$TM_DIR/checks.txt"
tap_ok $status "the rendered DOM was read"

tap_done
