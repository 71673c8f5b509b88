/*
 * store_internal.h - what the store's source files share (private to
 * src/store): the connection struct, the statement cache and the reading
 * of a ticket row.
 *
 * Each file owns a range of cache slots, from its first slot below up to
 * the next file's; each file asserts that its statements fit.
 * Room: store.
 */
#ifndef TM_STORE_INTERNAL_H
#define TM_STORE_INTERNAL_H

#include <sqlite3.h>
#include <sys/types.h>
#include "store/store.h"

#define STORE_CORE_SLOT 0		/* store.c: transactions */
#define STORE_TICKETS_SLOT 6		/* tickets.c */
#define STORE_MESSAGES_SLOT 20		/* messages.c */
#define STORE_CUSTOMERS_SLOT 24		/* customers.c */
#define STORE_LISTS_SLOT 30		/* ticket_lists.c */
#define STORE_OUTBOX_SLOT 40		/* outbox.c */
#define STORE_TRUST_SLOT 56		/* trust.c */
#define STORE_ZONE_SLOT 64		/* customer_tz.c */
#define STORE_PARTICIPANTS_SLOT 68	/* participants.c */
#define STORE_HISTORY_SLOT 73		/* customer_history.c: one statement */
#define STORE_PROBLEMS_SLOT 74		/* problems.c */
#define STORE_CONTEXT_SLOT 94		/* customer_context.c */
#define STORE_SCHEDULE_SLOT 100		/* schedule.c */
#define STORE_MAX_STMTS 116

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[STORE_MAX_STMTS];
	char *error;
	int version_found;
	char *path;		/* as opened */
	GMutex *writer;		/* the pool's writer lock, or NULL */
	bool holds_writer;
	bool relaxed;		/* commits need no fsync for now (see store_relax) */
	bool group_commit;	/* pooled: runs at synchronous=NORMAL, and a commit is
				 * made durable by the pool's fsync when the store is put
				 * back (pool.h) */
	bool sync_owed;		/* committed since borrowed, not yet fsync()ed */
	bool in_batch;		/* store_batch_begin: begin/commit/rollback are savepoints */
	bool in_savepoint;	/* one of those is open */
	int64_t scheduled_first;	/* earliest send_at this connection scheduled since asked (schedule.h), 0 */
};

/* False once the path names another file than the one opened (replaced
 * from a backup, moved away): the connection would write to the old one. */
bool store_is_current(const struct store *st);
/* relaxed = true: commits are not fsync()ed until the next durable
 * commit or checkpoint (synchronous=NORMAL; a process crash loses
 * nothing, a power loss the last relaxed commits).  For bookkeeping that
 * may be redone: the outbox's delivery states.  false: back to FULL. */
int store_relax(struct store *st, bool relaxed);
/* The statement in cache slot `slot`, prepared from sql on first use,
 * reset and unbound; NULL on error (store_error() says why). */
sqlite3_stmt *store_stmt(struct store *st, int slot, const char *sql);
/* Records SQLite's current error, prefixed with what. */
void store_set_error(struct store *st, const char *what);
/* "what: SQLite's message (what it means and what to do)" for an error
 * code (extended) on db (may be NULL); g_free.  In health.c, which
 * calls nothing else of the store. */
char *store_describe_error(sqlite3 *db, int code, const char *what);
/* Runs a statement that returns no rows: 0 or -1. */
int store_run(struct store *st, sqlite3_stmt *s, const char *what);
/* Steps a one-row lookup: 1 row (left unreset for reading), 0 none, -1 error. */
int store_step_one(struct store *st, sqlite3_stmt *s, const char *what);
void store_bind_text(sqlite3_stmt *s, int i, const char *v);
char *store_column_text(sqlite3_stmt *s, int i);

/* What a ticket is selected with, and reading one such row into t
 * (tickets.c), for tickets.c and ticket_lists.c. */
#define TICKET_COLUMNS \
	"t.id, t.queue, t.number, t.tag, t.subject, t.status, t.priority, t.customer_id," \
	" c.address, c.name, t.created, t.updated, t.locale, coalesce(t.first_response_due, 0)," \
	" coalesce(t.resolution_due, 0), t.assignee, coalesce(t.first_response_at, 0)," \
	" coalesce(t.first_response_kept, -1), coalesce(t.paused_at, 0), coalesce(t.resolved_at, 0)," \
	" coalesce(t.merged_into, 0), coalesce(t.parent_id, 0)" \
	" FROM tickets t JOIN customers c ON c.id = t.customer_id"
void store_read_ticket(sqlite3_stmt *s, struct store_ticket *t);

#endif
