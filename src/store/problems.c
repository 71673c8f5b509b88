/*
 * problems.c - known problems (see store.h): the problems of a queue,
 * the tickets agents link to them, and what each announcement did to
 * each linked ticket, with the two look-ups that decide who must not be
 * mailed (a forged sender, an address that bounces).
 * Room: store.
 */
#include "config.h"
#include "store/store_internal.h"

#include <string.h>

enum {
	PB_LINK = STORE_PROBLEMS_SLOT, PB_CREATE, PB_UNLINK, PB_UNLINK_ALL, PB_DESCRIBE, PB_LIST,
	PB_TICKETS, PB_SET_ANNOUNCED, PB_ANN_GET, PB_ANN_ADD, PB_ANN_LIST,
	PB_ANN_MAILED_TO, PB_UNFORGED, PB_BOUNCES, PB_GET,
	PB_END
};
G_STATIC_ASSERT(PB_END <= STORE_MAX_STMTS);

/* A problem with its counts, read by read_problem. */
#define PROBLEM_COLUMNS \
	"p.id, p.queue, p.name, p.description, p.created, coalesce(p.announced, 0)," \
	" (SELECT count(*) FROM problem_tickets l WHERE l.problem_id = p.id)," \
	" (SELECT count(*) FROM problem_tickets l JOIN tickets t ON t.id = l.ticket_id" \
	"  WHERE l.problem_id = p.id AND t.status IN ('new', 'open', 'pending'))" \
	" FROM problems p"

static const char *const sql[PB_END - STORE_PROBLEMS_SLOT] = {
	[PB_LINK - STORE_PROBLEMS_SLOT] =
		"INSERT OR IGNORE INTO problem_tickets(problem_id, ticket_id, linked, actor)"
		" SELECT id, ?3, ?4, ?5 FROM problems WHERE queue = ?1 AND name = ?2",
	[PB_CREATE - STORE_PROBLEMS_SLOT] =
		"INSERT OR IGNORE INTO problems(queue, name, created) VALUES (?1, ?2, ?3)",
	[PB_UNLINK - STORE_PROBLEMS_SLOT] =
		"DELETE FROM problem_tickets WHERE ticket_id = ?3"
		" AND problem_id = (SELECT id FROM problems WHERE queue = ?1 AND name = ?2)",
	[PB_UNLINK_ALL - STORE_PROBLEMS_SLOT] = "DELETE FROM problem_tickets WHERE ticket_id = ?1",
	[PB_DESCRIBE - STORE_PROBLEMS_SLOT] =
		"INSERT INTO problems(queue, name, description, created) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (queue, name) DO UPDATE SET description = excluded.description",
	[PB_LIST - STORE_PROBLEMS_SLOT] = "SELECT " PROBLEM_COLUMNS " ORDER BY p.queue, p.name",
	[PB_GET - STORE_PROBLEMS_SLOT] = "SELECT " PROBLEM_COLUMNS " WHERE p.queue = ?1 AND p.name = ?2",
	/* By customer, so that one pass sees each customer's tickets
	 * together; the newest first carries the customer's one mail. */
	[PB_TICKETS - STORE_PROBLEMS_SLOT] =
		"SELECT " TICKET_COLUMNS " JOIN problem_tickets l ON l.ticket_id = t.id"
		" WHERE l.problem_id = ?1 ORDER BY t.customer_id, t.updated DESC, t.id DESC",
	[PB_SET_ANNOUNCED - STORE_PROBLEMS_SLOT] = "UPDATE problems SET announced = ?2 WHERE id = ?1",
	[PB_ANN_GET - STORE_PROBLEMS_SLOT] =
		"SELECT ticket_id, template, at, outcome, detail FROM problem_announcements"
		" WHERE problem_id = ?1 AND template = ?2 AND ticket_id = ?3",
	/* A ticket skipped once may be mailed by a later run: its record is
	 * then replaced. */
	[PB_ANN_ADD - STORE_PROBLEMS_SLOT] =
		"INSERT OR REPLACE INTO problem_announcements(problem_id, template, ticket_id, at, outcome, detail)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[PB_ANN_LIST - STORE_PROBLEMS_SLOT] =
		"SELECT ticket_id, template, at, outcome, detail FROM problem_announcements"
		" WHERE problem_id = ?1 ORDER BY at, template, ticket_id",
	[PB_ANN_MAILED_TO - STORE_PROBLEMS_SLOT] =
		"SELECT a.ticket_id FROM problem_announcements a JOIN tickets t ON t.id = a.ticket_id"
		" WHERE a.problem_id = ?1 AND a.template = ?2 AND a.outcome = 'mailed' AND t.customer_id = ?3"
		" LIMIT 1",
	/* Messages stored before schema 5 have no evidence: not contradicted. */
	[PB_UNFORGED - STORE_PROBLEMS_SLOT] =
		"SELECT 1 FROM messages WHERE ticket_id = ?1 AND direction = 'in' AND lower(sender) = lower(?2)"
		" AND coalesce(evidence, '') <> 'contradicted' LIMIT 1",
	[PB_BOUNCES - STORE_PROBLEMS_SLOT] =
		"SELECT state = 'failed' FROM outbox WHERE recipient = ?1 ORDER BY created DESC, id DESC LIMIT 1",
};

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, sql[slot - STORE_PROBLEMS_SLOT]);
}

