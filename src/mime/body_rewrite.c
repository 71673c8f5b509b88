/*
 * body_rewrite.c - a message opened to write its body back with some of
 * its text parts changed (body_rewrite.h).
 * Room: mime.
 */
#include "config.h"
#include "mime/body_rewrite.h"
#include "mime/spool_stream.h"
#include "util/spool.h"

#include <errno.h>
#include <string.h>

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

/* Parses rw->input and refuses what GMime would write back wrong. */
static int open_input(struct body_rewrite *rw, const char *dir, char **error)
{
	rw->dir = dir ? dir : g_get_tmp_dir();
	rw->keep = g_ptr_array_new_with_free_func(g_object_unref);
	rw->message = parse_message(rw->input);
	rw->top = rw->message ? g_mime_message_get_mime_part(rw->message) : NULL;
	if (rw->message == NULL)
		*error = g_strdup("the message does not parse");
	else if (rw->top && GMIME_IS_MULTIPART(rw->top) &&
		 g_mime_object_get_content_type_parameter(rw->top, "boundary") == NULL)
		*error = g_strdup("the top-level multipart has no boundary");
	else if (stream_has_nul(rw->input))
		*error = g_strdup("the message holds NUL bytes");
	else
		return 0;
	return -1;
}

int body_rewrite_open_spool(struct body_rewrite *rw, struct spool *sp, const char *dir, char **error)
{
	memset(rw, 0, sizeof *rw);
	*error = NULL;
	if (spool_truncated(sp)) {
		*error = g_strdup("the message is larger than max-message-size and was not kept whole");
		return -1;
	}
	rw->input = spool_stream_new(sp);
	if (rw->input == NULL) {
		*error = g_strdup_printf("reading the spool: %s", g_strerror(errno));
		return -1;
	}
	rw->crlf = spool_uses_crlf(sp);
	rw->to_file = spool_fd(sp) >= 0;
	return open_input(rw, dir, error);
}

int body_rewrite_open_raw(struct body_rewrite *rw, const char *raw, size_t len, char **error)
{
	const char *nl = memchr(raw, '\n', len);

	memset(rw, 0, sizeof *rw);
	*error = NULL;
	rw->input = g_mime_stream_mem_new_with_buffer(raw, len);
	rw->crlf = nl && nl > raw && nl[-1] == '\r';
	return open_input(rw, NULL, error);
}

GMimeStream *body_rewrite_decode(struct body_rewrite *rw, GMimePart *part, size_t window, char **error)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	gint64 encoded;
	GMimeStream *decoded;

	if (content == NULL) {
		*error = g_strdup("a text part has no content");
		return NULL;
	}
	encoded = g_mime_stream_length(g_mime_data_wrapper_get_stream(content));
	/* Decoding never makes base64, quoted-printable or 8bit longer. */
	if (!rw->to_file || (encoded >= 0 && (guint64)encoded <= window)) {
		decoded = g_mime_stream_mem_new();
	} else {
		int fd = spool_tmpfile(rw->dir, error);
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
	g_ptr_array_add(rw->keep, decoded);
	return decoded;
}

void body_rewrite_set_content(GMimePart *part, GMimeStream *stream)
{
	/* The part keeps its Content-Transfer-Encoding header: GMime
	 * encodes the new content that way when the part is written. */
	GMimeDataWrapper *wrapper = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(part, wrapper);
	g_object_unref(wrapper);
}

GBytes *body_rewrite_write(struct body_rewrite *rw, char **error)
{
	GMimeStream *sink, *out;
	GBytes *body = NULL;
	int fd = -1;

	*error = NULL;
	if (rw->to_file) {
		if ((fd = spool_tmpfile(rw->dir, error)) < 0)
			return NULL;
		sink = g_mime_stream_fs_new(fd);
	} else {
		sink = g_mime_stream_mem_new();
	}
	out = sink;
	if (rw->crlf) {
		GMimeFilter *filter = g_mime_filter_unix2dos_new(FALSE);
		out = g_mime_stream_filter_new(sink);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(out), filter);
		g_object_unref(filter);
	}
	if (g_mime_object_write_content_to_stream(rw->top, NULL, out) < 0 || g_mime_stream_flush(out) != 0) {
		*error = g_strdup_printf("writing the new body: %s", rw->to_file ? g_strerror(errno) : "failed");
	} else if (rw->to_file) {
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

void body_rewrite_close(struct body_rewrite *rw)
{
	g_clear_object(&rw->message);
	rw->top = NULL;
	if (rw->keep)
		g_ptr_array_free(rw->keep, TRUE);
	rw->keep = NULL;
	g_clear_object(&rw->input);
}
