/*
 * tickets.c - the tickets table (see store.h): finding a ticket by id or
 * by number, creating one with the next number of its tag, its status,
 * promise and the rest of its row, its rating, and which resolved ones
 * are due to close.  The row is read in one place (store_read_ticket),
 * for ticket_lists.c too.
 * Room: store.
 */
#include "config.h"
#include "store/store_internal.h"

#include <string.h>

enum {
	ST_TICKET_BY_ID = STORE_TICKETS_SLOT, ST_TICKET_BY_NUMBER, ST_NEXT_NUMBER, ST_TICKET_INSERT,
	ST_TICKET_TOUCH, ST_SET_STATUS, ST_SET_PROMISE, ST_TICKET_SAVE, ST_RATING_SET, ST_RATING_GET,
	ST_RESOLVED_BEFORE,
	ST_END
};
G_STATIC_ASSERT(ST_END <= STORE_MESSAGES_SLOT);

static const char *const sql[ST_END - STORE_TICKETS_SLOT] = {
	[ST_TICKET_BY_ID - STORE_TICKETS_SLOT] = "SELECT " TICKET_COLUMNS " WHERE t.id = ?1",
	[ST_TICKET_BY_NUMBER - STORE_TICKETS_SLOT] = "SELECT " TICKET_COLUMNS " WHERE t.tag = ?1 AND t.number = ?2",
	[ST_NEXT_NUMBER - STORE_TICKETS_SLOT] =
		"INSERT INTO ticket_numbers(tag, last) VALUES (?1, 1001)"
		" ON CONFLICT(tag) DO UPDATE SET last = last + 1 RETURNING last",
	[ST_TICKET_INSERT - STORE_TICKETS_SLOT] =
		"INSERT INTO tickets(queue, tag, number, subject, customer_id, created, updated)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
	[ST_TICKET_TOUCH - STORE_TICKETS_SLOT] = "UPDATE tickets SET updated = ?2 WHERE id = ?1",
	[ST_SET_STATUS - STORE_TICKETS_SLOT] = "UPDATE tickets SET status = ?2, updated = ?3 WHERE id = ?1",
	[ST_SET_PROMISE - STORE_TICKETS_SLOT] =
		"UPDATE tickets SET locale = ?2, priority = ?3, first_response_due = ?4, resolution_due = ?5"
		" WHERE id = ?1",
	[ST_TICKET_SAVE - STORE_TICKETS_SLOT] =
		"UPDATE tickets SET status = ?2, priority = ?3, assignee = ?4, first_response_due = nullif(?5, 0),"
		" resolution_due = nullif(?6, 0), first_response_at = nullif(?7, 0),"
		" first_response_kept = nullif(?8, -1), paused_at = nullif(?9, 0), resolved_at = nullif(?10, 0),"
		" merged_into = nullif(?11, 0), parent_id = nullif(?12, 0), locale = ?13, updated = ?14 WHERE id = ?1",
	[ST_RATING_SET - STORE_TICKETS_SLOT] =
		"INSERT INTO ratings(ticket_id, scale, rating, comment, at) VALUES (?1, ?5, ?2, ?3, ?4)"
		" ON CONFLICT(ticket_id) DO UPDATE SET scale = excluded.scale, rating = excluded.rating,"
		" comment = coalesce(excluded.comment, comment), at = excluded.at",
	[ST_RATING_GET - STORE_TICKETS_SLOT] = "SELECT rating, comment, scale FROM ratings WHERE ticket_id = ?1",
	[ST_RESOLVED_BEFORE - STORE_TICKETS_SLOT] =
		"SELECT id FROM tickets WHERE status = 'resolved' AND resolved_at < ?1 ORDER BY id",
};

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, sql[slot - STORE_TICKETS_SLOT]);
}

void store_read_ticket(sqlite3_stmt *s, struct store_ticket *t)
{
	t->id = sqlite3_column_int64(s, 0);
	t->queue = store_column_text(s, 1);
	t->number = (long)sqlite3_column_int64(s, 2);
	t->tag = store_column_text(s, 3);
	t->subject = store_column_text(s, 4);
	t->status = store_column_text(s, 5);
	t->priority = store_column_text(s, 6);
	t->customer_id = sqlite3_column_int64(s, 7);
	t->customer_address = store_column_text(s, 8);
	t->customer_name = store_column_text(s, 9);
	t->created = sqlite3_column_int64(s, 10);
	t->updated = sqlite3_column_int64(s, 11);
	t->locale = store_column_text(s, 12);
	t->first_response_due = sqlite3_column_int64(s, 13);
	t->resolution_due = sqlite3_column_int64(s, 14);
	t->assignee = store_column_text(s, 15);
	t->first_response_at = sqlite3_column_int64(s, 16);
	t->first_response_kept = sqlite3_column_int(s, 17);
	t->paused_at = sqlite3_column_int64(s, 18);
	t->resolved_at = sqlite3_column_int64(s, 19);
	t->merged_into = sqlite3_column_int64(s, 20);
	t->parent_id = sqlite3_column_int64(s, 21);
}

int store_ticket_by_id(struct store *st, int64_t id, struct store_ticket *out)
{
	sqlite3_stmt *s = stmt(st, ST_TICKET_BY_ID);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = store_step_one(st, s, "ticket by id")) == 1) {
		store_read_ticket(s, out);
		sqlite3_reset(s);
	}
	return rc;
}

