/*
 * body_text.c - the body's text, its part and its charset (body_text.h).
 * Room: mime.
 */
#include "config.h"
#include "mime/body_text.h"
#include "text/charset_guess.h"
#include "text/charset_read.h"
#include "mime/message.h"
#include "text/text.h"

#include <string.h>

/* What the joined parts may hold together. */
#define JOINED_MAX (2 * BODY_TEXT_READ_MAX)

GByteArray *body_text_bytes(GMimePart *part, size_t max)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GByteArray *buf = g_byte_array_new();
	GMimeStream *filtered;
	GMimeFilter *decode;
	char chunk[8192];
	gssize n;

	if (content == NULL)
		return buf;
	g_mime_stream_reset(g_mime_data_wrapper_get_stream(content));
	filtered = g_mime_stream_filter_new(g_mime_data_wrapper_get_stream(content));
	decode = g_mime_filter_basic_new(g_mime_data_wrapper_get_encoding(content), FALSE);
	g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), decode);
	g_object_unref(decode);
	while (buf->len < max && (n = g_mime_stream_read(filtered, chunk, sizeof chunk)) > 0)
		g_byte_array_append(buf, (guint8 *)chunk, (guint)n);
	g_object_unref(filtered);
	return buf;
}

/* Nothing but white space, the Unicode kinds too (no-break, zero-width,
 * ideographic spaces and byte-order marks). */
static bool blank(const char *s)
{
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (!g_unichar_isspace(c) && c != 0x00A0 && c != 0x200B && c != 0xFEFF && c != 0x3000)
			return false;
	}
	return true;
}

static bool has_8bit(const GByteArray *b)
{
	for (guint i = 0; i < b->len; i++)
		if (b->data[i] >= 0x80)
			return true;
	return false;
}

/* One part's text; *bytes (may be NULL) gets its decoded bytes. */
static char *read_part(GMimePart *part, const char *hint, size_t hint_len, struct body_text *bt,
		       const char **charset, GByteArray **bytes)
{
	GByteArray *raw = body_text_bytes(part, BODY_TEXT_READ_MAX);
	const char *label = body_parts_charset(part);
	const char *cs = charset_read_choose(label, (const char *)raw->data, raw->len, hint, hint_len);
	unsigned flags = 0;
	char *utf8 = charset_read(cs, (const char *)raw->data, raw->len, &flags);
	char *text;

	if (flags & CHARSET_READ_NUL)
		bt->repairs |= MESSAGE_REPAIR_NUL;
	/* A label that says nothing of 8-bit bytes (absent, ASCII, unknown,
	 * UTF-8 on bytes that are not): read by a guess. */
	if ((cs != label && has_8bit(raw) && g_ascii_strcasecmp(cs, "utf-8") != 0) ||
	    (flags & (CHARSET_READ_INVALID | CHARSET_READ_UNKNOWN))) {
		bt->warnings++;
		bt->repairs |= MESSAGE_REPAIR_BODY_CHARSET;
	}
	text = text_sanitize(utf8, -1);
	g_free(utf8);
	if (charset)
		*charset = cs;
	if (bytes)
		*bytes = raw;
	else
		g_byte_array_free(raw, TRUE);
	return text;
}

void body_text_read(const struct body_parts *parts, const char *hint, size_t hint_len, struct body_text *out)
{
	GByteArray *bytes = NULL;
	const char *label;
	GString *joined;

	*out = (struct body_text){ 0 };
	if (parts->plain) {
		out->text = read_part(parts->plain, hint, hint_len, out, &out->charset, &bytes);
		out->part = parts->plain;
		/* An empty plain part beside the HTML that holds the text. */
		if (blank(out->text) && parts->html) {
			g_clear_pointer(&out->text, g_free);
			g_byte_array_free(bytes, TRUE);
			bytes = NULL;
		}
	}
	if (out->text == NULL && parts->html) {
		char *html = read_part(parts->html, hint, hint_len, out, &out->charset, &bytes);
		out->text = text_from_html(html);
		out->part = parts->html;
		g_free(html);
	}
	if (out->text == NULL)
		return;
	label = body_parts_charset(out->part);
	out->labelled = label && out->charset == label && !charset_is_ascii(label);
	out->sample = bytes;
	if (bytes->len > CHARSET_GUESS_MAX)
		g_byte_array_set_size(bytes, CHARSET_GUESS_MAX);
	joined = g_string_new(out->text);
	for (unsigned i = 0; out->part == parts->plain && i < parts->n_more && joined->len < JOINED_MAX; i++) {
		char *more = read_part(parts->more[i], hint, hint_len, out, NULL, NULL);
		if (!blank(more)) {
			g_string_append(joined, "\n\n");
			g_string_append(joined, more);
		}
		g_free(more);
	}
	out->joined = g_string_free(joined, FALSE);
}

void body_text_clear(struct body_text *bt)
{
	g_free(bt->text);
	g_free(bt->joined);
	if (bt->sample)
		g_byte_array_free(bt->sample, TRUE);
	*bt = (struct body_text){ 0 };
}
