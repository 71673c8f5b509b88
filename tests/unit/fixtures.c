/*
 * fixtures.c - shared test set-up (see fixtures.h).
 * Room: tests.
 */
#include "config.h"
#include "fixtures.h"
#include "compose/assets.h"
#include "util/log.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *fixture_write(const struct fixture *f, const char *name, const char *text)
{
	char *path = g_build_filename(f->dir, name, NULL);

	if (!g_file_set_contents(path, text, -1, NULL)) {
		fprintf(stderr, "Bail out! cannot write %s\n", path);
		exit(1);
	}
	return path;
}

void fixture_setup(struct fixture *f, const char *extra)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *secret, *db, *conf, *templates, *error = NULL;

	memset(f, 0, sizeof *f);
	g_mime_init();
	log_open("test", false, false);
	f->dir = g_dir_make_tmp("tm-test-XXXXXX", NULL);
	secret = fixture_write(f, "secret", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
	chmod(secret, 0600);
	db = g_build_filename(f->dir, "tickets.db", NULL);
	templates = fixture_srcpath("templates");
	conf = g_strdup_printf(
		"[milter]\n"
		"socket = unix:%s/milter.sock\n"
		"database = %s\n"
		"secret-file = %s\n"
		"hostname = support.example.com\n"
		"templates = %s\n"
		"%s\n"
		"[queue support]\n"
		"name = Example Support\n"
		"addresses = support@example.com, help@example.com\n"
		"tag = SUP\n",
		f->dir, db, secret, templates, extra ? extra : "");
	f->config_path = fixture_write(f, "ticket-milter.conf", conf);
	f->settings = settings_load(f->config_path, SETTINGS_LOAD_SECRET, errors);
	if (f->settings == NULL) {
		for (guint i = 0; i < errors->len; i++)
			fprintf(stderr, "%s\n", (char *)g_ptr_array_index(errors, i));
		fprintf(stderr, "Bail out! fixture configuration does not load\n");
		exit(1);
	}
	f->store = store_open(db, 5000, &error);
	if (f->store == NULL) {
		fprintf(stderr, "Bail out! %s\n", error);
		exit(1);
	}
	g_free(conf);
	g_free(templates);
	g_free(db);
	g_free(secret);
	g_ptr_array_free(errors, TRUE);
}

static void remove_tree(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	if (d) {
		while ((name = g_dir_read_name(d))) {
			char *child = g_build_filename(path, name, NULL);
			remove_tree(child);
			g_free(child);
		}
		g_dir_close(d);
	}
	remove(path);
}

void fixture_teardown(struct fixture *f)
{
	store_close(f->store);
	assets_free(f->assets);
	settings_unref(f->settings);
	/* TM_KEEP=1 keeps the scratch directory for a post-mortem. */
	if (f->dir && g_strcmp0(getenv("TM_KEEP"), "1") != 0)
		remove_tree(f->dir);
	else if (f->dir)
		printf("# kept %s\n", f->dir);
	g_free(f->dir);
	g_free(f->config_path);
	g_mime_shutdown();
}

struct message *fixture_message(const char *text)
{
	return message_parse(text, strlen(text), 4096);
}

char *fixture_srcpath(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char *path = g_build_filename(top ? top : ".", rel, NULL);
	char *absolute = g_canonicalize_filename(path, NULL);

	g_free(path);
	return absolute;
}

GMimeMessage *fixture_mime_parse(const void *data, size_t len)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);

	g_object_unref(parser);
	g_object_unref(stream);
	return m;
}

/* Corpus folders also hold their projects' expected results and notes. */
static bool is_message_file(const char *name)
{
	static const char *const skip_suffixes[] = { ".json", ".xml", ".md", ".txt", ".pl", ".t", ".rb", ".go",
						     ".py", ".java", ".yml", ".yaml", ".pm", ".html", ".sh" };
	if (name[0] == '.' || g_str_has_prefix(name, "COPYING") || g_str_has_prefix(name, "LICENSE") ||
	    g_str_has_prefix(name, "README"))
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(skip_suffixes); i++)
		if (g_str_has_suffix(name, skip_suffixes[i]))
			return false;
	return true;
}

void fixture_collect_messages(const char *dir, GPtrArray *out)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d))) {
		char *path = g_build_filename(dir, name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			fixture_collect_messages(path, out), g_free(path);
		else if (is_message_file(name))
			g_ptr_array_add(out, path);
		else
			g_free(path);
	}
	g_dir_close(d);
}
