/*
 * test_template.c - message templates: the file format and its error
 * reports, sections, fallback and queue overrides, customer text that
 * must stay literal (template syntax, header injection, HTML), sharing
 * between threads, and every shipped template rendered in every locale
 * (acknowledgement, reopened, resolved with its satisfaction links, the
 * thank-you for a rating, the agent's notice of commands not understood).
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "compose/template.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const shipped_locales[] = {
	"en", "tr", "de", "fr", "es", "pt-BR", "it", "nl", "ru", "ja", "zh-CN", "ar", "ko", "pl",
};

/* Promises as the calendar module formats them, one per locale. */
struct sample {
	const char *locale, *promise, *relative;
};

static const struct sample samples[] = {
	{ "en", "Monday, March 2, 2026 at 2:00 PM CET", "in 2 hours" },
	{ "tr", "2 Mart 2026 Pazartesi 16:00 GMT+3", "2 saat sonra" },
	{ "de", "Montag, 2. März 2026, 14:00 MEZ", "in 2 Stunden" },
	{ "fr", "lundi 2 mars 2026 à 14:00 UTC+1", "dans 2 heures" },
	{ "es", "lunes, 2 de marzo de 2026, 14:00 CET", "dentro de 2 horas" },
	{ "pt-BR", "segunda-feira, 2 de março de 2026 às 10:00 BRT", "em 2 horas" },
	{ "it", "lunedì 2 marzo 2026 alle ore 14:00 CET", "tra 2 ore" },
	{ "nl", "maandag 2 maart 2026 om 14:00 CET", "over 2 uur" },
	{ "ru", "понедельник, 2 марта 2026 г. в 16:00 MSK", "через 2 часа" },
	{ "ja", "2026年3月2日月曜日 22:00 JST", "2 時間後" },
	{ "zh-CN", "2026年3月2日星期一 21:00 GMT+8", "2小时后" },
	{ "ar", "الاثنين، ٢ مارس ٢٠٢٦ في ٤:٠٠ م غرينتش+٣", "خلال ساعتين" },
	{ "ko", "2026년 3월 2일 월요일 오후 10:00 GMT+9", "2시간 후" },
	{ "pl", "poniedziałek, 2 marca 2026 14:00 CET", "za 2 godziny" },
};

#define REFERENCE "sup-1042-z43st5as7pdhozqf"

/* ---- helpers ------------------------------------------------------ */

static char *scratch_write(const char *dir, const char *rel, const char *text)
{
	char *path = g_build_filename(dir, rel, NULL);
	char *parent = g_path_get_dirname(path);

	g_mkdir_with_parents(parent, 0755);
	if (!g_file_set_contents(path, text, -1, NULL)) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	g_free(parent);
	return path;
}

static void scratch_remove(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	if (d) {
		while ((name = g_dir_read_name(d))) {
			char *child = g_build_filename(path, name, NULL);
			scratch_remove(child);
			g_free(child);
		}
		g_dir_close(d);
	}
	g_remove(path);
}

static guint count_of(const char *haystack, const char *needle)
{
	guint n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void show_errors(const GPtrArray *errors)
{
	for (guint i = 0; i < errors->len; i++)
		tap_diag("%s", (const char *)g_ptr_array_index(errors, i));
}

/* True when some error starts with "path:line: " (line 0: "path: ")
 * and contains needle. */
static bool has_error(const GPtrArray *errors, const char *path, int line, const char *needle)
{
	char *prefix = line ? g_strdup_printf("%s:%d: ", path, line) : g_strdup_printf("%s: ", path);
	bool found = false;

	for (guint i = 0; i < errors->len && !found; i++) {
		const char *e = g_ptr_array_index(errors, i);
		found = g_str_has_prefix(e, prefix) && strstr(e, needle) != NULL;
	}
	if (!found)
		show_errors(errors);
	g_free(prefix);
	return found;
}

/* The errors template_check_file reports for text written to a file. */
static GPtrArray *check_text(const char *dir, const char *name, const char *text, char **path)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);

	*path = scratch_write(dir, name, text);
	template_check_file(*path, errors);
	return errors;
}

/* Loads a one-off template "t" (and its HTML) from a fresh folder. */
static struct template *load_text(const char *dir, const char *txt, const char *html)
{
	static int serial;
	char *folder = g_strdup_printf("%s/one-off-%d", dir, ++serial);
	char *error = NULL, *p;
	struct template *t;

	p = scratch_write(folder, "en/t.txt", txt);
	g_free(p);
	if (html) {
		p = scratch_write(folder, "en/t.html", html);
		g_free(p);
	}
	t = template_load(folder, NULL, "en", NULL, "t", &error);
	if (t == NULL)
		tap_diag("load: %s", error);
	g_free(error);
	g_free(folder);
	return t;
}

/* Renders with vars; NULL outputs when rendering fails. */
struct rendered {
	char *subject, *text, *html, *error;
	int rc;
};

static struct rendered render(const struct template *t, char *const *vars)
{
	struct rendered r;

	r.rc = template_render(t, vars, &r.subject, &r.text, &r.html, &r.error);
	return r;
}

static void rendered_free(struct rendered *r)
{
	g_free(r->subject);
	g_free(r->text);
	g_free(r->html);
	g_free(r->error);
}

/* ---- the placeholder list ----------------------------------------- */

static void test_placeholders(void)
{
	static const char *const expected[] = {
		"ticket", "subject", "customer_name", "queue_name", "promise", "promise_relative",
		"agent_name", "reference", "escalation", "status", "csat_links", "applied", "commands_only", "note_unsent",
		"csat_1", "csat_2", "csat_3", "csat_4", "csat_5", "rating", "unknown_commands", "returning",
		"nps_0", "nps_1", "nps_2", "nps_3", "nps_4", "nps_5", "nps_6", "nps_7", "nps_8", "nps_9", "nps_10",
		"ces_1", "ces_2", "ces_3", "ces_4", "ces_5", "ces_6", "ces_7", "announcement",
		"time_left", "overdue", "business", "resolution", "level", "customer", "excerpt", "closes",
	};
	size_t n = 0;

	while (template_placeholders[n])
		n++;
	is_int(n, G_N_ELEMENTS(expected), "%zu placeholders, NULL-terminated", G_N_ELEMENTS(expected));
	for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
		bool found = false;
		for (size_t j = 0; j < n; j++)
			found = found || strcmp(template_placeholders[j], expected[i]) == 0;
		ok(found, "placeholder %s is allowed", expected[i]);
	}
}

/* ---- the file format and its errors ------------------------------- */

