/*
 * lang.c - choosing the language of the customer's acknowledgement (see lang.h).
 *
 * Every source of evidence (stored preference, Content-Language, the text
 * as lang_read.c reads it, the charset, the sender's country domain) is reduced to
 * a language tag and then to the index of the offered locale that serves
 * it best (lang_offered.c); the first source that yields an offered
 * locale wins.  Tables below are static and read-only: nothing here keeps
 * state between calls.
 * Room: language.
 */
#include "config.h"
#include "language/lang.h"
#include "language/lang_internal.h"
#include "language/lang_textcat.h"

#include <glib.h>
#include <malloc.h>
#include <stdbool.h>
#include <string.h>

/* CLD2 allocates and frees about 250 KiB of scratch memory per call. */
#define LANG_MALLOC_TRIM_THRESHOLD (1024 * 1024)

/* ---- Content-Language --------------------------------------------------- */

/* The weight of one list item: RFC 3282 lists carry none (1.0), but some
 * mailers copy Accept-Language style "en;q=0.5". */
static double lang_item_quality(const char *item)
{
	const char *param = strchr(item, ';');

	while (param != NULL) {
		const char *value = param + 1;

		while (g_ascii_isspace(*value))
			value++;
		if ((value[0] == 'q' || value[0] == 'Q') && value[1] == '=') {
			char *end;
			double q = g_ascii_strtod(value + 2, &end);

			if (end == value + 2)
				return 1.0;	/* malformed weight: as if absent */
			return CLAMP(q, 0.0, 1.0);
		}
		param = strchr(value, ';');
	}
	return 1.0;
}

/* The offered locale for a Content-Language value such as "de-DE, en":
 * the heaviest item the queue offers, the first of equals (the list is
 * ordered by importance).  q=0 means "not this one". */
static int lang_from_content_language(const char *value, char *const *offered)
{
	gchar **items = g_strsplit(value, ",", 0);
	int best = -1;
	double best_quality = 0.0;

	for (gchar **item = items; *item != NULL; item++) {
		double quality = lang_item_quality(*item);
		size_t tag_len = strcspn(*item, ";(");	/* before parameters and comments */
		int found;

		if (quality <= best_quality)
			continue;
		found = lang_offered_index_len(*item, tag_len, offered);
		if (found >= 0) {
			best = found;
			best_quality = quality;
		}
	}
	g_strfreev(items);
	return best;
}

/* ---- Charset and domain hints ------------------------------------------- */

/* Charsets used for (nearly) one language.  Keys hold only lower-case
 * letters and digits, as lang_charset_key() makes them.  Deliberately
 * absent: charsets shared by many languages (Latin-1, windows-1250/1252/
 * 1257, UTF-8). */
static const struct {
	const char *key, *tag;
} lang_charset_hints[] = {
	{ "iso2022jp", "ja" }, { "iso2022jp2", "ja" }, { "iso2022jp3", "ja" },
	{ "shiftjis", "ja" }, { "sjis", "ja" }, { "xsjis", "ja" }, { "mskanji", "ja" },
	{ "cp932", "ja" }, { "windows31j", "ja" }, { "eucjp", "ja" }, { "xeucjp", "ja" },
	{ "windows1254", "tr" }, { "cp1254", "tr" }, { "iso88599", "tr" }, { "latin5", "tr" },
	{ "gb2312", "zh-Hans" }, { "gbk", "zh-Hans" }, { "gb18030", "zh-Hans" }, { "cp936", "zh-Hans" },
	{ "euccn", "zh-Hans" }, { "xgbk", "zh-Hans" }, { "hzgb2312", "zh-Hans" }, { "iso2022cn", "zh-Hans" },
	{ "big5", "zh-TW" }, { "big5hkscs", "zh-Hant" }, { "cp950", "zh-TW" }, { "xxbig5", "zh-TW" },
	{ "euckr", "ko" }, { "ksc56011987", "ko" }, { "ksc5601", "ko" }, { "cp949", "ko" },
	{ "uhc", "ko" }, { "windows949", "ko" }, { "iso2022kr", "ko" },
	{ "koi8r", "ru" }, { "windows1251", "ru" }, { "cp1251", "ru" }, { "iso88595", "ru" },
	{ "koi8u", "uk" },
	{ "windows1256", "ar" }, { "cp1256", "ar" }, { "iso88596", "ar" },
	{ "windows1253", "el" }, { "iso88597", "el" },
	{ "windows1255", "he" }, { "iso88598", "he" }, { "iso88598i", "he" },
	{ "tis620", "th" }, { "windows874", "th" }, { "iso885911", "th" },
	{ "windows1258", "vi" },
};

