/*
 * test_text_read.c - every text of a message read right: subject, sender
 * and the start of the excerpt, per class of fault (the fixtures of
 * tests/fixtures/text, expected values in its MANIFEST), against the
 * expected parses the stalwart corpus ships (../shared/corpus, or
 * TM_CORPUS; skipped, saying so, when absent), and the RFC 2047 decoder
 * on its own: ordinary words, GMime's failures, hostile input in linear
 * time.  Prints "# text summary: ..." and "# stalwart summary: ...".
 */
#include "config.h"
#include "tap.h"
#include "cost.h"
#include "fixtures.h"
#include "json_read.h"
#include "text/charset_label.h"
#include "commands/commands.h"
#include "mime/message.h"
#include "text/text.h"
#include "text/rfc2047.h"

#include <glib.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

/* The floors of the stalwart comparison: what this code reaches, so
 * that it cannot fall back unnoticed. */
#define STALWART_SUBJECTS_MIN 74
#define STALWART_SENDERS_MIN 74
#define STALWART_OPENINGS_MIN 85

/* Runs of white space as one space, none at either end. */
static char *squeeze(const char *s)
{
	GString *out = g_string_new(NULL);
	bool space = false;

	for (const char *p = s ? s : ""; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_isspace(c) || c == 0xA0) {
			space = out->len > 0;
			continue;
		}
		if (space)
			g_string_append_c(out, ' ');
		space = false;
		g_string_append_unichar(out, c);
	}
	return g_string_free(out, FALSE);
}

static char *sender_of(const struct message *m)
{
	if (m->from == NULL)
		return g_strdup("");
	if (m->from->name && *m->from->name)
		return g_strdup_printf("%s <%s>", m->from->name, m->from->address);
	return g_strdup_printf("<%s>", m->from->address);
}

/* True when the excerpt starts with the expected opening. */
static bool opens_with(const char *text, const char *want)
{
	char *a = squeeze(text), *b = squeeze(want);
	bool yes = g_str_has_prefix(a, b);

	g_free(a);
	g_free(b);
	return yes;
}

struct tally {
	unsigned n, subjects, senders, openings, whole;
};

static void test_fixtures(void)
{
	char *dir = fixture_srcpath("tests/fixtures/text");
	char *path = g_build_filename(dir, "MANIFEST", NULL);
	char *manifest = NULL, **lines;
	GHashTable *classes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GPtrArray *order = g_ptr_array_new();
	struct tally all = { 0 };
	GString *summary;

	if (!ok(g_file_get_contents(path, &manifest, NULL, NULL), "the manifest of tests/fixtures/text is read")) {
		g_free(path);
		g_free(dir);
		return;
	}
	lines = g_strsplit(manifest, "\n", -1);
	for (char **l = lines; *l; l++) {
		char **f, *file, *raw = NULL, *sender;
		gsize len;
		struct message *m;
		struct tally *t;
		bool s_ok, f_ok, o_ok;

		if (**l == '#' || **l == '\0')
			continue;
		f = g_strsplit(*l, "\t", 5);
		if (g_strv_length(f) != 5) {
			ok(0, "manifest line: %s", *l);
			g_strfreev(f);
			continue;
		}
		file = g_build_filename(dir, f[0], NULL);
		if (!g_file_get_contents(file, &raw, &len, NULL)) {
			ok(0, "%s is read", f[0]);
			g_free(file);
			g_strfreev(f);
			continue;
		}
		m = message_parse(raw, len, 2000);
		sender = sender_of(m);
		s_ok = strcmp(m->subject, f[2]) == 0;
		f_ok = strcmp(sender, f[3]) == 0;
		o_ok = opens_with(m->text, f[4]);
		if (!ok(s_ok, "%s (%s): subject \"%s\"", f[0], f[1], f[2]))
			tap_diag("got \"%s\"", m->subject);
		if (!ok(f_ok, "%s: sender %s", f[0], f[3]))
			tap_diag("got %s", sender);
		if (!ok(o_ok, "%s: the excerpt opens with \"%s\"", f[0], f[4]))
			tap_diag("got \"%.200s\"", m->text);
		if ((t = g_hash_table_lookup(classes, f[1])) == NULL) {
			char *key = g_strdup(f[1]);
			t = g_new0(struct tally, 1);
			g_hash_table_insert(classes, key, t);
			g_ptr_array_add(order, key);
		}
		t->n++;
		t->subjects += s_ok;
		t->senders += f_ok;
		t->openings += o_ok;
		t->whole += s_ok && f_ok && o_ok;
		all.n++;
		all.subjects += s_ok;
		all.senders += f_ok;
		all.openings += o_ok;
		message_free(m);
		g_free(sender);
		g_free(raw);
		g_free(file);
		g_strfreev(f);
	}
	summary = g_string_new(NULL);
	g_string_printf(summary, "text summary: subjects %u/%u, senders %u/%u, openings %u/%u (", all.subjects, all.n,
			all.senders, all.n, all.openings, all.n);
	for (guint i = 0; i < order->len; i++) {
		const struct tally *t = g_hash_table_lookup(classes, g_ptr_array_index(order, i));
		g_string_append_printf(summary, "%s%s %u/%u", i ? ", " : "", (const char *)g_ptr_array_index(order, i),
				       t->whole, t->n);
	}
	g_string_append(summary, ")");
	tap_diag("%s", summary->str);
	ok(all.n > 0, "%u fixtures read", all.n);
	g_string_free(summary, TRUE);
	g_ptr_array_free(order, TRUE);
	g_hash_table_destroy(classes);
	g_strfreev(lines);
	g_free(manifest);
	g_free(path);
	g_free(dir);
}

