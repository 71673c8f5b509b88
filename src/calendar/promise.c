/*
 * promise.c - the response-time promise in the customer's own words:
 * the due time as a localized date and time in the customer's zone, and
 * short waits as a localized relative phrase (see calendar.h).
 *
 * Everything language-specific comes from ICU (CLDR data): patterns,
 * month and day names, digits, plural forms.  ICU formatters are not
 * safe to share between threads without locking.  Finding the pattern
 * is the most expensive part (ICU loads the locale's CLDR data for it),
 * opening a formatter the next (about 60 us: symbols, number formats,
 * zone names), giving it another zone is cheap (about 15 us): the
 * daemon finds patterns once per locale and configuration and keeps
 * formatters for reuse (assets.h).
 * Room: calendar.
 */
#include "config.h"
#include "calendar/calendar.h"

#include <glib.h>
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/udatpg.h>
#include <unicode/uloc.h>
#include <unicode/ureldatefmt.h>
#include <unicode/ustring.h>

/* Weekday, day, month name, year, hour:minute in the locale's hour cycle
 * (j), and the short zone name or localized GMT offset (z). */
#define PROMISE_TIME_SKELETON "yMMMMEEEEdjmz"

/* Real UTC offsets lie within -12:00..+14:00; anything past +-18:00 is a
 * broken Date header, not a place. */
#define PROMISE_MAX_OFFSET_MINUTES (18 * 60)

#define PROMISE_ICU_LOCALE_MAX ULOC_FULLNAME_CAPACITY

/* ---- UTF-8 <-> UTF-16 ------------------------------------------------ */

static UChar *promise_utf16_from_utf8(const char *text)
{
	UErrorCode status = U_ZERO_ERROR;
	int32_t len = 0;
	UChar *out;

	u_strFromUTF8(NULL, 0, &len, text, -1, &status);
	if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status))
		return NULL;
	out = g_new(UChar, (gsize)len + 1);
	status = U_ZERO_ERROR;
	u_strFromUTF8(out, len + 1, NULL, text, -1, &status);
	if (U_FAILURE(status)) {
		g_free(out);
		return NULL;
	}
	return out;
}

static char *promise_utf8_from_utf16(const UChar *text, int32_t text_len)
{
	UErrorCode status = U_ZERO_ERROR;
	int32_t len = 0;
	char *out;

	u_strToUTF8(NULL, 0, &len, text, text_len, &status);
	if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status))
		return NULL;
	out = g_malloc((gsize)len + 1);
	status = U_ZERO_ERROR;
	u_strToUTF8(out, len + 1, NULL, text, text_len, &status);
	if (U_FAILURE(status)) {
		g_free(out);
		return NULL;
	}
	return out;
}

/* ---- locale and zone ------------------------------------------------- */

/* A BCP 47 tag ("pt-BR") or an ICU id ("pt_BR") into an ICU locale id.
 * uloc_forLanguageTag stops at the first '_', so those become '-'; a tag
 * it cannot read to the end is refused rather than guessed at. */
static bool promise_icu_locale(const char *tag, char out[PROMISE_ICU_LOCALE_MAX])
{
	char *bcp47 = g_strdelimit(g_strdup(tag && *tag ? tag : "en"), "_", '-');
	UErrorCode status = U_ZERO_ERROR;
	int32_t parsed = 0, len;
	bool ok;

	len = uloc_forLanguageTag(bcp47, out, PROMISE_ICU_LOCALE_MAX, &parsed, &status);
	ok = U_SUCCESS(status) && status != U_STRING_NOT_TERMINATED_WARNING && len > 0 &&
		  (size_t)parsed == strlen(bcp47);
	g_free(bcp47);
	return ok;
}

/* The ICU zone id: an IANA name ICU knows, or "GMT+05:45" for an offset.
 * ICU would silently format an unknown name as "GMT", hence the check. */
static UChar *promise_zone_id(const char *zone, int offset_minutes)
{
	if (zone) {
		UChar *id = promise_utf16_from_utf8(zone), canonical[128];
		UErrorCode status = U_ZERO_ERROR;

		if (id)
			ucal_getCanonicalTimeZoneID(id, -1, canonical, G_N_ELEMENTS(canonical), NULL, &status);
		if (!id || U_FAILURE(status)) {
			g_free(id);
			return NULL;
		}
		return id;
	}
	if (offset_minutes < -PROMISE_MAX_OFFSET_MINUTES || offset_minutes > PROMISE_MAX_OFFSET_MINUTES)
		return NULL;
	{
		int magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
		char *custom = g_strdup_printf("GMT%c%02d:%02d", offset_minutes < 0 ? '-' : '+',
					       magnitude / 60, magnitude % 60);
		UChar *id = promise_utf16_from_utf8(custom);

		g_free(custom);
		return id;
	}
}

