/* test_calendar.c - business hours, holidays, daylight saving, follow-the-sun
 * calendars and SLA durations give the due times a person would compute. */
#include "config.h"
#include "tap.h"
#include "calendar/calendar.h"

#include <glib.h>

#define MAX_CALS 2

struct cal_spec {
	const char *zone;	/* NULL: slot unused */
	const char *hours;
	const char *holidays;
};

struct due_case {
	const char *name;
	struct cal_spec cals[MAX_CALS];
	const char *start;	/* ISO 8601 with the offset in force there */
	int64_t minutes;
	const char *due;	/* ISO 8601, or NULL for -1 */
};

#define BERLIN_OFFICE { "Europe/Berlin", "mon-fri 09:00-18:00", NULL }
#define NY_OFFICE { "America/New_York", "mon-fri 09:00-18:00", NULL }
#define ISTANBUL_OFFICE { "Europe/Istanbul", "mon-fri 09:00-18:00", NULL }
#define YEAR_END_HOLIDAYS "*/12-24, */12-25, */12-26, */12-31, */01-01"

static const struct due_case due_cases[] = {
	/* The working week. */
	{ "Friday 17:59, one business minute left: due at closing, not Monday",
	  { BERLIN_OFFICE }, "2026-03-06T17:59:00+01:00", 1, "2026-03-06T18:00:00+01:00" },
	{ "Friday 17:59, two minutes: the second one on Monday",
	  { BERLIN_OFFICE }, "2026-03-06T17:59:00+01:00", 2, "2026-03-09T09:01:00+01:00" },
	{ "received on Saturday: the clock starts Monday 09:00",
	  { BERLIN_OFFICE }, "2026-03-07T10:00:00+01:00", 60, "2026-03-09T10:00:00+01:00" },
	{ "received before opening, 0 minutes: the opening",
	  { BERLIN_OFFICE }, "2026-03-09T07:00:00+01:00", 0, "2026-03-09T09:00:00+01:00" },
	{ "received while open, 0 minutes: the same moment",
	  { BERLIN_OFFICE }, "2026-03-09T10:15:00+01:00", 0, "2026-03-09T10:15:00+01:00" },
	{ "received exactly at closing: the clock starts next morning",
	  { BERLIN_OFFICE }, "2026-03-09T18:00:00+01:00", 30, "2026-03-10T09:30:00+01:00" },
	{ "8h from Monday 09:00: Monday 17:00",
	  { BERLIN_OFFICE }, "2026-03-09T09:00:00+01:00", 480, "2026-03-09T17:00:00+01:00" },
	{ "5d = 40 business hours, not 5 opening days: with 9-hour days Monday 10:00 -> Friday 14:00",
	  { BERLIN_OFFICE }, "2026-03-09T10:00:00+01:00", 2400, "2026-03-13T14:00:00+01:00" },
	{ "two ranges a day: the lunch break does not count",
	  { { "Europe/Berlin", "mon-fri 09:00-12:00 13:00-17:00", NULL } },
	  "2026-03-09T11:30:00+01:00", 60, "2026-03-09T13:30:00+01:00" },
	{ "an item of ranges alone reuses the previous days",
	  { { "Europe/Berlin", "mon-fri 09:00-12:00, 13:00-17:00", NULL } },
	  "2026-03-09T11:30:00+01:00", 60, "2026-03-09T13:30:00+01:00" },
	{ "overlapping ranges count once",
	  { { "Europe/Berlin", "mon 09:00-12:00, mon 11:00-14:00", NULL } },
	  "2026-03-09T09:00:00+01:00", 240, "2026-03-09T13:00:00+01:00" },
	{ "Saturday hours after a weekday evening",
	  { { "Europe/Berlin", "mon-fri 09:00-18:00, sat 10:00-14:00", NULL } },
	  "2026-03-06T17:00:00+01:00", 120, "2026-03-07T11:00:00+01:00" },

	/* Ranges across midnight. */
	{ "overnight shift: Friday 23:00 + 2h is Saturday 01:00",
	  { { "Europe/Berlin", "fri 22:00-02:00", NULL } },
	  "2026-03-06T23:00:00+01:00", 120, "2026-03-07T01:00:00+01:00" },
	{ "overnight shift used up: the rest next Friday night",
	  { { "Europe/Berlin", "fri 22:00-02:00", NULL } },
	  "2026-03-06T23:00:00+01:00", 240, "2026-03-13T23:00:00+01:00" },
	{ "received after midnight inside Friday's shift",
	  { { "Europe/Berlin", "fri 22:00-02:00", NULL } },
	  "2026-03-07T00:30:00+01:00", 60, "2026-03-07T01:30:00+01:00" },
	{ "weeknight shifts: morning tail, then the evening start",
	  { { "Europe/Berlin", "mon-fri 22:00-06:00", NULL } },
	  "2026-03-10T05:00:00+01:00", 120, "2026-03-10T23:00:00+01:00" },
	{ "24:00 as an end joins the next day's 00:00",
	  { { "Europe/Berlin", "sat 20:00-24:00, sun 00:00-04:00", NULL } },
	  "2026-03-07T23:00:00+01:00", 120, "2026-03-08T01:00:00+01:00" },
	{ "daily 00:00-24:00: 72h are three wall-clock days",
	  { { "Europe/Berlin", "daily 00:00-24:00", NULL } },
	  "2026-03-02T10:00:00+01:00", 72 * 60, "2026-03-05T10:00:00+01:00" },

	/* Holidays. */
	{ "holiday on a Monday (Whit Monday): Friday evening to Tuesday",
	  { { "Europe/Berlin", "mon-fri 09:00-18:00", "2026-05-25" } },
	  "2026-05-22T17:00:00+02:00", 120, "2026-05-26T10:00:00+02:00" },
	{ "the same without the holiday: Monday",
	  { BERLIN_OFFICE }, "2026-05-22T17:00:00+02:00", 120, "2026-05-25T10:00:00+02:00" },
	{ "a holiday on Friday cancels the Friday night shift",
	  { { "Europe/Berlin", "fri 22:00-02:00", "2026-03-06" } },
	  "2026-03-06T21:00:00+01:00", 60, "2026-03-13T23:00:00+01:00" },
	{ "a holiday on Saturday leaves Friday's shift after midnight alone",
	  { { "Europe/Berlin", "fri 22:00-02:00", "2026-03-07" } },
	  "2026-03-07T00:00:00+01:00", 60, "2026-03-07T01:00:00+01:00" },
	{ "year end, yearly holidays: 23 December to 28 December",
	  { { "Europe/Berlin", "mon-fri 09:00-18:00", YEAR_END_HOLIDAYS } },
	  "2026-12-23T17:00:00+01:00", 120, "2026-12-28T10:00:00+01:00" },
	{ "year end, yearly holidays: 30 December to 4 January of the next year",
	  { { "Europe/Berlin", "mon-fri 09:00-18:00", YEAR_END_HOLIDAYS } },
	  "2026-12-30T17:00:00+01:00", 120, "2027-01-04T10:00:00+01:00" },
	{ "year end, yearly and dated holidays together",
	  { { "Europe/Berlin", "mon-fri 09:00-18:00", YEAR_END_HOLIDAYS ", 2027-01-04" } },
	  "2026-12-30T17:00:00+01:00", 120, "2027-01-05T10:00:00+01:00" },

	/* Daylight saving, Europe/Berlin: 29 March 2026 02:00 -> 03:00. */
	{ "Berlin spring forward: sun 01:00-05:00 holds 3 real hours",
	  { { "Europe/Berlin", "sun 01:00-05:00", NULL } },
	  "2026-03-28T12:00:00+01:00", 180, "2026-03-29T05:00:00+02:00" },
	{ "Berlin spring forward: the 181st minute is next Sunday",
	  { { "Europe/Berlin", "sun 01:00-05:00", NULL } },
	  "2026-03-28T12:00:00+01:00", 181, "2026-04-05T01:01:00+02:00" },
	{ "Berlin spring forward: office hours over the weekend of the change",
	  { BERLIN_OFFICE }, "2026-03-27T17:00:00+01:00", 120, "2026-03-30T10:00:00+02:00" },
	{ "Berlin spring forward: 24h coverage, 24 business hours are 24 real hours",
	  { { "Europe/Berlin", "daily 00:00-24:00", NULL } },
	  "2026-03-28T12:00:00+01:00", 1440, "2026-03-29T13:00:00+02:00" },
	{ "Berlin spring forward: a range inside the skipped hour is closed that day",
	  { { "Europe/Berlin", "sun 02:00-02:30", NULL } },
	  "2026-03-28T12:00:00+01:00", 10, "2026-04-05T02:10:00+02:00" },
	/* Europe/Berlin: 25 October 2026 03:00 -> 02:00. */
	{ "Berlin fall back: sun 01:00-05:00 holds 5 real hours",
	  { { "Europe/Berlin", "sun 01:00-05:00", NULL } },
	  "2026-10-24T12:00:00+02:00", 300, "2026-10-25T05:00:00+01:00" },
	{ "Berlin fall back: 4 of those hours end at 04:00 winter time",
	  { { "Europe/Berlin", "sun 01:00-05:00", NULL } },
	  "2026-10-24T12:00:00+02:00", 240, "2026-10-25T04:00:00+01:00" },
	{ "Berlin fall back: a repeated opening time opens the first time",
	  { { "Europe/Berlin", "sun 02:30-04:00", NULL } },
	  "2026-10-24T12:00:00+02:00", 150, "2026-10-25T04:00:00+01:00" },
	{ "Berlin fall back: one minute more is next Sunday",
	  { { "Europe/Berlin", "sun 02:30-04:00", NULL } },
	  "2026-10-24T12:00:00+02:00", 151, "2026-11-01T02:31:00+01:00" },

	/* Daylight saving, America/New_York: 8 March 2026 02:00 -> 03:00. */
	{ "New York spring forward: 24h coverage across the change",
	  { { "America/New_York", "daily 00:00-24:00", NULL } },
	  "2026-03-07T12:00:00-05:00", 1440, "2026-03-08T13:00:00-04:00" },
	{ "New York spring forward: sun 00:00-06:00 holds 5 real hours",
	  { { "America/New_York", "sun 00:00-06:00", NULL } },
	  "2026-03-07T12:00:00-05:00", 300, "2026-03-08T06:00:00-04:00" },
	{ "New York spring forward: the 301st minute is next Sunday",
	  { { "America/New_York", "sun 00:00-06:00", NULL } },
	  "2026-03-07T12:00:00-05:00", 301, "2026-03-15T00:01:00-04:00" },
	{ "New York spring forward: office hours over the weekend of the change",
	  { NY_OFFICE }, "2026-03-06T17:00:00-05:00", 120, "2026-03-09T10:00:00-04:00" },
	/* America/New_York: 1 November 2026 02:00 -> 01:00. */
	{ "New York fall back: 24h coverage across the change",
	  { { "America/New_York", "daily 00:00-24:00", NULL } },
	  "2026-10-31T12:00:00-04:00", 1440, "2026-11-01T11:00:00-05:00" },
	{ "New York fall back: sun 00:00-06:00 holds 7 real hours",
	  { { "America/New_York", "sun 00:00-06:00", NULL } },
	  "2026-10-31T12:00:00-04:00", 420, "2026-11-01T06:00:00-05:00" },
	{ "New York fall back: sun 01:30-03:00 opens at the first 01:30",
	  { { "America/New_York", "sun 01:30-03:00", NULL } },
	  "2026-10-31T12:00:00-04:00", 150, "2026-11-01T03:00:00-05:00" },
	{ "New York fall back: office Friday to Monday across the change",
	  { NY_OFFICE }, "2026-10-30T17:00:00-04:00", 120, "2026-11-02T10:00:00-05:00" },

	/* Follow the sun: Istanbul (UTC+3) and New York, 09:00-18:00 each:
	 * in winter 06:00-15:00Z and 14:00-23:00Z, a gap 23:00-06:00Z. */
	{ "Istanbul + New York: Monday noon UTC + 10h, inside the joint day",
	  { ISTANBUL_OFFICE, NY_OFFICE }, "2026-01-12T12:00:00Z", 600, "2026-01-12T22:00:00Z" },
	{ "Istanbul + New York: + 12h crosses the nightly gap",
	  { ISTANBUL_OFFICE, NY_OFFICE }, "2026-01-12T12:00:00Z", 720, "2026-01-13T07:00:00Z" },
	{ "Istanbul + New York: received in the gap, Istanbul starts the clock",
	  { ISTANBUL_OFFICE, NY_OFFICE }, "2026-01-12T23:30:00Z", 30, "2026-01-13T06:30:00Z" },
	{ "Istanbul + New York: Friday evening in New York to Monday in Istanbul",
	  { ISTANBUL_OFFICE, NY_OFFICE }, "2026-01-16T22:30:00Z", 60, "2026-01-19T06:30:00Z" },
	{ "Istanbul + New York, order of calendars does not matter",
	  { NY_OFFICE, ISTANBUL_OFFICE }, "2026-01-12T12:00:00Z", 720, "2026-01-13T07:00:00Z" },
	/* Istanbul 08:00-20:00 (05-17Z) and New York 12:00-24:00 (17-05Z in
	 * winter, 16-04Z in summer): 24 hours in winter, a gap in summer. */
	{ "Istanbul 08-20 + New York 12-24, winter: 48 business hours are 48 hours",
	  { { "Europe/Istanbul", "mon-fri 08:00-20:00", NULL }, { "America/New_York", "mon-fri 12:00-24:00", NULL } },
	  "2026-01-13T00:00:00Z", 2880, "2026-01-15T00:00:00Z" },
	{ "Istanbul 08-20 + New York 12-24, summer: New York's DST opens a gap 04-05Z",
	  { { "Europe/Istanbul", "mon-fri 08:00-20:00", NULL }, { "America/New_York", "mon-fri 12:00-24:00", NULL } },
	  "2026-07-14T00:00:00Z", 1440, "2026-07-15T01:00:00Z" },

	/* Odd offsets and old times. */
	{ "a calendar in Kathmandu (+05:45), Sunday to Friday",
	  { { "Asia/Kathmandu", "sun-fri 10:00-17:00", NULL } },
	  "2026-03-06T16:30:00+05:45", 60, "2026-03-08T10:30:00+05:45" },
	{ "times before 1970 are not mistaken for -1",
	  { { "UTC", "daily 00:00-24:00", NULL } }, "1969-07-20T20:17:00Z", 60, "1969-07-20T21:17:00Z" },

	/* Never open. */
	{ "a calendar that never opens: -1",
	  { { "Europe/Berlin", "closed", NULL } }, "2026-03-09T10:00:00+01:00", 60, NULL },
	{ "a closed calendar beside an open one changes nothing",
	  { { "Europe/Berlin", "closed", NULL }, BERLIN_OFFICE },
	  "2026-03-06T17:59:00+01:00", 2, "2026-03-09T09:01:00+01:00" },
};

