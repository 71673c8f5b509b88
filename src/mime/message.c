/*
 * message.c - parsing raw mail into struct message with GMime (message.h).
 *
 * The bytes come from a spool (spool.h): in memory, or a file that GMime
 * reads through a stream with the parts' contents left on disk
 * (persistent streams).  mime_scan.c goes over them first and says which
 * stretches GMime may read; body_text.c reads the body's text,
 * header_charset.c guesses the charset of raw 8-bit header text from it,
 * and message_fields.c reads the header; every value kept is bounded.
 * Room: mime.
 */
#include "config.h"
#include "mime/message.h"
#include "mime/body_parts.h"
#include "mime/body_text.h"
#include "text/charset_read.h"
#include "text/header_charset.h"
#include "mime/message_fields.h"
#include "mime/mime_scan.h"
#include "util/spool.h"
#include "mime/spool_stream.h"
#include "text/text.h"

#include <gmime/gmime.h>
#include <string.h>

/* How much untrimmed text is kept for finding references in quotes. */
#define FULL_TEXT_BYTES (64 * 1024)

struct part_census {
	unsigned parts_seen;
	bool report;
	bool attached_message;
};

static void count_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct part_census *census = data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);

	(void)parent;
	census->parts_seen++;
	if (ct && (g_mime_content_type_is_type(ct, "message", "delivery-status") ||
		   g_mime_content_type_is_type(ct, "message", "disposition-notification") ||
		   g_mime_content_type_is_type(ct, "message", "feedback-report") ||
		   g_mime_content_type_is_type(ct, "multipart", "report")))
		census->report = true;
	/* Feedback loops and bounces that are not multipart/report attach
	 * the message, or its header. */
	if (ct && (g_mime_content_type_is_type(ct, "message", "rfc822") ||
		   g_mime_content_type_is_type(ct, "message", "global") ||
		   g_mime_content_type_is_type(ct, "text", "rfc822-headers")))
		census->attached_message = true;
}

static void count_parts(struct message *msg, GMimeObject *top)
{
	struct part_census census = { 0 };

	count_part(NULL, top, &census);
	if (GMIME_IS_MULTIPART(top))
		g_mime_multipart_foreach(GMIME_MULTIPART(top), count_part, &census);
	msg->parts = census.parts_seen;
	msg->has_report = census.report;
	msg->has_message_part = census.attached_message;
}

/* The excerpt and the untrimmed text from the body's text. */
static void set_text(struct message *msg, const struct body_text *bt, size_t excerpt_bytes)
{
	char *trimmed;

	if (bt->text == NULL) {
		msg->text = g_strdup("");
		msg->full_text = g_strdup("");
		return;
	}
	/* Quoted history can carry our signed reference back to us; the
	 * commands are read from the first part alone (commands_strip.c
	 * removes them from it). */
	msg->full_text = text_bound(bt->text, FULL_TEXT_BYTES);
	trimmed = text_trim_reply(bt->joined);
	/* A reply that is nothing but quotes still deserves an excerpt. */
	if (*g_strstrip(trimmed) == '\0') {
		g_free(trimmed);
		trimmed = g_strdup(bt->joined);
	}
	msg->text = text_bound(trimmed, excerpt_bytes);
	g_free(trimmed);
}

/* Body and header, in the order their charsets need: the body's text
 * first (its charset is the header's first guess), then the fields. */
static void read_message(struct message *msg, GMimeMessage *mm, GMimeParserOptions *options, size_t excerpt_bytes,
			 const struct parse_ctx *px)
{
	GMimeObject *top = g_mime_message_get_mime_part(mm);
	GString *sample = header_charset_sample(mm);
	struct body_parts choice = { 0 };
	struct body_text bt = { 0 };
	const char *charset8 = NULL;

	if (top) {
		count_parts(msg, top);
		/* The same choice commands_strip.c makes. */
		body_parts_find(top, &choice);
		body_text_read(&choice, sample->str, sample->len, &bt);
	}
	if (bt.part) {
		const char *label = body_parts_charset(bt.part);
		/* The body's own bytes help the guess only when nothing but a
		 * guess read them either. */
		bool guessed = !bt.labelled && !charset_is_ascii(bt.charset) && g_ascii_strcasecmp(bt.charset, "utf-8") != 0;

		msg->text_charset = label ? g_ascii_strdown(label, -1) : NULL;
		charset8 = header_charset_choose(sample, bt.charset, guessed ? (const char *)bt.sample->data : NULL,
						 guessed ? bt.sample->len : 0);
	} else {
		charset8 = header_charset_choose(sample, NULL, NULL, 0);
	}
	*px->repairs |= bt.repairs;
	*px->warnings += bt.warnings;
	message_fields_read(msg, mm, options, charset8, px);
	set_text(msg, &bt, excerpt_bytes);
	body_text_clear(&bt);
	g_string_free(sample, TRUE);
}

