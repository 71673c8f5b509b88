/*
 * commands_strip.c - the agent's reply without its command block, for
 * the customer (commands.h).
 *
 * GMime parses the message and writes it back; only the content of the
 * body's first text/plain and text/html parts is replaced, so every
 * other part is written from its original bytes.  Those two parts are
 * decoded (transfer encoding only), cut in their own charset and handed
 * back to GMime, which encodes them again as their headers say.  Cutting
 * in the charset, instead of converting to UTF-8 and back, keeps every
 * byte after the block as it was; lines are converted only to be
 * classified.  Charsets in which ASCII is not ASCII (UTF-16, UTF-7) are
 * the exception: they go through UTF-8 and back.
 *
 * The block is found and cut in each part's bytes by commands_cut.c
 * (with the HTML scanner of html_scan.c); this file picks the parts and
 * chooses their charset; mime/body_rewrite.c opens the message, decodes
 * the parts and writes it back, as it does for the history block.
 *
 * Hostile input: GMime stops nesting at 1024 levels; the walk over the
 * parts is iterative and bounded; the cut keeps an explicit, bounded
 * element stack; all work is linear.
 *
 * Big messages (commands_strip_spool): GMime reads the spool with the
 * parts' contents left in the file, and the new body is written to a
 * file of its own.  A text part of such a message larger than
 * STRIP_WINDOW is decoded to a file, and only its first STRIP_WINDOW
 * bytes are read: the command block must end within them (it always
 * does in real mail); the rest of the part is copied from the file.
 * Memory stays within a few windows whatever the size of the message.
 * Room: commands.
 */
#include "config.h"
#include "commands/commands.h"
#include "commands/commands_cut.h"
#include "mime/body_parts.h"
#include "mime/body_rewrite.h"
#include "text/charset_read.h"
#include "text/header_charset.h"

#include <gmime/gmime.h>
#include <string.h>

/* ---- charsets ---- */

/* True when the charset writes ASCII as ASCII, so that lines can be cut
 * in it; also for charsets iconv does not know (bytes as they are). */
static bool ascii_compatible(const char *iconv_name)
{
	static const char probe[] = "#az \r\n<>&;";
	gsize n = 0;
	char *conv = g_convert(probe, -1, iconv_name, "UTF-8", NULL, &n, NULL);
	bool same = conv == NULL || (n == strlen(probe) && memcmp(conv, probe, n) == 0);

	g_free(conv);
	return same;
}

/* The same in the part's charset: data is the decoded part (whole) or
 * its first STRIP_WINDOW bytes.  A charset in which ASCII is not ASCII
 * is converted as a whole, so its part must be whole. */
static GByteArray *strip_in_charset(const char *data, size_t len, const char *label, const GString *hint, bool html,
				    bool whole, size_t *rest, char **error)
{
	/* The charset message_parse() reads the part in: the same choice. */
	const char *charset = charset_read_choose(label, data, len, hint->str, hint->len);
	const char *name = g_mime_charset_iconv_name(charset);
	struct line_decoder d = { NULL };
	char *utf8, *back;
	gsize n = 0, m = 0;
	size_t urest = 0;
	GByteArray *out;

	if (len == 0)
		return NULL;
	if (charset_is_ascii(charset) || g_ascii_strcasecmp(name, "UTF-8") == 0 || ascii_compatible(name)) {
		d.charset = charset_is_ascii(charset) || g_ascii_strcasecmp(name, "UTF-8") == 0 ? NULL : charset;
		return commands_cut_top(data, len, html, &d, whole, rest, error);
	}
	if (!whole) {
		*error = g_strdup_printf("a %s text part over %d bytes cannot be rewritten", charset, STRIP_WINDOW);
		return NULL;
	}
	utf8 = g_convert(data, (gssize)len, "UTF-8", name, NULL, &n, NULL);
	if (utf8 == NULL) {
		*error = g_strdup_printf("a %s text part does not convert to UTF-8", charset);
		return NULL;
	}
	out = commands_cut_top(utf8, n, html, &d, true, &urest, error);
	if (out)
		g_byte_array_append(out, (const guint8 *)utf8 + urest, (guint)(n - urest));
	g_free(utf8);
	*rest = len;	/* the new content is all in out */
	if (out == NULL || out->len == 0)
		return out;
	back = g_convert((const char *)out->data, out->len, name, "UTF-8", NULL, &m, NULL);
	g_byte_array_free(out, TRUE);
	if (back == NULL) {
		*error = g_strdup_printf("a text part does not convert back to %s", charset);
		return NULL;
	}
	return g_byte_array_new_take((guint8 *)back, m);
}

