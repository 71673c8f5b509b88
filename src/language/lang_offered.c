/*
 * lang_offered.c - language tags and the offered locales (see
 * lang_internal.h): a tag parsed and made canonical, the offered locale
 * that serves it best, and the offered close neighbours of a language
 * the queue does not offer.  Both lang.c (choosing) and lang_read.c
 * (reading the text) match against the offered locales through this
 * file, which calls neither of them.  The tables are static and
 * read-only.
 * Room: language.
 */
#include "config.h"
#include "language/lang.h"
#include "language/lang_internal.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

/* Deprecated ISO 639 codes that CLD2 and old mailers still write. */
static const struct {
	const char *old, *current;
} lang_code_aliases[] = {
	{ "iw", "he" }, { "in", "id" }, { "ji", "yi" }, { "jw", "jv" }, { "mo", "ro" },
};

/* Copies a subtag into a fixed field, lower case; false if it does not fit. */
static bool lang_subtag_copy(char *field, size_t size, const char *subtag, size_t len)
{
	if (len >= size)
		return false;
	for (size_t i = 0; i < len; i++)
		field[i] = g_ascii_tolower(subtag[i]);
	field[len] = '\0';
	return true;
}

static bool lang_all(const char *s, size_t len, gboolean (*is_class)(gchar))
{
	for (size_t i = 0; i < len; i++)
		if (!is_class(s[i]))
			return false;
	return true;
}

/* ASCII class tests as functions (GLib's are macros). */
static gboolean lang_is_alpha(gchar c)
{
	return g_ascii_isalpha(c);
}

static gboolean lang_is_digit(gchar c)
{
	return g_ascii_isdigit(c);
}

/* Files a subtag after the language as script or region; false for
 * anything else (variants, extensions), which ends the useful part. */
static bool lang_tag_add_subtag(struct lang_tag *tag, const char *subtag, size_t len)
{
	if (len == 4 && !tag->script[0] && !tag->region[0] && lang_all(subtag, len, lang_is_alpha))
		return lang_subtag_copy(tag->script, sizeof tag->script, subtag, len);
	if (!tag->region[0] && ((len == 2 && lang_all(subtag, len, lang_is_alpha)) ||
				(len == 3 && lang_all(subtag, len, lang_is_digit))))
		return lang_subtag_copy(tag->region, sizeof tag->region, subtag, len);
	return false;
}

static void lang_tag_canonicalize(struct lang_tag *tag)
{
	for (size_t i = 0; i < G_N_ELEMENTS(lang_code_aliases); i++)
		if (strcmp(tag->language, lang_code_aliases[i].old) == 0)
			strcpy(tag->language, lang_code_aliases[i].current);
	/* Chinese comes in two scripts and readers of one may struggle with
	 * the other; the region says which, and a bare "zh" (CLD2's code for
	 * Simplified text) means Simplified. */
	if (strcmp(tag->language, "zh") == 0 && !tag->script[0]) {
		bool traditional = strcmp(tag->region, "tw") == 0 || strcmp(tag->region, "hk") == 0 ||
				   strcmp(tag->region, "mo") == 0;
		strcpy(tag->script, traditional ? "hant" : "hans");
	}
}

/* Spaces around the tag are ignored; "*" and "x-klingon" are no tags. */
bool lang_tag_parse(const char *text, size_t len, struct lang_tag *tag)
{
	const char *p = text, *end = text + len;
	bool first = true;

	memset(tag, 0, sizeof *tag);
	while (p < end && g_ascii_isspace(*p))
		p++;
	while (p < end) {
		const char *start = p;

		while (p < end && g_ascii_isalnum(*p))
			p++;
		if (first) {
			if (p - start < 2 || p - start > 3 || !lang_all(start, (size_t)(p - start), lang_is_alpha))
				return false;
			lang_subtag_copy(tag->language, sizeof tag->language, start, (size_t)(p - start));
			first = false;
		} else if (!lang_tag_add_subtag(tag, start, (size_t)(p - start))) {
			break;
		}
		if (p >= end || (*p != '-' && *p != '_'))
			break;	/* ".UTF-8", "@euro", ";q=0.5", trailing space */
		p++;
	}
	if (first)
		return false;
	lang_tag_canonicalize(tag);
	return true;
}

static bool lang_same_language(const char *a, const char *b)
{
	/* Norwegian "no" is the macrolanguage of Bokmål "nb", which is what
	 * is meant in practice. */
	bool a_norwegian = strcmp(a, "no") == 0 || strcmp(a, "nb") == 0;
	bool b_norwegian = strcmp(b, "no") == 0 || strcmp(b, "nb") == 0;

	return strcmp(a, b) == 0 || (a_norwegian && b_norwegian);
}

