/*
 * participants.c - the participants of a ticket beyond adding them (see
 * store.h): how many there are, and removing one (an agent's #cc
 * -ADDRESS).  Adding and listing stay in store.c.
 */
#include "config.h"
#include "store/store_internal.h"

enum {
	PT_COUNT = STORE_PARTICIPANTS_SLOT, PT_REMOVE,
	PT_END
};
G_STATIC_ASSERT(PT_END <= STORE_MAX_STMTS);

static const char *const sql[PT_END - STORE_PARTICIPANTS_SLOT] = {
	/* The people mail goes to: the customer and the Cc'd, not agents. */
	[PT_COUNT - STORE_PARTICIPANTS_SLOT] =
		"SELECT count(*) FROM participants WHERE ticket_id = ?1 AND role <> 'agent'",
	[PT_REMOVE - STORE_PARTICIPANTS_SLOT] = "DELETE FROM participants WHERE ticket_id = ?1 AND address = ?2",
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