static void test_format_errors(const char *dir)
{
	char *path;
	GPtrArray *errors;

	errors = check_text(dir, "fmt/good.txt",
			    "Subject: [{{ticket}}] Hello{{#subject}}: {{subject}}{{/subject}}\n\n"
			    "{{! a comment }}\nHello {{ customer_name }},\n{{^promise}}soon{{/promise}}\n", &path);
	is_int(errors->len, 0, "a well-formed template has no errors");
	show_errors(errors);
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "fmt/unknown.txt", "Subject: [{{ticket}}] Hi\n\nline 3\nline 4 {{tickt}}\n", &path);
	ok(has_error(errors, path, 4, "unknown placeholder {{tickt}}"), "unknown placeholder: FILE:LINE: message");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "fmt/unclosed.txt",
			    "Subject: [{{ticket}}] Hi\n\nbody\n{{#escalation}}\nsenior\n", &path);
	ok(has_error(errors, path, 4, "{{#escalation}} is never closed"), "unclosed section reported where it opens");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "fmt/mismatch.txt",
			    "Subject: [{{ticket}}] Hi\n\n{{#escalation}}\n{{^customer_name}}x{{/escalation}}\n", &path);
	ok(has_error(errors, path, 4, "{{/escalation}} closes {{^customer_name}} of line 4"),
	   "crossed sections are reported");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "fmt/stray.txt", "Subject: [{{ticket}}] Hi\n\nbody {{/status}}\n", &path);
	ok(has_error(errors, path, 3, "{{/status}} closes no section"), "a close without an open is reported");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "fmt/subject-section.txt", "Subject: [{{ticket}}] {{#subject}}x\n\nbody\n", &path);
	ok(has_error(errors, path, 1, "{{#subject}} is never closed"), "a section cannot leave the subject line");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "fmt/brace.txt", "Subject: [{{ticket}}] Hi\n\nHello {{customer_name\n}}\n", &path);
	ok(has_error(errors, path, 3, "{{ without }}"), "a tag cannot span lines");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "fmt/empty-tag.txt", "Subject: [{{ticket}}] Hi\n\nHello {{ }}\n", &path);
	ok(has_error(errors, path, 3, "empty tag"), "an empty tag is reported");
	g_ptr_array_free(errors, TRUE);
	g_free(path);
}

static void test_header_errors(const char *dir)
{
	char *path;
	GPtrArray *errors;

	errors = check_text(dir, "hdr/from.txt", "Subject: [{{ticket}}] Hi\nBcc: boss@example.com\n\nbody\n", &path);
	ok(has_error(errors, path, 2, "may set only Subject"), "a header other than Subject is refused");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "hdr/none.txt", "Hello,\n\nbody\n", &path);
	ok(has_error(errors, path, 1, "expected \"Subject: ...\""), "a body without header block is refused");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "hdr/no-blank.txt", "Subject: [{{ticket}}] Hi\n", &path);
	ok(has_error(errors, path, 2, "no blank line after the header block"), "the blank line is required");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "hdr/no-subject.txt", "\nbody\n", &path);
	ok(has_error(errors, path, 1, "no Subject:"), "Subject is required");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "hdr/two.txt", "Subject: [{{ticket}}] a\nsubject: [{{ticket}}] b\n\nbody\n", &path);
	ok(has_error(errors, path, 2, "second Subject:"), "one Subject only");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "hdr/folded.txt", "Subject: [{{ticket}}] a\n b\n\nbody\n", &path);
	ok(has_error(errors, path, 2, "folded"), "folded header lines are refused");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "hdr/untagged.txt", "Subject: We got your mail\n\nbody\n", &path);
	ok(has_error(errors, path, 1, "must carry [{{ticket}}]"), "the subject must carry the ticket tag");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "hdr/tag-in-section.txt",
			    "Subject: Hi{{#status}} [{{ticket}}]{{/status}}\n\nbody\n", &path);
	ok(has_error(errors, path, 1, "must carry [{{ticket}}]"), "a tag that a section may drop does not count");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "hdr/empty-body.txt", "Subject: [{{ticket}}] Hi\n\n \n", &path);
	ok(has_error(errors, path, 3, "empty body"), "an empty body is refused");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "hdr/latin1.txt", "Subject: [{{ticket}}] Hi\n\nGr\xfc\xdf" "e\n", &path);
	ok(has_error(errors, path, 3, "not UTF-8"), "Latin-1 text is refused with its line");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "hdr/control.txt", "Subject: [{{ticket}}] Hi\x0b there\n\nbody\n", &path);
	ok(has_error(errors, path, 1, "control character"), "control characters in the template are refused");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = check_text(dir, "hdr/name.md", "Subject: [{{ticket}}] Hi\n\nbody\n", &path);
	ok(has_error(errors, path, 0, "not a template"), "only .txt and .html are templates");
	g_ptr_array_free(errors, TRUE);
	g_free(path);

	errors = g_ptr_array_new_with_free_func(g_free);
	template_check_file("/nonexistent/ack.txt", errors);
	ok(has_error(errors, "/nonexistent/ack.txt", 0, "cannot read"), "a missing file is reported");
	g_ptr_array_free(errors, TRUE);
}

/* A BOM and CRLF line ends (Windows editors) are accepted. */
static void test_crlf_bom(const char *dir)
{
	struct template *t = load_text(dir, "\xEF\xBB\xBFSubject: [{{ticket}}] Hi\r\n\r\nline 1\r\nline 2\r\n", NULL);
	char *const vars[] = { "ticket", "SUP-1", NULL };
	struct rendered r = { 0 };

	ok(t != NULL, "a file with BOM and CRLF loads");
	if (t)
		r = render(t, vars);
	is_str(r.subject, "[SUP-1] Hi", "BOM is not part of the header");
	is_str(r.text, "line 1\nline 2\n", "CRLF becomes LF");
	ok(r.html == NULL, "no .html part: html is NULL");
	rendered_free(&r);
	template_free(t);
}

/* ---- sections and values ------------------------------------------ */

static void test_sections(const char *dir)
{
	struct template *t = load_text(dir,
		"Subject: [{{ticket}}] {{#customer_name}}for {{customer_name}}{{/customer_name}}"
		"{{^customer_name}}for you{{/customer_name}}   \n\n"
		"A\n"
		"{{#escalation}}\n"
		"  senior\n"
		"{{/escalation}}\n"
		"  {{^escalation}}  {{! standalone with a comment }}\n"
		"normal\n"
		"{{/escalation}}\n"
		"B {{#promise_relative}}({{promise_relative}}){{/promise_relative}}."
		"{{#customer_name}}{{^customer_name}} never{{/customer_name}}{{/customer_name}}\n"
		"C\n", NULL);
	char *const with[] = { "ticket", "SUP-7", "customer_name", "Ana", "escalation", "yes",
			       "promise_relative", "in 2 hours", NULL };
	char *const without[] = { "ticket", "SUP-7", "customer_name", "", "escalation", "  ",
				  "promise_relative", "", NULL };
	struct rendered r;

	ok(t != NULL, "section template loads");
	if (t == NULL)
		return;
	r = render(t, with);
	is_str(r.subject, "[SUP-7] for Ana", "subject: section kept, trailing blanks trimmed");
	is_str(r.text, "A\n  senior\nB (in 2 hours).\nC\n", "sections kept; standalone tag lines vanish");
	rendered_free(&r);
	r = render(t, without);
	is_str(r.subject, "[SUP-7] for you", "subject: inverted section when the value is empty");
	is_str(r.text, "A\nnormal\nB .\nC\n", "white space only counts as blank");
	rendered_free(&r);
	template_free(t);
}

