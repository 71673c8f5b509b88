/*
 * test_context_block.c - the customer's history as the agents' copy
 * shows it (compose/context_block.c) and the block put at the top of a
 * message's text (compose/body_prepend.c): the header value, its fields
 * and bounds, what is left out of it; the block's lines, bounds and
 * sanitized subjects, its HTML; and the block in single-part,
 * alternative and mixed messages, in their charsets and encodings, with
 * CRLF, in a message kept in a file, and refused where it would break a
 * signature or could not be read.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "compose/body_prepend.h"
#include "compose/context_block.h"
#include "util/spool.h"

#include <gmime/gmime.h>
#include <string.h>

static const int64_t march_2 = 1772445600;	/* 2026-03-02 10:00 UTC */

/* Whether s holds 8-bit bytes or control characters (but tab, CR, LF,
 * and ESC when esc_ok). */
static bool unclean(const char *s, bool esc_ok)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x7f || (*p < 0x20 && *p != '\t' && *p != '\r' && *p != '\n' && !(esc_ok && *p == 0x1b)))
			return true;
	return false;
}
#define has_8bit_or_ctl(s) unclean((s), false)
#define has_8bit_or_ctl_but_esc(s) unclean((s), true)

static void add(struct store_customer_context *c, const char *tag, long number, const char *status, bool merged,
		const char *subject, int64_t created)
{
	struct store_context_ticket *t = g_new0(struct store_context_ticket, 1);

	t->tag = g_strdup(tag);
	t->number = number;
	t->status = g_strdup(status);
	t->merged = merged;
	t->subject = g_strdup(subject);
	t->created = created;
	g_ptr_array_add(c->recent, t);
}

static void context_ticket_free(gpointer p)
{
	struct store_context_ticket *t = p;

	g_free(t->tag);
	g_free(t->status);
	g_free(t->subject);
	g_free(t);
}

static void alice(struct store_customer_context *c)
{
	memset(c, 0, sizeof *c);
	c->recent = g_ptr_array_new_with_free_func(context_ticket_free);
	c->others = 3;
	add(c, "SUP", 1004, "closed", true, "Merged away", march_2 + 2 * 86400);
	add(c, "SUP", 1003, "closed", false, "Invoice address wrong", march_2 + 86400);
	add(c, "SUP", 1001, "resolved", false, "Printer jams on tray 2", march_2);
	c->last_wrote = march_2 + 86400;
	c->locale = g_strdup("de");
	c->zone = g_strdup("Europe/Berlin");
	c->tier = g_strdup("vip");
	c->rating_scale = g_strdup("csat");
	c->rating = 4;
	c->rating_tag = g_strdup("SUP");
	c->rating_number = 1001;
}

