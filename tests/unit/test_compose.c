/* test_compose.c - ack_compose() writes the mail itself: every output is
 * parsed back with GMime and must say exactly what it was given, however
 * hostile the customer's name, subject or Message-IDs. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "compose/mail_writer.h"
#include "trust/token.h"

#include <glib.h>
#include <gmime/gmime.h>
#include <string.h>

static struct fixture f;

static GMimeMessage *parse(GBytes *raw)
{
	gsize len;
	const char *data = g_bytes_get_data(raw, &len);

	return fixture_mime_parse(data, len);
}

/* The decoded content of the first part of type text/subtype (text:
 * the caller's, g_free). */
struct find { const char *subtype; char *text; const char *encoding; };

static void find_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct find *fd = data;

	(void)parent;
	if (fd->text == NULL && GMIME_IS_TEXT_PART(part) &&
	    g_mime_content_type_is_type(g_mime_object_get_content_type(part), "text", fd->subtype)) {
		fd->text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
		fd->encoding = g_mime_content_encoding_to_string(g_mime_part_get_content_encoding(GMIME_PART(part)));
	}
}

static struct find part_of(GMimeMessage *m, const char *subtype)
{
	struct find fd = { subtype, NULL, NULL };

	g_mime_message_foreach(m, find_part, &fd);
	return fd;
}

/* A header line that cannot be folded: one word after the name. */
static bool unfoldable(const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n), *from = colon && line[0] != ' ' ? colon + 2 : line + 1;

	return from <= line + n && memchr(from, ' ', (size_t)(line + n - from)) == NULL;
}

/* Every line of the raw message: at most 998 octets, LF only, and the
 * header lines at most 78 unless one word is longer. */
static bool lines_ok(GBytes *raw, size_t *longest_header)
{
	gsize len;
	const char *p = g_bytes_get_data(raw, &len), *end = p + len;
	bool in_header = true;

	*longest_header = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 998 || memchr(p, '\r', n))
			return false;
		if (in_header && n == 0)
			in_header = false;
		if (in_header && n > *longest_header && !unfoldable(p, n)) {
			*longest_header = n;
			if (n > 78)
				tap_diag("long header line: %.*s", (int)n, p);
		}
		p += n + 1;
	}
	return true;
}

static struct ack_request request(void)
{
	struct ack_request req = {
		.settings = f.settings, .queue = &f.settings->queues[0], .ref = { .number = 1001 },
		.to_address = "juergen@example.de", .to_name = "Jürgen Müller", .locale = "de",
		.subject = "[SUP-1001] Drucker", .text = "Hallo\n", .now = 1772445600,
	};
	g_strlcpy(req.ref.tag, "SUP", sizeof req.ref.tag);
	return req;
}