static void test_missing_values(const char *dir)
{
	struct template *t = load_text(dir, "Subject: [{{ticket}}] x\n\n{{#escalation}}{{agent_name}}{{/escalation}}\n",
				       NULL);
	char *const missing[] = { "ticket", "SUP-1", "escalation", "", NULL };
	char *const unknown[] = { "ticket", "SUP-1", "escalation", "", "agent_name", "Bo", "agent", "x", NULL };
	char *const odd[] = { "ticket", "SUP-1", "escalation", "", "agent_name", NULL };
	char *const twice[] = { "ticket", "SUP-1", "ticket", "SUP-2", "escalation", "y", "agent_name", "Bo", NULL };
	struct rendered r;

	ok(t != NULL, "template loads");
	if (t == NULL)
		return;
	r = render(t, missing);
	ok(r.rc == -1 && r.error && strstr(r.error, "{{agent_name}}"),
	   "a used placeholder without value fails, even in a dropped section: %s", r.error);
	ok(r.subject == NULL && r.text == NULL && r.html == NULL, "nothing is returned on failure");
	rendered_free(&r);
	r = render(t, unknown);
	ok(r.rc == -1 && r.error && strstr(r.error, "\"agent\""), "a misspelt variable fails: %s", r.error);
	rendered_free(&r);
	r = render(t, odd);
	ok(r.rc == -1 && r.error && strstr(r.error, "agent_name"), "a name without value fails: %s", r.error);
	rendered_free(&r);
	r = render(t, twice);
	ok(r.rc == 0, "duplicate names render");
	is_str(r.subject, "[SUP-1] x", "the first value of a name counts");
	rendered_free(&r);
	ok(template_render(t, missing, NULL, NULL, NULL, NULL) == -1, "NULL out-pointers and error are allowed");
	template_free(t);
}

/* ---- customer text stays text -------------------------------------- */

static void test_injection(const char *dir)
{
	struct template *t = load_text(dir,
		"Subject: [{{ticket}}] Re: {{subject}}\n\nHello {{customer_name}}, about {{subject}}\n",
		"<p title=\"{{customer_name}}\">{{subject}} {{customer_name}}</p>\n");
	char *const syntax[] = { "ticket", "SUP-1042", "subject", "{{ticket}} {{#status}}", "customer_name",
				 "{{/status}}{{reference}}", NULL };
	char *const header[] = { "ticket", "SUP-1042",
				 "subject", "Hi\r\nBcc: victim@example.com\r\n\r\nbuy now\t\x01\xe2\x80\xa8\xc2\x85x",
				 "customer_name", "Eve\x1b[31m\r\nX-Evil: 1", NULL };
	char *const markup[] = { "ticket", "SUP-1042", "subject", "<script>alert('x')</script> & co",
				 "customer_name", "\"><img src=x onerror=alert(1)>", NULL };
	char *const broken[] = { "ticket", "SUP-1042", "subject", "caf\xe9", "customer_name", "\xff\xfe", NULL };
	struct rendered r;

	ok(t != NULL, "injection template loads");
	if (t == NULL)
		return;

	r = render(t, syntax);
	is_str(r.subject, "[SUP-1042] Re: {{ticket}} {{#status}}", "template syntax in a value stays literal (subject)");
	is_str(r.text, "Hello {{/status}}{{reference}}, about {{ticket}} {{#status}}\n",
	       "template syntax in a value stays literal (text)");
	ok(strstr(r.html, "{{ticket}} {{#status}}") != NULL, "template syntax in a value stays literal (html)");
	rendered_free(&r);

	r = render(t, header);
	ok(r.subject && !strpbrk(r.subject, "\r\n\t\x01"), "no line break or control character in the subject");
	is_str(r.subject, "[SUP-1042] Re: Hi Bcc: victim@example.com buy now x",
	       "each run of breaks and controls is one space");
	is_str(r.text, "Hello Eve [31m\nX-Evil: 1, about Hi\nBcc: victim@example.com\n\nbuy now\t \n\nx\n",
	       "text: CRLF becomes LF, escape characters become spaces");
	rendered_free(&r);

	r = render(t, markup);
	is_str(r.html, "<p title=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">"
		       "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co "
		       "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>\n",
	       "html: values are escaped, in text and in attributes");
	is_str(r.text, "Hello \"><img src=x onerror=alert(1)>, about <script>alert('x')</script> & co\n",
	       "text: values are not HTML-escaped");
	rendered_free(&r);

	r = render(t, broken);
	ok(r.rc == 0 && g_utf8_validate(r.subject, -1, NULL) && g_utf8_validate(r.text, -1, NULL) &&
	   g_utf8_validate(r.html, -1, NULL), "invalid UTF-8 in values still renders valid UTF-8");
	rendered_free(&r);
	template_free(t);
}

/* The agent's unknown lines and the csat links are values like any
 * other: never template syntax, escaped in HTML, and a link cannot leave
 * its href attribute. */
static void test_notice_values_literal(const char *dir)
{
	struct template *t = load_text(dir,
		"Subject: [{{ticket}}] x\n\n{{unknown_commands}}\n--\n",
		"<pre>{{unknown_commands}}</pre>\n<a href=\"{{csat_5}}\">5</a>\n");
	char *const vars[] = {
		"ticket", "SUP-1042",
		"unknown_commands", "#stauts resolved\n{{ticket}} {{#reference}}x{{/reference}}\n<script>alert('x')</script>",
		"csat_5", "mailto:a@example.com?subject=x\"><script>alert(1)</script>&body=5'",
		NULL,
	};
	struct rendered r;

	ok(t != NULL, "notice value template loads");
	if (t == NULL)
		return;
	r = render(t, vars);
	is_str(r.text, "#stauts resolved\n{{ticket}} {{#reference}}x{{/reference}}\n<script>alert('x')</script>\n--\n",
	       "unknown lines stay verbatim in the text: no syntax, no escaping, line breaks kept");
	is_str(r.html, "<pre>#stauts resolved\n{{ticket}} {{#reference}}x{{/reference}}\n"
		       "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</pre>\n"
		       "<a href=\"mailto:a@example.com?subject=x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
		       "&amp;body=5&#39;\">5</a>\n",
	       "html: unknown lines escaped; a link value stays inside its href");
	rendered_free(&r);
	template_free(t);
}

/* ---- layout: fallback, overrides, the folder check ----------------- */

struct layout_case {
	const char *queue, *locale, *default_locale, *body, *found;
};

