/*
 * report_dates.h - dates of a report in the reader's language (ICU) and
 * the report's zone: the window, the weeks, due times.  Room: report.
 */
#ifndef TM_REPORT_DATES_H
#define TM_REPORT_DATES_H

#include <stdint.h>

struct report_dates;

/* locale: a BCP 47 tag ("de", "ar", "pt-BR"); zone: IANA.  Never NULL:
 * what ICU cannot format comes out as ISO 8601 ("2026-03-02"). */
struct report_dates *report_dates_new(const char *locale, const char *zone);
void report_dates_free(struct report_dates *d);

/* "2 Mar 2026" (the locale's pattern for year, abbreviated month, day). */
char *report_dates_day(struct report_dates *d, int64_t t);
/* "2 Mar", for the axis of a chart. */
char *report_dates_short(struct report_dates *d, int64_t t);
/* "2 Mar 2026, 13:00". */
char *report_dates_time(struct report_dates *d, int64_t t);
/* "2026-03-02" in the report's zone (for machines: datetime=, CSV). */
char *report_dates_iso_day(struct report_dates *d, int64_t t);

#endif
