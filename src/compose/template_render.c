/*
 * template_render.c - a loaded template rendered with its values (see
 * template.h): it walks each part's operations (template_internal.h) and
 * appends values through the escaper of the part; values are never
 * scanned for syntax, so customer text stays literal.
 * Room: compose.
 */
#include "config.h"
#include "compose/template.h"
#include "compose/template_internal.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum template_escape {
	TEMPLATE_ESCAPE_SUBJECT,	/* one header line */
	TEMPLATE_ESCAPE_TEXT,
	TEMPLATE_ESCAPE_HTML,
};

/* Line breaks of every kind, and everything else that is not text. */
static bool template_is_control(gunichar c)
{
	return g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029;
}

/* Subject: one line whatever the value holds. */
static void template_append_subject_char(GString *out, gunichar c)
{
	if (!template_is_control(c))
		g_string_append_unichar(out, c);
	else if (out->len == 0 || out->str[out->len - 1] != ' ')
		g_string_append_c(out, ' ');
}

/* Text: line breaks kept as "\n", tabs kept, other controls a space. */
static gunichar template_text_char(gunichar c, gunichar next, bool *skip)
{
	*skip = c == '\r' && next == '\n';
	if (c == '\r' || c == 0x2028 || c == 0x2029 || c == 0x85)
		return '\n';
	if (c == '\n' || c == '\t' || !g_unichar_iscntrl(c))
		return c;
	return ' ';
}

static void template_append_html_char(GString *out, gunichar c)
{
	switch (c) {
	case '&': g_string_append(out, "&amp;"); break;
	case '<': g_string_append(out, "&lt;"); break;
	case '>': g_string_append(out, "&gt;"); break;
	case '"': g_string_append(out, "&quot;"); break;
	case '\'': g_string_append(out, "&#39;"); break;
	default: g_string_append_unichar(out, c); break;
	}
}

static void template_append_value(GString *out, const char *value, enum template_escape escape)
{
	char *valid = g_utf8_make_valid(value, -1);

	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p), next = g_utf8_get_char(g_utf8_next_char(p));
		bool skip;

		if (escape == TEMPLATE_ESCAPE_SUBJECT) {
			template_append_subject_char(out, c);
			continue;
		}
		c = template_text_char(c, next, &skip);
		if (skip)
			continue;
		if (escape == TEMPLATE_ESCAPE_HTML)
			template_append_html_char(out, c);
		else
			g_string_append_unichar(out, c);
	}
	g_free(valid);
}

/* Blank (empty or white space only) values drop {{#name}} sections. */
static bool template_value_blank(const char *value)
{
	for (const char *p = value; *p; p++)
		if (!g_ascii_isspace(*p))
			return false;
	return true;
}

static void template_render_part(const struct template_part *part, const char *const *values,
				 enum template_escape escape, GString *out)
{
	for (size_t i = 0; i < part->n_ops; i++) {
		const struct template_op *op = &part->ops[i];

		switch (op->kind) {
		case TEMPLATE_OP_TEXT:
			g_string_append(out, op->text);
			break;
		case TEMPLATE_OP_VALUE:
			template_append_value(out, values[op->placeholder], escape);
			break;
		case TEMPLATE_OP_SECTION:
			if (template_value_blank(values[op->placeholder]) != op->inverted)
				i = op->end;	/* skip to the END; the loop steps past it */
			break;
		case TEMPLATE_OP_END:
			break;
		}
	}
}

/* Fills values[] from vars; false with *error when a pair is bad or a
 * placeholder the template uses has no value. */
static bool template_collect_values(const struct template *t, char *const *vars, const char **values,
				    char **error)
{
	for (size_t i = 0; vars && vars[i]; i += 2) {
		int index = template_placeholder_index(vars[i], strlen(vars[i]));

		if (index < 0) {
			template_set_error(error, "template %s: \"%s\" is not a placeholder", t->name, vars[i]);
			return false;
		}
		if (vars[i + 1] == NULL) {
			template_set_error(error, "template %s: %s has no value (pass \"\" for none)", t->name, vars[i]);
			return false;
		}
		if (values[index] == NULL)
			values[index] = vars[i + 1];
	}
	for (size_t i = 0; i < TEMPLATE_N_PLACEHOLDERS; i++)
		if ((t->used & (UINT64_C(1) << i)) && values[i] == NULL) {
			template_set_error(error, "template %s (%s) uses {{%s}}, which has no value", t->name, t->locale,
					   template_placeholders[i]);
			return false;
		}
	return true;
}

static char *template_render_to_string(const struct template_part *part, const char *const *values,
				       enum template_escape escape)
{
	GString *out = g_string_new(NULL);

	template_render_part(part, values, escape, out);
	return g_string_free(out, FALSE);
}

int template_render(const struct template *t, char *const *vars, char **subject, char **text, char **html,
		    char **error)
{
	const char *values[TEMPLATE_N_PLACEHOLDERS] = { NULL };

	if (subject)
		*subject = NULL;
	if (text)
		*text = NULL;
	if (html)
		*html = NULL;
	if (error)
		*error = NULL;
	if (!template_collect_values(t, vars, values, error))
		return -1;
	if (subject)
		*subject = g_strstrip(template_render_to_string(&t->subject, values, TEMPLATE_ESCAPE_SUBJECT));
	if (text)
		*text = template_render_to_string(&t->text, values, TEMPLATE_ESCAPE_TEXT);
	if (html && t->has_html)
		*html = template_render_to_string(&t->html, values, TEMPLATE_ESCAPE_HTML);
	return 0;
}
