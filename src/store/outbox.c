/*
 * outbox.c - the store's outbox table (see store.h, "The outbox").
 *
 * States: queued -> sending -> sent, or -> queued again later (deferred,
 * attempts + 1), or -> failed.  'sending' is committed before delivery
 * starts, so a crash in between leaves an entry that store_outbox_recover
 * puts back: at least once, never lost.
 *
 * The state changes are committed without fsync (store_relax): a process
 * crash loses none of them, and what a power loss can lose is a
 * 'sending' or 'sent' mark, which means one delivery done again, the
 * same at-least-once.  The mail itself was added in the message's own
 * durable transaction.  That saves two of every three fsyncs per
 * acknowledgement.
 * Room: store.
 */
#include "config.h"
#include "store/store_internal.h"

#include <string.h>

enum {
	OB_ADD = STORE_OUTBOX_SLOT, OB_COUNT_TO, OB_LAST_FOR_TICKET, OB_NEXT, OB_MARK_SENDING,
	OB_SENT, OB_DEFER, OB_FAIL, OB_RECOVER, OB_RETRY_NOW, OB_LIST, OB_LIST_FAILED, OB_KIND_OF,
	OB_END
};
G_STATIC_ASSERT(OB_END <= STORE_TRUST_SLOT);

#define OUTBOX_COLUMNS \
	"id, coalesce(ticket_id, 0), kind, envelope_from, recipient, message_id, message, created, state," \
	" attempts, next_attempt, last_error, coalesce(done, 0) FROM outbox"

static const char *const sql[OB_END - STORE_OUTBOX_SLOT] = {
	[OB_ADD - STORE_OUTBOX_SLOT] =
		"INSERT INTO outbox(ticket_id, kind, envelope_from, recipient, message_id, message, created, next_attempt)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
	/* A reminder to an agent is no automatic reply to the customer: it
	 * counts against no rate limit of theirs. */
	[OB_COUNT_TO - STORE_OUTBOX_SLOT] =
		"SELECT count(*) FROM outbox WHERE recipient = ?1 AND created >= ?2 AND kind <> 'reminder'",
	[OB_LAST_FOR_TICKET - STORE_OUTBOX_SLOT] =
		"SELECT coalesce(max(created), 0) FROM outbox WHERE ticket_id = ?1 AND kind <> 'reminder'",
	/* The entry due first whose ticket has nothing older still waiting.
	 * In the order of outbox_due (state, next_attempt, then rowid), the
	 * search stops at the first entry that may go; ordered by id, every
	 * due entry was read and sorted, for each entry taken: quadratic in
	 * a backlog (a relay that was down for an hour).  The second row
	 * says whether another worker has something to take. */
	[OB_NEXT - STORE_OUTBOX_SLOT] =
		"SELECT " OUTBOX_COLUMNS " o WHERE state = 'queued' AND next_attempt <= ?1"
		" AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.ticket_id = o.ticket_id AND p.id < o.id"
		"                 AND p.state IN ('queued', 'sending'))"
		" ORDER BY next_attempt, id LIMIT 2",
	[OB_MARK_SENDING - STORE_OUTBOX_SLOT] =
		"UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?1 AND state = 'queued'",
	[OB_SENT - STORE_OUTBOX_SLOT] =
		"UPDATE outbox SET state = 'sent', done = ?2, last_error = NULL WHERE id = ?1",
	[OB_DEFER - STORE_OUTBOX_SLOT] =
		"UPDATE outbox SET state = 'queued', next_attempt = ?2, last_error = ?3 WHERE id = ?1",
	[OB_FAIL - STORE_OUTBOX_SLOT] =
		"UPDATE outbox SET state = 'failed', done = ?2, last_error = ?3 WHERE id = ?1",
	[OB_RECOVER - STORE_OUTBOX_SLOT] =
		"UPDATE outbox SET state = 'queued' WHERE state = 'sending'",
	[OB_RETRY_NOW - STORE_OUTBOX_SLOT] =
		"UPDATE outbox SET state = 'queued', next_attempt = ?2, done = NULL WHERE id = ?1 AND state IN ('queued', 'failed')",
	[OB_LIST - STORE_OUTBOX_SLOT] = "SELECT " OUTBOX_COLUMNS " ORDER BY id DESC LIMIT ?1",
	[OB_LIST_FAILED - STORE_OUTBOX_SLOT] =
		"SELECT " OUTBOX_COLUMNS " WHERE state = 'failed' ORDER BY id DESC LIMIT ?1",
	[OB_KIND_OF - STORE_OUTBOX_SLOT] = "SELECT kind FROM outbox WHERE message_id = ?1",
};

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, sql[slot - STORE_OUTBOX_SLOT]);
}

