/*
 * rfc2047.h - RFC 2047 encoded words in header text, decoded here
 * rather than by GMime.  Internal to the engine (message_fields.c).
 *
 * Why: GMime 3.2 joins the payloads of adjacent base64 words before it
 * decodes them, so that a word ending in '=' padding ends the text:
 * "=?UTF-8?B?YQ==?= =?UTF-8?B?Yg==?=" decodes to "a" (GMime issue 133;
 * Thunderbird pads every word), and "=?UTF-8?B?DQphYmM=?= =?UTF-8?B?ZGVm?="
 * to CR LF "abc".  And it reads raw 8-bit text as UTF-8 or Windows-1252
 * only, where a message's own charset is known better (header_charset.h).
 *
 * The rules, as mail clients read headers:
 *   - the value is unfolded (CR and LF removed);
 *   - an encoded word is "=?charset?B|Q?text?=" (a "*lang" after the
 *     charset is allowed), its text without white space, anywhere in
 *     the value (also inside a word or quotes, as GMime's loose mode);
 *   - the white space between two encoded words is not text: adjacent
 *     words are joined, and the bytes of adjacent words in the same
 *     charset are read together, so that a character split between two
 *     words is whole;
 *   - each word's bytes are read in its charset mapped as every label is
 *     (charset_label.h) and read by charset_read.h; an unknown charset
 *     reads them as raw 8-bit text;
 *   - a word that does not decode (bad base64, no "?=") is kept as text;
 *   - raw 8-bit text is read in charset8 unless the whole value is valid
 *     UTF-8, which stays UTF-8; 7-bit text with ISO-2022-JP's escapes is
 *     read as ISO-2022-JP.
 * Linear in the length of the value; the result is at most three bytes
 * for each byte of it.  Pure: safe from any thread.
 * Room: text.
 */
#ifndef TM_RFC2047_H
#define TM_RFC2047_H

#include <stddef.h>

/* rfc2047_decode() flags */
enum {
	RFC2047_CONTROL = 1 << 0,	/* a word decoded to a control character */
	RFC2047_INVALID = 1 << 1,	/* bytes not in their charset (U+FFFD) */
	RFC2047_8BIT = 1 << 2,		/* raw 8-bit text that is not UTF-8 */
};

/* The decoded text of len bytes of a header value, valid UTF-8 without
 * NUL (g_free); control characters are left for the caller (a subject is
 * made one line).  charset8: for raw 8-bit text, NULL for UTF-8 when
 * valid else Windows-1252.  *flags (may be NULL): RFC2047_* that applied. */
char *rfc2047_decode(const char *raw, size_t len, const char *charset8, unsigned *flags);

/* The value for GMime's address parser: raw 8-bit text read in charset8
 * (as above), and each run of adjacent encoded words replaced by one
 * UTF-8 base64 word of its text, its control characters spaces: GMime
 * reads a single word right.  Unfolded; valid UTF-8 (g_free). */
char *rfc2047_normalize(const char *raw, size_t len, const char *charset8);

#endif
