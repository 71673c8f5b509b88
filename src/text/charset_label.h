/*
 * charset_label.h - the charset labels of incoming mail mapped to a
 * bounded set of names before GMime or iconv sees them.
 *
 * Why: GMime remembers every charset label it is given, for the life of
 * the process (g_mime_charset_iconv_name() adds each new name to a
 * global table, which RFC 2047 and RFC 2231 decoding and the charset
 * filter all go through).  Labels are the sender's to choose: 90 encoded
 * words per Subject, each with a fresh 950-byte label, took the daemon
 * from 77 MB to 1 GB in a minute.  Mapped here, a label is one of:
 *   - a known name, by its aliases with case and punctuation ignored
 *     ("UTF8", "utf-8", "Shift JIS", "x-sjis", "latin1", "cp1252" ...):
 *     the name in the table;
 *   - a name iconv knows as written (lower case, letters, digits, '-',
 *     '_' and '.' only, at most CHARSET_LABEL_MAX bytes): glibc's iconv
 *     knows a fixed list of names, so these are bounded too;
 *   - anything else: CHARSET_LABEL_FALLBACK, which iconv does not know,
 *     so that GMime reads the text with the parser's fallback charsets
 *     (UTF-8 when valid, else Windows-1252) and message.c reads a part
 *     as it reads a part in an unknown charset.
 * A language suffix ("utf-8*en", RFC 2231) is dropped.
 *
 * Pure: no state; safe from any thread.
 * Room: text.
 */
#ifndef TM_CHARSET_LABEL_H
#define TM_CHARSET_LABEL_H

#include <stdbool.h>
#include <stddef.h>

/* Longest label looked at; longer ones are the fallback. */
#define CHARSET_LABEL_MAX 40
/* The IANA name (RFC 1428) for text in an unknown 8-bit charset. */
#define CHARSET_LABEL_FALLBACK "unknown-8bit"

/* The name for the len bytes of label: a static string, or buf (at
 * least CHARSET_LABEL_MAX + 1 bytes) holding the label in lower case.
 * Never NULL. */
const char *charset_label_map(const char *label, size_t len, char *buf, size_t size);

/* The same for a NUL-terminated label, without a buffer: a static
 * string, or label itself when iconv knows it as written (any case);
 * NULL for NULL. */
const char *charset_label_name(const char *label);

#endif