static int64_t unix_from_iso(const char *iso)
{
	GDateTime *dt = g_date_time_new_from_iso8601(iso, NULL);
	int64_t t;

	if (!dt) {
		tap_diag("bad test time '%s'", iso);
		return G_MININT64;
	}
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

/* "2026-03-09T10:00:00Z" for diagnostics. */
static char *iso_from_unix(int64_t t)
{
	GDateTime *dt;
	char *iso;

	if (t == -1)
		return g_strdup("-1");
	dt = g_date_time_new_from_unix_utc(t);
	iso = dt ? g_date_time_format_iso8601(dt) : g_strdup_printf("%" G_GINT64_FORMAT, t);
	if (dt)
		g_date_time_unref(dt);
	return iso;
}

static void is_time(int64_t got, int64_t want, const char *name)
{
	if (!ok(got == want, "%s", name)) {
		char *g = iso_from_unix(got), *w = iso_from_unix(want);
		tap_diag("  got:  %s", g);
		tap_diag("  want: %s", w);
		g_free(g);
		g_free(w);
	}
}

/* Parses the case's calendars into cals; returns how many. */
static size_t parse_case_calendars(const struct due_case *c, struct calendar *cals[MAX_CALS])
{
	size_t n = 0;

	for (size_t i = 0; i < MAX_CALS && c->cals[i].zone; i++) {
		char *error = NULL;

		cals[n] = calendar_parse(c->cals[i].zone, c->cals[i].hours, c->cals[i].holidays, &error);
		if (!cals[n]) {
			tap_diag("%s: %s", c->name, error);
			g_free(error);
			continue;
		}
		n++;
	}
	return n;
}

static void free_calendars(struct calendar **cals, size_t n)
{
	for (size_t i = 0; i < n; i++)
		calendar_free(cals[i]);
}

static int64_t expected_due(const struct due_case *c)
{
	return c->due ? unix_from_iso(c->due) : -1;
}

static void test_due_table(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(due_cases); i++) {
		const struct due_case *c = &due_cases[i];
		struct calendar *cals[MAX_CALS];
		size_t n = parse_case_calendars(c, cals);

		is_time(calendar_add_business_minutes(cals, n, unix_from_iso(c->start), c->minutes), expected_due(c),
			c->name);
		free_calendars(cals, n);
	}
}

