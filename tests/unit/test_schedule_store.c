/*
 * test_schedule_store.c - the table of scheduled mail (schedule.h) on
 * real SQLite files: the migration from schema 6, each row added once,
 * paused, resumed and cancelled, and claimed once by two daemons sharing
 * the store, also when one of them dies holding a claim.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "store/schedule.h"
#include "store/schema.h"

#include <glib.h>
#include <sqlite3.h>
#include <stdlib.h>

static char *query(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	char *out = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0))
		out = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out ? out : g_strdup("");
}

/* What EXPLAIN QUERY PLAN says of sql, its lines joined. */
static char *plan(sqlite3 *db, const char *sql)
{
	char *explain = g_strconcat("EXPLAIN QUERY PLAN ", sql, NULL);
	GString *out = g_string_new(NULL);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, explain, -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW)
			g_string_append_printf(out, "%s%s", out->len ? "; " : "", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	g_free(explain);
	return g_string_free(out, FALSE);
}

static void test_migration(struct fixture *f)
{
	char *path = g_build_filename(f->dir, "v6.db", NULL), *error = NULL, *v;
	sqlite3 *old;
	struct store *st;
	struct store_ticket t = { 0 };

	sqlite3_open(path, &old);
	for (int i = 0; i < 6; i++)
		sqlite3_exec(old, schema_migration(i), NULL, NULL, NULL);
	sqlite3_exec(old, "PRAGMA user_version = 6;"
		     "INSERT INTO customers(address, created) VALUES ('anna@example.org', 1);"
		     "INSERT INTO tickets(queue, tag, number, subject, customer_id, created, updated, first_response_due)"
		     " VALUES ('support', 'SUP', 1700, 'from version 6', 1, 1, 1, 1000);", NULL, NULL, NULL);
	st = store_open(path, 5000, &error);
	ok(st && store_version_found(st) == 6, "a version 6 database opens%s%s", error ? ": " : "", error ? error : "");
	ok(st && store_ticket_by_number(st, "SUP", 1700, &t) == 1 && t.first_response_due == 1000,
	   "its ticket and its promise survive the migration");
	v = query(old, "PRAGMA user_version");
	is_int(atoi(v), STORE_SCHEMA_VERSION, "and it is at the latest version (%d)", STORE_SCHEMA_VERSION);
	g_free(v);
	v = query(old, "SELECT count(*) FROM schedule");
	is_str(v, "0", "with an empty schedule: tickets promised before keep no reminders");
	g_free(v);
	v = query(old, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE tbl_name = 'schedule'"
		       " AND type = 'index' ORDER BY name)");
	is_str(v, "schedule_due,schedule_lease,schedule_once,schedule_ticket", "and its indexes");
	g_free(v);
	v = plan(old, "SELECT min(send_at) FROM schedule WHERE state = 'due'");
	ok(strstr(v, "schedule_due") != NULL, "the next due row is read from the index (%s)", v);
	g_free(v);
	v = plan(old, "SELECT id FROM schedule WHERE state = 'due' AND send_at <= 5 ORDER BY send_at LIMIT 32");
	ok(strstr(v, "schedule_due") != NULL && strstr(v, "TEMP B-TREE") == NULL,
	   "the rows to claim are read in order from the index, never sorted (%s)", v);
	g_free(v);
	store_ticket_clear(&t);
	store_close(st);
	sqlite3_close(old);
	g_free(error);
	g_free(path);
}

static struct schedule_entry row(int64_t ticket, const char *kind, int level, int64_t send_at)
{
	return (struct schedule_entry){ .ticket_id = ticket, .kind = (char *)kind, .level = level, .budget = 480,
					.at = send_at, .send_at = send_at, .created = 1 };
}

static struct store *open_again(struct fixture *f)
{
	char *path = g_build_filename(f->dir, "tickets.db", NULL), *error = NULL;
	struct store *st = store_open(path, 5000, &error);

	if (st == NULL)
		tap_diag("%s", error);
	g_free(error);
	g_free(path);
	return st;
}

