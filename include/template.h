/*
 * template.h - message templates: templates/<locale>/<name>.txt and
 * optionally <name>.html, overridable per queue as
 * templates/<queue>/<locale>/<name>.{txt,html}.
 *
 * A template starts with a header block ("Subject: ..." at least), a
 * blank line, then the body.  Placeholders are {{name}}; a section
 * {{#name}}...{{/name}} is kept only when name has a non-empty value.
 * Values are inserted literally and never scanned again, so customer
 * text can never act as template syntax; in the subject, line breaks in
 * values become spaces; in HTML, values are escaped.
 *
 * Loaded templates are immutable and may be shared between threads.
 * Returned strings are newly allocated (g_free).
 */
#ifndef TM_TEMPLATE_H
#define TM_TEMPLATE_H

#include <glib.h>

struct template;

/* The placeholders a template may use; anything else is an error found
 * by template_check (and so by `ticket-milter -n`). */
extern const char *const template_placeholders[];

/* Loads name for locale from dir, trying templates/<queue>/<locale>,
 * then <locale>, then the locale's language (pt-BR -> pt) in both, then
 * default_locale.  Returns NULL with *error (g_free) when nothing fits or
 * the template is malformed. */
struct template *template_load(const char *dir, const char *queue, const char *locale,
			       const char *default_locale, const char *name, char **error);
void template_free(struct template *t);
/* The locale the template was actually found for. */
const char *template_locale(const struct template *t);

/* Checks one file: header block, Subject, balanced sections, known
 * placeholders.  Appends "FILE:LINE: message" strings to errors. */
void template_check_file(const char *path, GPtrArray *errors);
/* Checks every template below dir (recursively). */
void template_check_dir(const char *dir, GPtrArray *errors);

/* vars: NULL-terminated array of name, value pairs.  Fills *subject (one
 * line), *text, and *html (NULL when the template has no .html part).
 * Returns 0, or -1 with *error when a placeholder has no value. */
int template_render(const struct template *t, char *const *vars, char **subject, char **text,
		    char **html, char **error);

#endif