/* How well an offered locale serves a wanted tag; 0 not at all.  The
 * script matters most (a Traditional Chinese reader), then the region:
 * the same one, else none (de-AT -> de), else another (pt -> pt-BR). */
static int lang_tag_rank(const struct lang_tag *wanted, const struct lang_tag *offer)
{
	int script, region;

	if (!lang_same_language(wanted->language, offer->language))
		return 0;
	if (wanted->script[0] && offer->script[0])
		script = strcmp(wanted->script, offer->script) == 0 ? 2 : 0;
	else
		script = 1;
	if (wanted->region[0] && strcmp(wanted->region, offer->region) == 0)
		region = 2;
	else
		region = offer->region[0] ? 0 : 1;
	return 1 + script * 3 + region;
}

/* Index of the offered locale that serves tag (len bytes) best, or -1;
 * the earlier locale wins a tie. */
int lang_offered_index_len(const char *tag, size_t len, char *const *offered)
{
	struct lang_tag wanted, offer;
	int best = -1, best_rank = 0;

	if (tag == NULL || offered == NULL || !lang_tag_parse(tag, len, &wanted))
		return -1;
	for (int i = 0; offered[i] != NULL; i++) {
		int rank;

		if (!lang_tag_parse(offered[i], strlen(offered[i]), &offer))
			continue;
		rank = lang_tag_rank(&wanted, &offer);
		if (rank > best_rank) {
			best = i;
			best_rank = rank;
		}
	}
	return best;
}

int lang_offered_index(const char *tag, char *const *offered)
{
	return tag ? lang_offered_index_len(tag, strlen(tag), offered) : -1;
}

char *lang_match_offered(const char *tag, char *const *offered)
{
	int found = lang_offered_index(tag, offered);

	return found >= 0 ? g_strdup(offered[found]) : NULL;
}

/* When the detector names a language the queue does not offer, the text
 * is most likely in an offered close neighbour: on short text CLD2 reads
 * Swedish as Norwegian, Spanish as Galician, Russian as Serbian or
 * Bulgarian, Dutch as Afrikaans.  And a writer who really uses the
 * neighbour reads the offered language better than the default: the
 * languages are mutually intelligible or the neighbour's speakers are
 * schooled in it (Spain's co-official languages, Russian across the former
 * USSR).  Ukrainian is deliberately absent: a Russian reply to Ukrainian
 * mail is unwelcome, the default is safer. */
static const struct {
	const char *language;
	const char *neighbours[4];
} lang_neighbour_table[] = {
	{ "nb", { "da", "sv" } }, { "nn", { "nb", "da", "sv" } },
	{ "da", { "nb", "sv" } }, { "sv", { "nb", "da" } }, { "is", { "da", "nb", "sv" } },
	{ "gl", { "es", "pt" } }, { "ca", { "es" } }, { "eu", { "es" } }, { "ast", { "es" } },
	{ "af", { "nl" } }, { "fy", { "nl" } }, { "li", { "nl" } },
	{ "lb", { "de", "fr" } }, { "gsw", { "de" } }, { "nds", { "de" } },
	{ "be", { "ru" } }, { "bg", { "ru" } }, { "mk", { "bg", "sr", "ru" } },
	{ "sr", { "hr", "bs", "ru" } }, { "hr", { "bs", "sr" } }, { "bs", { "hr", "sr" } },
	{ "kk", { "ru" } }, { "ky", { "ru" } }, { "tg", { "ru" } },
	{ "az", { "tr" } }, { "tk", { "tr" } },
	{ "cs", { "sk" } }, { "sk", { "cs" } },
	{ "ms", { "id" } }, { "id", { "ms" } },
};

/* A neighbour not offered itself does not lead on to its own neighbours. */
int lang_offered_for_language(const char *code, char *const *offered, int *found, int max, bool *direct)
{
	struct lang_tag tag;
	int count = 0;

	*direct = false;
	if (max <= 0)
		return 0;
	if ((found[0] = lang_offered_index(code, offered)) >= 0) {
		*direct = true;
		return 1;
	}
	if (!lang_tag_parse(code, strlen(code), &tag))
		return 0;
	for (size_t i = 0; i < G_N_ELEMENTS(lang_neighbour_table); i++) {
		if (!lang_same_language(tag.language, lang_neighbour_table[i].language))
			continue;
		for (size_t j = 0; j < G_N_ELEMENTS(lang_neighbour_table[i].neighbours) && count < max; j++) {
			int index = lang_offered_index(lang_neighbour_table[i].neighbours[j], offered);
			bool seen = false;

			for (int k = 0; k < count; k++)
				seen |= found[k] == index;
			if (index >= 0 && !seen)
				found[count++] = index;
		}
	}
	return count;
}
