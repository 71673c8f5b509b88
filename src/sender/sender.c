/*
 * sender.c - the outbox sender's worker threads (see sender.h).
 * Room: sender.
 */
#include "config.h"
#include "sender/sender.h"
#include "util/addr.h"
#include "sender/delivery.h"
#include "engine/engine.h"
#include "util/log.h"
#include "sender/journal.h"
#include "store/store.h"
#include "util/clock.h"

#include <errno.h>
#include <string.h>

#define DELIVERY_TIMEOUT_SECONDS 60
#define MAX_BACKOFF_SECONDS 3600
#define IDLE_WAIT_SECONDS 1
/* A worker's relay connection is closed after this long without a
 * delivery: well inside Postfix's smtpd_timeout (300 s, 10 s under
 * stress), and long enough to carry a burst. */
#define SMTP_IDLE_SECONDS 5
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
	const struct clock *clock;	/* the daemon's (clock.h); NULL: real time */
	/* The journal of deliveries not yet recorded (journal.h), one
	 * for all workers: appends are atomic; it is emptied when no worker
	 * has a note outstanding. */
	struct outbox_journal *journal;	/* NULL: none could be opened */
	GMutex journal_lock;
	int journal_outstanding;
	gint failing;		/* atomic: the store fails (logged once) */
	gint recovered;		/* atomic: the crash recovery is done */
	gint64 next_autoclose;	/* worker 0 only */
	gint64 next_index;	/* worker 0 only */
};


static int64_t now_of(const struct sender *sd)
{
	return clock_now(sd->clock);
}

static int64_t backoff(const struct settings *s, int attempts)
{
	int64_t delay = s->outbox_retry_seconds;

	for (int i = 1; i < attempts && delay < MAX_BACKOFF_SECONDS; i++)
		delay *= 2;
	return delay < MAX_BACKOFF_SECONDS ? delay : MAX_BACKOFF_SECONDS;
}

static enum delivery_result deliver(const struct settings *s, struct smtp_session *ss,
				    const struct outbox_entry *e, char **error)
{
	const char *sender = e->envelope_from ? e->envelope_from : "";

	if (!addr_is_safe(e->recipient)) {
		*error = g_strdup_printf("unsafe recipient address <%s>", e->recipient);
		return DELIVERY_PERMANENT;
	}
	if (s->outbox_smtp)
		return delivery_smtp(ss, s->outbox_smtp, s->hostname, sender, e->recipient, e->message,
				     DELIVERY_TIMEOUT_SECONDS, error);
	return delivery_command(s->outbox_command, sender, e->recipient, e->message,
				DELIVERY_TIMEOUT_SECONDS, error);
}

/* What became of one delivery (store.h), to be written to the store.
 * Kept in memory when the store cannot take it, so that a delivered
 * entry is recorded as sent once the store is back, not delivered
 * again. */
static void outcome_clear(struct outbox_outcome *o)
{
	g_free(o->error);
	memset(o, 0, sizeof *o);
}

/* Delivers a taken entry (over ss, or NULL: a connection of its own)
 * and says (in the log) how it went. */
