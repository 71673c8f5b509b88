/*
 * write_html.c - a report as one self-contained HTML page: inline CSS
 * and SVG, no script, nothing fetched (no fonts, no images), so that it
 * opens the same in any browser, offline, and can be mailed or archived
 * as one file.  Room: report.
 *
 * The headline figures stand against their targets with words as well
 * as colours; each chart has a data table beside it; every string that
 * came from mail or the store is HTML-escaped and isolated (<bdi>), so
 * that an Arabic subject or agent name neither breaks the markup nor
 * reorders the text around it.  Labels are English; dates are in the
 * report's locale.  In a mail the charts are images the message carries
 * (report_write_html_refs), since mail clients show no SVG.
 */
#include "config.h"
#include "report/report_write.h"
#include "report/report_charts.h"
#include "report/report_dates.h"
#include "report/report_text.h"

#include <string.h>

static const char style[] =
	"body{margin:0;padding:24px;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;"
	"color:#1f2328;background:#f6f7f9}"
	"main{max-width:1100px;margin:0 auto}"
	"h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px}h3{font-size:14px;margin:0;font-weight:600}"
	".window{font-size:17px;margin:0}.made{color:#57606a;margin:4px 0 0}"
	".kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}"
	".kpi{background:#fff;border:1px solid #d0d7de;border-left:6px solid #8c959f;border-radius:6px;padding:10px 12px}"
	".kpi .value{font-size:26px;font-weight:700;margin:4px 0}.kpi p{margin:0}.kpi .target,.kpi .basis{color:#57606a;font-size:13px}"
	".kpi .status{font-weight:600;font-size:14px}"
	".kpi.on{border-left-color:#1a7f37}.kpi.on .status{color:#1a7f37}"
	".kpi.near{border-left-color:#bf8700}.kpi.near .status{color:#7d4e00}"
	".kpi.below{border-left-color:#cf222e}.kpi.below .status{color:#a40e26}"
	"figure{margin:0 0 16px;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px;display:flex;flex-wrap:wrap;align-items:flex-start;gap:16px}"
	"figure svg{flex:1 1 560px;max-width:720px;height:auto}figure .data{flex:1 1 260px;overflow-x:auto}"
	"figcaption{flex-basis:100%;font-weight:600}"
	"table{border-collapse:collapse;background:#fff;font-size:13px}"
	"th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:start}td.n,th.n{text-align:end;font-variant-numeric:tabular-nums}"
	"caption{text-align:start;font-weight:600;padding:4px 0}"
	".wide{overflow-x:auto}"
	"svg text{font-size:12px;fill:#1f2328;unicode-bidi:plaintext}svg .axis-title{fill:#57606a}"
	"svg .grid{stroke:#d8dee4;stroke-width:1}svg .axis line{stroke:#57606a}"
	"svg .bar.s0,svg .swatch.bar.s0{fill:#0969da}svg .bar.s1{stroke:#1a7f37;stroke-width:1}"
	"svg .hatch-ground{fill:#dafbe1}svg .hatch-line{stroke:#1a7f37;stroke-width:3}"
	"svg .line{fill:none;stroke-width:2.5}svg .line.s0{stroke:#0969da}svg .line.s1{stroke:#bc4c00;stroke-dasharray:7 4}"
	"svg .point.s0,svg .key.s0{fill:#0969da}svg .point.s1,svg .key.s1{fill:#bc4c00}"
	".muted{color:#57606a}"
	"@media print{body{background:#fff;padding:0}figure,.kpi{break-inside:avoid}}";

static void esc(GString *out, const char *s)
{
	char *e = g_markup_escape_text(s ? s : "", -1);

	g_string_append(out, e);
	g_free(e);
}

/* What came from the store: escaped and isolated. */
static void data(GString *out, const char *s)
{
	g_string_append(out, "<bdi>");
	esc(out, s);
	g_string_append(out, "</bdi>");
}

