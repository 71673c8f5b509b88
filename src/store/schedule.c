/*
 * schedule.c - the table of scheduled mail (see schedule.h).
 * Room: store.
 */
#include "config.h"
#include "store/schedule.h"
#include "store/store_internal.h"

#include <string.h>

enum {
	SC_ADD = STORE_SCHEDULE_SLOT, SC_OF_TICKET, SC_PAUSE, SC_RESUME, SC_CANCEL, SC_NEXT_DUE, SC_NEXT_LEASE,
	SC_CLAIM, SC_CLAIMED, SC_FINISH, SC_RELEASE, SC_PROMISED,
	SC_END
};
G_STATIC_ASSERT(SC_END <= STORE_MAX_STMTS);

#define SCHEDULE_COLUMNS \
	"id, coalesce(ticket_id, 0), kind, level, target, wall, budget, coalesce(at, 0), coalesce(send_at, 0)," \
	" coalesce(remaining, 0), state, claimed_by, coalesce(lease_until, 0), created, coalesce(done, 0), detail" \
	" FROM schedule"

static const char *const sql[SC_END - STORE_SCHEDULE_SLOT] = {
	[SC_ADD - STORE_SCHEDULE_SLOT] =
		"INSERT OR IGNORE INTO schedule(ticket_id, kind, level, target, wall, budget, at, send_at, remaining,"
		" state, created) VALUES (nullif(?1, 0), ?2, ?3, ?4, ?5, ?6, nullif(?7, 0), nullif(?8, 0), ?9, ?10, ?11)",
	[SC_OF_TICKET - STORE_SCHEDULE_SLOT] =
		"SELECT " SCHEDULE_COLUMNS " WHERE ticket_id = ?1 AND state IN ('due', 'paused') ORDER BY id",
	[SC_PAUSE - STORE_SCHEDULE_SLOT] =
		"UPDATE schedule SET state = 'paused', remaining = ?2, at = NULL, send_at = NULL"
		" WHERE id = ?1 AND state = 'due'",
	[SC_RESUME - STORE_SCHEDULE_SLOT] =
		"UPDATE schedule SET state = 'due', at = ?2, send_at = ?3, remaining = NULL WHERE id = ?1 AND state = 'paused'",
	[SC_CANCEL - STORE_SCHEDULE_SLOT] =
		"UPDATE schedule SET state = 'cancelled', done = ?2, detail = ?3, at = coalesce(at, ?2),"
		" send_at = coalesce(send_at, ?2) WHERE id = ?1 AND state IN ('due', 'paused')",
	/* Both read one index each, never the table. */
	[SC_NEXT_DUE - STORE_SCHEDULE_SLOT] = "SELECT min(send_at) FROM schedule WHERE state = 'due'",
	[SC_NEXT_LEASE - STORE_SCHEDULE_SLOT] = "SELECT min(lease_until) FROM schedule WHERE state = 'claimed'",
	[SC_CLAIM - STORE_SCHEDULE_SLOT] =
		"UPDATE schedule SET state = 'claimed', claimed_by = ?1, lease_until = ?3 WHERE id IN ("
		" SELECT id FROM (SELECT id, send_at AS t FROM schedule WHERE state = 'due' AND send_at <= ?2"
		"                 ORDER BY send_at LIMIT ?4)"
		" UNION ALL SELECT id FROM (SELECT id FROM schedule WHERE state = 'claimed' AND lease_until <= ?2"
		"                 ORDER BY lease_until LIMIT ?4))",
	[SC_CLAIMED - STORE_SCHEDULE_SLOT] =
		"SELECT " SCHEDULE_COLUMNS " WHERE state = 'claimed' AND claimed_by = ?1 AND lease_until = ?2"
		" ORDER BY send_at, id",
	[SC_FINISH - STORE_SCHEDULE_SLOT] =
		"UPDATE schedule SET state = ?3, done = ?4, detail = ?5, lease_until = NULL"
		" WHERE id = ?1 AND state = 'claimed' AND claimed_by = ?2",
	[SC_RELEASE - STORE_SCHEDULE_SLOT] =
		"UPDATE schedule SET state = 'due', claimed_by = NULL, lease_until = NULL"
		" WHERE id = ?1 AND state = 'claimed' AND claimed_by = ?2",
	[SC_PROMISED - STORE_SCHEDULE_SLOT] =
		"SELECT id, CASE WHEN first_response_at IS NULL AND first_response_due > 0 THEN first_response_due"
		"            ELSE resolution_due END AS due FROM tickets"
		" WHERE status IN ('new', 'open') AND due > 0 AND (?1 = 0 OR due < ?1) ORDER BY due, id",
};

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, sql[slot - STORE_SCHEDULE_SLOT]);
}

