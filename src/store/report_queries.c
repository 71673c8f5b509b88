/*
 * report_queries.c - the report's reads (see report_queries.h).
 * Room: store.
 *
 * A window's tickets are gathered by index from each way a ticket can
 * matter to it (the UNION keeps one of each, in id order), then read
 * with their customer's tier, their rating and their reply, reopening
 * and status events in one statement: a ticket's rows come together,
 * and its events in the order they were written.  The statements run
 * once per report, so they are prepared here and not cached.
 */
#include "config.h"
#include "store/report_queries.h"
#include "store/store_internal.h"

#include <string.h>

#define REPORT_TICKET_COLUMNS \
	"t.id, t.queue, t.tag, t.number, t.status, t.priority, t.locale, c.tier, t.assignee, t.created," \
	" coalesce(t.first_response_at, 0), coalesce(t.first_response_due, 0), coalesce(t.resolution_due, 0)," \
	" coalesce(t.resolved_at, 0), coalesce(t.paused_at, 0), coalesce(t.merged_into, 0)"
#define REPORT_N_TICKET_COLUMNS 16

static const char window_sql[] =
	"WITH ids(id) AS ("
	" SELECT id FROM tickets WHERE created >= ?1 AND created < ?2"
	" UNION SELECT id FROM tickets WHERE status IN ('resolved', 'closed') AND resolved_at >= ?1 AND resolved_at < ?2"
	" UNION SELECT id FROM tickets WHERE first_response_due >= ?1 AND first_response_due < ?2"
	" UNION SELECT id FROM tickets WHERE resolution_due >= ?1 AND resolution_due < ?2"
	" UNION SELECT ticket_id FROM events WHERE kind IN ('reply', 'reopened') AND at >= ?1 AND at < ?2)"
	" SELECT " REPORT_TICKET_COLUMNS ", r.scale, coalesce(r.rating, 0), e.at, e.kind, e.actor, coalesce(e.detail, '')"
	" FROM ids JOIN tickets t ON t.id = ids.id JOIN customers c ON c.id = t.customer_id"
	" LEFT JOIN ratings r ON r.ticket_id = t.id"
	" LEFT JOIN events e ON e.ticket_id = t.id AND e.kind IN ('reply', 'reopened', 'status')"
	" ORDER BY t.id, e.id";

static const char backlog_sql[] =
	"SELECT " REPORT_TICKET_COLUMNS ", t.subject,"
	" (SELECT actor FROM events WHERE ticket_id = t.id AND kind = 'reply' ORDER BY id LIMIT 1)"
	" FROM tickets t JOIN customers c ON c.id = t.customer_id"
	" WHERE t.status IN ('new', 'open', 'pending') ORDER BY t.id";

/* One ticket being read, its strings copied: the statement moves on to
 * its events before the ticket is handed over. */
struct reading {
	struct store_report_ticket t;
	GStringChunk *strings;
	GArray *events;		/* struct store_report_event */
};

static const char *keep(struct reading *r, sqlite3_stmt *s, int col)
{
	const char *v = (const char *)sqlite3_column_text(s, col);

	return v ? g_string_chunk_insert(r->strings, v) : NULL;
}

static void read_ticket(struct reading *r, sqlite3_stmt *s)
{
	struct store_report_ticket *t = &r->t;

	g_string_chunk_clear(r->strings);
	g_array_set_size(r->events, 0);
	memset(t, 0, sizeof *t);
	t->id = sqlite3_column_int64(s, 0);
	t->queue = keep(r, s, 1);
	t->tag = keep(r, s, 2);
	t->number = (long)sqlite3_column_int64(s, 3);
	t->status = keep(r, s, 4);
	t->priority = keep(r, s, 5);
	t->locale = keep(r, s, 6);
	t->tier = keep(r, s, 7);
	t->assignee = keep(r, s, 8);
	t->created = sqlite3_column_int64(s, 9);
	t->first_response_at = sqlite3_column_int64(s, 10);
	t->first_response_due = sqlite3_column_int64(s, 11);
	t->resolution_due = sqlite3_column_int64(s, 12);
	t->resolved_at = sqlite3_column_int64(s, 13);
	t->paused_at = sqlite3_column_int64(s, 14);
	t->merged_into = sqlite3_column_int64(s, 15);
	t->subject = "";
}