static void test_fallback_and_overrides(const char *dir)
{
	static const char *const files[][2] = {
		{ "en/ack.txt", "EN" }, { "de/ack.txt", "DE" }, { "de/ack.html", "<p>DE</p>" },
		{ "pt/ack.txt", "PT" }, { "zh/ack.txt", "ZH" }, { "it/ack.txt", "IT" },
		{ "zh-Hant/ack.txt", "ZH-HANT" },
		{ "queues/vip/de/ack.txt", "VIP-DE" }, { "queues/vip/pt/ack.txt", "VIP-PT" },
		{ "queues/it/de/ack.txt", "QUEUE-IT-DE" }, { "queues/Key Accounts/en/ack.txt", "KEY-EN" },
		/* the contract's layout, beside the locales */
		{ "sales/de/ack.txt", "SALES-DE" }, { "queues/sales/en/ack.txt", "SALES-EN" },
	};
	static const struct layout_case cases[] = {
		{ "vip", "de", "en", "VIP-DE", "de" },
		{ "support", "de", "en", "DE", "de" },
		{ NULL, "de", "en", "DE", "de" },
		{ "", "de", "en", "DE", "de" },
		{ "vip", "de-AT", "en", "VIP-DE", "de" },
		{ "vip", "pt-BR", "en", "VIP-PT", "pt" },
		{ NULL, "pt-BR", "en", "PT", "pt" },
		{ NULL, "pt_br", "en", "PT", "pt" },
		{ NULL, "zh-CN", "en", "ZH", "zh" },
		{ NULL, "zh-hant-tw", "en", "ZH-HANT", "zh-Hant" },
		{ NULL, "fr", "en", "EN", "en" },
		{ NULL, NULL, "en", "EN", "en" },
		{ NULL, "fr", "pt-BR", "PT", "pt" },
		{ "it", "de", "en", "QUEUE-IT-DE", "de" },
		{ "it", "it", "en", "IT", "it" },
		{ NULL, "it", "en", "IT", "it" },
		{ "de", "it", "en", "IT", "it" },
		{ "de", "fr", "en", "EN", "en" },
		{ "Key Accounts", "en", "en", "KEY-EN", "en" },
		{ NULL, "../de", "en", "EN", "en" },
		{ NULL, "de/../../etc", "en", "EN", "en" },
		{ NULL, "queues", "en", "EN", "en" },
		{ "sales", "de", "en", "SALES-DE", "de" },
		{ "sales", "en", "en", "SALES-EN", "en" },
		{ "sales", "fr", "en", "SALES-EN", "en" },
		{ NULL, "sales", "en", "EN", "en" },
	};
	char *root = g_build_filename(dir, "layout", NULL);
	char *error = NULL, *p;
	struct template *t;

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		char *text = g_str_has_suffix(files[i][0], ".txt")
			? g_strdup_printf("Subject: [{{ticket}}] %s\n\n%s\n", files[i][1], files[i][1])
			: g_strdup_printf("%s\n", files[i][1]);
		p = scratch_write(root, files[i][0], text);
		g_free(p);
		g_free(text);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct layout_case *c = &cases[i];
		char *const vars[] = { "ticket", "SUP-1", NULL };
		char *text = NULL;

		t = template_load(root, c->queue, c->locale, c->default_locale, "ack", &error);
		if (t)
			template_render(t, vars, NULL, &text, NULL, NULL);
		ok(t && g_str_has_prefix(text, c->body) && text[strlen(c->body)] == '\n' &&
		   strcmp(template_locale(t), c->found) == 0,
		   "queue %s, locale %s, default %s -> %s (%s)", c->queue ? c->queue : "(none)",
		   c->locale ? c->locale : "(none)", c->default_locale, c->body, c->found);
		if (t == NULL)
			tap_diag("%s", error);
		g_free(text);
		g_free(error);
		error = NULL;
		template_free(t);
	}

	{
		char *const vars[] = { "ticket", "SUP-1", NULL };
		char *html = NULL;
		t = template_load(root, "vip", "de", "en", "ack", NULL);
		template_render(t, vars, NULL, NULL, &html, NULL);
		ok(t && html == NULL, "an override's text never goes out with the shipped HTML");
		template_free(t);
		t = template_load(root, NULL, "de", "en", "ack", NULL);
		template_render(t, vars, NULL, NULL, &html, NULL);
		is_str(html, "<p>DE</p>\n", "the shared folder's HTML goes with its text");
		g_free(html);
		template_free(t);
	}

	t = template_load(root, "../vip", "de", "en", "ack", &error);
	ok(t == NULL && error && strstr(error, "queue"), "a queue id that is a path is refused: %s", error);
	g_free(error);
	t = template_load(NULL, NULL, "de", "en", "ack", &error);
	ok(t == NULL && error != NULL, "no folder, no template: %s", error);
	g_free(error);
	t = template_load(root, NULL, "de", "en", "../de/ack", &error);
	ok(t == NULL && error && strstr(error, "template name"), "a template name that is a path is refused: %s", error);
	g_free(error);
	t = template_load(root, NULL, "fr", "es", "ack", &error);
	ok(t == NULL && error && strstr(error, "no template \"ack\"") && strstr(error, "es/ack.txt"),
	   "nothing found: the error says where it looked: %s", error);
	g_free(error);

	p = scratch_write(root, "queues/broken/de/ack.txt", "Subject: [{{ticket}}] x\n\n{{ticket_id}}\n");
	t = template_load(root, "broken", "de", "en", "ack", &error);
	ok(t == NULL && error && g_str_has_prefix(error, p) && strstr(error, ":3: unknown placeholder"),
	   "a broken override is an error, not a silent fallback: %s", error);
	g_free(error);
	g_free(p);
	p = scratch_write(root, "en/bad.txt", "Subject: [{{ticket}}] x\n\nok\n");
	g_free(p);
	p = scratch_write(root, "en/bad.html", "<p>{{#status}}</p>\n");
	t = template_load(root, NULL, "en", "en", "bad", &error);
	ok(t == NULL && error && g_str_has_prefix(error, p), "a broken .html part fails the load: %s", error);
	g_free(error);
	g_free(p);
	g_free(root);
}

