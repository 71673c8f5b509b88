/*
 * lang_read.c - the language of subject and body, among the offered
 * locales (see lang_internal.h).
 *
 * Two detectors read the text: CLD2 and libexttextcat.  On a sentence
 * both are right; on a subject of a few words each misreads about one
 * text in ten, but differently: CLD2 names Galician, Norwegian or
 * English for short Spanish, Italian or Dutch, libexttextcat confuses
 * the Romance languages with each other.  So the text's own script
 * decides first when it leaves one offered language (Hangul, kana,
 * Arabic, Cyrillic); otherwise every offered locale is scored by
 * libexttextcat's distance, less a bonus for CLD2's answer (weighted by
 * CLD2's own score) and for letters only one language uses (ñ, ł, ğ).
 * Languages CLD2 names that no offered locale serves take part too, so
 * that Greek mail is not forced into the nearest offered language.
 *
 * Measured by tests/unit/test_lang on ../shared/langdata (weights chosen
 * on its even lines, checked on the odd ones, see README "Language").
 * Room: language.
 */
#include "config.h"
#include "language/lang_internal.h"
#include "language/lang_script.h"
#include "language/lang_textcat.h"

#include <glib.h>
#include <limits.h>
#include <string.h>

/* Enough text to identify a language many times over; more only costs
 * time (CLD2 needs about 30 microseconds per KiB). */
#define LANG_TEXT_MAX 16384
/* What libexttextcat and the letter checks read of it: "a few hundred
 * bytes will suffice" (textcat.h); its cost grows with the length. */
#define LANG_SAMPLE_MAX 1024

/* Scores are libexttextcat distances as a share of the worst possible
 * one; a difference of 0.05 is a clear preference on a short text.  A
 * confident CLD2 answer is worth LANG_CLD2_VOTE, a neighbour of it (its
 * language is not offered) half of that, a distinguishing letter
 * LANG_MARK_VOTE. */
#define LANG_CLD2_VOTE 0.08
#define LANG_MARK_VOTE 0.05
/* CLD2's reliable answer on this much text is as good as both detectors
 * together (on langdata's full sentences it changed one in 7,000). */
#define LANG_CLD2_SURE_BYTES 256

/* The queue's default locale is the language most of its mail is in: a
 * small prior that settles near ties ("Refund request" reads a little
 * more French than English to libexttextcat). */
#define LANG_DEFAULT_PRIOR 0.01
/* The most bonus one contender can get. */
#define LANG_REACH (LANG_CLD2_VOTE + LANG_MARK_VOTE + LANG_DEFAULT_PRIOR)

/* From which CLD2 score its answer counts, and from which it counts
 * fully.  CLD2 falls back on English for text it barely reads: on the
 * first 30 characters of non-English sentences its English answers
 * scored below 800 were wrong four times in five, so English needs a
 * higher score. */
static const struct {
	double from, full;
} lang_cld2_weight_other = { 200, 800 }, lang_cld2_weight_english = { 600, 1400 };

/* ---- The text as the detectors take it ------------------------------- */

/* CLD2 gives up on the whole text (UNKNOWN) when it holds a control
 * character other than tab, LF, FF, CR (C1 controls such as U+0085 come
 * from mail converted by old systems) or a noncharacter. */