static void read_entry(sqlite3_stmt *s, struct schedule_entry *e)
{
	e->id = sqlite3_column_int64(s, 0);
	e->ticket_id = sqlite3_column_int64(s, 1);
	e->kind = store_column_text(s, 2);
	e->level = sqlite3_column_int(s, 3);
	e->target = store_column_text(s, 4);
	e->wall = sqlite3_column_int(s, 5) != 0;
	e->budget = sqlite3_column_int64(s, 6);
	e->at = sqlite3_column_int64(s, 7);
	e->send_at = sqlite3_column_int64(s, 8);
	e->remaining = sqlite3_column_int64(s, 9);
	e->state = store_column_text(s, 10);
	e->claimed_by = store_column_text(s, 11);
	e->lease_until = sqlite3_column_int64(s, 12);
	e->created = sqlite3_column_int64(s, 13);
	e->done = sqlite3_column_int64(s, 14);
	e->detail = store_column_text(s, 15);
}

/* Every row of s (bound) as entries; NULL on error. */
static GPtrArray *read_all(struct store *st, sqlite3_stmt *s, const char *what)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(schedule_entry_free);
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct schedule_entry *e = g_new0(struct schedule_entry, 1);
		read_entry(s, e);
		g_ptr_array_add(out, e);
	}
	if (rc != SQLITE_DONE) {
		store_set_error(st, what);
		g_ptr_array_free(out, TRUE);
		out = NULL;
	}
	sqlite3_reset(s);
	return out;
}

int store_schedule_add(struct store *st, struct schedule_entry *e)
{
	sqlite3_stmt *s = stmt(st, SC_ADD);
	bool paused = g_strcmp0(e->state, "paused") == 0;

	if (s == NULL)
		return -1;
	if (e->ticket_id)	/* 0: about no ticket (NULL, no ticket to refer to) */
		sqlite3_bind_int64(s, 1, e->ticket_id);
	store_bind_text(s, 2, e->kind);
	sqlite3_bind_int(s, 3, e->level);
	store_bind_text(s, 4, e->target ? e->target : "");
	sqlite3_bind_int(s, 5, e->wall);
	sqlite3_bind_int64(s, 6, e->budget);
	sqlite3_bind_int64(s, 7, paused ? 0 : e->at);
	sqlite3_bind_int64(s, 8, paused ? 0 : e->send_at);
	if (paused)
		sqlite3_bind_int64(s, 9, e->remaining);
	store_bind_text(s, 10, paused ? "paused" : "due");
	sqlite3_bind_int64(s, 11, e->created);
	if (store_run(st, s, "add scheduled mail") != 0)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return 0;
	e->id = sqlite3_last_insert_rowid(st->db);
	if (!paused && (st->scheduled_first == 0 || e->send_at < st->scheduled_first))
		st->scheduled_first = e->send_at;
	return 1;
}

GPtrArray *store_schedule_of_ticket(struct store *st, int64_t ticket_id)
{
	sqlite3_stmt *s = stmt(st, SC_OF_TICKET);

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, ticket_id);
	return read_all(st, s, "scheduled mail of a ticket");
}