/* Runs a write and says whether it changed a row: 1, 0, or -1. */
static int run_changes(struct store *st, sqlite3_stmt *s, const char *what)
{
	if (store_run(st, s, what) != 0)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

/* Steps s to its end; false (with the store's error) when a step failed. */
static bool rows_done(struct store *st, sqlite3_stmt *s, int rc, const char *what)
{
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return true;
	}
	store_set_error(st, what);
	sqlite3_reset(s);
	return false;
}

int store_problem_link(struct store *st, const char *queue, const char *name, int64_t ticket_id,
		       const char *actor, int64_t now)
{
	sqlite3_stmt *s = stmt(st, PB_CREATE);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, queue);
	store_bind_text(s, 2, name);
	sqlite3_bind_int64(s, 3, now);
	if (store_run(st, s, "create problem") != 0 || (s = stmt(st, PB_LINK)) == NULL)
		return -1;
	store_bind_text(s, 1, queue);
	store_bind_text(s, 2, name);
	sqlite3_bind_int64(s, 3, ticket_id);
	sqlite3_bind_int64(s, 4, now);
	store_bind_text(s, 5, actor);
	return run_changes(st, s, "link ticket to problem");
}

int store_problem_unlink(struct store *st, const char *queue, const char *name, int64_t ticket_id)
{
	sqlite3_stmt *s = stmt(st, PB_UNLINK);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, queue);
	store_bind_text(s, 2, name);
	sqlite3_bind_int64(s, 3, ticket_id);
	return run_changes(st, s, "unlink ticket from problem");
}

int store_problem_unlink_all(struct store *st, int64_t ticket_id)
{
	sqlite3_stmt *s = stmt(st, PB_UNLINK_ALL);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	if (store_run(st, s, "unlink ticket from problems") != 0)
		return -1;
	return sqlite3_changes(st->db);
}

int store_problem_describe(struct store *st, const char *queue, const char *name, const char *description,
			   int64_t now)
{
	sqlite3_stmt *s = stmt(st, PB_DESCRIBE);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, queue);
	store_bind_text(s, 2, name);
	store_bind_text(s, 3, description);
	sqlite3_bind_int64(s, 4, now);
	return store_run(st, s, "describe problem");
}

void store_problem_free(gpointer p)
{
	store_problem_clear(p);
	g_free(p);
}

static void read_problem(sqlite3_stmt *s, struct store_problem *p)
{
	p->id = sqlite3_column_int64(s, 0);
	p->queue = store_column_text(s, 1);
	p->name = store_column_text(s, 2);
	p->description = store_column_text(s, 3);
	p->created = sqlite3_column_int64(s, 4);
	p->announced = sqlite3_column_int64(s, 5);
	p->linked = sqlite3_column_int(s, 6);
	p->open = sqlite3_column_int(s, 7);
}

int store_problem_get(struct store *st, const char *queue, const char *name, struct store_problem *out)
{
	sqlite3_stmt *s = stmt(st, PB_GET);
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, queue);
	store_bind_text(s, 2, name);
	rc = store_step_one(st, s, "find problem");
	if (rc == 1) {
		read_problem(s, out);
		sqlite3_reset(s);
	}
	return rc;
}

void store_problem_clear(struct store_problem *p)
{
	g_free(p->queue);
	g_free(p->name);
	g_free(p->description);
	memset(p, 0, sizeof *p);
}

GPtrArray *store_problem_list(struct store *st)
{
	sqlite3_stmt *s = stmt(st, PB_LIST);
	GPtrArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func(store_problem_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_problem *p = g_new0(struct store_problem, 1);
		read_problem(s, p);
		g_ptr_array_add(out, p);
	}
	if (!rows_done(st, s, rc, "list problems")) {
		g_ptr_array_free(out, TRUE);
		return NULL;
	}
	return out;
}

