/* test_weekly_mail.c - the weekly mail composed from a report on the
 * report's test store (report_store.c), parsed back with GMime: its
 * structure (mixed [ related [ alternative [ plain, html ], png... ],
 * csv ]), each cid the HTML refers to carried by an image part, the
 * headers a robot's mail needs, the dates in the recipients' language,
 * and its bound.  Room: tests (report). */
#include "config.h"
#include "tap.h"
#include "report_store.h"
#include "report/report.h"
#include "report/report_charts.h"
#include "report/report_mail.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

static struct settings *s;
static struct store *st;

static struct report *make(const char *locale)
{
	struct report_params p = { .since = REPORT_STORE_SINCE, .until = REPORT_STORE_UNTIL, .now = REPORT_STORE_NOW,
				   .by = REPORT_BY_QUEUE, .zone = "Europe/Istanbul", .locale = locale };
	char *error = NULL;
	struct report *r;

	report_targets_default(&p.targets);
	r = report_compute(st, s, &p, &error);
	if (r == NULL) {
		printf("Bail out! report not computed: %s\n", error ? error : "?");
		exit(1);
	}
	return r;
}

static GMimeMessage *parse(GBytes *mail)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(g_bytes_get_data(mail, NULL), g_bytes_get_size(mail));
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);

	g_object_unref(parser);
	g_object_unref(stream);
	return msg;
}

static bool is_type(GMimeObject *o, const char *type, const char *subtype)
{
	return o && g_mime_content_type_is_type(g_mime_object_get_content_type(o), type, subtype);
}

static char *text_of(GMimeObject *o)
{
	return GMIME_IS_TEXT_PART(o) ? g_mime_text_part_get_text(GMIME_TEXT_PART(o)) : g_strdup("");
}

static const struct report_mail_params params = {
	.name = "managers", .from_name = "Example Support", .from_address = "support@example.com",
	.to = (const char *const[]){ "boss@example.com", "deputy@example.com", NULL },
	.message_id = "weekly.1@example.com", .date = REPORT_STORE_UNTIL,
};

