/*
 * body_prepend.c - a block of text at the top of a message's text
 * (body_prepend.h).
 * Room: compose.
 */
#include "config.h"
#include "compose/body_prepend.h"
#include "mime/body_parts.h"
#include "mime/body_rewrite.h"
#include "text/charset_read.h"

#include <gmime/gmime.h>
#include <string.h>

/* Big text parts of a message in a file are decoded to a file too. */
#define DECODE_IN_MEMORY_MAX (1024 * 1024)

/* True when the charset writes ASCII as ASCII; also for charsets iconv
 * does not know (their bytes are taken as they are). */
static bool ascii_compatible(const char *iconv_name)
{
	static const char probe[] = "[SUP-1] <pre>&#1; \r\n";
	gsize n = 0;
	char *conv = g_convert(probe, -1, iconv_name, "UTF-8", NULL, &n, NULL);
	bool same = conv == NULL || (n == strlen(probe) && memcmp(conv, probe, n) == 0);

	g_free(conv);
	return same;
}

static bool has_8bit(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

/* The block's text in the part's charset (see body_prepend.h). */
static GByteArray *text_in_charset(const char *text, const char *label, GMimeContentEncoding encoding)
{
	bool seven_bit = encoding == GMIME_CONTENT_ENCODING_DEFAULT || encoding == GMIME_CONTENT_ENCODING_7BIT;
	char *bytes = NULL;
	gsize n = 0;

	if (label && !charset_is_ascii(label))
		bytes = g_convert_with_fallback(text, -1, g_mime_charset_iconv_name(label), "UTF-8", "?", NULL, &n,
						NULL);
	if (bytes && seven_bit && has_8bit(bytes, n))
		g_clear_pointer(&bytes, g_free);
	if (bytes == NULL) {
		bytes = g_str_to_ascii(text, "C");
		n = strlen(bytes);
	}
	return g_byte_array_new_take((guint8 *)bytes, n);
}

/* The block with the part's line ends. */
static GByteArray *with_line_ends(GByteArray *block, bool crlf)
{
	GByteArray *out;

	if (!crlf)
		return block;
	out = g_byte_array_sized_new(block->len + 64);
	for (guint i = 0; i < block->len; i++) {
		if (block->data[i] == '\n' && (i == 0 || block->data[i - 1] != '\r'))
			g_byte_array_append(out, (const guint8 *)"\r", 1);
		g_byte_array_append(out, block->data + i, 1);
	}
	g_byte_array_unref(block);
	return out;
}

/* Where the content after the <body ...> tag starts in the HTML, or 0
 * when there is no such tag in it; comments are skipped. */
static size_t after_body_tag(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '<')
			continue;
		if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			const char *end = g_strstr_len(s + i + 4, (gssize)(len - i - 4), "-->");
			if (end == NULL)
				return 0;
			i = (size_t)(end - s) + 2;
			continue;
		}
		if (len - i > 5 && g_ascii_strncasecmp(s + i + 1, "body", 4) == 0 &&
		    (g_ascii_isspace(s[i + 5]) || s[i + 5] == '>' || s[i + 5] == '/')) {
			char quote = 0;
			for (size_t j = i + 5; j < len; j++) {
				if (quote)
					quote = s[j] == quote ? 0 : quote;
				else if (s[j] == '"' || s[j] == '\'')
					quote = s[j];
				else if (s[j] == '>')
					return j + 1;
			}
			return 0;
		}
	}
	return 0;
}

