/*
 * duration_words.cc - a span of time in words, from ICU's MeasureFormat
 * (see duration_words.h).  Only the translation between ICU's C++ types
 * and plain strings lives here; no exception may cross into the C
 * callers.  Room: calendar.
 */
#include "config.h"
#include "calendar/duration_words.h"

#include <glib.h>
#include <memory>
#include <string>
#include <unicode/locid.h>
#include <unicode/measfmt.h>
#include <unicode/measunit.h>
#include <unicode/measure.h>
#include <unicode/uloc.h>

/* "pt_BR" and "pt-BR" alike; a tag ICU cannot read to the end is
 * refused rather than guessed at (as promise.c does). */
static bool icu_locale(const char *tag, icu::Locale &out)
{
	std::string bcp47(tag && *tag ? tag : "en");
	char id[ULOC_FULLNAME_CAPACITY];
	UErrorCode status = U_ZERO_ERROR;
	int32_t parsed = 0, len;

	for (char &c : bcp47)
		if (c == '_')
			c = '-';
	len = uloc_forLanguageTag(bcp47.c_str(), id, sizeof id, &parsed, &status);
	if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING || len <= 0 ||
	    (size_t)parsed != bcp47.size())
		return false;
	out = icu::Locale(id);
	return !out.isBogus();
}

extern "C" char *duration_words(int64_t minutes, const char *locale)
{
	try {
		UErrorCode status = U_ZERO_ERROR;
		icu::Locale loc;
		int64_t hours, rest;
		icu::UnicodeString text;
		icu::FieldPosition pos;
		std::string utf8;
		int n = 0;

		if (minutes < 0 || !icu_locale(locale, loc))
			return NULL;
		if (minutes < 60) {
			hours = 0;
			rest = minutes < 1 ? 1 : minutes;
		} else if (minutes < 10 * 60) {
			rest = (minutes + 2) / 5 * 5;
			hours = rest / 60;
			rest %= 60;
		} else {
			hours = (minutes + 30) / 60;
			rest = 0;
		}
		icu::MeasureFormat format(loc, UMEASFMT_WIDTH_WIDE, status);
		if (U_FAILURE(status))
			return NULL;
		std::unique_ptr<icu::Measure> parts[2];
		if (hours > 0)
			parts[n++].reset(new icu::Measure((double)hours, icu::MeasureUnit::createHour(status), status));
		if (rest > 0)
			parts[n++].reset(new icu::Measure((double)rest, icu::MeasureUnit::createMinute(status), status));
		if (U_FAILURE(status) || n == 0)
			return NULL;
		icu::Measure measures[2] = { *parts[0], n > 1 ? *parts[1] : *parts[0] };
		format.formatMeasures(measures, n, text, pos, status);
		if (U_FAILURE(status))
			return NULL;
		text.toUTF8String(utf8);
		return g_strdup(utf8.c_str());
	} catch (...) {
		/* Only std::bad_alloc is possible: no words, then. */
		return NULL;
	}
}
