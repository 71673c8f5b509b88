/*
 * customer_history.c - what the store knows of a customer's earlier
 * contact (store.h), for the wording of what we send them: a Japanese
 * acknowledgement greets a returning customer differently from a first
 * enquiry.
 * Room: store.
 */
#include "config.h"
#include "store/store_internal.h"

/* This file's statement cache slot (store_internal.h). */
#define HISTORY_SLOT_RETURNING STORE_HISTORY_SLOT
G_STATIC_ASSERT(HISTORY_SLOT_RETURNING < STORE_PROBLEMS_SLOT);

/* A customer row is written with their first ticket (store_customer_upsert
 * in the same transaction), so a customer older than the ticket had one
 * before it: two primary-key look-ups, whatever the size of the store,
 * where searching their tickets would need an index on tickets.customer_id.
 * Two tickets opened in the same second count as the first. */
int store_customer_returning(struct store *st, int64_t ticket_id, bool *returning)
{
	sqlite3_stmt *s = store_stmt(st, HISTORY_SLOT_RETURNING,
				     "SELECT c.created < t.created FROM tickets t"
				     " JOIN customers c ON c.id = t.customer_id WHERE t.id = ?1");
	int rc;

	*returning = false;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	if ((rc = store_step_one(st, s, "customer history")) == 1) {
		*returning = sqlite3_column_int(s, 0) != 0;
		sqlite3_reset(s);
	}
	return rc < 0 ? -1 : 0;
}