/* ---- absolute time ------------------------------------------------- */

/* The locale's own pattern for PROMISE_TIME_SKELETON (order, separators,
 * words such as "um" or "à" come with it). */
static UChar *promise_icu_time_pattern(const char *icu_locale)
{
	UErrorCode status = U_ZERO_ERROR;
	UDateTimePatternGenerator *generator = udatpg_open(icu_locale, &status);
	UChar *skeleton = promise_utf16_from_utf8(PROMISE_TIME_SKELETON), *pattern = NULL;
	int32_t len;

	if (U_FAILURE(status) || !skeleton)
		goto out;
	len = udatpg_getBestPattern(generator, skeleton, -1, NULL, 0, &status);
	if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status))
		goto out;
	pattern = g_new(UChar, (gsize)len + 1);
	status = U_ZERO_ERROR;
	udatpg_getBestPattern(generator, skeleton, -1, pattern, len + 1, &status);
	if (U_FAILURE(status))
		g_clear_pointer(&pattern, g_free);
out:
	if (generator)
		udatpg_close(generator);
	g_free(skeleton);
	return pattern;
}

/* An ICU call that writes UTF-16 text into out (capacity UChars) and
 * returns the length it needs. */
typedef int32_t (*icu_writer)(const void *what, UChar *out, int32_t capacity, UErrorCode *status);

/* What write writes, in UTF-8 (g_free), or NULL.  A phrase fits the
 * buffer on the stack: asking ICU for the length first doubled the cost
 * of formatting. */
static char *promise_icu_text(icu_writer write, const void *what)
{
	UChar guess[128], *text = guess;
	UErrorCode status = U_ZERO_ERROR;
	int32_t len = write(what, guess, G_N_ELEMENTS(guess), &status);
	char *result;

	if (status == U_BUFFER_OVERFLOW_ERROR) {
		text = g_new(UChar, (gsize)len + 1);
		status = U_ZERO_ERROR;
		write(what, text, len + 1, &status);
	}
	/* (U_STRING_NOT_TERMINATED_WARNING is success: the length is given.) */
	result = U_SUCCESS(status) ? promise_utf8_from_utf16(text, len) : NULL;
	if (text != guess)
		g_free(text);
	return result;
}

struct date_to_format {
	UDateFormat *format;
	UDate when;
};

static int32_t write_date(const void *what, UChar *out, int32_t capacity, UErrorCode *status)
{
	const struct date_to_format *d = what;

	return udat_format(d->format, d->when, out, capacity, NULL, status);
}

static char *promise_format_with(UDateFormat *format, int64_t t)
{
	struct date_to_format d = { format, (UDate)t * 1000.0 };

	return promise_icu_text(write_date, &d);
}

char *promise_time_pattern(const char *locale)
{
	char icu_locale[PROMISE_ICU_LOCALE_MAX];
	UChar *pattern;
	char *out;

	if (!promise_icu_locale(locale, icu_locale) || !(pattern = promise_icu_time_pattern(icu_locale)))
		return NULL;
	out = promise_utf8_from_utf16(pattern, -1);
	g_free(pattern);
	return out;
}

char *promise_format_time(int64_t t, const char *locale, const char *zone, int offset_minutes)
{
	return promise_format_time_with(t, locale, zone, offset_minutes, NULL);
}

struct promise_formatter {
	UDateFormat *format;
	/* For times whose hour is 1, when the language words them apart
	 * ("a la 1:00", "a las 2:00"); NULL when it does not. */
	UDateFormat *format_hour_1;
	char icu_locale[PROMISE_ICU_LOCALE_MAX];
	/* The zone (or offset) the formats' calendars are in (zone_key), NULL
	 * before the first: opening a calendar per call was most of a call's
	 * cost, and a formatter mostly sees the same few zones.  calendar is
	 * one more in that zone, to read the hour for format_hour_1. */
	char *zone_key;
	UCalendar *calendar;
	URelativeDateTimeFormatter *relative;	/* opened on first use */
};

