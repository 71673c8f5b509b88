/*
 * template_dir.c - the template folder (see template.h for its layout):
 * finding the template for a queue and a locale, loading it, and
 * checking every file and folder in it for `ticket-milter -n`.
 * Room: compose.
 */
#include "config.h"
#include "compose/template.h"
#include "compose/template_internal.h"
#include "language/locale_tag.h"

#include <stdbool.h>
#include <string.h>

/* Queue overrides live in a folder no locale can be named like. */
#define TEMPLATE_QUEUES_DIR "queues"
/* Queue ids become folder names. */
#define TEMPLATE_MAX_QUEUE_ID 128
#define TEMPLATE_MAX_NAME 64

/* ---------------------------------------------------------------------
 * Names: template names, locales, queue ids
 */

/* Template names become file names: no dots, no slashes. */
static bool template_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > TEMPLATE_MAX_NAME || !(g_ascii_islower(name[0]) || g_ascii_isdigit(name[0])))
		return false;
	for (const char *p = name; *p; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

/* Queue ids come from "[queue ID]" and may hold spaces; they must still
 * name exactly one folder below queues/. */
static bool template_queue_valid(const char *queue)
{
	size_t len = strlen(queue);

	if (len == 0 || len > TEMPLATE_MAX_QUEUE_ID || queue[0] == '.' || !g_utf8_validate(queue, -1, NULL))
		return false;
	for (const char *p = queue; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return false;
	return true;
}

/* A folder name the loader would use as it is: "de", "pt-BR". */
static bool template_locale_folder_valid(const char *name)
{
	char *canonical = locale_tag_canonical(name);
	bool ok = canonical && strcmp(canonical, name) == 0;

	g_free(canonical);
	return ok;
}

/* ---------------------------------------------------------------------
 * Loading
 */

void template_free(struct template *t)
{
	if (t == NULL)
		return;
	template_part_clear(&t->subject);
	template_part_clear(&t->text);
	template_part_clear(&t->html);
	g_free(t->name);
	g_free(t->locale);
	g_free(t);
}

const char *template_locale(const struct template *t)
{
	return t->locale;
}

static char *template_join_errors(GPtrArray *errors)
{
	g_ptr_array_add(errors, NULL);
	return g_strjoinv("; ", (char **)errors->pdata);
}

/* Loads folder/name.txt and, when present, folder/name.html. */
static struct template *template_load_folder(const char *folder, const char *locale, const char *name,
					     char **error)
{
	struct template *t = g_new0(struct template, 1);
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *txt = g_strdup_printf("%s/%s.txt", folder, name);
	char *html = g_strdup_printf("%s/%s.html", folder, name);

	t->name = g_strdup(name);
	t->locale = g_strdup(locale);
	template_parse_file(txt, true, errors, &t->subject, &t->text, &t->used);
	if (g_file_test(html, G_FILE_TEST_IS_REGULAR)) {
		struct template_part unused = { 0 };
		t->has_html = true;
		template_parse_file(html, false, errors, &unused, &t->html, &t->used);
	}
	if (errors->len > 0) {
		if (error)
			*error = template_join_errors(errors);
		template_free(t);
		t = NULL;
	}
	g_ptr_array_free(errors, TRUE);
	g_free(txt);
	g_free(html);
	return t;
}

/* A queue id that could never be read as a locale or as queues/ may also
 * keep its overrides at <dir>/<queue>/<locale>/, beside the shared locale
 * folders (the layout the configuration contract names). */
static bool template_queue_beside_locales(const char *queue)
{
	char *canonical = locale_tag_canonical(queue);
	bool ok = canonical == NULL && strcmp(queue, TEMPLATE_QUEUES_DIR) != 0;

	g_free(canonical);
	return ok;
}

/* The folder to try for one locale: 0 the queue's override under
 * queues/, 1 the queue's override beside the locales, 2 the shared one. */
static char *template_folder(const char *dir, const char *queue, const char *locale, int where)
{
	if (where == 0)
		return g_build_filename(dir, TEMPLATE_QUEUES_DIR, queue, locale, NULL);
	if (where == 1)
		return template_queue_beside_locales(queue) ? g_build_filename(dir, queue, locale, NULL) : NULL;
	return g_build_filename(dir, locale, NULL);
}

struct template *template_load(const char *dir, const char *queue, const char *locale,
			       const char *default_locale, const char *name, char **error)
{
	const char *chain[3] = { NULL }, **end = chain;

	if (locale)
		*end++ = locale;
	if (default_locale)
		*end++ = default_locale;
	return template_load_chain(dir, queue, chain, name, error);
}

struct template *template_load_chain(const char *dir, const char *queue, const char *const *chain,
				     const char *name, char **error)
{
	GPtrArray *locales = g_ptr_array_new_with_free_func(g_free);
	GString *tried = g_string_new(NULL);
	struct template *t = NULL;
	bool found = false;

	if (error)
		*error = NULL;
	if (queue && *queue == '\0')
		queue = NULL;
	if (dir == NULL) {
		template_set_error(error, "no template folder configured");
		goto out;
	}
	if (!template_name_valid(name)) {
		template_set_error(error, "template name \"%s\": use a-z, 0-9, - and _", name ? name : "");
		goto out;
	}
	if (queue && !template_queue_valid(queue)) {
		template_set_error(error, "queue \"%s\" cannot name a template folder", queue);
		goto out;
	}
	for (const char *const *l = chain; *l; l++)
		locale_tag_add_chain(locales, *l);
	for (guint i = 0; i < locales->len && !found; i++) {
		for (int where = queue ? 0 : 2; where < 3 && !found; where++) {
			const char *tag = g_ptr_array_index(locales, i);
			char *folder = template_folder(dir, queue, tag, where);
			char *txt;

			if (folder == NULL)
				continue;
			txt = g_strdup_printf("%s/%s.txt", folder, name);

			if (g_file_test(txt, G_FILE_TEST_IS_REGULAR)) {
				found = true;
				t = template_load_folder(folder, tag, name, error);
			} else {
				g_string_append_printf(tried, "%s%s", tried->len ? ", " : "", txt);
			}
			g_free(txt);
			g_free(folder);
		}
	}
	if (!found)
		template_set_error(error, "no template \"%s\" for locale %s: tried %s", name, *chain ? *chain : "(none)",
				   tried->len ? tried->str : "no valid locale");
out:
	g_string_free(tried, TRUE);
	g_ptr_array_free(locales, TRUE);
	return t;
}

/* ---------------------------------------------------------------------
 * Checking
 */

void template_check_file(const char *path, GPtrArray *errors)
{
	struct template_part subject = { 0 }, body = { 0 };
	uint64_t used = 0;

	if (g_str_has_suffix(path, ".txt"))
		template_parse_file(path, true, errors, &subject, &body, &used);
	else if (g_str_has_suffix(path, ".html"))
		template_parse_file(path, false, errors, &subject, &body, &used);
	else
		template_problem(errors, path, 0, "not a template: the name must end in .txt or .html");
	template_part_clear(&subject);
	template_part_clear(&body);
}

static gint template_compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names in dir, sorted (for a stable report), hidden ones left out.
 * NULL after reporting when dir cannot be read. */
static GPtrArray *template_dir_entries(const char *dir, GPtrArray *errors)
{
	GError *gerr = NULL;
	GDir *d = g_dir_open(dir, 0, &gerr);
	GPtrArray *names;
	const char *name;

	if (d == NULL) {
		template_problem(errors, dir, 0, "cannot read the template folder: %s", gerr->message);
		g_error_free(gerr);
		return NULL;
	}
	names = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(d)) != NULL)
		if (name[0] != '.')
			g_ptr_array_add(names, g_strdup(name));
	g_dir_close(d);
	g_ptr_array_sort(names, template_compare_names);
	return names;
}