struct open_case {
	const char *name;
	struct cal_spec cals[MAX_CALS];
	const char *at;
	bool open;
};

static const struct open_case open_cases[] = {
	{ "office open at 09:00:00", { BERLIN_OFFICE }, "2026-03-09T09:00:00+01:00", true },
	{ "office closed at 08:59:59", { BERLIN_OFFICE }, "2026-03-09T08:59:59+01:00", false },
	{ "office open at 17:59:59", { BERLIN_OFFICE }, "2026-03-09T17:59:59+01:00", true },
	{ "office closed at 18:00:00", { BERLIN_OFFICE }, "2026-03-09T18:00:00+01:00", false },
	{ "office closed on Saturday", { BERLIN_OFFICE }, "2026-03-07T12:00:00+01:00", false },
	{ "office closed on a holiday", { { "Europe/Berlin", "mon-fri 09:00-18:00", "*/05-01" } },
	  "2026-05-01T12:00:00+02:00", false },
	{ "overnight shift open at 01:59 next day", { { "Europe/Berlin", "fri 22:00-02:00", NULL } },
	  "2026-03-07T01:59:00+01:00", true },
	{ "overnight shift closed at 02:00 next day", { { "Europe/Berlin", "fri 22:00-02:00", NULL } },
	  "2026-03-07T02:00:00+01:00", false },
	{ "Istanbul + New York open at 14:30Z (both)", { ISTANBUL_OFFICE, NY_OFFICE }, "2026-01-12T14:30:00Z", true },
	{ "Istanbul + New York open at 22:00Z (New York)", { ISTANBUL_OFFICE, NY_OFFICE }, "2026-01-12T22:00:00Z",
	  true },
	{ "Istanbul + New York closed at 03:00Z (gap)", { ISTANBUL_OFFICE, NY_OFFICE }, "2026-01-13T03:00:00Z",
	  false },
	{ "closed calendar never open", { { "UTC", "closed", NULL } }, "2026-01-13T03:00:00Z", false },
};