/* The part with block put at its top (or after its <body> tag). */
static bool prepend_part(struct body_rewrite *rw, GMimePart *part, const char *block, bool html, char **error)
{
	const char *label = body_parts_charset(part);
	char *window;
	GMimeStream *decoded, *stream, *piece;
	GByteArray *bytes;
	gint64 total;
	gssize n = 0, got;
	size_t at;
	const char *nl;

	if (label && !ascii_compatible(g_mime_charset_iconv_name(label))) {
		*error = g_strdup_printf("a text part is in %s, in which ASCII is not ASCII", label);
		return false;
	}
	if ((decoded = body_rewrite_decode(rw, part, DECODE_IN_MEMORY_MAX, error)) == NULL)
		return false;
	total = g_mime_stream_length(decoded);
	window = g_malloc(BODY_PREPEND_WINDOW);
	while (n < BODY_PREPEND_WINDOW &&
	       (got = g_mime_stream_read(decoded, window + n, BODY_PREPEND_WINDOW - (size_t)n)) > 0)
		n += got;
	g_mime_stream_reset(decoded);
	if (g_strstr_len(window, n, "-----BEGIN PGP ")) {
		*error = g_strdup("a text part holds PGP armour (an inline signature or encryption)");
		g_free(window);
		return false;
	}
	bytes = html ? g_byte_array_append(g_byte_array_new(), (const guint8 *)block, (guint)strlen(block))
		     : text_in_charset(block, label, g_mime_part_get_content_encoding(part));
	nl = memchr(window, '\n', (size_t)n);
	bytes = with_line_ends(bytes, nl && nl > window && nl[-1] == '\r');
	at = html ? after_body_tag(window, (size_t)n) : 0;
	g_free(window);

	stream = g_mime_stream_cat_new();
	if (at > 0) {
		piece = g_mime_stream_substream(decoded, 0, (gint64)at);
		g_mime_stream_cat_add_source(GMIME_STREAM_CAT(stream), piece);
		g_object_unref(piece);
	}
	piece = g_mime_stream_mem_new_with_byte_array(bytes);	/* takes bytes */
	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(stream), piece);
	g_object_unref(piece);
	if (total > (gint64)at) {
		piece = g_mime_stream_substream(decoded, (gint64)at, total);
		g_mime_stream_cat_add_source(GMIME_STREAM_CAT(stream), piece);
		g_object_unref(piece);
	}
	body_rewrite_set_content(part, stream);
	g_object_unref(stream);
	return true;
}

static bool sealed_top(GMimeObject *top)
{
	return top && (GMIME_IS_MULTIPART_SIGNED(top) || GMIME_IS_MULTIPART_ENCRYPTED(top) ||
		       GMIME_IS_APPLICATION_PKCS7_MIME(top));
}

/* The new body of the message rw opened (or could not: why). */
static GBytes *prepend(struct body_rewrite *rw, char *why, const char *text, const char *html, char **error)
{
	struct body_parts found = { 0 };
	GBytes *body = NULL;

	if (why == NULL) {
		if (rw->top)
			body_parts_find(rw->top, &found);
		if (sealed_top(rw->top) || (found.plain && found.plain_sealed) || (found.html && found.html_sealed))
			why = g_strdup("the body is signed or encrypted");
		else if ((found.plain == NULL || text == NULL) && (found.html == NULL || html == NULL))
			why = g_strdup("the message has no text part");
	}
	if (why == NULL && found.plain && text)
		prepend_part(rw, found.plain, text, false, &why);
	if (why == NULL && found.html && html)
		prepend_part(rw, found.html, html, true, &why);
	if (why == NULL)
		body = body_rewrite_write(rw, &why);
	*error = why;
	body_rewrite_close(rw);
	return body;
}

GBytes *body_prepend_spool(struct spool *sp, const char *dir, const char *text, const char *html, char **error)
{
	struct body_rewrite rw;
	char *why = NULL;

	body_rewrite_open_spool(&rw, sp, dir, &why);
	return prepend(&rw, why, text, html, error);
}

GBytes *body_prepend_raw(const char *raw, size_t len, const char *text, const char *html, char **error)
{
	struct body_rewrite rw;
	char *why = NULL;

	body_rewrite_open_raw(&rw, raw, len, &why);
	return prepend(&rw, why, text, html, error);
}