static bool template_is_template_file(const char *name)
{
	return g_str_has_suffix(name, ".txt") || g_str_has_suffix(name, ".html");
}

/* A locale folder: NAME.txt, optional NAME.html; other files are left
 * alone (notes, editor backups), folders are not expected. */
static void template_check_locale_dir(const char *dir, GPtrArray *errors)
{
	GPtrArray *names = template_dir_entries(dir, errors);

	for (guint i = 0; names && i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		char *path = g_build_filename(dir, name, NULL);
		char *stem = g_strndup(name, strcspn(name, "."));
		bool is_html = g_str_has_suffix(name, ".html");

		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			template_problem(errors, path, 0, "a locale folder holds templates (NAME.txt, NAME.html), not folders");
		} else if (template_is_template_file(name)) {
			if (!template_name_valid(stem) || strchr(name, '.') != strrchr(name, '.'))
				template_problem(errors, path, 0, "template names use a-z, 0-9, - and _");
			template_check_file(path, errors);
			if (is_html) {
				char *txt = g_strdup_printf("%s/%s.txt", dir, stem);
				if (!g_file_test(txt, G_FILE_TEST_IS_REGULAR))
					template_problem(errors, path, 0, "no %s.txt beside it: the subject and the text part "
							 "come from there", stem);
				g_free(txt);
			}
		}
		g_free(stem);
		g_free(path);
	}
	if (names)
		g_ptr_array_free(names, TRUE);
}

