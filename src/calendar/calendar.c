/*
 * calendar.c - business hours, holidays and SLA due times (see calendar.h).
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
 */
#include "config.h"
#include "calendar/calendar.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define SECONDS_PER_MINUTE 60
#define MINUTES_PER_DAY 1440
#define SECONDS_PER_DAY 86400
#define DAYS_PER_WEEK 7

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

/* Beyond a year an SLA is a typo, and the walk over shifts would get long. */
#define SLA_MAX_MINUTES (366 * MINUTES_PER_DAY)
#define SLA_MINUTES_PER_BUSINESS_DAY (8 * 60)

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

/* 2020-01-01 to 2060-01-01 UTC: now, plus the years an SLA or a search
 * for the next opening can reach. */
#define ZONE_TABLE_FROM INT64_C(1577836800)
#define ZONE_TABLE_UNTIL INT64_C(2840140800)
/* Sampling step while building: GLib's interval index only grows, so two
 * samples in one interval have no change between them; where they
 * differ, bisection finds each change to the second. */
#define ZONE_TABLE_STEP (32 * SECONDS_PER_DAY)

struct calendar {
	GTimeZone *zone;
	struct zone_table offsets;
	GArray *shifts[DAYS_PER_WEEK];	/* struct shift; index 0 is Monday */
	GArray *holiday_dates;		/* gint32 YYYYMMDD, sorted */
	GArray *yearly_holidays;	/* gint32 MMDD, sorted */
	bool has_shifts;
};

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

static void zone_table_build(struct zone_table *zt, GTimeZone *tz)
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

static void zone_table_clear(struct zone_table *zt)
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

static int compare_gint32(const void *a, const void *b)
{
	gint32 x = *(const gint32 *)a, y = *(const gint32 *)b;

	return (x > y) - (x < y);
}

