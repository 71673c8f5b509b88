/*
 * sender.c - the outbox sender thread (see sender.h).
 */
#include "config.h"
#include "sender.h"
#include "addr.h"
#include "delivery.h"
#include "lifecycle.h"
#include "log.h"
#include "outbox_journal.h"
#include "store.h"

#include <errno.h>

#include <string.h>

#define DELIVERY_TIMEOUT_SECONDS 60
#define MAX_BACKOFF_SECONDS 3600
#define IDLE_WAIT_SECONDS 1
/* Closing resolved tickets is housekeeping: once a minute is plenty. */
#define AUTOCLOSE_EVERY_SECONDS 60
/* New messages reach the search index within about this long, in batches. */
#define SEARCH_INDEX_EVERY_MS 1000
#define SEARCH_INDEX_BATCH 2000

/* More parallel deliveries than this buy nothing but load on the relay. */
#define MAX_WORKERS 64

struct sender {
	GThread *threads[MAX_WORKERS];
	int n_threads;
	GMutex lock;
	GCond wake;
	guint kicks;		/* counts sender_kick calls: each worker keeps the last it saw */
	gint stopping;		/* atomic: read outside the lock between deliveries */
	struct settings *(*acquire)(void);
	struct store_pool *pool;
	/* The journal of deliveries not yet recorded (outbox_journal.h), one
	 * for all workers: appends are atomic; it is emptied when no worker
	 * has a note outstanding. */
	struct outbox_journal *journal;	/* NULL: none could be opened */
	GMutex journal_lock;
	int journal_outstanding;
	gint64 next_autoclose;	/* worker 0 only */
	gint64 next_index;	/* worker 0 only */
};

struct worker {
	struct sender *sd;
	int index;
};

static int64_t backoff(const struct settings *s, int attempts)
{
	int64_t delay = s->outbox_retry_seconds;

	for (int i = 1; i < attempts && delay < MAX_BACKOFF_SECONDS; i++)
		delay *= 2;
	return delay < MAX_BACKOFF_SECONDS ? delay : MAX_BACKOFF_SECONDS;
}

static enum delivery_result deliver(const struct settings *s, const struct outbox_entry *e, char **error)
{
	const char *sender = e->envelope_from ? e->envelope_from : "";

	if (!addr_is_safe(e->recipient)) {
		*error = g_strdup_printf("unsafe recipient address <%s>", e->recipient);
		return DELIVERY_PERMANENT;
	}
	if (s->outbox_smtp)
		return delivery_smtp(s->outbox_smtp, s->hostname, sender, e->recipient, e->message,
				     DELIVERY_TIMEOUT_SECONDS, error);
	return delivery_command(s->outbox_command, sender, e->recipient, e->message,
				DELIVERY_TIMEOUT_SECONDS, error);
}

/* Records how the delivery of a taken entry went. */
static void record_outcome(const struct settings *s, struct store *st, const struct outbox_entry *e,
			   enum delivery_result r, const char *error, int64_t now)
{
	int rc;

	if (r == DELIVERY_SENT) {
		rc = store_outbox_sent(st, e->id, now);
		log_info("outbox %lld: %s sent to <%s> message-id=<%s>", (long long)e->id, e->kind,
			 e->recipient, e->message_id);
	} else if (r == DELIVERY_TEMPORARY && e->attempts < s->outbox_attempts) {
		int64_t next = now + backoff(s, e->attempts);
		rc = store_outbox_defer(st, e->id, next, error);
		log_warning("outbox %lld: %s to <%s> deferred (attempt %d of %d, next in %llds): %s",
			    (long long)e->id, e->kind, e->recipient, e->attempts, s->outbox_attempts,
			    (long long)(next - now), error);
	} else {
		rc = store_outbox_fail(st, e->id, now, error);
		log_err("outbox %lld: %s to <%s> failed after %d attempt(s): %s", (long long)e->id, e->kind,
			e->recipient, e->attempts, error);
	}
	if (rc != 0)
		log_err("outbox %lld: cannot record the delivery outcome: %s", (long long)e->id, store_error(st));
}

/* Marks every id in the journal sent, then empties it.  An id already
 * marked (a crash between the commit and emptying the journal) is
 * marked again, which changes nothing but its time. */
