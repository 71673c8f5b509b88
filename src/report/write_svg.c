/*
 * write_svg.c - a report chart as inline SVG (report_charts.h): a fixed
 * 720 x 300 drawing (report_charts.h), scaled by the page.
 * Room: report.
 *
 * Series are told apart by more than colour (the second is hatched or
 * dashed with square markers); every bar and point carries its series,
 * week and value as data- attributes and a <title> for a pointer's
 * tooltip; the chart's <title> and <desc> are its accessible name and
 * description (and the data table beside it, in the page, its numbers).
 */
#include "config.h"
#include "report/report_charts.h"

#include <string.h>

#define SVG_WIDTH REPORT_CHART_WIDTH
#define SVG_HEIGHT REPORT_CHART_HEIGHT
#define SVG_TOP REPORT_CHART_TOP
#define SVG_LEFT REPORT_CHART_LEFT
#define SVG_PLOT_HEIGHT REPORT_CHART_PLOT_HEIGHT

struct frame {
	double left, width;	/* of the plot */
	double band;		/* width per week */
};

static void escaped(GString *out, const char *s)
{
	char *e = g_markup_escape_text(s ? s : "", -1);

	g_string_append(out, e);
	g_free(e);
}

static double y_of(const struct report_axis *a, double v)
{
	double span = a->max > a->min ? a->max - a->min : 1;

	v = MAX(a->min, MIN(a->max, v));
	return SVG_TOP + SVG_PLOT_HEIGHT - (v - a->min) / span * SVG_PLOT_HEIGHT;
}

/* "6", "1.5", "-50": a tick label without trailing zeros. */
static void tick_text(GString *out, double v, const char *unit)
{
	char buf[32];

	g_snprintf(buf, sizeof buf, "%.1f", v);
	if (g_str_has_suffix(buf, ".0"))
		buf[strlen(buf) - 2] = '\0';
	g_string_append_printf(out, "%s%s", buf, unit);
}

static void axes(const struct report_chart *c, const struct frame *fr, GString *out)
{
	for (int a = 0; a < c->n_axes; a++) {
		const struct report_axis *ax = &c->axis[a];
		double x = a == 0 ? fr->left : fr->left + fr->width;
		int steps = ax->step > 0 ? (int)((ax->max - ax->min) / ax->step + 0.5) : 0;

		g_string_append_printf(out, "<g class=\"axis y%d\">", a);
		for (int i = 0; i <= steps && steps <= 50; i++) {
			double v = ax->min + i * ax->step, y = y_of(ax, v);
			if (a == 0)
				g_string_append_printf(out, "<line class=\"grid\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>",
						       fr->left, y, fr->left + fr->width, y);
			g_string_append_printf(out, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\">", a == 0 ? x - 6 : x + 6,
					       y + 4, a == 0 ? "end" : "start");
			tick_text(out, v, ax->unit);
			g_string_append(out, "</text>");
		}
		g_string_append_printf(out, "<text class=\"axis-title\" transform=\"translate(%.2f %.2f) rotate(-90)\" "
				       "text-anchor=\"middle\">", a == 0 ? 14.0 : SVG_WIDTH - 10.0,
				       SVG_TOP + SVG_PLOT_HEIGHT / 2.0);
		escaped(out, ax->title);
		g_string_append(out, "</text></g>");
	}
	g_string_append_printf(out, "<g class=\"axis x\"><line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>", fr->left,
			       SVG_TOP + SVG_PLOT_HEIGHT, fr->left + fr->width, SVG_TOP + SVG_PLOT_HEIGHT);
	/* A label per week, or per few weeks when they would crowd. */
	for (size_t i = 0, every = c->n_points / 13 + 1; i < c->n_points; i++) {
		if (i % every)
			continue;
		g_string_append_printf(out, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">",
				       fr->left + ((double)i + 0.5) * fr->band, SVG_TOP + SVG_PLOT_HEIGHT + 18);
		escaped(out, c->labels[i]);
		g_string_append(out, "</text>");
	}
	g_string_append_printf(out, "<text class=\"axis-title\" x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">week from</text></g>",
			       fr->left + fr->width / 2, SVG_TOP + SVG_PLOT_HEIGHT + 36);
}

static void mark_title(GString *out, const struct report_chart *c, const struct report_series *s, size_t i)
{
	g_string_append(out, "<title>");
	escaped(out, s->name);
	g_string_append(out, ", week from ");
	escaped(out, c->labels[i]);
	g_string_append_printf(out, ": %g", report_round1(s->values[i]));
	escaped(out, s->unit);
	g_string_append(out, "</title>");
}

static void data_attributes(GString *out, const struct report_chart *c, const struct report_series *s, size_t i)
{
	g_string_append_printf(out, " data-series=\"%s\" data-week=\"%s\" data-value=\"%g\"", s->id, c->days[i],
			       report_round1(s->values[i]));
}

static void bars(const struct report_chart *c, const struct frame *fr, GString *out)
{
	double width = fr->band * 0.8 / c->n_series;

	for (size_t i = 0; i < c->n_points; i++)
		for (int k = 0; k < c->n_series; k++) {
			const struct report_series *s = &c->series[k];
			double top = y_of(&c->axis[s->axis], s->values[i]);
			g_string_append_printf(out, "<rect class=\"bar s%d\"", k);
			data_attributes(out, c, s, i);
			g_string_append_printf(out, " x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">",
					       fr->left + (double)i * fr->band + fr->band * 0.1 + k * width, top, width,
					       SVG_TOP + SVG_PLOT_HEIGHT - top);
			mark_title(out, c, s, i);
			g_string_append(out, "</rect>");
		}
}

