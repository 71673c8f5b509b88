/*
 * ack.c - composing customer-facing mail with GMime (see ack.h).
 */
#include "config.h"
#include "ack.h"
#include "engine.h"

#include <gmime/gmime.h>
#include <string.h>

static GMimeTextPart *text_part(const char *subtype, const char *content)
{
	GMimeTextPart *part = g_mime_text_part_new_with_subtype(subtype);

	g_mime_text_part_set_text(part, content);
	g_mime_text_part_set_charset(part, "utf-8");
	/* 7bit when it can be, else quoted-printable: readable in any client. */
	g_mime_part_set_content_encoding(GMIME_PART(part),
		g_mime_part_get_best_content_encoding(GMIME_PART(part), GMIME_ENCODING_CONSTRAINT_7BIT));
	return part;
}

/* "<a> <b> ...": the first reference, then the newest ones, then ours. */
static char *references_value(const struct ack_request *req)
{
	GString *out = g_string_new(NULL);
	guint n = req->references ? req->references->len : 0;
	guint keep_newest = ACK_MAX_REFERENCES - 2;

	for (guint i = 0; i < n; i++) {
		if (i > 0 && i + keep_newest < n)
			continue;
		g_string_append_printf(out, "%s<%s>", out->len ? " " : "", (char *)g_ptr_array_index(req->references, i));
	}
	if (req->in_reply_to)
		g_string_append_printf(out, "%s<%s>", out->len ? " " : "", req->in_reply_to);
	return g_string_free(out, FALSE);
}

GBytes *ack_compose(const struct ack_request *req, char **message_id)
{
	const struct settings *s = req->settings;
	struct token_key key = { s->secret, s->secret_len };
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeObject *obj = GMIME_OBJECT(msg);
	GMimeTextPart *plain = text_part("plain", req->text);
	char *gateway = engine_gateway_address(s, req->queue, &req->ref);
	char id[64], *refs;
	GDateTime *now = g_date_time_new_from_unix_utc(req->now);
	GMimeFormatOptions *format = g_mime_format_options_new();
	GMimeStream *stream;
	GByteArray *bytes;

	*message_id = token_message_id(&key, &req->ref, s->hostname);
	ticket_ref_format(&req->ref, id, sizeof id);

	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, req->queue->name, req->queue->addresses[0]);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, req->to_name, req->to_address);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO, req->queue->name,
				   req->reply_to ? req->reply_to : gateway);
	g_mime_message_set_subject(msg, req->subject, "utf-8");
	g_mime_message_set_date(msg, now);
	g_mime_message_set_message_id(msg, *message_id);
	if (req->in_reply_to) {
		char *irt = g_strdup_printf("<%s>", req->in_reply_to);
		g_mime_object_set_header(obj, "In-Reply-To", irt, NULL);
		g_free(irt);
	}
	refs = references_value(req);
	if (*refs)
		g_mime_object_set_header(obj, "References", refs, NULL);
	g_free(refs);
	g_mime_object_set_header(obj, "Auto-Submitted", "auto-replied", NULL);
	g_mime_object_set_header(obj, "X-Auto-Response-Suppress", "All", NULL);
	g_mime_object_set_header(obj, "Precedence", "auto_reply", NULL);
	g_mime_object_set_header(obj, "X-Ticket-ID", id, NULL);
	if (req->locale)
		g_mime_object_set_header(obj, "Content-Language", req->locale, NULL);

	if (req->html) {
		GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
		GMimeTextPart *html = text_part("html", req->html);
		g_mime_multipart_add(alt, GMIME_OBJECT(plain));
		g_mime_multipart_add(alt, GMIME_OBJECT(html));
		g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
		g_object_unref(html);
		g_object_unref(alt);
	} else {
		g_mime_message_set_mime_part(msg, GMIME_OBJECT(plain));
	}

	/* Unix line ends: sendmail(1) and our SMTP client both convert. */
	g_mime_format_options_set_newline_format(format, GMIME_NEWLINE_FORMAT_UNIX);
	stream = g_mime_stream_mem_new();
	g_mime_object_write_to_stream(obj, format, stream);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));

	{
		GBytes *out = g_bytes_new(bytes->data, bytes->len);
		g_object_unref(stream);
		g_mime_format_options_free(format);
		g_object_unref(plain);
		g_object_unref(msg);
		g_date_time_unref(now);
		g_free(gateway);
		return out;
	}
}
