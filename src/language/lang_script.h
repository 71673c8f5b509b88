/*
 * lang_script.h - what the letters of a text say about its language
 * before any statistics (private to the lang module).
 *
 * Some scripts are written by one language only among those a queue is
 * likely to offer (Hangul: Korean; kana: Japanese), and some letters
 * belong to one language only (ñ and ¿: Spanish; ł: Polish; ğ and ı:
 * Turkish).  A text of a few words is read far more reliably from them
 * than by n-gram statistics.  lang_read.c decides how much they count.
 * Room: language.
 */
#ifndef TM_LANG_SCRIPT_H
#define TM_LANG_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

/* Distinguishing letters are looked for in this many languages at most. */
#define LANG_MARKS_MAX 8

/* The language whose own script the text is mostly written in, as a
 * language subtag: "ko" (Hangul), "ja" (kana, with or without kanji),
 * "ar" (Arabic script without letters of Persian or Urdu), "ru"
 * (Cyrillic without letters of Ukrainian, Belarusian, Serbian or
 * Macedonian), "zh" (Han without kana or Hangul); NULL otherwise, or
 * when those letters are less than a quarter of all (names of products
 * and places in Latin letters are common in such mail).  Reads the first
 * len bytes of valid UTF-8. */
const char *lang_script_language(const char *text, size_t len);

/* Whether a language (subtag, lower case) is written in the script that
 * lang_script_language() named the shortcut language for ("ru": "uk",
 * "bg", "ru" itself...): the shortcut holds only while the queue offers
 * one such language. */
bool lang_script_shared(const char *shortcut, const char *language);

/* The languages (subtags) whose distinguishing letters occur in the
 * first len bytes of text, up to LANG_MARKS_MAX; returns how many. */
int lang_script_marks(const char *text, size_t len, const char *languages[LANG_MARKS_MAX]);

#endif
