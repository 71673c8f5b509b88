/*
 * report_fold.c - gathering a report's figures, and its weeks (see
 * report_fold.h).  Room: report.
 */
#include "config.h"
#include "report/report_fold.h"

#include <stdlib.h>
#include <string.h>

/* A window of more weeks than this is a typing mistake (about 20 years). */
#define REPORT_MAX_WEEKS 1100

void report_fold_init(struct report_fold *fold)
{
	memset(fold, 0, sizeof *fold);
	for (int c = 0; c < REPORT_CLOCKS; c++) {
		fold->first_response[c] = g_array_new(FALSE, FALSE, sizeof(double));
		fold->resolution[c] = g_array_new(FALSE, FALSE, sizeof(double));
	}
}

void report_fold_clear(struct report_fold *fold)
{
	for (int c = 0; c < REPORT_CLOCKS; c++) {
		g_array_free(fold->first_response[c], TRUE);
		g_array_free(fold->resolution[c], TRUE);
	}
}

struct report_fold *report_fold_new(void)
{
	struct report_fold *fold = g_new(struct report_fold, 1);

	report_fold_init(fold);
	return fold;
}

void report_fold_free(gpointer fold)
{
	report_fold_clear(fold);
	g_free(fold);
}

void report_fold_first_response(struct report_fold *fold, double business, double wall)
{
	g_array_append_val(fold->first_response[REPORT_BUSINESS], business);
	g_array_append_val(fold->first_response[REPORT_WALL], wall);
}

void report_fold_resolution(struct report_fold *fold, double business, double wall)
{
	g_array_append_val(fold->resolution[REPORT_BUSINESS], business);
	g_array_append_val(fold->resolution[REPORT_WALL], wall);
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median (the mean of the two middle values of an even count), the
 * 90th percentile by nearest rank (the value at rank ceil(0.9 n)), and
 * the mean. */
static void summarize(GArray *values, struct report_duration *d)
{
	double *v = (double *)(void *)values->data, sum = 0;
	size_t n = values->len, rank;

	memset(d, 0, sizeof *d);
	if (n == 0)
		return;
	qsort(v, n, sizeof *v, by_value);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	rank = (9 * n + 9) / 10;	/* ceil(0.9 n) */
	d->n = (long)n;
	d->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	d->p90 = v[rank - 1];
	d->mean = sum / (double)n;
}

void report_fold_finish(struct report_fold *fold, struct report_figures *out)
{
	*out = fold->f;
	for (int c = 0; c < REPORT_CLOCKS; c++) {
		summarize(fold->first_response[c], &out->first_response[c]);
		summarize(fold->resolution[c], &out->resolution[c]);
	}
}

/* Monday 00:00 of the week of t, in tz. */
static int64_t monday_of(GTimeZone *tz, int64_t t)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(t), *local = g_date_time_to_timezone(utc, tz);
	GDateTime *midnight = g_date_time_new(tz, g_date_time_get_year(local), g_date_time_get_month(local),
					      g_date_time_get_day_of_month(local), 0, 0, 0);
	GDateTime *monday = g_date_time_add_days(midnight, 1 - g_date_time_get_day_of_week(local));
	int64_t start = g_date_time_to_unix(monday);

	g_date_time_unref(utc);
	g_date_time_unref(local);
	g_date_time_unref(midnight);
	g_date_time_unref(monday);
	return start;
}

/* The Monday a week after the one at start (a week across a clock change
 * is an hour shorter or longer). */
static int64_t next_monday(GTimeZone *tz, int64_t start)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(start), *local = g_date_time_to_timezone(utc, tz);
	GDateTime *next = g_date_time_add_days(local, 7);
	int64_t t = g_date_time_to_unix(next);

	g_date_time_unref(utc);
	g_date_time_unref(local);
	g_date_time_unref(next);
	return t;
}

bool report_fold_weeks(struct report *r, char **error)
{
	const struct report_params *p = &r->params;
	GTimeZone *tz = g_time_zone_new_identifier(p->zone);
	GArray *weeks;

	if (tz == NULL) {
		*error = g_strdup_printf("unknown time zone \"%s\" (an IANA name such as Europe/Berlin)", p->zone);
		return false;
	}
	if (p->until <= p->since) {
		*error = g_strdup("the window is empty: --until must be after --since");
		g_time_zone_unref(tz);
		return false;
	}
	weeks = g_array_new(FALSE, TRUE, sizeof(struct report_week));
	for (int64_t start = monday_of(tz, p->since); start < p->until && weeks->len <= REPORT_MAX_WEEKS;) {
		int64_t next = next_monday(tz, start);
		struct report_week w = { .start = MAX(start, p->since), .end = MIN(next, p->until) };
		g_array_append_val(weeks, w);
		start = next;
	}
	g_time_zone_unref(tz);
	if (weeks->len > REPORT_MAX_WEEKS) {
		*error = g_strdup_printf("the window is longer than %d weeks", REPORT_MAX_WEEKS);
		g_array_free(weeks, TRUE);
		return false;
	}
	r->n_weeks = weeks->len;
	r->weeks = (struct report_week *)(void *)g_array_free(weeks, FALSE);
	return true;
}

struct report_fold *report_fold_week(const struct report *r, struct report_fold *weeks, int64_t t)
{
	size_t lo = 0, hi = r->n_weeks;

	/* The last week starting at or before t. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->weeks[mid].start <= t)
			lo = mid;
		else
			hi = mid;
	}
	return &weeks[lo];
}