static int settle(struct store *st, struct outbox_journal *j, int64_t now, int *recorded)
{
	GArray *ids = outbox_journal_pending(j);
	int rc = 0;

	*recorded = 0;
	for (guint i = 0; i < ids->len && rc == 0; i++) {
		rc = store_outbox_sent(st, g_array_index(ids, int64_t, i), now);
		if (rc == 0)
			(*recorded)++;
	}
	g_array_free(ids, TRUE);
	if (rc == 0 && outbox_journal_clear(j) != 0)
		log_warning("outbox: cannot empty the journal: %s", strerror(errno));
	return rc;
}

int sender_recover(struct store *st, struct outbox_journal *j, int64_t now, int *recorded, int *requeued)
{
	*recorded = *requeued = 0;
	if (j && settle(st, j, now, recorded) != 0)
		return -1;
	*requeued = store_outbox_recover(st);
	return *requeued < 0 ? -1 : 0;
}

int sender_run_once(const struct settings *s, struct store *st, int64_t now)
{
	struct outbox_entry e;
	int n = 0, rc;

	while ((rc = store_outbox_take(st, now, &e)) == 1) {
		char *error = NULL;
		enum delivery_result r = deliver(s, &e, &error);
		record_outcome(s, st, &e, r, error, now);
		g_free(error);
		outbox_entry_clear(&e);
		n++;
	}
	return rc < 0 ? -1 : n;
}

/* Waits until kicked (since *seen), stopped or the idle time passed;
 * true to go on. */
static bool wait_for_work(struct sender *sd, guint *seen)
{
	gint64 until = g_get_monotonic_time() + IDLE_WAIT_SECONDS * G_TIME_SPAN_SECOND;
	bool go_on;

	g_mutex_lock(&sd->lock);
	while (sd->kicks == *seen && !g_atomic_int_get(&sd->stopping))
		if (!g_cond_wait_until(&sd->wake, &sd->lock, until))
			break;
	*seen = sd->kicks;
	go_on = !g_atomic_int_get(&sd->stopping);
	g_mutex_unlock(&sd->lock);
	return go_on;
}

static struct store *borrow(struct sender *sd, const struct settings *s)
{
	char *error = NULL;
	struct store *st = store_pool_get(sd->pool, s->database, s->busy_timeout_ms, &error);

	if (st == NULL) {
		log_err("outbox: %s", error);
		g_free(error);
	}
	return st;
}

/* Right after the relay's 250, before waiting for the store. */
static void journal_note(struct sender *sd, int64_t id)
{
	if (sd->journal == NULL)
		return;
	g_mutex_lock(&sd->journal_lock);
	if (outbox_journal_note(sd->journal, id) != 0)
		log_warning("outbox %lld: cannot note the delivery in the journal: %s", (long long)id, strerror(errno));
	sd->journal_outstanding++;
	g_mutex_unlock(&sd->journal_lock);
}

/* The note's delivery is recorded (or could not be: the note then stays
 * until the file is emptied, and a crash before that marks it sent). */
static void journal_done(struct sender *sd)
{
	if (sd->journal == NULL)
		return;
	g_mutex_lock(&sd->journal_lock);
	if (--sd->journal_outstanding == 0 && outbox_journal_clear(sd->journal) != 0)
		log_warning("outbox: cannot empty the journal: %s", strerror(errno));
	g_mutex_unlock(&sd->journal_lock);
}

/* Before any worker takes an entry (afterwards 'sending' means in
 * progress): what the journal says was delivered just before a crash is
 * recorded as sent, the other half-sent entries go back to the queue.
 * Retried until it works: nothing is delivered before. */
static void recover(struct sender *sd, const struct settings *s)
{
	char *error = NULL;

	if ((sd->journal = outbox_journal_open(s->database, &error)) == NULL) {
		log_warning("outbox: no journal, a crash right after a delivery will repeat it: %s", error);
		g_free(error);
	}
	for (int attempt = 0;; attempt++) {
		struct store *st = borrow(sd, s);
		int recorded, requeued, rc = -1;

		if (st) {
			rc = sender_recover(st, sd->journal, g_get_real_time() / G_USEC_PER_SEC, &recorded, &requeued);
			if (rc != 0 && attempt == 0)
				log_err("outbox: cannot recover entries left by a crash (retrying): %s", store_error(st));
			store_pool_put(sd->pool, st, rc != 0);
		}
		if (rc == 0) {
			if (recorded > 0)
				log_warning("outbox: %d entr%s delivered just before a crash recorded as sent",
					    recorded, recorded == 1 ? "y" : "ies");
			if (requeued > 0)
				log_warning("outbox: %d entr%s left half-sent by a crash queued again",
					    requeued, requeued == 1 ? "y" : "ies");
			return;
		}
		if (g_atomic_int_get(&sd->stopping))
			return;
		g_usleep(G_USEC_PER_SEC);
	}
}