static void test_header(void)
{
	struct store_customer_context c;
	char *v;

	alice(&c);
	v = context_header_value(&c);
	is_str(v, "tickets=3; recent=SUP-1004/merged SUP-1003/closed SUP-1001/resolved; "
		  "last-contact=2026-03-03T10:00:00Z; locale=de; zone=Europe/Berlin; tier=vip; csat=4 (SUP-1001)",
	       "the header of a returning customer");
	g_free(v);
	/* Stored values that are not what they should be are left out. */
	g_free(c.zone);
	c.zone = g_strdup("Europe/Berlin\r\nBcc: victim@example.org");
	g_free(c.tier);
	c.tier = g_strdup("vip; csat=5");
	g_free(c.locale);
	c.locale = g_strdup("d\xc3\xa9");
	g_free(((struct store_context_ticket *)g_ptr_array_index(c.recent, 0))->tag);
	((struct store_context_ticket *)g_ptr_array_index(c.recent, 0))->tag = g_strdup("SUP\n");
	((struct store_context_ticket *)g_ptr_array_index(c.recent, 1))->merged = false;
	g_free(((struct store_context_ticket *)g_ptr_array_index(c.recent, 1))->status);
	((struct store_context_ticket *)g_ptr_array_index(c.recent, 1))->status = g_strdup("open; x=y");
	v = context_header_value(&c);
	is_str(v, "tickets=3; recent=SUP-1003/? SUP-1001/resolved; last-contact=2026-03-03T10:00:00Z; csat=4 (SUP-1001)",
	       "a zone with a line break, a tier with a ';', 8-bit text, a tag or status not of their kind: left out");
	ok(strpbrk(v, "\r\n") == NULL, "no line break in the value");
	g_free(v);
	store_customer_context_clear(&c);

	memset(&c, 0, sizeof c);
	v = context_header_value(&c);
	is_str(v, "tickets=0", "a first contact: tickets=0 and nothing else");
	g_free(v);
	c.others = STORE_CONTEXT_COUNT_MAX;
	c.rating_scale = g_strdup("csat");
	c.rating = 9;
	c.rating_tag = g_strdup("SUP");
	c.rating_number = 1;
	v = context_header_value(&c);
	is_str(v, "tickets=1000+", "counted up to the store's bound: 1000+; a rating off its scale left out");
	g_free(v);
	g_free(c.rating_scale);
	c.rating_scale = g_strdup("nps");
	v = context_header_value(&c);
	is_str(v, "tickets=1000+; nps=9 (SUP-1)", "an NPS rating of 9: nps=9");
	g_free(v);
	c.rating = 0;
	v = context_header_value(&c);
	is_str(v, "tickets=1000+; nps=0 (SUP-1)", "and of 0, which NPS has");
	g_free(v);
	g_free(c.rating_scale);
	c.rating_scale = g_strdup("stars");
	c.rating = 3;
	v = context_header_value(&c);
	is_str(v, "tickets=1000+", "a scale that is none of ours: left out");
	g_free(v);
	store_customer_context_clear(&c);

	/* Bounded whatever the store holds. */
	alice(&c);
	for (int i = 0; i < 50; i++)
		add(&c, "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ", 1000000 + i,
		    "resolvedresolvedresolvedresolvedresolvedresolvedresolvedresolved", false, "x", march_2);
	g_ptr_array_remove_range(c.recent, 0, 3);
	v = context_header_value(&c);
	ok(strlen(v) <= CONTEXT_HEADER_MAX && strstr(v, "csat=4") && strstr(v, "zone=Europe/Berlin"),
	   "long tags and statuses: the list is cut, the facts stay, %zu <= %d bytes", strlen(v), CONTEXT_HEADER_MAX);
	g_free(v);
	store_customer_context_clear(&c);
}