int store_outbox_add(struct store *st, struct outbox_entry *e)
{
	sqlite3_stmt *s = stmt(st, OB_ADD);
	gsize len = 0;
	const void *data;

	if (s == NULL)
		return -1;
	if (e->ticket_id)
		sqlite3_bind_int64(s, 1, e->ticket_id);
	store_bind_text(s, 2, e->kind);
	store_bind_text(s, 3, e->envelope_from ? e->envelope_from : "");
	store_bind_text(s, 4, e->recipient);
	store_bind_text(s, 5, e->message_id);
	data = g_bytes_get_data(e->message, &len);
	sqlite3_bind_blob(s, 6, data, (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 7, e->created);
	if (store_run(st, s, "add outbox entry") != 0)
		return -1;
	e->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static int count_query(struct store *st, sqlite3_stmt *s, int64_t *out, const char *what)
{
	int rc = store_step_one(st, s, what);

	if (rc == 1) {
		*out = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	return rc < 0 ? -1 : 0;
}

int store_outbox_count_to(struct store *st, const char *recipient, int64_t since, int *count)
{
	sqlite3_stmt *s = stmt(st, OB_COUNT_TO);
	int64_t n = 0;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, recipient);
	sqlite3_bind_int64(s, 2, since);
	if (count_query(st, s, &n, "count outbox") != 0)
		return -1;
	*count = (int)n;
	return 0;
}

int store_outbox_last_for_ticket(struct store *st, int64_t ticket_id, int64_t *when)
{
	sqlite3_stmt *s = stmt(st, OB_LAST_FOR_TICKET);

	*when = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	return count_query(st, s, when, "last outbox entry");
}

static void read_entry(sqlite3_stmt *s, struct outbox_entry *e)
{
	e->id = sqlite3_column_int64(s, 0);
	e->ticket_id = sqlite3_column_int64(s, 1);
	e->kind = store_column_text(s, 2);
	e->envelope_from = store_column_text(s, 3);
	e->recipient = store_column_text(s, 4);
	e->message_id = store_column_text(s, 5);
	e->message = g_bytes_new(sqlite3_column_blob(s, 6), (gsize)sqlite3_column_bytes(s, 6));
	e->created = sqlite3_column_int64(s, 7);
	e->state = store_column_text(s, 8);
	e->attempts = sqlite3_column_int(s, 9);
	e->next_attempt = sqlite3_column_int64(s, 10);
	e->last_error = store_column_text(s, 11);
	e->done = sqlite3_column_int64(s, 12);
}

/* Whether anything is due, read without a transaction of our own: a
 * worker that finds nothing (most looks do: each delivery is followed
 * by one) then never takes the writer lock the messages wait for.
 * 1, 0 or -1. */
static int anything_due(struct store *st, int64_t now)
{
	sqlite3_stmt *s = stmt(st, OB_NEXT);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	if ((rc = store_step_one(st, s, "next outbox entry")) == 1)
		sqlite3_reset(s);
	return rc;
}

static int set_state(struct store *st, int slot, int64_t id, int64_t when, const char *error, const char *what)
{
	sqlite3_stmt *s = stmt(st, slot);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, when);
	if (error)
		store_bind_text(s, 3, error);
	return store_run(st, s, what);
}

static int record(struct store *st, const struct outbox_outcome *o)
{
	switch (o->kind) {
	case OUTBOX_SENT:
		return set_state(st, OB_SENT, o->id, o->when, NULL, "outbox sent");
	case OUTBOX_DEFERRED:
		return set_state(st, OB_DEFER, o->id, o->when, o->error, "outbox defer");
	default:
		return set_state(st, OB_FAIL, o->id, o->when, o->error, "outbox fail");
	}
}

/* Under the open transaction: the entry to take into *e, or 0. */
static int take_next(struct store *st, int64_t now, struct outbox_entry *e, bool *more)
{
	sqlite3_stmt *s = stmt(st, OB_NEXT);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	if ((rc = store_step_one(st, s, "next outbox entry")) <= 0)
		return rc;
	read_entry(s, e);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		/* SQLite may have ended the transaction: nothing more in it. */
		store_set_error(st, "next outbox entry");
		sqlite3_reset(s);
		return -1;
	}
	if (more)
		*more = rc == SQLITE_ROW;
	sqlite3_reset(s);
	if ((s = stmt(st, OB_MARK_SENDING)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, e->id);
	if (store_run(st, s, "mark sending") != 0)
		return -1;
	e->attempts++;
	return 1;
}

int store_outbox_take(struct store *st, int64_t now, const struct outbox_outcome *done, struct outbox_entry *e,
		      bool *more)
{
	int rc;

	memset(e, 0, sizeof *e);
	if (more)
		*more = false;
	if (done == NULL && (rc = anything_due(st, now)) <= 0)
		return rc;
	/* (Read again under the lock: another worker may have taken it.) */
	if (store_relax(st, true) != 0 || store_begin(st) != 0)
		goto fail;
	if ((done && record(st, done) != 0) || (rc = take_next(st, now, e, more)) < 0 || store_commit(st) != 0)
		goto fail;
	if (rc == 0)
		outbox_entry_clear(e);
	/* Committed: the entry is taken and must be delivered whatever this
	 * says (a store still relaxed tries again at its next store_relax). */
	store_relax(st, false);
	return rc;
fail:
	store_rollback(st);
	store_relax(st, false);
	outbox_entry_clear(e);
	if (more)
		*more = false;
	return -1;
}

int store_outbox_record(struct store *st, const struct outbox_outcome *o)
{
	int rc;

	/* The delivery states may be redone (see the top). */
	if (store_relax(st, true) != 0)
		return -1;
	rc = record(st, o);
	return store_relax(st, false) == 0 ? rc : -1;
}

/* The outcome with a copy of error (the outcome's is the filler's). */
static int record_copy(struct store *st, int64_t id, enum outbox_outcome_kind kind, int64_t when, const char *error)
{
	struct outbox_outcome o = { .id = id, .kind = kind, .when = when, .error = g_strdup(error) };
	int rc = store_outbox_record(st, &o);

	g_free(o.error);
	return rc;
}

int store_outbox_sent(struct store *st, int64_t id, int64_t now)
{
	return record_copy(st, id, OUTBOX_SENT, now, NULL);
}

int store_outbox_defer(struct store *st, int64_t id, int64_t next_attempt, const char *error)
{
	return record_copy(st, id, OUTBOX_DEFERRED, next_attempt, error);
}

int store_outbox_fail(struct store *st, int64_t id, int64_t now, const char *error)
{
	return record_copy(st, id, OUTBOX_FAILED, now, error);
}

int store_outbox_recover(struct store *st)
{
	sqlite3_stmt *s = stmt(st, OB_RECOVER);

	if (s == NULL || store_run(st, s, "outbox recover") != 0)
		return -1;
	return sqlite3_changes(st->db);
}

int store_outbox_retry_now(struct store *st, int64_t id, int64_t now)
{
	/* An operator's retry is not redone if lost: synced, unlike the rest. */
	if (set_state(st, OB_RETRY_NOW, id, now, NULL, "outbox retry") != 0)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

static void entry_free(gpointer p)
{
	outbox_entry_clear(p);
	g_free(p);
}

GPtrArray *store_outbox_list(struct store *st, bool failed_only, int limit)
{
	sqlite3_stmt *s = stmt(st, failed_only ? OB_LIST_FAILED : OB_LIST);
	GPtrArray *out;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int(s, 1, limit);
	out = g_ptr_array_new_with_free_func(entry_free);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct outbox_entry *e = g_new0(struct outbox_entry, 1);
		read_entry(s, e);
		g_ptr_array_add(out, e);
	}
	sqlite3_reset(s);
	return out;
}

int store_outbox_kind_of(struct store *st, const char *message_id, char **kind)
{
	sqlite3_stmt *s = stmt(st, OB_KIND_OF);
	int rc;

	*kind = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, message_id);
	if ((rc = store_step_one(st, s, "outbox kind")) == 1) {
		*kind = store_column_text(s, 0);
		sqlite3_reset(s);
	}
	return rc;
}

void outbox_entry_clear(struct outbox_entry *e)
{
	g_free(e->kind);
	g_free(e->envelope_from);
	g_free(e->recipient);
	g_free(e->message_id);
	if (e->message)
		g_bytes_unref(e->message);
	g_free(e->state);
	g_free(e->last_error);
	memset(e, 0, sizeof *e);
}
