/* test_batch.c - engine_batch: messages that wait for the store together
 * are recorded in one transaction; one that fails takes nothing of the
 * others with it; a lone message runs as before. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/batch.h"
#include "store/pool.h"
#include "store/store_internal.h"

#include <glib.h>
#include <string.h>

static struct fixture f;

struct runner {
	struct engine_batch *batch;
	const struct settings *settings;
	int n;
	struct engine_job job;
	struct message *msg;
	struct envelope env;
	char *rcpts[2];
	char *from;
	GThread *thread;
};

static gpointer run(gpointer data)
{
	struct runner *r = data;

	engine_batch_run(r->batch, &r->job);
	return NULL;
}

static void start(struct runner *r, struct engine_batch *b, const struct settings *s, int n)
{
	char *text;

	r->batch = b;
	r->settings = s;
	r->n = n;
	r->from = g_strdup_printf("customer%d@example.org", n);
	text = g_strdup_printf("From: Customer %d <%s>\nTo: support@example.com\nSubject: Problem %d\n"
			       "Message-ID: <batch%d@example.org>\nDate: Mon, 02 Mar 2026 10:00:00 +0000\n\n"
			       "My order number %d has not arrived.\n", n, r->from, n, n, n);
	r->msg = fixture_message(text);
	g_free(text);
	r->rcpts[0] = "support@example.com";
	r->rcpts[1] = NULL;
	r->env = (struct envelope){ .sender = r->from, .recipients = r->rcpts, .queue_id = "Q", .now = 1772445600 };
	r->job = (struct engine_job){ .settings = s, .queue = &s->queues[0], .msg = r->msg, .env = &r->env };
	r->thread = g_thread_new("job", run, r);
}

static void finish(struct runner *r)
{
	g_thread_join(r->thread);
}

static void clear(struct runner *r)
{
	if (r->job.rc == 0)
		engine_result_clear(&r->job.result);
	g_free(r->job.error);
	message_free(r->msg);
	g_free(r->from);
}

static int tickets_with_subject(struct store *st, const char *subject)
{
	GPtrArray *all = store_ticket_list(st, NULL, 100);
	int n = 0;

	for (guint i = 0; all && i < all->len; i++)
		n += g_strcmp0(((struct store_ticket *)g_ptr_array_index(all, i))->subject, subject) == 0;
	if (all)
		g_ptr_array_free(all, TRUE);
	return all ? n : -1;
}

int main(void)
{
	struct store_pool *pool;
	struct engine_batch *b;
	struct engine_batch_stats stats;
	struct settings *broken;
	struct runner r[4], lone;
	struct store *hold;
	char *error = NULL;
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);

	fixture_setup(&f, NULL);
	/* The same configuration, but its templates are missing: its
	 * acknowledgement, and so its message, fails. */
	broken = settings_load(f.config_path, SETTINGS_LOAD_SECRET, errors);
	g_free(broken->templates);
	broken->templates = g_build_filename(f.dir, "no-templates", NULL);

	pool = store_pool_new(1);
	b = engine_batch_new(pool, 16);

	/* Alone: one job, one run, recorded. */
	start(&lone, b, f.settings, 0);
	finish(&lone);
	clear(&lone);
	stats = engine_batch_stats(b);
	ok(lone.job.rc == 0 && lone.job.result.outcome == ENGINE_TICKETED, "a lone message is ticketed");
	ok(stats.batches == 1 && stats.jobs == 1, "in a run of its own");

	/* Four at once while the store is out: the first leads, the others
	 * join it; the third fails. */
	hold = store_pool_get(pool, f.settings->database, 1000, &error);
	for (int i = 0; i < 4; i++) {
		start(&r[i], b, i == 2 ? broken : f.settings, i + 1);
		g_usleep(50000);
	}
	g_usleep(200000);
	store_pool_put(pool, hold, false);
	for (int i = 0; i < 4; i++)
		finish(&r[i]);
	stats = engine_batch_stats(b);
	ok(stats.batches == 2 && stats.jobs == 5 && stats.largest == 4,
	   "four messages waiting for the store are one transaction (%lu runs, %lu messages, largest %d)",
	   (unsigned long)stats.batches, (unsigned long)stats.jobs, stats.largest);
	ok(r[0].job.rc == 0 && r[1].job.rc == 0 && r[3].job.rc == 0, "three of them are recorded");
	ok(r[2].job.rc == -1 && r[2].job.error && strstr(r[2].job.error, "template"),
	   "the one without templates fails with its own error (%s)", r[2].job.error);
	{
		struct store *st = store_pool_get(pool, f.settings->database, 1000, &error);
		is_int(tickets_with_subject(st, "Problem 1"), 1, "the first's ticket is in the store");
		is_int(tickets_with_subject(st, "Problem 4"), 1, "the last's too, after the failed one");
		is_int(tickets_with_subject(st, "Problem 3"), 0, "nothing of the failed one");
		store_pool_put(pool, st, false);
	}

	for (int i = 0; i < 4; i++)
		clear(&r[i]);
	/* SQLite ends a transaction by itself after some errors (a full
	 * disk, an I/O error): the jobs after it must not run in a
	 * transaction of their own, and the batch must not commit. */
	{
		struct store *st = store_pool_get(pool, f.settings->database, 1000, &error);
		ok(store_batch_begin(st) == 0 && store_begin(st) == 0 && store_commit(st) == 0,
		   "a batch: a job's begin and commit are a savepoint");
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);	/* as SQLite does after SQLITE_FULL */
		int rc = store_begin(st);
		ok(rc != 0 && strstr(store_error(st), "rolled back"),
		   "after the batch's transaction ended, the next job cannot begin (%s)", store_error(st));
		ok(sqlite3_get_autocommit(st->db), "and no transaction was opened for it");
		rc = store_batch_commit(st);
		ok(rc != 0, "the batch does not commit (%s)", store_error(st));
		store_pool_put(pool, st, true);
	}

	engine_batch_free(b);
	store_pool_free(pool);
	settings_unref(broken);
	g_ptr_array_free(errors, TRUE);
	fixture_teardown(&f);
	return tap_done();
}
