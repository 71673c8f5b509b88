/*
 * messages.c - what happened on a ticket (see store.h): its messages,
 * found by Message-ID (threading, redeliveries) and added, and its event
 * log.
 * Room: store.
 */
#include "config.h"
#include "store/store_internal.h"

#include <string.h>

enum {
	ST_TICKET_BY_MSGID = STORE_MESSAGES_SLOT, ST_DUPLICATE, ST_MESSAGE_INSERT, ST_EVENT_INSERT,
	ST_END
};
G_STATIC_ASSERT(ST_END <= STORE_CUSTOMERS_SLOT);

static const char *const sql[ST_END - STORE_MESSAGES_SLOT] = {
	[ST_TICKET_BY_MSGID - STORE_MESSAGES_SLOT] =
		"SELECT ticket_id FROM messages WHERE message_id = ?1 ORDER BY id LIMIT 1",
	[ST_DUPLICATE - STORE_MESSAGES_SLOT] = "SELECT ticket_id FROM messages WHERE message_id = ?1 AND sender = ?2",
	[ST_MESSAGE_INSERT - STORE_MESSAGES_SLOT] =
		"INSERT INTO messages(ticket_id, direction, message_id, sender, recipients, subject,"
		" date, received, excerpt, size, sha256, queue_id, evidence, held_addresses, thread_root)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[ST_EVENT_INSERT - STORE_MESSAGES_SLOT] =
		"INSERT INTO events(ticket_id, at, actor, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
};

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, sql[slot - STORE_MESSAGES_SLOT]);
}

static int lookup_id(struct store *st, int id, const char *a, const char *b,
		     int64_t *out, const char *what)
{
	sqlite3_stmt *s = stmt(st, id);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, a);
	if (b)
		store_bind_text(s, 2, b);
	if ((rc = store_step_one(st, s, what)) == 1) {
		*out = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	return rc;
}

int store_ticket_by_message_id(struct store *st, const char *message_id, int64_t *ticket_id)
{
	return lookup_id(st, ST_TICKET_BY_MSGID, message_id, NULL, ticket_id, "ticket by message-id");
}

int store_find_duplicate(struct store *st, const char *message_id, const char *sender, int64_t *ticket_id)
{
	return lookup_id(st, ST_DUPLICATE, message_id, sender, ticket_id, "find duplicate");
}

int store_message_add(struct store *st, struct store_message *m)
{
	sqlite3_stmt *s = stmt(st, ST_MESSAGE_INSERT);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, m->ticket_id);
	store_bind_text(s, 2, m->direction);
	store_bind_text(s, 3, m->message_id);
	store_bind_text(s, 4, m->sender);
	store_bind_text(s, 5, m->recipients ? m->recipients : "");
	store_bind_text(s, 6, m->subject ? m->subject : "");
	if (m->date)
		sqlite3_bind_int64(s, 7, m->date);
	sqlite3_bind_int64(s, 8, m->received);
	store_bind_text(s, 9, m->excerpt ? m->excerpt : "");
	sqlite3_bind_int64(s, 10, m->size);
	store_bind_text(s, 11, m->sha256);
	store_bind_text(s, 12, m->queue_id);
	store_bind_text(s, 13, m->evidence);
	store_bind_text(s, 14, m->held_addresses);
	store_bind_text(s, 15, m->thread_root);
	if (store_run(st, s, "add message") != 0)
		return -1;
	m->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

void store_message_clear(struct store_message *m)
{
	g_free(m->message_id);
	g_free(m->sender);
	g_free(m->recipients);
	g_free(m->subject);
	g_free(m->excerpt);
	g_free(m->sha256);
	g_free(m->queue_id);
	g_free(m->evidence);
	g_free(m->held_addresses);
	g_free(m->thread_root);
	memset(m, 0, sizeof *m);
}

int store_event_add(struct store *st, int64_t ticket_id, int64_t at, const char *actor,
		    const char *kind, const char *detail)
{
	sqlite3_stmt *s = stmt(st, ST_EVENT_INSERT);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, at);
	store_bind_text(s, 3, actor);
	store_bind_text(s, 4, kind);
	store_bind_text(s, 5, detail);
	return store_run(st, s, "add event");
}