static void test_block(void)
{
	struct store_customer_context c;
	char *text, *html;

	alice(&c);
	text = context_block_text(&c);
	is_str(text,
	       "[Customer history, for agents: 3 other tickets]\n"
	       "[SUP-1004] 2026-03-04 merged   Merged away\n"
	       "[SUP-1003] 2026-03-03 closed   Invoice address wrong\n"
	       "[SUP-1001] 2026-03-02 resolved Printer jams on tray 2\n"
	       "Last contact 2026-03-03; language de; zone Europe/Berlin; tier vip; latest CSAT 4/5 (SUP-1001)\n"
	       "----\n\n",
	       "the block of a returning customer");
	g_free(c.rating_scale);
	c.rating_scale = g_strdup("ces");
	c.rating = 6;
	{
		char *ces = context_block_text(&c);
		ok(strstr(ces, "; latest CES 6/7 (SUP-1001)\n") != NULL, "a CES rating: 6/7");
		g_free(ces);
	}
	html = context_block_html(text);
	ok(g_str_has_prefix(html, "<pre class=\"ticket-customer-history\"") && g_str_has_suffix(html, "</pre>\n") &&
	   strstr(html, "[SUP-1003] 2026-03-03 closed   Invoice address wrong\n"), "its HTML: a <pre> of the same lines");
	g_free(html);
	g_free(text);

	/* Subjects: one line, no controls or bidirectional overrides, cut. */
	g_free(((struct store_context_ticket *)g_ptr_array_index(c.recent, 0))->subject);
	((struct store_context_ticket *)g_ptr_array_index(c.recent, 0))->subject =
		g_strdup("Evil\r\nBcc: x\x1b[31m \xe2\x80\xaeRTL\xe2\x80\xac <b>&amp;</b>");
	g_free(((struct store_context_ticket *)g_ptr_array_index(c.recent, 1))->subject);
	((struct store_context_ticket *)g_ptr_array_index(c.recent, 1))->subject =
		g_strdup("Drucker f\xc3\xbcr B\xc3\xbcro, sehr lange Betreffzeile, die weit \xc3\xbc" "ber sechzig Zeichen geht und weiter");
	g_free(((struct store_context_ticket *)g_ptr_array_index(c.recent, 2))->subject);
	((struct store_context_ticket *)g_ptr_array_index(c.recent, 2))->subject = g_strdup("  ");
	text = context_block_text(&c);
	ok(strstr(text, "[SUP-1004] 2026-03-04 merged   Evil Bcc: x [31m RTL <b>&amp;</b>\n") != NULL,
	   "a subject with CR LF, ESC and U+202E: one line without them");
	ok(strstr(text, "[SUP-1003] 2026-03-03 closed   Drucker f\xc3\xbcr B\xc3\xbcro, sehr lange Betreffzeile, die weit "
			"\xc3\xbc" "ber sec...\n") != NULL, "a long subject cut at %d characters", CONTEXT_SUBJECT_CHARS);
	ok(strstr(text, "resolved (no subject)\n") != NULL, "an empty one says so");
	html = context_block_html(text);
	ok(g_str_has_suffix(html, "----</pre>\n") && strstr(html, "Evil Bcc: x [31m RTL &lt;b&gt;&amp;amp;&lt;/b&gt;") && strstr(html, "f&#252;r B&#252;ro") &&
	   !has_8bit_or_ctl(html), "the HTML escapes markup and writes anything but ASCII as references");
	g_free(html);
	g_free(text);
	store_customer_context_clear(&c);

	/* Bounded: at most ten tickets and CONTEXT_BLOCK_MAX bytes. */
	alice(&c);
	c.others = 40;
	for (int i = 0; i < 37; i++)
		add(&c, "SUP", 900 + i, "closed", false, "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2"
		    "\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2"
		    "\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97", march_2);
	text = context_block_text(&c);
	{
		int lines = 0;
		for (const char *p = text; *p; p++)
			lines += *p == '\n';
		ok(lines == 1 + CONTEXT_BLOCK_TICKETS + 4 && strstr(text, "... and 30 more\n") &&
		   strlen(text) <= CONTEXT_BLOCK_MAX, "40 other tickets: %d listed, \"... and 30 more\", %zu bytes",
		   CONTEXT_BLOCK_TICKETS, strlen(text));
	}
	g_free(text);
	c.others = STORE_CONTEXT_COUNT_MAX;
	text = context_block_text(&c);
	ok(g_str_has_prefix(text, "[Customer history, for agents: 1000 or more other tickets]\n") &&
	   strstr(text, "... and more\n"), "past the store's count: 1000 or more");
	g_free(text);
	store_customer_context_clear(&c);

	memset(&c, 0, sizeof c);
	ok(context_block_text(&c) == NULL, "no other ticket: no block");
}

/* ---- the block in messages ---- */

static const char block_text[] = "[Customer history, for agents: 1 other ticket]\n"
				  "[SUP-1001] 2026-03-02 resolved Drucker f\xc3\xbcr B\xc3\xbcro\n----\n\n";

/* The message with its body replaced (headers as they were). */
static GString *with_body(const char *raw, GBytes *body)
{
	const char *end = strstr(raw, "\r\n\r\n");
	size_t head = end ? (size_t)(end - raw) + 4 : (size_t)(strstr(raw, "\n\n") - raw) + 2;
	GString *out = g_string_new_len(raw, (gssize)head);
	gsize n;
	const char *data = g_bytes_get_data(body, &n);

	g_string_append_len(out, data, (gssize)n);
	return out;
}

/* A part's decoded text in UTF-8. */
static char *part_text(GMimePart *part)
{
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *bytes;
	const char *charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	char *text;

	g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(part), mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	text = charset ? g_convert((const char *)bytes->data, bytes->len, "UTF-8", charset, NULL, NULL, NULL) : NULL;
	if (text == NULL)
		text = g_strndup((const char *)bytes->data, bytes->len);
	g_object_unref(mem);
	return text;
}

struct parts_text {
	char *plain, *html;
};

static struct parts_text texts_of(const GString *message)
{
	GMimeMessage *m = fixture_mime_parse(message->str, message->len);
	struct parts_text out = { NULL, NULL };
	GMimeObject *top = m ? g_mime_message_get_mime_part(m) : NULL;

