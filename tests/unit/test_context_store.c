/*
 * test_context_store.c - what the store gives for the customer history
 * of the agents' copy (customer_context.c), on a store the test builds:
 * the customer's other tickets newest first and counted within a bound,
 * when they last wrote (their own messages, not this one, not the Cc'd),
 * their language, zone and tier, their latest rating; and nothing of
 * another customer, whose tickets, messages and ratings lie beside, nor of
 * another queue.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"

#include <glib.h>
#include <sqlite3.h>
#include <string.h>

static struct fixture f;
static const int64_t day = 86400, start = 1772445600;	/* 2026-03-02 10:00 UTC */

static int64_t ticket_in(const char *queue, const char *tag, const char *address, const char *subject, int64_t when)
{
	struct store_ticket t = { 0 };
	int64_t customer, id;

	if (store_customer_upsert(f.store, address, NULL, when, &customer) != 0 ||
	    store_ticket_create(f.store, queue, tag, subject, customer, when, &t) != 0)
		return 0;
	id = t.id;
	store_ticket_clear(&t);
	return id;
}

static int64_t ticket(const char *address, const char *subject, int64_t when)
{
	return ticket_in("support", "SUP", address, subject, when);
}

static void message_as(int64_t ticket_id, const char *id, const char *sender, const char *direction, int64_t when,
		       const char *evidence)
{
	struct store_message m = {
		.ticket_id = ticket_id, .direction = direction, .message_id = (char *)id, .sender = (char *)sender,
		.recipients = "support@example.com", .subject = "s", .received = when, .excerpt = "", .sha256 = "0",
		.evidence = (char *)evidence,
	};

	if (store_message_add(f.store, &m) != 0)
		tap_diag("message_add: %s", store_error(f.store));
}

static void message(int64_t ticket_id, const char *id, const char *sender, const char *direction, int64_t when)
{
	message_as(ticket_id, id, sender, direction, when, "claimed");
}

static void set_status(int64_t id, const char *status, int64_t merged_into)
{
	struct store_ticket t = { 0 };

	store_ticket_by_id(f.store, id, &t);
	g_free(t.status);
	t.status = g_strdup(status);
	t.merged_into = merged_into;
	store_ticket_save(f.store, &t, t.updated);
	store_ticket_clear(&t);
}

static const struct store_context_ticket *recent(const struct store_customer_context *c, guint i)
{
	return i < c->recent->len ? g_ptr_array_index(c->recent, i) : NULL;
}

