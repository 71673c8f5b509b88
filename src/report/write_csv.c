/*
 * write_csv.c - a report as CSV (RFC 4180: CRLF line ends, a header
 * line, fields with a comma, quote or line break quoted, quotes doubled):
 * one row for the total, one per group of the breakdown, one per week,
 * all with the same columns (ticketctl(8), REPORT CSV).  Durations are
 * in hours, percentages 0 to 100; an empty field is no data.
 * Room: report.
 */
#include "config.h"
#include "report/report_write.h"
#include "report/report_dates.h"

#include <string.h>

static const char *const header[] = {
	"row", "key", "opened", "merged", "resolved", "reopened",
	"first_response_business_median_h", "first_response_business_p90_h", "first_response_business_mean_h",
	"first_response_wall_median_h", "first_response_wall_p90_h", "first_response_wall_mean_h",
	"resolution_business_median_h", "resolution_business_p90_h", "resolution_business_mean_h",
	"resolution_wall_median_h", "resolution_wall_p90_h", "resolution_wall_mean_h",
	"first_response_due", "first_response_kept", "first_response_sla_pct",
	"resolution_due", "resolution_kept", "resolution_sla_pct",
	"fcr_eligible", "fcr", "fcr_pct", "rated", "survey_response_pct",
	"csat_count", "csat_mean", "csat_satisfied_pct", "nps_count", "nps", "ces_count", "ces_mean",
	"replies", "replied_tickets", "backlog_open", "backlog_pending", "backlog_overdue",
};

/* A field, quoted when it must be.  A key from mail that a spreadsheet
 * would take for a formula (= + - @) is prefixed with an apostrophe. */
static void field(GString *out, const char *v, bool first)
{
	bool quote = strpbrk(v, ",\"\r\n") != NULL;

	if (!first)
		g_string_append_c(out, ',');
	if (quote)
		g_string_append_c(out, '"');
	if (strchr("=+-@", v[0]) && v[0])
		g_string_append_c(out, '\'');
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	if (quote)
		g_string_append_c(out, '"');
}

static void whole(GString *out, long v)
{
	g_string_append_printf(out, ",%ld", v);
}

static void decimal(GString *out, double v, bool has)
{
	if (has)
		g_string_append_printf(out, ",%.2f", v);
	else
		g_string_append_c(out, ',');
}

static void hours(GString *out, const struct report_duration *d)
{
	decimal(out, d->median / 3600, d->n > 0);
	decimal(out, d->p90 / 3600, d->n > 0);
	decimal(out, d->mean / 3600, d->n > 0);
}

static void row(GString *out, const char *kind, const char *key, const struct report_figures *f)
{
	field(out, kind, true);
	field(out, key, false);
	whole(out, f->opened);
	whole(out, f->merged);
	whole(out, f->resolved);
	whole(out, f->reopened);
	for (int c = 0; c < REPORT_CLOCKS; c++)
		hours(out, &f->first_response[c]);
	for (int c = 0; c < REPORT_CLOCKS; c++)
		hours(out, &f->resolution[c]);
	whole(out, f->first_response_due);
	whole(out, f->first_response_kept);
	decimal(out, report_percent(f->first_response_kept, f->first_response_due), f->first_response_due > 0);
	whole(out, f->resolution_due);
	whole(out, f->resolution_kept);
	decimal(out, report_percent(f->resolution_kept, f->resolution_due), f->resolution_due > 0);
	whole(out, f->fcr_eligible);
	whole(out, f->fcr);
	decimal(out, report_percent(f->fcr, f->fcr_eligible), f->fcr_eligible > 0);
	whole(out, f->rated);
	decimal(out, report_percent(f->rated, f->resolved), f->resolved > 0);
	whole(out, f->csat_n);
	decimal(out, f->csat_n ? (double)f->csat_sum / (double)f->csat_n : 0, f->csat_n > 0);
	decimal(out, report_percent(f->csat_satisfied, f->csat_n), f->csat_n > 0);
	whole(out, f->nps_n);
	decimal(out, f->nps_n ? 100.0 * (double)(f->nps_promoters - f->nps_detractors) / (double)f->nps_n : 0, f->nps_n > 0);
	whole(out, f->ces_n);
	decimal(out, f->ces_n ? (double)f->ces_sum / (double)f->ces_n : 0, f->ces_n > 0);
	whole(out, f->replies);
	whole(out, f->replied_tickets);
	whole(out, f->backlog_open);
	whole(out, f->backlog_pending);
	whole(out, f->backlog_overdue);
	g_string_append(out, "\r\n");
}

void report_write_csv(const struct report *r, GString *out)
{
	struct report_dates *d = report_dates_new(r->params.locale, r->params.zone);

	for (size_t i = 0; i < G_N_ELEMENTS(header); i++)
		field(out, header[i], i == 0);
	g_string_append(out, "\r\n");
	row(out, "total", "", &r->total);
	for (size_t i = 0; i < r->n_groups; i++)
		row(out, report_by_name(r->params.by), r->groups[i].key, &r->groups[i].f);
	for (size_t i = 0; i < r->n_weeks; i++) {
		char *start = report_dates_iso_day(d, r->weeks[i].start);
		row(out, "week", start, &r->weeks[i].f);
		g_free(start);
	}
	report_dates_free(d);
}
