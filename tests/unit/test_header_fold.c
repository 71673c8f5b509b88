/*
 * test_header_fold.c - header values we write, folded and encoded
 * (header_fold.h): line lengths, where the folds fall, and that a reader
 * decodes the same text as before.
 */
#include "config.h"
#include "tap.h"
#include "text/header_fold.h"

#include <glib.h>
#include <gmime/gmime.h>
#include <stdbool.h>

/* Lines of "Name: value" as the MTA writes it; the longest, and whether
 * every line after the first is a continuation and every encoded word
 * at most 75 bytes. */
static size_t longest_line(const char *name, const char *value, bool *continued, size_t *longest_word)
{
	char *field = g_strdup_printf("%s: %s", name, value);
	char **lines = g_strsplit(field, "\n", -1);
	size_t longest = 0;

	*continued = true;
	*longest_word = 0;
	for (char **l = lines; *l; l++) {
		char **words = g_strsplit_set(*l, " \t", -1);
		longest = MAX(longest, strlen(*l));
		if (l != lines && (*l)[0] != ' ' && (*l)[0] != '\t')
			*continued = false;
		for (char **w = words; *w; w++)
			if (g_str_has_prefix(*w, "=?") && g_str_has_suffix(*w, "?="))
				*longest_word = MAX(*longest_word, strlen(*w));
		g_strfreev(words);
	}
	g_strfreev(lines);
	g_free(field);
	return longest;
}

static char *decoded(const char *value)
{
	char *unfolded = g_strdup(value), *w = unfolded, *text;

	for (const char *r = value; *r; r++)
		if (*r != '\n')
			*w++ = *r;
	*w = '\0';
	text = g_mime_utils_header_decode_text(NULL, unfolded);
	g_free(unfolded);
	return text;
}

/* Folds value as name; checks the lines and that it reads as before. */
static void folds(const char *name, const char *value, size_t max_line, const char *what)
{
	char *folded = header_fold(name, value);
	char *before = decoded(value), *after = decoded(folded);
	bool continued;
	size_t word, longest = longest_line(name, folded, &continued, &word);

	ok(longest <= max_line && continued && word <= 75, "%s: the longest line %zu bytes (at most %zu), encoded words %zu",
	   what, longest, max_line, word);
	is_str(after, before, "%s: reads the same", what);
	g_free(folded);
	g_free(before);
	g_free(after);
}

int main(void)
{
	GString *s = g_string_new(NULL), *t = g_string_new(NULL);
	char *v, *enc, *enc2;

	g_mime_init();
	v = header_fold("X-Ticket-ID", "SUP-1001");
	is_str(v, "SUP-1001", "a value that fits is left as it is");
	g_free(v);
	v = header_fold("Subject", "a\r\nBcc: victim@example.org");
	ok(strchr(v, '\r') == NULL && strchr(v, '\n') == NULL, "a line break in a value is a space: %s", v);
	g_free(v);

	for (int i = 0; i < 40; i++)
		g_string_append(s, i ? " printer" : "printer");
	folds("Subject", s->str, 78, "320 bytes of ASCII words");

	/* 600 Japanese characters as GMime encodes them: words over 75 bytes. */
	g_string_truncate(s, 0);
	for (int i = 0; i < 600; i++)
		g_string_append_len(s, "日本語の件名です" + (i % 8) * 3, 3);
	enc = g_mime_utils_header_encode_text(NULL, s->str, "utf-8");
	g_string_printf(t, "[SUP-1001] %s", enc);
	folds("Subject", t->str, 78, "600 Japanese characters, encoded");
	/* The same raw, next to encoded words: the spaces between stay text. */
	g_string_printf(t, "=?UTF-8?Q?caf=C3=A9?= %s =?UTF-8?Q?fin?= end", s->str);
	folds("Subject", t->str, 78, "600 raw Japanese characters between encoded words");
	v = header_fold("Subject", t->str);
	enc2 = decoded(v);
	ok(g_str_has_prefix(enc2, "café 日本") && strstr(enc2, "です fin end"), "the spaces around it are kept");
	g_free(enc2);
	g_free(v);
	g_free(enc);

	/* A word no line can hold. */
	g_string_truncate(s, 0);
	for (int i = 0; i < 3000; i++)
		g_string_append_c(s, 'a' + i % 26);
	g_string_prepend(s, "[SUP-7] ");
	folds("Subject", s->str, 78, "a 3000-byte ASCII word");
	g_string_assign(s, "[SUP-7] ");
	for (int i = 0; i < 300; i++)
		g_string_append(s, "Gr\xfc\xdf");
	folds("Subject", s->str, 78, "300 Latin-1 words run together, not UTF-8");

	/* Structured fields: folded at spaces only, nothing encoded anew. */
	g_string_truncate(s, 0);
	for (int i = 0; i < 30; i++)
		g_string_append_printf(s, "%s<message-%d.%d@mail.example.org>", i ? " " : "", i, i * 7919);
	folds("References", s->str, 78, "30 Message-IDs");
	v = header_fold("From", "\"Jürgen Müller-Lüdenscheidt via Example Support International Helpdesk\" <support@example.com>");
	ok(strstr(v, "=?") == NULL && strstr(v, "<support@example.com>"), "a quoted name is not encoded: %s", v);
	g_free(v);
	g_string_truncate(t, 0);
	for (int i = 0; i < 50; i++)
		g_string_append(t, "Jürgen ");
	enc = g_base64_encode((const guchar *)t->str, t->len);
	g_string_printf(s, "=?utf-8?b?%s?= <support@example.com>", enc);
	g_free(enc);
	folds("From", s->str, 78, "a 500-byte encoded display name");

	g_string_free(s, TRUE);
	g_string_free(t, TRUE);
	return tap_done();
}
