/*
 * write_text.c - a report as text for a terminal or a mail's plain part:
 * aligned columns, every figure with its unit (report_write.h).
 * Room: report.
 */
#include "config.h"
#include "report/report_write.h"
#include "report/report_dates.h"
#include "report/report_text.h"

#include <string.h>

static const char *const age_titles[REPORT_AGE_BANDS] = { "<1 d", "1-3 d", "3-7 d", "7-30 d", "30+ d" };

/* What came from mail, through the caller's escaper. */
static const char *safe(report_escape_fn escape, GPtrArray *held, const char *s)
{
	s = s ? s : "";
	return escape ? escape(held, s) : s;
}

static void headline(const struct report *r, GString *out)
{
	g_string_append(out, "\nHeadline                                     value     target  status\n");
	for (int k = 0; k < REPORT_KPI_COUNT; k++) {
		struct report_kpi_value v = report_kpi(&r->total, k, &r->params.targets);
		char value[32], target[32];

		report_text_kpi(k, v.has, v.value, value, sizeof value);
		report_text_kpi(k, true, r->params.targets.value[k], target, sizeof target);
		g_string_append(out, "  ");
		report_text_pad(out, report_kpi_title(k), 38, false);
		report_text_pad(out, value, 9, true);
		report_text_pad(out, target, 11, true);
		g_string_append_printf(out, "  %s (%ld)\n", report_status_text(v.status), v.n);
	}
}

static void times(const struct report_figures *f, GString *out)
{
	static const char *const names[] = { "first response, business", "first response, wall-clock",
					     "resolution, business", "resolution, wall-clock" };
	const struct report_duration *d[] = { &f->first_response[REPORT_BUSINESS], &f->first_response[REPORT_WALL],
					      &f->resolution[REPORT_BUSINESS], &f->resolution[REPORT_WALL] };

	g_string_append(out, "\nTimes (pending time left out)        median       p90      mean  tickets\n");
	for (size_t i = 0; i < G_N_ELEMENTS(d); i++) {
		char a[32], b[32], c[32];
		report_text_hours(d[i]->n, d[i]->median, a, sizeof a);
		report_text_hours(d[i]->n, d[i]->p90, b, sizeof b);
		report_text_hours(d[i]->n, d[i]->mean, c, sizeof c);
		g_string_append(out, "  ");
		report_text_pad(out, names[i], 32, false);
		report_text_pad(out, a, 10, true);
		report_text_pad(out, b, 10, true);
		report_text_pad(out, c, 10, true);
		g_string_append_printf(out, "  %7ld\n", d[i]->n);
	}
}

/* "  first response within SLA      6 kept of 8 due            75.0 %" */
static void part_line(GString *out, const char *title, long part, const char *part_word, long whole,
		      const char *whole_word)
{
	char pct[32], *middle = g_strdup_printf("%ld%s%s of %ld %s", part, *part_word ? " " : "", part_word, whole,
						 whole_word);

	report_text_percent(part, whole, pct, sizeof pct);
	g_string_append(out, "  ");
	report_text_pad(out, title, 30, false);
	report_text_pad(out, middle, 36, false);
	report_text_pad(out, pct, 9, true);
	g_string_append_c(out, '\n');
	g_free(middle);
}

static const char *plural(long n)
{
	return n == 1 ? "rating " : "ratings";
}

static void ratings(const struct report_figures *f, GString *out)
{
	char a[32], b[32];

	g_string_append(out, "\nSatisfaction\n");
	part_line(out, "survey answered", f->rated, "rated", f->resolved, "resolved");
	report_text_percent(f->csat_satisfied, f->csat_n, a, sizeof a);
	report_text_mean(f->csat_sum, f->csat_n, a[0] == '-' ? "" : " / 5", b, sizeof b);
	g_string_append_printf(out, "  CSAT %6ld %s   mean %-9s satisfied (4-5) %s\n", f->csat_n, plural(f->csat_n), b, a);
	report_text_kpi(REPORT_KPI_NPS, f->nps_n > 0,
			f->nps_n ? 100.0 * (double)(f->nps_promoters - f->nps_detractors) / (double)f->nps_n : 0, a,
			sizeof a);
	g_string_append_printf(out, "  NPS  %6ld %s   NPS %-10s promoters (9-10) %ld, detractors (0-6) %ld\n", f->nps_n,
			       plural(f->nps_n), a, f->nps_promoters, f->nps_detractors);
	report_text_mean(f->ces_sum, f->ces_n, " / 7", b, sizeof b);
	g_string_append_printf(out, "  CES  %6ld %s   mean %-9s (7: very easy)\n", f->ces_n, plural(f->ces_n), b);
}

static void backlog(const struct report_figures *f, GString *out)
{
	g_string_append(out, "\nBacklog now      open  pending  overdue");
	for (int b = 0; b < REPORT_AGE_BANDS; b++)
		g_string_append_printf(out, " %7s", age_titles[b]);
	g_string_append_printf(out, "\n  tickets     %7ld  %7ld  %7ld", f->backlog_open, f->backlog_pending, f->backlog_overdue);
	for (int b = 0; b < REPORT_AGE_BANDS; b++)
		g_string_append_printf(out, " %7ld", f->backlog_age[b]);
	g_string_append_c(out, '\n');
}

static void agents(const struct report *r, report_escape_fn escape, GPtrArray *held, GString *out)
{
	g_string_append(out, "\nAgents                                    replies  tickets\n");
	if (r->n_agents == 0)
		g_string_append(out, "  (no replies in the window)\n");
	for (size_t i = 0; i < r->n_agents; i++) {
		g_string_append(out, "  ");
		report_text_pad(out, safe(escape, held, r->agents[i].address), 38, false);
		g_string_append_printf(out, " %8ld %8ld\n", r->agents[i].replies, r->agents[i].tickets);
	}
}

