/*
 * cld2_wrap.cc - calls CLD2's C++ API for lang.c (see cld2_wrap.h).
 *
 * Only the translation between CLD2's types and a plain struct lives here;
 * no exception may cross into the C callers.
 * Room: language.
 */
#include "config.h"
#include "language/cld2_wrap.h"

#include <climits>
#include <cstdio>	/* compact_lang_det.h uses FILE without including it */
#include <cstring>
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

static void lang_cld2_clear(struct lang_cld2_reading *reading)
{
	for (int i = 0; i < LANG_CLD2_TOP; i++)
		reading->language[i] = NULL;
	reading->count = 0;
	reading->reliable = false;
	reading->score = 0;
}

static void lang_cld2_add(struct lang_cld2_reading *reading, CLD2::Language language)
{
	const char *code;

	if (language == CLD2::UNKNOWN_LANGUAGE || reading->count == LANG_CLD2_TOP)
		return;
	code = CLD2::LanguageCode(language);
	for (int i = 0; i < reading->count; i++)
		if (strcmp(reading->language[i], code) == 0)
			return;	/* the summary is usually one of the top three */
	reading->language[reading->count++] = code;
}

static void lang_cld2_fill(CLD2::Language summary, const CLD2::Language *languages, const double *scores,
			   bool reliable, struct lang_cld2_reading *reading)
{
	lang_cld2_add(reading, summary);
	/* CLD2 keeps its top three by share, UNKNOWN_LANGUAGE after the last. */
	for (int i = 0; i < LANG_CLD2_TOP; i++)
		lang_cld2_add(reading, languages[i]);
	reading->reliable = summary != CLD2::UNKNOWN_LANGUAGE && reliable;
	/* The summary's own score; when it is none of the top three (it
	 * sees past boilerplate), the best of theirs. */
	for (int i = 0; i < LANG_CLD2_TOP; i++) {
		if (languages[i] == summary && summary != CLD2::UNKNOWN_LANGUAGE) {
			reading->score = scores[i];
			return;
		}
		if (scores[i] > reading->score)
			reading->score = scores[i];
	}
}

extern "C" int lang_cld2_read(const char *text, size_t len, bool best_effort, struct lang_cld2_reading *reading)
{
	/* No outside hints: lang.c weighs the charset and the domain itself,
	 * so that a confident reading of the text is never overridden. */
	const CLD2::CLDHints no_hints = { NULL, NULL, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE };
	/* Set beforehand: CLD2 leaves them untouched when it rejects the
	 * text, and ENGLISH is 0, so stale stack contents would read as a
	 * plausible answer. */
	CLD2::Language languages[LANG_CLD2_TOP] = { CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE,
						    CLD2::UNKNOWN_LANGUAGE };
	int percents[LANG_CLD2_TOP] = { 0, 0, 0 }, text_bytes = 0, valid_prefix_bytes = 0;
	double normalized_scores[LANG_CLD2_TOP] = { 0, 0, 0 };
	CLD2::Language summary = CLD2::UNKNOWN_LANGUAGE;
	bool reliable = false;

	lang_cld2_clear(reading);
	if (text == NULL || len == 0 || len > INT_MAX)
		return 0;
	try {
		summary = CLD2::ExtDetectLanguageSummaryCheckUTF8(text, (int)len, true, &no_hints,
								  best_effort ? CLD2::kCLDFlagBestEffort : 0,
								  languages, percents, normalized_scores, NULL,
								  &text_bytes, &reliable, &valid_prefix_bytes);
	} catch (...) {
		/* Only std::bad_alloc is possible; the caller falls back to the
		 * other hints rather than crash the milter. */
		return 0;
	}
	if (valid_prefix_bytes < (int)len)
		return 0;	/* rejected unread: see cld2_wrap.h */
	lang_cld2_fill(summary, languages, normalized_scores, reliable, reading);
	return reading->count;
}