static void test_check_dir_layout(const char *dir)
{
	char *root = g_build_filename(dir, "check", NULL);
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *bad_override, *path;
	static const char *const good = "Subject: [{{ticket}}] x\n\nbody\n";
	static const char *const files[] = {
		"README", "en/ack.txt", "en/ack.html", "en/notes.md", "pt-BR/ack.txt", "queues/vip/de/ack.txt",
		"ack.txt", "support/de/ack.txt", "pt_BR/ack.txt", "de/extra.html", "de/ack.txt",
		"queues/vip/german/ack.txt", "queues/vip/ack.txt", "en/Ack.txt", "de/sub/ack.txt",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		path = scratch_write(root, files[i], good);
		g_free(path);
	}
	path = scratch_write(root, "en/ack.html", "<p>{{ticket}}</p>\n");
	g_free(path);
	bad_override = scratch_write(root, "queues/vip/de/reopened.txt", "Subject: [{{ticket}}] x\n\n{{#promise}}\n");
	template_check_dir(root, errors);

#define AT(rel) g_build_filename(root, rel, NULL)
	path = AT("queues/vip/de/reopened.txt");
	ok(has_error(errors, path, 3, "never closed"), "errors inside queue overrides are found");
	g_free(path);
	path = AT("ack.txt");
	ok(has_error(errors, path, 0, "locale folder"), "a template outside a locale folder is reported");
	g_free(path);
	path = AT("support");
	ok(!has_error(errors, path, 0, ""), "a queue's folder beside the locales (support/de/) is accepted");
	g_free(path);
	path = AT("pt_BR");
	ok(has_error(errors, path, 0, "named like pt-BR"),
	   "a misspelt locale folder is reported with its right name");
	g_free(path);
	path = AT("de/extra.html");
	ok(has_error(errors, path, 0, "no extra.txt"), "an .html without its .txt is reported");
	g_free(path);
	path = AT("queues/vip/german");
	ok(has_error(errors, path, 0, "not a locale folder"), "a queue's non-locale folder is reported");
	g_free(path);
	path = AT("queues/vip/ack.txt");
	ok(has_error(errors, path, 0, "locale folder"), "a template directly in a queue folder is reported");
	g_free(path);
	path = AT("en/Ack.txt");
	ok(has_error(errors, path, 0, "template names"), "a template name the loader cannot ask for is reported");
	g_free(path);
	path = AT("de/sub");
	ok(has_error(errors, path, 0, "not folders"), "a folder inside a locale folder is reported");
	g_free(path);
	is_int(errors->len, 8, "nothing else is reported (README, notes, good files, support/de/)");
	if (errors->len != 8)
		show_errors(errors);
#undef AT
	g_ptr_array_free(errors, TRUE);

	errors = g_ptr_array_new_with_free_func(g_free);
	path = g_build_filename(dir, "no-such-folder", NULL);
	template_check_dir(path, errors);
	ok(has_error(errors, path, 0, "cannot read"), "a missing template folder is reported");
	g_free(path);
	g_ptr_array_free(errors, TRUE);
	g_free(bad_override);
	g_free(root);
}

/* ---- the shipped templates ----------------------------------------- */

static const struct sample *sample_for(const char *locale)
{
	for (size_t i = 0; i < G_N_ELEMENTS(samples); i++)
		if (strcmp(samples[i].locale, locale) == 0)
			return &samples[i];
	return NULL;
}

static void test_shipped_check(const char *shipped)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);

	template_check_dir(shipped, errors);
	is_int(errors->len, 0, "every shipped template passes template_check_dir");
	show_errors(errors);
	g_ptr_array_free(errors, TRUE);
}

/* The acknowledgement in one locale, with every optional part on, then off. */
static void test_shipped_ack(const char *shipped, const char *locale)
{
	const struct sample *s = sample_for(locale);
	char *error = NULL, *lang_attr;
	struct template *t = template_load(shipped, "support", locale, "en", "ack", &error);
	char *const full[] = {
		"ticket", "SUP-1042", "subject", "Drucker brennt <sofort>", "customer_name", "Zoë O'Brien & Co",
		"queue_name", "Example Support", "promise", (char *)s->promise,
		"promise_relative", (char *)s->relative, "agent_name", "", "reference", REFERENCE,
		"escalation", "yes", "status", "new", "csat_links", "", "returning", "", NULL,
	};
	char *const bare[] = {
		"ticket", "SUP-1042", "subject", "", "customer_name", "", "queue_name", "Example Support",
		"promise", (char *)s->promise, "promise_relative", "", "agent_name", "", "reference", REFERENCE,
		"escalation", "", "status", "new", "csat_links", "", "returning", "", NULL,
	};
	char *no_escalation[G_N_ELEMENTS(full)];
	struct rendered a, b, c = { 0 };

	memcpy(no_escalation, full, sizeof full);
	for (size_t i = 0; no_escalation[i]; i += 2)
		if (strcmp(no_escalation[i], "escalation") == 0)
			no_escalation[i + 1] = "";
	ok(t != NULL && strcmp(template_locale(t), locale) == 0, "%s: ack loads for its own locale", locale);
	if (t == NULL) {
		tap_diag("%s", error);
		g_free(error);
		return;
	}
	a = render(t, full);
	b = render(t, bare);
	c = render(t, no_escalation);
	ok(a.rc == 0 && b.rc == 0 && c.rc == 0, "%s: ack renders with sample values", locale);
	if (a.rc != 0 || b.rc != 0 || c.rc != 0) {
		tap_diag("%s / %s", a.error, b.error);
		goto out;
	}
	tap_diag("%s subject: %s", locale, a.subject);
	ok(g_str_has_prefix(a.subject, "[SUP-1042] ") && !strchr(a.subject, '\n'),
	   "%s: the subject starts with the ticket tag and is one line", locale);
	ok(strstr(a.subject, "Drucker brennt <sofort>") != NULL, "%s: the subject quotes the customer's", locale);
	ok(!g_str_has_suffix(b.subject, ":") && !g_str_has_suffix(b.subject, "\xef\xbc\x9a") &&
	   g_utf8_strlen(b.subject, -1) <= 60, "%s: without a customer subject: short, no dangling colon: %s",
	   locale, b.subject);
	ok(strstr(a.text, s->promise) && strstr(b.text, s->promise), "%s: text states the promise", locale);
	ok(strstr(a.text, s->relative) && !strstr(b.text, s->relative), "%s: relative promise only when given",
	   locale);
	ok(strstr(a.text, "SUP-1042") && strstr(a.text, "[SUP-1042]"),
	   "%s: text gives the ticket and the tag to keep in replies", locale);
	is_int(count_of(a.text, REFERENCE), 1, "%s: the reference appears once in the text", locale);
	ok(strcmp(locale, "pl") == 0 ? strstr(a.text, "Zoë") == NULL : strstr(a.text, "Zoë O'Brien & Co") != NULL,
	   "%s: greeting %s the customer's name", locale, strcmp(locale, "pl") == 0 ? "without" : "with");
	ok(g_str_has_prefix(a.text, c.text) == false && g_utf8_strlen(a.text, -1) > g_utf8_strlen(c.text, -1) + 20 &&
	   a.html && c.html && g_utf8_strlen(a.html, -1) > g_utf8_strlen(c.html, -1) + 20,
	   "%s: the senior-team-lead sentence comes and goes with escalation", locale);
	ok(strstr(a.text, "Example Support") != NULL, "%s: signed by the queue", locale);
	ok(!strstr(a.text, "{{") && !strstr(b.text, "{{") && !strstr(b.text, "\n\n\n") && b.text[0] != '\n',
	   "%s: no leftover syntax or stray blank lines", locale);
	ok(a.html != NULL && b.html != NULL, "%s: ack has an HTML part", locale);
	if (a.html == NULL || b.html == NULL)
		goto out;
	lang_attr = g_strdup_printf("<html lang=\"%s\"", locale);
	ok(strstr(a.html, lang_attr) != NULL, "%s: html has lang=\"%s\"", locale, locale);
	g_free(lang_attr);
	ok(strcmp(locale, "ar") == 0 ? strstr(a.html, "dir=\"rtl\"") != NULL : strstr(a.html, "rtl") == NULL,
	   "%s: html direction %s", locale, strcmp(locale, "ar") == 0 ? "rtl" : "ltr");
	ok(strstr(a.html, s->promise) && strstr(b.html, s->promise), "%s: html states the promise", locale);
	is_int(count_of(a.html, REFERENCE), 1, "%s: the reference appears once in the html", locale);
	ok(strcmp(locale, "pl") == 0 || strstr(a.html, "Zoë O&#39;Brien &amp; Co"),
	   "%s: html escapes the customer's name", locale);
	ok(!strstr(a.html, "{{") && g_str_has_suffix(a.html, "</html>\n"), "%s: html is complete", locale);
out:
	rendered_free(&a);
	rendered_free(&b);
	rendered_free(&c);
	template_free(t);
}

