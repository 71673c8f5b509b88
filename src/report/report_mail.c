/*
 * report_mail.c - a report as one mail for its managers: the summary as
 * text and HTML, the charts as PNG images the HTML refers to, the
 * figures as a CSV attachment (report_mail.h).  Room: report.
 *
 * Built with GMime's objects, which choose the transfer encodings
 * (quoted-printable text, base64 images) and the boundaries.  The mail
 * carries what came from mail (subjects, names) only through the
 * writers' escaping and GMime's encoders.
 */
#include "config.h"
#include "report/report_mail.h"
#include "report/report_charts.h"
#include "report/report_dates.h"
#include "report/report_write.h"

#include <gmime/gmime.h>
#include <string.h>

struct images {
	GPtrArray *cids;	/* char *, one per chart drawn */
	GPtrArray *parts;	/* GMimePart *, the same order */
	const char *domain;	/* of the Content-IDs: the Message-ID's */
};

static GMimePart *part_of(const char *type, const char *subtype, const void *data, size_t len,
			  GMimeContentEncoding encoding)
{
	GMimePart *part = g_mime_part_new_with_type(type, subtype);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(part, content);
	g_mime_part_set_content_encoding(part, encoding);
	g_object_unref(content);
	g_object_unref(stream);
	return part;
}

static GMimePart *text_part(const char *subtype, const GString *text)
{
	GMimePart *part = part_of("text", subtype, text->str, text->len, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);

	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
	return part;
}

/* report_write_html_refs' callback: draws the chart, keeps its part and
 * names it; NULL (the HTML draws SVG) when cairo could not. */
static const char *chart_ref(void *ctx, const struct report_chart *c)
{
	struct images *im = ctx;
	GByteArray *png = g_byte_array_new();
	GMimePart *part;
	char *cid, *file;

	if (!report_chart_png(c, png)) {
		g_byte_array_free(png, TRUE);
		return NULL;
	}
	part = part_of("image", "png", png->data, png->len, GMIME_CONTENT_ENCODING_BASE64);
	g_byte_array_free(png, TRUE);
	cid = g_strdup_printf("chart-%s.%u@%s", c->id, im->cids->len, im->domain);
	file = g_strdup_printf("%s.png", c->id);
	g_mime_part_set_content_id(part, cid);
	g_mime_object_set_disposition(GMIME_OBJECT(part), GMIME_DISPOSITION_INLINE);
	g_mime_part_set_filename(part, file);
	g_free(file);
	g_ptr_array_add(im->cids, cid);
	g_ptr_array_add(im->parts, part);
	return cid;
}

static char *subject_of(const struct report *r, const char *name)
{
	struct report_dates *d = report_dates_new(r->params.locale, r->params.zone);
	char *since = report_dates_day(d, r->params.since), *until = report_dates_day(d, r->params.until - 1);
	char *subject = g_strdup_printf("Service report %s: %s to %s", name, since, until);

	g_free(since);
	g_free(until);
	report_dates_free(d);
	return subject;
}

/* The text part: a word on the language, then the report. */
static GString *text_of(const struct report *r, bool without_csv)
{
	GString *text = g_string_new(NULL);
	const char *locale = r->params.locale ? r->params.locale : "en";

	if (!g_str_has_prefix(locale, "en"))
		g_string_append_printf(text, "Dates are in your language (%s); the labels are in English.\n\n", locale);
	report_write_text(r, NULL, text);
	if (without_csv)
		g_string_append(text, "\nThe figures as CSV were left out: the mail would have been too large; "
			       "ticketctl report --format csv gives them.\n");
	return text;
}

static GMimeMessage *message_of(const struct report *r, const struct report_mail_params *p, bool with_csv)
{
	struct images im = { g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_object_unref),
			     strchr(p->message_id, '@') ? strchr(p->message_id, '@') + 1 : "localhost" };
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
	GMimeMultipart *related = g_mime_multipart_new_with_subtype("related");
	GMimeMultipart *alternative = g_mime_multipart_new_with_subtype("alternative");
	GString *html = g_string_new(NULL), *text = text_of(r, !with_csv);
	GDateTime *date = g_date_time_new_from_unix_utc(p->date);
	char *subject = subject_of(r, p->name);
	GMimePart *part;

	report_write_html_refs(r, chart_ref, &im, html);
	part = text_part("plain", text);
	g_mime_multipart_add(alternative, GMIME_OBJECT(part));
	g_object_unref(part);
	part = text_part("html", html);
	g_mime_multipart_add(alternative, GMIME_OBJECT(part));
	g_object_unref(part);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(related), "type", "multipart/alternative");
	g_mime_multipart_add(related, GMIME_OBJECT(alternative));
	for (guint i = 0; i < im.parts->len; i++)
		g_mime_multipart_add(related, g_ptr_array_index(im.parts, i));
	g_mime_multipart_add(mixed, GMIME_OBJECT(related));
	if (with_csv) {
		GString *csv = g_string_new(NULL);
		char *file = g_strdup_printf("report-%s.csv", p->name);
		report_write_csv(r, csv);
		part = text_part("csv", csv);
		g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "header", "present");
		g_mime_object_set_disposition(GMIME_OBJECT(part), GMIME_DISPOSITION_ATTACHMENT);
		g_mime_part_set_filename(part, file);
		g_mime_multipart_add(mixed, GMIME_OBJECT(part));
		g_object_unref(part);
		g_free(file);
		g_string_free(csv, TRUE);
	}
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(mixed));
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, p->from_name, p->from_address);
	for (size_t i = 0; p->to[i]; i++)
		g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, p->to[i]);
	g_mime_message_set_subject(msg, subject, "utf-8");
	g_mime_message_set_date(msg, date);
	g_mime_message_set_message_id(msg, p->message_id);
	g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted", "auto-generated", NULL);
	g_mime_object_set_header(GMIME_OBJECT(msg), "Content-Language", r->params.locale ? r->params.locale : "en",
				 NULL);
	g_object_unref(alternative);
	g_object_unref(related);
	g_object_unref(mixed);
	g_date_time_unref(date);
	g_free(subject);
	g_string_free(html, TRUE);
	g_string_free(text, TRUE);
	g_ptr_array_free(im.parts, TRUE);
	g_ptr_array_free(im.cids, TRUE);
	return msg;
}

static GBytes *bytes_of(GMimeMessage *msg)
{
	GMimeFormatOptions *opts = g_mime_format_options_new();
	char *s;
	GBytes *b;

	g_mime_format_options_set_newline_format(opts, GMIME_NEWLINE_FORMAT_UNIX);
	s = g_mime_object_to_string(GMIME_OBJECT(msg), opts);
	g_mime_format_options_free(opts);
	b = g_bytes_new_take(s, strlen(s));
	return b;
}

GBytes *report_mail_compose(const struct report *r, const struct report_mail_params *p, char **error)
{
	size_t max = p->max_bytes ? p->max_bytes : REPORT_MAIL_MAX_BYTES;
	GBytes *mail = NULL;

	for (int with_csv = 1; with_csv >= 0 && mail == NULL; with_csv--) {
		GMimeMessage *msg = message_of(r, p, with_csv);
		mail = bytes_of(msg);
		g_object_unref(msg);
		if (g_bytes_get_size(mail) > max) {
			g_bytes_unref(mail);
			mail = NULL;
		}
	}
	if (mail == NULL)
		*error = g_strdup_printf("the report's mail would be larger than %zu bytes", max);
	return mail;
}
