/*
 * cld2_wrap.h - a C view of the CLD2 language detector (private to lang.c).
 *
 * CLD2 has only a C++ API; cld2_wrap.cc turns one call of it into a plain
 * struct.  The policy (when to trust the answer, what to do with it) stays
 * in lang.c.
 * Room: language.
 */
#ifndef TM_CLD2_WRAP_H
#define TM_CLD2_WRAP_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CLD2 reports at most three languages per text. */
#define LANG_CLD2_TOP 3

struct lang_cld2_reading {
	/* CLD2's codes ("de", "zh-Hant", "iw"), best first: its summary
	 * language (which, unlike the largest share, sees past English
	 * boilerplate), then the rest of its top three by share of the text.
	 * Static strings owned by CLD2; NULL past the last one found. */
	const char *language[LANG_CLD2_TOP];
	int count;			/* languages found, 0..3 */
	bool reliable;			/* CLD2's own verdict on language[0] */
	/* CLD2's normalized score of language[0]: how strongly the text
	 * reads as it (a few hundred for a word or two, thousands for clear
	 * prose); 0 when none.  On short text it tells a good guess from a
	 * poor one better than the reliable flag does. */
	double score;
};

/* Reads the languages of len bytes of text, which must be UTF-8 without
 * C0/C1 controls (other than tab, LF, FF, CR) or noncharacters: CLD2
 * rejects the whole text, unread, for one of them (count 0).  best_effort
 * asks for an answer even for text too short or too mixed to be sure of.
 * Returns reading->count.
 *
 * Thread-safe, as CLD2 is documented to be.  Its one shared write (a
 * debug global set to the same constant on every call, read only in its
 * HTML debug mode) shows up in helgrind as a harmless race. */
int lang_cld2_read(const char *text, size_t len, bool best_effort, struct lang_cld2_reading *reading);

#ifdef __cplusplus
}
#endif

#endif
