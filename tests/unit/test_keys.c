/*
 * test_keys.c - the manual page and the example configuration know every
 * configuration key, and no key the program does not.
 *
 * The key table in settings_keys.c is the truth (settings_key_at()).  Each key
 * must be a tag of man/ticket-milter.conf.5 in its section (".TP" then
 * ".B key" or ".B key1\fR, \fBkey2"), and a line of conf/ticket-milter.conf
 * in its section, set ("key = value") or as a commented example
 * ("#key = value").  Both directions: a key documented but not in the
 * table would be refused as unknown by the daemon.  [sla NAME] keys also
 * stand with a priority prefix ("urgent.first-response", "urgent.remind").
 * Room: tests.
 */
#include "config.h"
#include "config/settings.h"
#include "tap.h"
#include "fixtures.h"

#include <glib.h>
#include <string.h>

/* "queue support" -> "queue"; NULL for a section holding no keys. */
static const char *section_kind(const char *header)
{
	static const char *const kinds[] = { "milter", "outbox", "filter", "autoreply", "queue", "calendar", "sla",
					     "agent", "report" };

	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
		size_t n = strlen(kinds[i]);
		if (strncmp(header, kinds[i], n) == 0 && (header[n] == '\0' || header[n] == ' ' || header[n] == ']'))
			return kinds[i];
	}
	return NULL;
}

static char *key_id(const char *section, const char *name)
{
	return g_strconcat(section, " ", name, NULL);
}

/* "urgent.first-response" -> "first-response" in [sla NAME]. */
static const char *without_priority(const char *section, const char *name)
{
	const char *dot = strchr(name, '.');
	enum priority p;

	if (strcmp(section, "sla") == 0 && dot != NULL) {
		char *prefix = g_strndup(name, (gsize)(dot - name));
		bool known = ticket_priority_parse(prefix, &p);
		g_free(prefix);
		if (known)
			return dot + 1;
	}
	return name;
}

static void found(GHashTable *set, const char *section, const char *name)
{
	g_hash_table_add(set, key_id(section, without_priority(section, name)));
}

/* The keys of the man page: each tag line after .TP in a [section]. */
static GHashTable *man_keys(const char *text)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char **lines = g_strsplit(text, "\n", -1);
	const char *section = NULL;

	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, ".SH ")) {
			const char *h = *l + 4;
			section = NULL;
			if (*h == '[')
				section = section_kind(h + 1);
		} else if (section && strcmp(*l, ".TP") == 0 && l[1] && g_str_has_prefix(l[1], ".B ")) {
			char *tag = g_strdup(l[1] + 3);
			char **names;

			/* ".B a\fR, \fBb": the font changes go, the commas divide. */
			for (char *f; (f = strstr(tag, "\\f")) != NULL && f[2];)
				memmove(f, f + 3, strlen(f + 3) + 1);
			names = g_strsplit(tag, ",", -1);
			for (char **n = names; *n; n++)
				if (*g_strstrip(*n))
					found(set, section, *n);
			g_strfreev(names);
			g_free(tag);
		}
	}
	g_strfreev(lines);
	return set;
}

/* The keys of the example file: "key = ..." and "#key = ..." lines. */
static GHashTable *conf_keys(const char *text)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char **lines = g_strsplit(text, "\n", -1);
	const char *section = NULL;

	for (char **l = lines; *l; l++) {
		const char *p = *l;
		size_t n;

		/* "#[report managers]": an example section left off. */
		if (*p == '[' || (p[0] == '#' && p[1] == '[')) {
			char *end = strchr(p, ']');
			const char *open = strchr(p, '[');
			char *header = end ? g_strndup(open + 1, (gsize)(end - open - 1)) : g_strdup("");
			section = section_kind(header);
			g_free(header);
			continue;
		}
		if (*p == '#')
			p++;	/* a commented example, "#syslog = yes"; "# text" is prose */
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-.");
		if (section && n > 0 && p[strspn(p + n, " ") + n] == '=') {
			char *name = g_strndup(p, n);
			found(set, section, name);
			g_free(name);
		}
	}
	g_strfreev(lines);
	return set;
}

static char *read_source(const char *rel)
{
	char *path = fixture_srcpath(rel), *text = NULL;
	GError *error = NULL;

	if (!g_file_get_contents(path, &text, NULL, &error)) {
		ok(0, "read %s: %s", path, error->message);
		g_error_free(error);
	}
	g_free(path);
	return text;
}

