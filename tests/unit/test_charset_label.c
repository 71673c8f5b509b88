/*
 * test_charset_label.c - charset labels mapped to a bounded set of names
 * (charset_label.h), and mapped in header fields before GMime reads them
 * (header_relabel.h).
 */
#include "config.h"
#include "tap.h"
#include "cost.h"
#include "text/charset_label.h"
#include "mime/header_relabel.h"

#include <glib.h>
#include <string.h>

static const char *map(const char *label)
{
	static char buf[CHARSET_LABEL_MAX + 1];

	return charset_label_map(label, strlen(label), buf, sizeof buf);
}

static void test_aliases(void)
{
	static const struct { const char *label, *name; } known[] = {
		{ "utf8", "utf-8" }, { "UTF-8", "utf-8" }, { "Utf_8", "utf-8" }, { "utf-8*en", "utf-8" },
		{ "latin1", "iso-8859-1" }, { "ISO-8859-1", "iso-8859-1" }, { "iso_8859-1:1987", "iso-8859-1" },
		{ "iso8859-1", "iso-8859-1" }, { "windows-1252", "windows-1252" }, { "cp1252", "windows-1252" },
		{ "cp1251", "windows-1251" }, { "shift_jis", "shift_jis" }, { "Shift-JIS", "shift_jis" },
		{ "SHIFT JIS", "shift_jis" }, { "x-sjis", "shift_jis" }, { "gb2312", "gb2312" }, { "big5", "big5" },
		{ "ISO-2022-JP", "iso-2022-jp" }, { "koi8-r", "koi8-r" }, { "KOI8-U", "koi8-u" },
		{ "ks_c_5601-1987", "euc-kr" }, { " us-ascii ", "us-ascii" }, { "ascii", "us-ascii" },
		{ "iso-8859-8-i", "iso-8859-8" }, { "x-mac-cyrillic", "mac-cyrillic" }, { "windows-874", "windows-874" },
		{ "GBK", "gbk" }, { "gb18030", "gb18030" }, { "euc-jp", "euc-jp" }, { "utf-16le", "utf-16le" },
	};
	static const char *const fallback[] = {
		"", "x-unknown", "utf-8!", "utf-8//TRANSLIT", "x-user-defined", "unknown-8bit", "utf-8\"",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",	/* 41 bytes */
	};
	GString *long_label = g_string_new(NULL);
	char buf[CHARSET_LABEL_MAX + 1];

	for (size_t i = 0; i < G_N_ELEMENTS(known); i++)
		is_str(map(known[i].label), known[i].name, "\"%s\" is %s", known[i].label, known[i].name);
	for (size_t i = 0; i < G_N_ELEMENTS(fallback); i++)
		is_str(map(fallback[i]), CHARSET_LABEL_FALLBACK, "\"%s\" is the fallback", fallback[i]);
	while (long_label->len < 950)
		g_string_append(long_label, "utf-8");
	is_str(map(long_label->str), CHARSET_LABEL_FALLBACK, "a 950-byte label is the fallback");
	is_str(charset_label_map("utf\0-8", 6, buf, sizeof buf), CHARSET_LABEL_FALLBACK, "a NUL byte: the fallback");
	g_string_free(long_label, TRUE);

	/* Names iconv knows, not in the table: as written, in lower case. */
	is_str(map("VISCII"), "viscii", "VISCII: iconv's name, lower case");
	is_str(map("IBM037"), "ibm037", "IBM037: iconv's name, lower case");
	{
		const char *label = "ARMSCII-8";
		ok(charset_label_name(label) == label, "charset_label_name: a name iconv knows is the label itself");
	}
	is_str(charset_label_name("viscii*en"), CHARSET_LABEL_FALLBACK, "... not with more around it");
	is_str(charset_label_name("latin1"), "iso-8859-1", "charset_label_name: an alias");
	ok(charset_label_name(NULL) == NULL, "charset_label_name: NULL for NULL");
}