/* "Shift_JIS", "shift-jis" and "SHIFT JIS" are one charset: the key keeps
 * only letters and digits, lower case.  False if the label is too long to
 * be one of ours. */
static bool lang_charset_key(const char *charset, char *key, size_t size)
{
	size_t n = 0;

	for (const char *p = charset; *p; p++) {
		if (!g_ascii_isalnum(*p))
			continue;
		if (n + 1 >= size)
			return false;
		key[n++] = g_ascii_tolower(*p);
	}
	key[n] = '\0';
	return n > 0;
}

static const char *lang_charset_hint(const char *charset)
{
	char key[24];

	if (charset == NULL || !lang_charset_key(charset, key, sizeof key))
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(lang_charset_hints); i++)
		if (strcmp(key, lang_charset_hints[i].key) == 0)
			return lang_charset_hints[i].tag;
	return NULL;
}

/* Country domains whose mail is overwhelmingly in one language.  Beware
 * look-alikes: .ar is Argentina (Spanish), .sv El Salvador (Spanish), .se
 * Sweden.  Left out on purpose: countries with two or more common business
 * languages (.be .ca .lu .in .ph .za, the Maghreb's French and Arabic). */
static const struct {
	const char cctld[3];
	const char *tag;
} lang_cctld_hints[] = {
	{ "ae", "ar" }, { "ar", "es-AR" }, { "at", "de-AT" }, { "au", "en-AU" }, { "bg", "bg" },
	{ "bh", "ar" }, { "bo", "es" }, { "br", "pt-BR" }, { "by", "ru" }, { "ch", "de-CH" },
	{ "cl", "es" }, { "cn", "zh-CN" }, { "co", "es" }, { "cr", "es" }, { "cu", "es" },
	{ "cz", "cs" }, { "de", "de" }, { "dk", "da" }, { "do", "es" }, { "ec", "es" },
	{ "ee", "et" }, { "eg", "ar" }, { "es", "es" }, { "fi", "fi" }, { "fr", "fr" },
	{ "gb", "en-GB" }, { "gr", "el" }, { "gt", "es" }, { "hk", "zh-HK" }, { "hn", "es" },
	{ "hr", "hr" }, { "hu", "hu" }, { "id", "id" }, { "ie", "en-IE" }, { "il", "he" },
	{ "iq", "ar" }, { "ir", "fa" }, { "is", "is" }, { "it", "it" }, { "jo", "ar" },
	{ "jp", "ja" }, { "kr", "ko" }, { "kw", "ar" }, { "li", "de" }, { "lt", "lt" },
	{ "lv", "lv" }, { "ly", "ar" }, { "mo", "zh-MO" }, { "mx", "es-MX" }, { "my", "ms" },
	{ "ni", "es" }, { "nl", "nl" }, { "no", "nb" }, { "nz", "en-NZ" }, { "om", "ar" },
	{ "pa", "es" }, { "pe", "es" }, { "pl", "pl" }, { "pr", "es" }, { "ps", "ar" },
	{ "pt", "pt-PT" }, { "py", "es" }, { "qa", "ar" }, { "ro", "ro" }, { "rs", "sr" },
	{ "ru", "ru" }, { "sa", "ar" }, { "sd", "ar" }, { "se", "sv" }, { "si", "sl" },
	{ "sk", "sk" }, { "sv", "es" }, { "sy", "ar" }, { "th", "th" }, { "tr", "tr" },
	{ "tw", "zh-TW" }, { "ua", "uk" }, { "uk", "en-GB" }, { "us", "en-US" }, { "uy", "es" },
	{ "ve", "es" }, { "vn", "vi" }, { "ye", "ar" },
};

