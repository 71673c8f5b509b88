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
 * characters, text and HTML have none but tab and line feed, all output
 * is valid UTF-8, a template that loads passes template_check_file()
 * (what `ticket-milter -n` runs), and a failed render leaves no output.
 */
#include "config.h"
#include "fuzz.h"
#include "template.h"

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

static void check_output(const char *what, const char *s, bool one_line)
{
	if (s == NULL)
		return;
	if (!g_utf8_validate(s, -1, NULL))
		fuzz_fail("%s is not valid UTF-8", what);
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		bool line_end = c == '\n' || c == 0x2028 || c == 0x2029 || c == 0x85;
		if (one_line && line_end)
			fuzz_fail("%s holds a line break: \"%s\"", what, s);
		if (!line_end && c != '\t' && g_unichar_iscntrl(c))
			fuzz_fail("%s holds control character U+%04X", what, c);
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
	const char *html = find(start, end, MARK_HTML);
	const char *values = find(html ? html : start, end, MARK_VALUES);
	const char *txt_end = html ? html : values ? values : end;
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *vars;
	struct template *t;
	char *error = NULL, *subject, *text, *html_out;

	fuzz_write_file(txt_path, start, (size_t)(txt_end - start));
	if (html) {
		html += strlen(MARK_HTML);
		fuzz_write_file(html_path, html, (size_t)((values ? values : end) - html));
	} else {
		g_remove(html_path);
	}
	if (values)
		values += strlen(MARK_VALUES);

	template_check_file(txt_path, errors);
	if (html)
		template_check_file(html_path, errors);
	t = template_load(fuzz_scratch_dir(), "support", "en-GB", "en", "ack", &error);
	if (t && errors->len)
		fuzz_fail("template loads although the check finds: %s", (char *)g_ptr_array_index(errors, 0));
	g_free(error);
	g_ptr_array_free(errors, TRUE);
	if (t == NULL)
		return 0;

	vars = make_vars(values, end);
	error = NULL;
	if (template_render(t, (char *const *)vars->pdata, &subject, &text, &html_out, &error) == 0) {
		check_output("subject", subject, true);
		check_output("text", text, false);
		check_output("html", html_out, false);
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
