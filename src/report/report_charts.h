/*
 * report_charts.h - the charts of a report as data: what is drawn, on
 * which axes, with which title and description, one point per week.
 * Room: report.
 *
 * The HTML writer draws them as SVG (write_svg.c); a mail needs them as
 * PNG images (mail clients show no SVG), which a renderer draws from the
 * same structures: the axes are already chosen (round steps), each value
 * says whether there is data, and the description is the text
 * alternative.  Nothing here depends on how a chart is drawn.
 */
#ifndef TM_REPORT_CHARTS_H
#define TM_REPORT_CHARTS_H

#include <glib.h>
#include <stdbool.h>

#include "report/report.h"
#include "report/report_dates.h"

enum report_chart_kind { REPORT_CHART_BARS, REPORT_CHART_LINES };

#define REPORT_CHART_MAX_SERIES 3

/* The drawing's geometry, shared by the SVG and PNG renderers so that
 * both draw the same chart: a width x height canvas, the plot between
 * the top and bottom margins, starting at the left margin and ending
 * REPORT_CHART_RIGHT (one axis) or REPORT_CHART_RIGHT2 (two) before the
 * right edge. */
#define REPORT_CHART_WIDTH 720
#define REPORT_CHART_HEIGHT 300
#define REPORT_CHART_TOP 20
#define REPORT_CHART_BOTTOM 64
#define REPORT_CHART_LEFT 64
#define REPORT_CHART_RIGHT 24
#define REPORT_CHART_RIGHT2 64
#define REPORT_CHART_PLOT_HEIGHT (REPORT_CHART_HEIGHT - REPORT_CHART_TOP - REPORT_CHART_BOTTOM)

struct report_axis {
	const char *title;	/* "tickets", "hours (business)", "% within SLA" */
	double min, max, step;	/* ticks from min to max every step */
	const char *unit;	/* appended to tick labels: "", " h", " %" */
};

struct report_series {
	const char *id;		/* "opened": a class and data-series in SVG */
	const char *name;	/* "Opened", for the legend and the table */
	int axis;		/* 0 left, 1 right */
	const char *unit;	/* for the table: "", " h", " %" */
	double *values;		/* one per point */
	bool *present;		/* false: no data that week */
};

struct report_chart {
	const char *id;		/* "volume", "first-response", "satisfaction", "effort" */
	const char *title;
	char *desc;		/* the chart in words */
	enum report_chart_kind kind;
	size_t n_points;
	char **labels;		/* per point: the week's first day, short (ICU) */
	char **days;		/* per point: YYYY-MM-DD */
	struct report_axis axis[2];
	int n_axes;
	struct report_series series[REPORT_CHART_MAX_SERIES];
	int n_series;
};

/* The report's charts (struct report_chart *), freed with the array:
 * opened and resolved by week (bars); first-response median (business
 * hours) and first-response SLA attainment (lines, two axes); CSAT %
 * satisfied and NPS (lines, two axes); CES mean, when there are CES
 * ratings (line). */
GPtrArray *report_charts(const struct report *r, struct report_dates *d);

/* SVG (report_write_html draws these): appends one <svg> with <title>, <desc>, axes, ticks,
 * the bars or lines (each with data-series, data-week and data-value),
 * and a legend. */
void report_chart_svg(const struct report_chart *c, GString *out);

/* PNG (write_png.c, cairo), for a mail: the same drawing as the SVG, at
 * REPORT_CHART_WIDTH x REPORT_CHART_HEIGHT pixels.  Appends the PNG
 * file to out; false (out as it was) when cairo fails. */
bool report_chart_png(const struct report_chart *c, GByteArray *out);

/* Frees what drawing PNGs keeps for the life of the process (cairo's
 * caches, fontconfig's configuration), so that a leak checker sees none
 * at exit.  Once, at the end of main(), after the last chart. */
void report_charts_shutdown(void);

#endif
