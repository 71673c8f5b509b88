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

struct sender {
	GThread *thread;
	GMutex lock;
	GCond wake;
	bool kicked;
	gint stopping;		/* atomic: read outside the lock between deliveries */
	struct settings *(*acquire)(void);
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

/* Delivers one taken entry and records the outcome.  With a journal, a
 * delivery is noted there before the store is asked to record it;
 * *unsettled says the journal holds a note the store could not record
 * yet (the next success settles it). */
static void handle(const struct settings *s, struct store *st, struct outbox_journal *j, bool *unsettled,
		   struct outbox_entry *e, int64_t now)
{
	char *error = NULL;
	enum delivery_result r = deliver(s, e, &error);
	int rc;

	if (r == DELIVERY_SENT) {
		if (j && outbox_journal_note(j, e->id) != 0)
			log_warning("outbox %lld: cannot note the delivery in the journal: %s", (long long)e->id,
				    strerror(errno));
		rc = store_outbox_sent(st, e->id, now);
		if (j && rc == 0) {
			int recorded;
			if (!*unsettled) {
				if (outbox_journal_clear(j) != 0)
					log_warning("outbox: cannot empty the journal: %s", strerror(errno));
			} else if (settle(st, j, now, &recorded) == 0) {
				*unsettled = false;
			}
		} else if (j) {
			*unsettled = true;
		}
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
	g_free(error);
}

int sender_run_once(const struct settings *s, struct store *st, int64_t now)
{
	struct outbox_entry e;
	int n = 0, rc;

	while ((rc = store_outbox_take(st, now, &e)) == 1) {
		handle(s, st, NULL, NULL, &e, now);
		outbox_entry_clear(&e);
		n++;
	}
	return rc < 0 ? -1 : n;
}

/* Waits until kicked, stopped or the idle time passed; true to go on. */
static bool wait_for_work(struct sender *sd)
{
	gint64 until = g_get_monotonic_time() + IDLE_WAIT_SECONDS * G_TIME_SPAN_SECOND;
	bool go_on;

	g_mutex_lock(&sd->lock);
	while (!sd->kicked && !g_atomic_int_get(&sd->stopping))
		if (!g_cond_wait_until(&sd->wake, &sd->lock, until))
			break;
	sd->kicked = false;
	go_on = !g_atomic_int_get(&sd->stopping);
	g_mutex_unlock(&sd->lock);
	return go_on;
}

static gpointer sender_thread(gpointer data)
{
	struct sender *sd = data;
	struct store *st = NULL;
	struct outbox_journal *journal = NULL;
	bool unsettled = false;
	char *db_path = NULL;
	gint64 next_autoclose = 0;

	do {
		struct settings *s = sd->acquire();
		struct outbox_entry e;
		int rc;

		/* Follow a reload that moved the database. */
		if (st && g_strcmp0(db_path, s->database) != 0) {
			g_clear_pointer(&st, store_close);
			g_clear_pointer(&journal, outbox_journal_close);
		}
		if (st == NULL) {
			char *error = NULL;
			st = store_open(s->database, s->busy_timeout_ms, &error);
			if (st == NULL) {
				log_err("outbox: %s", error);
				g_clear_pointer(&error, g_free);
			} else {
				int recorded, requeued;
				if ((journal = outbox_journal_open(s->database, &error)) == NULL) {
					log_warning("outbox: no journal, a crash right after a delivery will repeat it: %s",
						    error);
					g_clear_pointer(&error, g_free);
				}
				if (sender_recover(st, journal, g_get_real_time() / G_USEC_PER_SEC, &recorded, &requeued) != 0) {
					/* Nothing is delivered before this is done: try again next
					 * round, with the database the settings name then. */
					log_err("outbox: cannot recover entries left by a crash: %s", store_error(st));
					g_clear_pointer(&st, store_close);
					g_clear_pointer(&journal, outbox_journal_close);
				} else {
					if (recorded > 0)
						log_warning("outbox: %d entr%s delivered just before a crash recorded as sent",
							    recorded, recorded == 1 ? "y" : "ies");
					if (requeued > 0)
						log_warning("outbox: %d entr%s left half-sent by a crash queued again",
							    requeued, requeued == 1 ? "y" : "ies");
					unsettled = false;
					g_free(db_path);
					db_path = g_strdup(s->database);
				}
			}
		}
		if (st && g_get_monotonic_time() >= next_autoclose) {
			int closed = lifecycle_autoclose(s, st, g_get_real_time() / G_USEC_PER_SEC);
			if (closed > 0)
				log_info("closed %d ticket(s) resolved more than %d s ago", closed, s->close_after_seconds);
			else if (closed < 0)
				log_err("closing resolved tickets: %s", store_error(st));
			next_autoclose = g_get_monotonic_time() + AUTOCLOSE_EVERY_SECONDS * G_TIME_SPAN_SECOND;
		}
		while (st && !g_atomic_int_get(&sd->stopping) &&
		       (rc = store_outbox_take(st, g_get_real_time() / G_USEC_PER_SEC, &e)) == 1) {
			handle(s, st, journal, &unsettled, &e, g_get_real_time() / G_USEC_PER_SEC);
			outbox_entry_clear(&e);
		}
		settings_unref(s);
	} while (wait_for_work(sd));
	store_close(st);
	outbox_journal_close(journal);
	g_free(db_path);
	return NULL;
}

struct sender *sender_start(struct settings *(*acquire)(void))
{
	struct sender *sd = g_new0(struct sender, 1);

	g_mutex_init(&sd->lock);
	g_cond_init(&sd->wake);
	sd->acquire = acquire;
	sd->thread = g_thread_new("outbox", sender_thread, sd);
	return sd;
}

void sender_kick(struct sender *sd)
{
	if (sd == NULL)
		return;
	g_mutex_lock(&sd->lock);
	sd->kicked = true;
	g_cond_signal(&sd->wake);
	g_mutex_unlock(&sd->lock);
}

void sender_stop(struct sender *sd)
{
	if (sd == NULL)
		return;
	g_mutex_lock(&sd->lock);
	g_atomic_int_set(&sd->stopping, 1);
	g_cond_signal(&sd->wake);
	g_mutex_unlock(&sd->lock);
	g_thread_join(sd->thread);
	g_mutex_clear(&sd->lock);
	g_cond_clear(&sd->wake);
	g_free(sd);
}
