/*
 * message.c - parsing raw mail into struct message with GMime (message.h).
 */
#include "config.h"
#include "message.h"
#include "addr.h"
#include "text.h"

#include <gmime/gmime.h>
#include <openssl/evp.h>
#include <string.h>

/* How much decoded body text is read before trimming; bounds memory for
 * huge text parts (HTML shrinks a lot when turned into text). */
#define BODY_READ_LIMIT (512 * 1024)
/* How much untrimmed text is kept for finding references in quotes. */
#define FULL_TEXT_BYTES (64 * 1024)

static struct mailbox *mailbox_new(const char *address, const char *name)
{
	struct mailbox *m;
	char *norm = addr_normalize(address);

	/* A folded header can leave its line break inside a quoted local
	 * part ("=?utf-8?q?a?=\n =?utf-8?q?b?="@example.com): unfold, so
	 * that an address is one line in the store, the logs and ticketctl. */
	if (norm) {
		char *w = norm;
		for (const char *r = norm; *r; r++)
			if (*r != '\r' && *r != '\n')
				*w++ = *r;
		*w = '\0';
	}
	if (norm == NULL || strchr(norm, '@') == NULL) {
		g_free(norm);
		return NULL;
	}
	m = g_new0(struct mailbox, 1);
	m->address = norm;
	if (name && *name)
		m->name = text_one_line(name);
	return m;
}

static void mailbox_free(gpointer p)
{
	struct mailbox *m = p;

	if (m) {
		g_free(m->address);
		g_free(m->name);
		g_free(m);
	}
}

static void header_field_free(gpointer p)
{
	struct header_field *h = p;

	g_free(h->name);
	g_free(h->value);
	g_free(h);
}

/* Flattens groups; appends struct mailbox * to out. */
static void collect_mailboxes(InternetAddressList *list, GPtrArray *out)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			collect_mailboxes(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), out);
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			struct mailbox *m = mailbox_new(
				internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)),
				internet_address_get_name(ia));
			if (m)
				g_ptr_array_add(out, m);
		}
	}
}

static struct mailbox *first_mailbox(InternetAddressList *list)
{
	GPtrArray *all = g_ptr_array_new_with_free_func(mailbox_free);
	struct mailbox *m = NULL;

	collect_mailboxes(list, all);
	if (all->len > 0)
		m = g_ptr_array_steal_index(all, 0);
	g_ptr_array_free(all, TRUE);
	return m;
}

static GPtrArray *parse_ids(GMimeParserOptions *options, const char *value)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GMimeReferences *refs;

	if (value == NULL)
		return ids;
	refs = g_mime_references_parse(options, value);
	if (refs) {
		for (int i = 0; i < g_mime_references_length(refs); i++) {
			const char *id = g_mime_references_get_message_id(refs, i);
			if (id && *id)
				g_ptr_array_add(ids, text_one_line(id));
		}
		g_mime_references_free(refs);
	}
	return ids;
}

struct body_choice {
	GMimePart *plain;
	GMimePart *html;
	unsigned parts_seen;
	bool report;
};

static void choose_body(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct body_choice *choice = data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	const char *disposition;

	(void)parent;
	choice->parts_seen++;
	if (ct && (g_mime_content_type_is_type(ct, "message", "delivery-status") ||
		   g_mime_content_type_is_type(ct, "message", "disposition-notification") ||
		   g_mime_content_type_is_type(ct, "message", "feedback-report") ||
		   g_mime_content_type_is_type(ct, "multipart", "report")))
		choice->report = true;
	if (!GMIME_IS_PART(part) || ct == NULL)
		return;
	disposition = g_mime_object_get_disposition(part);
	if (disposition && g_ascii_strcasecmp(disposition, "attachment") == 0)
		return;
	if (choice->plain == NULL && g_mime_content_type_is_type(ct, "text", "plain"))
		choice->plain = GMIME_PART(part);
	else if (choice->html == NULL && g_mime_content_type_is_type(ct, "text", "html"))
		choice->html = GMIME_PART(part);
}