/* Runs a one-row UPDATE: 1 changed, 0 not, -1 error. */
static int changed(struct store *st, sqlite3_stmt *s, const char *what)
{
	if (store_run(st, s, what) != 0)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int store_schedule_pause(struct store *st, int64_t id, int64_t remaining)
{
	sqlite3_stmt *s = stmt(st, SC_PAUSE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, remaining);
	return changed(st, s, "pause scheduled mail");
}

int store_schedule_resume(struct store *st, int64_t id, int64_t at, int64_t send_at)
{
	sqlite3_stmt *s = stmt(st, SC_RESUME);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, at);
	sqlite3_bind_int64(s, 3, send_at);
	rc = changed(st, s, "resume scheduled mail");
	if (rc == 1 && (st->scheduled_first == 0 || send_at < st->scheduled_first))
		st->scheduled_first = send_at;
	return rc;
}

int store_schedule_cancel(struct store *st, int64_t id, int64_t now, const char *why)
{
	sqlite3_stmt *s = stmt(st, SC_CANCEL);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	store_bind_text(s, 3, why);
	return changed(st, s, "cancel scheduled mail");
}

static int min_of(struct store *st, int slot, int64_t *when, const char *what)
{
	sqlite3_stmt *s = stmt(st, slot);
	int rc;

	*when = 0;
	if (s == NULL)
		return -1;
	if ((rc = store_step_one(st, s, what)) == 1) {
		*when = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	return rc < 0 ? -1 : 0;
}

int store_schedule_next(struct store *st, int64_t *when)
{
	int64_t due, lease;

	*when = 0;
	if (min_of(st, SC_NEXT_DUE, &due, "next scheduled mail") != 0 ||
	    min_of(st, SC_NEXT_LEASE, &lease, "next lease") != 0)
		return -1;
	*when = due && lease ? MIN(due, lease) : due ? due : lease;
	return 0;
}

GPtrArray *store_schedule_claim(struct store *st, const char *owner, int64_t now, int64_t lease_seconds, int limit)
{
	sqlite3_stmt *s;
	GPtrArray *claimed = NULL;
	int64_t until = now + lease_seconds;

	if (store_begin(st) != 0)
		return NULL;
	if ((s = stmt(st, SC_CLAIM)) == NULL)
		goto fail;
	store_bind_text(s, 1, owner);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, until);
	sqlite3_bind_int(s, 4, limit);
	if (store_run(st, s, "claim scheduled mail") != 0 || (s = stmt(st, SC_CLAIMED)) == NULL)
		goto fail;
	store_bind_text(s, 1, owner);
	sqlite3_bind_int64(s, 2, until);
	if ((claimed = read_all(st, s, "claimed scheduled mail")) == NULL || store_commit(st) != 0)
		goto fail;
	return claimed;
fail:
	if (claimed)
		g_ptr_array_free(claimed, TRUE);
	store_rollback(st);
	return NULL;
}

int store_schedule_finish(struct store *st, int64_t id, const char *owner, const char *state, int64_t now,
			  const char *detail)
{
	sqlite3_stmt *s = stmt(st, SC_FINISH);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, owner);
	store_bind_text(s, 3, state);
	sqlite3_bind_int64(s, 4, now);
	store_bind_text(s, 5, detail);
	return changed(st, s, "finish scheduled mail");
}

int store_schedule_release(struct store *st, int64_t id, const char *owner)
{
	sqlite3_stmt *s = stmt(st, SC_RELEASE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, owner);
	return changed(st, s, "release scheduled mail");
}

int64_t store_schedule_take_first(struct store *st)
{
	int64_t first = st->scheduled_first;

	st->scheduled_first = 0;
	return first;
}

GArray *store_tickets_promised_before(struct store *st, int64_t until)
{
	sqlite3_stmt *s = stmt(st, SC_PROMISED);
	GArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, until);
	out = g_array_new(FALSE, FALSE, sizeof(int64_t));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		g_array_append_val(out, id);
	}
	if (rc != SQLITE_DONE) {
		store_set_error(st, "tickets with a promise");
		g_array_free(out, TRUE);
		out = NULL;
	}
	sqlite3_reset(s);
	return out;
}

void schedule_entry_clear(struct schedule_entry *e)
{
	g_free(e->kind);
	g_free(e->target);
	g_free(e->state);
	g_free(e->claimed_by);
	g_free(e->detail);
	memset(e, 0, sizeof *e);
}

void schedule_entry_free(gpointer p)
{
	if (p == NULL)
		return;
	schedule_entry_clear(p);
	g_free(p);
}