/* A date format for one pattern, worded for the middle of a sentence
 * ("we will answer by ..."); NULL when ICU refuses the pattern. */
static UDateFormat *promise_open_format(const char *icu_locale, const UChar *pattern)
{
	UErrorCode status = U_ZERO_ERROR;
	UDateFormat *format = udat_open(UDAT_PATTERN, UDAT_PATTERN, icu_locale, u"UTC", -1, pattern, -1, &status);

	if (U_SUCCESS(status))
		udat_setContext(format, UDISPCTX_CAPITALIZATION_FOR_MIDDLE_OF_SENTENCE, &status);
	if (U_FAILURE(status) && format) {
		udat_close(format);
		format = NULL;
	}
	return format;
}

struct promise_formatter *promise_formatter_new(const char *locale, const char *pattern_utf8)
{
	return promise_formatter_new_hour_1(locale, pattern_utf8, NULL);
}

struct promise_formatter *promise_formatter_new_hour_1(const char *locale, const char *pattern_utf8,
						       const char *pattern_hour_1_utf8)
{
	struct promise_formatter *f = g_new0(struct promise_formatter, 1);
	UChar *pattern = NULL, *pattern_hour_1 = NULL;

	if (!promise_icu_locale(locale, f->icu_locale))
		goto fail;
	pattern = pattern_utf8 ? promise_utf16_from_utf8(pattern_utf8) : promise_icu_time_pattern(f->icu_locale);
	if (pattern == NULL || (f->format = promise_open_format(f->icu_locale, pattern)) == NULL)
		goto fail;
	if (pattern_hour_1_utf8 &&
	    ((pattern_hour_1 = promise_utf16_from_utf8(pattern_hour_1_utf8)) == NULL ||
	     (f->format_hour_1 = promise_open_format(f->icu_locale, pattern_hour_1)) == NULL))
		goto fail;
	g_free(pattern);
	g_free(pattern_hour_1);
	return f;
fail:
	g_free(pattern);
	g_free(pattern_hour_1);
	promise_formatter_free(f);
	return NULL;
}

/* "z:Europe/Berlin" or "o:+345": a zone's name never reads as an offset. */
static char *zone_key(const char *zone, int offset_minutes)
{
	return zone ? g_strconcat("z:", zone, NULL) : g_strdup_printf("o:%+d", offset_minutes);
}

/* Puts f's calendar in the zone; false when the zone is not understood
 * or ICU fails (the formatter is then in no zone it would reuse). */
static bool formatter_set_zone(struct promise_formatter *f, const char *zone, int offset_minutes)
{
	char *key = zone_key(zone, offset_minutes);
	UChar *zone_id;
	UErrorCode status = U_ZERO_ERROR;
	UCalendar *calendar;

	if (f->zone_key && strcmp(f->zone_key, key) == 0) {
		g_free(key);
		return true;
	}
	g_clear_pointer(&f->zone_key, g_free);
	if ((zone_id = promise_zone_id(zone, offset_minutes)) == NULL) {
		g_free(key);
		return false;
	}
	g_clear_pointer(&f->calendar, ucal_close);
	/* The locale's own calendar in that zone; each format keeps a copy. */
	calendar = ucal_open(zone_id, -1, f->icu_locale, UCAL_DEFAULT, &status);
	if (U_SUCCESS(status)) {
		udat_setCalendar(f->format, calendar);
		if (f->format_hour_1)
			udat_setCalendar(f->format_hour_1, calendar);
		f->zone_key = g_steal_pointer(&key);
		f->calendar = g_steal_pointer(&calendar);
	}
	if (calendar)
		ucal_close(calendar);
	g_free(zone_id);
	g_free(key);
	return f->zone_key != NULL;
}

/* The format for t: the one for the hour 1 when there is one and the
 * hour at t in the formatter's zone is 1. */
static UDateFormat *format_for(struct promise_formatter *f, int64_t t)
{
	UErrorCode status = U_ZERO_ERROR;
	int32_t hour;

	if (f->format_hour_1 == NULL || f->calendar == NULL)
		return f->format;
	ucal_setMillis(f->calendar, (UDate)t * 1000.0, &status);
	hour = ucal_get(f->calendar, UCAL_HOUR_OF_DAY, &status);
	return U_SUCCESS(status) && hour == 1 ? f->format_hour_1 : f->format;
}

char *promise_formatter_format(struct promise_formatter *f, int64_t t, const char *zone, int offset_minutes)
{
	return formatter_set_zone(f, zone, offset_minutes) ? promise_format_with(format_for(f, t), t) : NULL;
}