static void ticket_free(gpointer p)
{
	store_ticket_clear(p);
	g_free(p);
}

GPtrArray *store_problem_tickets(struct store *st, int64_t problem_id)
{
	sqlite3_stmt *s = stmt(st, PB_TICKETS);
	GPtrArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, problem_id);
	out = g_ptr_array_new_with_free_func(ticket_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_ticket *t = g_new0(struct store_ticket, 1);
		store_read_ticket(s, t);
		g_ptr_array_add(out, t);
	}
	if (!rows_done(st, s, rc, "tickets of a problem")) {
		g_ptr_array_free(out, TRUE);
		return NULL;
	}
	return out;
}

int store_problem_set_announced(struct store *st, int64_t problem_id, int64_t now)
{
	sqlite3_stmt *s = stmt(st, PB_SET_ANNOUNCED);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, problem_id);
	sqlite3_bind_int64(s, 2, now);
	return store_run(st, s, "mark problem announced");
}

static void read_announcement(sqlite3_stmt *s, struct store_announcement *a)
{
	a->ticket_id = sqlite3_column_int64(s, 0);
	a->template_name = store_column_text(s, 1);
	a->at = sqlite3_column_int64(s, 2);
	a->outcome = store_column_text(s, 3);
	a->detail = store_column_text(s, 4);
}

int store_announcement_get(struct store *st, int64_t problem_id, const char *template_name, int64_t ticket_id,
			   struct store_announcement *out)
{
	sqlite3_stmt *s = stmt(st, PB_ANN_GET);
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, problem_id);
	store_bind_text(s, 2, template_name);
	sqlite3_bind_int64(s, 3, ticket_id);
	rc = store_step_one(st, s, "announcement of a ticket");
	if (rc == 1) {
		read_announcement(s, out);
		sqlite3_reset(s);
	}
	return rc;
}

int store_announcement_add(struct store *st, int64_t problem_id, const struct store_announcement *a)
{
	sqlite3_stmt *s = stmt(st, PB_ANN_ADD);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, problem_id);
	store_bind_text(s, 2, a->template_name);
	sqlite3_bind_int64(s, 3, a->ticket_id);
	sqlite3_bind_int64(s, 4, a->at);
	store_bind_text(s, 5, a->outcome);
	store_bind_text(s, 6, a->detail);
	return store_run(st, s, "record announcement");
}

void store_announcement_clear(struct store_announcement *a)
{
	g_free(a->template_name);
	g_free(a->outcome);
	g_free(a->detail);
	memset(a, 0, sizeof *a);
}

static void announcement_free(gpointer p)
{
	store_announcement_clear(p);
	g_free(p);
}

GPtrArray *store_problem_announcements(struct store *st, int64_t problem_id)
{
	sqlite3_stmt *s = stmt(st, PB_ANN_LIST);
	GPtrArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, problem_id);
	out = g_ptr_array_new_with_free_func(announcement_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_announcement *a = g_new0(struct store_announcement, 1);
		read_announcement(s, a);
		g_ptr_array_add(out, a);
	}
	if (!rows_done(st, s, rc, "announcements of a problem")) {
		g_ptr_array_free(out, TRUE);
		return NULL;
	}
	return out;
}

int store_announcement_mailed_to(struct store *st, int64_t problem_id, const char *template_name, int64_t customer_id,
				 int64_t *ticket_id)
{
	sqlite3_stmt *s = stmt(st, PB_ANN_MAILED_TO);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, problem_id);
	store_bind_text(s, 2, template_name);
	sqlite3_bind_int64(s, 3, customer_id);
	rc = store_step_one(st, s, "announcement to a customer");
	if (rc == 1) {
		*ticket_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	return rc;
}

int store_ticket_sender_unforged(struct store *st, int64_t ticket_id, const char *address)
{
	sqlite3_stmt *s = stmt(st, PB_UNFORGED);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	store_bind_text(s, 2, address);
	rc = store_step_one(st, s, "evidence of a sender");
	if (rc == 1)
		sqlite3_reset(s);
	return rc;
}

int store_outbox_bounces(struct store *st, const char *recipient)
{
	sqlite3_stmt *s = stmt(st, PB_BOUNCES);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, recipient);
	rc = store_step_one(st, s, "last mail to a recipient");
	if (rc == 1) {
		rc = sqlite3_column_int(s, 0) ? 1 : 0;
		sqlite3_reset(s);
	}
	return rc;
}