static void check_structure(void)
{
	struct report *r = make("de");
	char *error = NULL, *html, *plain;
	GBytes *mail = report_mail_compose(r, &params, &error);
	GMimeMessage *msg;
	GMimeMultipart *mixed, *related, *alternative;
	int images = 0, found = 0, refs = 0;
	const char *at;

	if (!ok(mail != NULL, "the mail is composed (%s)", error ? error : "no error"))
		exit(1);
	ok(g_bytes_get_size(mail) < REPORT_MAIL_MAX_BYTES, "within its bound (%zu bytes)", g_bytes_get_size(mail));
	msg = parse(mail);
	ok(msg && is_type(msg->mime_part, "multipart", "mixed"), "multipart/mixed");
	mixed = GMIME_MULTIPART(msg->mime_part);
	is_int(g_mime_multipart_get_count(mixed), 2, "two parts: the report and the CSV");
	related = GMIME_MULTIPART(g_mime_multipart_get_part(mixed, 0));
	ok(is_type(GMIME_OBJECT(related), "multipart", "related"), "first multipart/related");
	alternative = GMIME_MULTIPART(g_mime_multipart_get_part(related, 0));
	ok(is_type(GMIME_OBJECT(alternative), "multipart", "alternative"), "which starts with multipart/alternative");
	ok(is_type(g_mime_multipart_get_part(alternative, 0), "text", "plain") &&
	   is_type(g_mime_multipart_get_part(alternative, 1), "text", "html"), "of text/plain and text/html");
	plain = text_of(g_mime_multipart_get_part(alternative, 0));
	html = text_of(g_mime_multipart_get_part(alternative, 1));
	ok(strstr(plain, "labels are in English") != NULL, "the text says the labels are English");
	ok(strstr(plain, "März 2026") != NULL, "its dates are the readers' (März)");
	ok(strstr(g_mime_message_get_subject(msg), "März") != NULL, "so are the subject's");
	ok(strstr(html, "<svg") == NULL, "the HTML draws no SVG");
	for (int i = 1; i < g_mime_multipart_get_count(related); i++) {
		GMimeObject *o = g_mime_multipart_get_part(related, i);
		char *ref;
		if (!is_type(o, "image", "png"))
			continue;
		images++;
		ref = g_strdup_printf("src=\"cid:%s\"", g_mime_part_get_content_id(GMIME_PART(o)));
		found += strstr(html, ref) != NULL;
		g_free(ref);
	}
	ok(images >= 3, "the charts are PNG parts (%d)", images);
	is_int(found, images, "each image's Content-ID is referred to by the HTML");
	for (at = html; (at = strstr(at, "src=\"cid:")) != NULL; at++)
		refs++;
	is_int(refs, images, "and the HTML refers to no other");
	ok(is_type(g_mime_multipart_get_part(mixed, 1), "text", "csv") &&
	   g_mime_object_get_disposition(g_mime_multipart_get_part(mixed, 1)) &&
	   strcmp(g_mime_object_get_disposition(g_mime_multipart_get_part(mixed, 1)), "attachment") == 0,
	   "then a text/csv attachment");
	is_str(g_mime_object_get_header(GMIME_OBJECT(msg), "Auto-Submitted"), "auto-generated", "Auto-Submitted");
	is_str(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(
		internet_address_list_get_address(g_mime_message_get_from(msg), 0))), "support@example.com", "From");
	is_int(internet_address_list_length(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO)), 2, "two To");
	is_str(g_mime_message_get_message_id(msg), "weekly.1@example.com", "Message-ID");
	ok(g_str_has_prefix(g_mime_message_get_subject(msg), "Service report managers: "), "Subject: %s",
	   g_mime_message_get_subject(msg));
	g_free(plain);
	g_free(html);
	g_object_unref(msg);
	g_bytes_unref(mail);

	/* English readers get no word on the language. */
	report_free(r);
	r = make("en");
	mail = report_mail_compose(r, &params, &error);
	msg = parse(mail);
	plain = text_of(g_mime_multipart_get_part(GMIME_MULTIPART(g_mime_multipart_get_part(
		GMIME_MULTIPART(g_mime_multipart_get_part(GMIME_MULTIPART(msg->mime_part), 0)), 0)), 0));
	ok(strstr(plain, "labels are in English") == NULL && strstr(plain, "März") == NULL,
	   "in English: English dates and no note");
	g_free(plain);
	g_object_unref(msg);
	g_bytes_unref(mail);
	report_free(r);
}

static void check_bound(void)
{
	struct report *r = make("en");
	struct report_mail_params small = params;
	char *error = NULL;
	GBytes *full = report_mail_compose(r, &params, &error), *mail;
	GMimeMessage *msg;

	small.max_bytes = g_bytes_get_size(full) - 1;
	mail = report_mail_compose(r, &small, &error);
	ok(mail && g_bytes_get_size(mail) <= small.max_bytes, "over its bound: smaller");
	msg = mail ? parse(mail) : NULL;
	ok(msg && g_mime_multipart_get_count(GMIME_MULTIPART(msg->mime_part)) == 1, "without the CSV");
	if (msg)
		g_object_unref(msg);
	if (mail)
		g_bytes_unref(mail);
	small.max_bytes = 1000;
	mail = report_mail_compose(r, &small, &error);
	ok(mail == NULL && error && strstr(error, "larger than 1000"), "far over: not made (%s)", error ? error : "");
	g_free(error);
	g_bytes_unref(full);
	report_free(r);
}

int main(void)
{
	char *dir = g_dir_make_tmp("tm-weekly-XXXXXX", NULL), *cmd;

	g_mime_init();
	s = report_store_create(dir, &st);
	if (s == NULL) {
		printf("Bail out! the test store could not be made\n");
		return 1;
	}
	check_structure();
	check_bound();
	store_close(st);
	settings_unref(s);
	cmd = g_strdup_printf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	g_free(cmd);
	g_free(dir);
	g_mime_shutdown();
	report_charts_shutdown();
	return tap_done();
}
