/*
 * write_png.c - a report chart as a PNG image drawn with cairo, for the
 * weekly mail: mail clients show no SVG.  Room: report.
 *
 * The geometry is the SVG's (report_charts.h), and so are the colours
 * and the ways series are told apart without colour (the second series
 * hatched or dashed, with square markers), so that the picture in the
 * mail and the one in the HTML page are the same chart.  Text uses
 * cairo's "toy" font API: enough for labels and ticks, no shaping.
 */
#include "config.h"
#include "report/report_charts.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <string.h>

struct frame {
	double left, width;	/* of the plot */
	double band;		/* width per week */
};

struct rgb {
	double r, g, b;
};

/* The page's CSS colours (write_html.c). */
static const struct rgb ink = { 0x1f / 255.0, 0x23 / 255.0, 0x28 / 255.0 };
static const struct rgb muted = { 0x57 / 255.0, 0x60 / 255.0, 0x6a / 255.0 };
static const struct rgb grid = { 0xd8 / 255.0, 0xde / 255.0, 0xe4 / 255.0 };
static const struct rgb blue = { 0x09 / 255.0, 0x69 / 255.0, 0xda / 255.0 };
static const struct rgb green = { 0x1a / 255.0, 0x7f / 255.0, 0x37 / 255.0 };
static const struct rgb pale_green = { 0xda / 255.0, 0xfb / 255.0, 0xe1 / 255.0 };
static const struct rgb orange = { 0xbc / 255.0, 0x4c / 255.0, 0x00 / 255.0 };

