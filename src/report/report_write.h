/*
 * report_write.h - a computed report written out: text for a terminal
 * or a mail's plain part, JSON (one documented schema), CSV (RFC 4180)
 * or one self-contained HTML page with SVG charts.  Room: report.
 *
 * Every writer reads the same struct report and appends to a GString;
 * none of them reads the store.  Dates are in the report's locale and
 * zone (report_dates.h).  What came from mail (subjects, addresses,
 * names) is escaped for the format: HTML-escaped in HTML, quoted in JSON
 * and CSV, and in text passed through the caller's escape function (a
 * terminal's, see ctl/output.h), or as it is when that is NULL.
 */
#ifndef TM_REPORT_WRITE_H
#define TM_REPORT_WRITE_H

#include <glib.h>

#include "report/report.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_CSV, REPORT_HTML };

/* "text", "json", "csv", "html": false when unknown. */
bool report_format_parse(const char *name, enum report_format *format);

/* Returns s, or an escaped copy added to held (freed with it). */
typedef const char *(*report_escape_fn)(GPtrArray *held, const char *s);

void report_write_text(const struct report *r, report_escape_fn escape, GString *out);
void report_write_json(const struct report *r, GString *out);
void report_write_csv(const struct report *r, GString *out);
void report_write_html(const struct report *r, GString *out);

/* How the HTML page shows a chart (report_charts.h): the Content-ID of
 * an image of it ("chart-volume@host"; the page has <img src="cid:...">,
 * for a mail, report_mail.h), or NULL to draw it inline as SVG. */
struct report_chart;
typedef const char *(*report_chart_ref_fn)(void *ctx, const struct report_chart *c);
/* report_write_html with chart references; ref NULL: all SVG. */
void report_write_html_refs(const struct report *r, report_chart_ref_fn ref, void *ctx, GString *out);

#endif
