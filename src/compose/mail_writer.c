/*
 * mail_writer.c - composing customer-facing mail (see mail_writer.h).
 *
 * The message is written out directly, with GMime's encoders for every
 * piece that needs one (RFC 2047 words, addresses, dates, quoted-
 * printable).  Building a GMimeMessage and serialising it cost a million
 * instructions per acknowledgement, a third of a new ticket's work, all
 * of it inside the store's transaction; this costs a few percent of that.
 * Room: compose.
 */
#include "config.h"
#include "compose/mail_writer.h"
#include "config/settings.h"
#include "trust/token.h"
#include "text/header_fold.h"

#include <gmime/gmime.h>
#include <string.h>

/* Where header lines are folded when they can be (RFC 5322 2.1.1). */
#define FOLD_COLUMN 78
/* Longer lines than this force quoted-printable (RFC 5322 2.1.1). */
#define MAX_LINE 998

/* "Name: value", folded at spaces before FOLD_COLUMN where there is one.
 * value is ASCII without line breaks (callers make it so). */
static void put_header(GString *out, const char *name, const char *value)
{
	size_t column = strlen(name) + 2;
	const char *word = value;

	g_string_append(out, name);
	g_string_append(out, ": ");
	while (*word) {
		const char *space = strchr(word + 1, ' ');
		size_t len = space ? (size_t)(space - word) : strlen(word);
		if (word != value && *word == ' ' && column + len > FOLD_COLUMN) {
			g_string_append_c(out, '\n');
			column = 0;
		}
		g_string_append_len(out, word, (gssize)len);
		column += len;
		word += len;
	}
	g_string_append_c(out, '\n');
}

/* Text that may come from a customer, made one line: control characters
 * (CR and LF above all: no header of theirs) become spaces. */
static char *one_line(const char *text)
{
	char *line = g_strdup(text ? text : "");

	for (unsigned char *p = (unsigned char *)line; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return line;
}

/* Unstructured text as RFC 2047 encoded words where it is not ASCII,
 * folded as every header we write is (header_fold.h: no encoded word
 * over 75 bytes, no line over 78 where a fold point allows). */
static void put_text_header(GString *out, const char *name, const char *text)
{
	char *line = one_line(text), *encoded = g_mime_utils_header_encode_text(NULL, line, "utf-8");
	char *folded = header_fold(name, encoded);

	g_string_append_printf(out, "%s: %s\n", name, folded);
	g_free(folded);
	g_free(encoded);
	g_free(line);
}

static void put_address_header(GString *out, const char *name, const char *display, const char *address)
{
	char *clean_name = display ? one_line(display) : NULL, *clean_address = one_line(address);
	InternetAddress *ia = internet_address_mailbox_new(clean_name, clean_address);
	char *value = internet_address_to_string(ia, NULL, TRUE);

	put_header(out, name, value);
	g_free(value);
	g_object_unref(ia);
	g_free(clean_name);
	g_free(clean_address);
}

/* A Message-ID we repeat must be one: printable ASCII, no brackets or
 * spaces (a customer's header could hold anything). */
static bool plain_id(const char *id)
{
	if (id == NULL || *id == '\0')
		return false;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '<' || *p == '>')
			return false;
	return true;
}

/* "<a> <b> ...": the first reference, then the newest ones, then ours. */
static char *references_value(const struct ack_request *req)
{
	GString *out = g_string_new(NULL);
	guint n = req->references ? req->references->len : 0;
	guint keep_newest = ACK_MAX_REFERENCES - 2;

	for (guint i = 0; i < n; i++) {
		const char *id = g_ptr_array_index(req->references, i);
		if ((i > 0 && i + keep_newest < n) || !plain_id(id))
			continue;
		g_string_append_printf(out, "%s<%s>", out->len ? " " : "", id);
	}
	if (plain_id(req->in_reply_to))
		g_string_append_printf(out, "%s<%s>", out->len ? " " : "", req->in_reply_to);
	return g_string_free(out, FALSE);
}

/* 7bit when every line is short ASCII and the boundary cannot occur in
 * it, else quoted-printable: readable in any client either way. */
static bool seven_bit(const char *text, const char *boundary)
{
	size_t line = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p >= 0x80 || *p == '\r')
			return false;
		line = *p == '\n' ? 0 : line + 1;
		if (line > MAX_LINE)
			return false;
	}
	return boundary == NULL || strstr(text, boundary) == NULL;
}