static void colour(cairo_t *cr, struct rgb c)
{
	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static double y_of(const struct report_axis *a, double v)
{
	double span = a->max > a->min ? a->max - a->min : 1;

	v = MAX(a->min, MIN(a->max, v));
	return REPORT_CHART_TOP + REPORT_CHART_PLOT_HEIGHT - (v - a->min) / span * REPORT_CHART_PLOT_HEIGHT;
}

enum anchor { START, MIDDLE, END };

static void text(cairo_t *cr, double x, double y, enum anchor anchor, const char *s)
{
	cairo_text_extents_t ext;

	cairo_text_extents(cr, s, &ext);
	if (anchor == MIDDLE)
		x -= ext.x_advance / 2;
	else if (anchor == END)
		x -= ext.x_advance;
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

static void line(cairo_t *cr, double x1, double y1, double x2, double y2)
{
	cairo_move_to(cr, x1, y1);
	cairo_line_to(cr, x2, y2);
	cairo_stroke(cr);
}

/* "6", "1.5", "-50": a tick label without trailing zeros. */
static void tick_text(char *buf, size_t size, double v, const char *unit)
{
	char num[32];

	g_snprintf(num, sizeof num, "%.1f", v);
	if (g_str_has_suffix(num, ".0"))
		num[strlen(num) - 2] = '\0';
	g_snprintf(buf, size, "%s%s", num, unit ? unit : "");
}

static void axes(cairo_t *cr, const struct report_chart *c, const struct frame *fr)
{
	double bottom = REPORT_CHART_TOP + REPORT_CHART_PLOT_HEIGHT;

	cairo_set_line_width(cr, 1);
	for (int a = 0; a < c->n_axes; a++) {
		const struct report_axis *ax = &c->axis[a];
		double x = a == 0 ? fr->left : fr->left + fr->width;
		int steps = ax->step > 0 ? (int)((ax->max - ax->min) / ax->step + 0.5) : 0;
		char buf[48];

		for (int i = 0; i <= steps && steps <= 50; i++) {
			double v = ax->min + i * ax->step, y = y_of(ax, v);
			if (a == 0) {
				colour(cr, grid);
				line(cr, fr->left, y, fr->left + fr->width, y);
			}
			colour(cr, ink);
			tick_text(buf, sizeof buf, v, ax->unit);
			text(cr, a == 0 ? x - 6 : x + 6, y + 4, a == 0 ? END : START, buf);
		}
		colour(cr, muted);
		cairo_save(cr);
		cairo_translate(cr, a == 0 ? 14.0 : REPORT_CHART_WIDTH - 10.0,
				REPORT_CHART_TOP + REPORT_CHART_PLOT_HEIGHT / 2.0);
		cairo_rotate(cr, -G_PI / 2);
		text(cr, 0, 0, MIDDLE, ax->title ? ax->title : "");
		cairo_restore(cr);
	}
	colour(cr, muted);
	line(cr, fr->left, bottom, fr->left + fr->width, bottom);
	colour(cr, ink);
	for (size_t i = 0, every = c->n_points / 13 + 1; i < c->n_points; i++)
		if (i % every == 0)
			text(cr, fr->left + ((double)i + 0.5) * fr->band, bottom + 18, MIDDLE, c->labels[i]);
	colour(cr, muted);
	text(cr, fr->left + fr->width / 2, bottom + 36, MIDDLE, "week from");
}

/* The second series' fill: pale green with diagonal green lines, as
 * the SVG's hatch pattern. */
static cairo_pattern_t *hatch(void)
{
	cairo_surface_t *tile = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 6, 6);
	cairo_t *cr = cairo_create(tile);
	cairo_pattern_t *p;
	cairo_matrix_t m;

	colour(cr, pale_green);
	cairo_paint(cr);
	colour(cr, green);
	cairo_set_line_width(cr, 3);
	line(cr, 0, 0, 0, 6);
	cairo_destroy(cr);
	p = cairo_pattern_create_for_surface(tile);
	cairo_surface_destroy(tile);
	cairo_pattern_set_extend(p, CAIRO_EXTEND_REPEAT);
	cairo_matrix_init_rotate(&m, -G_PI / 4);	/* the inverse of the SVG's rotate(45) */
	cairo_pattern_set_matrix(p, &m);
	return p;
}

static void bar_fill(cairo_t *cr, int k, cairo_pattern_t *hatched)
{
	if (k % 2) {
		cairo_set_source(cr, hatched);
		cairo_fill_preserve(cr);
		colour(cr, green);
		cairo_set_line_width(cr, 1);
		cairo_stroke(cr);
	} else {
		colour(cr, blue);
		cairo_fill(cr);
	}
}

static void bars(cairo_t *cr, const struct report_chart *c, const struct frame *fr, cairo_pattern_t *hatched)
{
	double width = fr->band * 0.8 / c->n_series;
	double bottom = REPORT_CHART_TOP + REPORT_CHART_PLOT_HEIGHT;

	for (size_t i = 0; i < c->n_points; i++)
		for (int k = 0; k < c->n_series; k++) {
			const struct report_series *s = &c->series[k];
			double top = y_of(&c->axis[s->axis], s->values[i]);
			cairo_rectangle(cr, fr->left + (double)i * fr->band + fr->band * 0.1 + k * width, top, width,
					bottom - top);
			bar_fill(cr, k, hatched);
		}
}

static void series_style(cairo_t *cr, int k)
{
	static const double dash[] = { 7, 4 };

	colour(cr, k % 2 ? orange : blue);
	cairo_set_line_width(cr, 2.5);
	cairo_set_dash(cr, dash, k % 2 ? 2 : 0, 0);
}

static void marker(cairo_t *cr, int k, double x, double y, double half)
{
	colour(cr, k % 2 ? orange : blue);
	if (k % 2)
		cairo_rectangle(cr, x - half, y - half, 2 * half, 2 * half);
	else
		cairo_arc(cr, x, y, half, 0, 2 * G_PI);
	cairo_fill(cr);
}

/* A line per run of weeks with data, and a marker per week. */
static void line_runs(cairo_t *cr, const struct report_chart *c, const struct frame *fr)
{
	for (int k = 0; k < c->n_series; k++) {
		const struct report_series *s = &c->series[k];

		series_style(cr, k);
		for (size_t i = 0; i < c->n_points;) {
			if (!s->present[i]) {
				i++;
				continue;
			}
			for (bool first = true; i < c->n_points && s->present[i]; i++, first = false) {
				double x = fr->left + ((double)i + 0.5) * fr->band, y = y_of(&c->axis[s->axis], s->values[i]);
				if (first)
					cairo_move_to(cr, x, y);
				else
					cairo_line_to(cr, x, y);
			}
			cairo_stroke(cr);
		}
		cairo_set_dash(cr, NULL, 0, 0);
		for (size_t i = 0; i < c->n_points; i++)
			if (s->present[i])
				marker(cr, k, fr->left + ((double)i + 0.5) * fr->band, y_of(&c->axis[s->axis], s->values[i]), 4);
	}
}

static void legend(cairo_t *cr, const struct report_chart *c, cairo_pattern_t *hatched)
{
	double x = REPORT_CHART_LEFT;

	for (int k = 0; k < c->n_series; k++) {
		if (c->kind == REPORT_CHART_BARS) {
			cairo_rectangle(cr, x, REPORT_CHART_HEIGHT - 16, 14, 10);
			bar_fill(cr, k, hatched);
		} else {
			series_style(cr, k);
			line(cr, x - 2, REPORT_CHART_HEIGHT - 11, x + 16, REPORT_CHART_HEIGHT - 11);
			cairo_set_dash(cr, NULL, 0, 0);
			marker(cr, k, x + 7, REPORT_CHART_HEIGHT - 11, 3);
		}
		colour(cr, ink);
		text(cr, x + 20, REPORT_CHART_HEIGHT - 7, START, c->series[k].name);
		x += 40 + 7.0 * (double)g_utf8_strlen(c->series[k].name, -1);
	}
}

static cairo_status_t append(void *closure, const unsigned char *data, unsigned int length)
{
	g_byte_array_append(closure, data, length);
	return CAIRO_STATUS_SUCCESS;
}

bool report_chart_png(const struct report_chart *c, GByteArray *out)
{
	cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, REPORT_CHART_WIDTH,
							      REPORT_CHART_HEIGHT);
	cairo_t *cr = cairo_create(surface);
	cairo_pattern_t *hatched = hatch();
	guint was = out->len;
	struct frame fr;
	bool ok;

	fr.left = REPORT_CHART_LEFT;
	fr.width = REPORT_CHART_WIDTH - REPORT_CHART_LEFT - (c->n_axes > 1 ? REPORT_CHART_RIGHT2 : REPORT_CHART_RIGHT);
	fr.band = c->n_points ? fr.width / (double)c->n_points : fr.width;
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 12);
	axes(cr, c, &fr);
	if (c->kind == REPORT_CHART_BARS)
		bars(cr, c, &fr, hatched);
	else
		line_runs(cr, c, &fr);
	legend(cr, c, hatched);
	ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
	cairo_pattern_destroy(hatched);
	cairo_destroy(cr);
	if (ok)
		ok = cairo_surface_write_to_png_stream(surface, append, out) == CAIRO_STATUS_SUCCESS;
	cairo_surface_destroy(surface);
	if (!ok)
		g_byte_array_set_size(out, was);
	return ok;
}

void report_charts_shutdown(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}
