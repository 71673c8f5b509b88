/* test_report_write.c - the report's writers on the store with known
 * answers (report_store.c): text with units and the caller's escaping,
 * JSON of the documented schema, CSV by RFC 4180, and HTML that is one
 * self-contained page (no script, nothing fetched), escapes what came
 * from mail, isolates it for right-to-left text, and draws bars of the
 * store's heights; dates in the chosen locale. */
#include "config.h"
#include "tap.h"
#include "json_read.h"
#include "report_store.h"
#include "report/report.h"
#include "report/report_write.h"

#include <math.h>
#include <stdlib.h>

static struct settings *s;
static struct store *st;

static struct report *make(enum report_by by, const char *locale)
{
	struct report_params p = { .since = REPORT_STORE_SINCE, .until = REPORT_STORE_UNTIL, .now = REPORT_STORE_NOW,
				   .by = by, .zone = "UTC", .locale = locale };
	char *error = NULL;
	struct report *r;

	report_targets_default(&p.targets);
	if ((r = report_compute(st, s, &p, &error)) == NULL) {
		printf("Bail out! %s\n", error);
		exit(1);
	}
	return r;
}

static const char *marked(GPtrArray *held, const char *text)
{
	if (strchr(text, '<') == NULL)
		return text;
	g_ptr_array_add(held, g_strdup("[escaped]"));
	return g_ptr_array_index(held, held->len - 1);
}

static void check_text(void)
{
	struct report *r = make(REPORT_BY_QUEUE, "en");
	GString *out = g_string_new(NULL);

	report_write_text(r, marked, out);
	ok(strstr(out->str, "ticket-milter report: Mar 2, 2026 to Mar 15, 2026 (UTC), by queue") != NULL,
	   "text: the window in words, the last day included");
	ok(strstr(out->str, "First response within SLA                75.0 %     90.0 %  below target (8)") != NULL,
	   "the headline with value, target, status and basis");
	ok(strstr(out->str, "first response, wall-clock           1.0 h    66.0 h    16.1 h        7") != NULL,
	   "times aligned, in hours");
	ok(strstr(out->str, "[escaped]") && !strstr(out->str, "<script>"), "subjects pass through the caller's escaper");
	ok(strstr(out->str, "  billing ") && strstr(out->str, "  support "), "a row per queue");
	g_string_free(out, TRUE);
	report_free(r);
}

static double number_at(const struct jnode *root, const char *const *path)
{
	const struct jnode *n = root;

	for (; n && *path; path++)
		n = g_ascii_isdigit(**path) ? json_at(n, (guint)atoi(*path)) : json_get(n, *path);
	return n && n->type == J_NUMBER ? n->number : NAN;
}

static void check_json(void)
{
	struct report *r = make(REPORT_BY_QUEUE, "en");
	GString *out = g_string_new(NULL);
	struct jnode *root;

	report_write_json(r, out);
	root = json_read(out->str, out->len);
	ok(root != NULL, "JSON: parses");
	if (root == NULL) {
		g_string_free(out, TRUE);
		report_free(r);
		return;
	}
	is_str(json_str(root, "schema"), "ticket-milter-report/1", "schema named");
	is_str(json_str(json_get(root, "window"), "since"), "2026-03-02T00:00:00Z", "window since, UTC");
	is_str(json_str(json_get(root, "window"), "until"), "2026-03-16T00:00:00Z", "until, exclusive");
	is_str(json_str(root, "by"), "queue", "by queue");
	ok(number_at(root, (const char *[]){ "total", "opened", NULL }) == 9, "total opened 9");
	ok(number_at(root, (const char *[]){ "total", "first_response", "wall_clock", "p90_seconds", NULL }) == 66 * 3600,
	   "first response p90 wall-clock in seconds");
	ok(fabs(number_at(root, (const char *[]){ "total", "resolution_sla", "percent", NULL }) - 400.0 / 7) < 1e-6,
	   "resolution SLA percent");
	ok(number_at(root, (const char *[]){ "total", "nps", "score", NULL }) == 0, "nps score 0");
	ok(number_at(root, (const char *[]){ "groups", "0", "figures", "opened", NULL }) == 1 &&
	   g_strcmp0(json_str(json_at(json_get(root, "groups"), 0), "key"), "billing") == 0, "groups: billing first");
	ok(json_get(json_get(json_at(json_get(root, "groups"), 0), "figures"), "csat") &&
	   json_get(json_get(json_get(json_at(json_get(root, "groups"), 0), "figures"), "csat"), "mean")->type == J_NULL,
	   "billing's csat mean: null, no data");
	ok(number_at(root, (const char *[]){ "weeks", "1", "figures", "opened", NULL }) == 3, "week 2 opened 3");
	ok(json_get(json_get(json_at(json_get(root, "weeks"), 0), "figures"), "backlog") == NULL, "weeks have no backlog");
	is_str(json_str(json_at(json_get(root, "overdue"), 0), "subject"),
	       "<b>Printer & \"fax\"</b> <script>alert(1)</script>", "subjects exactly as stored");
	is_str(json_str(json_at(json_get(root, "headline"), 0), "status"), "below target", "headline status");
	json_free(root);
	g_string_free(out, TRUE);
	report_free(r);
}