static const char *status_class(enum report_status s)
{
	switch (s) {
	case REPORT_ON_TARGET: return "on";
	case REPORT_NEAR_TARGET: return "near";
	case REPORT_BELOW_TARGET: return "below";
	default: return "none";
	}
}

static void card(GString *out, const char *name, const char *title, const char *value, const char *target,
		 enum report_status status, const char *basis)
{
	g_string_append_printf(out, "<div class=\"kpi %s\" data-kpi=\"%s\"><h3>", status_class(status), name);
	esc(out, title);
	g_string_append(out, "</h3><p class=\"value\">");
	esc(out, value);
	g_string_append(out, "</p>");
	if (target) {
		g_string_append(out, "<p class=\"target\">target ");
		esc(out, target);
		g_string_append_printf(out, "</p><p class=\"status\">%s</p>", report_status_text(status));
	}
	g_string_append(out, "<p class=\"basis\">");
	esc(out, basis);
	g_string_append(out, "</p></div>");
}

static void headline(const struct report *r, GString *out)
{
	const struct report_figures *f = &r->total;
	char value[32], target[32], basis[64];

	g_string_append(out, "<section aria-labelledby=\"h-headline\"><h2 id=\"h-headline\">Headline</h2><div class=\"kpis\">");
	for (int k = 0; k < REPORT_KPI_COUNT; k++) {
		struct report_kpi_value v = report_kpi(f, k, &r->params.targets);
		report_text_kpi(k, v.has, v.value, value, sizeof value);
		report_text_kpi(k, true, r->params.targets.value[k], target, sizeof target);
		g_snprintf(basis, sizeof basis, "%s%ld %s", v.has ? "" : "no data: ", v.n,
			   k <= REPORT_KPI_RESOLUTION_SLA ? "due" : k == REPORT_KPI_FCR ? "resolved with a reply"
			   : v.n == 1 ? "rating" : "ratings");
		card(out, report_kpi_name(k), report_kpi_title(k), value, target, v.status, basis);
	}
	g_snprintf(value, sizeof value, "%ld", f->opened);
	g_snprintf(basis, sizeof basis, "%ld merged into another", f->merged);
	card(out, "opened", "Tickets opened", value, NULL, REPORT_NO_DATA, basis);
	g_snprintf(value, sizeof value, "%ld", f->resolved);
	g_snprintf(basis, sizeof basis, "%ld reopened", f->reopened);
	card(out, "resolved", "Tickets resolved", value, NULL, REPORT_NO_DATA, basis);
	report_text_hours(f->first_response[REPORT_BUSINESS].n, f->first_response[REPORT_BUSINESS].median, value,
			  sizeof value);
	g_snprintf(basis, sizeof basis, "business hours, %ld tickets", f->first_response[REPORT_BUSINESS].n);
	card(out, "first-response-median", "Median first response", value, NULL, REPORT_NO_DATA, basis);
	report_text_hours(f->resolution[REPORT_BUSINESS].n, f->resolution[REPORT_BUSINESS].median, value, sizeof value);
	g_snprintf(basis, sizeof basis, "business hours, %ld tickets", f->resolution[REPORT_BUSINESS].n);
	card(out, "resolution-median", "Median resolution", value, NULL, REPORT_NO_DATA, basis);
	g_snprintf(value, sizeof value, "%ld", f->backlog_open + f->backlog_pending);
	g_snprintf(basis, sizeof basis, "%ld pending, %ld overdue", f->backlog_pending, f->backlog_overdue);
	card(out, "backlog", "Open now", value, NULL, REPORT_NO_DATA, basis);
	g_string_append(out, "</div></section>");
}

