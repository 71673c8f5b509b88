/* test_locale_conf.c - what says how each locale is answered, read and
 * checked: [queue] locale-fallback and escalation-notice in the
 * configuration, and a locale's locale.conf (read by the daemon, never
 * through a symbolic link, and reported line by line by -n). */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "compose/assets.h"
#include "compose/locale_conf.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct fixture f;

/* The configuration keys: locale-fallback and escalation-notice.
 * The fixture's configuration with queue_lines added to its queue, whose
 * first line is *first (for "FILE:LINE"). */
static struct settings *load_with(const char *name, const char *queue_lines, GPtrArray *errors, int *first)
{
	char *base = NULL, *text, *path;
	struct settings *s;

	g_file_get_contents(f.config_path, &base, NULL, NULL);
	*first = 1;
	for (const char *c = base; *c; c++)
		*first += *c == '\n';
	text = g_strconcat(base, queue_lines, NULL);
	path = fixture_write(&f, name, text);
	s = settings_load(path, 0, errors);
	g_free(base);
	g_free(text);
	g_free(path);
	return s;
}

static bool has_error(GPtrArray *errors, const char *needle)
{
	for (guint i = 0; i < errors->len; i++)
		if (strstr(g_ptr_array_index(errors, i), needle))
			return true;
	for (guint i = 0; i < errors->len; i++)
		tap_diag("%s", (char *)g_ptr_array_index(errors, i));
	return false;
}

static void check_config_keys(void)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	int line;
	struct settings *s = load_with("keys.conf", "locales = en, sv, nb\nlocale-fallback = sv:en, nb : en\n"
				       "escalation-notice = no\n", errors, &line);
	const struct queue *q = s ? &s->queues[0] : NULL;
	char *at;

	ok(q && q->locale_fallback && g_strv_length(q->locale_fallback) == 4 &&
	   strcmp(assets_locale_fallback(q, "sv"), "en") == 0 && strcmp(assets_locale_fallback(q, "nb"), "en") == 0 &&
	   assets_locale_fallback(q, "en") == NULL && q->escalation_notice == ESCALATION_NOTICE_NO,
	   "locale-fallback = sv:en, nb : en and escalation-notice = no are read");
	settings_unref(s);
	s = load_with("default.conf", "", errors, &line);
	ok(s && s->queues[0].escalation_notice == ESCALATION_NOTICE_DEFAULT && s->queues[0].locale_fallback == NULL,
	   "without the keys: the culture decides, no mapping");
	settings_unref(s);
	s = load_with("yes.conf", "escalation-notice = yes\n", errors, &line);
	ok(s && s->queues[0].escalation_notice == ESCALATION_NOTICE_YES, "escalation-notice = yes");
	settings_unref(s);

	s = load_with("unoffered.conf", "locale-fallback = sv:en\n", errors, &line);
	at = g_strdup_printf("unoffered.conf:%d: locale-fallback maps sv, which is not one of the queue's locales", line);
	ok(s == NULL && has_error(errors, at), "a mapping of a locale the queue does not offer: at its line");
	g_free(at);
	g_ptr_array_set_size(errors, 0);
	s = load_with("malformed.conf", "locales = en, sv, nb\nlocale-fallback = sv, en:de:fr, nb:nb\n", errors, &line);
	at = g_strdup_printf("malformed.conf:%d: locale-fallback: ", line + 1);
	ok(s == NULL && errors->len == 3 && has_error(errors, at) && has_error(errors, "\"sv\": expected LOCALE:LOCALE") &&
	   has_error(errors, "\"en:de:fr\"") && has_error(errors, "\"nb:nb\""), "malformed mappings, each named, at the line");
	g_free(at);
	g_ptr_array_set_size(errors, 0);
	s = load_with("twice.conf", "locales = en, sv\nlocale-fallback = sv:en, sv:de\n", errors, &line);
	at = g_strdup_printf("twice.conf:%d: locale-fallback: \"sv:de\"", line + 1);
	ok(s == NULL && errors->len == 1 && has_error(errors, at), "a locale mapped twice: the second is named");
	g_free(at);
	g_ptr_array_set_size(errors, 0);
	s = load_with("maybe.conf", "escalation-notice = sometimes\n", errors, &line);
	at = g_strdup_printf("maybe.conf:%d: escalation-notice must be yes, no or default", line);
	ok(s == NULL && has_error(errors, at), "escalation-notice = sometimes: at its line");
	g_free(at);
	g_ptr_array_free(errors, TRUE);
}