/* ---- MIME ---- */

/* What a rewrite shares between its parts. */
struct strip_ctx {
	struct body_rewrite *rw;
	GString *hint;			/* raw 8-bit header text (header_charset.h) */
};

/* Replaces the part's content when it starts with command lines. */
static bool strip_part(GMimePart *part, bool html, struct strip_ctx *cx, char **error)
{
	const char *charset = body_parts_charset(part);
	GMimeStream *decoded, *stream;
	GByteArray *window, *stripped;
	gint64 total;
	size_t rest = 0;
	bool whole;

	if ((decoded = body_rewrite_decode(cx->rw, part, STRIP_WINDOW, error)) == NULL)
		return false;
	total = g_mime_stream_length(decoded);
	if (GMIME_IS_STREAM_MEM(decoded)) {
		/* Whole: a part in memory is no bigger than its message. */
		window = g_byte_array_ref(g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(decoded)));
	} else {
		char chunk[65536];
		gssize n;
		window = g_byte_array_new();
		while (window->len < STRIP_WINDOW &&
		       (n = g_mime_stream_read(decoded, chunk, MIN(sizeof chunk, STRIP_WINDOW - window->len))) > 0)
			g_byte_array_append(window, (const guint8 *)chunk, (guint)n);
	}
	whole = total >= 0 && (gint64)window->len >= total;
	stripped = strip_in_charset((const char *)window->data, window->len, charset, cx->hint, html, whole, &rest, error);
	if (stripped == NULL) {
		g_byte_array_unref(window);
		return false;
	}
	if (whole) {
		g_byte_array_append(stripped, window->data + MIN(rest, window->len),
				    (guint)(window->len - MIN(rest, window->len)));
		stream = g_mime_stream_mem_new_with_byte_array(stripped);
	} else {
		/* The new start, then the rest of the part from its file. */
		GMimeStream *head = g_mime_stream_mem_new_with_byte_array(stripped);
		GMimeStream *tail = g_mime_stream_substream(decoded, (gint64)rest, total);
		stream = g_mime_stream_cat_new();
		g_mime_stream_cat_add_source(GMIME_STREAM_CAT(stream), head);
		g_mime_stream_cat_add_source(GMIME_STREAM_CAT(stream), tail);
		g_object_unref(head);
		g_object_unref(tail);
	}
	g_byte_array_unref(window);
	body_rewrite_set_content(part, stream);
	g_object_unref(stream);
	return true;
}

/* The rewrite of the message rw opened (or could not: why), see commands.h. */
static GBytes *strip_message(struct body_rewrite *rw, char *why, char **error)
{
	struct strip_ctx cx = { rw, header_charset_sample(rw->message) };
	struct body_parts found;
	GBytes *body = NULL;
	bool changed = false;

	if (why == NULL && rw->top) {
		body_parts_find(rw->top, &found);
		/* Changing them would break the signature. */
		if ((found.plain && found.plain_sealed) || (found.html && found.html_sealed))
			why = g_strdup("the body is signed or encrypted");
		if (found.plain && why == NULL)
			changed = strip_part(found.plain, false, &cx, &why);
		if (found.html && why == NULL)
			changed = strip_part(found.html, true, &cx, &why) || changed;
	}
	if (changed && why == NULL)
		body = body_rewrite_write(rw, &why);
	if (error)
		*error = why;
	else
		g_free(why);
	g_string_free(cx.hint, TRUE);
	body_rewrite_close(rw);
	return body;
}

GBytes *commands_strip_body(const char *raw, size_t len, const struct command_block *block, char **error)
{
	struct body_rewrite rw;
	char *why = NULL;

	if (error)
		*error = NULL;
	if (commands_block_is_empty(block) || raw == NULL)
		return NULL;
	body_rewrite_open_raw(&rw, raw, len, &why);
	return strip_message(&rw, why, error);
}

GBytes *commands_strip_spool(struct spool *sp, const char *dir, const struct command_block *block, char **error)
{
	struct body_rewrite rw;
	char *why = NULL;

	if (error)
		*error = NULL;
	if (commands_block_is_empty(block) || sp == NULL)
		return NULL;
	body_rewrite_open_spool(&rw, sp, dir, &why);
	return strip_message(&rw, why, error);
}
