/*
 * lang_textcat.h - libexttextcat's n-gram fingerprints, the second
 * language detector beside CLD2 (private to the lang module).
 *
 * libexttextcat (Cavnar and Trenkle's "out of place" measure) compares
 * the n-grams of a text with each language's ranked list of its 400 most
 * frequent n-grams.  On texts of a few words it errs differently from
 * CLD2, which is why lang_read.c weighs both.  Only the comparison lives
 * here; the policy is in lang_read.c.
 *
 * The fingerprints (libexttextcat-data) are read once per process, on
 * first use, and never change afterwards: a read-only table like CLD2's
 * own compiled-in ones, shared by every thread without locks.  Every
 * function is thread-safe (libexttextcat keeps no state of its own).
 * Room: language.
 */
#ifndef TM_LANG_TEXTCAT_H
#define TM_LANG_TEXTCAT_H

#include <stdbool.h>
#include <stddef.h>

struct lang_textcat;		/* every fingerprint found */
struct lang_textcat_sample;	/* one text's n-grams */

/* The fingerprints in TEXTCAT_DATADIR, read on the first call; NULL when
 * none could be read (the caller then does without). */
const struct lang_textcat *lang_textcat_models(void);

/* The n-grams of the first bytes of text (up to len, cut back to a whole
 * character), lower case; NULL when it holds no letters.  Free with
 * lang_textcat_sample_free(). */
struct lang_textcat_sample *lang_textcat_sample_new(const char *text, size_t len);
void lang_textcat_sample_free(struct lang_textcat_sample *sample);

/* The distance of a language that shares no n-gram with the sample: the
 * largest there is, the unit lang_read.c measures distances in. */
int lang_textcat_sample_worst(const struct lang_textcat_sample *sample);

/* How far the sample is from a language, given as the language and
 * script subtags of a tag, lower case ("zh", "hant"; script "" for none):
 * the fingerprint of that script, else the language's own, else the
 * nearest of its scripts ("sr" -> sr-Cyrl or sr-Latn).  -1 when there is
 * no fingerprint for the language; INT_MAX when it is farther than
 * cutoff (comparing stops there, which saves most of the time on
 * languages that do not come near). */
int lang_textcat_distance(const struct lang_textcat *models, const char *language, const char *script,
			  const struct lang_textcat_sample *sample, int cutoff);

#endif
