/* test_message.c - parsing: ids, addresses, charsets, parts, excerpts. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"

#include <glib.h>
#include <gmime/gmime.h>

int main(void)
{
	struct message *m;

	g_mime_init();
	m = fixture_message(
		"From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <Juergen@Example.DE>\n"
		"To: Support <support@example.com>, \"Kollegin\" <k@example.de>\n"
		"Cc: undisclosed:;, boss@example.de\n"
		"Subject: =?ISO-8859-1?Q?Drucker_f=E4llt_aus?=\n"
		"Message-ID: <abc.123@example.de>\n"
		"In-Reply-To: <prev@example.com>\n"
		"References: <first@example.com>\n <prev@example.com>\n"
		"Date: Mon, 02 Mar 2026 10:15:00 +0545\n"
		"MIME-Version: 1.0\n"
		"Content-Type: multipart/alternative; boundary=b\n"
		"\n--b\nContent-Type: text/html; charset=utf-8\n\n<p>HTML version</p>\n"
		"--b\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
		"Gr=FC=DFe, der Drucker ist kaputt.\n\n> quoted old text\n-- \nJ=FCrgen\n--b--\n");
	is_str(m->message_id, "abc.123@example.de", "message-id without brackets");
	is_str(m->from->address, "juergen@example.de", "from normalized");
	is_str(m->from->name, "Jürgen Müller", "RFC 2047 display name decoded");
	is_int(m->to->len, 2, "two To addresses");
	is_int(m->cc->len, 1, "empty group skipped in Cc");
	is_str(m->subject, "Drucker fällt aus", "RFC 2047 subject decoded");
	is_str(m->raw_subject, "=?ISO-8859-1?Q?Drucker_f=E4llt_aus?=", "raw subject kept");
	is_int(m->in_reply_to->len, 1, "in-reply-to");
	is_int(m->references->len, 2, "folded references");
	is_str(g_ptr_array_index(m->references, 0), "first@example.com", "references in order");
	is_int(m->date_offset, 5 * 60 + 45, "date offset +05:45");
	is_str(m->text, "Grüße, der Drucker ist kaputt.", "plain part preferred, converted, quotes and signature trimmed");
	is_str(m->content_type, "multipart/alternative", "content type");
	is_int(strlen(m->sha256), 64, "sha256 hex");
	is_str(message_header(m, "message-id"), "<abc.123@example.de>", "header lookup any case");
	message_free(m);

	/* A word in brackets from a broken client must not cost the thread. */
	m = fixture_message("From: a@example.org\nIn-Reply-To: <p@example.org> (Lars's message of today)\n"
			    "References: <yes> <root@example.org>\n\t<p@example.org> junk <half@example.org\n\nx\n");
	is_int(m->references->len, 3, "every <...> of References is read, after a word in brackets too");
	is_str(g_ptr_array_index(m->references, 1), "root@example.org", "in order");
	is_int(m->in_reply_to->len, 1, "In-Reply-To with a comment after the id");
	message_free(m);
	m = fixture_message("From: a@example.org\nIn-Reply-To: bare.id@example.org\n\nx\n");
	is_int(m->in_reply_to->len, 1, "a bare id without brackets is still read");
	message_free(m);

	m = fixture_message("From: a@example.org\nSubject: html only\nContent-Type: text/html; charset=windows-1252\n\n"
			    "<div>Caf\xe9 &amp; cr\xe8me</div>\n");
	is_str(m->text, "Café & crème", "HTML-only turned into text from windows-1252");
	message_free(m);

	m = fixture_message("From: a@example.org\nSubject: unlabeled\n\nna\xefve 8-bit text\n");
	ok(g_utf8_validate(m->text, -1, NULL) && strstr(m->text, "naïve"), "unlabeled 8-bit read as windows-1252: %s", m->text);
	message_free(m);

	m = fixture_message("From: a@example.org\nSubject: bogus charset\nContent-Type: text/plain; charset=x-no-such\n\n"
			    "text \xff\xfe here\n");
	ok(g_utf8_validate(m->text, -1, NULL) && m->warnings > 0, "unknown charset: valid UTF-8 and a warning");
	message_free(m);

	m = fixture_message("Subject: =?UTF-8?B?bGluZQ0KQmNjOiB2aWN0aW1AZXhhbXBsZS5vcmc=?=\n\nbody\n");
	ok(strchr(m->subject, '\n') == NULL && strchr(m->subject, '\r') == NULL, "encoded CR/LF in subject neutralized: %s", m->subject);
	ok(m->from == NULL && m->warnings > 0, "missing From is a warning");
	message_free(m);

	/* Found by tests/fuzz/fuzz_commands: a NUL byte cut the text there
	 * and turned the UTF-8 before it into Windows-1252 mojibake. */
	{
		static const char raw[] = "From: a@example.org\nSubject: nul\n\nGr\xc3\xbc\xc3\x9f\x00" "e, the rest\n";
		m = message_parse(raw, sizeof raw - 1, 4096);
		is_str(m->text, "Gr\xc3\xbc\xc3\x9f e, the rest", "a NUL byte in the body is a space, the UTF-8 around it kept");
		message_free(m);
	}

	m = fixture_message("");
	ok(m != NULL && m->subject && m->text, "empty input parses to an empty message");
	message_free(m);
	m = message_parse("\x00\x01\x02garbage", 10, 4096);
	ok(m != NULL, "binary garbage does not crash");
	message_free(m);

	{
		GString *big = g_string_new("From: a@example.org\nSubject: big\n\n");
		for (int i = 0; i < 20000; i++)
			g_string_append(big, "All work and no play makes Jack a dull boy.\n");
		m = message_parse(big->str, big->len, 4096);
		ok(strlen(m->text) <= 4096, "excerpt bounded to 4096 bytes (%zu)", strlen(m->text));
		message_free(m);
		g_string_free(big, TRUE);
	}
	g_mime_shutdown();
	return tap_done();
}
