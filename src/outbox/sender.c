/*
 * sender.c - the outbox sender thread (see sender.h).
 */
#include "config.h"
#include "sender.h"
#include "addr.h"
#include "delivery.h"
#include "lifecycle.h"
#include "log.h"
#include "store.h"

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

/* What became of one delivery, to be written to the store.  Kept in
 * memory when the store cannot take it, so that a delivered entry is
 * recorded as sent once the store is back, not delivered again. */
enum outcome_kind { OUTCOME_SENT, OUTCOME_DEFERRED, OUTCOME_FAILED };

struct outcome {
	int64_t id;		/* 0: none */
	enum outcome_kind kind;
	int64_t when;		/* done, or the next attempt when deferred */
	char *error;
};

static void outcome_clear(struct outcome *o)
{
	g_free(o->error);
	memset(o, 0, sizeof *o);
}

static int record_outcome(struct store *st, const struct outcome *o)
{
	switch (o->kind) {
	case OUTCOME_SENT:
		return store_outbox_sent(st, o->id, o->when);
	case OUTCOME_DEFERRED:
		return store_outbox_defer(st, o->id, o->when, o->error);
	default:
		return store_outbox_fail(st, o->id, o->when, o->error);
	}
}

/* Delivers one taken entry and records the outcome: 0, or -1 when the
 * store refused it; *unrecorded then holds it (outcome_clear). */
static int handle(const struct settings *s, struct store *st, struct outbox_entry *e, int64_t now,
		  struct outcome *unrecorded)
{
	struct outcome o = { .id = e->id, .when = now };
	enum delivery_result r = deliver(s, e, &o.error);

	if (r == DELIVERY_SENT) {
		o.kind = OUTCOME_SENT;
		log_info("outbox %lld: %s sent to <%s> message-id=<%s>", (long long)e->id, e->kind,
			 e->recipient, e->message_id);
	} else if (r == DELIVERY_TEMPORARY && e->attempts < s->outbox_attempts) {
		o.kind = OUTCOME_DEFERRED;
		o.when = now + backoff(s, e->attempts);
		log_warning("outbox %lld: %s to <%s> deferred (attempt %d of %d, next in %llds): %s",
			    (long long)e->id, e->kind, e->recipient, e->attempts, s->outbox_attempts,
			    (long long)(o.when - now), o.error);
	} else {
		o.kind = OUTCOME_FAILED;
		log_err("outbox %lld: %s to <%s> failed after %d attempt(s): %s", (long long)e->id, e->kind,
			e->recipient, e->attempts, o.error);
	}
	if (record_outcome(st, &o) != 0) {
		log_err("outbox %lld: cannot record the delivery outcome yet: %s", (long long)e->id, store_error(st));
		*unrecorded = o;
		return -1;
	}
	outcome_clear(&o);
	return 0;
}

int sender_run_once(const struct settings *s, struct store *st, int64_t now)
{
	struct outbox_entry e;
	struct outcome unrecorded = { 0 };
	int n = 0, rc;

	while ((rc = store_outbox_take(st, now, &e)) == 1) {
		rc = handle(s, st, &e, now, &unrecorded);
		outbox_entry_clear(&e);
		n++;
		if (rc != 0) {
			/* No thread to keep it: the entry stays 'sending'. */
			outcome_clear(&unrecorded);
			break;
		}
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

/* Opens the store (again); after the first open, and whenever a reload
 * moved the database, puts back what a crash left half-sent.  NULL with
 * *problem set (g_free) on failure. */
static struct store *open_store(const struct settings *s, char **db_path, char **problem)
{
	struct store *st = store_open(s->database, s->busy_timeout_ms, problem);
	int recovered;

	if (st == NULL || g_strcmp0(*db_path, s->database) == 0)
		return st;
	/* Only on a first open: later, an entry left 'sending' is this
	 * thread's own, delivered and waiting to be recorded. */
	if ((recovered = store_outbox_recover(st)) < 0) {
		*problem = g_strdup(store_error(st));
		store_close(st);
		return NULL;
	}
	if (recovered > 0)
		log_warning("outbox: %d entr%s left half-sent by a crash queued again",
			    recovered, recovered == 1 ? "y" : "ies");
	g_free(*db_path);
	*db_path = g_strdup(s->database);
	return st;
}

static gpointer sender_thread(gpointer data)
{
	struct sender *sd = data;
	struct store *st = NULL;
	char *db_path = NULL;
	gint64 next_autoclose = 0;
	struct outcome unrecorded = { 0 };
	bool failing = false;

	do {
		struct settings *s = sd->acquire();
		struct outbox_entry e;
		char *problem = NULL;
		int rc = 0;

		/* Follow a reload that moved the database. */
		if (db_path && g_strcmp0(db_path, s->database) != 0) {
			g_clear_pointer(&st, store_close);
			if (unrecorded.id)
				log_warning("outbox %lld: delivered, but the database moved before the outcome was "
					    "recorded; it stays 'sending' in %s", (long long)unrecorded.id, db_path);
			outcome_clear(&unrecorded);
		}
		if (st == NULL)
			st = open_store(s, &db_path, &problem);
		if (st && unrecorded.id) {
			if (record_outcome(st, &unrecorded) == 0) {
				log_info("outbox %lld: delivery outcome recorded", (long long)unrecorded.id);
				outcome_clear(&unrecorded);
			} else {
				problem = g_strdup(store_error(st));
			}
		}
		if (st && !problem && g_get_monotonic_time() >= next_autoclose) {
			int closed = lifecycle_autoclose(s, st, g_get_real_time() / G_USEC_PER_SEC);
			if (closed > 0)
				log_info("closed %d ticket(s) resolved more than %d s ago", closed, s->close_after_seconds);
			else if (closed < 0)
				log_err("closing resolved tickets: %s", store_error(st));
			next_autoclose = g_get_monotonic_time() + AUTOCLOSE_EVERY_SECONDS * G_TIME_SPAN_SECOND;
		}
		while (st && !problem && !g_atomic_int_get(&sd->stopping) &&
		       (rc = store_outbox_take(st, g_get_real_time() / G_USEC_PER_SEC, &e)) == 1) {
			rc = handle(s, st, &e, g_get_real_time() / G_USEC_PER_SEC, &unrecorded);
			outbox_entry_clear(&e);
			if (rc != 0)
				break;
		}
		if (st && !problem && rc < 0)
			problem = g_strdup(store_error(st));
		if (problem) {
			/* Once per outage, not once a second.  The handle itself may
			 * be what is broken (opened read-only, a replaced file):
			 * the next round opens a new one. */
			if (!failing)
				log_err("outbox: %s; deliveries wait until the store works again", problem);
			failing = true;
			g_clear_pointer(&st, store_close);
			g_free(problem);
		} else if (failing) {
			log_info("outbox: the store works again; deliveries resume");
			failing = false;
		}
		settings_unref(s);
	} while (wait_for_work(sd));
	/* Stopping: one last try, so that a restart does not send it again. */
	if (unrecorded.id && st == NULL && db_path) {
		char *error = NULL;
		st = store_open(db_path, 1000, &error);
		g_free(error);
	}
	if (unrecorded.id && st && record_outcome(st, &unrecorded) == 0)
		outcome_clear(&unrecorded);
	if (unrecorded.id)
		log_warning("outbox %lld: delivered, but the store never took the outcome; it is delivered "
			    "again after the restart", (long long)unrecorded.id);
	outcome_clear(&unrecorded);
	store_close(st);
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
