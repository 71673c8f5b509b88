/*
 * calendar.c - business-time arithmetic on parsed calendars (see
 * calendar.h): whether they are open, and the due time of an SLA.  The
 * calendars are read in calendar_parse.c, SLA durations in
 * sla_duration.c.
 *
 * A calendar is stored as its GTimeZone and, for each weekday, the shifts
 * that start on that day as minutes after local midnight (a shift that
 * crosses midnight simply ends after minute 1440).  Questions about UTC
 * instants are answered by turning the shifts of the few local days
 * around the instant into UTC intervals, one day at a time; daylight-
 * saving changes fall out of the local-to-UTC conversion.  The only
 * thing precomputed is the zone's offsets over the years SLAs are
 * computed in (struct zone_table), built when the calendar is parsed:
 * calendars stay immutable and thread-safe.
 * Several calendars are combined by walking the union of their intervals.
 * Room: calendar.
 */
#include "config.h"
#include "calendar/calendar.h"
#include "calendar/calendar_internal.h"

#include <glib.h>
#include <stdlib.h>

/* How far ahead to look for an opening before calling a calendar closed
 * for good: eleven years, so that even a calendar open only on 29
 * February (yearly holidays on every other date) is found across the
 * eight-year gap around 2100.  Costs a few hundred microseconds for a
 * calendar that truly never opens ("closed" is answered at once). */
#define CALENDAR_SEARCH_DAYS 4018

/* Years 1 to 9999: keeps every day-number and offset sum far from
 * overflow, and GLib's zones cover it. */
#define CALENDAR_TIME_MIN INT64_C(-62135596800)
#define CALENDAR_TIME_MAX INT64_C(253402300799)

/* 2020-01-01 to 2060-01-01 UTC: now, plus the years an SLA or a search
 * for the next opening can reach. */
#define ZONE_TABLE_FROM INT64_C(1577836800)
#define ZONE_TABLE_UNTIL INT64_C(2840140800)
/* Sampling step while building: GLib's interval index only grows, so two
 * samples in one interval have no change between them; where they
 * differ, bisection finds each change to the second. */
#define ZONE_TABLE_STEP (32 * SECONDS_PER_DAY)

/* UTC interval [from, until). */
struct interval {
	int64_t from;
	int64_t until;
};

/* ---- day numbers and local time ------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 -> civil date (proleptic Gregorian; H. Hinnant's
 * algorithm, exact for any day number, no tables). */
static void civil_from_days(int64_t days, int *year, int *month, int *day)
{
	int64_t z = days + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t day_of_era = z - era * 146097;
	int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t shifted_month = (5 * day_of_year + 2) / 153;	/* March is 0 */

	*day = (int)(day_of_year - (153 * shifted_month + 2) / 5 + 1);
	*month = (int)(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
	*year = (int)(year_of_era + era * 400 + (*month <= 2));
}

/* 0 = Monday; 1970-01-01 was a Thursday. */
static int weekday_of_day(int64_t days)
{
	return (int)(days + 3 - floor_div(days + 3, DAYS_PER_WEEK) * DAYS_PER_WEEK);
}

static int zone_interval(GTimeZone *tz, int64_t utc)
{
	return g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, utc);
}

static void zone_table_add(struct zone_table *zt, int64_t change, gint32 offset)
{
	if (zt->offsets->len > 0 && g_array_index(zt->offsets, gint32, zt->offsets->len - 1) == offset)
		return;		/* a new interval with the same offset (a new abbreviation) */
	if (zt->offsets->len > 0)
		g_array_append_val(zt->changes, change);
	g_array_append_val(zt->offsets, offset);
}

void calendar_zone_table_build(struct zone_table *zt, GTimeZone *tz)
{
	int64_t t = ZONE_TABLE_FROM;
	int interval = zone_interval(tz, t);

	zt->tz = tz;
	zt->from = ZONE_TABLE_FROM;
	zt->until = ZONE_TABLE_UNTIL;
	zt->changes = g_array_new(FALSE, FALSE, sizeof(int64_t));
	zt->offsets = g_array_new(FALSE, FALSE, sizeof(gint32));
	zone_table_add(zt, t, g_time_zone_get_offset(tz, interval));
	while (t < ZONE_TABLE_UNTIL) {
		int64_t next = MIN(t + ZONE_TABLE_STEP, ZONE_TABLE_UNTIL);

		while (zone_interval(tz, next) != interval) {
			int64_t lo = t, hi = next;	/* interval at lo, another at hi */

			while (hi - lo > 1) {
				int64_t mid = lo + (hi - lo) / 2;

				if (zone_interval(tz, mid) == interval)
					lo = mid;
				else
					hi = mid;
			}
			interval = zone_interval(tz, hi);
			zone_table_add(zt, hi, g_time_zone_get_offset(tz, interval));
			t = hi;
		}
		t = next;
	}
}

