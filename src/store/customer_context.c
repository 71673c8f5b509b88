/*
 * customer_context.c - what the agents' copy of a customer's message
 * says of the customer (store.h, store_customer_context): their other
 * tickets, when they last wrote, their language, zone and tier, their
 * latest rating.
 *
 * Everything is read from the rows of the ticket's customer, reached by
 * tickets.customer_id: an address a message gave is never looked up, so
 * nothing of another customer can come back; what a forger wrote under
 * the customer's address (messages.evidence 'contradicted') is not theirs
 * either, and is left out.  Only the tickets of the ticket's own queue
 * count: another queue's agents are another team (billing, HR), whose
 * tickets this queue's agents need not read; the customer's language,
 * zone and tier are the customer's, in every queue.  Each statement is bounded
 * whatever the size of the store: the tickets by the index on
 * (customer_id, queue, created), counted up to STORE_CONTEXT_COUNT_MAX; the
 * last message among the customer's LAST_WROTE_TICKETS most recently
 * updated tickets.
 * Room: store.
 */
#include "config.h"
#include "store/store_internal.h"

#include <string.h>

/* The tickets whose messages say when the customer last wrote: the one
 * they wrote on last is among the most recently updated. */
#define LAST_WROTE_TICKETS 20

/* A ticket t is the customer's own unless every message sent to it is
 * one whose sender our MTA found forged (evidence.h): a forger writing
 * in their name opens a ticket under their address, which holds the
 * forger's words, not theirs (until they answer on it themselves).  The
 * first test settles an ordinary ticket at its first message. */
#define NOT_FORGED \
	"(EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'in'" \
	" AND coalesce(m.evidence, '') <> 'contradicted') OR NOT EXISTS (SELECT 1 FROM messages m" \
	" WHERE m.ticket_id = t.id AND m.direction = 'in' AND m.evidence = 'contradicted'))"

enum {
	ST_CONTEXT_CUSTOMER = STORE_CONTEXT_SLOT, ST_CONTEXT_COUNT, ST_CONTEXT_RECENT, ST_CONTEXT_LAST_WROTE,
	ST_CONTEXT_RATING,
	ST_END
};
G_STATIC_ASSERT(ST_END <= STORE_MAX_STMTS);

static const char *const sql[ST_END - STORE_CONTEXT_SLOT] = {
	[ST_CONTEXT_CUSTOMER - STORE_CONTEXT_SLOT] =
		"SELECT c.id, c.address, c.locale, c.timezone, c.tier, t.queue FROM tickets t"
		" JOIN customers c ON c.id = t.customer_id WHERE t.id = ?1",
	[ST_CONTEXT_COUNT - STORE_CONTEXT_SLOT] =
		"SELECT count(*) FROM (SELECT 1 FROM tickets t WHERE customer_id = ?1 AND queue = ?4 AND id <> ?2"
		" AND " NOT_FORGED " LIMIT ?3)",
	[ST_CONTEXT_RECENT - STORE_CONTEXT_SLOT] =
		"SELECT tag, number, status, coalesce(merged_into, 0) <> 0, subject, created FROM tickets t"
		" WHERE customer_id = ?1 AND queue = ?4 AND id <> ?2 AND " NOT_FORGED
		" ORDER BY created DESC, id DESC LIMIT ?3",
	/* Their own inbound messages only: on their tickets others write
	 * too (the Cc'd, a merged ticket's customer, a forger). */
	[ST_CONTEXT_LAST_WROTE - STORE_CONTEXT_SLOT] =
		"SELECT coalesce(max(received), 0) FROM messages WHERE ticket_id IN"
		" (SELECT id FROM tickets WHERE customer_id = ?1 AND queue = ?5 ORDER BY updated DESC LIMIT ?4)"
		" AND direction = 'in' AND sender = ?2 COLLATE NOCASE AND message_id <> ?3"
		" AND coalesce(evidence, '') <> 'contradicted'",
	/* On whatever scale the queue asked at the time ([queue] survey). */
	[ST_CONTEXT_RATING - STORE_CONTEXT_SLOT] =
		"SELECT r.scale, r.rating, t.tag, t.number FROM tickets t JOIN ratings r ON r.ticket_id = t.id"
		" WHERE t.customer_id = ?1 AND t.queue = ?2 ORDER BY r.at DESC, r.ticket_id DESC LIMIT 1",
};

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, sql[slot - STORE_CONTEXT_SLOT]);
}

