/*
 * calendar_internal.h - what calendar.c (business-time arithmetic),
 * calendar_parse.c (reading a calendar) and sla_duration.c (reading a
 * duration) share, private to them: the calendar as stored, the zone
 * table that calendar.c builds for a parsed calendar, and how a parse
 * error is handed over.
 * Room: calendar.
 */
#ifndef TM_CALENDAR_INTERNAL_H
#define TM_CALENDAR_INTERNAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define SECONDS_PER_MINUTE 60
#define MINUTES_PER_DAY 1440
#define SECONDS_PER_DAY 86400
#define DAYS_PER_WEEK 7

/* One opening: local minutes after midnight of the day it starts on;
 * end_minute may exceed MINUTES_PER_DAY when it crosses midnight. */
struct shift {
	int start_minute;
	int end_minute;
};

/* The offsets of a zone over [from, until), as the instants where they
 * change.  GLib finds the offset of an instant with a linear scan over
 * every transition of the zone (hundreds), and one SLA asks it a few
 * hundred times: that scan was the largest cost of an acknowledgement.
 * The table is built from GLib's own answers, so it agrees with GLib;
 * instants outside it are still asked of GLib. */
struct zone_table {
	GTimeZone *tz;			/* borrowed from the calendar */
	int64_t from, until;
	GArray *changes;		/* int64_t, sorted: where an offset starts */
	GArray *offsets;		/* gint32: offsets[0] before changes[0], offsets[k] from changes[k - 1] */
};

struct calendar {
	GTimeZone *zone;
	struct zone_table offsets;
	GArray *shifts[DAYS_PER_WEEK];	/* struct shift; index 0 is Monday */
	GArray *holiday_dates;		/* gint32 YYYYMMDD, sorted */
	GArray *yearly_holidays;	/* gint32 MMDD, sorted */
	bool has_shifts;
};

/* Fills zt with tz's offsets over the years SLAs are computed in; zt
 * borrows tz.  calendar_zone_table_clear releases what it holds. */
void calendar_zone_table_build(struct zone_table *zt, GTimeZone *tz);
void calendar_zone_table_clear(struct zone_table *zt);
/* qsort/bsearch order of the gint32 holiday keys. */
int calendar_compare_keys(const void *a, const void *b);

/* Hands a parse error to a caller that may not want it. */
static inline void calendar_give_error(char *message, char **error)
{
	if (error)
		*error = message;
	else
		g_free(message);
}

#endif