/* ---- the stalwart corpus's expected parses ---- */

static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first header of that name in the top part's expected headers. */
static const struct jnode *expected_header(const struct jnode *top, const char *name)
{
	const struct jnode *headers = json_get(top, "headers");

	for (guint i = 0; headers && i < headers->items->len; i++) {
		const struct jnode *h = json_at(headers, i);
		const struct jnode *n = json_get(h, "name");
		if (n && n->type == J_STRING && strcmp(n->str, name) == 0)
			return json_get(h, "value");
	}
	return NULL;
}

/* The first characters of the expected text body, as text. */
static char *expected_opening(const struct jnode *root, size_t chars)
{
	const struct jnode *first = json_at(json_get(root, "text_body"), 0);
	const struct jnode *part = first ? json_at(json_get(root, "parts"), (guint)first->number) : NULL;
	const struct jnode *body = json_get(part, "body");
	const char *plain = json_str(body, "Text"), *html = json_str(body, "Html");
	char *text = plain ? g_strdup(plain) : html ? text_from_html(html) : NULL;
	char *squeezed, *cut;

	if (text == NULL)
		return NULL;
	squeezed = squeeze(text);
	g_free(text);
	if (g_utf8_strlen(squeezed, -1) > (glong)chars)
		*g_utf8_offset_to_pointer(squeezed, (glong)chars) = '\0';
	cut = g_strdup(squeezed);
	g_free(squeezed);
	return cut;
}