	for (GMimeObject *o = top; o; o = NULL) {
		GMimePartIter *it;
		if (GMIME_IS_PART(o)) {
			out.plain = part_text(GMIME_PART(o));
			break;
		}
		it = g_mime_part_iter_new(o);
		do {
			GMimeObject *p = g_mime_part_iter_get_current(it);
			GMimeContentType *ct = p ? g_mime_object_get_content_type(p) : NULL;
			if (ct && GMIME_IS_PART(p) && g_mime_content_type_is_type(ct, "text", "plain") && !out.plain)
				out.plain = part_text(GMIME_PART(p));
			else if (ct && GMIME_IS_PART(p) && g_mime_content_type_is_type(ct, "text", "html") && !out.html)
				out.html = part_text(GMIME_PART(p));
		} while (g_mime_part_iter_next(it));
		g_mime_part_iter_free(it);
	}
	if (m)
		g_object_unref(m);
	return out;
}

static void parts_text_clear(struct parts_text *t)
{
	g_free(t->plain);
	g_free(t->html);
}

/* The message raw with the block put in, or NULL with *why. */
static GString *prepended(const char *raw, char **why)
{
	char *html = context_block_html(block_text);
	GBytes *body = body_prepend_raw(raw, strlen(raw), block_text, html, why);
	GString *out = body ? with_body(raw, body) : NULL;

	if (body)
		g_bytes_unref(body);
	g_free(html);
	return out;
}

