/*
 * lang_internal.h - what the lang module's files share (private to it):
 * lang_offered.c parses language tags and matches them to the offered
 * locales; lang_read.c reads the language of the text; lang.c chooses.
 * Arrows run lang.c -> lang_read.c -> lang_offered.c (and lang.c ->
 * lang_offered.c), never back.
 * Room: language.
 */
#ifndef TM_LANG_INTERNAL_H
#define TM_LANG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "language/cld2_wrap.h"

/* The parts of a BCP 47 tag that matter for choosing a locale, lower case. */
struct lang_tag {
	char language[4];	/* "pt", "zh", "fil" */
	char script[5];		/* "hant", or "" */
	char region[4];		/* "br", "419", or "" */
};

/* Parses a BCP 47 tag or a POSIX locale name of len bytes ("pt-BR",
 * "zh_Hant_TW", "de_DE.UTF-8"), canonical (iw -> he, zh gets its script).
 * False when it does not start with a 2- or 3-letter language. */
bool lang_tag_parse(const char *text, size_t len, struct lang_tag *tag);

/* Index of the offered locale that serves tag best, or -1. */
int lang_offered_index(const char *tag, char *const *offered);
/* The same for the first len bytes of tag (an item of a list). */
int lang_offered_index_len(const char *tag, size_t len, char *const *offered);

/* The offered locales that serve a language the detector named (a CLD2
 * code such as "zh-Hant"): the language itself (*direct true), else each
 * of its offered close neighbours (Galician: Spanish and Portuguese).
 * Indices into offered, at most max; returns how many. */
int lang_offered_for_language(const char *code, char *const *offered, int *found, int max, bool *direct);

/* What the text says, restricted to the offered locales: indices into
 * offered, best first. */
struct lang_reading {
	int offered[LANG_CLD2_TOP];
	int count;
	/* The reading is sure of offered[0]: CLD2's strict answer was
	 * reliable and named it (or a neighbour of it), or the script left
	 * no other choice.  CLD2's strict answer vouches for every language
	 * in it (strict mode drops unreliable ones), so the English sentence
	 * in mostly Greek mail makes a confident "en" when Greek is not
	 * offered. */
	bool confident;
};

/* Reads subject and text (either may be NULL) as lang.h describes; prior
 * is the index of the queue's default locale in offered (the likelier
 * language when the text is ambiguous), or -1. */
void lang_read_offered(const char *subject, const char *text, char *const *offered, int prior,
		       struct lang_reading *reading);

/* CLD2's reading of subject and text; true when it is confident. */
bool lang_read_cld2(const char *subject, const char *text, struct lang_cld2_reading *cld2);

#endif
