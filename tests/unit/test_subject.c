/* test_subject.c - tags are found in every common form and added once. */
#include "config.h"
#include "tap.h"
#include "engine/subject.h"

#include <glib.h>

static void finds(const char *subject, long want)
{
	long n = 0;

	ok(subject_find_tag(subject, "SUP", &n) && n == want, "tag %ld found in \"%s\"", want, subject);
}

int main(void)
{
	struct ticket_ref ref = { "SUP", 1042 };
	long n;
	char *s;

	finds("[SUP-1042] Printer on fire", 1042);
	finds("Re: [SUP-1042] Printer on fire", 1042);
	finds("AW: [SUP-1042] Drucker brennt", 1042);
	finds("RE: RE: [SUP-1042] x", 1042);
	finds("Fwd: [SUP-1042] x", 1042);
	finds("YNT: [SUP-1042] Yazıcı", 1042);
	finds("SV: [SUP-1042] x", 1042);
	finds("Réf. : [SUP-1042] x", 1042);
	finds("Printer on fire [SUP-1042]", 1042);
	finds("[sup-1042] lower case", 1042);
	finds("[SUP#1042] hash form", 1042);
	finds("Re: [SUP #1042] Request Tracker's form", 1042);
	finds("AW: [sup  #1042] RT's form, two spaces, any case", 1042);
	ok(!subject_find_tag("[SUP -1042] x", "SUP", &n), "a space before '-' is no tag");
	ok(!subject_find_tag("[SUP 1042] x", "SUP", &n), "nor a space without '#'");
	finds("[ SUP-1042 ] spaced", 1042);
	ok(!subject_find_tag("[OTHER-1042] x", "SUP", &n), "other tag is not ours");
	ok(!subject_find_tag("[SUPPORT-1042] x", "SUP", &n), "longer tag is not ours");
	ok(!subject_find_tag("SUP-1042 without brackets", "SUP", &n), "bare id is no tag");
	ok(!subject_find_tag("[SUP-] x", "SUP", &n), "tag without number");
	ok(!subject_find_tag("[SUP-12345678901] x", "SUP", &n), "absurd number rejected");
	ok(!subject_find_tag(NULL, "SUP", &n), "NULL subject");

	s = subject_add_tag("Printer on fire", "Printer on fire", &ref);
	is_str(s, "[SUP-1042] Printer on fire", "tag prepended");
	g_free(s);
	ok(subject_add_tag("Re: [SUP-1042] Printer", "Re: [SUP-1042] Printer", &ref) == NULL, "never doubled");
	s = subject_add_tag("=?ISO-8859-1?Q?Caf=E9?=", "Café", &ref);
	is_str(s, "[SUP-1042] =?ISO-8859-1?Q?Caf=E9?=", "encoded words kept as they were");
	g_free(s);
	s = subject_add_tag(NULL, "", &ref);
	is_str(s, "[SUP-1042]", "missing subject gets the tag");
	g_free(s);
	s = subject_add_tag("Re: [SUP-1040] old", "Re: [SUP-1040] old", &ref);
	is_str(s, "[SUP-1042] Re: [SUP-1040] old", "another ticket's tag stays, ours is added");
	g_free(s);

	s = subject_clean("Re: AW: [SUP-1042] Printer on fire", "SUP");
	is_str(s, "Printer on fire", "prefixes and tag cleaned");
	g_free(s);
	s = subject_clean("Réf. : Facture", "SUP");
	is_str(s, "Facture", "French prefix cleaned");
	g_free(s);
	s = subject_clean("R. Smith called", "SUP");
	is_str(s, "R. Smith called", "initials are not a prefix");
	g_free(s);
	s = subject_clean("回复：打印机", "SUP");
	is_str(s, "打印机", "Chinese prefix cleaned");
	g_free(s);
	return tap_done();
}