/* Each key of documented is in the table: nothing stale. */
static void check_known(GHashTable *documented, GHashTable *table, const char *where)
{
	GList *keys = g_list_sort(g_hash_table_get_keys(documented), (GCompareFunc)strcmp);
	int stale = 0;

	for (GList *k = keys; k; k = k->next)
		if (!g_hash_table_contains(table, k->data)) {
			ok(0, "%s names [%s], which the key table does not have", where, (char *)k->data);
			stale++;
		}
	ok(stale == 0, "every key %s names is in the key table (%u keys)", where, g_hash_table_size(documented));
	g_list_free(keys);
}

/* [sla NAME]'s keys are read outside load_section(): the loader must
 * take each one the table lists, plain and with a priority. */
static void check_sla_keys_load(void)
{
	const char *section, *name;
	struct fixture f;
	char *base = NULL;

	fixture_setup(&f, NULL);
	g_file_get_contents(f.config_path, &base, NULL, NULL);
	for (size_t i = 0; settings_key_at(i, &section, &name); i++) {
		GPtrArray *errors;
		struct settings *s;
		char *text, *path;

		if (strcmp(section, "sla") != 0)
			continue;
		/* Durations, and for the remind keys levels. */
		bool levels = g_str_has_prefix(name, "remind");
		text = g_strdup_printf("%s\n[sla t]\n%s%s = %s\nurgent.%s = %s\n", base ? base : "",
				       strcmp(name, "first-response") ? "first-response = 8h\n" : "", name,
				       levels ? "75%: assignee" : "4h", name, levels ? "50%: assignee" : "1h");
		path = fixture_write(&f, "sla.conf", text);
		errors = g_ptr_array_new_with_free_func(g_free);
		s = settings_load(path, 0, errors);
		ok(s != NULL && errors->len == 0, "[sla NAME] takes %s and urgent.%s%s%s", name, name,
		   errors->len ? ": " : "", errors->len ? (char *)g_ptr_array_index(errors, 0) : "");
		settings_unref(s);
		g_ptr_array_free(errors, TRUE);
		g_free(path);
		g_free(text);
	}
	g_free(base);
	fixture_teardown(&f);
}

int main(void)
{
	GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char *man_text = read_source("man/ticket-milter.conf.5");
	char *conf_text = read_source("conf/ticket-milter.conf");
	GHashTable *man, *conf;
	const char *section, *name;
	size_t n = 0;

	for (size_t i = 0; settings_key_at(i, &section, &name); i++, n++)
		g_hash_table_add(table, key_id(section, name));
	is_int(n, settings_key_count(), "settings_key_at() walks settings_key_count() keys");
	ok(!settings_key_at(n, &section, &name), "and no further");
	ok(g_hash_table_contains(table, "milter socket") && g_hash_table_contains(table, "sla first-response") &&
	   g_hash_table_contains(table, "calendar hours"), "the table has [milter], [sla NAME] and [calendar NAME] keys");
	if (man_text == NULL || conf_text == NULL) {
		g_free(man_text);
		g_free(conf_text);
		g_hash_table_destroy(table);
		return tap_done();
	}

	man = man_keys(man_text);
	conf = conf_keys(conf_text);
	{
		GList *keys = g_list_sort(g_hash_table_get_keys(table), (GCompareFunc)strcmp);
		int missing_man = 0, missing_conf = 0;

		for (GList *k = keys; k; k = k->next) {
			if (!g_hash_table_contains(man, k->data)) {
				ok(0, "ticket-milter.conf(5) documents [%s]", (char *)k->data);
				missing_man++;
			}
			if (!g_hash_table_contains(conf, k->data)) {
				ok(0, "conf/ticket-milter.conf shows [%s], set or as a #key = example", (char *)k->data);
				missing_conf++;
			}
		}
		ok(missing_man == 0, "ticket-milter.conf(5) documents all %zu keys", n);
		ok(missing_conf == 0, "conf/ticket-milter.conf shows all %zu keys", n);
		g_list_free(keys);
	}
	check_known(man, table, "ticket-milter.conf(5)");
	check_known(conf, table, "conf/ticket-milter.conf");
	check_sla_keys_load();

	g_hash_table_destroy(man);
	g_hash_table_destroy(conf);
	g_hash_table_destroy(table);
	g_free(man_text);
	g_free(conf_text);
	return tap_done();
}
