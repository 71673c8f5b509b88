/*
 * report_dates.c - a report's dates through ICU (see report_dates.h).
 * Room: report.
 *
 * The locale's own pattern for each skeleton comes from ICU's pattern
 * generator; calendar/promise.c's formatter then formats with it in the
 * report's zone.
 */
#include "config.h"
#include "report/report_dates.h"
#include "calendar/calendar.h"

#include <glib.h>
#include <string.h>
#include <unicode/udatpg.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

enum { DAY, SHORT, TIME, N_FORMATS };

static const char *const skeletons[N_FORMATS] = { "yMMMd", "MMMd", "yMMMdjm" };
static const char *const iso[N_FORMATS] = { "%Y-%m-%d", "%m-%d", "%Y-%m-%d %H:%M" };

struct report_dates {
	char *zone;
	GTimeZone *tz;
	struct promise_formatter *format[N_FORMATS];	/* NULL: ISO */
};

/* The locale's pattern for skeleton, UTF-8 (g_free), or NULL. */
static char *best_pattern(const char *locale, const char *skeleton)
{
	char icu_locale[ULOC_FULLNAME_CAPACITY], *tag = g_strdelimit(g_strdup(locale), "_", '-'), *result = NULL;
	UErrorCode status = U_ZERO_ERROR;
	UChar uskeleton[32], pattern[128];
	UDateTimePatternGenerator *generator;
	int32_t parsed = 0, len;

	uloc_forLanguageTag(tag, icu_locale, sizeof icu_locale, &parsed, &status);
	if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING || (size_t)parsed != strlen(tag)) {
		g_free(tag);
		return NULL;
	}
	g_free(tag);
	u_uastrcpy(uskeleton, skeleton);
	generator = udatpg_open(icu_locale, &status);
	len = U_SUCCESS(status) ? udatpg_getBestPattern(generator, uskeleton, -1, pattern, G_N_ELEMENTS(pattern), &status)
				: 0;
	if (U_SUCCESS(status) && status != U_STRING_NOT_TERMINATED_WARNING && len > 0) {
		char utf8[512];
		u_strToUTF8(utf8, sizeof utf8, NULL, pattern, len, &status);
		if (U_SUCCESS(status) && status != U_STRING_NOT_TERMINATED_WARNING)
			result = g_strdup(utf8);
	}
	if (generator)
		udatpg_close(generator);
	return result;
}

struct report_dates *report_dates_new(const char *locale, const char *zone)
{
	struct report_dates *d = g_new0(struct report_dates, 1);

	d->zone = g_strdup(zone ? zone : "UTC");
	d->tz = g_time_zone_new_identifier(d->zone);
	if (d->tz == NULL)
		d->tz = g_time_zone_new_utc();
	for (int i = 0; i < N_FORMATS; i++) {
		char *pattern = best_pattern(locale ? locale : "en", skeletons[i]);
		d->format[i] = pattern ? promise_formatter_new(locale ? locale : "en", pattern) : NULL;
		g_free(pattern);
	}
	return d;
}

void report_dates_free(struct report_dates *d)
{
	if (d == NULL)
		return;
	for (int i = 0; i < N_FORMATS; i++)
		promise_formatter_free(d->format[i]);
	g_time_zone_unref(d->tz);
	g_free(d->zone);
	g_free(d);
}

static char *format_iso(struct report_dates *d, const char *how, int64_t t)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(t), *local = g_date_time_to_timezone(utc, d->tz);
	char *text = g_date_time_format(local, how);

	g_date_time_unref(utc);
	g_date_time_unref(local);
	return text;
}

static char *format(struct report_dates *d, int which, int64_t t)
{
	char *text = d->format[which] ? promise_formatter_format(d->format[which], t, d->zone, 0) : NULL;

	return text ? text : format_iso(d, iso[which], t);
}

char *report_dates_day(struct report_dates *d, int64_t t)
{
	return format(d, DAY, t);
}

char *report_dates_short(struct report_dates *d, int64_t t)
{
	return format(d, SHORT, t);
}

char *report_dates_time(struct report_dates *d, int64_t t)
{
	return format(d, TIME, t);
}

char *report_dates_iso_day(struct report_dates *d, int64_t t)
{
	return format_iso(d, "%Y-%m-%d", t);
}
