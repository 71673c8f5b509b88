/* test_corpus.c - every message of ../shared/corpus through the parser and
 * the engine: no crash, no leak (under the sanitizers), every message
 * recorded, and a summary; no robot of any class acknowledged and every
 * person answered (corpus_labels.h says which is which, by reading, not
 * by the rules under test).  Skips, saying so, when the corpus is absent.
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/engine.h"
#include "robots/autoreply.h"
#include "corpus_labels.h"

#include <glib.h>
#include <stdlib.h>

static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Ambiguous messages by the reason they are: how many, how many answered. */
static void count_ambiguous(GHashTable *by_note, const char *note, bool acked)
{
	unsigned *n = g_hash_table_lookup(by_note, note);

	if (n == NULL) {
		n = g_new0(unsigned, 2);
		g_hash_table_insert(by_note, (gpointer)note, n);
	}
	n[0]++;
	n[1] += acked;
}

static void print_ambiguous(GHashTable *by_note)
{
	GHashTableIter it;
	gpointer note, n;

	g_hash_table_iter_init(&it, by_note);
	while (g_hash_table_iter_next(&it, &note, &n))
		tap_diag("ambiguous: %u %s (%u acknowledged)", ((unsigned *)n)[0], (const char *)note,
			 ((unsigned *)n)[1]);
}

int main(void)
{
	const char *corpus_env = getenv("TM_CORPUS");
	char *corpus = corpus_env ? g_strdup(corpus_env) : fixture_srcpath("../shared/corpus");
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	struct fixture f;
	unsigned parsed = 0, recorded = 0, redelivered = 0, failed = 0, warnings = 0, with_text = 0, new_tickets = 0;
	unsigned seen[CORPUS_CLASSES] = { 0 }, answered[CORPUS_CLASSES] = { 0 };
	size_t prefix = strlen(corpus) + 1;
	GHashTable *ambiguous = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	char *rcpts[] = { "support@example.com", NULL };

	if (!g_file_test(corpus, G_FILE_TEST_IS_DIR)) {
		char *reason = g_strdup_printf("corpus not found at %s (set TM_CORPUS); corpus test skipped", corpus);
		tap_skip_all(reason);
		g_free(reason);
		g_free(corpus);
		return 0;
	}
	fixture_collect_messages(corpus, files);
	g_ptr_array_sort(files, by_name);
	fixture_setup(&f, NULL);
	for (guint i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i), *why, *note = NULL;
		char *raw = NULL, *error = NULL, *token = NULL;
		gsize len = 0;
		struct message *m;
		struct engine_result res;
		struct envelope env = { .sender = "sender@example.org", .recipients = rcpts, .queue_id = "CORPUS", .now = 1000 + i };
		const struct queue *q = engine_queue_for(f.settings, rcpts, &token);
		enum corpus_class cls;
		bool acked;

		if (!g_file_get_contents(path, &raw, &len, NULL))
			continue;
		m = message_parse(raw, len, f.settings->excerpt_bytes);
		parsed++;
		warnings += m->warnings ? 1 : 0;
		with_text += *m->text ? 1 : 0;
		if (!g_utf8_validate(m->text, -1, NULL) || !g_utf8_validate(m->subject, -1, NULL))
			ok(0, "text of %s is not valid UTF-8", path);
		/* The robot rules' answer whatever threading and rate limits
		 * decide after them, with an envelope that says nothing: the
		 * content must. */
		cls = corpus_class_of(path + prefix, m->content_type, &note);
		why = autoreply_forbidden(m, env.sender, f.settings);
		acked = why == NULL;
		if (engine_process(f.settings, f.assets, f.store, q, token, m, &env, &res, &error) == 0) {
			if (res.outcome == ENGINE_DUPLICATE)
				redelivered++;
			else
				recorded++;
			new_tickets += res.new_ticket;
			acked = acked || res.ack_queued;
			engine_result_clear(&res);
		} else {
			failed++;
			tap_diag("%s: %s", path, error);
			g_free(error);
		}
		seen[cls]++;
		answered[cls] += acked;
		if (acked && cls >= CORPUS_BOUNCE && cls < CORPUS_SPAM)
			tap_diag("acknowledged, %s: %s", corpus_class_name[cls], path + prefix);
		else if (!acked && cls == CORPUS_HUMAN)
			tap_diag("not acknowledged (%s): %s", why, path + prefix);
		else if (cls == CORPUS_AMBIGUOUS)
			count_ambiguous(ambiguous, note, acked);
		message_free(m);
		g_free(token);
		g_free(raw);
	}
	ok(parsed > 1000, "corpus read: %u messages", parsed);
	is_int(failed, 0, "the engine recorded every message without a store error");
	is_int(recorded + redelivered, parsed, "every message is recorded or recognised as a redelivery");
	ok(new_tickets <= recorded, "tickets (%u) never outnumber messages", new_tickets);
	ok(with_text > parsed / 2, "most messages yield a text excerpt (%u)", with_text);
	for (int c = CORPUS_BOUNCE; c < CORPUS_SPAM; c++)
		is_int(answered[c], 0, "corpus: none of the %u %s is acknowledged", seen[c], corpus_class_name[c]);
	is_int(answered[CORPUS_HUMAN], seen[CORPUS_HUMAN], "corpus: every person is acknowledged");
	ok(seen[CORPUS_BOUNCE] > 100 && seen[CORPUS_AUTOREPLY] >= 5 && seen[CORPUS_LIST] > 200,
	   "corpus: bounces, automatic replies and lists found where expected");
	printf("# robots summary: bounces %u/%u acknowledged, auto-replies %u/%u, lists %u/%u, reports %u/%u,"
	       " machine %u/%u; humans %u/%u acknowledged; set apart: spam %u, ambiguous %u (%u of them acknowledged)\n",
	       answered[CORPUS_BOUNCE], seen[CORPUS_BOUNCE], answered[CORPUS_AUTOREPLY], seen[CORPUS_AUTOREPLY],
	       answered[CORPUS_LIST], seen[CORPUS_LIST], answered[CORPUS_REPORT], seen[CORPUS_REPORT],
	       answered[CORPUS_MACHINE], seen[CORPUS_MACHINE], answered[CORPUS_HUMAN], seen[CORPUS_HUMAN],
	       seen[CORPUS_SPAM], seen[CORPUS_AMBIGUOUS], answered[CORPUS_AMBIGUOUS]);
	print_ambiguous(ambiguous);
	printf("# corpus summary: %u messages, %u recorded, %u redeliveries (same Message-ID and sender),"
	       " %u tickets, %u with parse warnings, %u with text\n",
	       parsed, recorded, redelivered, new_tickets, warnings, with_text);
	fixture_teardown(&f);
	g_hash_table_destroy(ambiguous);
	g_ptr_array_free(files, TRUE);
	g_free(corpus);
	return tap_done();
}
