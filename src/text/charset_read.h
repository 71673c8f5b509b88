/*
 * charset_read.h - 8-bit text read as UTF-8, for the parser (message.c,
 * rfc2047.c) and the command stripper (commands_strip.c), which must
 * read the same text from the same bytes.  Internal to the engine.
 *
 * Reading (charset_read): a charset name as charset_label_map() gives
 * it is read as the charset senders mean by it, which is often a
 * superset: Shift_JIS as Windows-31J (CP932) and EUC-JP as eucJP-ms,
 * with the NEC and IBM characters Japanese mail is full of (①, ㈱, ㍻);
 * ISO-2022-JP as CP50220, through ICU, whose converter has them (glibc's
 * stops at the first one, and GMime's filter then drops the rest of the
 * line); GB2312 and GBK as GB18030, Big5 as CP950, EUC-KR as CP949 (UHC),
 * ISO-8859-1 as Windows-1252, TIS-620 as Windows-874.  A byte sequence
 * the charset does not have becomes U+FFFD, a NUL a space: the result is
 * always valid UTF-8 with no NUL.
 *
 * Choosing (charset_read_choose): the charset a text part's bytes are
 * read in.  Its label, when it names a charset; otherwise (no label, an
 * ASCII alias such as "ascii" or "ANSI_X3.4-1968" on 8-bit bytes, a label
 * iconv does not know, "UTF-8" on bytes that are not) UTF-8 when the
 * bytes are valid UTF-8, ISO-2022-JP when 7-bit bytes hold its escapes,
 * else the detector's guess (charset_guess.h) over them and the hint,
 * Windows-1252 when it has none.  Only the first
 * CHARSET_READ_CHOOSE_MAX bytes are looked at, so that the parser (which
 * reads 512 KiB of a part) and the stripper (1 MiB) choose alike.
 *
 * Linear in the input; bounded memory (the output is at most 3 bytes per
 * input byte).  Pure: no state; safe from any thread.
 * Room: text.
 */
#ifndef TM_CHARSET_READ_H
#define TM_CHARSET_READ_H

#include <stdbool.h>
#include <stddef.h>

#define CHARSET_READ_CHOOSE_MAX (512 * 1024)

/* charset_read() flags */
enum {
	CHARSET_READ_INVALID = 1 << 0,	/* bytes not in the charset: U+FFFD */
	CHARSET_READ_NUL = 1 << 1,	/* NUL bytes: spaces */
	CHARSET_READ_UNKNOWN = 1 << 2,	/* no converter for the name: read as the bytes' own */
};

/* The len bytes in charset name as valid UTF-8 without NUL (g_free);
 * *flags (may be NULL) gets the CHARSET_READ_* that applied.  A name no
 * converter knows (or NULL) reads the bytes as charset_read_choose()
 * would read them without a label. */
char *charset_read(const char *name, const char *bytes, size_t len, unsigned *flags);

/* The charset to read a text part's decoded bytes in: label (a name
 * from charset_label_map(), or NULL when the part has none) or a static
 * string.  hint: more 8-bit text of the same message (its raw header
 * text) for the detector, may be NULL. */
const char *charset_read_choose(const char *label, const char *bytes, size_t len, const char *hint,
				size_t hint_len);

/* True for the names of US-ASCII (charset_label_map() maps every alias
 * to "us-ascii"). */
bool charset_is_ascii(const char *name);

/* True when len bytes are valid UTF-8, NUL bytes allowed; a character
 * cut at the very end counts as valid when cut_ok (a sample's end). */
bool charset_valid_utf8(const char *bytes, size_t len, bool cut_ok);

#endif
