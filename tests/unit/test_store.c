/* test_store.c - schema, migrations and the store's operations on real SQLite. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "store/schema.h"
#include "store/store_internal.h"

#include <glib.h>
#include <sqlite3.h>
#include <stdlib.h>

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

static char *outbox_state(const char *path, int64_t id)
{
	char *sql = g_strdup_printf("SELECT state FROM outbox WHERE id = %lld", (long long)id);
	char *state = query_text(path, sql);

	g_free(sql);
	return state;
}

/* The statement of st whose SQL holds text, or NULL. */
static sqlite3_stmt *statement_with(struct store *st, const char *text)
{
	for (sqlite3_stmt *s = sqlite3_next_stmt(st->db, NULL); s; s = sqlite3_next_stmt(st->db, s))
		if (strstr(sqlite3_sql(s), text))
			return s;
	return NULL;
}

/* Taking an entry from a backlog reads the entries due first, not the
 * whole backlog: SQLite's count of virtual machine steps, which does not
 * depend on the machine's speed. */
static void test_outbox_take_in_backlog(struct store *st)
{
	enum { BACKLOG = 2000 };
	struct outbox_entry e = { .kind = "ack", .envelope_from = "", .recipient = "backlog@example.org" }, got = { 0 };
	sqlite3_stmt *next;
	int added = 0, steps;

	e.message = g_bytes_new_static("Subject: x\n\nbody\n", 17);
	ok(store_begin(st) == 0, "backlog: begin");
	for (int i = 0; i < BACKLOG; i++) {
		e.message_id = g_strdup_printf("backlog%d@support.example.com", i);
		e.created = 50000 + i;
		added += store_outbox_add(st, &e) == 0;
		g_free(e.message_id);
	}
	ok(store_commit(st) == 0 && added == BACKLOG, "backlog: %d entries queued", added);
	g_bytes_unref(e.message);
	ok(store_outbox_take(st, 50000 + BACKLOG, NULL, &got, NULL) == 1 &&
	   strcmp(got.message_id, "backlog0@support.example.com") == 0,
	   "backlog: the entry due first is taken");
	outbox_entry_clear(&got);
	next = statement_with(st, "NOT EXISTS");
	ok(next != NULL, "backlog: the take's statement found");
	if (next) {	/* the counts from here on: the second take only */
		sqlite3_stmt_status(next, SQLITE_STMTSTATUS_VM_STEP, 1);
		sqlite3_stmt_status(next, SQLITE_STMTSTATUS_SORT, 1);
	}
	ok(store_outbox_take(st, 50000 + BACKLOG, NULL, &got, NULL) == 1 &&
	   strcmp(got.message_id, "backlog1@support.example.com") == 0,
	   "backlog: then the next");
	outbox_entry_clear(&got);
	steps = next ? sqlite3_stmt_status(next, SQLITE_STMTSTATUS_VM_STEP, 0) : -1;
	ok(steps > 0 && steps < 200, "backlog: one take of %d queued took %d steps (reading them all: over %d)",
	   BACKLOG, steps, BACKLOG);
	ok(next && sqlite3_stmt_status(next, SQLITE_STMTSTATUS_SORT, 0) == 0, "backlog: and no sort");
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
	ok(atoi(v) == STORE_SCHEMA_VERSION, "migrated to the latest version (%s)", v);
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

	v = query_text(db, "SELECT count(*) FROM messages_fts_docsize");
	is_str(v, "0", "a message is not indexed in its own transaction");
	g_free(v);
	ok(store_search_catch_up(f.store, 1000) >= 1, "the search index catches up in a batch");
	is_int(store_search_catch_up(f.store, 1000), 0, "and is then up to date");
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

	{
		/* The outbox: order per ticket, deferral, failure, crash recovery. */
		struct outbox_entry e = { 0 }, got = { 0 };
		int n = -1;
		int64_t last = -1, ids[3];
		bool more = true;
		sqlite3 *other = NULL;
		struct outbox_outcome done;
		for (int i = 0; i < 3; i++) {
			char *mid = g_strdup_printf("ack%d@support.example.com", i);
			e.ticket_id = i < 2 ? t1.id : t2.id;
			e.kind = "ack";
			e.envelope_from = "";
			e.recipient = "anna@example.org";
			e.message_id = mid;
			e.message = g_bytes_new_static("Subject: x\n\nbody\n", 17);
			e.created = 1000 + i;
			ok(store_outbox_add(f.store, &e) == 0, "outbox entry %d added", i);
			ids[i] = e.id;
			g_bytes_unref(e.message);
			g_free(mid);
		}
		ok(store_outbox_count_to(f.store, "ANNA@example.org", 1001, &n) == 0 && n == 2, "rate count since a time");
		ok(store_outbox_last_for_ticket(f.store, t1.id, &last) == 0 && last == 1001, "last reply to a ticket");
		ok(store_outbox_take(f.store, 999, NULL, &got, &more) == 0 && !more, "nothing due before its time");
		/* Another connection writing: a look that finds nothing does
		 * not wait for it (it takes no write lock). */
		ok(sqlite3_open(db, &other) == SQLITE_OK && sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK,
		   "another connection writes");
		ok(store_outbox_take(f.store, 999, NULL, &got, NULL) == 0, "nothing due: found without waiting for the writer");
		sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(other);
		ok(store_outbox_take(f.store, 2000, NULL, &got, &more) == 1 && got.id == ids[0] && got.attempts == 1 &&
		   strcmp(got.state, "queued") == 0, "oldest entry taken");
		ok(more, "and another ticket's entry could go at once");
		outbox_entry_clear(&got);
		ok(store_outbox_take(f.store, 2000, NULL, &got, &more) == 1 && got.id == ids[2],
		   "the second entry of the same ticket waits for the first; another ticket's goes");
		ok(!more, "then nothing more can go now");
		done = (struct outbox_outcome){ .id = got.id, .kind = OUTBOX_SENT, .when = 2000 };
		outbox_entry_clear(&got);
		ok(store_outbox_take(f.store, 2000, &done, &got, NULL) == 0, "still nothing for ticket 1 while its first is sending");
		v = outbox_state(db, ids[2]);
		is_str(v, "sent", "the delivery before recorded by the same call");
		g_free(v);
		ok(store_outbox_recover(f.store) == 1, "a crash leaves one 'sending' entry, recovered");
		ok(store_outbox_take(f.store, 2000, NULL, &got, NULL) == 1 && got.id == ids[0] && got.attempts == 2 &&
		   g_bytes_get_size(got.message) == 17, "taken again after recovery, attempt 2, same bytes");
		ok(store_outbox_defer(f.store, got.id, 3000, "451 try later") == 0, "deferred");
		outbox_entry_clear(&got);
		ok(store_outbox_take(f.store, 2500, NULL, &got, NULL) == 0, "a deferred entry waits for its time");
		ok(store_outbox_take(f.store, 3000, NULL, &got, NULL) == 1 && got.id == ids[0] &&
		   strcmp(got.last_error, "451 try later") == 0, "and goes when due");
		done = (struct outbox_outcome){ .id = got.id, .kind = OUTBOX_FAILED, .when = 3000,
						.error = g_strdup("550 no such user") };
		outbox_entry_clear(&got);
		ok(store_outbox_take(f.store, 4000, &done, &got, NULL) == 1 && got.id == ids[1],
		   "recorded failed with the next take, which it no longer blocks");
		g_free(done.error);
		/* A take that cannot write records nothing: the outcome stays
		 * the caller's to record again. */
		done = (struct outbox_outcome){ .id = got.id, .kind = OUTBOX_SENT, .when = 4000 };
		outbox_entry_clear(&got);
		ok(sqlite3_open(db, &other) == SQLITE_OK && sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK,
		   "another connection holds the write lock");
		ok(store_outbox_take(f.store, 4000, &done, &got, NULL) == -1, "a take with an outcome to record waits, then fails");
		sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(other);
		v = outbox_state(db, ids[1]);
		is_str(v, "sending", "and has not recorded it");
		g_free(v);
		ok(store_outbox_record(f.store, &done) == 0, "recorded on its own");
		v = outbox_state(db, ids[1]);
		is_str(v, "sent", "sent");
		g_free(v);
		list = store_outbox_list(f.store, true, 10);
		ok(list && list->len == 1, "ticketctl outbox --failed lists the failed entry");
		g_ptr_array_free(list, TRUE);
		ok(store_outbox_retry_now(f.store, ids[0], 5000) == 1, "retry a failed entry");
		ok(store_outbox_take(f.store, 5000, NULL, &got, NULL) == 1 && got.id == ids[0], "it is due again");
		outbox_entry_clear(&got);
		ok(store_outbox_retry_now(f.store, 999999, 5000) == 0, "retry of an unknown entry");
	}
	test_outbox_take_in_backlog(f.store);

	store_close(f.store);
	f.store = store_open(db, 1000, &error);
	ok(f.store && store_version_found(f.store) == STORE_SCHEMA_VERSION, "reopen finds the latest version, no migration");
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

	{
		/* A version 1 database with a ticket in it migrates forward intact. */
		char *old = g_build_filename(f.dir, "v1.db", NULL);
		char *sql = g_strdup_printf("%s PRAGMA user_version = 1;", schema_migration(0));
		sqlite3 *h;
		struct store *st;
		struct store_ticket t = { 0 };
		sqlite3_open(old, &h);
		sqlite3_exec(h, sql, NULL, NULL, NULL);
		sqlite3_exec(h, "INSERT INTO customers(address, created) VALUES ('old@example.org', 1);"
			     "INSERT INTO tickets(queue, tag, number, subject, customer_id, created, updated)"
			     " VALUES ('support', 'SUP', 1500, 'from version 1', 1, 1, 1);", NULL, NULL, NULL);
		sqlite3_close(h);
		st = store_open(old, 1000, &error);
		ok(st && store_version_found(st) == 1, "a version 1 database opens");
		ok(st && store_ticket_by_number(st, "SUP", 1500, &t) == 1 && strcmp(t.subject, "from version 1") == 0 &&
		   t.locale == NULL && t.first_response_due == 0, "its ticket survives the migration, new columns empty");
		store_ticket_clear(&t);
		store_close(st);
		v = query_text(old, "PRAGMA user_version");
		ok(atoi(v) == STORE_SCHEMA_VERSION, "and is now at the latest version");
		g_free(v);
		g_free(sql);
		g_free(old);
	}
	store_ticket_clear(&t1);
	store_ticket_clear(&t2);
	store_ticket_clear(&t3);
	store_message_clear(&m);
	g_free(db);
	fixture_teardown(&f);
	return tap_done();
}