void message_limits_default(struct message_limits *lim, size_t excerpt_bytes)
{
	/* The same as the [milter] defaults in settings_keys.c (test_settings checks). */
	lim->excerpt_bytes = excerpt_bytes;
	lim->max_header_bytes = 512 * 1024;
	lim->max_headers = 10000;
	lim->max_header_line = 64 * 1024;
	lim->max_parts = 1000;
	lim->max_depth = 50;
}

static GMimeParserOptions *parser_options(void)
{
	GMimeParserOptions *options = g_mime_parser_options_new();
	const char *fallback[] = { "UTF-8", "WINDOWS-1252", NULL };

	g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_fallback_charsets(options, fallback);
	return options;
}

/* Runs the first pass over the spool. */
static void scan_spool(struct spool *sp, struct mime_scan *sc)
{
	GByteArray *buf = spool_buffer(sp);
	char chunk[65536];
	size_t offset = 0;
	gssize n;

	if (buf) {
		mime_scan_feed(sc, (const char *)buf->data, buf->len);
		return;
	}
	while (!mime_scan_done(sc) && (n = spool_read(sp, offset, chunk, sizeof chunk)) > 0) {
		mime_scan_feed(sc, chunk, (size_t)n);
		offset += (size_t)n;
	}
}

/* What GMime reads: the stretches the scan kept, and its own text. */
static GMimeStream *pieces_stream(GMimeStream *base, const GArray *pieces, size_t *read_bytes)
{
	GMimeStream *cat;

	*read_bytes = 0;
	if (pieces->len == 1 && g_array_index(pieces, struct mime_piece, 0).text == NULL) {
		const struct mime_piece *p = &g_array_index(pieces, struct mime_piece, 0);
		*read_bytes = p->end - p->start;
		return g_mime_stream_substream(base, (gint64)p->start, (gint64)p->end);
	}
	cat = g_mime_stream_cat_new();
	for (guint i = 0; i < pieces->len; i++) {
		const struct mime_piece *p = &g_array_index(pieces, struct mime_piece, i);
		GMimeStream *part = p->text ? g_mime_stream_mem_new_with_buffer(p->text->str, p->text->len)
					    : g_mime_stream_substream(base, (gint64)p->start, (gint64)p->end);
		*read_bytes += p->text ? p->text->len : p->end - p->start;
		g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), part);
		g_object_unref(part);
	}
	return cat;
}

static void fill_empty(struct message *msg)
{
	if (msg->in_reply_to == NULL)
		msg->in_reply_to = g_ptr_array_new_with_free_func(g_free);
	if (msg->references == NULL)
		msg->references = g_ptr_array_new_with_free_func(g_free);
	if (msg->subject == NULL)
		msg->subject = g_strdup("");
	if (msg->text == NULL)
		msg->text = g_strdup("");
	if (msg->full_text == NULL)
		msg->full_text = g_strdup("");
	if (msg->content_type == NULL)
		msg->content_type = g_strdup("text/plain");
}

struct message *message_parse_spool(struct spool *sp, const struct message_limits *lim)
{
	struct message *msg = g_new0(struct message, 1);
	struct parse_ctx px = { &msg->repairs, &msg->warnings };
	GMimeParserOptions *options = parser_options();
	struct mime_scan *sc = mime_scan_new(lim, options);
	const struct mime_scan_result *scan;
	GMimeStream *base, *stream = NULL;
	GMimeParser *parser;
	GMimeMessage *mm = NULL;

	msg->to = g_ptr_array_new_with_free_func(message_mailbox_free);
	msg->cc = g_ptr_array_new_with_free_func(message_mailbox_free);
	msg->headers = g_ptr_array_new_with_free_func(message_header_field_free);
	msg->size = spool_total(sp);
	g_strlcpy(msg->sha256, spool_sha256(sp), sizeof msg->sha256);
	if (spool_truncated(sp))
		msg->limits |= MESSAGE_LIMIT_SIZE;

	scan_spool(sp, sc);
	scan = mime_scan_finish(sc);
	msg->limits |= scan->limits;
	if (scan->nul_in_header)
		msg->repairs |= MESSAGE_REPAIR_NUL;
	base = spool_stream_new(sp);
	if (base) {
		stream = pieces_stream(base, scan->pieces, &msg->read_bytes);
		parser = g_mime_parser_new_with_stream(stream);
		/* Parts' contents stay where they are: in the file for a big message. */
		g_mime_parser_set_persist_stream(parser, TRUE);
		g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
		mm = g_mime_parser_construct_message(parser, options);
		g_object_unref(parser);
	}

