/*
 * duration_words.h - a span of time in words for a sentence ("2 hours,
 * 35 minutes", "2 Stunden, 35 Minuten", "2 時間 35 分"), from ICU's
 * MeasureFormat, which only C++ offers.  Room: calendar.
 *
 * For the time left to an agent or how late a promise is, counted in
 * business time: hours and minutes, never days (a business day is not
 * a day).  Rounded to what a reader wants:
 *   under 1 hour:   whole minutes (at least 1)        "35 minutes"
 *   under 10 hours: hours and minutes to the nearest 5 "2 hours, 35 minutes"
 *   from 10 hours:  whole hours, rounded              "12 hours"
 */
#ifndef TM_DURATION_WORDS_H
#define TM_DURATION_WORDS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* minutes (>= 0) in the words of locale ("de", "pt-BR", "pt_BR"; NULL or
 * "" is "en"), newly allocated (g_free), or NULL when the locale tag is
 * not understood or ICU fails.  Thread-safe. */
char *duration_words(int64_t minutes, const char *locale);

#ifdef __cplusplus
}
#endif

#endif
