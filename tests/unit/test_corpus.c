/* test_corpus.c - every message of ../shared/corpus through the parser and
 * the engine: no crash, no leak (under the sanitizers), every message
 * recorded, and a summary.  Skips, saying so, when the corpus is absent. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine.h"

#include <glib.h>
#include <stdlib.h>

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

static void collect(const char *dir, GPtrArray *out)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d))) {
		char *path = g_build_filename(dir, name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			collect(path, out), g_free(path);
		else if (is_message_file(name))
			g_ptr_array_add(out, path);
		else
			g_free(path);
	}
	g_dir_close(d);
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	const char *corpus_env = getenv("TM_CORPUS");
	char *corpus = corpus_env ? g_strdup(corpus_env) : fixture_srcpath("../shared/corpus");
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	struct fixture f;
	unsigned parsed = 0, recorded = 0, redelivered = 0, failed = 0, warnings = 0, with_text = 0, new_tickets = 0;
	char *rcpts[] = { "support@example.com", NULL };

	if (!g_file_test(corpus, G_FILE_TEST_IS_DIR)) {
		char *reason = g_strdup_printf("corpus not found at %s (set TM_CORPUS); corpus test skipped", corpus);
		tap_skip_all(reason);
		g_free(reason);
		g_free(corpus);
		return 0;
	}
	collect(corpus, files);
	g_ptr_array_sort(files, by_name);
	fixture_setup(&f, NULL);
	for (guint i = 0; i < files->len; i++) {
		char *raw = NULL, *error = NULL, *token = NULL;
		gsize len = 0;
		struct message *m;
		struct engine_result res;
		struct envelope env = { .sender = "sender@example.org", .recipients = rcpts, .queue_id = "CORPUS", .now = 1000 + i };
		const struct queue *q = engine_queue_for(f.settings, rcpts, &token);

		if (!g_file_get_contents(g_ptr_array_index(files, i), &raw, &len, NULL))
			continue;
		m = message_parse(raw, len, f.settings->excerpt_bytes);
		parsed++;
		warnings += m->warnings ? 1 : 0;
		with_text += *m->text ? 1 : 0;
		if (!g_utf8_validate(m->text, -1, NULL) || !g_utf8_validate(m->subject, -1, NULL))
			ok(0, "text of %s is not valid UTF-8", (char *)g_ptr_array_index(files, i));
		if (engine_process(f.settings, f.store, q, token, m, &env, &res, &error) == 0) {
			if (res.outcome == ENGINE_DUPLICATE)
				redelivered++;
			else
				recorded++;
			new_tickets += res.new_ticket;
			engine_result_clear(&res);
		} else {
			failed++;
			tap_diag("%s: %s", (char *)g_ptr_array_index(files, i), error);
			g_free(error);
		}
		message_free(m);
		g_free(token);
		g_free(raw);
	}
	ok(parsed > 1000, "corpus read: %u messages", parsed);
	is_int(failed, 0, "the engine recorded every message without a store error");
	is_int(recorded + redelivered, parsed, "every message is recorded or recognised as a redelivery");
	ok(new_tickets <= recorded, "tickets (%u) never outnumber messages", new_tickets);
	ok(with_text > parsed / 2, "most messages yield a text excerpt (%u)", with_text);
	printf("# corpus summary: %u messages, %u recorded, %u redeliveries (same Message-ID and sender),"
	       " %u tickets, %u with parse warnings, %u with text\n",
	       parsed, recorded, redelivered, new_tickets, warnings, with_text);
	fixture_teardown(&f);
	g_ptr_array_free(files, TRUE);
	g_free(corpus);
	return tap_done();
}