static void context_ticket_free(gpointer p)
{
	struct store_context_ticket *t = p;

	g_free(t->tag);
	g_free(t->status);
	g_free(t->subject);
	g_free(t);
}

/* The customer's other tickets: how many, and the newest limit. */
static int read_tickets(struct store *st, int64_t customer_id, const char *queue, int64_t ticket_id, int limit,
			struct store_customer_context *out)
{
	sqlite3_stmt *s = stmt(st, ST_CONTEXT_COUNT);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int64(s, 2, ticket_id);
	sqlite3_bind_int(s, 3, STORE_CONTEXT_COUNT_MAX);
	store_bind_text(s, 4, queue);
	if (store_step_one(st, s, "customer context: tickets") != 1)
		return -1;
	out->others = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (out->others == 0 || limit <= 0)
		return 0;
	if ((s = stmt(st, ST_CONTEXT_RECENT)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int64(s, 2, ticket_id);
	sqlite3_bind_int(s, 3, limit);
	store_bind_text(s, 4, queue);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_context_ticket *t = g_new0(struct store_context_ticket, 1);
		t->tag = store_column_text(s, 0);
		t->number = (long)sqlite3_column_int64(s, 1);
		t->status = store_column_text(s, 2);
		t->merged = sqlite3_column_int(s, 3) != 0;
		t->subject = store_column_text(s, 4);
		t->created = sqlite3_column_int64(s, 5);
		g_ptr_array_add(out->recent, t);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_set_error(st, "customer context: recent tickets");
		return -1;
	}
	return 0;
}

static int read_last_wrote(struct store *st, int64_t customer_id, const char *queue, const char *address,
			   const char *this_message, struct store_customer_context *out)
{
	sqlite3_stmt *s = stmt(st, ST_CONTEXT_LAST_WROTE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	store_bind_text(s, 2, address);
	store_bind_text(s, 3, this_message ? this_message : "");
	sqlite3_bind_int(s, 4, LAST_WROTE_TICKETS);
	store_bind_text(s, 5, queue);
	if (store_step_one(st, s, "customer context: last message") != 1)
		return -1;
	out->last_wrote = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

static int read_rating(struct store *st, int64_t customer_id, const char *queue, struct store_customer_context *out)
{
	sqlite3_stmt *s = stmt(st, ST_CONTEXT_RATING);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	store_bind_text(s, 2, queue);
	if ((rc = store_step_one(st, s, "customer context: rating")) == 1) {
		out->rating_scale = store_column_text(s, 0);
		out->rating = sqlite3_column_int(s, 1);
		out->rating_tag = store_column_text(s, 2);
		out->rating_number = (long)sqlite3_column_int64(s, 3);
		sqlite3_reset(s);
	}
	return rc < 0 ? -1 : 0;
}

int store_customer_context(struct store *st, int64_t ticket_id, const char *this_message, int limit,
			   struct store_customer_context *out)
{
	sqlite3_stmt *s = stmt(st, ST_CONTEXT_CUSTOMER);
	int64_t customer_id;
	char *address, *queue;
	int rc;

	memset(out, 0, sizeof *out);
	out->recent = g_ptr_array_new_with_free_func(context_ticket_free);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	if ((rc = store_step_one(st, s, "customer context")) != 1)
		return rc;
	customer_id = sqlite3_column_int64(s, 0);
	address = store_column_text(s, 1);
	out->locale = store_column_text(s, 2);
	out->zone = store_column_text(s, 3);
	out->tier = store_column_text(s, 4);
	queue = store_column_text(s, 5);
	sqlite3_reset(s);
	rc = read_tickets(st, customer_id, queue, ticket_id, limit, out) == 0 &&
	     read_last_wrote(st, customer_id, queue, address, this_message, out) == 0 &&
	     read_rating(st, customer_id, queue, out) == 0 ? 1 : -1;
	g_free(address);
	g_free(queue);
	return rc;
}

void store_customer_context_clear(struct store_customer_context *c)
{
	if (c->recent)
		g_ptr_array_free(c->recent, TRUE);
	g_free(c->locale);
	g_free(c->zone);
	g_free(c->tier);
	g_free(c->rating_scale);
	g_free(c->rating_tag);
	memset(c, 0, sizeof *c);
}