static void test_shipped_reopened(const char *shipped, const char *locale)
{
	const struct sample *s = sample_for(locale);
	struct template *t = template_load(shipped, "support", locale, "en", "reopened", NULL);
	char *const with[] = {
		"ticket", "SUP-1042", "customer_name", "Ana", "queue_name", "Example Support",
		"promise", (char *)s->promise, "promise_relative", "", "reference", REFERENCE, NULL,
	};
	char *const without[] = {
		"ticket", "SUP-1042", "customer_name", "", "queue_name", "Example Support",
		"promise", "", "promise_relative", "", "reference", REFERENCE, NULL,
	};
	struct rendered a = { 0 }, b = { 0 };

	ok(t != NULL && strcmp(template_locale(t), locale) == 0, "%s: reopened loads for its own locale", locale);
	if (t == NULL)
		return;
	a = render(t, with);
	b = render(t, without);
	ok(a.rc == 0 && b.rc == 0 && g_str_has_prefix(a.subject, "[SUP-1042] "),
	   "%s: reopened renders, subject tagged: %s", locale, a.subject);
	ok(a.rc == 0 && strstr(a.text, "SUP-1042") && strstr(a.text, s->promise) && a.html == NULL,
	   "%s: reopened names the ticket and the promise, text only", locale);
	ok(b.rc == 0 && !strstr(b.text, "\n\n\n") && count_of(b.text, REFERENCE) == 1,
	   "%s: reopened without a promise leaves no gap", locale);
	rendered_free(&a);
	rendered_free(&b);
	template_free(t);
}

/* What the customer sees, for the log of the test run. */
static void show_sample(const char *shipped, const char *locale)
{
	const struct sample *s = sample_for(locale);
	struct template *t = template_load(shipped, "support", locale, "en", "ack", NULL);
	char *const vars[] = {
		"ticket", "SUP-1042", "subject", "Printer on fire", "customer_name", "", "queue_name", "Example Support",
		"promise", (char *)s->promise, "promise_relative", (char *)s->relative, "agent_name", "",
		"reference", REFERENCE, "escalation", "yes", "status", "new", "csat_links", "", "returning", "", NULL,
	};
	struct rendered r;

	if (t == NULL)
		return;
	r = render(t, vars);
	if (r.rc == 0) {
		char **lines = g_strsplit(r.text, "\n", -1);
		tap_diag("---- %s ----", locale);
		tap_diag("Subject: %s", r.subject);
		for (char **l = lines; *l && l[1]; l++)
			tap_diag("%s", *l);
		g_strfreev(lines);
	}
	rendered_free(&r);
	template_free(t);
}

/* ---- resolved, csat-thanks, agent-notice ---------------------------- */

/* The mailto: link for score n, shaped like the engine's: "&" in it must
 * become "&amp;" inside href.  Its token is not REFERENCE, which is
 * counted on its own. */
static char *csat_url(int n)
{
	return g_strdup_printf("mailto:support+csat-%d-sup-1042-9xk2mq7wb4@example.com"
			       "?subject=%%5BSUP-1042%%5D%%20%d&body=%d", n, n, n);
}