static char *crlf(const char *lf)
{
	GString *out = g_string_new(NULL);

	for (const char *p = lf; *p; p++) {
		if (*p == '\n')
			g_string_append_c(out, '\r');
		g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

static void test_single_part(void)
{
	static const char plain[] = "From: alice@example.net\nTo: support@example.com\nSubject: Printer\n"
				    "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
				    "Content-Transfer-Encoding: 8bit\n\nHallo, der Drucker \xc3\xbc" "berall.\n";
	char *why = NULL, *raw;
	GString *out = prepended(plain, &why);
	struct parts_text t;

	ok(out != NULL, "a text/plain message gets the block (%s)", why ? why : "");
	t = texts_of(out);
	ok(t.plain && g_str_has_prefix(t.plain, block_text) &&
	   g_str_has_suffix(t.plain, "Hallo, der Drucker \xc3\xbc" "berall.\n"), "at the top of its text, the text after it");
	parts_text_clear(&t);
	g_string_free(out, TRUE);

	raw = crlf(plain);
	out = prepended(raw, &why);
	ok(out && strstr(out->str, "[SUP-1001] 2026-03-02 resolved Drucker f\xc3\xbcr B\xc3\xbcro\r\n----\r\n\r\nHallo") &&
	   !strstr(strstr(out->str, "\r\n\r\n"), "\n\n"), "CRLF in, CRLF out, the block's lines too");
	g_string_free(out, TRUE);
	g_free(raw);

	/* 7bit us-ascii: the block in ASCII, the part stays 7bit. */
	out = prepended("From: a@example.net\nSubject: x\nContent-Type: text/plain; charset=us-ascii\n\nHello.\n", &why);
	ok(out && strstr(out->str, "Drucker fur Buro\n----\n\nHello.\n") && !has_8bit_or_ctl(out->str),
	   "us-ascii: the block transliterated to ASCII");
	g_string_free(out, TRUE);
	out = prepended("From: a@example.net\nSubject: x\n\nHello.\n", &why);
	ok(out && strstr(out->str, "Drucker fur Buro\n") && !has_8bit_or_ctl(out->str), "no Content-Type: ASCII too");
	g_string_free(out, TRUE);
	out = prepended("From: a@example.net\nSubject: x\nContent-Type: text/plain; charset=iso-8859-1\n"
			"Content-Transfer-Encoding: quoted-printable\n\nGr=FC=DFe\n", &why);
	t = out ? texts_of(out) : (struct parts_text){ 0 };
	ok(t.plain && strstr(t.plain, "Drucker f\xc3\xbcr B\xc3\xbcro\n----\n\nGr\xc3\xbc\xc3\x9f" "e"),
	   "ISO-8859-1 quoted-printable: the block in Latin-1, encoded as the part is");
	ok(out && strstr(out->str, "f=FCr B=FCro"), "(written quoted-printable)");
	parts_text_clear(&t);
	g_string_free(out, TRUE);
	out = prepended("From: a@example.net\nSubject: x\nContent-Type: text/plain; charset=iso-2022-jp\n\n"
			"\x1b$B$3$s$K$A$O\x1b(B\n", &why);
	ok(out && !has_8bit_or_ctl_but_esc(out->str), "ISO-2022-JP: still 7-bit");
	g_string_free(out, TRUE);

	out = prepended("From: a@example.net\nSubject: x\nContent-Type: text/plain; charset=utf-16\n"
			"Content-Transfer-Encoding: base64\n\n//5IAGkA\n", &why);
	ok(out == NULL && why && strstr(why, "ASCII is not ASCII"), "UTF-16: refused (%s)", why);
	g_clear_pointer(&why, g_free);
	out = prepended("From: a@example.net\nSubject: x\nContent-Type: text/plain\n\n-----BEGIN PGP SIGNED MESSAGE-----\n"
			"Hash: SHA256\n\nHello\n-----BEGIN PGP SIGNATURE-----\nxyz\n-----END PGP SIGNATURE-----\n", &why);
	ok(out == NULL && why && strstr(why, "PGP"), "inline PGP: refused (%s)", why);
	g_clear_pointer(&why, g_free);
	out = prepended("From: a@example.net\nSubject: x\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\n"
			"Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQA=\n", &why);
	ok(out == NULL && why && strstr(why, "signed or encrypted"), "S/MIME: refused (%s)", why);
	g_clear_pointer(&why, g_free);
	out = prepended("From: a@example.net\nSubject: x\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\n"
			"iVBORw0KGgo=\n", &why);
	ok(out == NULL && why && strstr(why, "no text part"), "an image alone: no text part (%s)", why);
	g_clear_pointer(&why, g_free);
	{
		static const char nul[] = "From: a@example.net\nSubject: x\n\nHello\0there\n";
		char *html = context_block_html(block_text);
		GBytes *body = body_prepend_raw(nul, sizeof nul - 1, block_text, html, &why);
		ok(body == NULL && why && strstr(why, "NUL"), "a NUL byte: refused (%s)", why);
		g_clear_pointer(&why, g_free);
		g_free(html);
	}
}

static void test_multipart(void)
{
	static const char attachment[] = "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\n";
	char *raw = g_strdup_printf(
		"From: alice@example.net\nSubject: Printer\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=\"outer\"\n\nPreamble stays.\n"
		"--outer\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n"
		"--alt\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
		"Gr=FC=DFe aus Bonn\n"
		"--alt\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n%s\n"
		"--alt--\n"
		"--outer\nContent-Type: application/pdf; name=scan.pdf\nContent-Disposition: attachment; filename=scan.pdf\n"
		"Content-Transfer-Encoding: base64\n\n%s"
		"--outer--\nEpilogue stays.\n",
		"PGh0bWw+PCEtLSA8Ym9keT4gLS0+PGhlYWQ+PC9oZWFkPjxib2R5IGNsYXNzPSJ4Ij48cD5HcsO8w59lPC9wPjwvYm9keT48L2h0bWw+",
		attachment);
	char *why = NULL, *pre;
	GString *out = prepended(raw, &why);
	struct parts_text t = out ? texts_of(out) : (struct parts_text){ 0 };

	ok(out != NULL, "multipart/mixed with an alternative and an attachment (%s)", why ? why : "");
	ok(t.plain && g_str_has_prefix(t.plain, block_text) && g_str_has_suffix(t.plain, "Gr\xc3\xbc\xc3\x9f" "e aus Bonn"),
	   "the block at the top of the text/plain part, in its Latin-1");
	pre = context_block_html(block_text);
	ok(t.html && g_str_has_prefix(t.html, "<html><!-- <body> --><head></head><body class=\"x\">") &&
	   strstr(t.html, pre) && g_str_has_suffix(t.html, "<p>Gr\xc3\xbc\xc3\x9f" "e</p></body></html>"),
	   "the <pre> after the HTML's <body> tag (not the one in a comment)");
	ok(out && strstr(out->str, attachment) && strstr(out->str, "Preamble stays.") &&
	   strstr(out->str, "--outer--\nEpilogue stays."), "the attachment, preamble and epilogue as they were");
	g_free(pre);
	parts_text_clear(&t);
	if (out)
		g_string_free(out, TRUE);
	g_free(raw);

	out = prepended("From: a@example.net\nSubject: x\nContent-Type: text/html; charset=utf-8\n\n<p>Hi</p>\n", &why);
	t = out ? texts_of(out) : (struct parts_text){ 0 };
	ok(t.plain && g_str_has_prefix(t.plain, "<pre class=") && g_str_has_suffix(t.plain, "</pre>\n<p>Hi</p>\n"),
	   "HTML without <body>: the <pre> at its top");
	parts_text_clear(&t);
	if (out)
		g_string_free(out, TRUE);

	out = prepended("From: a@example.net\nSubject: x\nMIME-Version: 1.0\n"
			"Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=\"s\"\n\n"
			"--s\nContent-Type: text/plain\n\nSigned text\n--s\nContent-Type: application/pgp-signature\n\nsig\n"
			"--s--\n", &why);
	ok(out == NULL && why && strstr(why, "signed or encrypted"), "multipart/signed: refused (%s)", why);
	g_clear_pointer(&why, g_free);
	out = prepended("From: a@example.net\nSubject: x\nMIME-Version: 1.0\n"
			"Content-Type: multipart/mixed; boundary=\"m\"\n\n--m\n"
			"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=\"s\"\n\n"
			"--s\nContent-Type: text/plain\n\nSigned text\n--s\nContent-Type: application/pkcs7-signature\n\nsig\n"
			"--s--\n--m--\n", &why);
	ok(out == NULL && why && strstr(why, "signed or encrypted"), "a signed part inside a mixed one: refused too");
	g_clear_pointer(&why, g_free);
	out = prepended("From: a@example.net\nSubject: x\nContent-Type: multipart/mixed\n\n--m\n\nx\n--m--\n", &why);
	ok(out == NULL && why && strstr(why, "boundary"), "a multipart without a boundary: refused (%s)", why);
	g_clear_pointer(&why, g_free);
}

/* A message kept in a file (the spool past its memory): the block goes
 * in, the rest of a 3 MB part is copied. */
static void test_spool(void)
{
	GString *raw = g_string_new("From: alice@example.net\r\nSubject: Big\r\nContent-Type: text/plain; charset=utf-8\r\n"
				    "Content-Transfer-Encoding: base64\r\n\r\n");
	GString *text = g_string_new(NULL);
	struct spool *sp = spool_new(g_get_tmp_dir(), 4096, 0);
	char *b64, *why = NULL, *html = context_block_html(block_text);
	GBytes *body;
	GString *out;
	struct parts_text t;

	for (int i = 0; text->len < 3 * 1024 * 1024; i++)
		g_string_append_printf(text, "line %d of a long report\r\n", i);
	b64 = g_base64_encode((const guchar *)text->str, text->len);
	for (size_t i = 0, n = strlen(b64); i < n; i += 76)	/* b64[i] past the end was read */
		g_string_append_printf(raw, "%.76s\r\n", b64 + i);
	spool_append(sp, raw->str, raw->len, &why);
	ok(spool_fd(sp) >= 0, "the message is in the spool's file");
	body = body_prepend_spool(sp, NULL, block_text, html, &why);
	ok(body != NULL, "a 3 MB base64 part gets the block (%s)", why ? why : "");
	out = body ? with_body(raw->str, body) : g_string_new("");
	t = texts_of(out);
	{
		char *want = crlf(block_text);
		ok(t.plain && g_str_has_prefix(t.plain, want) && strcmp(t.plain + strlen(want), text->str) == 0,
		   "the block with the part's CRLF, then the whole part as it was");
		g_free(want);
	}
	parts_text_clear(&t);
	g_string_free(out, TRUE);
	if (body)
		g_bytes_unref(body);
	spool_free(sp);
	sp = spool_new(g_get_tmp_dir(), 4096, 1024);
	spool_append(sp, raw->str, raw->len, &why);
	body = body_prepend_spool(sp, NULL, block_text, html, &why);
	ok(body == NULL && why && strstr(why, "max-message-size"), "a spool that kept only a part: refused (%s)", why);
	g_free(why);
	spool_free(sp);
	g_free(html);
	g_free(b64);
	g_string_free(text, TRUE);
	g_string_free(raw, TRUE);
}

int main(void)
{
	g_mime_init();
	test_header();
	test_block();
	test_single_part();
	test_multipart();
	test_spool();
	return tap_done();
}
