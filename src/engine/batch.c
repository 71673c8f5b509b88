/*
 * batch.c - one store transaction for the messages that arrive together
 * (see batch.h).  Room: engine.
 */
#include "config.h"
#include "engine/batch.h"

#include <string.h>

struct engine_batch {
	struct store_pool *pool;
	int max_jobs;
	GMutex lock;		/* guards the two below */
	GQueue waiting;		/* struct engine_job *, oldest first */
	bool leading;		/* a thread runs a batch */
	struct engine_batch_stats stats;
};

struct engine_batch *engine_batch_new(struct store_pool *pool, int max_jobs)
{
	struct engine_batch *b = g_new0(struct engine_batch, 1);

	b->pool = pool;
	b->max_jobs = MAX(max_jobs, 1);
	g_mutex_init(&b->lock);
	g_queue_init(&b->waiting);
	return b;
}

void engine_batch_free(struct engine_batch *b)
{
	if (b == NULL)
		return;
	g_mutex_clear(&b->lock);
	g_queue_clear(&b->waiting);
	g_free(b);
}

/* The job fails for why, unless it failed already (its own error says
 * more). */
static void fail_job(struct engine_job *job, const char *why)
{
	if (job->rc != 0)
		return;
	engine_result_clear(&job->result);
	job->rc = -1;
	job->error = g_strdup(why);
}

static void fail_jobs(struct engine_job **jobs, int n, const char *why)
{
	for (int i = 0; i < n; i++)
		fail_job(jobs[i], why);
}

static void run_one(struct store *st, struct engine_job *job)
{
	job->rc = engine_process(job->settings, job->assets, st, job->queue, job->token, job->msg, job->env,
				 &job->result, &job->error);
	/* The engine rolls back what it began when it fails; should a path
	 * forget, its writes must not ride along with the batch's commit. */
	if (job->rc != 0)
		store_rollback(st);
}

/* The jobs on st: a single job as it always ran, several in one
 * transaction.  Then the store goes back, which syncs what was committed.
 * st NULL: the store could not be had, for why. */
static void run_jobs(struct engine_batch *b, struct store *st, const char *why, struct engine_job **jobs, int n)
{
	char *error = NULL;
	bool broken = false;
	int sync_err;

	if (st == NULL) {
		fail_jobs(jobs, n, why);
		return;
	}
	if (n == 1) {
		run_one(st, jobs[0]);
		broken = jobs[0]->rc != 0;
	} else if (store_batch_begin(st) != 0) {
		error = g_strdup_printf("store: %s", store_error(st));
		fail_jobs(jobs, n, error);
		broken = true;
	} else {
		for (int i = 0; i < n; i++) {
			run_one(st, jobs[i]);
			/* A failure may have broken the handle: it is opened
			 * afresh next time, as after a single message's. */
			broken |= jobs[i]->rc != 0;
		}
		if (store_batch_commit(st) != 0) {
			error = g_strdup_printf("store: %s", store_error(st));
			store_batch_rollback(st);
			fail_jobs(jobs, n, error);
			broken = true;
		}
	}
	g_free(error);
	/* When it returns, what was committed is on disk. */
	sync_err = store_pool_put(b->pool, st, broken);
	if (sync_err != 0) {
		/* Recorded but perhaps not durable: a retry is a redelivery. */
		char *durable = g_strdup_printf("store: cannot make the record durable (fdatasync): %s",
						g_strerror(sync_err));
		fail_jobs(jobs, n, durable);
		g_free(durable);
	}
}

/* Under b->lock: up to max_jobs waiting jobs for database (a reload
 * may have moved it: the others wait for a store of their own), oldest
 * first. */
static int take_jobs(struct engine_batch *b, const char *database, struct engine_job **jobs)
{
	int n = 0;

	for (GList *l = b->waiting.head, *next; l && n < b->max_jobs; l = next) {
		struct engine_job *job = l->data;
		next = l->next;
		if (strcmp(job->settings->database, database) == 0) {
			jobs[n++] = job;
			g_queue_delete_link(&b->waiting, l);
		}
	}
	return n;
}

void engine_batch_run(struct engine_batch *b, struct engine_job *job)
{
	job->done = false;
	job->rc = 0;
	job->error = NULL;
	memset(&job->result, 0, sizeof job->result);
	g_cond_init(&job->turn);

	g_mutex_lock(&b->lock);
	g_queue_push_tail(&b->waiting, job);
	while (!job->done && b->leading)
		g_cond_wait(&job->turn, &b->lock);
	if (!job->done) {
		/* Lead: take the store, then every job waiting by then (the
		 * longer the store took, the more), until this one is done. */
		const struct settings *s = job->settings;
		struct engine_job **jobs = g_new(struct engine_job *, (gsize)b->max_jobs);
		b->leading = true;
		do {
			char *error = NULL;
			struct store *st;
			int n;
			g_mutex_unlock(&b->lock);
			st = store_pool_get(b->pool, s->database, s->busy_timeout_ms, &error);
			g_mutex_lock(&b->lock);
			n = take_jobs(b, s->database, jobs);
			b->stats.batches++;
			b->stats.jobs += (guint64)n;
			b->stats.largest = MAX(b->stats.largest, n);
			g_mutex_unlock(&b->lock);
			run_jobs(b, st, error, jobs, n);
			g_free(error);
			g_mutex_lock(&b->lock);
			for (int i = 0; i < n; i++) {
				jobs[i]->done = true;
				if (jobs[i] != job)
					g_cond_signal(&jobs[i]->turn);
			}
		} while (!job->done);
		b->leading = false;
		/* The oldest job still waiting leads the next batch. */
		if (!g_queue_is_empty(&b->waiting))
			g_cond_signal(&((struct engine_job *)g_queue_peek_head(&b->waiting))->turn);
		g_free(jobs);
	}
	g_mutex_unlock(&b->lock);
	g_cond_clear(&job->turn);
	/* Recorded and on disk: the rest needs no store, and is done here,
	 * by the job's own thread, while the next batch runs. */
	if (job->rc == 0)
		engine_finish(job->settings, job->msg, job->env, &job->result);
}

struct engine_batch_stats engine_batch_stats(struct engine_batch *b)
{
	struct engine_batch_stats stats;

	g_mutex_lock(&b->lock);
	stats = b->stats;
	g_mutex_unlock(&b->lock);
	return stats;
}