static void test_stalwart(void)
{
	const char *env = getenv("TM_CORPUS");
	char *corpus = env ? g_strdup(env) : fixture_srcpath("../shared/corpus");
	char *dir = g_build_filename(corpus, "stalwartlabs-mail-parser", "resources", "eml", NULL);
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	unsigned subjects = 0, subjects_ok = 0, subjects_fffd = 0, senders = 0, senders_ok = 0, openings = 0,
		 openings_ok = 0;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		tap_diag("stalwart corpus not found at %s (set TM_CORPUS): its comparison skipped", dir);
		ok(1, "# SKIP stalwart corpus absent");
		g_ptr_array_free(files, TRUE);
		g_free(dir);
		g_free(corpus);
		return;
	}
	fixture_collect_messages(dir, files);
	g_ptr_array_sort(files, by_name);
	for (guint i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i);
		char *json_path = NULL, *raw = NULL, *expected = NULL;
		gsize len, jlen;
		struct jnode *root;
		const struct jnode *top, *subject, *from;
		struct message *m;

		if (!g_str_has_suffix(path, ".eml")) {
			g_free(json_path);
			continue;
		}
		g_free(json_path);
		json_path = g_strdup_printf("%.*s.json", (int)(strlen(path) - 4), path);
		if (!g_file_get_contents(path, &raw, &len, NULL) || !g_file_get_contents(json_path, &expected, &jlen, NULL)) {
			g_free(raw);
			g_free(json_path);
			continue;
		}
		root = json_read(expected, jlen);
		top = json_at(json_get(root, "parts"), 0);
		m = message_parse(raw, len, 4096);
		subject = expected_header(top, "subject");
		if (subject && json_str(subject, "Text")) {
			char *want = squeeze(json_str(subject, "Text")), *got = squeeze(m->subject);
			subjects++;
			if (strcmp(want, got) == 0)
				subjects_ok++;
			else if (strstr(want, "\xef\xbf\xbd"))
				subjects_fffd++;	/* mail-parser could not read the bytes */
			else
				tap_diag("stalwart %s: subject \"%s\", ours \"%s\"", path + strlen(dir) + 1, want, got);
			g_free(want);
			g_free(got);
		}
		from = json_at(json_get(json_get(expected_header(top, "from"), "Address"), "List"), 0);
		if (from && json_str(from, "address")) {
			const char *name = json_str(from, "name");
			char *want = squeeze(name), *got = squeeze(m->from ? m->from->name : NULL);
			senders++;
			if (m->from && g_ascii_strcasecmp(m->from->address, json_str(from, "address")) == 0 &&
			    strcmp(want, got) == 0)
				senders_ok++;
			else
				tap_diag("stalwart %s: sender \"%s\" <%s>, ours \"%s\" <%s>", path + strlen(dir) + 1, want,
					 json_str(from, "address"), got, m->from ? m->from->address : "");
			g_free(want);
			g_free(got);
		}
		{
			char *want = expected_opening(root, 30);
			if (want && *want) {
				char *text = squeeze(m->text), *full = squeeze(m->full_text);
				openings++;
				if (g_str_has_prefix(text, want) || g_str_has_prefix(full, want))
					openings_ok++;
				else
					tap_diag("stalwart %s: text opens \"%s\", ours \"%.40s\"", path + strlen(dir) + 1, want, full);
				g_free(text);
				g_free(full);
			}
			g_free(want);
		}
		message_free(m);
		json_free(root);
		g_free(raw);
		g_free(expected);
		g_free(json_path);
	}
	tap_diag("stalwart summary: subjects %u/%u exact (%u more where the expected one holds U+FFFD for bytes "
		 "mail-parser could not read), senders %u/%u, text openings %u/%u",
		 subjects_ok, subjects, subjects_fffd, senders_ok, senders, openings_ok, openings);
	ok(subjects_ok >= STALWART_SUBJECTS_MIN, "stalwart: %u subjects exact (at least %d)", subjects_ok,
	   STALWART_SUBJECTS_MIN);
	ok(senders_ok >= STALWART_SENDERS_MIN, "stalwart: %u senders (at least %d)", senders_ok, STALWART_SENDERS_MIN);
	ok(openings_ok >= STALWART_OPENINGS_MIN, "stalwart: %u text openings (at least %d)", openings_ok,
	   STALWART_OPENINGS_MIN);
	g_ptr_array_free(files, TRUE);
	g_free(dir);
	g_free(corpus);
}

/* ---- the decoder on its own ---- */

static void decodes(const char *raw, const char *charset8, const char *want, const char *what)
{
	char *got = rfc2047_decode(raw, strlen(raw), charset8, NULL);

	is_str(got, want, "rfc2047: %s", what);
	g_free(got);
}

