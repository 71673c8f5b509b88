/*
 * customer_tz.c - where a customer's time zone came from: set by an
 * agent, or inferred from their mail (store.h, customer_zone.h).  An
 * inference never replaces an agent's zone; the WHERE clause says so, so
 * that no caller can get it wrong.
 * Room: store.
 */
#include "config.h"
#include "store/store_internal.h"

enum {
	TZ_SOURCE = STORE_ZONE_SLOT, TZ_INFER,
	TZ_END
};
G_STATIC_ASSERT(TZ_END <= STORE_PARTICIPANTS_SLOT);

static const char *const sql[TZ_END - STORE_ZONE_SLOT] = {
	[TZ_SOURCE - STORE_ZONE_SLOT] = "SELECT timezone_source FROM customers WHERE address = ?1",
	/* A zone stored without a source predates schema 5: an agent's. */
	[TZ_INFER - STORE_ZONE_SLOT] =
		"UPDATE customers SET timezone = ?2, timezone_source = 'inferred'"
		" WHERE address = ?1 AND (timezone IS NULL OR timezone_source = 'inferred')",
};

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, sql[slot - STORE_ZONE_SLOT]);
}

int store_customer_timezone_source(struct store *st, const char *address, char **source)
{
	sqlite3_stmt *s = stmt(st, TZ_SOURCE);
	int rc;

	*source = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, address);
	if ((rc = store_step_one(st, s, "customer time zone source")) == 1) {
		*source = store_column_text(s, 0);
		sqlite3_reset(s);
	}
	return rc < 0 ? -1 : 0;
}

int store_customer_infer_timezone(struct store *st, const char *address, const char *zone)
{
	sqlite3_stmt *s = stmt(st, TZ_INFER);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, address);
	store_bind_text(s, 2, zone);
	return store_run(st, s, "inferred customer time zone");
}
