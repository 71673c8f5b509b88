/*
 * charset_freq.h - the characters people write most in Chinese
 * (simplified and traditional) and Korean, for the charset detector
 * (charset_guess.c).  Internal to the engine.
 *
 * Why: GBK, Big5 and EUC-KR put their common characters in the same
 * byte rows, so a short subject reads as plausible hanzi in one and
 * plausible hangul in another; only which characters come out tells
 * them apart.  Korean read as GBK gives rare hanzi (감사합니다 as
 * 皑荤钦聪促), Chinese read as EUC-KR rare syllables.  The lists are a
 * few hundred characters each, enough that ordinary text hits them
 * often and the wrong reading seldom.
 * Room: text.
 */
#ifndef TM_CHARSET_FREQ_H
#define TM_CHARSET_FREQ_H

#include <glib.h>
#include <stdbool.h>

enum charset_freq_list { FREQ_HANS, FREQ_HANT, FREQ_HANGUL };

/* True when c is among the common characters of the list. */
bool charset_freq_common(enum charset_freq_list list, gunichar c);

#endif
