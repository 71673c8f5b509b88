/*
 * write_json.c - a report as one JSON document, schema
 * "ticket-milter-report/1" (documented in ticketctl(8), REPORT JSON):
 * the window, the targets and headline, the figures in total, per group
 * and per week, the agents and the overdue tickets.  Durations are in
 * seconds, times ISO 8601 in UTC, percentages 0 to 100; a figure
 * without data is null.  Room: report.
 */
#include "config.h"
#include "report/report_write.h"
#include "report/report_dates.h"
#include "util/json.h"

#include <stdio.h>

#define JSON_SCHEMA "ticket-milter-report/1"

static const char *const age_names[REPORT_AGE_BANDS] = { "under_1d", "1d_to_3d", "3d_to_7d", "7d_to_30d", "30d_and_over" };

/* "key": after a comma, unless it opens an object. */
static void key(GString *out, const char *name)
{
	json_append_key(out, name, out->len == 0 || out->str[out->len - 1] == '{');
}

static void text(GString *out, const char *name, const char *value)
{
	key(out, name);
	json_append_string(out, value);
}

static void number(GString *out, const char *name, double v, bool has)
{
	key(out, name);
	if (has)
		g_string_append_printf(out, "%.10g", v);
	else
		g_string_append(out, "null");
}

static void count(GString *out, const char *name, long v)
{
	key(out, name);
	g_string_append_printf(out, "%ld", v);
}

static void time_member(GString *out, const char *name, int64_t t)
{
	GDateTime *d = g_date_time_new_from_unix_utc(t);
	char *iso = g_date_time_format(d, "%Y-%m-%dT%H:%M:%SZ");

	text(out, name, iso);
	g_free(iso);
	g_date_time_unref(d);
}

static void duration(GString *out, const char *name, const struct report_duration *d)
{
	key(out, name);
	g_string_append_c(out, '{');
	count(out, "count", d->n);
	number(out, "median_seconds", d->median, d->n > 0);
	number(out, "p90_seconds", d->p90, d->n > 0);
	number(out, "mean_seconds", d->mean, d->n > 0);
	g_string_append_c(out, '}');
}

static void clocks(GString *out, const char *name, const struct report_duration *d)
{
	key(out, name);
	g_string_append_c(out, '{');
	duration(out, "business", &d[REPORT_BUSINESS]);
	duration(out, "wall_clock", &d[REPORT_WALL]);
	g_string_append_c(out, '}');
}

static void part(GString *out, const char *name, const char *whole_name, long whole, const char *part_name, long p)
{
	key(out, name);
	g_string_append_c(out, '{');
	count(out, whole_name, whole);
	count(out, part_name, p);
	number(out, "percent", report_percent(p, whole), whole > 0);
	g_string_append_c(out, '}');
}

static void figures(GString *out, const char *name, const struct report_figures *f, bool with_backlog)
{
	key(out, name);
	g_string_append_c(out, '{');
	count(out, "opened", f->opened);
	count(out, "merged", f->merged);
	count(out, "resolved", f->resolved);
	count(out, "reopened", f->reopened);
	clocks(out, "first_response", f->first_response);
	clocks(out, "resolution", f->resolution);
	part(out, "first_response_sla", "due", f->first_response_due, "kept", f->first_response_kept);
	part(out, "resolution_sla", "due", f->resolution_due, "kept", f->resolution_kept);
	part(out, "first_contact_resolution", "resolved_with_reply", f->fcr_eligible, "first_contact", f->fcr);
	part(out, "survey_response", "resolved", f->resolved, "rated", f->rated);
	key(out, "csat");
	g_string_append_c(out, '{');
	count(out, "count", f->csat_n);
	number(out, "mean", f->csat_n ? (double)f->csat_sum / (double)f->csat_n : 0, f->csat_n > 0);
	count(out, "satisfied", f->csat_satisfied);
	number(out, "satisfied_percent", report_percent(f->csat_satisfied, f->csat_n), f->csat_n > 0);
	g_string_append(out, "}");
	key(out, "nps");
	g_string_append_c(out, '{');
	count(out, "count", f->nps_n);
	count(out, "promoters", f->nps_promoters);
	count(out, "detractors", f->nps_detractors);
	number(out, "score", f->nps_n ? 100.0 * (double)(f->nps_promoters - f->nps_detractors) / (double)f->nps_n : 0,
	       f->nps_n > 0);
	g_string_append(out, "}");
	key(out, "ces");
	g_string_append_c(out, '{');
	count(out, "count", f->ces_n);
	number(out, "mean", f->ces_n ? (double)f->ces_sum / (double)f->ces_n : 0, f->ces_n > 0);
	g_string_append(out, "}");
	count(out, "replies", f->replies);
	count(out, "replied_tickets", f->replied_tickets);
	if (with_backlog) {
		key(out, "backlog");
		g_string_append_c(out, '{');
		count(out, "open", f->backlog_open);
		count(out, "pending", f->backlog_pending);
		count(out, "overdue", f->backlog_overdue);
		key(out, "age");
		g_string_append_c(out, '{');
		for (int b = 0; b < REPORT_AGE_BANDS; b++)
			count(out, age_names[b], f->backlog_age[b]);
		g_string_append(out, "}}");
	}
	g_string_append_c(out, '}');
}