int main(void)
{
	struct ack_request req;
	struct find plain, html;
	GMimeMessage *m;
	GBytes *raw;
	char *id = NULL, *long_line, *long_subject, *s;
	size_t longest;
	bool lines;
	GPtrArray *refs = g_ptr_array_new_with_free_func(g_free);

	fixture_setup(&f, NULL);

	/* Plain ASCII text: one 7bit part, the headers the tests of the
	 * engine rely on. */
	req = request();
	req.to_name = NULL;
	raw = ack_compose(&req, &id);
	m = parse(raw);
	plain = part_of(m, "plain");
	is_str(plain.text, "Hallo\n", "ASCII text arrives as written");
	is_str(plain.encoding, "7bit", "and is sent 7bit");
	g_free(plain.text);
	ok(GMIME_IS_TEXT_PART(g_mime_message_get_mime_part(m)), "without HTML there is one part");
	is_str(g_mime_message_get_message_id(m), id, "Message-ID is the one returned");
	is_str(g_mime_object_get_header(GMIME_OBJECT(m), "Auto-Submitted"), "auto-replied", "Auto-Submitted");
	is_str(g_mime_object_get_header(GMIME_OBJECT(m), "MIME-Version"), "1.0", "MIME-Version");
	ok(g_mime_message_get_date(m) && g_date_time_to_unix(g_mime_message_get_date(m)) == req.now, "Date is the request's time");
	s = internet_address_list_to_string(g_mime_message_get_to(m), NULL, FALSE);
	is_str(s, "juergen@example.de", "To without a name is the bare address");
	g_free(s);
	g_object_unref(m);
	g_bytes_unref(raw);
	g_clear_pointer(&id, g_free);

	/* A hostile name and subject: words encoded, quotes and commas kept
	 * inside the name, line breaks never becoming headers. */
	req = request();
	req.to_name = "Müller, Jürgen \"JM\" <boss@evil.example>";
	req.subject = "[SUP-1001] Ärger\r\nBcc: victim@example.org\nX-Evil: 1";
	raw = ack_compose(&req, &id);
	m = parse(raw);
	{
		InternetAddress *to = internet_address_list_get_address(g_mime_message_get_to(m), 0);
		ok(internet_address_list_length(g_mime_message_get_to(m)) == 1, "a name with a comma and brackets is still one recipient");
		is_str(internet_address_get_name(to), "Müller, Jürgen \"JM\" <boss@evil.example>", "the name decodes to what was given");
		is_str(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(to)), "juergen@example.de", "the address is the customer's");
	}
	is_str(g_mime_message_get_subject(m), "[SUP-1001] Ärger  Bcc: victim@example.org X-Evil: 1",
	       "line breaks in the subject become spaces");
	ok(g_mime_object_get_header(GMIME_OBJECT(m), "Bcc") == NULL && g_mime_object_get_header(GMIME_OBJECT(m), "X-Evil") == NULL,
	   "and add no header");
	lines = lines_ok(raw, &longest);
	ok(lines && longest <= 78, "headers folded within 78 columns (longest %zu)", longest);
	g_object_unref(m);
	g_bytes_unref(raw);
	g_clear_pointer(&id, g_free);

	/* Long non-ASCII subject, long lines, HTML: quoted-printable,
	 * folded, decoded back to the same text. */
	req = request();
	long_subject = g_strnfill(60, 'x');
	s = g_strconcat("[SUP-1001] Überweisung für Jürgen – ", long_subject, " ünd ", long_subject, NULL);
	req.subject = s;
	long_line = g_strnfill(1500, 'a');
	{
		char *text = g_strconcat("Grüße\n", long_line, "\n.\nFrom here\n", NULL);
		req.text = text;
		req.html = "<p>Grüße</p>\n";
		raw = ack_compose(&req, &id);
		m = parse(raw);
		plain = part_of(m, "plain");
		html = part_of(m, "html");
		is_str(plain.text, text, "a 1,500-character line and umlauts decode back exactly");
		is_str(plain.encoding, "quoted-printable", "that text is quoted-printable");
		is_str(html.text, "<p>Grüße</p>\n", "the HTML alternative decodes back");
		g_free(plain.text);
		g_free(html.text);
		ok(GMIME_IS_MULTIPART(g_mime_message_get_mime_part(m)) &&
		   g_mime_multipart_get_count(GMIME_MULTIPART(g_mime_message_get_mime_part(m))) == 2,
		   "multipart/alternative with two parts");
		is_str(g_mime_message_get_subject(m), s, "a long UTF-8 subject decodes back");
		lines = lines_ok(raw, &longest);
		ok(lines && longest <= 78, "no line over 998, headers within 78 (longest %zu)", longest);
		g_free(text);
	}
	g_object_unref(m);
	g_bytes_unref(raw);
	g_clear_pointer(&id, g_free);
	g_free(s);
	g_free(long_line);
	g_free(long_subject);

	/* References: the first, the newest, the answered one; an ID that
	 * is no ID is left out. */
	req = request();
	for (int i = 0; i < 14; i++)
		g_ptr_array_add(refs, i == 13 ? g_strdup("not an id <x>") :
				g_strdup_printf("ref%02d.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@mail.example.com", i));
	req.references = refs;
	req.in_reply_to = "answered@example.de";
	raw = ack_compose(&req, &id);
	m = parse(raw);
	{
		const char *v = g_mime_object_get_header(GMIME_OBJECT(m), "References");
		GMimeReferences *parsed = g_mime_references_parse(NULL, v);
		int n = g_mime_references_length(parsed);
		ok(n == ACK_MAX_REFERENCES - 1, "References: %d of 14 kept (the bad one dropped, the middle ones cut)", n);
		is_str(g_mime_references_get_message_id(parsed, 0), "ref00.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@mail.example.com", "the thread's root first");
		is_str(g_mime_references_get_message_id(parsed, n - 1), "answered@example.de", "the answered message last");
		g_mime_references_free(parsed);
	}
	is_str(g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To"), "<answered@example.de>", "In-Reply-To");
	lines = lines_ok(raw, &longest);
	ok(lines && longest <= 78, "References folded (longest header line %zu)", longest);
	g_object_unref(m);
	g_bytes_unref(raw);
	g_clear_pointer(&id, g_free);

	req = request();
	req.in_reply_to = "two words@example.de";
	raw = ack_compose(&req, &id);
	m = parse(raw);
	ok(g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To") == NULL, "an In-Reply-To that is no Message-ID is left out");
	g_object_unref(m);
	g_bytes_unref(raw);
	g_clear_pointer(&id, g_free);

	g_ptr_array_free(refs, TRUE);
	fixture_teardown(&f);
	return tap_done();
}
