/* test_weekly_png.c - a report chart drawn as PNG (write_png.c): a valid
 * PNG of the SVG's size, whose bars stand where the SVG puts them: a
 * pixel inside a bar has the bar's colour, one above a shorter bar the
 * background's.  Room: tests (report). */
#include "config.h"
#include "tap.h"
#include "report/report_charts.h"

#include <cairo.h>
#include <string.h>

struct reader {
	const GByteArray *png;
	size_t at;
};

static cairo_status_t read_png(void *closure, unsigned char *data, unsigned int length)
{
	struct reader *r = closure;

	if (r->at + length > r->png->len)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, r->png->data + r->at, length);
	r->at += length;
	return CAIRO_STATUS_SUCCESS;
}

static guint32 big_endian(const guint8 *p)
{
	return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

/* The pixel at x, y as 0xRRGGBB. */
static guint32 pixel(cairo_surface_t *img, int x, int y)
{
	const unsigned char *row = cairo_image_surface_get_data(img) + y * cairo_image_surface_get_stride(img);

	return ((const guint32 *)(const void *)row)[x] & 0xffffff;
}

int main(void)
{
	char *labels[] = { "2 Mar", "9 Mar" }, *days[] = { "2026-03-02", "2026-03-09" };
	double values[] = { 10, 5 };
	bool present[] = { true, true };
	struct report_chart c = {
		.id = "volume", .title = "Tickets", .desc = "test", .kind = REPORT_CHART_BARS, .n_points = 2,
		.labels = labels, .days = days, .n_axes = 1, .n_series = 1,
		.axis = { { .title = "tickets", .min = 0, .max = 10, .step = 2, .unit = "" } },
		.series = { { .id = "opened", .name = "Opened", .axis = 0, .unit = "", .values = values,
			      .present = present } },
	};
	static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	GByteArray *png = g_byte_array_new();
	struct reader rd = { png, 0 };
	cairo_surface_t *img;

	ok(report_chart_png(&c, png), "the chart is drawn");
	ok(png->len > 24 && memcmp(png->data, signature, sizeof signature) == 0, "it starts with the PNG signature");
	ok(png->len > 24 && memcmp(png->data + 12, "IHDR", 4) == 0, "its first chunk is IHDR");
	is_int(png->len > 24 ? big_endian(png->data + 16) : 0, REPORT_CHART_WIDTH, "as wide as the SVG");
	is_int(png->len > 24 ? big_endian(png->data + 20) : 0, REPORT_CHART_HEIGHT, "as high as the SVG");

	img = cairo_image_surface_create_from_png_stream(read_png, &rd);
	ok(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS, "cairo reads it back");
	if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
		/* One axis: the plot is 720 - 64 - 24 = 632 wide from x 64, a
		 * band of 316 per week, the bar 80% of it centred; 216 high
		 * from y 20, so 10 is at y 20 and 5 at y 128. */
		cairo_surface_flush(img);
		is_int(pixel(img, 222, 170), 0x0969da, "inside the first bar (10): the bar's blue");
		is_int(pixel(img, 222, 30), 0x0969da, "near its top (10 is the axis' top): still blue");
		is_int(pixel(img, 538, 170), 0x0969da, "inside the second bar (5), below its top");
		is_int(pixel(img, 538, 85), 0xffffff, "above the second bar: the white ground");
		is_int(pixel(img, 30, 85), 0xffffff, "left of the plot, between ticks: white");
	}
	cairo_surface_destroy(img);

	/* Lines with a gap and two axes: drawn, and the same size. */
	c.kind = REPORT_CHART_LINES;
	c.n_axes = 2;
	c.axis[1] = (struct report_axis){ .title = "%", .min = 0, .max = 100, .step = 25, .unit = " %" };
	c.n_series = 2;
	c.series[1] = c.series[0];
	c.series[1].id = "sla";
	c.series[1].axis = 1;
	present[1] = false;
	g_byte_array_set_size(png, 0);
	ok(report_chart_png(&c, png) && png->len > 24 && big_endian(png->data + 16) == REPORT_CHART_WIDTH,
	   "a line chart with two axes and a week without data is drawn");
	g_byte_array_free(png, TRUE);
	report_charts_shutdown();
	return tap_done();
}