/* locale.conf: what the daemon reads, what -n says about a broken one. */
static void check_locale_conf(void)
{
	char *dir = g_build_filename(f.dir, "conf-templates", NULL), *path, *error = NULL, *target;
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct locale_conf c;

	path = g_build_filename(dir, "xx", NULL);
	g_mkdir_with_parents(path, 0755);
	g_free(path);
	path = g_build_filename(dir, "xx", "locale.conf", NULL);
	g_file_set_contents(path, "# test\ndate-pattern = d MMMM y HH:mm z\n\nescalation-notice = yes\n", -1, NULL);
	ok(locale_conf_read(dir, "xx", &c, &error) == 0 && g_strcmp0(c.date_pattern, "d MMMM y HH:mm z") == 0 &&
	   c.date_pattern_hour_1 == NULL && c.escalation_notice, "locale.conf is read");
	locale_conf_clear(&c);
	ok(locale_conf_read(dir, "yy", &c, &error) == 0 && c.date_pattern == NULL && !c.escalation_notice,
	   "no locale.conf: ICU's pattern, no escalation");
	g_file_set_contents(path, "date-pattern = EEEE d MMMM\ncolour = blue\nescalation-notice = maybe\n"
			    "escalation-notice = yes\ndate-pattern-hour-1 = d MMMM y 'at' HH:mm z\n"
			    "just words\n", -1, NULL);
	ok(locale_conf_read(dir, "xx", &c, &error) == -1 && c.date_pattern == NULL && !c.escalation_notice &&
	   error && strstr(error, "colour"), "a broken locale.conf changes nothing: %s", error);
	g_free(error);
	error = NULL;
	locale_conf_check_dir(dir, errors);
	{
		char *at = g_strdup_printf("%s:", path);
		char *l1 = g_strconcat(at, "1: date-pattern does not show the year (y)", NULL);
		char *l1z = g_strconcat(at, "1: date-pattern does not show the zone (z)", NULL);
		char *l2 = g_strconcat(at, "2: unknown key \"colour\"", NULL);
		char *l3 = g_strconcat(at, "3: escalation-notice must be yes or no", NULL);
		char *l4 = g_strconcat(at, "4: escalation-notice is already set on line 3", NULL);
		char *l6 = g_strconcat(at, "6: expected \"key = value\"", NULL);
		ok(has_error(errors, l1) && has_error(errors, l1z) && has_error(errors, l2) && has_error(errors, l3) &&
		   has_error(errors, l4) && has_error(errors, l6), "-n names each problem of a locale.conf with its line");
		g_free(at);
		g_free(l1);
		g_free(l1z);
		g_free(l2);
		g_free(l3);
		g_free(l4);
		g_free(l6);
	}
	g_ptr_array_set_size(errors, 0);
	/* Not through a symbolic link: the daemon may read it as root. */
	target = g_build_filename(dir, "elsewhere.conf", NULL);
	g_file_set_contents(target, "escalation-notice = yes\n", -1, NULL);
	remove(path);
	ok(symlink(target, path) == 0 && locale_conf_read(dir, "xx", &c, &error) == -1 && !c.escalation_notice,
	   "a locale.conf that is a symbolic link is not followed: %s", error);
	locale_conf_check_dir(dir, errors);
	ok(errors->len == 1, "... and -n says so");
	g_free(error);
	g_free(target);
	g_free(path);
	g_free(dir);
	g_ptr_array_free(errors, TRUE);
}

int main(void)
{
	fixture_setup(&f, NULL);
	check_config_keys();
	check_locale_conf();
	fixture_teardown(&f);
	return tap_done();
}