int main(void)
{
	struct store_customer_context c;
	int64_t a1, a2, a3, a4, b1, b2, lone, forged, other_queue;
	char *sql;
	int rc;

	fixture_setup(&f, NULL);
	store_begin(f.store);
	a1 = ticket("alice@example.net", "Printer jams on tray 2", start);
	b1 = ticket("bob@example.org", "Bob's secret project", start + day / 2);
	a2 = ticket("Alice@Example.net", "Invoice address wrong", start + day);
	a3 = ticket("alice@example.net", "Merged away", start + 2 * day);
	b2 = ticket("bob@example.org", "Bob again", start + 3 * day);
	a4 = ticket("alice@example.net", "Printer again", start + 4 * day);
	lone = ticket("carol@example.com", "First contact", start + 5 * day);
	/* Alice at the billing queue: another team's. */
	other_queue = ticket_in("billing", "BIL", "alice@example.net", "Refund for the printer", start + 5 * day);
	/* A forger in Alice's name (our MTA: dmarc=fail) opened one too. */
	forged = ticket("alice@example.net", "Send me the invoices", start + 6 * day);
	set_status(a1, "resolved", 0);
	set_status(a3, "closed", a2);
	message(a1, "a1-in@x", "alice@example.net", "in", start);
	message(a1, "a1-out@x", "agent@example.com", "out", start + 3600);
	message(a2, "a2-in@x", "ALICE@example.net", "in", start + day);
	/* On Alice's ticket, later: a Cc'd colleague, and Bob on his own. */
	message(a2, "a2-cc@x", "dave@example.net", "in", start + 3 * day);
	message(b2, "b2-in@x", "bob@example.org", "in", start + 3 * day + 60);
	message(a4, "a4-in@x", "alice@example.net", "in", start + 4 * day);
	message_as(forged, "forged@x", "alice@example.net", "in", start + 6 * day, "contradicted");
	message(other_queue, "bil-in@x", "alice@example.net", "in", start + 5 * day);
	store_rating_record(f.store, a1, "csat", 4, "fine", start + 2 * day);
	store_rating_record(f.store, b1, "nps", 1, "Bob's complaint", start + 4 * day);
	store_rating_record(f.store, other_queue, "csat", 2, "billing", start + 5 * day);
	store_customer_set_locale(f.store, "alice@example.net", "de");
	store_customer_set_timezone(f.store, "alice@example.net", "Europe/Berlin");
	store_customer_set_tier(f.store, "alice@example.net", "vip");
	store_commit(f.store);
	ok(a1 && a2 && a3 && a4 && b1 && b2 && lone && forged && other_queue,
	   "a store of three customers, a forger, and a second queue");

	rc = store_customer_context(f.store, a4, "a4-in@x", 2, &c);
	is_int(rc, 1, "the context of Alice's newest ticket");
	is_int(c.others, 3, "three other tickets of hers (not Bob's two, the forger's, nor hers at billing)");
	is_int(c.recent->len, 2, "the newest 2 of them, as asked");
	ok(recent(&c, 0) && strcmp(recent(&c, 0)->tag, "SUP") == 0 && recent(&c, 0)->number == 1004 &&
	   recent(&c, 0)->merged && strcmp(recent(&c, 0)->status, "closed") == 0,
	   "newest first: SUP-1004, closed, merged into another");
	ok(recent(&c, 1) && recent(&c, 1)->number == 1003 && !recent(&c, 1)->merged &&
	   strcmp(recent(&c, 1)->subject, "Invoice address wrong") == 0 && recent(&c, 1)->created == start + day,
	   "then SUP-1003, with its subject and when it was opened");
	is_int(c.last_wrote, start + day, "she last wrote on her second ticket (not this message, not Dave on hers, "
	       "not Bob, not the forger, not to billing; any case of her address)");
	is_str(c.locale, "de", "her language");
	is_str(c.zone, "Europe/Berlin", "her zone");
	is_str(c.tier, "vip", "her tier");
	ok(c.rating == 4 && g_strcmp0(c.rating_scale, "csat") == 0 && g_strcmp0(c.rating_tag, "SUP") == 0 &&
	   c.rating_number == 1001,
	   "her latest rating: 4 for SUP-1001 (Bob's later 1 is his, her 2 is billing's)");
	store_customer_context_clear(&c);

	rc = store_customer_context(f.store, a2, "a2-in@x", 10, &c);
	is_int(c.others, 3, "from her second ticket: three others too");
	is_int(c.recent->len, 3, "all three listed within a limit of 10");
	ok(rc == 1 && c.last_wrote == start + 4 * day, "and her newest message was on SUP-1006 (%lld)",
	   (long long)c.last_wrote);
	for (guint i = 0; i < c.recent->len; i++)
		ok(strstr(recent(&c, i)->subject, "Bob") == NULL && recent(&c, i)->number != 1002 &&
		   recent(&c, i)->number != 1005, "listed: SUP-%ld, not one of Bob's", recent(&c, i)->number);
	store_customer_context_clear(&c);

	/* Once she answers on the forger's ticket herself, it is hers. */
	store_begin(f.store);
	message_as(forged, "reply@x", "alice@example.net", "in", start + 7 * day, "token");
	store_commit(f.store);
	rc = store_customer_context(f.store, a4, "a4-in@x", 10, &c);
	ok(rc == 1 && c.others == 4 && recent(&c, 0)->number == 1008 && c.last_wrote == start + 7 * day,
	   "the forger's ticket she answered on counts, and so does her answer");
	store_customer_context_clear(&c);

	rc = store_customer_context(f.store, b2, "b2-in@x", 10, &c);
	ok(rc == 1 && c.others == 1 && c.recent->len == 1 && recent(&c, 0)->number == 1002,
	   "Bob's ticket: his one other ticket");
	ok(c.locale == NULL && c.zone == NULL && c.tier == NULL && c.last_wrote == 0,
	   "none of Alice's preferences, no earlier message of his");
	ok(c.rating == 1 && g_strcmp0(c.rating_scale, "nps") == 0 && c.rating_number == 1002,
	   "his own rating, on the scale he was asked (nps)");
	store_customer_context_clear(&c);

	rc = store_customer_context(f.store, other_queue, "bil-in@x", 10, &c);
	ok(rc == 1 && c.others == 0 && c.rating == 2 && c.last_wrote == 0 && g_strcmp0(c.locale, "de") == 0,
	   "at billing: none of her support tickets, her billing rating, her language all the same");
	store_customer_context_clear(&c);

	rc = store_customer_context(f.store, lone, "none@x", 10, &c);
	ok(rc == 1 && c.others == 0 && c.recent->len == 0 && c.rating_scale == NULL && c.rating_tag == NULL,
	   "a first contact: nothing");
	store_customer_context_clear(&c);
	rc = store_customer_context(f.store, 9999, "none@x", 10, &c);
	is_int(rc, 0, "no such ticket: 0");
	store_customer_context_clear(&c);

	/* Counted within a bound, whatever a customer's history. */
	store_begin(f.store);
	for (int i = 0; i < STORE_CONTEXT_COUNT_MAX + 5; i++)
		ticket("robot@example.com", "Alert", start + i);
	lone = ticket("robot@example.com", "Alert", start + day);
	store_commit(f.store);
	rc = store_customer_context(f.store, lone, "none@x", 5, &c);
	ok(rc == 1 && c.others == STORE_CONTEXT_COUNT_MAX && c.recent->len == 5,
	   "a customer of %d tickets: counted up to %d, 5 listed", STORE_CONTEXT_COUNT_MAX + 6,
	   STORE_CONTEXT_COUNT_MAX);
	store_customer_context_clear(&c);

	/* The tickets are found by the index, not by reading the table. */
	{
		sqlite3_stmt *plan;
		GString *steps = g_string_new(NULL);
		sqlite3 *db;
		char *path = g_build_filename(f.dir, "tickets.db", NULL);
		sqlite3_open(path, &db);
		sql = "EXPLAIN QUERY PLAN SELECT tag FROM tickets WHERE customer_id = 1 AND queue = 'support' AND id <> 2"
		      " ORDER BY created DESC, id DESC LIMIT 5";
		if (sqlite3_prepare_v2(db, sql, -1, &plan, NULL) == SQLITE_OK)
			while (sqlite3_step(plan) == SQLITE_ROW)
				g_string_append_printf(steps, "%s; ", (const char *)sqlite3_column_text(plan, 3));
		sqlite3_finalize(plan);
		sqlite3_close(db);
		ok(strstr(steps->str, "tickets_customer") != NULL && strstr(steps->str, "TEMP B-TREE") == NULL,
	   "a customer's tickets of a queue by the index, in its order (%s)", steps->str);
		g_string_free(steps, TRUE);
		g_free(path);
	}
	fixture_teardown(&f);
	return tap_done();
}