/* The tag suggested by the country code at the end of a domain
 * ("shop.example.com.tr" -> "tr"); generic domains (.com) suggest nothing. */
static const char *lang_domain_hint(const char *domain)
{
	size_t len;
	const char *label;

	if (domain == NULL)
		return NULL;
	len = strlen(domain);
	while (len > 0 && domain[len - 1] == '.')	/* absolute form "example.de." */
		len--;
	if (len < 2 || (len > 2 && domain[len - 3] != '.'))
		return NULL;	/* country codes are exactly two letters */
	label = domain + len - 2;
	for (size_t i = 0; i < G_N_ELEMENTS(lang_cctld_hints); i++)
		if (g_ascii_strncasecmp(label, lang_cctld_hints[i].cctld, 2) == 0)
			return lang_cctld_hints[i].tag;
	return NULL;
}

/* ---- Reading the text --------------------------------------------------- */

/* The language subtag of a tag ("zh-Hant" -> "zh", "iw" -> "he"). */
static char *lang_language_of(const char *tag)
{
	struct lang_tag parsed;

	return lang_tag_parse(tag, strlen(tag), &parsed) ? g_strdup(parsed.language) : NULL;
}

static char *lang_detect_any(const char *text)
{
	struct lang_cld2_reading cld2;

	return lang_read_cld2(NULL, text, &cld2) ? lang_language_of(cld2.language[0]) : NULL;
}

static char *lang_detect_offered(const char *text, char *const *offered)
{
	struct lang_reading reading;

	lang_read_offered(NULL, text, offered, -1, &reading);
	if (!reading.confident || reading.count == 0)
		return NULL;
	return lang_language_of(offered[reading.offered[0]]);
}

char *lang_detect(const char *text, char *const *offered)
{
	return offered ? lang_detect_offered(text, offered) : lang_detect_any(text);
}

/* ---- Choosing ----------------------------------------------------------- */

/* The message itself: a confident reading of the text, else the charset's
 * hint, else the domain's, else the detector's guess.  The hints outrank a
 * guess because they are evidence about this sender; a guess on a short
 * text is often wrong. */
static int lang_from_message(const struct lang_hints *hints, char *const *offered, const char *default_locale)
{
	struct lang_reading reading;
	int from_charset, from_domain;

	lang_read_offered(hints->subject, hints->text, offered, lang_offered_index(default_locale, offered), &reading);
	if (reading.confident && reading.count > 0)
		return reading.offered[0];
	from_charset = lang_offered_index(lang_charset_hint(hints->charset), offered);
	if (from_charset >= 0)
		return from_charset;
	from_domain = lang_offered_index(lang_domain_hint(hints->sender_domain), offered);
	if (from_domain >= 0)
		return from_domain;
	return reading.count > 0 ? reading.offered[0] : -1;
}

char *lang_choose(const struct lang_hints *hints, char *const *offered, const char *default_locale)
{
	int chosen = -1;

	if (hints != NULL && offered != NULL) {
		chosen = lang_offered_index(hints->preferred, offered);
		if (chosen < 0 && hints->content_language != NULL)
			chosen = lang_from_content_language(hints->content_language, offered);
		if (chosen < 0)
			chosen = lang_from_message(hints, offered, default_locale);
	}
	return g_strdup(chosen >= 0 ? offered[chosen] : default_locale);
}

void lang_init(void)
{
	/* glibc hands freed memory at the top of the heap back to the kernel
	 * once it exceeds the trim threshold (128 KiB at start), so each CLD2
	 * call would grow the heap, fault the pages in and shrink it again:
	 * 27 instead of 2.4 microseconds per sentence, mostly system time.
	 * Fixing the threshold also fixes the mmap threshold at its 128 KiB
	 * start value, which no CLD2 allocation reaches. */
	mallopt(M_TRIM_THRESHOLD, LANG_MALLOC_TRIM_THRESHOLD);
	/* Read the fingerprints now rather than during the first message. */
	(void)lang_textcat_models();
}
