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
 * (with the HTML scanner of html_scan.c); this file picks the parts,
 * decodes them, chooses their charset and writes the message back.
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
#include "text/charset_read.h"
#include "text/header_charset.h"
#include "util/spool.h"
#include "mime/spool_stream.h"

#include <gmime/gmime.h>
#include <string.h>
#include <errno.h>

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

/* Where a rewrite writes its scratch files, and what must live until
 * the new body is written (substreams do not hold their parent). */
struct strip_ctx {
	const char *dir;
	bool in_memory;			/* the message is in memory: so are its parts */
	GPtrArray *keep;		/* GMimeStream * */
	GString *hint;			/* raw 8-bit header text (header_charset.h) */
};

/* The decoded content of a part: in memory when small, else in a
 * scratch file.  NULL with *error when the file cannot be made. */
static GMimeStream *decode_part(GMimeDataWrapper *content, struct strip_ctx *cx, char **error)
{
	gint64 encoded = g_mime_stream_length(g_mime_data_wrapper_get_stream(content));
	GMimeStream *decoded;

	/* Decoding never makes base64, quoted-printable or 8bit longer. */
	if (cx->in_memory || (encoded >= 0 && encoded <= STRIP_WINDOW)) {
		decoded = g_mime_stream_mem_new();
	} else {
		int fd = spool_tmpfile(cx->dir, error);
		if (fd < 0)
			return NULL;
		decoded = g_mime_stream_fs_new(fd);
	}
	if (g_mime_data_wrapper_write_to_stream(content, decoded) < 0) {
		*error = g_strdup("a text part cannot be decoded");
		g_object_unref(decoded);
		return NULL;
	}
	g_mime_stream_flush(decoded);
	g_mime_stream_reset(decoded);
	return decoded;
}

/* Replaces the part's content when it starts with command lines. */
static bool strip_part(GMimePart *part, bool html, struct strip_ctx *cx, char **error)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	const char *charset = body_parts_charset(part);
	GMimeStream *decoded, *stream;
	GByteArray *window, *stripped;
	GMimeDataWrapper *wrapper;
	gint64 total;
	size_t rest = 0;
	bool whole;

	if (content == NULL || (decoded = decode_part(content, cx, error)) == NULL)
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
		g_object_unref(decoded);
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
	g_ptr_array_add(cx->keep, decoded);
	/* The part keeps its Content-Transfer-Encoding header: GMime
	 * encodes the new content that way when the part is written. */
	wrapper = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, wrapper);
	g_object_unref(wrapper);
	g_object_unref(stream);
	return true;
}

static GMimeMessage *parse_message(GMimeStream *stream)
{
	GMimeParserOptions *options = g_mime_parser_options_new();
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *mm;

	g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	/* Contents stay in the input; only the rewritten parts are copied. */
	g_mime_parser_set_persist_stream(parser, TRUE);
	mm = g_mime_parser_construct_message(parser, options);
	g_object_unref(parser);
	g_mime_parser_options_free(options);
	return mm;
}

/* The content of the top-level part without its headers, with the line
 * ends of the input (GMime reads CRLF as LF): in memory, or in a
 * scratch file mapped read-only when to_file. */
static GBytes *write_body(GMimeObject *top, bool crlf, bool to_file, struct strip_ctx *cx, char **error)
{
	GMimeStream *sink, *out;
	GBytes *body = NULL;
	int fd = -1;

	if (to_file) {
		if ((fd = spool_tmpfile(cx->dir, error)) < 0)
			return NULL;
		sink = g_mime_stream_fs_new(fd);
	} else {
		sink = g_mime_stream_mem_new();
	}
	out = sink;
	if (crlf) {
		GMimeFilter *filter = g_mime_filter_unix2dos_new(FALSE);
		out = g_mime_stream_filter_new(sink);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(out), filter);
		g_object_unref(filter);
	}
	if (g_mime_object_write_content_to_stream(top, NULL, out) < 0 || g_mime_stream_flush(out) != 0) {
		*error = g_strdup_printf("writing the new body: %s", to_file ? g_strerror(errno) : "failed");
	} else if (to_file) {
		GError *gerr = NULL;
		GMappedFile *map = g_mapped_file_new_from_fd(fd, FALSE, &gerr);
		if (map) {
			body = g_mapped_file_get_bytes(map);
			g_mapped_file_unref(map);
		} else {
			*error = g_strdup_printf("mapping the new body: %s", gerr->message);
			g_error_free(gerr);
		}
	} else {
		GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(sink));
		body = g_bytes_new(bytes->data, bytes->len);
	}
	if (out != sink)
		g_object_unref(out);
	g_object_unref(sink);
	return body;
}