static void test_open_table(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(open_cases); i++) {
		const struct open_case *c = &open_cases[i];
		struct due_case as_due = { c->name, { c->cals[0], c->cals[1] }, c->at, 0, NULL };
		struct calendar *cals[MAX_CALS];
		size_t n = parse_case_calendars(&as_due, cals);

		ok(calendar_is_open(cals, n, unix_from_iso(c->at)) == c->open, "%s", c->name);
		free_calendars(cals, n);
	}
}

struct parse_case {
	const char *zone, *hours, *holidays;
	const char *error;	/* expected prefix of the error, NULL when valid */
};

static const struct parse_case parse_cases[] = {
	{ "Europe/Berlin", "mon-fry 09:00-18:00", NULL, "hours: 'mon-fry' is not a day range" },
	{ "Europe/Berlin", "mo-fr 09:00-18:00", NULL, "hours: 'mo-fr' is not a day range" },
	{ "Europe/Berln", "mon-fri 09:00-18:00", NULL, "timezone: 'Europe/Berln' is not a known time zone" },
	{ NULL, "mon-fri 09:00-18:00", NULL, "timezone: missing" },
	{ "", "mon-fri 09:00-18:00", NULL, "timezone: missing" },
	{ "Europe/Berlin", "mon-fri 9-17", NULL, "hours: '9-17' is not a time range" },
	{ "Europe/Berlin", "mon-fri 09:00-25:00", NULL, "hours: '09:00-25:00' is not a time range" },
	{ "Europe/Berlin", "mon-fri 09:60-10:00", NULL, "hours: '09:60-10:00' is not a time range" },
	{ "Europe/Berlin", "mon-fri 24:00-02:00", NULL, "hours: '24:00-02:00' is not a time range" },
	{ "Europe/Berlin", "mon-fri 24:30", NULL, "hours: '24:30' is not a time range" },
	{ "Europe/Berlin", "mon-fri 09:00-18:00, sat", NULL, "hours: 'sat' has no time range" },
	{ "Europe/Berlin", "09:00-18:00", NULL, "hours: '09:00-18:00' has no days before it" },
	{ "Europe/Berlin", "mon 09:00-09:00", NULL, "hours: '09:00-09:00' is empty" },
	{ "Europe/Berlin", "", NULL, "hours: empty" },
	{ "Europe/Berlin", NULL, NULL, "hours: empty" },
	{ "Europe/Berlin", "mon-fri 09:00-18:00,", NULL, "hours: empty item between commas" },
	{ "Europe/Berlin", "mon-fri 09:00-18:00", "2026-13-01", "holidays: '2026-13-01' is not a date" },
	{ "Europe/Berlin", "mon-fri 09:00-18:00", "2026-02-29", "holidays: '2026-02-29' is not a date" },
	{ "Europe/Berlin", "mon-fri 09:00-18:00", "*/02-30", "holidays: '*/02-30' is not a date" },
	{ "Europe/Berlin", "mon-fri 09:00-18:00", "26-01-01", "holidays: '26-01-01' is not a date" },
	{ "Europe/Berlin", "mon-fri 09:00-18:00", "2026-1-01", "holidays: '2026-1-01' is not a date" },
	{ "Europe/Berlin", "mon-fri 09:00-18:00", "*/5-1", "holidays: '*/5-1' is not a date" },
	/* Valid forms. */
	{ "Europe/Berlin", "mon-fri 09:00-12:00 13:00-18:00, sat 10:00-14:00", "2026-01-01, */05-01", NULL },
	{ "Europe/Berlin", "MON-FRI 09:00-18:00", "*/02-29", NULL },
	{ "Europe/Berlin", "fri-mon 10:00-11:00", NULL, NULL },
	{ "Europe/Berlin", "daily 00:00-24:00", "", NULL },
	{ "Europe/Berlin", "mon 9:00-17:30", NULL, NULL },
	{ "Europe/Berlin", "  closed  ", NULL, NULL },
	{ "UTC", "mon 22:00-02:00", "2026-01-01 2026-12-24", NULL },
	{ "Asia/Kathmandu", "sun-thu 10:00-17:00", NULL, NULL },
};

