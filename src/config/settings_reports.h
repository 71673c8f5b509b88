/*
 * settings_reports.h - [report NAME] sections: a report mailed to
 * managers on a schedule (the weekly mail).  settings.c reads the keys;
 * the struct lives in settings.h with the rest of the snapshot.
 * Room: config.
 *
 *   [report managers]
 *   to = managers@example.com
 *   schedule = mon 08:00 Europe/Istanbul
 *   queues = support, billing
 *   by = locale
 *   locale = tr
 *   window = 7d
 *
 * schedule is DAYS HH:MM ZONE: DAYS one of mon .. sun, several joined
 * by commas ("mon,thu"), or "daily"; the zone an IANA name (the report's
 * weeks and dates are in it too).  queues: whose support identity sends
 * it and whose default locale is the default of locale (the first
 * named; every queue when left out).  window: how far back the report
 * reaches from the scheduled time.
 */
#ifndef TM_SETTINGS_REPORTS_H
#define TM_SETTINGS_REPORTS_H

#include <stdint.h>
#include "config/settings.h"
#include "config/settings_agents.h"

/* After loading: each [report] has a schedule that parses, queues that
 * exist, a known breakdown and a locale (canonical).  Reports every
 * problem. */
void settings_reports_check(struct settings *s, settings_complaint on_problem, void *ctx);
void settings_reports_free(struct settings *s);

/* The [report] section named id, or NULL. */
const struct report_def *settings_report(const struct settings *s, const char *id);

/* The first scheduled time of r strictly after t (Unix seconds). */
int64_t report_def_next(const struct report_def *r, int64_t t);

#endif