static bool input_uses_crlf(const char *raw, size_t len)
{
	const char *nl = memchr(raw, '\n', len);

	return nl && nl > raw && nl[-1] == '\r';
}

/* The rewrite of the message read from stream (see commands.h). */
/* Whether the message holds a NUL byte; reads it through in chunks and
 * leaves the stream where it was. */
static bool stream_has_nul(GMimeStream *stream)
{
	gint64 at = g_mime_stream_tell(stream);
	char chunk[8192];
	ssize_t n;
	bool found = false;

	if (g_mime_stream_reset(stream) != 0)
		return false;
	while (!found && (n = g_mime_stream_read(stream, chunk, sizeof chunk)) > 0)
		found = memchr(chunk, '\0', (size_t)n) != NULL;
	g_mime_stream_seek(stream, at, GMIME_STREAM_SEEK_SET);
	return found;
}

static GBytes *strip_stream(GMimeStream *stream, bool crlf, bool to_file, const char *dir,
			    const struct command_block *block, char **error)
{
	struct strip_ctx cx = { dir ? dir : g_get_tmp_dir(), !to_file, g_ptr_array_new_with_free_func(g_object_unref),
				NULL };
	struct body_parts found;
	GMimeMessage *mm;
	GMimeObject *top;
	GBytes *body = NULL;
	char *why = NULL;
	bool changed = false;

	if (error)
		*error = NULL;
	if (commands_block_is_empty(block) || stream == NULL) {
		g_ptr_array_free(cx.keep, TRUE);
		return NULL;
	}
	mm = parse_message(stream);
	top = mm ? g_mime_message_get_mime_part(mm) : NULL;
	cx.hint = header_charset_sample(mm);
	if (mm == NULL)
		why = g_strdup("the message does not parse");
	else if (top && GMIME_IS_MULTIPART(top) && g_mime_object_get_content_type_parameter(top, "boundary") == NULL)
		why = g_strdup("the top-level multipart has no boundary");
	/* GMime keeps a header up to a NUL and writes it back without its
	 * line end, merging it with the next: the parts would change. */
	else if (stream_has_nul(stream))
		why = g_strdup("the message holds NUL bytes");
	if (why == NULL && top) {
		body_parts_find(top, &found);
		/* Changing them would break the signature. */
		if ((found.plain && found.plain_sealed) || (found.html && found.html_sealed))
			why = g_strdup("the body is signed or encrypted");
		if (found.plain && why == NULL)
			changed = strip_part(found.plain, false, &cx, &why);
		if (found.html && why == NULL)
			changed = strip_part(found.html, true, &cx, &why) || changed;
	}
	if (changed && why == NULL)
		body = write_body(top, crlf, to_file, &cx, &why);
	if (error)
		*error = why;
	else
		g_free(why);
	if (mm)
		g_object_unref(mm);
	g_string_free(cx.hint, TRUE);
	g_ptr_array_free(cx.keep, TRUE);
	return body;
}

GBytes *commands_strip_body(const char *raw, size_t len, const struct command_block *block, char **error)
{
	GMimeStream *stream;
	GBytes *body;

	if (error)
		*error = NULL;
	if (commands_block_is_empty(block) || raw == NULL)
		return NULL;
	stream = g_mime_stream_mem_new_with_buffer(raw, len);
	body = strip_stream(stream, input_uses_crlf(raw, len), false, NULL, block, error);
	g_object_unref(stream);
	return body;
}

GBytes *commands_strip_spool(struct spool *sp, const char *dir, const struct command_block *block, char **error)
{
	GMimeStream *stream;
	GBytes *body;

	if (error)
		*error = NULL;
	if (commands_block_is_empty(block) || sp == NULL)
		return NULL;
	if (spool_truncated(sp)) {
		if (error)
			*error = g_strdup("the message is larger than max-message-size and was not kept whole");
		return NULL;
	}
	stream = spool_stream_new(sp);
	if (stream == NULL) {
		if (error)
			*error = g_strdup_printf("reading the spool: %s", g_strerror(errno));
		return NULL;
	}
	body = strip_stream(stream, spool_uses_crlf(sp), spool_fd(sp) >= 0, dir, block, error);
	g_object_unref(stream);
	return body;
}
