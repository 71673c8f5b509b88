/*
 * report_text.c - how the writers show a figure (see report_text.h).
 * Room: report.
 */
#include "config.h"
#include "report/report_text.h"

#include <string.h>

void report_text_hours(long n, double seconds, char *buf, size_t size)
{
	if (n == 0)
		g_strlcpy(buf, "-", size);
	else
		g_snprintf(buf, size, "%.1f h", report_round1(seconds / 3600.0));
}

void report_text_percent(long part, long whole, char *buf, size_t size)
{
	if (whole <= 0)
		g_strlcpy(buf, "-", size);
	else
		g_snprintf(buf, size, "%.1f %%", report_round1(report_percent(part, whole)));
}

void report_text_mean(long sum, long n, const char *suffix, char *buf, size_t size)
{
	if (n <= 0)
		g_strlcpy(buf, "-", size);
	else
		g_snprintf(buf, size, "%.1f%s", report_round1((double)sum / (double)n), suffix);
}

void report_text_kpi(enum report_kpi k, bool has, double value, char *buf, size_t size)
{
	const char *unit = report_kpi_unit(k);

	if (!has)
		g_strlcpy(buf, "-", size);
	else
		g_snprintf(buf, size, "%.1f%s%s", report_round1(value), *unit ? " " : "", unit);
}

void report_text_pad(GString *out, const char *s, int width, bool right)
{
	long len = g_utf8_validate(s, -1, NULL) ? g_utf8_strlen(s, -1) : (long)strlen(s);

	if (right)
		for (long i = len; i < width; i++)
			g_string_append_c(out, ' ');
	g_string_append(out, s);
	if (!right)
		for (long i = len; i < width; i++)
			g_string_append_c(out, ' ');
}