static struct outbox_outcome deliver_entry(const struct settings *s, struct smtp_session *ss,
				    const struct outbox_entry *e, int64_t now)
{
	struct outbox_outcome o = { .id = e->id, .when = now };
	enum delivery_result r = deliver(s, ss, e, &o.error);

	if (r == DELIVERY_SENT) {
		o.kind = OUTBOX_SENT;
		log_info("outbox %lld: %s sent to <%s> message-id=<%s>", (long long)e->id, e->kind,
			 e->recipient, e->message_id);
	} else if (r == DELIVERY_TEMPORARY && e->attempts < s->outbox_attempts) {
		o.kind = OUTBOX_DEFERRED;
		o.when = now + backoff(s, e->attempts);
		log_warning("outbox %lld: %s to <%s> deferred (attempt %d of %d, next in %llds): %s",
			    (long long)e->id, e->kind, e->recipient, e->attempts, s->outbox_attempts,
			    (long long)(o.when - now), o.error);
	} else {
		o.kind = OUTBOX_FAILED;
		log_err("outbox %lld: %s to <%s> failed after %d attempt(s): %s", (long long)e->id, e->kind,
			e->recipient, e->attempts, o.error);
	}
	return o;
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

	while ((rc = store_outbox_take(st, now, NULL, &e, NULL)) == 1) {
		struct outbox_outcome o = deliver_entry(s, NULL, &e, now);
		outbox_entry_clear(&e);
		n++;
		rc = store_outbox_record(st, &o);
		if (rc != 0)	/* no thread to keep it: the entry stays 'sending' */
			log_err("outbox %lld: cannot record the delivery outcome: %s", (long long)o.id, store_error(st));
		outcome_clear(&o);
		if (rc != 0)
			break;
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

/* The store, or NULL with *problem set (g_free; left alone if set).
 * first: ahead of the messages waiting for it (store_pool_get_first),
 * only right after a delivery, to record it and take the next: a worker
 * that merely looks for work, or finds the store failing, waits its
 * turn, so that it never keeps the messages from the store. */
static struct store *borrow(struct sender *sd, const struct settings *s, bool first, char **problem)
{
	char *error = NULL;
	struct store *st = (first ? store_pool_get_first : store_pool_get)(sd->pool, s->database,
									     s->busy_timeout_ms, &error);

	if (st == NULL && *problem == NULL)
		*problem = error;
	else
		g_free(error);
	return st;
}

/* Says so once per outage, not once a round. */
static void note_health(struct sender *sd, const char *problem)
{
	if (problem) {
		if (g_atomic_int_compare_and_exchange(&sd->failing, 0, 1))
			log_err("outbox: %s; deliveries wait until the store works again", problem);
	} else if (g_atomic_int_compare_and_exchange(&sd->failing, 1, 0)) {
		log_info("outbox: the store works again; deliveries resume");
	}
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

/* A kick wakes one worker (see sender_kick), or all of them. */
static void wake(struct sender *sd, bool all)
{
	g_mutex_lock(&sd->lock);
	sd->kicks++;
	if (all)
		g_cond_broadcast(&sd->wake);
	else
		g_cond_signal(&sd->wake);
	g_mutex_unlock(&sd->lock);
}

/* Before any worker takes an entry (afterwards 'sending' means in
 * progress): what the journal says was delivered just before a crash is
 * recorded as sent, the other half-sent entries go back to the queue.
 * Worker 0 does it, retrying each round until it works; the others wait
 * for it.  0 once done. */
static int recover(struct sender *sd, struct store *st)
{
	int recorded, requeued;

	if (sender_recover(st, sd->journal, now_of(sd), &recorded, &requeued) != 0)
		return -1;
	if (recorded > 0)
		log_warning("outbox: %d entr%s delivered just before a crash recorded as sent",
			    recorded, recorded == 1 ? "y" : "ies");
	if (requeued > 0)
		log_warning("outbox: %d entr%s left half-sent by a crash queued again",
			    requeued, requeued == 1 ? "y" : "ies");
	g_atomic_int_set(&sd->recovered, 1);
	wake(sd, true);	/* the others wait for this */
	return 0;
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
	closed = engine_autoclose(s, st, now_of(sd));
	if (closed > 0)
		log_info("closed %d ticket(s) resolved more than %d s ago", closed, s->close_after_seconds);
	else if (closed < 0)
		log_err("closing resolved tickets: %s", store_error(st));
	sd->next_autoclose = g_get_monotonic_time() + AUTOCLOSE_EVERY_SECONDS * G_TIME_SPAN_SECOND;
}

struct worker {
	struct sender *sd;
	int index;
	struct outbox_outcome unrecorded;	/* delivered, not recorded yet: with the next take */
	struct smtp_session *smtp;	/* this worker's connection to the relay */
};

/* An outcome the store has taken: its journal note is done with. */
static void settled(struct sender *sd, struct outbox_outcome *o)
{
	if (o->kind == OUTBOX_SENT)
		journal_done(sd);
	outcome_clear(o);
}

/* Writes an outcome on its own, not with a take: 0 or -1.  late: the
 * store could not take it before (the log said so), so the log says
 * that it has now. */
static int record_outcome(struct sender *sd, struct store *st, struct outbox_outcome *o, bool late)
{
	int64_t id = o->id;

	if (store_outbox_record(st, o) != 0)
		return -1;
	settled(sd, o);
	if (late)
		log_info("outbox %lld: delivery outcome recorded", (long long)id);
	return 0;
}

/* Each worker takes the entry due first whose ticket has nothing older
 * in flight, so several deliver at once and a ticket's mail still goes
 * out in order.  The store is the milter's too: it is borrowed for each
 * step and never held while a delivery waits on the network.  When the
 * store fails, the handle is put back broken (the next round opens a
 * new one: the old one may be what is broken, a replaced file). */
static gpointer worker_thread(gpointer data)
{
	struct worker *w = data;
	struct sender *sd = w->sd;
	guint seen = 0;

	do {
		struct settings *s = sd->acquire();
		char *problem = NULL;
		struct store *st = borrow(sd, s, false, &problem);
		struct outbox_entry e;
		bool more = false;
		int rc = 0;

		if (st && !g_atomic_int_get(&sd->recovered) && (w->index != 0 || recover(sd, st) != 0)) {
			/* Nothing is delivered before the recovery is done. */
			if (w->index == 0) {
				problem = g_strdup_printf("cannot recover entries left by a crash: %s", store_error(st));
				note_health(sd, problem);
			}
			store_pool_put(sd->pool, st, problem != NULL);
			g_free(problem);
			settings_unref(s);
			continue;
		}
		if (st && w->unrecorded.id && record_outcome(sd, st, &w->unrecorded, true) != 0)
			problem = g_strdup(store_error(st));
		if (st && !problem && w->index == 0)
			chores(sd, s, st);
		/* A delivery's outcome waits in w->unrecorded and is written with
		 * the next take, in one transaction. */
		while (st && !problem && !g_atomic_int_get(&sd->stopping)) {
			struct outbox_outcome *done = w->unrecorded.id ? &w->unrecorded : NULL;

			rc = store_outbox_take(st, now_of(sd), done, &e, &more);
			if (rc < 0 && done)
				log_err("outbox %lld: cannot record the delivery outcome yet: %s", (long long)done->id,
					store_error(st));
			if (rc >= 0 && done)
				settled(sd, done);
			if (rc <= 0)
				break;
			store_pool_put(sd->pool, st, false);
			if (more && sd->n_threads > 1)
				sender_kick(sd);	/* the next worker takes it */
			w->unrecorded = deliver_entry(s, w->smtp, &e, now_of(sd));
			outbox_entry_clear(&e);
			if (w->unrecorded.kind == OUTBOX_SENT)
				journal_note(sd, w->unrecorded.id);
			if ((st = borrow(sd, s, true, &problem)) == NULL)
				log_err("outbox %lld: cannot record the delivery outcome yet: %s", (long long)w->unrecorded.id,
					problem);
		}
		/* Stopping right after a delivery: record it now. */
		if (st && !problem && rc >= 0 && w->unrecorded.id && record_outcome(sd, st, &w->unrecorded, false) != 0)
			problem = g_strdup(store_error(st));
		if (st && !problem && rc < 0)
			problem = g_strdup(store_error(st));
		note_health(sd, problem);
		store_pool_put(sd->pool, st, problem != NULL);
		g_free(problem);
		settings_unref(s);
		smtp_session_expire(w->smtp, SMTP_IDLE_SECONDS);
	} while (wait_for_work(sd, &seen));
	smtp_session_free(w->smtp);

	/* Stopping: one last try, so that a restart does not send it again. */
	if (w->unrecorded.id) {
		struct settings *s = sd->acquire();
		char *problem = NULL;
		struct store *st = borrow(sd, s, false, &problem);

		if (st == NULL || record_outcome(sd, st, &w->unrecorded, true) != 0)
			log_warning("outbox %lld: delivered, but the store never took the outcome; %s",
				    (long long)w->unrecorded.id, sd->journal && w->unrecorded.kind == OUTBOX_SENT ?
				    "the journal records it after the restart" : "it is delivered again after the restart");
		store_pool_put(sd->pool, st, false);
		g_free(problem);
		settings_unref(s);
		outcome_clear(&w->unrecorded);
	}
	g_free(w);
	return NULL;
}

struct sender *sender_start(struct settings *(*acquire)(void), struct store_pool *pool, const struct clock *clock)
{
	struct sender *sd = g_new0(struct sender, 1);
	struct settings *s = acquire();

	sd->pool = pool;
	sd->clock = clock;
	g_mutex_init(&sd->lock);
	g_cond_init(&sd->wake);
	g_mutex_init(&sd->journal_lock);
	sd->acquire = acquire;
	sd->n_threads = CLAMP(s->outbox_concurrency, 1, MAX_WORKERS);
	{
		char *error = NULL;
		if ((sd->journal = outbox_journal_open(s->database, &error)) == NULL) {
			log_warning("outbox: no journal, a crash right after a delivery will repeat it: %s", error);
			g_free(error);
		}
	}
	settings_unref(s);
	for (int i = 0; i < sd->n_threads; i++) {
		struct worker *w = g_new0(struct worker, 1);
		w->sd = sd;
		w->index = i;
		w->smtp = smtp_session_new();
		sd->threads[i] = g_thread_new("outbox", worker_thread, w);
	}
	return sd;
}

/* One worker per kick: a worker that takes an entry kicks the next when
 * another could go at once (see worker_thread), so they join in only
 * while there is work, and a message that queued one acknowledgement
 * wakes one thread, not all of them. */
void sender_kick(struct sender *sd)
{
	if (sd != NULL)
		wake(sd, false);
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