static void test_parse_table(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		char *error = NULL;
		struct calendar *cal = calendar_parse(c->zone, c->hours, c->holidays, &error);

		if (c->error)
			ok(!cal && error && g_str_has_prefix(error, c->error), "rejected: %s (%s)",
			   c->error, error ? error : "no error");
		else
			ok(cal && !error, "accepted: %s | %s | %s", c->zone, c->hours,
			   c->holidays ? c->holidays : "(no holidays)");
		calendar_free(cal);
		g_free(error);
	}
}

/* A wrap-around day range means the days it names: fri-mon is Fri, Sat,
 * Sun, Mon and not Tuesday. */
static void test_wrapping_days(void)
{
	char *error = NULL;
	struct calendar *cal = calendar_parse("UTC", "fri-mon 10:00-11:00", NULL, &error);
	static const char *const days[] = { "2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09", "2026-03-10" };

	for (size_t i = 0; i < G_N_ELEMENTS(days); i++) {
		char *iso = g_strdup_printf("%sT10:30:00Z", days[i]);
		ok(calendar_is_open(&cal, 1, unix_from_iso(iso)) == (i < 4), "fri-mon: %s %s", days[i],
		   i < 4 ? "open" : "closed");
		g_free(iso);
	}
	calendar_free(cal);
}

