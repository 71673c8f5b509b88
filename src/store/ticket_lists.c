/*
 * ticket_lists.c - what ticketctl reads (see store.h, "Reading for
 * ticketctl"): tickets by status, a ticket's messages and events, and
 * the full-text search, whose index is brought up to date here.
 * Room: store.
 */
#include "config.h"
#include "store/store_internal.h"

#include <string.h>

enum {
	ST_SEARCH_PENDING = STORE_LISTS_SLOT, ST_SEARCH_INDEX, ST_SEARCH_MARK, ST_TICKET_LIST,
	ST_TICKET_LIST_STATUS, ST_TICKET_MESSAGES, ST_SEARCH, ST_EVENTS,
	ST_END
};
G_STATIC_ASSERT(ST_END <= STORE_OUTBOX_SLOT);

#define MESSAGE_COLUMNS \
	"id, ticket_id, direction, message_id, sender, recipients, subject, date, received," \
	" excerpt, size, sha256, queue_id, evidence, held_addresses, thread_root FROM messages"

static const char *const sql[ST_END - STORE_LISTS_SLOT] = {
	/* The newest of the next ?1 messages the search index lacks. */
	[ST_SEARCH_PENDING - STORE_LISTS_SLOT] =
		"SELECT max(id) FROM (SELECT id FROM messages WHERE id > (SELECT last_id FROM search_index)"
		" ORDER BY id LIMIT ?1)",
	[ST_SEARCH_INDEX - STORE_LISTS_SLOT] =
		"INSERT INTO messages_fts(rowid, subject, excerpt) SELECT id, subject, excerpt FROM messages"
		" WHERE id > (SELECT last_id FROM search_index) AND id <= ?1",
	[ST_SEARCH_MARK - STORE_LISTS_SLOT] = "UPDATE search_index SET last_id = ?1",
	[ST_TICKET_LIST - STORE_LISTS_SLOT] = "SELECT " TICKET_COLUMNS " ORDER BY t.updated DESC, t.id DESC LIMIT ?1",
	[ST_TICKET_LIST_STATUS - STORE_LISTS_SLOT] =
		"SELECT " TICKET_COLUMNS " WHERE t.status = ?2 ORDER BY t.updated DESC, t.id DESC LIMIT ?1",
	[ST_TICKET_MESSAGES - STORE_LISTS_SLOT] =
		"SELECT " MESSAGE_COLUMNS " WHERE ticket_id = ?1 ORDER BY received, id",
	[ST_SEARCH - STORE_LISTS_SLOT] =
		"SELECT DISTINCT " TICKET_COLUMNS " JOIN messages m ON m.ticket_id = t.id"
		" WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1)"
		" ORDER BY t.updated DESC LIMIT ?2",
	[ST_EVENTS - STORE_LISTS_SLOT] =
		"SELECT at, actor, kind, coalesce(detail, '') FROM events WHERE ticket_id = ?1 ORDER BY id",
};

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, sql[slot - STORE_LISTS_SLOT]);
}

static void ticket_free(gpointer p)
{
	store_ticket_clear(p);
	g_free(p);
}

static void message_row_free(gpointer p)
{
	store_message_clear(p);
	g_free(p);
}

static GPtrArray *collect_tickets(sqlite3_stmt *s)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(ticket_free);

	while (sqlite3_step(s) == SQLITE_ROW) {
		struct store_ticket *t = g_new0(struct store_ticket, 1);
		store_read_ticket(s, t);
		g_ptr_array_add(out, t);
	}
	sqlite3_reset(s);
	return out;
}

GPtrArray *store_ticket_list(struct store *st, const char *status, int limit)
{
	sqlite3_stmt *s = stmt(st, status ? ST_TICKET_LIST_STATUS : ST_TICKET_LIST);

	if (s == NULL)
		return NULL;
	sqlite3_bind_int(s, 1, limit);
	if (status)
		store_bind_text(s, 2, status);
	return collect_tickets(s);
}