static void test_rows(struct fixture *f)
{
	struct store *st = f->store;
	struct schedule_entry e = row(0, "remind-first-response", 50, 2000);
	int64_t next, id1, customer;
	struct store_ticket t = { 0 };
	GPtrArray *rows;

	store_customer_upsert(st, "anna@example.org", NULL, 1, &customer);
	store_ticket_create(st, "support", "SUP", "subject", customer, 1, &t);
	e.ticket_id = t.id;
	store_schedule_take_first(st);
	is_int(store_schedule_add(st, &e), 1, "a row is added");
	id1 = e.id;
	e = row(t.id, "remind-first-response", 50, 2500);
	is_int(store_schedule_add(st, &e), 0, "the same ticket, kind and level again: nothing added");
	e = row(t.id, "remind-first-response", 75, 3000);
	store_schedule_add(st, &e);
	e = row(t.id, "remind-resolution", 50, 1500);
	store_schedule_add(st, &e);
	is_int(store_schedule_take_first(st), 1500, "the earliest send_at added is remembered for the scheduler");
	is_int(store_schedule_take_first(st), 0, "and forgotten once told");
	ok(store_schedule_next(st, &next) == 0 && next == 1500, "the next row goes at 1500");

	is_int(store_schedule_pause(st, e.id, 42), 1, "a due row pauses");
	is_int(store_schedule_pause(st, e.id, 43), 0, "a paused one does not pause again");
	ok(store_schedule_next(st, &next) == 0 && next == 2000, "a paused row waits for nothing: next is 2000");
	rows = store_schedule_of_ticket(st, t.id);
	ok(rows && rows->len == 3, "the ticket's rows to send: 3");
	for (guint i = 0; rows && i < rows->len; i++) {
		struct schedule_entry *r = g_ptr_array_index(rows, i);
		if (r->id == e.id)
			ok(strcmp(r->state, "paused") == 0 && r->remaining == 42 && r->at == 0 && r->send_at == 0,
			   "paused: 42 minutes left, no time");
	}
	g_ptr_array_free(rows, TRUE);
	is_int(store_schedule_resume(st, e.id, 5000, 5100), 1, "it resumes at a new time");
	ok(store_schedule_next(st, &next) == 0 && next == 2000, "2000 is still the next");
	is_int(store_schedule_cancel(st, id1, 10, "answered"), 1, "a row is cancelled");
	is_int(store_schedule_cancel(st, id1, 11, "again"), 0, "once");
	ok(store_schedule_next(st, &next) == 0 && next == 3000, "the next is now 3000");
	store_ticket_clear(&t);
}

static void test_claims(struct fixture *f)
{
	struct store *a = f->store, *b = open_again(f);
	GPtrArray *got_a, *got_b;
	int64_t next;

	/* Due: 75% at 3000; the resolution row at 5100. */
	got_a = store_schedule_claim(a, "daemon-a", 3000, 300, 32);
	got_b = store_schedule_claim(b, "daemon-b", 3000, 300, 32);
	ok(got_a && got_a->len == 1 && ((struct schedule_entry *)g_ptr_array_index(got_a, 0))->level == 75,
	   "daemon a claims the row due at 3000");
	ok(got_b && got_b->len == 0, "daemon b, at the same moment, claims nothing");
	ok(store_schedule_next(b, &next) == 0 && next == 3300, "a claimed row waits for its lease (3300)");
	is_int(store_schedule_finish(b, ((struct schedule_entry *)g_ptr_array_index(got_a, 0))->id, "daemon-b", "sent",
				     3001, "x"), 0, "b cannot finish a's claim");
	is_int(store_schedule_finish(a, ((struct schedule_entry *)g_ptr_array_index(got_a, 0))->id, "daemon-a", "sent",
				     3001, "<alice@example.com>"), 1, "a records it sent");
	g_ptr_array_free(got_a, TRUE);
	g_ptr_array_free(got_b, TRUE);
	got_a = store_schedule_claim(a, "daemon-a", 4000, 300, 32);
	ok(got_a && got_a->len == 0, "sent once: nothing more to claim at 4000");
	g_ptr_array_free(got_a, TRUE);

	/* a dies holding the claim of the row due at 5100. */
	got_a = store_schedule_claim(a, "daemon-a", 5100, 300, 32);
	ok(got_a && got_a->len == 1, "a claims the row due at 5100 and dies");
	got_b = store_schedule_claim(b, "daemon-b", 5399, 300, 32);
	ok(got_b && got_b->len == 0, "b cannot take it while the lease runs (5399)");
	g_ptr_array_free(got_b, TRUE);
	got_b = store_schedule_claim(b, "daemon-b", 5400, 300, 32);
	ok(got_b && got_b->len == 1, "when the lease ran out (5400), b takes it");
	is_int(store_schedule_finish(a, ((struct schedule_entry *)g_ptr_array_index(got_a, 0))->id, "daemon-a", "sent",
				     5401, "late"), 0, "a, come back, cannot record it: it is b's");
	is_int(store_schedule_finish(b, ((struct schedule_entry *)g_ptr_array_index(got_b, 0))->id, "daemon-b", "sent",
				     5401, "<bob@example.com>"), 1, "b records it: sent once");
	ok(store_schedule_next(a, &next) == 0 && next == 0, "nothing waits any more");
	g_ptr_array_free(got_a, TRUE);
	g_ptr_array_free(got_b, TRUE);
	{
		char *path = g_build_filename(f->dir, "tickets.db", NULL);
		sqlite3 *db;
		char *v;
		sqlite3_open(path, &db);
		v = query(db, "SELECT group_concat(state || ':' || coalesce(detail, ''), ' ') FROM"
			      " (SELECT state, detail FROM schedule ORDER BY id)");
		is_str(v, "cancelled:answered sent:<alice@example.com> sent:<bob@example.com>",
		       "every row ended once, as recorded");
		g_free(v);
		sqlite3_close(db);
		g_free(path);
	}
	store_close(b);
}

int main(void)
{
	struct fixture f;

	fixture_setup(&f, NULL);
	test_migration(&f);
	test_rows(&f);
	test_claims(&f);
	fixture_teardown(&f);
	return tap_done();
}
