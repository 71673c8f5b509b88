/* test_list_month.c - threading on real list traffic: the notmuch
 * project's corpora of its own mailing list and of linux-kernel threads
 * (../shared/corpus/notmuch-notmuch), sent in date order to the support
 * queue as if the list were its customers.  Every reply whose sender is
 * a participant of its thread's ticket (the ticket the first message of
 * its conversation, by date, went to) must join that ticket, whoever
 * wrote the message it answers.  Skips, saying so, when the corpus is absent.
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/engine.h"

#include <glib.h>
#include <stdlib.h>

struct mail {
	struct message *msg;
	char *path;
};

static gint by_date(gconstpointer a, gconstpointer b)
{
	const struct mail *x = *(struct mail *const *)a, *y = *(struct mail *const *)b;

	if (x->msg->date != y->msg->date)
		return x->msg->date < y->msg->date ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void mail_free(gpointer p)
{
	struct mail *m = p;

	message_free(m->msg);
	g_free(m->path);
	g_free(m);
}

/* Threads as the reference graph joins them (a union-find over the
 * Message-IDs each message names), so that a thread is one conversation
 * however its messages cite each other.  Broken clients write words
 * where ids belong ("<yes>"): only ids with an '@' count. */
static const char *find_root(GHashTable *parent, const char *id)
{
	const char *p;

	while ((p = g_hash_table_lookup(parent, id)) != NULL && strcmp(p, id) != 0)
		id = p;
	return id;
}

static void unite(GHashTable *parent, const char *a, const char *b)
{
	const char *ra, *rb;

	if (!strchr(a, '@') || !strchr(b, '@'))
		return;
	if (!g_hash_table_contains(parent, a))
		g_hash_table_insert(parent, g_strdup(a), g_strdup(a));
	if (!g_hash_table_contains(parent, b))
		g_hash_table_insert(parent, g_strdup(b), g_strdup(b));
	ra = find_root(parent, a);
	rb = find_root(parent, b);
	if (strcmp(ra, rb) != 0)
		g_hash_table_insert(parent, g_strdup(ra), g_strdup(rb));
}

static void link_message(GHashTable *parent, const struct message *m)
{
	const GPtrArray *lists[] = { m->references, m->in_reply_to };

	unite(parent, m->message_id, m->message_id);
	for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
		for (guint i = 0; i < lists[l]->len; i++)
			unite(parent, m->message_id, g_ptr_array_index(lists[l], i));
}

int main(void)
{
	const char *env_dir = getenv("TM_CORPUS");
	char *corpus = env_dir ? g_strdup(env_dir) : fixture_srcpath("../shared/corpus");
	const char *folders[] = { "notmuch-notmuch/test/corpora/default", "notmuch-notmuch/test/corpora/lkml" };
	GPtrArray *mails = g_ptr_array_new_with_free_func(mail_free);
	GHashTable *thread_ticket = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *parent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	struct fixture f;
	char *rcpts[] = { "support@example.com", NULL };
	unsigned replies = 0, eligible = 0, joined = 0, tickets = 0;

	fixture_setup(&f, NULL);	/* GMime too */
	for (size_t i = 0; i < G_N_ELEMENTS(folders); i++) {
		char *dir = g_build_filename(corpus, folders[i], NULL);
		GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
		fixture_collect_messages(dir, files);
		for (guint j = 0; j < files->len; j++) {
			char *raw;
			gsize len;
			if (!g_file_get_contents(g_ptr_array_index(files, j), &raw, &len, NULL))
				continue;
			struct mail *m = g_new0(struct mail, 1);
			m->msg = message_parse(raw, len, 4096);
			m->path = g_strdup(g_ptr_array_index(files, j));
			g_free(raw);
			if (m->msg->message_id && m->msg->from && m->msg->date)
				g_ptr_array_add(mails, m);
			else
				mail_free(m);
		}
		g_ptr_array_free(files, TRUE);
		g_free(dir);
	}
	if (mails->len < 100) {
		char *reason = g_strdup_printf("threaded list corpus not found below %s (set TM_CORPUS); "
					       "list-month test skipped", corpus);
		tap_skip_all(reason);
		g_free(reason);
		fixture_teardown(&f);
		g_ptr_array_free(mails, TRUE);
		g_hash_table_destroy(thread_ticket);
		g_hash_table_destroy(parent);
		g_free(corpus);
		return 0;
	}
	g_ptr_array_sort(mails, by_date);
	for (guint i = 0; i < mails->len; i++)
		link_message(parent, ((struct mail *)g_ptr_array_index(mails, i))->msg);
	for (guint i = 0; i < mails->len; i++) {
		const struct mail *m = g_ptr_array_index(mails, i);
		const char *thread = strchr(m->msg->message_id, '@') ? find_root(parent, m->msg->message_id)
								     : m->msg->message_id;
		long ticket = GPOINTER_TO_SIZE(g_hash_table_lookup(thread_ticket, thread));
		bool is_reply = m->msg->in_reply_to->len || m->msg->references->len, participant = false;
		struct envelope env = { .sender = m->msg->from->address, .recipients = rcpts, .queue_id = "LIST",
					.now = m->msg->date };
		struct engine_result res;
		char *token = NULL, *error = NULL;
		const struct queue *q = engine_queue_for(f.settings, rcpts, &token);

		if (is_reply && ticket) {
			struct store_ticket t = { 0 };
			replies++;
			if (store_ticket_by_number(f.store, "SUP", ticket, &t) == 1)
				participant = store_is_participant(f.store, t.id, m->msg->from->address) == 1;
			store_ticket_clear(&t);
			eligible += participant;
		}
		if (engine_process(f.settings, f.assets, f.store, q, token, m->msg, &env, &res, &error) != 0) {
			ok(0, "%s: %s", m->path, error);
			g_free(error);
			g_free(token);
			continue;
		}
		if (participant && res.ref.number == ticket)
			joined++;
		else if (participant)
			tap_diag("not joined: %s (thread of SUP-%ld, went to SUP-%ld)", m->path, ticket, res.ref.number);
		if (ticket == 0) {
			g_hash_table_insert(thread_ticket, g_strdup(thread), GSIZE_TO_POINTER((gsize)res.ref.number));
			tickets += res.new_ticket;
		}
		engine_result_clear(&res);
		g_free(token);
	}
	ok(eligible >= 20, "the list month has replies from participants of their thread's ticket (%u)", eligible);
	is_int(joined, eligible, "every reply from a participant of its thread's ticket joined it");
	printf("# threading summary: %u of %u replies whose sender is a participant of their thread's ticket joined it "
	       "(%u messages, %u replies to a known thread, %u threads)\n",
	       joined, eligible, mails->len, replies, tickets);
	fixture_teardown(&f);
	g_hash_table_destroy(thread_ticket);
	g_hash_table_destroy(parent);
	g_ptr_array_free(mails, TRUE);
	g_free(corpus);
	return tap_done();
}