static bool lang_cld2_rejects(gunichar c)
{
	if (c < 0x20)
		return c != '\t' && c != '\n' && c != '\f' && c != '\r';
	return (c >= 0x7f && c <= 0x9f) || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

/* Overwrites such characters with as many spaces as they have bytes, so
 * the text keeps its length and its words stay apart. */
static void lang_blank_rejected(char *text)
{
	for (char *p = text; *p; ) {
		char *next = g_utf8_next_char(p);

		if (lang_cld2_rejects(g_utf8_get_char(p)))
			memset(p, ' ', (size_t)(next - p));
		p = next;
	}
}

/* Subject and body as CLD2 takes them: at most LANG_TEXT_MAX bytes, valid
 * UTF-8 (a cut through a character becomes U+FFFD, as does anything
 * invalid the caller let through), nothing CLD2 rejects.  g_free. */
static char *lang_detection_text(const char *subject, const char *text)
{
	GString *joined = g_string_sized_new(256);
	char *clean;

	if (subject != NULL)
		g_string_append_len(joined, subject, (gssize)strnlen(subject, LANG_TEXT_MAX));
	if (subject != NULL && text != NULL)
		g_string_append_c(joined, '\n');
	if (text != NULL && joined->len < LANG_TEXT_MAX)
		g_string_append_len(joined, text, (gssize)strnlen(text, LANG_TEXT_MAX - joined->len));
	clean = g_utf8_make_valid(joined->str, (gssize)joined->len);
	g_string_free(joined, TRUE);
	lang_blank_rejected(clean);
	return clean;
}

/* CLD2's strict answer is trusted; only when it has none is it asked for
 * a best effort, which is a guess even where CLD2 calls it reliable. */
static bool lang_read_cld2_clean(const char *clean, struct lang_cld2_reading *cld2)
{
	size_t len = strlen(clean);

	lang_cld2_read(clean, len, false, cld2);
	if (cld2->reliable)
		return true;
	lang_cld2_read(clean, len, true, cld2);
	return false;
}

bool lang_read_cld2(const char *subject, const char *text, struct lang_cld2_reading *cld2)
{
	char *clean = lang_detection_text(subject, text);
	bool confident = lang_read_cld2_clean(clean, cld2);

	g_free(clean);
	return confident;
}

static void lang_reading_add(struct lang_reading *reading, int offered_index)
{
	for (int i = 0; i < reading->count; i++)
		if (reading->offered[i] == offered_index)
			return;
	if (reading->count < LANG_CLD2_TOP)
		reading->offered[reading->count++] = offered_index;
}

/* CLD2's reading alone: every language it names that an offered locale
 * serves (itself or its first offered neighbour), in CLD2's order. */
static void lang_reading_from_cld2(const struct lang_cld2_reading *cld2, bool confident, char *const *offered,
				   struct lang_reading *reading)
{
	reading->confident = confident;
	for (int i = 0; i < cld2->count; i++) {
		int found;
		bool direct;

		if (lang_offered_for_language(cld2->language[i], offered, &found, 1, &direct) > 0)
			lang_reading_add(reading, found);
	}
}

/* ---- The script ------------------------------------------------------- */

/* The offered locale the script leaves, or -1: the shortcut's language is
 * offered and no other offered language shares its script. */
static int lang_offered_for_script(const char *clean, const struct lang_cld2_reading *cld2, char *const *offered)
{
	const char *shortcut = lang_script_language(clean, strnlen(clean, LANG_SAMPLE_MAX));
	const char *tag = shortcut;
	struct lang_tag parsed;

	if (shortcut == NULL)
		return -1;
	for (int i = 0; offered[i] != NULL; i++)
		if (lang_tag_parse(offered[i], strlen(offered[i]), &parsed) && strcmp(parsed.language, shortcut) != 0 &&
		    lang_script_shared(shortcut, parsed.language))
			return -1;
	/* Han is both Chinese scripts: CLD2 tells Traditional apart. */
	if (strcmp(shortcut, "zh") == 0 && cld2->count > 0 && g_str_has_prefix(cld2->language[0], "zh"))
		tag = cld2->language[0];
	return lang_offered_index(tag, offered);
}

/* ---- Both detectors --------------------------------------------------- */

/* One contender: an offered locale, or a language CLD2 named that none
 * serves (offered -1, tag its code). */
struct lang_candidate {
	int offered;
	const char *tag;
	double score;
};

/* libexttextcat's distance of a tag's language, -1 for none, INT_MAX
 * past cutoff. */
static int lang_distance(const struct lang_textcat *models, const char *tag, const struct lang_textcat_sample *sample,
			 int cutoff)
{
	struct lang_tag parsed;

	if (!lang_tag_parse(tag, strlen(tag), &parsed))
		return -1;
	return lang_textcat_distance(models, parsed.language, parsed.script, sample, cutoff);
}

static double lang_cld2_weight(const struct lang_cld2_reading *cld2)
{
	bool english = strcmp(cld2->language[0], "en") == 0;
	double from = english ? lang_cld2_weight_english.from : lang_cld2_weight_other.from;
	double full = english ? lang_cld2_weight_english.full : lang_cld2_weight_other.full;

	return LANG_CLD2_VOTE * CLAMP((cld2->score - from) / (full - from), 0.0, 1.0);
}

/* Gives CLD2's answer its bonus: to its offered locale, else half to each
 * offered neighbour.  A language no offered locale serves gets none: on
 * a few words CLD2 names Kinyarwanda or Malagasy for German or Spanish,
 * while mail really in such a language is far from every offered one
 * for libexttextcat too. */
static void lang_vote_cld2(const struct lang_cld2_reading *cld2, char *const *offered, struct lang_candidate *c,
			   int n)
{
	int found[LANG_CLD2_TOP * 2];
	bool direct;
	int count;
	double weight;

	if (cld2->count == 0)
		return;
	weight = lang_cld2_weight(cld2);
	count = lang_offered_for_language(cld2->language[0], offered, found, G_N_ELEMENTS(found), &direct);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < count; j++)
			if (c[i].offered == found[j])
				c[i].score -= direct ? weight : weight / 2;
}

static void lang_vote_marks(const char *clean, char *const *offered, struct lang_candidate *c, int n)
{
	const char *marked[LANG_MARKS_MAX];
	int count = lang_script_marks(clean, strnlen(clean, LANG_SAMPLE_MAX), marked);

	for (int j = 0; j < count; j++) {
		int found = lang_offered_index(marked[j], offered);

		for (int i = 0; i < n && found >= 0; i++)
			if (c[i].offered == found)
				c[i].score -= LANG_MARK_VOTE;
	}
}