static void chart_table(const struct report_chart *c, GString *out)
{
	g_string_append(out, "<div class=\"data\"><table><caption>");
	esc(out, c->title);
	g_string_append(out, "</caption><thead><tr><th scope=\"col\">Week from</th>");
	for (int k = 0; k < c->n_series; k++) {
		g_string_append(out, "<th scope=\"col\" class=\"n\">");
		esc(out, c->series[k].name);
		g_string_append(out, "</th>");
	}
	g_string_append(out, "</tr></thead><tbody>");
	for (size_t i = 0; i < c->n_points; i++) {
		g_string_append_printf(out, "<tr><th scope=\"row\"><time datetime=\"%s\">", c->days[i]);
		data(out, c->labels[i]);
		g_string_append(out, "</time></th>");
		for (int k = 0; k < c->n_series; k++) {
			g_string_append_printf(out, "<td class=\"n\" data-series=\"%s\">", c->series[k].id);
			if (c->series[k].present[i])
				g_string_append_printf(out, "%g%s", report_round1(c->series[k].values[i]), c->series[k].unit);
			else
				g_string_append(out, "-");
			g_string_append(out, "</td>");
		}
		g_string_append(out, "</tr>");
	}
	g_string_append(out, "</tbody></table></div>");
}

/* A chart as an image of the mail it goes in, the text alternative its
 * description. */
static void chart_img(const struct report_chart *c, const char *cid, GString *out)
{
	g_string_append(out, "<img src=\"cid:");
	esc(out, cid);
	g_string_append_printf(out, "\" width=\"%d\" height=\"%d\" style=\"max-width:100%%;height:auto\" alt=\"",
			       REPORT_CHART_WIDTH, REPORT_CHART_HEIGHT);
	esc(out, c->desc);
	g_string_append(out, "\">");
}

static void charts(const struct report *r, struct report_dates *d, report_chart_ref_fn ref, void *ctx, GString *out)
{
	GPtrArray *list = report_charts(r, d);

	g_string_append(out, "<section aria-labelledby=\"h-weeks\"><h2 id=\"h-weeks\">Week by week</h2>");
	for (guint i = 0; i < list->len; i++) {
		const struct report_chart *c = g_ptr_array_index(list, i);
		g_string_append_printf(out, "<figure id=\"figure-%s\"><figcaption>", c->id);
		esc(out, c->title);
		g_string_append(out, "</figcaption>");
		const char *cid = ref ? ref(ctx, c) : NULL;
		if (cid)
			chart_img(c, cid, out);
		else
			report_chart_svg(c, out);
		chart_table(c, out);
		g_string_append(out, "</figure>");
	}
	g_string_append(out, "</section>");
	g_ptr_array_free(list, TRUE);
}

static const char *const group_columns[] = {
	"Opened", "Resolved", "Reopened", "Median first response (business)", "First response within SLA",
	"Median resolution (business)", "Resolution within SLA", "First-contact resolution", "CSAT satisfied",
	"NPS", "CES", "Open now", "Pending now", "Overdue now",
};

static void group_row(GString *out, const char *key, const struct report_figures *f)
{
	char cells[8][32];

	report_text_hours(f->first_response[REPORT_BUSINESS].n, f->first_response[REPORT_BUSINESS].median, cells[0], 32);
	report_text_percent(f->first_response_kept, f->first_response_due, cells[1], 32);
	report_text_hours(f->resolution[REPORT_BUSINESS].n, f->resolution[REPORT_BUSINESS].median, cells[2], 32);
	report_text_percent(f->resolution_kept, f->resolution_due, cells[3], 32);
	report_text_percent(f->fcr, f->fcr_eligible, cells[4], 32);
	report_text_percent(f->csat_satisfied, f->csat_n, cells[5], 32);
	report_text_kpi(REPORT_KPI_NPS, f->nps_n > 0,
			f->nps_n ? 100.0 * (double)(f->nps_promoters - f->nps_detractors) / (double)f->nps_n : 0,
			cells[6], 32);
	report_text_mean(f->ces_sum, f->ces_n, "", cells[7], 32);
	g_string_append(out, "<tr><th scope=\"row\">");
	data(out, key);
	g_string_append_printf(out, "</th><td class=\"n\">%ld</td><td class=\"n\">%ld</td><td class=\"n\">%ld</td>",
			       f->opened, f->resolved, f->reopened);
	for (int i = 0; i < 8; i++)
		g_string_append_printf(out, "<td class=\"n\">%s</td>", cells[i]);
	g_string_append_printf(out, "<td class=\"n\">%ld</td><td class=\"n\">%ld</td><td class=\"n\">%ld</td></tr>",
			       f->backlog_open, f->backlog_pending, f->backlog_overdue);
}