/* The line of text holding needle, or NULL (g_free). */
static char *line_with(const char *text, const char *needle)
{
	const char *hit = strstr(text, needle), *start, *end;

	if (hit == NULL)
		return NULL;
	for (start = hit; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(hit, '\n');
	return g_strndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* Every shipped template of one name: the placeholders below are all the
 * engine has to give (rendering fails when a used one has no value), so
 * each locale is rendered with exactly these. */
static void test_shipped_resolved(const char *shipped, const char *locale)
{
	char *error = NULL, *url[6] = { NULL }, *href[6] = { NULL }, *lang_attr;
	struct template *t = template_load(shipped, "support", locale, "en", "resolved", &error);
	struct rendered a = { 0 }, b = { 0 };
	bool is_pl = strcmp(locale, "pl") == 0, is_ar = strcmp(locale, "ar") == 0;

	for (int n = 1; n <= 5; n++) {
		char **parts, *escaped;
		url[n] = csat_url(n);
		parts = g_strsplit(url[n], "&", -1);
		escaped = g_strjoinv("&amp;", parts);
		href[n] = g_strdup_printf("href=\"%s\"", escaped);
		g_strfreev(parts);
		g_free(escaped);
	}
	ok(t != NULL && strcmp(template_locale(t), locale) == 0, "%s: resolved loads for its own locale", locale);
	if (t == NULL) {
		tap_diag("%s", error);
		g_free(error);
		goto out;
	}
	{
		char *const full[] = {
			"ticket", "SUP-1042", "subject", "Drucker brennt <sofort>", "customer_name", "Zoë O'Brien & Co",
			"queue_name", "Example Support", "agent_name", "Ana Lima", "reference", REFERENCE,
			"csat_1", url[1], "csat_2", url[2], "csat_3", url[3], "csat_4", url[4], "csat_5", url[5], NULL,
		};
		char *const bare[] = {
			"ticket", "SUP-1042", "subject", "", "customer_name", "", "queue_name", "Example Support",
			"agent_name", "", "reference", REFERENCE,
			"csat_1", url[1], "csat_2", url[2], "csat_3", url[3], "csat_4", url[4], "csat_5", url[5], NULL,
		};
		a = render(t, full);
		b = render(t, bare);
	}
	ok(a.rc == 0 && b.rc == 0, "%s: resolved renders with ticket, subject, customer_name, queue_name, agent_name, "
	   "reference, csat_1..5", locale);
	if (a.rc != 0 || b.rc != 0) {
		tap_diag("%s / %s", a.error, b.error);
		goto out;
	}
	tap_diag("%s resolved subject: %s", locale, a.subject);
	ok(g_str_has_prefix(a.subject, "[SUP-1042] ") && !strchr(a.subject, '\n') && g_utf8_strlen(a.subject, -1) <= 80,
	   "%s: resolved subject starts with the ticket tag, one line, at most 80 characters", locale);
	{
		bool each_once = true, labelled = true, ordered = true;
		const char *last = a.text;
		for (int n = 5; n >= 1; n--) {
			char *line = line_with(a.text, url[n]), digit[2] = { (char)('0' + n), '\0' };
			const char *at = strstr(a.text, url[n]);
			each_once = each_once && count_of(a.text, url[n]) == 1 && count_of(b.text, url[n]) == 1;
			labelled = labelled && line && g_str_has_prefix(line, digit) && g_str_has_suffix(line, url[n]) &&
				   g_utf8_strlen(line, -1) > (glong)strlen(url[n]) + 3;
			ordered = ordered && at && at >= last;
			last = at ? at : last;
			g_free(line);
		}
		ok(each_once, "%s: text has each of the five links once", locale);
		ok(labelled, "%s: each link on its own line, \"N <label>: <link>\"", locale);
		ok(ordered, "%s: text lists 5 (best) first, down to 1", locale);
	}
	ok(strstr(a.text, "SUP-1042") && strstr(a.text, "Drucker brennt <sofort>") && strstr(a.text, "Ana Lima") &&
	   strstr(a.text, "Example Support"), "%s: text names the ticket, its subject, the agent and the queue", locale);
	ok(!strstr(b.text, "Ana Lima") && !strstr(b.text, "Drucker") && g_utf8_strlen(a.text, -1) >
	   g_utf8_strlen(b.text, -1) + 20, "%s: subject and agent sentences go when blank", locale);
	ok(is_pl ? strstr(a.text, "Zoë") == NULL : strstr(a.text, "Zoë O'Brien & Co") != NULL,
	   "%s: greeting %s the customer's name", locale, is_pl ? "without" : "with");
	is_int(count_of(a.text, REFERENCE), 1, "%s: the reference appears once in the text", locale);
	ok(!strstr(a.text, "{{") && !strstr(b.text, "{{") && !strstr(a.text, "\n\n\n") && !strstr(b.text, "\n\n\n") &&
	   b.text[0] != '\n' && !strstr(b.text, "()") && !strstr(b.text, "\xef\xbc\x88\xef\xbc\x89"),
	   "%s: no leftover syntax, stray blank lines or empty brackets", locale);

	ok(a.html != NULL && b.html != NULL, "%s: resolved has an HTML part", locale);
	if (a.html == NULL || b.html == NULL)
		goto out;
	{
		bool each_once = true, raw_absent = true, ordered = true;
		const char *last = a.html;
		for (int n = 5; n >= 1; n--) {
			const char *at = strstr(a.html, href[n]);
			each_once = each_once && count_of(a.html, href[n]) == 1 && count_of(b.html, href[n]) == 1;
			raw_absent = raw_absent && strstr(a.html, url[n]) == NULL;
			ordered = ordered && at && at >= last;
			last = at ? at : last;
		}
		ok(each_once, "%s: html has each link once as an href", locale);
		ok(raw_absent, "%s: html hrefs are attribute-escaped (& as &amp;)", locale);
		ok(ordered, "%s: html lists 5 (best) first, as the text", locale);
		is_int(count_of(a.html, "<a href="), 5, "%s: html has exactly the five links", locale);
	}
	lang_attr = g_strdup_printf("<html lang=\"%s\"", locale);
	ok(strstr(a.html, lang_attr) != NULL, "%s: resolved html has lang=\"%s\"", locale, locale);
	g_free(lang_attr);
	ok(is_ar ? strstr(a.html, "<html lang=\"ar\" dir=\"rtl\">") && strstr(a.html, "<div dir=\"rtl\"")
		 : strstr(a.html, "rtl") == NULL,
	   "%s: resolved html direction %s", locale, is_ar ? "rtl" : "ltr");
	is_int(count_of(a.html, REFERENCE), 1, "%s: the reference appears once in the html", locale);
	ok(strstr(a.html, "Drucker brennt &lt;sofort&gt;") && (is_pl || strstr(a.html, "Zoë O&#39;Brien &amp; Co")),
	   "%s: html escapes the customer's subject and name", locale);
	ok(!strstr(a.html, "{{") && !strstr(b.html, "{{") && g_str_has_suffix(a.html, "</html>\n"),
	   "%s: resolved html is complete", locale);
out:
	for (int n = 1; n <= 5; n++) {
		g_free(url[n]);
		g_free(href[n]);
	}
	rendered_free(&a);
	rendered_free(&b);
	template_free(t);
}

static void test_shipped_csat_thanks(const char *shipped, const char *locale)
{
	struct template *t = template_load(shipped, "support", locale, "en", "csat-thanks", NULL);
	char *const rated[] = {
		"ticket", "SUP-1042", "customer_name", "Ana", "queue_name", "Example Support", "rating", "4",
		"reference", REFERENCE, NULL,
	};
	char *const unrated[] = {
		"ticket", "SUP-1042", "customer_name", "", "queue_name", "Example Support", "rating", "",
		"reference", REFERENCE, NULL,
	};
	struct rendered a = { 0 }, b = { 0 };

	ok(t != NULL && strcmp(template_locale(t), locale) == 0, "%s: csat-thanks loads for its own locale", locale);
	if (t == NULL)
		return;
	a = render(t, rated);
	b = render(t, unrated);
	ok(a.rc == 0 && b.rc == 0 && g_str_has_prefix(a.subject, "[SUP-1042] ") && a.html == NULL,
	   "%s: csat-thanks renders with ticket, customer_name, queue_name, rating, reference; text only: %s", locale,
	   a.subject);
	if (a.rc == 0 && b.rc == 0) {
		/* The only difference between the two is the rating (and the
		 * name, which holds no 4): so "4" appears exactly once more. */
		is_int(count_of(a.text, "4") - count_of(b.text, "4"), 1, "%s: the rating appears once", locale);
		ok(strstr(a.text, "SUP-1042") && strstr(a.text, "Example Support") && count_of(a.text, REFERENCE) == 1,
		   "%s: csat-thanks names the ticket, the queue, the reference once", locale);
		ok(!strstr(a.text, "{{") && !strstr(b.text, "\n\n\n") && b.text[0] != '\n',
		   "%s: csat-thanks has no leftover syntax or gap", locale);
	}
	rendered_free(&a);
	rendered_free(&b);
	template_free(t);
}

static const char *const valid_commands[] = {
	"#status new|open|pending|resolved|closed", "#priority low|normal|high|urgent", "#assign ADDRESS", "#note",
	"#lang LOCALE", "#tz ZONE", "#tier vip|standard", "#merge TAG-NUMBER", "#cc ADDRESS", "#cc -ADDRESS",
};

/* Lines an agent might get wrong, with syntax and markup that must stay
 * as written. */
#define UNKNOWN_LINES \
	"#stauts resolved\n#priority sky-high\n{{ticket}} {{#subject}}x{{/subject}}\n<script>alert(1)</script>"

static void test_shipped_agent_notice(const char *shipped, const char *locale)
{
	struct template *t = template_load(shipped, "support", locale, "en", "agent-notice", NULL);
	char *const vars[] = {
		"ticket", "SUP-1042", "subject", "Printer on fire", "agent_name", "Ana Lima", "applied", "",
		"queue_name", "Example Support", "unknown_commands", UNKNOWN_LINES, "commands_only", "", "note_unsent", "", NULL,
	};
	char *const bare[] = {
		"ticket", "SUP-1042", "subject", "", "agent_name", "", "queue_name", "Example Support",
		"unknown_commands", "#x", "applied", "", "commands_only", "", "note_unsent", "", NULL,
	};
	struct rendered a = { 0 }, b = { 0 };
	bool all = true;

	ok(t != NULL && strcmp(template_locale(t), locale) == 0, "%s: agent-notice loads for its own locale", locale);
	if (t == NULL)
		return;
	a = render(t, vars);
	b = render(t, bare);
	ok(a.rc == 0 && b.rc == 0 && g_str_has_prefix(a.subject, "[SUP-1042] ") && a.html == NULL,
	   "%s: agent-notice renders with ticket, subject, agent_name, queue_name, unknown_commands; text only: %s",
	   locale, a.subject);
	if (a.rc != 0 || b.rc != 0)
		goto out;
	ok(strstr(a.text, "\n" UNKNOWN_LINES "\n") != NULL, "%s: the unknown lines verbatim, on lines of their own",
	   locale);
	is_int(count_of(a.text, "SUP-1042"), 1, "%s: a {{ticket}} in the unknown lines is not expanded", locale);
	for (size_t i = 0; i < G_N_ELEMENTS(valid_commands); i++) {
		char *line = g_strdup_printf("\n%s\n", valid_commands[i]);
		all = all && strstr(a.text, line) != NULL;
		g_free(line);
	}
	ok(all, "%s: agent-notice lists every valid command on a line of its own", locale);
	ok(strstr(a.text, "[SUP-1042]") && !strstr(b.text, "{{") && !strstr(b.text, "\n\n\n") && b.text[0] != '\n',
	   "%s: agent-notice names [ticket] and leaves no gap without agent or subject", locale);
out:
	rendered_free(&a);
	rendered_free(&b);
	template_free(t);
}

/* Subject and text of one rendered notice, for the log of the test run. */
static void show_notice(const char *shipped, const char *locale, const char *name)
{
	struct template *t = template_load(shipped, "support", locale, "en", name, NULL);
	char *url[6] = { NULL };
	struct rendered r;

	if (t == NULL)
		return;
	for (int n = 1; n <= 5; n++)
		url[n] = csat_url(n);
	{
		char *const vars[] = {
			"ticket", "SUP-1042", "subject", "Printer on fire", "customer_name", "", "queue_name",
			"Example Support", "agent_name", "Ana Lima", "reference", REFERENCE, "rating", "4", "commands_only", "",
			"unknown_commands", "#stauts resolved\n#priority sky-high", "applied", "#status pending", "note_unsent", "",
			"csat_1", url[1], "csat_2", url[2], "csat_3", url[3], "csat_4", url[4], "csat_5", url[5], NULL,
		};
		r = render(t, vars);
	}
	if (r.rc == 0) {
		char **lines = g_strsplit(r.text, "\n", -1);
		tap_diag("---- %s %s ----", locale, name);
		tap_diag("Subject: %s", r.subject);
		for (char **l = lines; *l && l[1]; l++)
			tap_diag("%s", *l);
		g_strfreev(lines);
	}
	for (int n = 1; n <= 5; n++)
		g_free(url[n]);
	rendered_free(&r);
	template_free(t);
}

/* ---- one template, many threads ----------------------------------- */

struct shared_render {
	const struct template *t;
	const char *expected;
	int mismatches;
};

static gpointer render_many(gpointer data)
{
	struct shared_render *job = data;
	char *const vars[] = {
		"ticket", "SUP-9", "subject", "s", "customer_name", "Ana", "queue_name", "Q", "promise", "soon",
		"promise_relative", "", "agent_name", "", "reference", REFERENCE, "escalation", "yes",
		"status", "new", "csat_links", "", "returning", "", NULL,
	};

	for (int i = 0; i < 200; i++) {
		char *text = NULL;
		if (template_render(job->t, vars, NULL, &text, NULL, NULL) != 0 || strcmp(text, job->expected) != 0)
			job->mismatches++;
		g_free(text);
	}
	return NULL;
}

static void test_threads(const char *shipped)
{
	struct template *t = template_load(shipped, NULL, "ja", "en", "ack", NULL);
	struct shared_render jobs[4];
	GThread *threads[4];
	char *expected = NULL;
	int mismatches = 0;

	ok(t != NULL, "ja ack loads for the thread test");
	if (t == NULL)
		return;
	jobs[0] = (struct shared_render){ t, "", 0 };
	render_many(&jobs[0]);
	ok(jobs[0].mismatches == 200, "a wrong expectation is noticed (the comparison works)");
	{
		char *const vars[] = {
			"ticket", "SUP-9", "subject", "s", "customer_name", "Ana", "queue_name", "Q", "promise", "soon",
			"promise_relative", "", "agent_name", "", "reference", REFERENCE, "escalation", "yes",
			"status", "new", "csat_links", "", "returning", "", NULL,
		};
		template_render(t, vars, NULL, &expected, NULL, NULL);
	}
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct shared_render){ t, expected, 0 };
		threads[i] = g_thread_new("render", render_many, &jobs[i]);
	}
	for (int i = 0; i < 4; i++) {
		g_thread_join(threads[i]);
		mismatches += jobs[i].mismatches;
	}
	is_int(mismatches, 0, "one loaded template renders the same in four threads at once");
	g_free(expected);
	template_free(t);
}

