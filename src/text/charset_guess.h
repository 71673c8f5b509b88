/*
 * charset_guess.h - the charset of 8-bit text that does not say which it
 * is: raw 8-bit header text, a text part without a usable label.
 * Internal to the engine (charset_read.c, header_charset.c).
 *
 * Candidates, by the scripts mail without labels comes in: Windows-1252
 * (Western Europe), ISO-8859-2 and Windows-1250 (Central Europe),
 * Windows-1251 and KOI8-R (Cyrillic), GBK (as GB18030), Shift_JIS, Big5,
 * EUC-KR and EUC-JP; and whatever else ICU's detector (ucsdet) is sure
 * of on a longer text (Greek, Turkish, Hebrew, Arabic).
 * Each candidate that reads every byte is scored by how the text reads
 * in it: for the East Asian ones by where its characters lie (kana and
 * the first level of kanji, hanzi and hangul are what people write;
 * half-width kana, user-defined and extension rows are not); for the
 * others by its letters (words of one script, lower case but for
 * initials, no C1 controls, box drawing or stray symbols).  ucsdet's
 * confidence adds to that, as much as the text is long enough for it
 * (a subject is not: its statistics need a few hundred bytes).  Ties
 * go to the order above.  UTF-8 that is valid is UTF-8 before any of
 * this.
 *
 * Bounded: at most CHARSET_GUESS_MAX bytes of each input are read.
 * Pure: no state; safe from any thread.
 * Room: text.
 */
#ifndef TM_CHARSET_GUESS_H
#define TM_CHARSET_GUESS_H

#include <stdbool.h>
#include <stddef.h>

#define CHARSET_GUESS_MAX (16 * 1024)

/* The charset of text (len bytes), read together with more (more_len
 * bytes of other text of the same message in the same charset, may be
 * NULL): a static name charset_read() knows.  "utf-8" when text is
 * valid UTF-8, "iso-2022-jp" for 7-bit text with its escapes, else a
 * candidate above; "windows-1252" when none reads every byte. */
const char *charset_guess(const char *text, size_t len, const char *more, size_t more_len);

/* Whether the text reads about as well in name (a label) as in the
 * best candidate: the label of a message's body is then taken for its
 * raw 8-bit header text. */
bool charset_guess_plausible(const char *name, const char *text, size_t len);

/* True when 7-bit text holds ISO-2022-JP's escape to JIS X 0208
 * (ESC $ B or ESC $ @). */
bool charset_guess_iso2022jp(const char *text, size_t len);

#endif