/* A folder the loader would not look in: say where it belongs. */
static void template_misplaced_folder(const char *path, const char *name, GPtrArray *errors)
{
	char *canonical = locale_tag_canonical(name);

	if (canonical)
		template_problem(errors, path, 0, "locale folders are named like %s", canonical);
	else
		template_problem(errors, path, 0, "not a locale folder (like de or pt-BR) nor a queue's override "
				 "folder; templates for [queue %s] go in " TEMPLATE_QUEUES_DIR "/%s/<locale>/", name, name);
	g_free(canonical);
}

/* One queue's override folder: it holds locale folders. */
static void template_check_queue_folder(const char *qpath, const char *queue, GPtrArray *errors)
{
	GPtrArray *locales = template_dir_entries(qpath, errors);

	if (!template_queue_valid(queue))
		template_problem(errors, qpath, 0, "not a usable queue id");
	for (guint j = 0; locales && j < locales->len; j++) {
		const char *locale = g_ptr_array_index(locales, j);
		char *lpath = g_build_filename(qpath, locale, NULL);

		if (!g_file_test(lpath, G_FILE_TEST_IS_DIR)) {
			if (template_is_template_file(locale))
				template_problem(errors, lpath, 0, "templates go in a locale folder: %s/<locale>/%s",
						 queue, locale);
		} else if (template_locale_folder_valid(locale)) {
			template_check_locale_dir(lpath, errors);
		} else {
			template_problem(errors, lpath, 0, "not a locale folder (like de or pt-BR)");
		}
		g_free(lpath);
	}
	if (locales)
		g_ptr_array_free(locales, TRUE);
}

/* queues/<queue>/<locale>/...: each queue folder holds locale folders. */
static void template_check_queues_dir(const char *dir, GPtrArray *errors)
{
	GPtrArray *queues = template_dir_entries(dir, errors);

	for (guint i = 0; queues && i < queues->len; i++) {
		const char *queue = g_ptr_array_index(queues, i);
		char *qpath = g_build_filename(dir, queue, NULL);

		if (g_file_test(qpath, G_FILE_TEST_IS_DIR))
			template_check_queue_folder(qpath, queue, errors);
		else if (template_is_template_file(queue))
			template_problem(errors, qpath, 0, "templates go in queues/<queue>/<locale>/");
		g_free(qpath);
	}
	if (queues)
		g_ptr_array_free(queues, TRUE);
}

void template_check_dir(const char *dir, GPtrArray *errors)
{
	GPtrArray *names = template_dir_entries(dir, errors);

	for (guint i = 0; names && i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		char *path = g_build_filename(dir, name, NULL);

		if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
			if (template_is_template_file(name))
				template_problem(errors, path, 0, "templates go in a locale folder, e.g. en/%s", name);
		} else if (strcmp(name, TEMPLATE_QUEUES_DIR) == 0) {
			template_check_queues_dir(path, errors);
		} else if (template_locale_folder_valid(name)) {
			template_check_locale_dir(path, errors);
		} else if (template_queue_beside_locales(name) && template_queue_valid(name)) {
			template_check_queue_folder(path, name, errors);
		} else {
			template_misplaced_folder(path, name, errors);
		}
		g_free(path);
	}
	if (names)
		g_ptr_array_free(names, TRUE);
}