int store_ticket_by_number(struct store *st, const char *tag, long number, struct store_ticket *out)
{
	sqlite3_stmt *s = stmt(st, ST_TICKET_BY_NUMBER);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, tag);
	sqlite3_bind_int64(s, 2, number);
	if ((rc = store_step_one(st, s, "ticket by number")) == 1) {
		store_read_ticket(s, out);
		sqlite3_reset(s);
	}
	return rc;
}

int store_ticket_create(struct store *st, const char *queue, const char *tag, const char *subject,
			int64_t customer_id, int64_t now, struct store_ticket *out)
{
	sqlite3_stmt *s = stmt(st, ST_NEXT_NUMBER);
	long number;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, tag);
	if (store_step_one(st, s, "ticket number") != 1)
		return -1;
	number = (long)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);

	if ((s = stmt(st, ST_TICKET_INSERT)) == NULL)
		return -1;
	store_bind_text(s, 1, queue);
	store_bind_text(s, 2, tag);
	sqlite3_bind_int64(s, 3, number);
	store_bind_text(s, 4, subject);
	sqlite3_bind_int64(s, 5, customer_id);
	sqlite3_bind_int64(s, 6, now);
	if (store_run(st, s, "create ticket") != 0)
		return -1;
	return store_ticket_by_id(st, sqlite3_last_insert_rowid(st->db), out) == 1 ? 0 : -1;
}

int store_ticket_touch(struct store *st, int64_t ticket_id, int64_t now)
{
	sqlite3_stmt *s = stmt(st, ST_TICKET_TOUCH);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, now);
	return store_run(st, s, "touch ticket");
}

int store_ticket_set_status(struct store *st, int64_t ticket_id, const char *status, int64_t now)
{
	sqlite3_stmt *s = stmt(st, ST_SET_STATUS);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	store_bind_text(s, 2, status);
	sqlite3_bind_int64(s, 3, now);
	return store_run(st, s, "set status");
}

int store_ticket_set_promise(struct store *st, int64_t ticket_id, const char *locale, const char *priority,
			     int64_t first_response_due, int64_t resolution_due)
{
	sqlite3_stmt *s = stmt(st, ST_SET_PROMISE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	store_bind_text(s, 2, locale);
	store_bind_text(s, 3, priority);
	if (first_response_due)
		sqlite3_bind_int64(s, 4, first_response_due);
	if (resolution_due)
		sqlite3_bind_int64(s, 5, resolution_due);
	return store_run(st, s, "set promise");
}

int store_ticket_save(struct store *st, const struct store_ticket *t, int64_t now)
{
	sqlite3_stmt *s = stmt(st, ST_TICKET_SAVE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, t->id);
	store_bind_text(s, 2, t->status);
	store_bind_text(s, 3, t->priority);
	store_bind_text(s, 4, t->assignee);
	sqlite3_bind_int64(s, 5, t->first_response_due);
	sqlite3_bind_int64(s, 6, t->resolution_due);
	sqlite3_bind_int64(s, 7, t->first_response_at);
	sqlite3_bind_int(s, 8, t->first_response_kept);
	sqlite3_bind_int64(s, 9, t->paused_at);
	sqlite3_bind_int64(s, 10, t->resolved_at);
	sqlite3_bind_int64(s, 11, t->merged_into);
	sqlite3_bind_int64(s, 12, t->parent_id);
	store_bind_text(s, 13, t->locale);
	sqlite3_bind_int64(s, 14, now);
	return store_run(st, s, "save ticket");
}

int store_rating_record(struct store *st, int64_t ticket_id, const char *scale, int rating, const char *comment,
			int64_t at)
{
	sqlite3_stmt *s = stmt(st, ST_RATING_SET);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int(s, 2, rating);
	store_bind_text(s, 3, comment && *comment ? comment : NULL);
	sqlite3_bind_int64(s, 4, at);
	store_bind_text(s, 5, scale);
	return store_run(st, s, "record rating");
}

int store_rating_get(struct store *st, int64_t ticket_id, char **scale, int *rating, char **comment)
{
	sqlite3_stmt *s = stmt(st, ST_RATING_GET);
	int rc;

	*rating = 0;
	if (comment)
		*comment = NULL;
	if (scale)
		*scale = NULL;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	if ((rc = store_step_one(st, s, "rating")) == 1) {
		*rating = sqlite3_column_int(s, 0);
		if (comment)
			*comment = store_column_text(s, 1);
		if (scale)
			*scale = store_column_text(s, 2);
		sqlite3_reset(s);
	}
	return rc < 0 ? -1 : 0;
}

GArray *store_tickets_resolved_before(struct store *st, int64_t before)
{
	sqlite3_stmt *s = stmt(st, ST_RESOLVED_BEFORE);
	GArray *out;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, before);
	out = g_array_new(FALSE, FALSE, sizeof(int64_t));
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		g_array_append_val(out, id);
	}
	sqlite3_reset(s);
	return out;
}

void store_ticket_clear(struct store_ticket *t)
{
	g_free(t->queue);
	g_free(t->tag);
	g_free(t->subject);
	g_free(t->status);
	g_free(t->priority);
	g_free(t->customer_address);
	g_free(t->customer_name);
	g_free(t->locale);
	g_free(t->assignee);
	memset(t, 0, sizeof *t);
}
