/*
 * customers.c - the customers table (see store.h): a customer added or
 * found by address, and what is kept of them: their language, the zone
 * an agent set and their tier.  Where a zone came from is in
 * customer_tz.c, their earlier tickets in customer_history.c.
 * Room: store.
 */
#include "config.h"
#include "store/store_internal.h"

enum {
	ST_CUSTOMER_UPSERT = STORE_CUSTOMERS_SLOT, ST_CUSTOMER_PREFS, ST_CUSTOMER_SET_LOCALE,
	ST_CUSTOMER_SET_TZ, ST_CUSTOMER_SET_TIER,
	ST_END
};
G_STATIC_ASSERT(ST_END <= STORE_LISTS_SLOT);

static const char *const sql[ST_END - STORE_CUSTOMERS_SLOT] = {
	[ST_CUSTOMER_UPSERT - STORE_CUSTOMERS_SLOT] =
		"INSERT INTO customers(address, name, created) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(address) DO UPDATE SET name = coalesce(excluded.name, name)"
		" RETURNING id",
	[ST_CUSTOMER_PREFS - STORE_CUSTOMERS_SLOT] = "SELECT locale, timezone FROM customers WHERE address = ?1",
	[ST_CUSTOMER_SET_LOCALE - STORE_CUSTOMERS_SLOT] = "UPDATE customers SET locale = ?2 WHERE address = ?1",
	[ST_CUSTOMER_SET_TZ - STORE_CUSTOMERS_SLOT] =
		"UPDATE customers SET timezone = ?2, timezone_source = 'agent' WHERE address = ?1",
	[ST_CUSTOMER_SET_TIER - STORE_CUSTOMERS_SLOT] = "UPDATE customers SET tier = ?2 WHERE address = ?1",
};

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, sql[slot - STORE_CUSTOMERS_SLOT]);
}

int store_customer_upsert(struct store *st, const char *address, const char *name, int64_t now, int64_t *id)
{
	sqlite3_stmt *s = stmt(st, ST_CUSTOMER_UPSERT);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, address);
	store_bind_text(s, 2, name);
	sqlite3_bind_int64(s, 3, now);
	if (store_step_one(st, s, "customer") != 1)
		return -1;
	*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int store_customer_prefs(struct store *st, const char *address, char **locale, char **zone)
{
	sqlite3_stmt *s = stmt(st, ST_CUSTOMER_PREFS);
	int rc;

	*locale = *zone = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, address);
	if ((rc = store_step_one(st, s, "customer preferences")) == 1) {
		*locale = store_column_text(s, 0);
		*zone = store_column_text(s, 1);
		sqlite3_reset(s);
	}
	return rc < 0 ? -1 : 0;
}

int store_customer_set_locale(struct store *st, const char *address, const char *locale)
{
	sqlite3_stmt *s = stmt(st, ST_CUSTOMER_SET_LOCALE);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, address);
	store_bind_text(s, 2, locale);
	return store_run(st, s, "set customer locale");
}

static int set_customer_text(struct store *st, int id, const char *address, const char *value)
{
	sqlite3_stmt *s = stmt(st, id);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, address);
	store_bind_text(s, 2, value);
	return store_run(st, s, "update customer");
}

int store_customer_set_timezone(struct store *st, const char *address, const char *zone)
{
	return set_customer_text(st, ST_CUSTOMER_SET_TZ, address, zone);
}

int store_customer_set_tier(struct store *st, const char *address, const char *tier)
{
	return set_customer_text(st, ST_CUSTOMER_SET_TIER, address, tier);
}
