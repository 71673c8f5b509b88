/*
 * header_charset.h - the charset of a message's raw 8-bit header text:
 * a Subject or a display name written in GBK, Big5, Shift_JIS, EUC-KR,
 * KOI8-R or Windows-1251 without encoded words.  Internal to the engine
 * (message.c, commands_strip.c).
 *
 * Header text has no label of its own.  Mail clients that write it raw
 * write it in the charset of the body, so the body's charset is taken
 * first, when it reads those bytes plausibly (charset_guess.h); else
 * the detector guesses from all the raw 8-bit header text of the
 * message together with the body's 8-bit text when that has no label of
 * its own either (more text, a better guess).  Valid UTF-8 stays UTF-8
 * (rfc2047.h decides that per field).
 *
 * Bounded: at most HEADER_CHARSET_SAMPLE_MAX bytes of header text are
 * kept.  Pure; GMime objects are only read.
 * Room: text.
 */
#ifndef TM_HEADER_CHARSET_H
#define TM_HEADER_CHARSET_H

#include <gmime/gmime.h>
#include <stddef.h>

#define HEADER_CHARSET_SAMPLE_MAX (4 * 1024)

/* The raw values of the message's own header fields that hold 8-bit
 * text that is not UTF-8, one after the other, each followed by a line
 * end; empty when there is none (g_string_free). */
GString *header_charset_sample(GMimeMessage *mm);

/* The charset for sample (header_charset_sample()): body_charset (the
 * charset the body text is read in, charset_read.h; may be NULL) when it
 * reads the sample plausibly, else the detector's guess over the sample
 * and body (len bytes of the body's decoded text, may be NULL; pass it
 * only when the body has no label of its own).  NULL when the sample is
 * empty.  A static string or body_charset. */
const char *header_charset_choose(const GString *sample, const char *body_charset, const char *body, size_t len);

#endif
