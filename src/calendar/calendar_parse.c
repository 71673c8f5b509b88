/*
 * calendar_parse.c - a calendar read from its configuration (see
 * calendar.h): the time zone, the opening hours ("mon-fri 09:00-18:00")
 * and the holidays ("2026-01-01, *\/05-01").  Every error names the part
 * it could not read.  The arithmetic on a parsed calendar is in
 * calendar.c; SLA durations are read in sla_duration.c.
 * Room: calendar.
 */
#include "config.h"
#include "calendar/calendar.h"
#include "calendar/calendar_internal.h"

#include <glib.h>
#include <string.h>

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
	g_array_sort(cal->holiday_dates, calendar_compare_keys);
	g_array_sort(cal->yearly_holidays, calendar_compare_keys);
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
	calendar_give_error(message, error);
	if (!cal)
		return NULL;
	for (int d = 0; d < DAYS_PER_WEEK; d++)
		cal->has_shifts = cal->has_shifts || cal->shifts[d]->len > 0;
	calendar_zone_table_build(&cal->offsets, cal->zone);
	return cal;
}

void calendar_free(struct calendar *cal)
{
	if (!cal)
		return;
	calendar_zone_table_clear(&cal->offsets);
	if (cal->zone)
		g_time_zone_unref(cal->zone);
	for (int d = 0; d < DAYS_PER_WEEK; d++)
		g_array_unref(cal->shifts[d]);
	g_array_unref(cal->holiday_dates);
	g_array_unref(cal->yearly_holidays);
	g_free(cal);
}