static void test_rfc2047(void)
{
	unsigned flags = 0;
	char *s;

	decodes("=?UTF-8?B?DQphYmM=?= =?UTF-8?B?ZGVm?=", NULL, "\r\nabcdef", "an encoded CR LF keeps the next word");
	decodes("=?UTF-8?B?YQ==?= =?UTF-8?B?Yg==?=", NULL, "ab", "adjacent padded base64 words (GMime issue 133)");
	decodes("=?utf-8?q?caf=C3=A9?= au lait", NULL, "café au lait", "a Q word, then text");
	decodes("a =?utf-8?q?b?=  \t =?utf-8?q?c?= d", NULL, "a bc d", "white space between words is not text");
	decodes("=?utf-8?q?one?==?utf-8?q?two?=", NULL, "onetwo", "words without space between");
	decodes("=?utf-8?b?###?= x", NULL, "=?utf-8?b?###?= x", "bad base64: the word as written");
	decodes("=?utf-8?q?no end", NULL, "=?utf-8?q?no end", "no ?=: text");
	decodes("=?x-unknown?q?J=FCrgen?=", NULL, "Jürgen", "an unknown charset: the bytes as raw 8-bit text");
	decodes("=?utf-8*de?q?Stra=C3=9Fe?=", NULL, "Straße", "a language after the charset");
	decodes("=?UTF-8?B?5pel5pys?= =?UTF-8?B?6Kqe?=", NULL, "日本語", "a character split between words");
	decodes("Gr\xfc\xdf" "e =?utf-8?q?aus?= K\xf6ln", NULL, "Grüße aus Köln", "raw 8-bit text: Windows-1252 by default");
	decodes("\xb4\xf2\xd3\xa1\xbb\xfa", "gbk", "打印机", "raw 8-bit text in the message's charset");
	decodes("Grüße", "gbk", "Grüße", "valid UTF-8 stays UTF-8");
	decodes("\033$B$3$s$K$A$O\033(B", NULL, "こんにちは", "raw ISO-2022-JP");
	decodes("=?ISO-2022-JP?B?GyRCLSEtahsoQg==?=", NULL, "①㈱", "ISO-2022-JP with NEC characters");
	decodes("a\n =?utf-8?q?b?=\r\n\t=?utf-8?q?c?=", NULL, "a bc", "folded");
	decodes("=?x-unknown?q?" "?= x", NULL, " x", "an empty word in an unknown charset (fuzzer: NULL to memchr)");
	decodes("=?us-ascii?b?" "?=", NULL, "", "an empty ASCII word");
	s = rfc2047_decode("=?utf-8?q?x=0Ay?=", strlen("=?utf-8?q?x=0Ay?="), NULL, &flags);
	ok((flags & RFC2047_CONTROL) && strcmp(s, "x\ny") == 0, "an encoded line feed is reported");
	g_free(s);
	s = rfc2047_normalize("=?UTF-8?B?WQ==?= =?UTF-8?B?Yg==?= <x@example.org>",
			      strlen("=?UTF-8?B?WQ==?= =?UTF-8?B?Yg==?= <x@example.org>"), NULL);
	is_str(s, "=?UTF-8?B?WWI=?= <x@example.org>", "normalize: one UTF-8 word for adjacent words");
	g_free(s);
	s = rfc2047_normalize("\xd5\xc5\xc8\xfd <z@example.cn>", strlen("\xd5\xc5\xc8\xfd <z@example.cn>"), "gbk");
	is_str(s, "张三 <z@example.cn>", "normalize: raw 8-bit text as UTF-8");
	g_free(s);
}

/* 1 MB of encoded words, and of things that almost are: linear. */
static void test_linear(void)
{
	static const char *const units[] = {
		"=?utf-8?q?a?= ", "=?utf-8?b?YQ==?=", "=?", "=?utf-8?q?", "=?x?q?a", "=?utf-8?B?###?= ",
		"=?iso-8859-1?q?=E9?= =?utf-8?q?a?= ", "?=",
	};
	GString *s = g_string_new(NULL), *msg;
	struct cost c;
	char *out;
	struct message *m;

	for (size_t u = 0; u < G_N_ELEMENTS(units); u++) {
		char *what;
		g_string_truncate(s, 0);
		while (s->len < 1024 * 1024)
			g_string_append(s, units[u]);
		cost_begin(&c);
		out = rfc2047_decode(s->str, s->len, "gbk", NULL);
		g_free(out);
		out = rfc2047_normalize(s->str, s->len, "gbk");
		cost_end(&c);
		g_free(out);
		what = g_strdup_printf("1 MB of \"%s\" decoded and normalized", units[u]);
		cost_ok(&c, 3000LL * 1024 * 1024, 4.0, what);
		g_free(what);
	}
	/* Through the parser: a 60 KB Subject of words, a From of them. */
	msg = g_string_new("From: ");
	for (int i = 0; i < 2000; i++)
		g_string_append(msg, "=?utf-8?b?w6k=?= ");
	g_string_append(msg, "<x@example.org>\nSubject: ");
	for (int i = 0; i < 3000; i++)
		g_string_append(msg, "=?utf-8?q?=C3=A9?=\n ");
	g_string_append(msg, "\n\nbody\n");
	cost_begin(&c);
	m = message_parse(msg->str, msg->len, 2000);
	cost_end(&c);
	cost_ok(&c, 2000LL * 1024 * 1024, 4.0, "a message with 60 KB of encoded words in Subject and From");
	ok(g_str_has_prefix(m->subject, "ééé") && g_utf8_strlen(m->subject, -1) <= MESSAGE_SUBJECT_MAX,
	   "its subject decoded and bounded");
	message_free(m);
	g_string_free(msg, TRUE);
	g_string_free(s, TRUE);
}