/* A line per run of weeks with data (a week without breaks it), and a
 * marker per week: circles for the first series, squares for the
 * second. */
static void line_runs(const struct report_chart *c, const struct frame *fr, GString *out)
{
	for (int k = 0; k < c->n_series; k++) {
		const struct report_series *s = &c->series[k];
		size_t i = 0;

		while (i < c->n_points) {
			if (!s->present[i]) {
				i++;
				continue;
			}
			g_string_append_printf(out, "<polyline class=\"line s%d\" points=\"", k);
			for (bool first = true; i < c->n_points && s->present[i]; i++, first = false)
				g_string_append_printf(out, "%s%.2f,%.2f", first ? "" : " ",
						       fr->left + ((double)i + 0.5) * fr->band, y_of(&c->axis[s->axis], s->values[i]));
			g_string_append(out, "\"/>");
		}
		for (i = 0; i < c->n_points; i++) {
			double x = fr->left + ((double)i + 0.5) * fr->band, y = y_of(&c->axis[s->axis], s->values[i]);
			if (!s->present[i])
				continue;
			if (k % 2)
				g_string_append_printf(out, "<rect class=\"point s%d\" x=\"%.2f\" y=\"%.2f\" width=\"8\" height=\"8\"",
						       k, x - 4, y - 4);
			else
				g_string_append_printf(out, "<circle class=\"point s%d\" cx=\"%.2f\" cy=\"%.2f\" r=\"4\"", k, x, y);
			data_attributes(out, c, s, i);
			g_string_append(out, ">");
			mark_title(out, c, s, i);
			g_string_append(out, k % 2 ? "</rect>" : "</circle>");
		}
	}
}

static void legend(const struct report_chart *c, GString *out)
{
	double x = SVG_LEFT;

	g_string_append(out, "<g class=\"legend\">");
	for (int k = 0; k < c->n_series; k++) {
		if (c->kind == REPORT_CHART_BARS)
			g_string_append_printf(out, "<rect class=\"swatch bar s%d\" x=\"%.2f\" y=\"%d\" width=\"14\" "
					       "height=\"10\"/>", k, x, SVG_HEIGHT - 16);
		else	/* the line's dash and marker, not its colour alone */
			g_string_append_printf(out, "<line class=\"line s%d\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>"
					       "<rect class=\"key s%d\" x=\"%.2f\" y=\"%d\" width=\"6\" height=\"6\" rx=\"%d\"/>",
					       k, x - 2, SVG_HEIGHT - 11, x + 16, SVG_HEIGHT - 11, k, x + 4, SVG_HEIGHT - 14,
					       k % 2 ? 0 : 3);
		g_string_append_printf(out, "<text x=\"%.2f\" y=\"%d\">", x + 20, SVG_HEIGHT - 7);
		escaped(out, c->series[k].name);
		g_string_append(out, "</text>");
		x += 40 + 7.0 * (double)g_utf8_strlen(c->series[k].name, -1);
	}
	g_string_append(out, "</g>");
}

void report_chart_svg(const struct report_chart *c, GString *out)
{
	struct frame fr;

	fr.left = SVG_LEFT;
	fr.width = SVG_WIDTH - SVG_LEFT - (c->n_axes > 1 ? REPORT_CHART_RIGHT2 : REPORT_CHART_RIGHT);
	fr.band = c->n_points ? fr.width / (double)c->n_points : fr.width;
	g_string_append_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart %s\" id=\"chart-%s\" "
			       "viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"chart-%s-title chart-%s-desc\">",
			       c->kind == REPORT_CHART_BARS ? "bars" : "lines", c->id, SVG_WIDTH, SVG_HEIGHT, c->id, c->id);
	g_string_append_printf(out, "<title id=\"chart-%s-title\">", c->id);
	escaped(out, c->title);
	g_string_append_printf(out, "</title><desc id=\"chart-%s-desc\">", c->id);
	escaped(out, c->desc);
	g_string_append(out, "</desc>");
	if (c->kind == REPORT_CHART_BARS)
		g_string_append_printf(out, "<defs><pattern id=\"hatch-%s\" class=\"hatch\" width=\"6\" height=\"6\" "
				       "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" "
				       "height=\"6\" class=\"hatch-ground\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
				       "class=\"hatch-line\"/></pattern></defs><style>.chart#chart-%s .s1{fill:url(#hatch-%s)}"
				       "</style>", c->id, c->id, c->id);
	axes(c, &fr, out);
	g_string_append_printf(out, "<g class=\"plot\" data-y-min=\"%g\" data-y-max=\"%g\" data-plot-top=\"%d\" "
			       "data-plot-height=\"%d\">", c->axis[0].min, c->axis[0].max, SVG_TOP, SVG_PLOT_HEIGHT);
	if (c->kind == REPORT_CHART_BARS)
		bars(c, &fr, out);
	else
		line_runs(c, &fr, out);
	g_string_append(out, "</g>");
	legend(c, out);
	g_string_append(out, "</svg>");
}
