/*
 * trust.c - the look-ups behind the evidence rules (see store.h,
 * "Trust"): our own mail, the queue-wide acknowledgement rate, the
 * participant cap, and a redelivery's stored evidence.  Room: store.
 */
#include "config.h"
#include "store/store_internal.h"

enum {
	TR_OUTBOX_BY_MSGID = STORE_TRUST_SLOT, TR_OUTBOX_COUNT_QUEUE, TR_MESSAGE_TRUST,
	TR_BY_THREAD_ROOT, TR_THREAD_ROOT, TR_SET_THREAD_ROOT,
	TR_END
};

G_STATIC_ASSERT(TR_END <= STORE_ZONE_SLOT);

static const char *const sql[TR_END - STORE_TRUST_SLOT] = {
	[TR_OUTBOX_BY_MSGID - STORE_TRUST_SLOT] =
		"SELECT message FROM outbox WHERE message_id = ?1 ORDER BY id LIMIT 1",
	/* Through outbox(created): the windows are minutes to an hour. */
	[TR_OUTBOX_COUNT_QUEUE - STORE_TRUST_SLOT] =
		"SELECT count(*) FROM outbox o JOIN tickets t ON t.id = o.ticket_id"
		" WHERE o.created >= ?2 AND t.queue = ?1 AND o.kind IN ('ack', 'reopened')",
	[TR_MESSAGE_TRUST - STORE_TRUST_SLOT] =
		"SELECT evidence, held_addresses FROM messages WHERE message_id = ?1 AND sender = ?2"
		" ORDER BY id LIMIT 1",
	[TR_BY_THREAD_ROOT - STORE_TRUST_SLOT] =
		"SELECT min(id) FROM (SELECT ticket_id AS id FROM messages WHERE thread_root = ?1"
		" UNION ALL SELECT id FROM tickets WHERE thread_root = ?1)",
	[TR_THREAD_ROOT - STORE_TRUST_SLOT] = "SELECT thread_root FROM tickets WHERE id = ?1",
	[TR_SET_THREAD_ROOT - STORE_TRUST_SLOT] = "UPDATE tickets SET thread_root = ?2 WHERE id = ?1",
};

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, sql[slot - STORE_TRUST_SLOT]);
}

int store_outbox_by_message_id(struct store *st, const char *message_id, GBytes **message)
{
	sqlite3_stmt *s = stmt(st, TR_OUTBOX_BY_MSGID);
	int rc;

	*message = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, message_id);
	rc = store_step_one(st, s, "look up our own Message-ID");
	if (rc == 1)
		*message = g_bytes_new(sqlite3_column_blob(s, 0), (gsize)sqlite3_column_bytes(s, 0));
	sqlite3_reset(s);
	return rc;
}

int store_outbox_count_queue(struct store *st, const char *queue, int64_t since, int *count)
{
	sqlite3_stmt *s = stmt(st, TR_OUTBOX_COUNT_QUEUE);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, queue);
	sqlite3_bind_int64(s, 2, since);
	rc = store_step_one(st, s, "count the queue's automatic replies");
	*count = rc == 1 ? sqlite3_column_int(s, 0) : 0;
	sqlite3_reset(s);
	return rc < 0 ? -1 : 0;
}

int store_message_trust(struct store *st, const char *message_id, const char *sender, char **evidence,
			char **held_addresses)
{
	sqlite3_stmt *s = stmt(st, TR_MESSAGE_TRUST);
	int rc;

	*evidence = *held_addresses = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, message_id);
	store_bind_text(s, 2, sender);
	rc = store_step_one(st, s, "look up a message's evidence");
	if (rc == 1) {
		*evidence = store_column_text(s, 0);
		*held_addresses = store_column_text(s, 1);
	}
	sqlite3_reset(s);
	return rc;
}

int store_ticket_by_thread_root(struct store *st, const char *root, int64_t *ticket_id)
{
	sqlite3_stmt *s = stmt(st, TR_BY_THREAD_ROOT);
	int rc;

	*ticket_id = 0;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, root);
	rc = store_step_one(st, s, "look up a Thread-Index");
	if (rc == 1) {
		*ticket_id = sqlite3_column_int64(s, 0);
		rc = *ticket_id != 0;
	}
	sqlite3_reset(s);
	return rc;
}

int store_ticket_thread_root(struct store *st, int64_t ticket_id, char **root)
{
	sqlite3_stmt *s = stmt(st, TR_THREAD_ROOT);
	int rc;

	*root = NULL;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	rc = store_step_one(st, s, "read a ticket's Thread-Index");
	if (rc == 1)
		*root = store_column_text(s, 0);
	sqlite3_reset(s);
	return rc < 0 ? -1 : 0;
}

int store_ticket_set_thread_root(struct store *st, int64_t ticket_id, const char *root)
{
	sqlite3_stmt *s = stmt(st, TR_SET_THREAD_ROOT);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	store_bind_text(s, 2, root);
	return store_run(st, s, "set a ticket's Thread-Index");
}
