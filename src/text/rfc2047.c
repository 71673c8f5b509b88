/*
 * rfc2047.c - encoded words in header text (rfc2047.h).
 *
 * One pass over the unfolded value.  A candidate word needs its "?="
 * before the next white space; both are looked up with a cursor that
 * only moves forward, so that 1 MB of "=?" costs a pass, not a search
 * from each of them.
 * Room: text.
 */
#include "config.h"
#include "text/rfc2047.h"
#include "text/charset_label.h"
#include "text/charset_read.h"

#include <glib.h>
#include <string.h>

#define NONE ((size_t)-1)
/* The longest charset label looked at (RFC 2047 words are at most 75
 * bytes; labels are mapped to 40 at most before GMime sees them). */
#define LABEL_SCAN_MAX 76
/* Raw 8-bit text in a word whose charset does not say. */
#define RAW_8BIT ""

struct scan {
	const char *s;
	size_t len;
	size_t close, close_from;	/* the next "?=" found, where to look on */
	size_t space, space_from;	/* the next white space */
	const char *charset8;
	bool value_utf8;		/* the whole value is valid UTF-8 */
	unsigned flags;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* The first "?=" at or after p (p never goes back between calls). */
static size_t close_at(struct scan *sc, size_t p)
{
	if (sc->close != NONE && sc->close >= p)
		return sc->close;
	for (size_t i = MAX(p, sc->close_from); i + 1 < sc->len; i++)
		if (sc->s[i] == '?' && sc->s[i + 1] == '=') {
			sc->close = i;
			sc->close_from = i + 1;
			return i;
		}
	sc->close = NONE;
	sc->close_from = sc->len;
	return NONE;
}

static size_t space_at(struct scan *sc, size_t p)
{
	if (sc->space != NONE && sc->space >= p)
		return sc->space;
	for (size_t i = MAX(p, sc->space_from); i < sc->len; i++)
		if (is_space(sc->s[i])) {
			sc->space = i;
			sc->space_from = i + 1;
			return i;
		}
	sc->space = NONE;
	sc->space_from = sc->len;
	return NONE;
}

struct word {
	size_t label, label_len;	/* the charset label */
	char enc;			/* 'B' or 'Q' */
	size_t text, text_len;
	size_t end;			/* just after "?=" */
};

/* An encoded word at i (s[i] == '=', s[i + 1] == '?'). */
static bool word_at(struct scan *sc, size_t i, struct word *w)
{
	const char *s = sc->s;
	size_t j = i + 2, close, space;

	while (j < sc->len && j - (i + 2) < LABEL_SCAN_MAX && s[j] != '?' && !is_space(s[j]))
		j++;
	if (j == i + 2 || j + 2 >= sc->len || s[j] != '?' || s[j + 2] != '?' || strchr("BbQq", s[j + 1]) == NULL ||
	    s[j + 1] == '\0')
		return false;
	close = close_at(sc, j + 3);
	space = space_at(sc, j + 3);
	if (close == NONE || (space != NONE && space < close))
		return false;
	w->label = i + 2;
	w->label_len = j - (i + 2);
	w->enc = g_ascii_toupper(s[j + 1]);
	w->text = j + 3;
	w->text_len = close - (j + 3);
	w->end = close + 2;
	return true;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Base64, each word on its own: '=' padding ends a group (so that
 * "YQ==Yg==" from an encoder that joined words is "ab"), not the text. */
static bool decode_b(const char *t, size_t len, GByteArray *out)
{
	guint32 acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		int v = b64_value(t[i]);
		if (t[i] == '=') {
			acc = 0;
			bits = 0;
			continue;
		}
		if (v < 0)
			return false;
		acc = (acc << 6) | (guint32)v;
		bits += 6;
		if (bits >= 8) {
			guint8 byte = (guint8)(acc >> (bits - 8));
			g_byte_array_append(out, &byte, 1);
			bits -= 8;
			acc &= (1u << bits) - 1;
		}
	}
	return true;
}

static void decode_q(const char *t, size_t len, GByteArray *out)
{
	for (size_t i = 0; i < len; i++) {
		guint8 byte = (guint8)t[i];
		if (t[i] == '_') {
			byte = ' ';
		} else if (t[i] == '=' && i + 2 < len && g_ascii_isxdigit(t[i + 1]) && g_ascii_isxdigit(t[i + 2])) {
			byte = (guint8)(g_ascii_xdigit_value(t[i + 1]) << 4 | g_ascii_xdigit_value(t[i + 2]));
			i += 2;
		}
		g_byte_array_append(out, &byte, 1);
	}
}

/* Raw 8-bit bytes, as the value's own text is read. */
static char *read_raw(const struct scan *sc, const char *bytes, size_t len, unsigned *f)
{
	const char *name = sc->charset8 ? sc->charset8 : "windows-1252";
	bool ascii = true;

	if (len == 0)	/* an empty byte array may have no data at all */
		return g_strdup("");

	for (size_t i = 0; i < len && ascii; i++)
		ascii = (unsigned char)bytes[i] < 0x80;
	if (ascii && memchr(bytes, '\033', len))
		return charset_read("iso-2022-jp", bytes, len, f);
	if (ascii || charset_valid_utf8(bytes, len, false))
		return charset_read("utf-8", bytes, len, f);
	return charset_read(name, bytes, len, f);
}

/* Words waiting to be read together: same charset, adjacent. */
struct pending {
	GByteArray *bytes;
	char name[CHARSET_LABEL_MAX + 1];	/* mapped; RAW_8BIT when unknown */
	bool any;
};

static bool has_control(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return true;
	return false;
}

/* The pending words' text onto out: as text, or (normalize) as one
 * UTF-8 word with its control characters as spaces. */
static void flush(struct scan *sc, struct pending *pw, GString *out, bool normalize)
{
	unsigned f = 0;
	char *text;

	if (!pw->any)
		return;
	if (strcmp(pw->name, RAW_8BIT) == 0 || charset_is_ascii(pw->name))
		text = read_raw(sc, (const char *)pw->bytes->data, pw->bytes->len, &f);
	else
		text = charset_read(pw->name, (const char *)pw->bytes->data, pw->bytes->len, &f);
	if (f & CHARSET_READ_INVALID)
		sc->flags |= RFC2047_INVALID;
	if (has_control(text))
		sc->flags |= RFC2047_CONTROL;
	if (normalize) {
		char *b64;
		for (char *p = text; *p; p++)
			if (((unsigned char)*p < 0x20) || *p == 0x7f)
				*p = ' ';
		b64 = g_base64_encode((const guchar *)text, strlen(text));
		g_string_append_printf(out, "=?UTF-8?B?%s?=", b64);
		g_free(b64);
	} else {
		g_string_append(out, text);
	}
	g_free(text);
	g_byte_array_set_size(pw->bytes, 0);
	pw->any = false;
}

/* Text of the value [a, b) onto out. */
static void put_text(struct scan *sc, size_t a, size_t b, GString *out)
{
	unsigned f = 0;
	char *text;

	if (b <= a)
		return;
	if (sc->value_utf8 && memchr(sc->s + a, '\033', b - a) == NULL) {
		text = charset_read("utf-8", sc->s + a, b - a, &f);
	} else {
		text = read_raw(sc, sc->s + a, b - a, &f);
		for (size_t i = a; i < b; i++)
			if ((unsigned char)sc->s[i] >= 0x80)
				sc->flags |= RFC2047_8BIT;
	}
	g_string_append(out, text);
	g_free(text);
}

static char *unfold(const char *raw, size_t len)
{
	char *out = g_malloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (raw[i] != '\r' && raw[i] != '\n')
			out[n++] = raw[i];
	out[n] = '\0';
	return out;
}

static char *run(const char *raw, size_t len, const char *charset8, bool normalize, unsigned *flags)
{
	char *s = unfold(raw ? raw : "", raw ? len : 0);
	struct scan sc = { .s = s, .len = strlen(s), .close = NONE, .space = NONE, .charset8 = charset8 };
	struct pending pw = { .bytes = g_byte_array_new() };
	GByteArray *word = g_byte_array_new();
	GString *out = g_string_sized_new(sc.len + 16);
	size_t text_start = 0;	/* text not yet put out */
	bool after_word = false;

	sc.value_utf8 = g_utf8_validate_len(s, sc.len, NULL);
	for (size_t i = 0; i + 1 < sc.len;) {
		struct word w;
		char buf[CHARSET_LABEL_MAX + 1];
		const char *name;
		bool joined = after_word, decoded = true;

		if (s[i] != '=' || s[i + 1] != '?' || !word_at(&sc, i, &w)) {
			i++;
			continue;
		}
		/* Only white space since the last word: not text. */
		for (size_t k = text_start; k < i && joined; k++)
			joined = is_space(s[k]);
		g_byte_array_set_size(word, 0);
		if (w.enc == 'B')
			decoded = decode_b(s + w.text, w.text_len, word);
		else
			decode_q(s + w.text, w.text_len, word);
		name = charset_label_map(s + w.label, w.label_len, buf, sizeof buf);
		if (strcmp(name, CHARSET_LABEL_FALLBACK) == 0)
			name = RAW_8BIT;
		if (!decoded || !joined || strcmp(pw.name, name) != 0)
			flush(&sc, &pw, out, normalize);
		if (!decoded || !joined)
			put_text(&sc, text_start, i, out);
		if (decoded) {
			g_byte_array_append(pw.bytes, word->data, word->len);
			g_strlcpy(pw.name, name, sizeof pw.name);
			pw.any = true;
		} else {
			put_text(&sc, i, w.end, out);	/* not base64: the word as written */
		}
		after_word = decoded;
		text_start = w.end;
		i = w.end;
	}
	flush(&sc, &pw, out, normalize);
	put_text(&sc, text_start, sc.len, out);
	g_byte_array_free(pw.bytes, TRUE);
	g_byte_array_free(word, TRUE);
	g_free(s);
	if (flags)
		*flags = sc.flags;
	return g_string_free(out, FALSE);
}

char *rfc2047_decode(const char *raw, size_t len, const char *charset8, unsigned *flags)
{
	return run(raw, len, charset8, false, flags);
}

char *rfc2047_normalize(const char *raw, size_t len, const char *charset8)
{
	return run(raw, len, charset8, true, NULL);
}
