/*
 * test_text_read.c - every text of a message read right: subject, sender
 * and the start of the excerpt, per class of fault (the fixtures of
 * tests/fixtures/text, expected values in its MANIFEST), and against the
 * expected parses the stalwart corpus ships (../shared/corpus, or
 * TM_CORPUS; skipped, saying so, when absent).  Prints "# text summary:
 * ..." and "# stalwart summary: ...".
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "json_read.h"
#include "message.h"
#include "text.h"

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

int main(void)
{
	g_mime_init();
	test_fixtures();
	test_stalwart();
	g_mime_shutdown();
	return tap_done();
}
