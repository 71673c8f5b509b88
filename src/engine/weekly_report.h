/*
 * weekly_report.h - the report mailed to managers on its schedule
 * ([report NAME], settings_reports.h): a kind of scheduled mail
 * (scheduled_mail.h) about no ticket.  Room: engine.
 *
 * Each occurrence is one row: ticket 0, the report's name as target and
 * the scheduled minute (Unix minutes) as level, so that planning it
 * twice adds nothing and several daemons send it once.  The next row is
 * planned when one is sent, and from the configuration whenever the
 * scheduler looks (weekly_report_plan), so a report added by a reload
 * gets its first.  A row whose report is gone or whose schedule moved
 * is cancelled.  The mail (report_mail.h) goes through the outbox, one
 * per recipient, from the support identity of the report's first queue.
 */
#ifndef TM_WEEKLY_REPORT_H
#define TM_WEEKLY_REPORT_H

#include <stdint.h>
#include "engine/scheduled_mail.h"

#define WEEKLY_REPORT_KIND "report"

extern const struct scheduled_kind weekly_report_kind;

/* Adds each configured report's next row after now unless it is there
 * already; 0 or -1 (store_error). */
int weekly_report_plan(const struct settings *s, struct store *st, int64_t now);

#endif
