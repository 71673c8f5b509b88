/*
 * participants.c - the participants of a ticket (see store.h): whether
 * an address is one, adding one, the list, how many there are, and
 * removing one (an agent's #cc -ADDRESS).
 * Room: store.
 */
#include "config.h"
#include "store/store_internal.h"

enum {
	PT_COUNT = STORE_PARTICIPANTS_SLOT, PT_REMOVE, PT_IS_PARTICIPANT, PT_ADD, PT_LIST,
	PT_END
};
G_STATIC_ASSERT(PT_END <= STORE_HISTORY_SLOT);

static const char *const sql[PT_END - STORE_PARTICIPANTS_SLOT] = {
	/* The people mail goes to: the customer and the Cc'd, not agents. */
	[PT_COUNT - STORE_PARTICIPANTS_SLOT] =
		"SELECT count(*) FROM participants WHERE ticket_id = ?1 AND role <> 'agent'",
	[PT_REMOVE - STORE_PARTICIPANTS_SLOT] = "DELETE FROM participants WHERE ticket_id = ?1 AND address = ?2",
	[PT_IS_PARTICIPANT - STORE_PARTICIPANTS_SLOT] =
		"SELECT 1 FROM participants WHERE ticket_id = ?1 AND address = ?2",
	[PT_ADD - STORE_PARTICIPANTS_SLOT] =
		"INSERT OR IGNORE INTO participants(ticket_id, address, name, role, added)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
	[PT_LIST - STORE_PARTICIPANTS_SLOT] =
		"SELECT address, name, role FROM participants WHERE ticket_id = ?1 ORDER BY added, address",
};

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, sql[slot - STORE_PARTICIPANTS_SLOT]);
}

int store_participant_count(struct store *st, int64_t ticket_id, int *count)
{
	sqlite3_stmt *s = stmt(st, PT_COUNT);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	if (store_step_one(st, s, "count participants") != 1)
		return -1;
	*count = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return 0;
}

int store_participant_remove(struct store *st, int64_t ticket_id, const char *address)
{
	sqlite3_stmt *s = stmt(st, PT_REMOVE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	store_bind_text(s, 2, address);
	if (store_run(st, s, "remove participant") != 0)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int store_is_participant(struct store *st, int64_t ticket_id, const char *address)
{
	sqlite3_stmt *s = stmt(st, PT_IS_PARTICIPANT);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	store_bind_text(s, 2, address);
	rc = store_step_one(st, s, "participant");
	if (rc == 1)
		sqlite3_reset(s);
	return rc;
}

int store_participant_add(struct store *st, int64_t ticket_id, const char *address,
			  const char *name, const char *role, int64_t now)
{
	sqlite3_stmt *s = stmt(st, PT_ADD);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	store_bind_text(s, 2, address);
	store_bind_text(s, 3, name);
	store_bind_text(s, 4, role);
	sqlite3_bind_int64(s, 5, now);
	return store_run(st, s, "add participant");
}

void store_participant_free(gpointer p)
{
	struct store_participant *pt = p;

	g_free(pt->address);
	g_free(pt->name);
	g_free(pt->role);
	g_free(pt);
}

GPtrArray *store_ticket_participants(struct store *st, int64_t ticket_id)
{
	sqlite3_stmt *s = stmt(st, PT_LIST);
	GPtrArray *out;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, ticket_id);
	out = g_ptr_array_new_with_free_func(store_participant_free);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct store_participant *p = g_new0(struct store_participant, 1);
		p->address = store_column_text(s, 0);
		p->name = store_column_text(s, 1);
		p->role = store_column_text(s, 2);
		g_ptr_array_add(out, p);
	}
	sqlite3_reset(s);
	return out;
}
