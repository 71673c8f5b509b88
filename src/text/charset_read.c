/*
 * charset_read.c - 8-bit text read as UTF-8 (charset_read.h).
 * Room: text.
 */
#include "config.h"
#include "text/charset_read.h"
#include "text/charset_guess.h"
#include "text/charset_label.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/ustring.h>

/* The converter each name is read with where it is not the name itself:
 * the superset senders' software writes under that label (WHATWG's
 * Encoding Standard reads them the same way), through ICU where glibc
 * lacks the characters. */
static const struct {
	const char *name, *reader;
	bool icu;
} readers[] = {
	{ "iso-8859-1", "WINDOWS-1252", false },
	{ "iso-8859-9", "WINDOWS-1254", false },
	{ "iso-8859-11", "WINDOWS-874", false },
	{ "tis-620", "WINDOWS-874", false },
	{ "gb2312", "GB18030", false },
	{ "gbk", "GB18030", false },
	{ "big5", "CP950", false },
	{ "shift_jis", "CP932", false },
	{ "euc-jp", "EUC-JP-MS", false },
	{ "euc-kr", "CP949", false },
	/* ICU's ISO-2022-JP-2 converter reads the NEC row 13 and the IBM
	 * extensions (CP50220/50221 and ISO-2022-JP-MS), half-width kana
	 * and JIS X 0212 by their escape sequences: a superset. */
	{ "iso-2022-jp", "ISO-2022-JP-2", true },
	{ "iso-2022-jp-2", "ISO-2022-JP-2", true },
	{ "csiso2022jp", "ISO-2022-JP-2", true },
};

bool charset_is_ascii(const char *name)
{
	return name && g_ascii_strcasecmp(name, "us-ascii") == 0;
}

static bool is_utf8_name(const char *name)
{
	return g_ascii_strcasecmp(name, "utf-8") == 0 || g_ascii_strcasecmp(name, "utf8") == 0;
}

bool charset_valid_utf8(const char *bytes, size_t len, bool cut_ok)
{
	const char *p, *end, *stop;

	if (len == 0)	/* bytes may then be NULL, and NULL + 0 is undefined */
		return true;
	p = bytes;
	end = bytes + len;

	while (p < end) {
		/* g_utf8_validate_len() stops at a NUL: validate around them. */
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		const char *seg_end = nul ? nul : end;

		if (!g_utf8_validate_len(p, (gsize)(seg_end - p), &stop)) {
			/* A character the sample cuts off at its end. */
			if (!(cut_ok && seg_end == end && end - stop < 4 && ((unsigned char)*stop & 0xC0) == 0xC0))
				return false;
			for (const char *q = stop + 1; q < end; q++)
				if (((unsigned char)*q & 0xC0) != 0x80)
					return false;
		}
		p = nul ? nul + 1 : end;
	}
	return true;
}

/* NUL bytes become spaces: a NUL would cut the text where it stands. */
static void nul_to_space(GString *out, unsigned *flags)
{
	for (gsize i = 0; i < out->len; i++)
		if (out->str[i] == '\0') {
			out->str[i] = ' ';
			*flags |= CHARSET_READ_NUL;
		}
}

/* UTF-8 (and ASCII) as it is, invalid sequences as U+FFFD. */
static void read_utf8(const char *bytes, size_t len, GString *out, unsigned *flags)
{
	const char *p = bytes, *end = bytes + len, *stop;

	while (p < end) {
		if (g_utf8_validate_len(p, (gsize)(end - p), &stop)) {
			g_string_append_len(out, p, end - p);
			break;
		}
		g_string_append_len(out, p, stop - p);
		if (*stop == '\0') {
			g_string_append_c(out, '\0');
		} else {
			g_string_append(out, "\xef\xbf\xbd");
			*flags |= CHARSET_READ_INVALID;
		}
		p = stop + 1;
		/* The rest of a broken sequence goes with its first byte. */
		while (p < end && ((unsigned char)*p & 0xC0) == 0x80)
			p++;
	}
}

/* Through glibc's iconv: a sequence it cannot read is U+FFFD and one
 * byte skipped, so that the rest is still read (linear: every step
 * consumes input or output).  False when iconv does not know the name. */
static bool read_iconv(const char *reader, const char *bytes, size_t len, GString *out, unsigned *flags)
{
	GIConv cd = g_iconv_open("UTF-8", reader);
	gchar *in = (gchar *)bytes;
	gsize inleft = len;
	char buf[4096];

	if (cd == (GIConv)-1)
		return false;
	while (inleft > 0) {
		gchar *o = buf;
		gsize oleft = sizeof buf;
		gsize r = g_iconv(cd, &in, &inleft, &o, &oleft);
		int e = errno;

		g_string_append_len(out, buf, (gssize)(sizeof buf - oleft));
		if (r != (gsize)-1 || e == E2BIG)
			continue;
		g_string_append(out, "\xef\xbf\xbd");
		*flags |= CHARSET_READ_INVALID;
		if (e != EILSEQ)	/* EINVAL: a sequence cut at the end */
			break;
		in++;
		inleft--;
	}
	{
		gchar *o = buf;
		gsize oleft = sizeof buf;
		g_iconv(cd, NULL, NULL, &o, &oleft);
		g_string_append_len(out, buf, (gssize)(sizeof buf - oleft));
	}
	g_iconv_close(cd);
	return true;
}

