/*
 * report_store.h - a store with known answers for the report's tests
 * (test_report.c, and tests/report/browser.sh through report_fixture):
 * two weeks of tickets in two queues, one with business hours, with the
 * cases each figure must get right.  report_store.c lists the tickets
 * and test_report.c the figures they give.
 */
#ifndef TM_REPORT_STORE_H
#define TM_REPORT_STORE_H

#include "config/settings.h"
#include "store/store.h"

/* The window: Monday 2 March 2026 to Sunday 15 March 2026 (UTC), two
 * weeks; the report is made at its end. */
#define REPORT_STORE_SINCE INT64_C(1772409600)
#define REPORT_STORE_UNTIL INT64_C(1773619200)
#define REPORT_STORE_NOW REPORT_STORE_UNTIL

/* 2026-03-DAY HH:MM UTC (DAY 0 is 28 February, -49 is 10 January). */
#define REPORT_MARCH(day, hour, minute) \
	(INT64_C(1772409600) + ((int64_t)(day) - 2) * 86400 + (int64_t)(hour) * 3600 + (int64_t)(minute) * 60)

/* Writes dir/ticket-milter.conf (queue support with the office calendar,
 * mon-fri 09:00-17:00 UTC with 11 March a holiday; queue billing without
 * calendars), dir/secret and dir/tickets.db, and fills the store.
 * Returns the settings and the open store, or NULL (said on stderr). */
struct settings *report_store_create(const char *dir, struct store **st);

#endif