static void breakdown(const struct report *r, GString *out)
{
	const char *by = report_by_name(r->params.by);

	if (by == NULL)
		return;
	g_string_append_printf(out, "<section aria-labelledby=\"h-by\"><h2 id=\"h-by\">By %s</h2><div class=\"wide\">"
			       "<table id=\"by-%s\"><thead><tr><th scope=\"col\">%c%s</th>", by, by, g_ascii_toupper(by[0]),
			       by + 1);
	for (size_t i = 0; i < G_N_ELEMENTS(group_columns); i++)
		g_string_append_printf(out, "<th scope=\"col\" class=\"n\">%s</th>", group_columns[i]);
	g_string_append(out, "</tr></thead><tbody>");
	for (size_t i = 0; i < r->n_groups; i++)
		group_row(out, r->groups[i].key, &r->groups[i].f);
	g_string_append(out, "</tbody><tfoot>");
	group_row(out, "All", &r->total);
	g_string_append(out, "</tfoot></table></div></section>");
}

static void people_and_backlog(const struct report *r, GString *out)
{
	static const char *const bands[REPORT_AGE_BANDS] = { "under 1 day", "1-3 days", "3-7 days", "7-30 days",
							     "30 days and over" };
	const struct report_figures *f = &r->total;

	g_string_append(out, "<section aria-labelledby=\"h-agents\"><h2 id=\"h-agents\">Agents' load</h2>"
			"<table id=\"agents\"><thead><tr><th scope=\"col\">Agent</th><th scope=\"col\" class=\"n\">"
			"Replies</th><th scope=\"col\" class=\"n\">Tickets replied to</th></tr></thead><tbody>");
	for (size_t i = 0; i < r->n_agents; i++) {
		g_string_append(out, "<tr><th scope=\"row\">");
		data(out, r->agents[i].address);
		g_string_append_printf(out, "</th><td class=\"n\">%ld</td><td class=\"n\">%ld</td></tr>", r->agents[i].replies,
				       r->agents[i].tickets);
	}
	if (r->n_agents == 0)
		g_string_append(out, "<tr><td colspan=\"3\" class=\"muted\">No replies in this window.</td></tr>");
	g_string_append(out, "</tbody></table></section>");
	g_string_append_printf(out, "<section aria-labelledby=\"h-backlog\"><h2 id=\"h-backlog\">Backlog now</h2>"
			       "<table id=\"backlog\"><thead><tr><th scope=\"col\" class=\"n\">Open</th><th scope=\"col\" "
			       "class=\"n\">Pending</th><th scope=\"col\" class=\"n\">Overdue</th>");
	for (int b = 0; b < REPORT_AGE_BANDS; b++)
		g_string_append_printf(out, "<th scope=\"col\" class=\"n\">Age %s</th>", bands[b]);
	g_string_append_printf(out, "</tr></thead><tbody><tr><td class=\"n\">%ld</td><td class=\"n\">%ld</td>"
			       "<td class=\"n\">%ld</td>", f->backlog_open, f->backlog_pending, f->backlog_overdue);
	for (int b = 0; b < REPORT_AGE_BANDS; b++)
		g_string_append_printf(out, "<td class=\"n\">%ld</td>", f->backlog_age[b]);
	g_string_append(out, "</tr></tbody></table></section>");
}

