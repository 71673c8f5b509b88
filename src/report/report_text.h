/*
 * report_text.h - how the writers show a figure: hours, percentages,
 * means, a headline against its target, and padding by characters
 * (private to src/report).  Room: report.
 *
 * Every figure is shown with one decimal and its unit; "-" is no data.
 */
#ifndef TM_REPORT_TEXT_H
#define TM_REPORT_TEXT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "report/report.h"

/* "1.5 h" (seconds shown in hours), or "-" when n is 0. */
void report_text_hours(long n, double seconds, char *buf, size_t size);
/* "75.0 %", or "-" when whole is 0. */
void report_text_percent(long part, long whole, char *buf, size_t size);
/* "3.5" and suffix (" / 5"), or "-" when n is 0. */
void report_text_mean(long sum, long n, const char *suffix, char *buf, size_t size);
/* A headline figure: "75.0 %", NPS "-12.5", CES "6.0 / 7"; "-" without data. */
void report_text_kpi(enum report_kpi k, bool has, double value, char *buf, size_t size);
/* Appends s padded with spaces to width characters (not bytes), on the
 * left when right-aligned. */
void report_text_pad(GString *out, const char *s, int width, bool right);

#endif