	if (mm == NULL) {
		msg->warnings++;
		fill_empty(msg);
	} else {
		read_message(msg, mm, options, lim->excerpt_bytes, &px);
		{
			GMimeObject *top = g_mime_message_get_mime_part(mm);
			GMimeContentType *ct = top ? g_mime_object_get_content_type(top) : NULL;
			char *mime = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
			msg->content_type = mime ? g_ascii_strdown(mime, -1) : g_strdup("text/plain");
			g_free(mime);
		}
		if (msg->from == NULL)
			msg->warnings++;
		fill_empty(msg);
		g_object_unref(mm);
	}
	if (stream)
		g_object_unref(stream);
	if (base)
		g_object_unref(base);
	mime_scan_free(sc);
	g_mime_parser_options_free(options);
	return msg;
}

struct message *message_parse(const char *raw, size_t len, size_t excerpt_bytes)
{
	struct message_limits lim;
	struct spool *sp = spool_new(NULL, G_MAXSIZE, 0);
	struct message *msg;
	char *error = NULL;

	message_limits_default(&lim, excerpt_bytes);
	/* In memory whatever the size: appending cannot fail. */
	spool_append(sp, raw, len, &error);
	g_free(error);
	msg = message_parse_spool(sp, &lim);
	spool_free(sp);
	return msg;
}

static void describe_limits(GString *out, const struct message *msg, const struct message_limits *lim)
{
	if (msg->limits & MESSAGE_LIMIT_SIZE)
		g_string_append_printf(out, "; %zu bytes, over max-message-size: only the first %zu read", msg->size,
				       msg->read_bytes);
	if (msg->limits & MESSAGE_LIMIT_HEADER_BYTES)
		g_string_append_printf(out, "; header fields over %zu bytes (max-header-bytes)", lim->max_header_bytes);
	if (msg->limits & MESSAGE_LIMIT_HEADERS)
		g_string_append_printf(out, "; more than %u header fields (max-headers)", lim->max_headers);
	if (msg->limits & MESSAGE_LIMIT_HEADER_LINE)
		g_string_append_printf(out, "; a header field over %zu bytes (max-header-line)", lim->max_header_line);
	if (msg->limits & MESSAGE_LIMIT_PARTS)
		g_string_append_printf(out, "; more than %u MIME parts (max-mime-parts)", lim->max_parts);
	if (msg->limits & MESSAGE_LIMIT_DEPTH)
		g_string_append_printf(out, "; MIME parts nested deeper than %u (max-mime-depth)", lim->max_depth);
}

char *message_describe(const struct message *msg, const struct message_limits *lim)
{
	static const struct { unsigned bit; const char *text; } repairs[] = {
		{ MESSAGE_REPAIR_NUL, "NUL bytes in header lines or text" },
		{ MESSAGE_REPAIR_HEADER_CHARSET, "8-bit header text that is not UTF-8" },
		{ MESSAGE_REPAIR_CONTROL, "an encoded word decoding to a line break or control character" },
		{ MESSAGE_REPAIR_BODY_CHARSET, "a text part in an unknown or wrong charset" },
		{ MESSAGE_REPAIR_IDS, "Message-IDs too long or too many (some ignored)" },
		{ MESSAGE_REPAIR_ADDRESSES, "addresses too long or too many (some ignored)" },
		{ MESSAGE_REPAIR_SHORTENED, "subject or display name shortened" },
	};
	GString *out;

	if (msg->limits == 0 && msg->repairs == 0)
		return NULL;
	out = g_string_new(NULL);
	describe_limits(out, msg, lim);
	for (size_t i = 0; i < G_N_ELEMENTS(repairs); i++)
		if (msg->repairs & repairs[i].bit)
			g_string_append_printf(out, "; %s", repairs[i].text);
	g_string_erase(out, 0, 2);
	return g_string_free(out, FALSE);
}

void message_free(struct message *msg)
{
	if (msg == NULL)
		return;
	g_free(msg->message_id);
	g_ptr_array_free(msg->in_reply_to, TRUE);
	g_ptr_array_free(msg->references, TRUE);
	message_mailbox_free(msg->from);
	message_mailbox_free(msg->reply_to);
	g_ptr_array_free(msg->to, TRUE);
	g_ptr_array_free(msg->cc, TRUE);
	g_ptr_array_free(msg->headers, TRUE);
	g_free(msg->subject);
	g_free(msg->raw_subject);
	g_free(msg->content_type);
	g_free(msg->text);
	g_free(msg->text_charset);
	g_free(msg->full_text);
	g_free(msg);
}

const char *message_header(const struct message *msg, const char *name)
{
	for (guint i = 0; i < msg->headers->len; i++) {
		const struct header_field *h = g_ptr_array_index(msg->headers, i);
		if (g_ascii_strcasecmp(h->name, name) == 0)
			return h->value;
	}
	return NULL;
}