static void overdue(const struct report *r, struct report_dates *d, GString *out)
{
	g_string_append_printf(out, "<section aria-labelledby=\"h-overdue\"><h2 id=\"h-overdue\">Overdue now: %ld</h2>",
			       r->total.backlog_overdue);
	if ((long)r->n_overdue < r->total.backlog_overdue)
		g_string_append_printf(out, "<p class=\"muted\">The %zu most overdue.</p>", r->n_overdue);
	g_string_append(out, "<div class=\"wide\"><table id=\"overdue\"><thead><tr><th scope=\"col\">Ticket</th>"
			"<th scope=\"col\">Due for</th><th scope=\"col\">Due</th><th scope=\"col\">Status</th>"
			"<th scope=\"col\">Priority</th><th scope=\"col\">Assignee</th><th scope=\"col\">Queue</th>"
			"<th scope=\"col\">Subject</th></tr></thead><tbody>");
	for (size_t i = 0; i < r->n_overdue; i++) {
		const struct report_overdue *o = &r->overdue[i];
		char *due = report_dates_time(d, o->due);
		GDateTime *when = g_date_time_new_from_unix_utc(o->due);
		char *iso = g_date_time_format(when, "%Y-%m-%dT%H:%M:%SZ");

		g_string_append(out, "<tr><th scope=\"row\">");
		data(out, o->ticket);
		g_string_append_printf(out, "</th><td>%s</td><td><time datetime=\"%s\">", o->what, iso);
		data(out, due);
		g_string_append(out, "</time></td><td>");
		data(out, o->status);
		g_string_append(out, "</td><td>");
		data(out, o->priority);
		g_string_append(out, "</td><td>");
		data(out, o->assignee ? o->assignee : "(none)");
		g_string_append(out, "</td><td>");
		data(out, o->queue);
		g_string_append(out, "</td><td dir=\"auto\">");
		data(out, o->subject);
		g_string_append(out, "</td></tr>");
		g_free(iso);
		g_date_time_unref(when);
		g_free(due);
	}
	if (r->n_overdue == 0)
		g_string_append(out, "<tr><td colspan=\"8\" class=\"muted\">Nothing is overdue.</td></tr>");
	g_string_append(out, "</tbody></table></div></section>");
}

void report_write_html(const struct report *r, GString *out)
{
	report_write_html_refs(r, NULL, NULL, out);
}

void report_write_html_refs(const struct report *r, report_chart_ref_fn ref, void *ctx, GString *out)
{
	struct report_dates *d = report_dates_new(r->params.locale, r->params.zone);
	char *since = report_dates_day(d, r->params.since), *until = report_dates_day(d, r->params.until - 1);
	char *made = report_dates_time(d, r->params.now);

	g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\"><head><meta charset=\"utf-8\">"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
			"<meta name=\"generator\" content=\"ticket-milter\"><title>Service report, ");
	esc(out, since);
	g_string_append(out, " to ");
	esc(out, until);
	g_string_append_printf(out, "</title><style>%s</style></head><body><main><header><h1>Service report</h1>"
			       "<p class=\"window\">", style);
	data(out, since);
	g_string_append(out, " to ");
	data(out, until);
	g_string_append(out, " (");
	esc(out, r->params.zone);
	g_string_append(out, ")");
	if (r->params.by)
		g_string_append_printf(out, ", by %s", report_by_name(r->params.by));
	g_string_append(out, "</p><p class=\"made\">Made ");
	data(out, made);
	g_string_append(out, ". Times leave out time pending (waiting for the customer); each figure is defined in "
			"ticketctl(8).</p></header>");
	headline(r, out);
	charts(r, d, ref, ctx, out);
	breakdown(r, out);
	people_and_backlog(r, out);
	overdue(r, d, out);
	g_string_append(out, "</main></body></html>\n");
	g_free(since);
	g_free(until);
	g_free(made);
	report_dates_free(d);
}

bool report_format_parse(const char *name, enum report_format *format)
{
	static const char *const names[] = { "text", "json", "csv", "html" };

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_strcmp0(name, names[i]) == 0) {
			*format = (enum report_format)i;
			return true;
		}
	return false;
}