/* Every name of the table maps to itself, and iconv knows it. */
static void test_names(void)
{
	static const char *const names[] = {
		"utf-8", "utf-7", "utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be", "us-ascii",
		"iso-8859-1", "iso-8859-2", "iso-8859-3", "iso-8859-4", "iso-8859-5", "iso-8859-6", "iso-8859-7",
		"iso-8859-8", "iso-8859-9", "iso-8859-10", "iso-8859-11", "iso-8859-13", "iso-8859-14",
		"iso-8859-15", "iso-8859-16", "windows-1250", "windows-1251", "windows-1252", "windows-1253",
		"windows-1254", "windows-1255", "windows-1256", "windows-1257", "windows-1258", "windows-874",
		"tis-620", "koi8-r", "koi8-u", "ibm866", "ibm850", "ibm437", "macintosh", "mac-cyrillic", "gb2312",
		"gbk", "gb18030", "big5", "big5-hkscs", "cp950", "euc-tw", "shift_jis", "cp932", "euc-jp",
		"iso-2022-jp", "iso-2022-jp-2", "iso-2022-jp-3", "euc-kr", "cp949", "iso-2022-kr", "iso-2022-cn",
	};
	unsigned unknown = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		GIConv cd = g_iconv_open("UTF-8", names[i]);
		if (cd == (GIConv)-1) {
			unknown++;
			tap_diag("iconv does not know %s", names[i]);
		} else {
			g_iconv_close(cd);
		}
		if (strcmp(map(names[i]), names[i]) != 0)
			unknown++;
	}
	is_int(unknown, 0, "the %zu names are their own names and iconv knows them", G_N_ELEMENTS(names));
	is_str(map("HZ-GB-2312"), "hz-gb-2312", "hz-gb-2312, which iconv lacks, is kept for the language it tells");
}

static void relabel_is(const char *field, const char *want, const char *what)
{
	GString *got = header_relabel(field, strlen(field));

	is_str(got ? got->str : NULL, want, "%s", what);
	if (got)
		g_string_free(got, TRUE);
}

static void test_relabel(void)
{
	GString *field = g_string_new("Subject: =?");
	struct cost c;
	GString *got;

	relabel_is("Subject: =?UTF-8?Q?a?= plain", NULL, "a known name as written: unchanged (NULL)");
	relabel_is("Subject: =?utf8?Q?a?=", "Subject: =?utf-8?Q?a?=", "an alias in an encoded word");
	relabel_is("Subject: =?latin1*de?b?YQ==?= x", "Subject: =?iso-8859-1?b?YQ==?= x", "a language suffix dropped");
	relabel_is("Subject: =?x1?Q?a?=\r\n =?x2?Q?b?=", "Subject: =?unknown-8bit?Q?a?=\r\n =?unknown-8bit?Q?b?=",
		   "two words on folded lines, the line ends kept");
	relabel_is("Subject: =?bogus?Q?abc no end", NULL, "no \"?=\" after it: not an encoded word");
	relabel_is("Subject: =?bogus?X?abc?=", NULL, "no B or Q: not an encoded word");
	relabel_is("From: \"=?bogus?Q?Ann?=\" <a@example.org>", "From: \"=?unknown-8bit?Q?Ann?=\" <a@example.org>",
		   "inside quotes too (GMime reads them there)");
	relabel_is("Content-Type: text/plain; name*=bogus''a%20b; x=1", "Content-Type: text/plain; name*=unknown-8bit''a%20b; x=1",
		   "RFC 2231: name*=");
	relabel_is("Content-Disposition: attachment;\n filename*0*=latin1'de'x; filename*1*=y'z'w",
		   "Content-Disposition: attachment;\n filename*0*=iso-8859-1'de'x; filename*1*=y'z'w",
		   "RFC 2231: the first section only");
	relabel_is("Content-Type: text/plain; name*0=\"bogus'x'\"", NULL, "a section that is not extended: unchanged");
	relabel_is("X-Note: name*=bogus''x", NULL, "parameters only in Content-Type and Content-Disposition");
	relabel_is("Content-Type: text/plain; charset=\"utf-8\"", NULL, "the charset parameter is left to the part");

	/* A 950-byte label. */
	while (field->len < 960)
		g_string_append(field, "abcdefghij");
	g_string_append(field, "?Q?a?=");
	got = header_relabel(field->str, field->len);
	is_str(got ? got->str : NULL, "Subject: =?unknown-8bit?Q?a?=", "a 950-byte label");
	if (got)
		g_string_free(got, TRUE);

	/* Linear whatever the field: 1 MB of would-be words and parameters. */
	g_string_assign(field, "Content-Type: a;");
	while (field->len < 1024 * 1024)
		g_string_append(field, " *=x=?a *0*=b=?");
	g_string_append(field, "?=");
	cost_begin(&c);
	got = header_relabel(field->str, field->len);
	cost_end(&c);
	cost_ok(&c, 1000LL * 1024 * 1024, 2.0, "1 MB of would-be encoded words and parameters");
	if (got)
		g_string_free(got, TRUE);
	g_string_free(field, TRUE);
}

int main(void)
{
	test_aliases();
	test_names();
	test_relabel();
	return tap_done();
}