static void check_csv(void)
{
	struct report *r;
	GString *out = g_string_new(NULL);
	char **lines;
	bool widths = true;
	int columns;

	/* Tiers an agent typed: a comma and quotes, and a formula. */
	ok(store_customer_set_tier(st, "ben@example.org", "gold, \"EU\"") == 0 &&
	   store_customer_set_tier(st, "gus@example.org", "=HYPERLINK(\"x\")") == 0, "(tiers with a comma and a formula)");
	r = make(REPORT_BY_TIER, "en");
	report_write_csv(r, out);
	ok(g_str_has_suffix(out->str, "\r\n") && !strstr(out->str, "\r\n\n") && strchr(out->str, '\n')[-1] == '\r',
	   "CSV: CRLF line ends");
	lines = g_strsplit(out->str, "\r\n", -1);
	ok(g_str_has_prefix(lines[0], "row,key,opened,merged,resolved,reopened,"), "a header line");
	{
		char **names = g_strsplit(lines[0], ",", -1);
		columns = (int)g_strv_length(names);
		g_strfreev(names);
	}
	is_int(g_strv_length(lines), 1 + 1 + r->n_groups + r->n_weeks + 1, "header, total, a row per group and per week");
	ok(strstr(out->str, "\r\ntier,\"gold, \"\"EU\"\"\",1,") != NULL, "a field with a comma and quotes is quoted, quotes doubled");
	ok(strstr(out->str, "\r\ntier,\"'=HYPERLINK(\"\"x\"\")\",") != NULL, "a formula is not a formula");
	ok(strstr(out->str, "\r\ntotal,,9,1,5,1,1.00,2.00,1.29,1.00,66.00,16.14,5.00,16.00,7.20,5.00,72.00,26.40,8,6,75.00,") != NULL,
	   "the total row, durations in hours");
	ok(strstr(out->str, "\r\nweek,2026-03-09,3,0,1,0,") != NULL, "a week row by its first day");
	for (char **l = lines + 1; *l && **l; l++) {
		/* count fields outside quotes */
		int n = 1;
		bool quoted = false;
		for (const char *p = *l; *p; p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == ',' && !quoted)
				n++;
		}
		widths = widths && n == columns;
	}
	ok(widths, "every row has the header's %d columns", columns);
	g_strfreev(lines);
	g_string_free(out, TRUE);
	report_free(r);
	store_customer_set_tier(st, "ben@example.org", NULL);
	store_customer_set_tier(st, "gus@example.org", NULL);
}