void calendar_zone_table_clear(struct zone_table *zt)
{
	if (zt->changes)
		g_array_unref(zt->changes);
	if (zt->offsets)
		g_array_unref(zt->offsets);
}

static int64_t zone_offset_at(const struct zone_table *zt, int64_t utc)
{
	guint lo = 0, hi;

	if (utc < zt->from || utc >= zt->until)
		return g_time_zone_get_offset(zt->tz, zone_interval(zt->tz, utc));
	/* The number of changes at or before utc. */
	hi = zt->changes->len;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;

		if (g_array_index(zt->changes, int64_t, mid) <= utc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return g_array_index(zt->offsets, gint32, lo);
}

int64_t calendar_utc_offset(const struct calendar *cal, int64_t t)
{
	return zone_offset_at(&cal->offsets, t);
}

/* The local day (days since 1970-01-01 on the zone's wall clock) of t. */
static int64_t local_day_of(const struct zone_table *zone, int64_t t)
{
	return floor_div(t + zone_offset_at(zone, t), SECONDS_PER_DAY);
}

/* The first instant after lo whose offset differs from lo's: the moment a
 * clock change happens somewhere in (lo, hi]. */
static int64_t zone_change_between(const struct zone_table *zone, int64_t lo, int64_t hi)
{
	int64_t offset_lo = zone_offset_at(zone, lo);

	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (zone_offset_at(zone, mid) == offset_lo)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* Wall-clock seconds (as if the zone were UTC) -> UTC.  A wall time that
 * happens twice means its first occurrence; one the clock skips means the
 * moment of the jump (see calendar.h for why).  The offsets a day before
 * and after bracket any single clock change. */
static int64_t local_to_utc(const struct zone_table *zone, int64_t wall)
{
	int64_t offset_before = zone_offset_at(zone, wall - SECONDS_PER_DAY);
	int64_t offset_after = zone_offset_at(zone, wall + SECONDS_PER_DAY);
	int64_t utc_before = wall - offset_before, utc_after = wall - offset_after;
	bool before_fits = zone_offset_at(zone, utc_before) == offset_before;
	bool after_fits = zone_offset_at(zone, utc_after) == offset_after;

	if (before_fits && after_fits)
		return MIN(utc_before, utc_after);
	if (before_fits)
		return utc_before;
	if (after_fits)
		return utc_after;
	if (utc_after < utc_before)	/* skipped: the change lies between */
		return zone_change_between(zone, utc_after, utc_before);
	return utc_before;
}

/* ---- holidays and shifts -------------------------------------------- */

int calendar_compare_keys(const void *a, const void *b)
{
	gint32 x = *(const gint32 *)a, y = *(const gint32 *)b;

	return (x > y) - (x < y);
}

static bool sorted_contains(const GArray *keys, gint32 key)
{
	return keys->len > 0 && bsearch(&key, keys->data, keys->len, sizeof(gint32), calendar_compare_keys) != NULL;
}

static bool calendar_is_holiday(const struct calendar *cal, int64_t local_day)
{
	int year, month, day;

	civil_from_days(local_day, &year, &month, &day);
	return sorted_contains(cal->yearly_holidays, month * 100 + day) ||
	       sorted_contains(cal->holiday_dates, year * 10000 + month * 100 + day);
}

/* The shift of local_day as a UTC interval; empty when the whole shift
 * falls into an hour skipped by a clock change. */
static struct interval shift_on_day(const struct calendar *cal, const struct shift *s, int64_t local_day)
{
	int64_t midnight = local_day * SECONDS_PER_DAY;
	struct interval iv = {
		local_to_utc(&cal->offsets, midnight + (int64_t)s->start_minute * SECONDS_PER_MINUTE),
		local_to_utc(&cal->offsets, midnight + (int64_t)s->end_minute * SECONDS_PER_MINUTE),
	};
	return iv;
}

/* The shift of this calendar that is open soonest at or after t (ties go
 * to the one that stays open longest).  Shifts of a later day start later,
 * so the first day with a candidate holds the answer; the day before t's
 * day is included for shifts that cross midnight into it.  False when the
 * calendar does not open within CALENDAR_SEARCH_DAYS. */
static bool calendar_next_shift(const struct calendar *cal, int64_t t, struct interval *out)
{
	int64_t first_day = local_day_of(&cal->offsets, t) - 1;

	if (!cal->has_shifts)
		return false;
	for (int64_t d = first_day; d <= first_day + CALENDAR_SEARCH_DAYS; d++) {
		const GArray *shifts = cal->shifts[weekday_of_day(d)];
		bool found = false;

		if (shifts->len == 0 || calendar_is_holiday(cal, d))
			continue;
		for (guint i = 0; i < shifts->len; i++) {
			struct interval iv = shift_on_day(cal, &g_array_index(shifts, struct shift, i), d);

			if (iv.until <= iv.from || iv.until <= t)
				continue;
			if (!found || MAX(iv.from, t) < MAX(out->from, t) ||
			    (MAX(iv.from, t) == MAX(out->from, t) && iv.until > out->until))
				*out = iv;
			found = true;
		}
		if (found)
			return true;
	}
	return false;
}

/* ---- several calendars ---------------------------------------------- */

static bool time_in_range(int64_t t)
{
	return t >= CALENDAR_TIME_MIN && t <= CALENDAR_TIME_MAX;
}

/* The earliest moment at or after t when any calendar is open.  (A flag,
 * not -1, says "never": times before 1970 are negative.) */
static bool calendars_next_open(struct calendar *const *cals, size_t n, int64_t t, int64_t *when)
{
	bool found = false;

	for (size_t i = 0; i < n; i++) {
		struct interval iv;

		if (calendar_next_shift(cals[i], t, &iv) && (!found || MAX(iv.from, t) < *when)) {
			*when = MAX(iv.from, t);
			found = true;
		}
	}
	return found;
}

/* Where the open stretch that begins at `from` ends: shifts of any
 * calendar that touch or overlap it extend it.  Stops once the stretch is
 * `enough` long, because 24-hour coverage never ends. */
static int64_t calendars_open_until(struct calendar *const *cals, size_t n, int64_t from, int64_t enough)
{
	int64_t end = from;
	bool extended;

	do {
		extended = false;
		for (size_t i = 0; i < n && end - from < enough; i++) {
			struct interval iv;

			if (calendar_next_shift(cals[i], end, &iv) && iv.from <= end && iv.until > end) {
				end = iv.until;
				extended = true;
			}
		}
	} while (extended && end - from < enough);
	return end;
}

bool calendar_is_open(struct calendar *const *cals, size_t n, int64_t t)
{
	int64_t when;

	return time_in_range(t) && calendars_next_open(cals, n, t, &when) && when == t;
}

int64_t calendar_add_business_minutes(struct calendar *const *cals, size_t n, int64_t start,
				      int64_t minutes)
{
	int64_t remaining, t = start;

	if (minutes < 0 || minutes > (CALENDAR_TIME_MAX - CALENDAR_TIME_MIN) / SECONDS_PER_MINUTE ||
	    !time_in_range(start))
		return -1;
	remaining = minutes * SECONDS_PER_MINUTE;
	for (;;) {
		int64_t from, until;

		if (!calendars_next_open(cals, n, t, &from) || !time_in_range(from))
			return -1;
		if (remaining == 0)
			return from;
		until = calendars_open_until(cals, n, from, remaining);
		if (until <= from)	/* cannot happen (from is open); never spin in a milter thread */
			return -1;
		if (until - from >= remaining)
			return time_in_range(from + remaining) ? from + remaining : -1;
		remaining -= until - from;
		t = until;
	}
}

int64_t calendar_business_seconds(struct calendar *const *cals, size_t n, int64_t from, int64_t until)
{
	int64_t total = 0, t = from;

	if (until <= from)
		return 0;
	if (n == 0)
		return until - from;
	if (!time_in_range(from) || !time_in_range(until))
		return -1;
	while (t < until) {
		int64_t open, end;

		if (!calendars_next_open(cals, n, t, &open) || open >= until)
			break;
		end = calendars_open_until(cals, n, open, until - open);
		if (end <= open)	/* cannot happen (open is open); never spin */
			return -1;
		total += MIN(end, until) - open;
		t = end;
	}
	return total;
}

int64_t sla_due(struct calendar *const *cals, size_t n, int64_t start, int64_t minutes, bool calendar_time)
{
	if (calendar_time || n == 0) {
		if (minutes < 0 || !time_in_range(start) ||
		    minutes > (CALENDAR_TIME_MAX - start) / SECONDS_PER_MINUTE)
			return -1;
		return start + minutes * SECONDS_PER_MINUTE;
	}
	return calendar_add_business_minutes(cals, n, start, minutes);
}