static void read_event(struct reading *r, sqlite3_stmt *s, int col)
{
	struct store_report_event e;

	if (sqlite3_column_type(s, col + 1) == SQLITE_NULL)
		return;		/* a ticket without events: the LEFT JOIN's empty row */
	e.at = sqlite3_column_int64(s, col);
	e.kind = keep(r, s, col + 1);
	e.actor = keep(r, s, col + 2);
	e.detail = keep(r, s, col + 3);
	if (r->t.first_agent == NULL && strcmp(e.kind, "reply") == 0)
		r->t.first_agent = e.actor;
	g_array_append_val(r->events, e);
}

static int hand_over(struct reading *r, store_report_fn fn, void *data)
{
	r->t.events = (const struct store_report_event *)(void *)r->events->data;
	r->t.n_events = r->events->len;
	return fn(&r->t, data);
}

static sqlite3_stmt *prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_set_error(st, "report: prepare");
		return NULL;
	}
	return s;
}

static int read_window(struct store *st, struct reading *r, int64_t since, int64_t until, store_report_fn fn,
		       void *data)
{
	sqlite3_stmt *s = prepare(st, window_sql);
	bool have = false;
	int rc = 0, step = SQLITE_DONE;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int64(s, 2, until);
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);

		if (!have || id != r->t.id) {
			if (have && (rc = hand_over(r, fn, data)) != 0)
				break;
			read_ticket(r, s);
			r->t.rating_scale = keep(r, s, REPORT_N_TICKET_COLUMNS);
			r->t.rating = sqlite3_column_int(s, REPORT_N_TICKET_COLUMNS + 1);
			have = true;
		}
		read_event(r, s, REPORT_N_TICKET_COLUMNS + 2);
	}
	if (rc == 0 && step != SQLITE_DONE) {
		store_set_error(st, "report: read the window's tickets");
		rc = -1;
	}
	if (rc == 0 && have)
		rc = hand_over(r, fn, data);
	sqlite3_finalize(s);
	return rc;
}

static int read_backlog(struct store *st, struct reading *r, store_report_fn fn, void *data)
{
	sqlite3_stmt *s = prepare(st, backlog_sql);
	int rc = 0, step = SQLITE_DONE;

	if (s == NULL)
		return -1;
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		read_ticket(r, s);
		r->t.subject = keep(r, s, REPORT_N_TICKET_COLUMNS);
		r->t.first_agent = keep(r, s, REPORT_N_TICKET_COLUMNS + 1);
		rc = hand_over(r, fn, data);
	}
	if (rc == 0 && step != SQLITE_DONE) {
		store_set_error(st, "report: read the backlog");
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int store_report_read(struct store *st, int64_t since, int64_t until, store_report_fn window, store_report_fn backlog,
		      void *data)
{
	struct reading r = { .strings = g_string_chunk_new(1024),
			     .events = g_array_new(FALSE, FALSE, sizeof(struct store_report_event)) };
	/* Inside the caller's transaction (the scheduled weekly mail's) the
	 * reads share it; else they get one of their own. */
	bool own = sqlite3_get_autocommit(st->db) != 0;
	int rc;

	/* One read transaction: the backlog and the window agree. */
	if (own && sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		store_set_error(st, "report: begin");
		rc = -1;
	} else {
		rc = read_window(st, &r, since, until, window, data);
		if (rc == 0)
			rc = read_backlog(st, &r, backlog, data);
		if (own)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	g_string_chunk_free(r.strings);
	g_array_free(r.events, TRUE);
	return rc;
}
