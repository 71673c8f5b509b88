/*
 * fuzz_template.c - libFuzzer harness: the template loader, checker and
 * renderer (template.c), with fuzzed template text and fuzzed values.
 *
 * Input, split at marker lines:
 *
 *     <name>.txt contents
 *     %%html              optional: what follows is <name>.html
 *     ...
 *     %%values            optional: values for the placeholders, in the
 *     value of ticket     order of template_placeholders[], separated
 *     %%                  by "%%" lines; a value "%%missing" leaves that
 *     value of subject    placeholder out.  Without this block every
 *     ...                 placeholder gets a short fixed value, so that
 *                         a shipped template file is a seed as it is.
 *
 * The parts are written to <scratch>/en/ack.txt and ack.html and loaded
 * through template_load(), as the engine does.
 *
 * Checked promises (template.h): the subject is one line without control
 * characters, text and HTML have none but tab and line feed (nor, from
 * a value, Unicode line separators and C1 controls), all output is
 * valid UTF-8, a template loads exactly when template_check_file()
 * (what `ticket-milter -n` runs) passes, and a failed render leaves no
 * output.
 */
#include "config.h"
#include "fuzz.h"
#include "compose/template.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <string.h>

#define MARK_HTML "\n%%html\n"
#define MARK_VALUES "\n%%values\n"
#define MARK_VALUE "\n%%\n"

static char *folder, *txt_path, *html_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_libraries();
	folder = g_build_filename(fuzz_scratch_dir(), "en", NULL);
	g_mkdir(folder, 0700);
	txt_path = g_build_filename(folder, "ack.txt", NULL);
	html_path = g_build_filename(folder, "ack.html", NULL);
	return 0;
}

static const char *find(const char *p, const char *end, const char *mark)
{
	return memmem(p, (size_t)(end - p), mark, strlen(mark));
}

/* U+0085, U+2028, U+2029 and the C1 controls: line breaks and controls
 * beyond ASCII.  A template's own text may hold them (it is written by
 * the administrator); a value's never come through. */
static bool wide_control(gunichar c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029;
}

static bool has_wide_control(const char *s, const char *end)
{
	char *valid = g_utf8_make_valid(s, end - s);
	bool found = false;

	for (const char *p = valid; *p && !found; p = g_utf8_next_char(p))
		found = wide_control(g_utf8_get_char(p));
	g_free(valid);
	return found;
}

/* ASCII controls never (the template may not hold them, values lose
 * them); line feeds only in a body; wide ones only when the template's
 * own text has some. */
static void check_output(const char *what, const char *s, bool one_line, bool template_has_wide)
{
	if (s == NULL)
		return;
	if (!g_utf8_validate(s, -1, NULL))
		fuzz_fail("%s is not valid UTF-8", what);
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c == '\n' ? one_line : c < 0x20 ? c != '\t' : c == 0x7f)
			fuzz_fail("%s holds control character U+%04X: \"%s\"", what, c, s);
		if (wide_control(c) && !template_has_wide)
			fuzz_fail("%s holds U+%04X from a value: \"%s\"", what, c, s);
	}
}

/* vars for template_render(): from the values block, or fixed ones. */
static GPtrArray *make_vars(const char *values, const char *end)
{
	GPtrArray *vars = g_ptr_array_new_with_free_func(g_free);
	const char *p = values;

	for (size_t i = 0; template_placeholders[i]; i++) {
		char *value;

		if (values == NULL) {
			value = g_strdup_printf("v%zu", i);
		} else if (p == NULL) {
			value = g_strdup("");
		} else {
			const char *next = find(p, end, MARK_VALUE);
			value = g_strndup(p, (gsize)((next ? next : end) - p));
			p = next ? next + strlen(MARK_VALUE) : NULL;
		}
		if (strcmp(value, "%%missing") == 0) {
			g_free(value);
			continue;
		}
		g_ptr_array_add(vars, g_strdup(template_placeholders[i]));
		g_ptr_array_add(vars, value);
	}
	g_ptr_array_add(vars, NULL);
	return vars;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *start = (const char *)data, *end = start + size;
	const char *html_mark = find(start, end, MARK_HTML);
	const char *html = html_mark ? html_mark + strlen(MARK_HTML) : NULL;
	/* Searched after the html marker, which may share its "\n". */
	const char *values_mark = find(html ? html : start, end, MARK_VALUES);
	const char *txt_end = html_mark ? html_mark : values_mark ? values_mark : end;
	const char *html_end = values_mark ? values_mark : end;
	const char *values = values_mark ? values_mark + strlen(MARK_VALUES) : NULL;
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *vars;
	struct template *t;
	char *error = NULL, *subject, *text, *html_out;

	fuzz_write_file(txt_path, start, (size_t)(txt_end - start));
	if (html)
		fuzz_write_file(html_path, html, (size_t)(html_end - html));
	else
		g_remove(html_path);

	template_check_file(txt_path, errors);
	if (html)
		template_check_file(html_path, errors);
	t = template_load(fuzz_scratch_dir(), "support", "en-GB", "en", "ack", &error);
	if (t && errors->len)
		fuzz_fail("template loads although the check finds: %s", (char *)g_ptr_array_index(errors, 0));
	if (t == NULL && errors->len == 0)
		fuzz_fail("the check passes, but the template does not load: %s", error ? error : "");
	g_free(error);
	g_ptr_array_free(errors, TRUE);
	if (t == NULL)
		return 0;

	vars = make_vars(values, end);
	error = NULL;
	if (template_render(t, (char *const *)vars->pdata, &subject, &text, &html_out, &error) == 0) {
		bool txt_wide = has_wide_control(start, txt_end);
		check_output("subject", subject, true, txt_wide);
		check_output("text", text, false, txt_wide);
		check_output("html", html_out, false, html && has_wide_control(html, html_end));
		g_free(subject);
		g_free(text);
		g_free(html_out);
	} else if (subject || text || html_out || error == NULL) {
		fuzz_fail("a failed render left output behind or gave no reason");
	}
	g_free(error);
	g_ptr_array_free(vars, TRUE);
	template_free(t);
	return 0;
}