/* One row of the breakdown or of the weeks. */
static void row(GString *out, const char *label, int width, const struct report_figures *f, bool with_backlog)
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
	g_string_append(out, "  ");
	report_text_pad(out, label, width, false);
	g_string_append_printf(out, " %6ld %6ld %6ld", f->opened, f->resolved, f->reopened);
	for (int i = 0; i < 8; i++)
		report_text_pad(out, cells[i], i == 6 ? 8 : i == 7 ? 6 : 9, true);
	if (with_backlog)
		g_string_append_printf(out, " %6ld %6ld %6ld", f->backlog_open, f->backlog_pending, f->backlog_overdue);
	g_string_append_c(out, '\n');
}

static void header_row(GString *out, const char *title, int width, bool with_backlog)
{
	g_string_append_c(out, '\n');
	report_text_pad(out, title, width + 2, false);
	g_string_append(out, " opened resolv reopen   FR med   FR SLA  Res med  Res SLA      FCR     CSAT     NPS   CES");
	if (with_backlog)
		g_string_append(out, "   open   pend  overd");
	g_string_append_c(out, '\n');
}

static void groups(const struct report *r, report_escape_fn escape, GPtrArray *held, GString *out)
{
	int width = 12;
	char *title;

	if (r->params.by == REPORT_BY_NONE)
		return;
	for (size_t i = 0; i < r->n_groups; i++)
		width = MAX(width, (int)g_utf8_strlen(safe(escape, held, r->groups[i].key), -1));
	title = g_strdup_printf("By %s", report_by_name(r->params.by));
	header_row(out, title, width, true);
	for (size_t i = 0; i < r->n_groups; i++)
		row(out, safe(escape, held, r->groups[i].key), width, &r->groups[i].f, true);
	if (r->n_groups == 0)
		g_string_append(out, "  (no tickets)\n");
	g_free(title);
}

static void weeks(const struct report *r, struct report_dates *d, GString *out)
{
	GPtrArray *labels = g_ptr_array_new_with_free_func(g_free);
	int width = 12;

	for (size_t i = 0; i < r->n_weeks; i++) {
		char *label = report_dates_day(d, r->weeks[i].start);
		width = MAX(width, (int)g_utf8_strlen(label, -1));
		g_ptr_array_add(labels, label);
	}
	header_row(out, "Week from", width, false);
	for (size_t i = 0; i < r->n_weeks; i++)
		row(out, g_ptr_array_index(labels, i), width, &r->weeks[i].f, false);
	g_ptr_array_free(labels, TRUE);
}

static void overdue(const struct report *r, struct report_dates *d, report_escape_fn escape, GPtrArray *held,
		    GString *out)
{
	g_string_append_printf(out, "\nOverdue now: %ld", r->total.backlog_overdue);
	if ((long)r->n_overdue < r->total.backlog_overdue)
		g_string_append_printf(out, " (the %zu most overdue below)", r->n_overdue);
	g_string_append_c(out, '\n');
	for (size_t i = 0; i < r->n_overdue; i++) {
		const struct report_overdue *o = &r->overdue[i];
		char *due = report_dates_time(d, o->due);
		g_string_append(out, "  ");
		report_text_pad(out, safe(escape, held, o->ticket), 12, false);
		g_string_append_printf(out, " %-14s due %s  %-8s %-7s %s  %s\n", o->what, due, safe(escape, held, o->status),
				       safe(escape, held, o->priority), safe(escape, held, o->assignee ? o->assignee : "(none)"),
				       safe(escape, held, o->subject));
		g_free(due);
	}
}

void report_write_text(const struct report *r, report_escape_fn escape, GString *out)
{
	struct report_dates *d = report_dates_new(r->params.locale, r->params.zone);
	GPtrArray *held = g_ptr_array_new_with_free_func(g_free);
	char *since = report_dates_day(d, r->params.since), *until = report_dates_day(d, r->params.until - 1);
	char *made = report_dates_time(d, r->params.now);
	const struct report_figures *f = &r->total;

	g_string_append_printf(out, "ticket-milter report: %s to %s (%s)%s%s\n", since, until, r->params.zone,
			       r->params.by ? ", by " : "", r->params.by ? report_by_name(r->params.by) : "");
	g_string_append_printf(out, "made %s; figures are defined in ticketctl(8)\n", made);
	headline(r, out);
	g_string_append_printf(out, "\nVolume\n  opened %8ld   (%ld merged into another ticket)\n  resolved %6ld\n"
			       "  reopened %6ld\n  replies %7ld   on %ld tickets\n", f->opened, f->merged, f->resolved,
			       f->reopened, f->replies, f->replied_tickets);
	times(f, out);
	g_string_append(out, "\nService levels\n");
	part_line(out, "first response within SLA", f->first_response_kept, "kept", f->first_response_due, "due");
	part_line(out, "resolution within SLA", f->resolution_kept, "kept", f->resolution_due, "due");
	part_line(out, "first-contact resolution", f->fcr, "", f->fcr_eligible, "resolved with a reply");
	ratings(f, out);
	backlog(f, out);
	agents(r, escape, held, out);
	groups(r, escape, held, out);
	weeks(r, d, out);
	overdue(r, d, escape, held, out);
	g_ptr_array_free(held, TRUE);
	g_free(since);
	g_free(until);
	g_free(made);
	report_dates_free(d);
}