/* Worker 0's chores: the search index (every second) and closing
 * resolved tickets (once a minute). */
static void chores(struct sender *sd, const struct settings *s, struct store *st)
{
	int closed;

	if (g_get_monotonic_time() >= sd->next_index) {
		if (store_search_catch_up(st, SEARCH_INDEX_BATCH) < 0)
			log_err("search index: %s", store_error(st));
		sd->next_index = g_get_monotonic_time() + SEARCH_INDEX_EVERY_MS * 1000;
	}
	if (g_get_monotonic_time() < sd->next_autoclose)
		return;
	closed = lifecycle_autoclose(s, st, g_get_real_time() / G_USEC_PER_SEC);
	if (closed > 0)
		log_info("closed %d ticket(s) resolved more than %d s ago", closed, s->close_after_seconds);
	else if (closed < 0)
		log_err("closing resolved tickets: %s", store_error(st));
	sd->next_autoclose = g_get_monotonic_time() + AUTOCLOSE_EVERY_SECONDS * G_TIME_SPAN_SECOND;
}

/* Each worker takes the oldest due entry whose ticket has nothing older
 * in flight, so several deliver at once and a ticket's mail still goes
 * out in order.  The store is the milter's too: it is borrowed for each
 * step and never held while a delivery waits on the network. */
static gpointer worker_thread(gpointer data)
{
	struct worker *w = data;
	struct sender *sd = w->sd;
	guint seen = 0;

	do {
		struct settings *s = sd->acquire();
		struct store *st = borrow(sd, s);
		struct outbox_entry e;

		if (st && w->index == 0)
			chores(sd, s, st);
		while (st && !g_atomic_int_get(&sd->stopping) &&
		       store_outbox_take(st, g_get_real_time() / G_USEC_PER_SEC, &e) == 1) {
			char *error = NULL;
			enum delivery_result r;

			store_pool_put(sd->pool, st, false);
			r = deliver(s, &e, &error);
			if (r == DELIVERY_SENT)
				journal_note(sd, e.id);
			if ((st = borrow(sd, s)) != NULL)
				record_outcome(s, st, &e, r, error, g_get_real_time() / G_USEC_PER_SEC);
			else
				log_err("outbox %lld: outcome not recorded; %s after a restart", (long long)e.id,
					r == DELIVERY_SENT && sd->journal ? "recorded from the journal" : "tried again");
			if (r == DELIVERY_SENT)
				journal_done(sd);
			g_free(error);
			outbox_entry_clear(&e);
		}
		store_pool_put(sd->pool, st, false);
		settings_unref(s);
	} while (wait_for_work(sd, &seen));
	g_free(w);
	return NULL;
}

struct sender *sender_start(struct settings *(*acquire)(void), struct store_pool *pool)
{
	struct sender *sd = g_new0(struct sender, 1);
	struct settings *s = acquire();

	sd->pool = pool;
	g_mutex_init(&sd->lock);
	g_cond_init(&sd->wake);
	g_mutex_init(&sd->journal_lock);
	sd->acquire = acquire;
	sd->n_threads = CLAMP(s->outbox_concurrency, 1, MAX_WORKERS);
	recover(sd, s);
	settings_unref(s);
	for (int i = 0; i < sd->n_threads; i++) {
		struct worker *w = g_new0(struct worker, 1);
		w->sd = sd;
		w->index = i;
		sd->threads[i] = g_thread_new("outbox", worker_thread, w);
	}
	return sd;
}

void sender_kick(struct sender *sd)
{
	if (sd == NULL)
		return;
	g_mutex_lock(&sd->lock);
	sd->kicks++;
	g_cond_broadcast(&sd->wake);
	g_mutex_unlock(&sd->lock);
}

void sender_stop(struct sender *sd)
{
	if (sd == NULL)
		return;
	g_mutex_lock(&sd->lock);
	g_atomic_int_set(&sd->stopping, 1);
	g_cond_broadcast(&sd->wake);
	g_mutex_unlock(&sd->lock);
	for (int i = 0; i < sd->n_threads; i++)
		g_thread_join(sd->threads[i]);
	g_mutex_clear(&sd->lock);
	g_cond_clear(&sd->wake);
	g_mutex_clear(&sd->journal_lock);
	outbox_journal_close(sd->journal);
	g_free(sd);
}