static bool sorted_contains(const GArray *keys, gint32 key)
{
	return keys->len > 0 && bsearch(&key, keys->data, keys->len, sizeof(gint32), compare_gint32) != NULL;
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

/* ---- parsing ------------------------------------------------------------ */

static const char *const day_keywords[DAYS_PER_WEEK] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static int day_index(const char *word, size_t len)
{
	for (int i = 0; i < DAYS_PER_WEEK; i++)
		if (len == 3 && g_ascii_strncasecmp(word, day_keywords[i], 3) == 0)
			return i;
	return -1;
}

/* "mon", "mon-fri", "fri-mon" (wraps over the weekend) or "daily". */
static bool parse_day_range(const char *word, bool days[DAYS_PER_WEEK])
{
	const char *dash = strchr(word, '-');
	int first, last;

	memset(days, 0, DAYS_PER_WEEK * sizeof(bool));
	if (g_ascii_strcasecmp(word, "daily") == 0) {
		memset(days, 1, DAYS_PER_WEEK * sizeof(bool));
		return true;
	}
	if (!dash) {
		first = last = day_index(word, strlen(word));
	} else {
		first = day_index(word, (size_t)(dash - word));
		last = day_index(dash + 1, strlen(dash + 1));
	}
	if (first < 0 || last < 0)
		return false;
	for (int d = first;; d = (d + 1) % DAYS_PER_WEEK) {
		days[d] = true;
		if (d == last)
			return true;
	}
}

/* "HH:MM" or "H:MM" into minutes after midnight; "24:00" only as an end. */
static bool parse_clock(const char *text, size_t len, bool is_end, int *minute)
{
	int hours = 0, minutes;
	size_t colon = 0;

	while (colon < len && colon < 3 && g_ascii_isdigit(text[colon]))
		hours = hours * 10 + (text[colon++] - '0');
	if (colon == 0 || colon > 2 || len != colon + 3 || text[colon] != ':' ||
	    !g_ascii_isdigit(text[colon + 1]) || !g_ascii_isdigit(text[colon + 2]))
		return false;
	minutes = (text[colon + 1] - '0') * 10 + (text[colon + 2] - '0');
	if (minutes > 59 || hours > 24 || (hours == 24 && (minutes != 0 || !is_end)))
		return false;
	*minute = hours * 60 + minutes;
	return true;
}

/* "09:00-18:00"; an end at or before the start is on the next day. */
static bool parse_time_range(const char *word, struct shift *out, char **error)
{
	const char *dash = strchr(word, '-');

	if (!dash || !parse_clock(word, (size_t)(dash - word), false, &out->start_minute) ||
	    !parse_clock(dash + 1, strlen(dash + 1), true, &out->end_minute)) {
		*error = g_strdup_printf("hours: '%s' is not a time range (HH:MM-HH:MM, e.g. 09:00-18:00)", word);
		return false;
	}
	if (out->end_minute == out->start_minute) {
		*error = g_strdup_printf("hours: '%s' is empty (for a whole day write 00:00-24:00)", word);
		return false;
	}
	if (out->end_minute < out->start_minute)
		out->end_minute += MINUTES_PER_DAY;
	return true;
}

/* One item: "mon-fri 09:00-12:00 13:00-18:00", or ranges alone that reuse
 * the days of the previous item (carried in days). */
static bool parse_hours_item(struct calendar *cal, const char *item, bool days[DAYS_PER_WEEK],
			     bool *have_days, char **error)
{
	char **words = g_strsplit_set(item, " \t", -1);
	bool ranges_seen = false, ok = true;
	const char *day_word = NULL;

	for (char **w = words; ok && *w; w++) {
		struct shift s;

		if (**w == '\0')
			continue;
		if (!ranges_seen && !day_word && g_ascii_isalpha(**w)) {
			day_word = *w;
			ok = parse_day_range(*w, days);
			if (!ok)
				*error = g_strdup_printf("hours: '%s' is not a day range "
							 "(mon..sun, e.g. mon-fri, or daily)", *w);
			*have_days = ok;
			continue;
		}
		if (!*have_days) {
			*error = g_strdup_printf("hours: '%s' has no days before it (e.g. mon-fri %s)", *w, *w);
			ok = false;
			break;
		}
		ok = parse_time_range(*w, &s, error);
		for (int d = 0; ok && d < DAYS_PER_WEEK; d++)
			if (days[d])
				g_array_append_val(cal->shifts[d], s);
		ranges_seen = ranges_seen || ok;
	}
	if (ok && !ranges_seen) {
		*error = day_word ? g_strdup_printf("hours: '%s' has no time range (e.g. %s 09:00-18:00)",
						    day_word, day_word)
				  : g_strdup("hours: empty item between commas");
		ok = false;
	}
	g_strfreev(words);
	return ok;
}

static bool parse_hours(struct calendar *cal, const char *hours, char **error)
{
	char *trimmed = g_strstrip(g_strdup(hours ? hours : ""));
	bool days[DAYS_PER_WEEK] = { false }, have_days = false, ok = true;
	char **items;

	if (g_ascii_strcasecmp(trimmed, "closed") == 0) {
		g_free(trimmed);
		return true;
	}
	if (*trimmed == '\0') {
		*error = g_strdup("hours: empty (write 'closed' for a calendar that never opens)");
		g_free(trimmed);
		return false;
	}
	items = g_strsplit(trimmed, ",", -1);
	for (char **item = items; ok && *item; item++)
		ok = parse_hours_item(cal, *item, days, &have_days, error);
	g_strfreev(items);
	g_free(trimmed);
	return ok;
}

/* Exactly `count` ASCII digits at text into *value. */
static bool read_digits(const char *text, int count, unsigned *value)
{
	*value = 0;
	for (int i = 0; i < count; i++) {
		if (!g_ascii_isdigit(text[i]))
			return false;
		*value = *value * 10 + (unsigned)(text[i] - '0');
	}
	return true;
}

/* "2026-01-01" or "*\/05-01". */
static bool parse_holiday(struct calendar *cal, const char *word, char **error)
{
	bool yearly = g_str_has_prefix(word, "*/");
	const char *month_day = yearly ? word + 2 : word + 5;
	unsigned year = 2000, month = 0, day = 0;	/* 2000 is a leap year: *\/02-29 is valid */
	bool ok = strlen(word) == (yearly ? 7u : 10u) &&
		  (yearly || (read_digits(word, 4, &year) && word[4] == '-')) &&
		  read_digits(month_day, 2, &month) && month_day[2] == '-' && read_digits(month_day + 3, 2, &day) &&
		  year >= 1 && g_date_valid_dmy((GDateDay)day, (GDateMonth)month, (GDateYear)year);
	gint32 key = (gint32)((yearly ? 0 : year * 10000) + month * 100 + day);

	if (!ok) {
		*error = g_strdup_printf("holidays: '%s' is not a date (YYYY-MM-DD, or */MM-DD every year)", word);
		return false;
	}
	g_array_append_val(yearly ? cal->yearly_holidays : cal->holiday_dates, key);
	return true;
}

static bool parse_holidays(struct calendar *cal, const char *holidays, char **error)
{
	char **words = g_strsplit_set(holidays ? holidays : "", ", \t", -1);
	bool ok = true;

	for (char **w = words; ok && *w; w++)
		if (**w != '\0')
			ok = parse_holiday(cal, *w, error);
	g_strfreev(words);
	g_array_sort(cal->holiday_dates, compare_gint32);
	g_array_sort(cal->yearly_holidays, compare_gint32);
	return ok;
}

static GTimeZone *parse_zone(const char *id, char **error)
{
	GTimeZone *zone = NULL;

	/* GLib reads NULL or "" as "the local zone": never what a queue meant. */
	if (!id || !*id) {
		*error = g_strdup("timezone: missing (an IANA name, e.g. Europe/Berlin)");
		return NULL;
	}
#if GLIB_CHECK_VERSION(2, 68, 0)
	zone = g_time_zone_new_identifier(id);
#else
	/* Before 2.68 unknown names silently became UTC. */
	zone = g_time_zone_new(id);
	if (strcmp(g_time_zone_get_identifier(zone), id) != 0) {
		g_time_zone_unref(zone);
		zone = NULL;
	}
#endif
	if (!zone)
		*error = g_strdup_printf("timezone: '%s' is not a known time zone "
					 "(an IANA name, e.g. Europe/Berlin)", id);
	return zone;
}

/* Hands a parse error to a caller that may not want it. */
static void give_error(char *message, char **error)
{
	if (error)
		*error = message;
	else
		g_free(message);
}

struct calendar *calendar_parse(const char *zone_name, const char *hours, const char *holidays,
				char **error)
{
	struct calendar *cal = g_new0(struct calendar, 1);
	char *message = NULL;

	for (int d = 0; d < DAYS_PER_WEEK; d++)
		cal->shifts[d] = g_array_new(FALSE, FALSE, sizeof(struct shift));
	cal->holiday_dates = g_array_new(FALSE, FALSE, sizeof(gint32));
	cal->yearly_holidays = g_array_new(FALSE, FALSE, sizeof(gint32));
	cal->zone = parse_zone(zone_name, &message);
	if (!cal->zone || !parse_hours(cal, hours, &message) || !parse_holidays(cal, holidays, &message)) {
		calendar_free(cal);
		cal = NULL;
	}
	give_error(message, error);
	if (!cal)
		return NULL;
	for (int d = 0; d < DAYS_PER_WEEK; d++)
		cal->has_shifts = cal->has_shifts || cal->shifts[d]->len > 0;
	zone_table_build(&cal->offsets, cal->zone);
	return cal;
}

void calendar_free(struct calendar *cal)
{
	if (!cal)
		return;
	zone_table_clear(&cal->offsets);
	if (cal->zone)
		g_time_zone_unref(cal->zone);
	for (int d = 0; d < DAYS_PER_WEEK; d++)
		g_array_unref(cal->shifts[d]);
	g_array_unref(cal->holiday_dates);
	g_array_unref(cal->yearly_holidays);
	g_free(cal);
}

/* ---- SLA durations ------------------------------------------------------ */

enum sla_unit { SLA_DAYS, SLA_HOURS, SLA_MINUTES, SLA_UNITS };

/* Reads "<digits><unit>" at *p (spaces allowed between), the unit one of
 * d, h, m and after *last_unit, into amounts[unit].  Days are kept apart
 * because their length depends on the suffix that follows. */
static bool parse_duration_term(const char **p, int *last_unit, int64_t amounts[SLA_UNITS])
{
	static const char units[] = "dhm";
	const char *s = *p, *unit;
	int64_t value = 0;

	if (!g_ascii_isdigit(*s))
		return false;
	while (g_ascii_isdigit(*s)) {
		value = value * 10 + (*s++ - '0');
		if (value > SLA_MAX_MINUTES)
			return false;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || !(unit = strchr(units, g_ascii_tolower(*s))))
		return false;
	if ((int)(unit - units) <= *last_unit || g_ascii_isalpha(s[1]))
		return false;
	*last_unit = (int)(unit - units);
	amounts[*last_unit] = value;
	*p = s + 1;
	return true;
}

/* A failed term for error messages: "8x", or "8 hours" when the digits
 * stand apart from their unit. */
static char *term_at(const char *p)
{
	size_t len = strcspn(p, " \t");

	if (strspn(p, "0123456789") == len && p[len] != '\0') {
		size_t gap = strspn(p + len, " \t");
		len += gap + strcspn(p + len + gap, " \t");
	}
	return g_strndup(p, len);
}

/* "calendar", "business" or nothing after the amounts. */
static bool parse_duration_suffix(const char *p, bool *wall_clock, char **error)
{
	size_t len = strcspn(p, " \t");
	const char *rest = p + len + strspn(p + len, " \t");
	bool business = len == 8 && g_ascii_strncasecmp(p, "business", 8) == 0;
	char *word;

	*wall_clock = len == 8 && g_ascii_strncasecmp(p, "calendar", 8) == 0;
	if (*p == '\0' || ((*wall_clock || business) && *rest == '\0'))
		return true;
	if (*wall_clock || business) {
		word = g_strndup(rest, strcspn(rest, " \t"));
		*error = g_strdup_printf("duration: '%s' after '%.8s' (one of calendar or business, at the end)",
					 word, p);
	} else {
		word = g_strndup(p, len);
		*error = g_strdup_printf("duration: '%s' is not 'calendar' or 'business'", word);
	}
	g_free(word);
	return false;
}

static bool sla_parse(const char *text, int64_t *minutes, bool *calendar_time, char **error)
{
	const char *p = text ? text : "";
	int last_unit = -1;
	int64_t amounts[SLA_UNITS] = { 0 }, total;
	bool wall_clock = false;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || g_ascii_isalpha(*p))
			break;
		if (!parse_duration_term(&p, &last_unit, amounts)) {
			char *word = term_at(p);
			*error = g_strdup_printf("duration: '%s' is not a duration (e.g. 8h, 90m, 5d, 1h 30m; "
						 "units d, h, m at most once each, in that order)", word);
			g_free(word);
			return false;
		}
	}
	if (last_unit < 0) {
		*error = g_strdup_printf("duration: '%s' has no amount (e.g. 8h, 90m, 5d, 1h 30m)", text ? text : "");
		return false;
	}
	if (!parse_duration_suffix(p, &wall_clock, error))
		return false;
	total = amounts[SLA_DAYS] * (wall_clock ? MINUTES_PER_DAY : SLA_MINUTES_PER_BUSINESS_DAY) +
		amounts[SLA_HOURS] * 60 + amounts[SLA_MINUTES];
	if (total > SLA_MAX_MINUTES) {
		*error = g_strdup_printf("duration: '%s' is longer than 366 days", text);
		return false;
	}
	*minutes = total;
	*calendar_time = wall_clock;
	return true;
}

bool sla_parse_duration(const char *text, int64_t *minutes, bool *calendar_time, char **error)
{
	char *message = NULL;
	bool parsed = sla_parse(text, minutes, calendar_time, &message);

	give_error(message, error);
	return parsed;
}