/* Decoded text of a part converted to UTF-8, at most BODY_READ_LIMIT bytes. */
static char *read_part_text(GMimePart *part, unsigned *warnings)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	const char *charset = ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
	GMimeStream *filtered;
	GByteArray *buf;
	char chunk[8192];
	gssize n;
	char *text;

	if (content == NULL)
		return g_strdup("");
	g_mime_stream_reset(g_mime_data_wrapper_get_stream(content));
	filtered = g_mime_stream_filter_new(g_mime_data_wrapper_get_stream(content));
	{
		GMimeFilter *decode = g_mime_filter_basic_new(g_mime_data_wrapper_get_encoding(content), FALSE);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), decode);
		g_object_unref(decode);
	}
	if (charset && g_ascii_strcasecmp(charset, "utf-8") != 0 && g_ascii_strcasecmp(charset, "us-ascii") != 0) {
		GMimeFilter *conv = g_mime_filter_charset_new(charset, "UTF-8");
		if (conv) {
			g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), conv);
			g_object_unref(conv);
		} else {
			(*warnings)++;	/* unknown charset: keep the bytes, made valid below */
		}
	}
	buf = g_byte_array_new();
	while (buf->len < BODY_READ_LIMIT && (n = g_mime_stream_read(filtered, chunk, sizeof chunk)) > 0)
		g_byte_array_append(buf, (guint8 *)chunk, (guint)n);
	g_object_unref(filtered);
	/* A NUL byte is a control character like the others: a space.  Left
	 * in, it made valid UTF-8 "invalid" (read again as Windows-1252) and
	 * cut the text where it stood. */
	for (guint i = 0; i < buf->len; i++)
		if (buf->data[i] == '\0')
			buf->data[i] = ' ';

	if (!g_utf8_validate((const char *)buf->data, buf->len, NULL)) {
		/* Unlabeled or mislabeled 8-bit text is most often Windows-1252. */
		char *conv = g_convert((const char *)buf->data, buf->len, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
		(*warnings)++;
		if (conv) {
			text = text_sanitize(conv, -1);
			g_free(conv);
		} else {
			text = text_sanitize((const char *)buf->data, buf->len);
		}
	} else {
		text = text_sanitize((const char *)buf->data, buf->len);
	}
	g_byte_array_free(buf, TRUE);
	return text;
}

static void extract_text(struct message *msg, GMimeMessage *mm, size_t excerpt_bytes)
{
	struct body_choice choice = { 0 };
	GMimeObject *top = g_mime_message_get_mime_part(mm);
	char *body = NULL, *trimmed;

	if (top == NULL) {
		msg->text = g_strdup("");
		msg->full_text = g_strdup("");
		return;
	}
	choose_body(NULL, top, &choice);
	if (GMIME_IS_MULTIPART(top))
		g_mime_multipart_foreach(GMIME_MULTIPART(top), choose_body, &choice);
	msg->parts = choice.parts_seen;
	msg->has_report = choice.report;
	{
		GMimePart *chosen = choice.plain ? choice.plain : choice.html;
		GMimeContentType *ct = chosen ? g_mime_object_get_content_type(GMIME_OBJECT(chosen)) : NULL;
		const char *charset = ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
		if (charset)
			msg->text_charset = g_ascii_strdown(charset, -1);
	}
	if (choice.plain) {
		body = read_part_text(choice.plain, &msg->warnings);
	} else if (choice.html) {
		char *html = read_part_text(choice.html, &msg->warnings);
		body = text_from_html(html);
		g_free(html);
	}
	if (body == NULL) {
		msg->text = g_strdup("");
		msg->full_text = g_strdup("");
		return;
	}
	/* Quoted history can carry our signed reference back to us. */
	msg->full_text = text_bound(body, FULL_TEXT_BYTES);
	trimmed = text_trim_reply(body);
	/* A reply that is nothing but quotes still deserves an excerpt. */
	if (*g_strstrip(trimmed) == '\0') {
		g_free(trimmed);
		trimmed = g_strdup(body);
	}
	msg->text = text_bound(trimmed, excerpt_bytes);
	g_free(trimmed);
	g_free(body);
}