int main(void)
{
	char *shipped = fixture_srcpath("templates");
	char *dir = g_dir_make_tmp("tm-template-XXXXXX", NULL);

	test_placeholders();
	test_format_errors(dir);
	test_header_errors(dir);
	test_crlf_bom(dir);
	test_sections(dir);
	test_missing_values(dir);
	test_injection(dir);
	test_notice_values_literal(dir);
	test_fallback_and_overrides(dir);
	test_check_dir_layout(dir);

	test_shipped_check(shipped);
	for (size_t i = 0; i < G_N_ELEMENTS(shipped_locales); i++) {
		test_shipped_ack(shipped, shipped_locales[i]);
		test_shipped_reopened(shipped, shipped_locales[i]);
		test_shipped_resolved(shipped, shipped_locales[i]);
		test_shipped_csat_thanks(shipped, shipped_locales[i]);
		test_shipped_agent_notice(shipped, shipped_locales[i]);
	}
	ok(sample_for("en") && G_N_ELEMENTS(samples) == G_N_ELEMENTS(shipped_locales), "a sample for every locale");
	test_threads(shipped);
	for (size_t i = 0; i < G_N_ELEMENTS(shipped_locales); i++)
		show_sample(shipped, shipped_locales[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(shipped_locales); i++)
		show_notice(shipped, shipped_locales[i], "resolved");
	show_notice(shipped, "en", "csat-thanks");
	show_notice(shipped, "en", "agent-notice");

	scratch_remove(dir);
	g_free(dir);
	g_free(shipped);
	return tap_done();
}