/* The contenders with their distances as a share of the worst; false
 * when libexttextcat knows none of them.  No bonus can make up more than
 * LANG_REACH, so a contender farther than that from the nearest so far
 * has lost, and its exact distance is not needed. */
static bool lang_score_distances(const struct lang_textcat *models, const struct lang_textcat_sample *sample,
				 struct lang_candidate *c, int n)
{
	int worst = lang_textcat_sample_worst(sample), best = worst;
	int *distance = g_new(int, n);
	bool known;

	for (int i = 0; i < n; i++) {
		int reach = (int)(LANG_REACH * worst) + 1;

		distance[i] = lang_distance(models, c[i].tag, sample, best > INT_MAX - reach ? INT_MAX : best + reach);
		if (distance[i] < 0 || distance[i] > worst)
			distance[i] = worst;	/* no fingerprint, or out of reach */
		best = MIN(best, distance[i]);
	}
	known = best < worst && worst > 0;
	for (int i = 0; i < n && known; i++)
		c[i].score = (double)(distance[i] - best) / worst;
	g_free(distance);
	return known;
}

/* The offered locales, then the languages CLD2 named that none serves. */
static int lang_candidates(const struct lang_cld2_reading *cld2, char *const *offered, struct lang_candidate **out)
{
	int n = 0, max;
	struct lang_candidate *c;

	while (offered[n] != NULL)
		n++;
	max = n + LANG_CLD2_TOP;
	c = g_new0(struct lang_candidate, max);
	for (int i = 0; i < n; i++)
		c[i] = (struct lang_candidate){ .offered = i, .tag = offered[i] };
	for (int i = 0; i < cld2->count && n < max; i++) {
		int found;
		bool direct;

		if (lang_offered_for_language(cld2->language[i], offered, &found, 1, &direct) == 0)
			c[n++] = (struct lang_candidate){ .offered = -1, .tag = cld2->language[i] };
	}
	*out = c;
	return n;
}

/* The best scored contender: true with *winner its index into offered
 * (-1: a language not offered), false when libexttextcat cannot tell.
 * prior is the index of the default locale, or -1. */
static bool lang_read_both(const char *clean, const struct lang_cld2_reading *cld2, char *const *offered, int prior,
			   int *winner)
{
	const struct lang_textcat *models = lang_textcat_models();
	struct lang_textcat_sample *sample;
	struct lang_candidate *c;
	int n, best = 0;
	bool scored;

	if (models == NULL || (sample = lang_textcat_sample_new(clean, LANG_SAMPLE_MAX)) == NULL)
		return false;
	n = lang_candidates(cld2, offered, &c);
	scored = n > 0 && lang_score_distances(models, sample, c, n);
	if (scored) {
		lang_vote_cld2(cld2, offered, c, n);
		lang_vote_marks(clean, offered, c, n);
		if (prior >= 0)
			c[prior].score -= LANG_DEFAULT_PRIOR;	/* c[i] is offered[i] */
		for (int i = 1; i < n; i++)
			if (c[i].score < c[best].score)
				best = i;
		*winner = c[best].offered;
	}
	g_free(c);
	lang_textcat_sample_free(sample);
	return scored;
}

/* Whether CLD2's answer went to the offered locale at index. */
static bool lang_cld2_named(const struct lang_cld2_reading *cld2, char *const *offered, int index)
{
	int found[LANG_CLD2_TOP * 2];
	bool direct;
	int count = cld2->count ? lang_offered_for_language(cld2->language[0], offered, found, G_N_ELEMENTS(found),
							     &direct) : 0;

	for (int i = 0; i < count; i++)
		if (found[i] == index)
			return true;
	return false;
}

void lang_read_offered(const char *subject, const char *text, char *const *offered, int prior,
		       struct lang_reading *reading)
{
	char *clean = lang_detection_text(subject, text);
	struct lang_cld2_reading cld2;
	bool confident = lang_read_cld2_clean(clean, &cld2);
	int found;

	memset(reading, 0, sizeof *reading);
	if (offered == NULL) {
		g_free(clean);
		return;
	}
	if ((found = lang_offered_for_script(clean, &cld2, offered)) >= 0) {
		reading->confident = true;
		lang_reading_add(reading, found);
	} else if (confident && (lang_cld2_weight(&cld2) >= LANG_CLD2_VOTE || strlen(clean) >= LANG_CLD2_SURE_BYTES) &&
		   (found = lang_offered_index(cld2.language[0], offered)) >= 0) {
		/* CLD2 is sure (most mail, which is longer than a subject):
		 * libexttextcat would not change its answer, so it is spared. */
		reading->confident = true;
		lang_reading_add(reading, found);
	} else if (lang_read_both(clean, &cld2, offered, prior, &found) && found >= 0) {
		reading->confident = confident && lang_cld2_named(&cld2, offered, found);
		lang_reading_add(reading, found);
	} else {
		/* Mostly a language no offered locale serves (or nothing
		 * libexttextcat can read): what CLD2 found of offered ones. */
		lang_reading_from_cld2(&cld2, confident, offered, reading);
	}
	g_free(clean);
}