/* Yearly holidays on every date of the year, 29 February included: the
 * calendar has hours but never opens. */
static void test_never_open_by_holidays(void)
{
	GString *holidays = g_string_new(NULL);
	struct calendar *cal;
	char *error = NULL;
	GDate date;

	g_date_clear(&date, 1);
	g_date_set_dmy(&date, 1, G_DATE_JANUARY, 2000);
	for (int i = 0; i < 366; i++, g_date_add_days(&date, 1))
		g_string_append_printf(holidays, "*/%02d-%02d ", g_date_get_month(&date), g_date_get_day(&date));
	cal = calendar_parse("Europe/Berlin", "daily 00:00-24:00", holidays->str, &error);
	ok(cal != NULL, "366 yearly holidays parse");
	is_int(calendar_add_business_minutes(&cal, 1, unix_from_iso("2026-03-09T10:00:00Z"), 60), -1,
	       "every day a holiday: never opens, -1");
	ok(!calendar_is_open(&cal, 1, unix_from_iso("2026-03-09T10:00:00Z")), "every day a holiday: not open");
	calendar_free(cal);
	g_string_free(holidays, TRUE);
	g_free(error);
}

static void test_edges(void)
{
	char *error = NULL;
	struct calendar *cal = calendar_parse("Europe/Berlin", "mon-fri 09:00-18:00", NULL, &error);
	int64_t monday = unix_from_iso("2026-03-09T10:00:00+01:00");

	is_int(calendar_add_business_minutes(&cal, 0, monday, 60), -1, "no calendars: -1");
	is_int(calendar_add_business_minutes(&cal, 1, monday, -1), -1, "negative minutes: -1");
	is_int(calendar_add_business_minutes(&cal, 1, INT64_MAX - 10, 1), -1, "start beyond year 9999: -1");
	ok(!calendar_is_open(&cal, 1, INT64_MIN), "INT64_MIN is not open");
	calendar_free(cal);
	calendar_free(NULL);
	ok(1, "calendar_free(NULL) is harmless");
	ok(!calendar_parse("Europe/Berlin", "mon-fry 09:00-18:00", NULL, NULL), "errors may be ignored (NULL error)");
	{
		int64_t minutes = 0;
		bool wall = false;
		ok(!sla_parse_duration("8x", &minutes, &wall, NULL), "duration errors may be ignored (NULL error)");
	}
}

struct sla_case {
	const char *text;
	int64_t minutes;
	bool calendar_time;
	const char *error;	/* expected prefix, NULL when valid */
};