static void headline(GString *out, const struct report *r)
{
	key(out, "headline");
	g_string_append_c(out, '[');
	for (int k = 0; k < REPORT_KPI_COUNT; k++) {
		struct report_kpi_value v = report_kpi(&r->total, k, &r->params.targets);
		g_string_append(out, k ? ",{" : "{");
		text(out, "name", report_kpi_name(k));
		text(out, "title", report_kpi_title(k));
		number(out, "value", v.value, v.has);
		number(out, "target", r->params.targets.value[k], true);
		count(out, "count", v.n);
		text(out, "status", report_status_text(v.status));
		g_string_append_c(out, '}');
	}
	g_string_append_c(out, ']');
}

static void lists(GString *out, const struct report *r)
{
	key(out, "groups");
	g_string_append_c(out, '[');
	for (size_t i = 0; i < r->n_groups; i++) {
		g_string_append(out, i ? ",{" : "{");
		text(out, "key", r->groups[i].key);
		figures(out, "figures", &r->groups[i].f, true);
		g_string_append_c(out, '}');
	}
	g_string_append(out, "]");
	key(out, "weeks");
	g_string_append_c(out, '[');
	for (size_t i = 0; i < r->n_weeks; i++) {
		g_string_append(out, i ? ",{" : "{");
		time_member(out, "start", r->weeks[i].start);
		time_member(out, "end", r->weeks[i].end);
		figures(out, "figures", &r->weeks[i].f, false);
		g_string_append_c(out, '}');
	}
	g_string_append(out, "]");
	key(out, "agents");
	g_string_append_c(out, '[');
	for (size_t i = 0; i < r->n_agents; i++) {
		g_string_append(out, i ? ",{" : "{");
		text(out, "address", r->agents[i].address);
		count(out, "replies", r->agents[i].replies);
		count(out, "tickets", r->agents[i].tickets);
		g_string_append_c(out, '}');
	}
	g_string_append(out, "]");
	key(out, "overdue");
	g_string_append_c(out, '[');
	for (size_t i = 0; i < r->n_overdue; i++) {
		const struct report_overdue *o = &r->overdue[i];
		g_string_append(out, i ? ",{" : "{");
		text(out, "ticket", o->ticket);
		text(out, "subject", o->subject);
		text(out, "queue", o->queue);
		text(out, "status", o->status);
		text(out, "priority", o->priority);
		text(out, "assignee", o->assignee);
		text(out, "due_for", o->what);
		time_member(out, "due", o->due);
		g_string_append_c(out, '}');
	}
	g_string_append(out, "]");
}

void report_write_json(const struct report *r, GString *out)
{
	g_string_append_c(out, '{');
	text(out, "schema", JSON_SCHEMA);
	key(out, "window");
	g_string_append_c(out, '{');
	time_member(out, "since", r->params.since);
	time_member(out, "until", r->params.until);
	text(out, "zone", r->params.zone);
	g_string_append_c(out, '}');
	time_member(out, "made", r->params.now);
	text(out, "by", report_by_name(r->params.by));
	key(out, "targets");
	g_string_append_c(out, '{');
	for (int k = 0; k < REPORT_KPI_COUNT; k++) {
		key(out, report_kpi_name(k));
		g_string_append_printf(out, "%.10g", r->params.targets.value[k]);
	}
	g_string_append_c(out, '}');
	headline(out, r);
	figures(out, "total", &r->total, true);
	lists(out, r);
	key(out, "overdue_count");
	g_string_append_printf(out, "%ld}\n", r->total.backlog_overdue);
}
