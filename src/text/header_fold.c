/*
 * header_fold.c - folding and encoding the header values we write
 * (header_fold.h).
 *
 * The value is cut into words and the white space before each; words
 * that cannot stay as they are become UTF-8 encoded words; then the
 * words are laid out in lines, a fold before the white space of the
 * first word that would not fit.
 * Room: text.
 */
#include "config.h"
#include "text/header_fold.h"
#include "text/text.h"

#include <glib.h>
#include <gmime/gmime.h>
#include <stdbool.h>
#include <string.h>

/* Bytes of UTF-8 per encoded word: "=?UTF-8?B?" + 60 base64 + "?=" is
 * 72; in Q, where a byte can take three, 21 bytes are 63 at most. */
#define B_BYTES 45
#define Q_BYTES 21

struct word {
	GString *space;		/* the white space before it; "" for the first */
	GString *text;
	bool encoded;		/* an encoded word, as written or made here */
	bool make;		/* to be made an encoded word here from text */
	bool guarded;		/* in a quoted string or <...>: left as it is */
};

static void word_free(gpointer p)
{
	struct word *w = p;

	if (w == NULL)	/* moved to another list */
		return;
	g_string_free(w->space, TRUE);
	g_string_free(w->text, TRUE);
	g_free(w);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* "=?charset?B?text?=" whole. */
static bool is_encoded_word(const GString *t)
{
	const char *s = t->str, *q;

	if (t->len < 8 || s[0] != '=' || s[1] != '?' || s[t->len - 2] != '?' || s[t->len - 1] != '=')
		return false;
	q = memchr(s + 2, '?', t->len - 2);
	return q && q > s + 2 && q + 3 <= s + t->len - 2 && q[1] && strchr("BbQq", q[1]) && q[2] == '?';
}

static bool has_8bit(const GString *t)
{
	for (gsize i = 0; i < t->len; i++)
		if ((unsigned char)t->str[i] >= 0x80)
			return true;
	return false;
}

/* Words and the white space before each; a word in a quoted string or
 * an angle address is guarded (structured fields only: in a Subject a
 * quote is text). */
static GPtrArray *split_words(const char *value, bool structured)
{
	GPtrArray *words = g_ptr_array_new_with_free_func(word_free);
	struct word *w = NULL;
	bool quoted = false, escaped = false;
	int angle = 0;
	GString *space = g_string_new(NULL);

	for (const char *p = value; *p; p++) {
		char c = *p == '\r' || *p == '\n' ? ' ' : *p;	/* never a line of our own */

		if (is_space(c) && !escaped) {
			g_string_append_c(space, c);
			w = NULL;
			continue;
		}
		if (w == NULL) {
			w = g_new0(struct word, 1);
			w->space = space;
			w->text = g_string_new(NULL);
			space = g_string_new(NULL);
			g_ptr_array_add(words, w);
		}
		g_string_append_c(w->text, c);
		if (!structured)
			continue;
		w->guarded = w->guarded || quoted || angle > 0 || c == '"' || c == '<';
		if (escaped)
			escaped = false;
		else if (quoted && c == '\\')
			escaped = true;	/* a quoted pair: "\ " is not a fold point */
		else if (c == '"')
			quoted = !quoted;
		else if (!quoted && c == '<')
			angle++;
		else if (!quoted && c == '>' && angle > 0)
			angle--;
	}
	g_string_free(space, TRUE);	/* trailing white space: dropped */
	return words;
}

/* text as UTF-8: as it is when valid, else read as Windows-1252 as the
 * parser reads 8-bit header text (message.c), else made valid. */
static char *as_utf8(const char *text, gsize len)
{
	char *conv;

	if (g_utf8_validate(text, (gssize)len, NULL))
		return g_strndup(text, len);
	conv = g_convert(text, (gssize)len, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
	return conv ? conv : g_utf8_make_valid(text, (gssize)len);
}

/* s[n] starts a character (or ends s). */
static bool at_char(const char *s, size_t n)
{
	return ((unsigned char)s[n] & 0xC0) != 0x80;
}

static void encode_q(GString *out, const char *s, size_t n)
{
	g_string_append(out, "=?UTF-8?Q?");
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ')
			g_string_append_c(out, '_');
		else if (g_ascii_isalnum(s[i]))
			g_string_append_c(out, s[i]);
		else
			g_string_append_printf(out, "=%02X", (unsigned char)s[i]);
	}
	g_string_append(out, "?=");
}

/* The UTF-8 text as encoded words of whole characters and at most
 * HEADER_FOLD_WORD_MAX bytes, appended to out after space (the first)
 * and " ".  A B word holds a multiple of 3 bytes, so that it ends
 * without '=' padding: GMime reads adjacent B words as one stream and
 * stops at padding, and it reads the Subjects we write when customers
 * answer.  What no such B word can take goes in Q words. */
static void add_encoded(GPtrArray *out, const char *utf8, const char *space)
{
	size_t len = strlen(utf8), pos = 0;

	while (pos < len) {
		size_t n = MIN(B_BYTES, len - pos) / 3 * 3;
		struct word *w = g_new0(struct word, 1);

		while (n > 0 && !at_char(utf8 + pos, n))
			n -= 3;
		w->space = g_string_new(pos == 0 ? space : " ");
		w->text = g_string_new(NULL);
		if (n > 0) {
			char *b64 = g_base64_encode((const guchar *)utf8 + pos, n);
			g_string_printf(w->text, "=?UTF-8?B?%s?=", b64);
			g_free(b64);
		} else {
			n = text_whole_chars(utf8 + pos, MIN(Q_BYTES, len - pos));
			if (n == 0)
				n = MIN(Q_BYTES, len - pos);
			encode_q(w->text, utf8 + pos, n);
		}
		w->encoded = true;
		g_ptr_array_add(out, w);
		pos += n;
	}
}

/* Which words must change: an encoded word too long for RFC 2047, and
 * in unstructured text a word no line can hold.  White space between a
 * word made encoded and an encoded neighbour would no longer be text:
 * it moves into the word made. */
static void mark(GPtrArray *words, bool structured)
{
	for (guint i = 0; i < words->len; i++) {
		struct word *w = g_ptr_array_index(words, i);
		w->encoded = is_encoded_word(w->text);
		if (!structured && !w->encoded && !w->guarded &&
		    ((has_8bit(w->text) && w->text->len + 1 > HEADER_FOLD_WIDTH) || w->text->len + 1 >= HEADER_FOLD_LIMIT))
			w->make = w->encoded = true;
	}
	for (guint i = 0; i < words->len; i++) {
		struct word *w = g_ptr_array_index(words, i);
		struct word *prev = i > 0 ? g_ptr_array_index(words, i - 1) : NULL;
		struct word *next = i + 1 < words->len ? g_ptr_array_index(words, i + 1) : NULL;
		if (!w->make)
			continue;
		if (prev && prev->encoded) {
			g_string_prepend(w->text, w->space->str);
			g_string_assign(w->space, " ");
		}
		if (next && next->encoded && !next->make) {
			g_string_append(w->text, next->space->str);
			g_string_assign(next->space, " ");
		}
	}
}

/* The words with every change made. */
static GPtrArray *rewrite(GPtrArray *words)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(word_free);

	for (guint i = 0; i < words->len; i++) {
		struct word *w = g_ptr_array_index(words, i);
		char *utf8 = NULL;

		if (w->make)
			utf8 = as_utf8(w->text->str, w->text->len);
		else if (w->encoded && !w->guarded && w->text->len > HEADER_FOLD_WORD_MAX)
			utf8 = g_mime_utils_header_decode_text(NULL, w->text->str);
		if (utf8 && *utf8) {
			add_encoded(out, utf8, w->space->str);
		} else {
			g_ptr_array_add(out, g_steal_pointer(&words->pdata[i]));
		}
		g_free(utf8);
	}
	return out;
}

char *header_fold(const char *name, const char *value)
{
	bool structured = g_ascii_strcasecmp(name, "Subject") != 0;
	size_t column = strlen(name) + 2;	/* "Name: " */
	GPtrArray *words, *laid;
	GString *out;

	if (column + strlen(value) <= HEADER_FOLD_WIDTH && strpbrk(value, "\r\n") == NULL)
		return g_strdup(value);
	words = split_words(value, structured);
	mark(words, structured);
	laid = rewrite(words);
	out = g_string_sized_new(strlen(value) + 16);
	for (guint i = 0; i < laid->len; i++) {
		const struct word *w = g_ptr_array_index(laid, i);
		if (i > 0 && column + w->space->len + w->text->len > HEADER_FOLD_WIDTH) {
			g_string_append_c(out, '\n');
			column = 0;
		}
		g_string_append_len(out, w->space->str, (gssize)w->space->len);
		g_string_append_len(out, w->text->str, (gssize)w->text->len);
		column += w->space->len + w->text->len;
	}
	g_ptr_array_free(words, TRUE);
	g_ptr_array_free(laid, TRUE);
	return g_string_free(out, FALSE);
}