static const struct sla_case sla_cases[] = {
	{ "8h", 480, false, NULL },
	{ "90m", 90, false, NULL },
	{ "5d", 5 * 8 * 60, false, NULL },
	{ "1h 30m", 90, false, NULL },
	{ "1h30m", 90, false, NULL },
	{ " 1d 4h ", 12 * 60, false, NULL },
	{ "1D 2H 3M", 8 * 60 + 123, false, NULL },
	{ "8h calendar", 480, true, NULL },
	{ "5d calendar", 5 * 24 * 60, true, NULL },
	{ "1d 12h calendar", 36 * 60, true, NULL },
	{ "2d business", 2 * 8 * 60, false, NULL },
	{ "8 h", 480, false, NULL },
	{ "0m", 0, false, NULL },
	{ "366d calendar", 366 * 24 * 60, true, NULL },
	{ "", 0, false, "duration: '' has no amount" },
	{ "calendar", 0, false, "duration: 'calendar' has no amount" },
	{ "8x", 0, false, "duration: '8x' is not a duration" },
	{ "8 hours", 0, false, "duration: '8 hours' is not a duration" },
	{ "30m 1h", 0, false, "duration: '1h' is not a duration" },
	{ "8h 8h", 0, false, "duration: '8h' is not a duration" },
	{ "h", 0, false, "duration: 'h' has no amount" },
	{ "8h fast", 0, false, "duration: 'fast' is not 'calendar' or 'business'" },
	{ "8h calendar business", 0, false, "duration: 'business' after 'calendar'" },
	{ "367d calendar", 0, false, "duration: '367d calendar' is longer than 366 days" },
	{ "99999999999h", 0, false, "duration: '99999999999h' is not a duration" },
};

static void test_sla_table(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(sla_cases); i++) {
		const struct sla_case *c = &sla_cases[i];
		int64_t minutes = -1;
		bool calendar_time = !c->calendar_time;
		char *error = NULL;
		bool parsed = sla_parse_duration(c->text, &minutes, &calendar_time, &error);

		if (c->error) {
			ok(!parsed && error && g_str_has_prefix(error, c->error), "duration '%s' rejected: %s", c->text,
			   error ? error : "no error");
		} else if (!ok(parsed && minutes == c->minutes && calendar_time == c->calendar_time,
				"duration '%s' = %" G_GINT64_FORMAT " min%s", c->text, c->minutes,
				c->calendar_time ? " wall-clock" : " business")) {
			tap_diag("  got %" G_GINT64_FORMAT " %s %s", minutes, calendar_time ? "calendar" : "business",
				 error ? error : "");
		}
		g_free(error);
	}
}

static void test_sla_due(void)
{
	char *error = NULL;
	struct calendar *cal = calendar_parse("Europe/Berlin", "mon-fri 09:00-18:00", NULL, &error);
	int64_t friday = unix_from_iso("2026-03-06T17:00:00+01:00"), minutes = 0;
	bool wall = false;

	ok(sla_parse_duration("8h calendar", &minutes, &wall, &error) && wall, "8h calendar parses");
	is_time(sla_due(&cal, 1, friday, minutes, wall), unix_from_iso("2026-03-07T01:00:00+01:00"),
		"sla_due 8h calendar: Friday 17:00 -> Saturday 01:00");
	ok(sla_parse_duration("8h", &minutes, &wall, &error) && !wall, "8h parses");
	is_time(sla_due(&cal, 1, friday, minutes, wall), unix_from_iso("2026-03-09T16:00:00+01:00"),
		"sla_due 8h business: Friday 17:00 -> Monday 16:00");
	is_time(sla_due(&cal, 0, friday, minutes, false), unix_from_iso("2026-03-07T01:00:00+01:00"),
		"sla_due without calendars is wall-clock time");
	is_int(sla_due(&cal, 1, friday, -5, true), -1, "sla_due with negative minutes: -1");
	calendar_free(cal);
}

/* Calendars are shared by the milter's threads: the same questions from
 * several threads at once give the same answers. */
#define THREADS 4
#define ROUNDS 5

struct shared_calendars {
	struct calendar *cals[G_N_ELEMENTS(due_cases)][MAX_CALS];
	size_t counts[G_N_ELEMENTS(due_cases)];
};

static gpointer thread_compute_all(gpointer data)
{
	const struct shared_calendars *shared = data;
	gsize mismatches = 0;

	for (int round = 0; round < ROUNDS; round++)
		for (size_t i = 0; i < G_N_ELEMENTS(due_cases); i++) {
			int64_t start = unix_from_iso(due_cases[i].start);
			int64_t got = calendar_add_business_minutes(shared->cals[i], shared->counts[i], start,
								    due_cases[i].minutes);
			mismatches += got != expected_due(&due_cases[i]);
		}
	return GSIZE_TO_POINTER(mismatches);
}

