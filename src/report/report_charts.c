/*
 * report_charts.c - a report's charts as data (see report_charts.h).
 * Room: report.
 */
#include "config.h"
#include "report/report_charts.h"

#include <string.h>

static void chart_free(gpointer p)
{
	struct report_chart *c = p;

	for (int s = 0; s < c->n_series; s++) {
		g_free(c->series[s].values);
		g_free(c->series[s].present);
	}
	g_strfreev(c->labels);
	g_strfreev(c->days);
	g_free(c->desc);
	g_free(c);
}

static struct report_chart *chart_new(const struct report *r, struct report_dates *d, const char *id, const char *title,
				      enum report_chart_kind kind)
{
	struct report_chart *c = g_new0(struct report_chart, 1);

	c->id = id;
	c->title = title;
	c->kind = kind;
	c->n_points = r->n_weeks;
	c->labels = g_new0(char *, r->n_weeks + 1);
	c->days = g_new0(char *, r->n_weeks + 1);
	for (size_t i = 0; i < r->n_weeks; i++) {
		c->labels[i] = report_dates_short(d, r->weeks[i].start);
		c->days[i] = report_dates_iso_day(d, r->weeks[i].start);
	}
	return c;
}

static struct report_series *add_series(struct report_chart *c, const char *id, const char *name, int axis,
					const char *unit)
{
	struct report_series *s = &c->series[c->n_series++];

	s->id = id;
	s->name = name;
	s->axis = axis;
	s->unit = unit;
	s->values = g_new0(double, c->n_points + 1);
	s->present = g_new0(bool, c->n_points + 1);
	return s;
}

/* An axis from 0 to a round number at or above the largest value, in
 * at most five steps of 1, 2 or 5 times a power of ten (whole steps for
 * counts, down to 0.1 for hours). */
static void round_axis(struct report_axis *a, const struct report_chart *c, int axis, bool fractions)
{
	static const double steps[] = { 1, 2, 5 };
	double top = 0, step = 1, ticks;

	for (int s = 0; s < c->n_series; s++)
		for (size_t i = 0; i < c->n_points; i++)
			if (c->series[s].axis == axis && c->series[s].present[i])
				top = MAX(top, c->series[s].values[i]);
	if (top <= 0)
		top = fractions ? 0.5 : 1;
	for (double power = fractions ? 0.1 : 1;; power *= 10) {
		size_t k = 0;
		while (k < G_N_ELEMENTS(steps) && top > 5 * steps[k] * power)
			k++;
		if (k < G_N_ELEMENTS(steps)) {
			step = steps[k] * power;
			break;
		}
	}
	ticks = (double)(long)(top / step);
	if (ticks * step < top - 1e-9)
		ticks += 1;
	a->min = 0;
	a->step = step;
	a->max = ticks * step;
}

static void describe(struct report_chart *c, const char *what)
{
	GString *desc = g_string_new(what);

	g_string_append_printf(desc, " Week by week from %s:", c->n_points ? c->labels[0] : "");
	for (int s = 0; s < c->n_series; s++) {
		g_string_append_printf(desc, "%s %s ", s ? ";" : "", c->series[s].name);
		for (size_t i = 0; i < c->n_points; i++) {
			if (i)
				g_string_append(desc, ", ");
			if (c->series[s].present[i])
				g_string_append_printf(desc, "%g%s", report_round1(c->series[s].values[i]), c->series[s].unit);
			else
				g_string_append(desc, "no data");
		}
	}
	g_string_append_c(desc, '.');
	c->desc = g_string_free(desc, FALSE);
}

static void set(struct report_series *s, size_t i, double value, bool present)
{
	s->values[i] = present ? value : 0;
	s->present[i] = present;
}

static struct report_chart *volume(const struct report *r, struct report_dates *d)
{
	struct report_chart *c = chart_new(r, d, "volume", "Tickets opened and resolved by week", REPORT_CHART_BARS);
	struct report_series *opened = add_series(c, "opened", "Opened", 0, "");
	struct report_series *resolved = add_series(c, "resolved", "Resolved", 0, "");