void promise_formatter_free(struct promise_formatter *f)
{
	if (f == NULL)
		return;
	if (f->format)
		udat_close(f->format);
	if (f->format_hour_1)
		udat_close(f->format_hour_1);
	if (f->calendar)
		ucal_close(f->calendar);
	if (f->relative)
		ureldatefmt_close(f->relative);
	g_free(f->zone_key);
	g_free(f);
}

char *promise_format_time_with(int64_t t, const char *locale, const char *zone, int offset_minutes,
			       const char *pattern_utf8)
{
	struct promise_formatter *f = promise_formatter_new(locale, pattern_utf8);
	char *result = f ? promise_formatter_format(f, t, zone, offset_minutes) : NULL;

	promise_formatter_free(f);
	return result;
}

/* ---- relative time ------------------------------------------------- */

struct promise_wait {
	double amount;
	URelativeDateTimeUnit unit;
};

/* Rounds a wait up (see calendar.h): promising a little late is harmless,
 * promising early is a broken promise. */
static struct promise_wait promise_round_wait(uint64_t seconds)
{
	uint64_t minutes = MAX(seconds / 60 + (seconds % 60 != 0), 1);
	struct promise_wait wait;

	if (minutes >= 10)
		minutes = (minutes + 4) / 5 * 5;
	if (minutes < 120) {
		wait.amount = (double)minutes;
		wait.unit = UDAT_REL_UNIT_MINUTE;
	} else {
		wait.amount = (double)((minutes + 29) / 30) / 2.0;
		wait.unit = UDAT_REL_UNIT_HOUR;
	}
	return wait;
}

static URelativeDateTimeFormatter *promise_relative_open(const char *icu_locale)
{
	UErrorCode status = U_ZERO_ERROR;
	URelativeDateTimeFormatter *formatter = ureldatefmt_open(icu_locale, NULL, UDAT_STYLE_LONG,
								 UDISPCTX_CAPITALIZATION_FOR_MIDDLE_OF_SENTENCE, &status);

	if (U_FAILURE(status) && formatter) {
		ureldatefmt_close(formatter);
		formatter = NULL;
	}
	return formatter;
}

struct wait_to_format {
	URelativeDateTimeFormatter *formatter;
	struct promise_wait wait;
};

static int32_t write_wait(const void *what, UChar *out, int32_t capacity, UErrorCode *status)
{
	const struct wait_to_format *w = what;

	/* Numeric: always "in 1 hour", never a word like "this hour". */
	return ureldatefmt_formatNumeric(w->formatter, w->wait.amount, w->wait.unit, out, capacity, status);
}

static char *promise_format_wait(URelativeDateTimeFormatter *formatter, struct promise_wait wait)
{
	struct wait_to_format w = { formatter, wait };

	return promise_icu_text(write_wait, &w);
}

/* Whether a wait from now to t is short enough for a relative phrase. */
static bool promise_wait_fits(int64_t now, int64_t t, int64_t max_minutes, struct promise_wait *wait)
{
	uint64_t seconds = (uint64_t)t - (uint64_t)now;	/* exact when t >= now, even across 0 */

	if (t < now || max_minutes < 0 || seconds > (uint64_t)MIN(max_minutes, INT64_MAX / 60) * 60)
		return false;
	*wait = promise_round_wait(seconds);
	return true;
}

char *promise_formatter_relative(struct promise_formatter *f, int64_t now, int64_t t, int64_t max_minutes)
{
	struct promise_wait wait;

	if (!promise_wait_fits(now, t, max_minutes, &wait))
		return NULL;
	if (f->relative == NULL && (f->relative = promise_relative_open(f->icu_locale)) == NULL)
		return NULL;
	return promise_format_wait(f->relative, wait);
}

char *promise_format_relative(int64_t now, int64_t t, const char *locale, int64_t max_minutes)
{
	char icu_locale[PROMISE_ICU_LOCALE_MAX];
	struct promise_wait wait;
	URelativeDateTimeFormatter *formatter;
	char *result;

	if (!promise_wait_fits(now, t, max_minutes, &wait) || !promise_icu_locale(locale, icu_locale) ||
	    (formatter = promise_relative_open(icu_locale)) == NULL)
		return NULL;
	result = promise_format_wait(formatter, wait);
	ureldatefmt_close(formatter);
	return result;
}