GPtrArray *store_ticket_messages(struct store *st, int64_t ticket_id)
{
	sqlite3_stmt *s = stmt(st, ST_TICKET_MESSAGES);
	GPtrArray *out;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, ticket_id);
	out = g_ptr_array_new_with_free_func(message_row_free);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct store_message *m = g_new0(struct store_message, 1);
		const char *dir = (const char *)sqlite3_column_text(s, 2);
		m->id = sqlite3_column_int64(s, 0);
		m->ticket_id = sqlite3_column_int64(s, 1);
		m->direction = dir && strcmp(dir, "out") == 0 ? "out" : dir && strcmp(dir, "note") == 0 ? "note" : "in";
		m->message_id = store_column_text(s, 3);
		m->sender = store_column_text(s, 4);
		m->recipients = store_column_text(s, 5);
		m->subject = store_column_text(s, 6);
		m->date = sqlite3_column_int64(s, 7);
		m->received = sqlite3_column_int64(s, 8);
		m->excerpt = store_column_text(s, 9);
		m->size = sqlite3_column_int64(s, 10);
		m->sha256 = store_column_text(s, 11);
		m->queue_id = store_column_text(s, 12);
		m->evidence = store_column_text(s, 13);
		m->held_addresses = store_column_text(s, 14);
		m->thread_root = store_column_text(s, 15);
		g_ptr_array_add(out, m);
	}
	sqlite3_reset(s);
	return out;
}

int store_search_catch_up(struct store *st, int limit)
{
	sqlite3_stmt *s;
	int64_t upto = 0;
	int rc;

	/* An index that lags can be brought up to date again: no fsync. */
	if (store_relax(st, true) != 0 || store_begin(st) != 0)
		goto fail;
	if ((s = stmt(st, ST_SEARCH_PENDING)) == NULL)
		goto fail;
	sqlite3_bind_int(s, 1, limit);
	if ((rc = store_step_one(st, s, "search index pending")) < 0)
		goto fail;
	upto = rc == 1 ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (upto == 0) {
		store_rollback(st);
		return store_relax(st, false);
	}
	if ((s = stmt(st, ST_SEARCH_INDEX)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, upto);
	if (store_run(st, s, "search index") != 0)
		goto fail;
	rc = sqlite3_changes(st->db);
	if ((s = stmt(st, ST_SEARCH_MARK)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, upto);
	if (store_run(st, s, "search index mark") != 0 || store_commit(st) != 0)
		goto fail;
	return store_relax(st, false) == 0 ? rc : -1;
fail:
	store_rollback(st);
	store_relax(st, false);
	return -1;
}

GPtrArray *store_search(struct store *st, const char *words, int limit)
{
	sqlite3_stmt *s;

	/* What the daemon has not indexed yet (at most a second's worth);
	 * a reader that may not write searches what is indexed. */
	while (store_search_catch_up(st, 1000) > 0)
		;
	s = stmt(st, ST_SEARCH);
	GString *query = g_string_new(NULL);
	char **parts = g_strsplit_set(words, " \t\n", -1);
	GPtrArray *out;

	if (s == NULL) {
		g_strfreev(parts);
		g_string_free(query, TRUE);
		return NULL;
	}
	/* Each word becomes a quoted FTS5 string: user input is never query syntax. */
	for (char **p = parts; *p; p++) {
		if (**p == '\0')
			continue;
		if (query->len)
			g_string_append_c(query, ' ');
		g_string_append_c(query, '"');
		for (const char *c = *p; *c; c++) {
			if (*c == '"')
				g_string_append_c(query, '"');
			g_string_append_c(query, *c);
		}
		g_string_append_c(query, '"');
	}
	g_strfreev(parts);
	store_bind_text(s, 1, query->str);
	sqlite3_bind_int(s, 2, limit);
	out = query->len ? collect_tickets(s) : g_ptr_array_new_with_free_func(ticket_free);
	sqlite3_reset(s);
	g_string_free(query, TRUE);
	return out;
}

GPtrArray *store_ticket_events(struct store *st, int64_t ticket_id)
{
	sqlite3_stmt *s = stmt(st, ST_EVENTS);
	GPtrArray *out;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, ticket_id);
	out = g_ptr_array_new_with_free_func(g_free);
	while (sqlite3_step(s) == SQLITE_ROW)
		g_ptr_array_add(out, g_strdup_printf("%lld\t%s\t%s\t%s",
			(long long)sqlite3_column_int64(s, 0), sqlite3_column_text(s, 1),
			sqlite3_column_text(s, 2), sqlite3_column_text(s, 3)));
	sqlite3_reset(s);
	return out;
}