/* The command stripper reads the lines of a part as the parser reads the
 * part: the commands the engine applied are the ones removed. */
static void stripped_as_parsed(const char *raw, int commands, const char *body, const char *what)
{
	struct message *m = message_parse(raw, strlen(raw), 4096);
	struct command_block block;
	char *error = NULL;
	GBytes *out;
	int n = commands_parse(m->full_text, &block);

	is_int(n, commands, "%s: %d command lines read", what, commands);
	out = commands_strip_body(raw, strlen(raw), &block, &error);
	if (!ok(out && g_bytes_get_size(out) == strlen(body) && memcmp(g_bytes_get_data(out, NULL), body, strlen(body)) == 0,
		"%s: the same lines removed", what))
		tap_diag("got \"%.*s\" (%s)", out ? (int)g_bytes_get_size(out) : 0,
			 out ? (const char *)g_bytes_get_data(out, NULL) : "", error ? error : "");
	if (out)
		g_bytes_unref(out);
	g_free(error);
	commands_block_clear(&block);
	message_free(m);
}

static void test_commands_agree(void)
{
	/* GMime's filter (glibc's ISO-2022-JP) dropped the line holding ①:
	 * a blank line to the stripper, which then removed #priority too,
	 * a line of text to the parser, which did not apply it. */
	stripped_as_parsed("From: agent@example.com\nSubject: x\nContent-Type: text/plain; charset=iso-2022-jp\n\n"
			   "#status pending\n\033$B-!\033(B\n#priority high\n",
			   1, "\033$B-!\033(B\n#priority high\n", "ISO-2022-JP with a NEC character");
	/* An unlabelled KOI8-R reply: read by the detector on both sides. */
	stripped_as_parsed("From: agent@example.com\nSubject: x\n\n#status pending\n\xe4\xcf\xc2\xd2\xd9\xca "
			   "\xc4\xc5\xce\xd8, \xd7\xd3\xc5 \xc7\xcf\xd4\xcf\xd7\xcf.\n",
			   1, "\xe4\xcf\xc2\xd2\xd9\xca \xc4\xc5\xce\xd8, \xd7\xd3\xc5 \xc7\xcf\xd4\xcf\xd7\xcf.\n",
			   "unlabelled KOI8-R");
	/* Every alias of US-ASCII alike, on both sides. */
	{
		static const char *const aliases[] = { "ascii", "US-ASCII", "ANSI_X3.4-1968", "ANSI_X3.4", "ISO_646.irv:1991",
						       "iso-ir-6", "cp367", "us", "646" };
		char buf[CHARSET_LABEL_MAX + 1];
		for (size_t i = 0; i < G_N_ELEMENTS(aliases); i++) {
			char *raw = g_strdup_printf("From: agent@example.com\nSubject: x\nContent-Type: text/plain; "
						    "charset=\"%s\"\n\n#status\xa0pending\nGr\xfc\xdf" "e\n", aliases[i]);
			char *what = g_strdup_printf("8-bit text labelled %s", aliases[i]);
			is_str(charset_label_map(aliases[i], strlen(aliases[i]), buf, sizeof buf), "us-ascii",
			       "%s is US-ASCII", aliases[i]);
			stripped_as_parsed(raw, 1, "Gr\xfc\xdf" "e\n", what);
			g_free(what);
			g_free(raw);
		}
	}
}

int main(void)
{
	g_mime_init();
	test_rfc2047();
	test_fixtures();
	test_stalwart();
	test_commands_agree();
	test_linear();
	g_mime_shutdown();
	return tap_done();
}
