/* test_text.c - excerpts: HTML, quotes, signatures, bounds. */
#include "config.h"
#include "tap.h"
#include "text/text.h"

#include <glib.h>

int main(void)
{
	char *s;

	s = text_sanitize("a\r\nb\rc\x01" "d\xff", -1);
	ok(g_utf8_validate(s, -1, NULL) && strncmp(s, "a\nb\nc d", 7) == 0, "CRLF folded, control replaced, UTF-8 made valid");
	g_free(s);

	s = text_from_html("<html><head><title>t</title><style>p{}</style></head><body><p>Hello&nbsp;&amp; "
			   "welcome</p><blockquote>old quote</blockquote><div>caf&eacute; &#8364;&#x41;</div></body></html>");
	ok(strstr(s, "Hello & welcome") != NULL, "entities decoded: %s", s);
	ok(strstr(s, "café €A") != NULL, "named and numeric entities");
	ok(strstr(s, "old quote") == NULL && strstr(s, "p{}") == NULL && strstr(s, "title") == NULL,
	   "blockquote, style and head skipped");
	g_free(s);

	s = text_trim_reply("Thanks, it works now.\n\nOn Mon, 2 Mar 2026, Support <support@example.com> wrote:\n> old\n");
	is_str(s, "Thanks, it works now.\n\n", "English reply header cuts");
	g_free(s);
	s = text_trim_reply("Danke.\nAm 02.03.2026 um 10:00 schrieb Support:\n> alt\n");
	is_str(s, "Danke.\n", "German reply header cuts");
	g_free(s);
	s = text_trim_reply("Merci.\nLe lun. 2 mars 2026, Support a écrit :\n> x\n");
	is_str(s, "Merci.\n", "French reply header cuts");
	g_free(s);
	s = text_trim_reply("Yes.\n\nFrom: Support\nSent: Monday\nTo: me\n");
	is_str(s, "Yes.\n\n", "Outlook header block cuts");
	g_free(s);
	s = text_trim_reply("Body\n> quoted\nmore\n-- \nSignature\n");
	is_str(s, "Body\nmore\n", "quotes and signature dropped");
	g_free(s);

	s = text_bound("\n\nabc\n\n\n\n\ndef\n\n", 100);
	is_str(s, "abc\n\ndef", "blank runs collapsed and trimmed");
	g_free(s);
	s = text_bound("ééé", 3);
	is_str(s, "é", "cut at a character boundary");
	g_free(s);
	return tap_done();
}