	for (size_t i = 0; i < r->n_weeks; i++) {
		set(opened, i, (double)r->weeks[i].f.opened, true);
		set(resolved, i, (double)r->weeks[i].f.resolved, true);
	}
	c->n_axes = 1;
	c->axis[0].title = "tickets";
	c->axis[0].unit = "";
	round_axis(&c->axis[0], c, 0, false);
	describe(c, "Bars of the tickets opened and resolved each week.");
	return c;
}

static struct report_chart *first_response(const struct report *r, struct report_dates *d)
{
	struct report_chart *c = chart_new(r, d, "first-response", "First response by week", REPORT_CHART_LINES);
	struct report_series *median = add_series(c, "first-response-median", "Median first response (business hours)",
						  0, " h");
	struct report_series *sla = add_series(c, "first-response-sla", "First responses within SLA", 1, " %");

	for (size_t i = 0; i < r->n_weeks; i++) {
		const struct report_figures *f = &r->weeks[i].f;
		set(median, i, f->first_response[REPORT_BUSINESS].median / 3600, f->first_response[REPORT_BUSINESS].n > 0);
		set(sla, i, report_percent(f->first_response_kept, f->first_response_due), f->first_response_due > 0);
	}
	c->n_axes = 2;
	c->axis[0].title = "median, business hours";
	c->axis[0].unit = " h";
	round_axis(&c->axis[0], c, 0, true);
	c->axis[1] = (struct report_axis){ "% within SLA", 0, 100, 20, " %" };
	describe(c, "Lines of the median first-response time in business hours (left axis) and the share of first "
		 "responses due that were within the SLA (right axis).");
	return c;
}

static struct report_chart *satisfaction(const struct report *r, struct report_dates *d)
{
	struct report_chart *c = chart_new(r, d, "satisfaction", "Satisfaction by week", REPORT_CHART_LINES);
	struct report_series *csat = add_series(c, "csat", "CSAT: satisfied (4-5)", 0, " %");
	struct report_series *nps = add_series(c, "nps", "NPS", 1, "");

	for (size_t i = 0; i < r->n_weeks; i++) {
		const struct report_figures *f = &r->weeks[i].f;
		set(csat, i, report_percent(f->csat_satisfied, f->csat_n), f->csat_n > 0);
		set(nps, i, f->nps_n ? 100.0 * (double)(f->nps_promoters - f->nps_detractors) / (double)f->nps_n : 0,
		    f->nps_n > 0);
	}
	c->n_axes = 2;
	c->axis[0] = (struct report_axis){ "% satisfied (CSAT 4-5)", 0, 100, 20, " %" };
	c->axis[1] = (struct report_axis){ "NPS", -100, 100, 50, "" };
	describe(c, "Lines of the share of CSAT ratings of 4 or 5 (left axis) and of the net promoter score, "
		 "promoters less detractors (right axis), by the week the rated tickets were resolved.");
	return c;
}

static struct report_chart *effort(const struct report *r, struct report_dates *d)
{
	struct report_chart *c = chart_new(r, d, "effort", "Customer effort by week", REPORT_CHART_LINES);
	struct report_series *ces = add_series(c, "ces", "CES mean (7: very easy)", 0, "");

	for (size_t i = 0; i < r->n_weeks; i++) {
		const struct report_figures *f = &r->weeks[i].f;
		set(ces, i, f->ces_n ? (double)f->ces_sum / (double)f->ces_n : 0, f->ces_n > 0);
	}
	c->n_axes = 1;
	c->axis[0] = (struct report_axis){ "mean rating, 1 to 7", 1, 7, 1, "" };
	describe(c, "A line of the mean customer effort rating, 1 (very difficult) to 7 (very easy).");
	return c;
}

GPtrArray *report_charts(const struct report *r, struct report_dates *d)
{
	GPtrArray *charts = g_ptr_array_new_with_free_func(chart_free);

	g_ptr_array_add(charts, volume(r, d));
	g_ptr_array_add(charts, first_response(r, d));
	g_ptr_array_add(charts, satisfaction(r, d));
	if (r->total.ces_n > 0)
		g_ptr_array_add(charts, effort(r, d));
	return charts;
}
