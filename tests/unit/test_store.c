/* test_store.c - schema, migrations and the store's operations on real SQLite. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "../../src/store/schema.h"

#include <glib.h>
#include <sqlite3.h>

static char *query_text(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *out = NULL;

	sqlite3_open(path, &db);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		out = g_strdup((const char *)sqlite3_column_text(st, 0));
	else
		out = g_strdup(sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

int main(void)
{
	struct fixture f;
	struct store_ticket t1 = { 0 }, t2 = { 0 }, t3 = { 0 }, found = { 0 };
	struct store_message m = { 0 };
	int64_t customer, ticket;
	char *v, *db, *error = NULL;
	GPtrArray *list;

	fixture_setup(&f, NULL);
	db = g_build_filename(f.dir, "tickets.db", NULL);
	is_int(STORE_SCHEMA_VERSION, schema_latest_version(), "header version matches the migrations");
	is_int(store_version_found(f.store), 0, "fresh database started at version 0");
	v = query_text(db, "PRAGMA user_version");
	is_str(v, "1", "migrated to version 1");
	g_free(v);
	v = query_text(db, "PRAGMA journal_mode");
	is_str(v, "wal", "WAL mode");
	g_free(v);

	ok(store_begin(f.store) == 0, "begin");
	ok(store_customer_upsert(f.store, "anna@example.org", "Anna", 100, &customer) == 0, "customer created");
	{
		int64_t again;
		ok(store_customer_upsert(f.store, "ANNA@example.org", NULL, 101, &again) == 0 && again == customer,
		   "same customer, any case, keeps its id");
	}
	ok(store_ticket_create(f.store, "support", "SUP", "Printer on fire", customer, 100, &t1) == 0, "ticket 1");
	ok(store_ticket_create(f.store, "support", "SUP", "Second", customer, 100, &t2) == 0, "ticket 2");
	ok(store_ticket_create(f.store, "sales", "SAL", "Other queue", customer, 100, &t3) == 0, "ticket in other queue");
	is_int(t1.number, 1001, "numbers start at 1001");
	is_int(t2.number, 1002, "numbers follow per tag");
	is_int(t3.number, 1001, "each tag counts on its own");
	is_str(t1.status, "new", "new status");
	is_str(t1.customer_name, "Anna", "customer joined in");

	m.ticket_id = t1.id;
	m.direction = "in";
	m.message_id = g_strdup("abc@example.org");
	m.sender = g_strdup("anna@example.org");
	m.recipients = g_strdup("support@example.com");
	m.subject = g_strdup("Printer on fire");
	m.received = 100;
	m.excerpt = g_strdup("The printer in room 12 is smoking.");
	m.size = 123;
	m.sha256 = g_strdup("00");
	ok(store_message_add(f.store, &m) == 0 && m.id > 0, "message added");
	ok(store_message_add(f.store, &m) != 0, "same Message-ID and sender twice is refused by the schema");
	ok(store_participant_add(f.store, t1.id, "anna@example.org", "Anna", "customer", 100) == 0, "participant");
	ok(store_participant_add(f.store, t1.id, "Anna@Example.org", NULL, "cc", 100) == 0, "participant again is a no-op");
	ok(store_event_add(f.store, t1.id, 100, "anna@example.org", "created", NULL) == 0, "event");
	ok(store_commit(f.store) == 0, "commit");

	ok(store_ticket_by_message_id(f.store, "abc@example.org", &ticket) == 1 && ticket == t1.id, "by message-id");
	ok(store_ticket_by_message_id(f.store, "nope@example.org", &ticket) == 0, "unknown message-id");
	ok(store_find_duplicate(f.store, "abc@example.org", "anna@example.org", &ticket) == 1, "duplicate found");
	ok(store_find_duplicate(f.store, "abc@example.org", "eve@example.org", &ticket) == 0,
	   "same Message-ID from someone else is no duplicate");
	ok(store_is_participant(f.store, t1.id, "ANNA@example.org") == 1, "participant, any case");
	ok(store_is_participant(f.store, t2.id, "anna@example.org") == 0, "not a participant of ticket 2");
	ok(store_ticket_by_number(f.store, "SUP", 1002, &found) == 1 && found.id == t2.id, "by number");
	store_ticket_clear(&found);
	ok(store_ticket_by_number(f.store, "SUP", 9999, &found) == 0, "unknown number");

	list = store_search(f.store, "smoking", 10);
	ok(list && list->len == 1, "full-text search finds the excerpt");
	g_ptr_array_free(list, TRUE);
	list = store_search(f.store, "\"unbalanced OR NEAR(", 10);
	ok(list && list->len == 0, "search input is never FTS syntax");
	g_ptr_array_free(list, TRUE);
	list = store_ticket_list(f.store, "new", 10);
	ok(list && list->len == 3, "list by status");
	g_ptr_array_free(list, TRUE);
	list = store_ticket_messages(f.store, t1.id);
	ok(list && list->len == 1, "thread messages");
	g_ptr_array_free(list, TRUE);

	v = query_text(db, "UPDATE events SET kind = 'x'");
	ok(strstr(v, "append-only") != NULL, "events cannot be updated: %s", v);
	g_free(v);
	v = query_text(db, "DELETE FROM events");
	ok(strstr(v, "append-only") != NULL, "events cannot be deleted");
	g_free(v);

	ok(store_begin(f.store) == 0, "begin for rollback");
	ok(store_ticket_create(f.store, "support", "SUP", "Rolled back", customer, 100, &found) == 0, "write");
	store_ticket_clear(&found);
	store_rollback(f.store);
	list = store_ticket_list(f.store, NULL, 10);
	ok(list && list->len == 3, "rollback leaves nothing behind");
	g_ptr_array_free(list, TRUE);

	store_close(f.store);
	f.store = store_open(db, 1000, &error);
	ok(f.store && store_version_found(f.store) == 1, "reopen finds version 1, no migration");
	store_close(f.store);
	g_free(query_text(db, "PRAGMA user_version = 99"));
	f.store = store_open(db, 1000, &error);
	ok(f.store == NULL && error && strstr(error, "newer than this program"), "newer schema refused: %s", error);
	g_free(error);
	error = NULL;
	{
		char *junk = fixture_write(&f, "junk.db", "this is not a database, just text padding it out to a page.");
		struct store *st = store_open(junk, 100, &error);
		ok(st == NULL && error != NULL, "a corrupt file is an error, not a crash: %s", error);
		store_close(st);
		g_free(error);
		g_free(junk);
	}

	store_ticket_clear(&t1);
	store_ticket_clear(&t2);
	store_ticket_clear(&t3);
	store_message_clear(&m);
	g_free(db);
	fixture_teardown(&f);
	return tap_done();
}