/* Content-Type and Content-Transfer-Encoding, a blank line, the body. */
static void put_text_part(GString *out, const char *subtype, const char *text, const char *boundary)
{
	g_string_append_printf(out, "Content-Type: text/%s; charset=utf-8\n", subtype);
	if (seven_bit(text, boundary)) {
		g_string_append(out, "Content-Transfer-Encoding: 7bit\n\n");
		g_string_append(out, text);
	} else {
		GMimeEncoding enc;
		size_t len = strlen(text), n;
		char *buf;
		g_mime_encoding_init_encode(&enc, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
		buf = g_malloc(g_mime_encoding_outlen(&enc, len));
		n = g_mime_encoding_flush(&enc, text, len, buf);
		g_string_append(out, "Content-Transfer-Encoding: quoted-printable\n\n");
		g_string_append_len(out, buf, (gssize)n);
		g_free(buf);
	}
}

GBytes *ack_compose(const struct ack_request *req, char **message_id)
{
	const struct settings *s = req->settings;
	struct token_key key = { s->secret, s->secret_len };
	char *gateway = token_gateway_address(&key, req->queue->addresses[0], &req->ref);
	GDateTime *now = g_date_time_new_from_unix_utc(req->now);
	GString *out = g_string_sized_new(4096);
	char id[64], *value;

	*message_id = token_message_id(&key, &req->ref, s->hostname);
	ticket_ref_format(&req->ref, id, sizeof id);

	put_address_header(out, "From", req->queue->name, req->queue->addresses[0]);
	put_address_header(out, "To", req->to_name, req->to_address);
	put_address_header(out, "Reply-To", req->queue->name, req->reply_to ? req->reply_to : gateway);
	put_text_header(out, "Subject", req->subject);
	value = g_mime_utils_header_format_date(now);
	put_header(out, "Date", value);
	g_free(value);
	g_string_append_printf(out, "Message-ID: <%s>\n", *message_id);
	if (plain_id(req->in_reply_to))
		g_string_append_printf(out, "In-Reply-To: <%s>\n", req->in_reply_to);
	value = references_value(req);
	if (*value)
		put_header(out, "References", value);
	g_free(value);
	if (req->thread_index)
		put_header(out, "Thread-Index", req->thread_index);
	/* Either way other robots stay quiet: no vacation reply to an
	 * announcement sent to many customers at once. */
	if (req->generated)
		g_string_append(out, "Auto-Submitted: auto-generated\n"
				     "X-Auto-Response-Suppress: All\n"
				     "Precedence: bulk\n");
	else
		g_string_append(out, "Auto-Submitted: auto-replied\n"
				     "X-Auto-Response-Suppress: All\n"
				     "Precedence: auto_reply\n");
	put_header(out, "X-Ticket-ID", id);
	if (req->locale) {
		value = one_line(req->locale);
		put_header(out, "Content-Language", value);
		g_free(value);
	}
	g_string_append(out, "MIME-Version: 1.0\n");

	if (req->html) {
		/* Unique per message (from our Message-ID), short enough (RFC
		 * 2046: 70), and "=_" never occurs in quoted-printable. */
		char *digest = g_compute_checksum_for_string(G_CHECKSUM_SHA1, *message_id, -1);
		char *boundary = g_strconcat("=_tm_", digest, NULL);
		g_free(digest);
		g_string_append_printf(out, "Content-Type: multipart/alternative;\n boundary=\"%s\"\n\n", boundary);
		/* The line break before each delimiter is the delimiter's
		 * (RFC 2046 5.1.1): the parts keep their own last one. */
		g_string_append_printf(out, "--%s\n", boundary);
		put_text_part(out, "plain", req->text, boundary);
		g_string_append_printf(out, "\n--%s\n", boundary);
		put_text_part(out, "html", req->html, boundary);
		g_string_append_printf(out, "\n--%s--\n", boundary);
		g_free(boundary);
	} else {
		put_text_part(out, "plain", req->text, NULL);
		if (out->str[out->len - 1] != '\n')
			g_string_append_c(out, '\n');
	}

	g_date_time_unref(now);
	g_free(gateway);
	return g_string_free_to_bytes(out);
}