static void check_html(void)
{
	struct report *r = make(REPORT_BY_QUEUE, "en");
	GString *out = g_string_new(NULL);
	const char *p;
	bool outside = false;

	report_write_html(r, out);
	ok(g_str_has_prefix(out->str, "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">"), "HTML: one page");
	ok(!strstr(out->str, "<script") && !strstr(out->str, "<link") && !strstr(out->str, "<img") &&
	   !strstr(out->str, "@import") && !strstr(out->str, "@font-face") && !strstr(out->str, " src="),
	   "no script, no link, no image, no font: nothing fetched");
	for (p = out->str; (p = strstr(p, "http")) != NULL; p++)
		outside = outside || !g_str_has_prefix(p, "http://www.w3.org/2000/svg\"");
	ok(!outside, "no address but the SVG namespace");
	ok(strstr(out->str, "<bdi>&lt;b&gt;Printer &amp; &quot;fax&quot;&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</bdi>") != NULL,
	   "a subject from mail is escaped");
	ok(strstr(out->str, "<td dir=\"auto\"><bdi>الطابعة لا تعمل</bdi></td>") != NULL, "an Arabic subject is isolated");
	ok(strstr(out->str, "<div class=\"kpi below\" data-kpi=\"first-response-sla\"><h3>First response within SLA</h3>"
			    "<p class=\"value\">75.0 %</p><p class=\"target\">target 90.0 %</p><p class=\"status\">below target</p>") != NULL,
	   "a headline: value, target and status in words");
	ok(strstr(out->str, "<div class=\"kpi on\" data-kpi=\"ces\">") != NULL, "CES on target");
	ok(strstr(out->str, "data-y-max=\"6\" data-plot-top=\"20\" data-plot-height=\"216\"") != NULL, "the volume axis up to 6");
	ok(strstr(out->str, "data-series=\"opened\" data-week=\"2026-03-02\" data-value=\"6\" x=\"") &&
	   strstr(out->str, "width=\"126.40\" height=\"216.00\">"), "week 1: 6 opened, the whole plot high");
	ok(strstr(out->str, "data-series=\"resolved\" data-week=\"2026-03-09\" data-value=\"1\" x=\"") &&
	   strstr(out->str, "height=\"36.00\"><title>Resolved, week from Mar 9: 1</title>"), "week 2: 1 resolved, a sixth");
	ok(strstr(out->str, "<title id=\"chart-volume-title\">Tickets opened and resolved by week</title><desc id=\"chart-volume-desc\">") != NULL,
	   "charts have a title and a description");
	ok(strstr(out->str, "<table id=\"by-queue\">") && strstr(out->str, "<table id=\"overdue\">") &&
	   strstr(out->str, "<table id=\"agents\">"), "tables: by queue, agents, overdue");
	g_string_free(out, TRUE);
	report_free(r);

	r = make(REPORT_BY_NONE, "de");
	out = g_string_new(NULL);
	report_write_html(r, out);
	ok(strstr(out->str, "<bdi>2. März 2026</bdi> to <bdi>15. März 2026</bdi>") != NULL, "--locale de: German dates");
	ok(!strstr(out->str, "id=\"by-"), "no breakdown: no breakdown table");
	g_string_free(out, TRUE);
	report_free(r);
	r = make(REPORT_BY_NONE, "ar");
	out = g_string_new(NULL);
	report_write_html(r, out);
	ok(strstr(out->str, "مارس") != NULL, "--locale ar: Arabic month names, isolated in <bdi>");
	g_string_free(out, TRUE);
	report_free(r);
}

int main(void)
{
	char *dir = g_dir_make_tmp("tm-report-XXXXXX", NULL), *cmd;
	enum report_format format;

	if ((s = report_store_create(dir, &st)) == NULL) {
		printf("Bail out! the test store could not be made\n");
		return 1;
	}
	ok(report_format_parse("csv", &format) && format == REPORT_CSV && !report_format_parse("pdf", &format),
	   "formats: text, json, csv, html");
	check_text();
	check_json();
	check_csv();
	check_html();
	store_close(st);
	settings_unref(s);
	cmd = g_strdup_printf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	g_free(cmd);
	g_free(dir);
	return tap_done();
}