static void test_threads(void)
{
	struct shared_calendars shared;
	GThread *threads[THREADS];
	gsize mismatches = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(due_cases); i++)
		shared.counts[i] = parse_case_calendars(&due_cases[i], shared.cals[i]);
	for (int i = 0; i < THREADS; i++)
		threads[i] = g_thread_new("calendar", thread_compute_all, &shared);
	for (int i = 0; i < THREADS; i++)
		mismatches += GPOINTER_TO_SIZE(g_thread_join(threads[i]));
	is_int(mismatches, 0, "%d threads sharing the calendars agree with the table", THREADS);
	for (size_t i = 0; i < G_N_ELEMENTS(due_cases); i++)
		free_calendars(shared.cals[i], shared.counts[i]);
}

/* The zone table agrees with GLib, for every zone installed: at random
 * instants, and one second either side of each offset change GLib
 * reports (found by sampling each day and bisecting). */
static void test_zone_table(void)
{
	static const char root[] = "/usr/share/zoneinfo";
	GPtrArray *zones = g_ptr_array_new_with_free_func(g_free);
	GRand *rand = g_rand_new_with_seed(20261123);
	unsigned checked = 0, wrong = 0, changes = 0;
	GPtrArray *todo = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(todo, g_strdup(""));
	while (todo->len > 0) {
		char *rel = g_ptr_array_steal_index(todo, todo->len - 1);
		char *dir_path = g_build_filename(root, rel, NULL);
		GDir *dir = g_dir_open(dir_path, 0, NULL);
		const char *name;

		while (dir && (name = g_dir_read_name(dir))) {
			char *child = *rel ? g_build_filename(rel, name, NULL) : g_strdup(name);
			char *path = g_build_filename(root, child, NULL);

			/* Zone names start upper case; posix/ and right/ repeat them. */
			if (!g_ascii_isupper(name[0]) || strcmp(child, "posix") == 0 || strcmp(child, "right") == 0)
				g_free(child);
			else if (g_file_test(path, G_FILE_TEST_IS_DIR))
				g_ptr_array_add(todo, child);
			else
				g_ptr_array_add(zones, child);
			g_free(path);
		}
		if (dir)
			g_dir_close(dir);
		g_free(dir_path);
		g_free(rel);
	}
	if (zones->len == 0) {
		ok(1, "zone table # SKIP no zones in /usr/share/zoneinfo (tzdata not installed)");
		goto out;
	}
	for (guint z = 0; z < zones->len; z++) {
		const char *id = g_ptr_array_index(zones, z);
		struct calendar *cal = calendar_parse(id, "mon-fri 09:00-17:00", NULL, NULL);
		GTimeZone *tz;
		int64_t prev_offset;

		if (!cal)
			continue;	/* a file GLib does not read as a zone */
		tz = g_time_zone_new_identifier(id);
#define GLIB_OFFSET(t) ((int64_t)g_time_zone_get_offset(tz, g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, (t))))
		for (int i = 0; i < 200; i++) {
			int64_t t = (int64_t)g_rand_double_range(rand, 1500000000.0, 2900000000.0);
			checked++;
			wrong += calendar_utc_offset(cal, t) != GLIB_OFFSET(t);
		}
		prev_offset = GLIB_OFFSET(1577836800);
		for (int64_t day = 1577836800; day < 2840140800; day += 86400) {
			int64_t lo = day, hi = day + 86400;
			if (GLIB_OFFSET(hi) == prev_offset)
				continue;
			while (hi - lo > 1) {
				int64_t mid = lo + (hi - lo) / 2;
				if (GLIB_OFFSET(mid) == prev_offset)
					lo = mid;
				else
					hi = mid;
			}
			changes++;
			checked += 2;
			wrong += calendar_utc_offset(cal, lo) != GLIB_OFFSET(lo);
			wrong += calendar_utc_offset(cal, hi) != GLIB_OFFSET(hi);
			prev_offset = GLIB_OFFSET(hi);
		}
#undef GLIB_OFFSET
		g_time_zone_unref(tz);
		calendar_free(cal);
	}
	ok(wrong == 0, "zone table: %u zones, %u offsets checked against GLib around %u changes, %u wrong",
	   zones->len, checked, changes, wrong);
out:
	g_ptr_array_free(zones, TRUE);
	g_ptr_array_free(todo, TRUE);
	g_rand_free(rand);
}

int main(void)
{
	test_due_table();
	test_open_table();
	test_parse_table();
	test_wrapping_days();
	test_never_open_by_holidays();
	test_edges();
	test_sla_table();
	test_sla_due();
	test_threads();
	test_zone_table();
	return tap_done();
}