/* Notes a substitution, then substitutes as ICU does by default. */
static void icu_to_u_note(const void *context, UConverterToUnicodeArgs *args, const char *units, int32_t length,
			  UConverterCallbackReason reason, UErrorCode *err)
{
	if (reason <= UCNV_IRREGULAR)
		*(unsigned *)context |= CHARSET_READ_INVALID;
	UCNV_TO_U_CALLBACK_SUBSTITUTE(NULL, args, units, length, reason, err);
}

static bool read_icu(const char *reader, const char *bytes, size_t len, GString *out, unsigned *flags)
{
	UErrorCode err = U_ZERO_ERROR;
	UConverter *cnv = ucnv_open(reader, &err);
	UChar *u;
	int32_t n, m;
	char *utf8;

	if (U_FAILURE(err))
		return false;
	ucnv_setToUCallBack(cnv, icu_to_u_note, flags, NULL, NULL, &err);
	/* Each UTF-16 unit comes from at least one byte, but for a
	 * substitution at the end. */
	u = g_new(UChar, len + 2);
	n = ucnv_toUChars(cnv, u, (int32_t)(len + 2), bytes, (int32_t)len, &err);
	ucnv_close(cnv);
	if (U_FAILURE(err)) {
		g_free(u);
		return false;
	}
	utf8 = g_malloc((gsize)n * 3 + 1);
	err = U_ZERO_ERROR;
	u_strToUTF8WithSub(utf8, n * 3 + 1, &m, u, n, 0xFFFD, NULL, &err);
	if (U_SUCCESS(err))
		g_string_append_len(out, utf8, m);
	g_free(utf8);
	g_free(u);
	return U_SUCCESS(err);
}

char *charset_read(const char *name, const char *bytes, size_t len, unsigned *flags)
{
	GString *out = g_string_sized_new(len + len / 2 + 1);
	const char *reader = name;
	bool icu = false, done = false;
	unsigned f = 0;

	if (bytes == NULL || len == 0) {
		bytes = "";
		len = 0;
	}
	for (size_t i = 0; name && i < G_N_ELEMENTS(readers); i++)
		if (g_ascii_strcasecmp(name, readers[i].name) == 0) {
			reader = readers[i].reader;
			icu = readers[i].icu;
		}
	if (name && (is_utf8_name(name) || charset_is_ascii(name))) {
		read_utf8(bytes, len, out, &f);
		done = true;
	} else if (name && g_ascii_strcasecmp(name, CHARSET_LABEL_FALLBACK) != 0) {
		done = icu ? read_icu(reader, bytes, len, out, &f) : read_iconv(reader, bytes, len, out, &f);
	}
	if (!done) {
		/* No converter: the bytes' own, as an unlabelled part is read
		 * when the detector has nothing better. */
		g_string_truncate(out, 0);
		f = CHARSET_READ_UNKNOWN;
		if (charset_valid_utf8(bytes, len, false) || !read_iconv("WINDOWS-1252", bytes, len, out, &f))
			read_utf8(bytes, len, out, &f);
	}
	nul_to_space(out, &f);
	if (!g_utf8_validate_len(out->str, out->len, NULL)) {
		char *valid = g_utf8_make_valid(out->str, (gssize)out->len);
		g_string_assign(out, valid);
		g_free(valid);
		f |= CHARSET_READ_INVALID;
	}
	if (flags)
		*flags = f;
	return g_string_free(out, FALSE);
}

static bool all_ascii(const char *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)bytes[i] >= 0x80)
			return false;
	return true;
}

/* A converter exists for the name (ICU's or iconv's). */
static bool readable(const char *name)
{
	const char *reader = name;
	GIConv cd;

	for (size_t i = 0; i < G_N_ELEMENTS(readers); i++)
		if (g_ascii_strcasecmp(name, readers[i].name) == 0) {
			if (readers[i].icu)
				return true;
			reader = readers[i].reader;
		}
	if (g_ascii_strcasecmp(name, CHARSET_LABEL_FALLBACK) == 0)
		return false;
	cd = g_iconv_open("UTF-8", reader);
	if (cd == (GIConv)-1)
		return false;
	g_iconv_close(cd);
	return true;
}

const char *charset_read_choose(const char *label, const char *bytes, size_t len, const char *hint, size_t hint_len)
{
	size_t n = MIN(len, CHARSET_READ_CHOOSE_MAX);

	if (bytes == NULL)
		bytes = "";
	if (label && !charset_is_ascii(label) && !is_utf8_name(label) && readable(label))
		return label;
	if (all_ascii(bytes, n)) {
		/* Old Japanese mailers leave ISO-2022-JP unlabelled: 7-bit. */
		if (charset_guess_iso2022jp(bytes, n))
			return "iso-2022-jp";
		return label && is_utf8_name(label) ? label : "us-ascii";
	}
	if (charset_valid_utf8(bytes, n, n < len))
		return "utf-8";
	return charset_guess(bytes, n, hint, hint_len);
}