static void compute_sha256(const char *raw, size_t len, char out[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	EVP_Digest(raw, len, digest, &dlen, EVP_sha256(), NULL);
	for (unsigned i = 0; i < dlen && i < 32; i++)
		g_snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

static char *unfold(const char *value)
{
	GString *out = g_string_new(NULL);

	while (*value == ' ' || *value == '\t')
		value++;
	for (const char *p = value; *p; p++)
		if (*p != '\r' && *p != '\n')
			g_string_append_c(out, *p);
	return g_string_free(out, FALSE);
}

static void collect_headers(struct message *msg, GMimeObject *obj)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	int n = g_mime_header_list_get_count(list);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		struct header_field *f = g_new0(struct header_field, 1);
		const char *value = g_mime_header_get_value(h);

		f->name = g_strdup(g_mime_header_get_name(h));
		f->value = text_one_line(value ? value : "");
		g_ptr_array_add(msg->headers, f);
		if (g_ascii_strcasecmp(f->name, "Subject") == 0 && msg->raw_subject == NULL)
			msg->raw_subject = unfold(g_mime_header_get_raw_value(h));
	}
}

struct message *message_parse(const char *raw, size_t len, size_t excerpt_bytes)
{
	struct message *msg = g_new0(struct message, 1);
	GMimeParserOptions *options = g_mime_parser_options_new();
	const char *fallback[] = { "UTF-8", "WINDOWS-1252", NULL };
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *mm;

	msg->in_reply_to = NULL;
	msg->to = g_ptr_array_new_with_free_func(mailbox_free);
	msg->cc = g_ptr_array_new_with_free_func(mailbox_free);
	msg->headers = g_ptr_array_new_with_free_func(header_field_free);
	msg->size = len;
	compute_sha256(raw, len, msg->sha256);

	g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_fallback_charsets(options, fallback);

	stream = g_mime_stream_mem_new_with_buffer(raw, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	mm = g_mime_parser_construct_message(parser, options);
	g_object_unref(parser);
	g_object_unref(stream);

	if (mm == NULL) {
		msg->warnings++;
		msg->in_reply_to = g_ptr_array_new_with_free_func(g_free);
		msg->references = g_ptr_array_new_with_free_func(g_free);
		msg->subject = g_strdup("");
		msg->text = g_strdup("");
		msg->full_text = g_strdup("");
		msg->content_type = g_strdup("text/plain");
		g_mime_parser_options_free(options);
		return msg;
	}

	collect_headers(msg, GMIME_OBJECT(mm));
	if (g_mime_message_get_message_id(mm))
		msg->message_id = text_one_line(g_mime_message_get_message_id(mm));
	msg->in_reply_to = parse_ids(options, g_mime_object_get_header(GMIME_OBJECT(mm), "In-Reply-To"));
	msg->references = parse_ids(options, g_mime_object_get_header(GMIME_OBJECT(mm), "References"));
	msg->from = first_mailbox(g_mime_message_get_from(mm));
	msg->reply_to = first_mailbox(g_mime_message_get_reply_to(mm));
	collect_mailboxes(g_mime_message_get_to(mm), msg->to);
	collect_mailboxes(g_mime_message_get_cc(mm), msg->cc);
	msg->subject = text_one_line(g_mime_message_get_subject(mm) ? g_mime_message_get_subject(mm) : "");
	{
		GDateTime *date = g_mime_message_get_date(mm);
		if (date) {
			msg->date = g_date_time_to_unix(date);
			msg->date_offset = (int)(g_date_time_get_utc_offset(date) / G_TIME_SPAN_MINUTE);
		}
	}
	{
		GMimeObject *top = g_mime_message_get_mime_part(mm);
		GMimeContentType *ct = top ? g_mime_object_get_content_type(top) : NULL;
		char *mime = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
		msg->content_type = mime ? g_ascii_strdown(mime, -1) : g_strdup("text/plain");
		g_free(mime);
	}
	extract_text(msg, mm, excerpt_bytes);
	if (msg->from == NULL)
		msg->warnings++;
	g_object_unref(mm);
	g_mime_parser_options_free(options);
	return msg;
}

void message_free(struct message *msg)
{
	if (msg == NULL)
		return;
	g_free(msg->message_id);
	g_ptr_array_free(msg->in_reply_to, TRUE);
	g_ptr_array_free(msg->references, TRUE);
	mailbox_free(msg->from);
	mailbox_free(msg->reply_to);
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
