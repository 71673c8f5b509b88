/*
 * store_internal.h - what the store's source files share (private to
 * src/store): the connection struct and the statement cache.
 *
 * Each file owns a range of cache slots: store.c from 0, outbox.c from
 * STORE_FIRST_MODULE_SLOT, trust.c from STORE_TRUST_SLOT, customer_tz.c
 * from STORE_ZONE_SLOT, participants.c from STORE_PARTICIPANTS_SLOT,
 * customer_history.c STORE_HISTORY_SLOT.
 * Room: store.
 */
#ifndef TM_STORE_INTERNAL_H
#define TM_STORE_INTERNAL_H

#include <sqlite3.h>
#include <sys/types.h>
#include "store/store.h"

#define STORE_FIRST_MODULE_SLOT 40
#define STORE_TRUST_SLOT 56
#define STORE_ZONE_SLOT 64
#define STORE_PARTICIPANTS_SLOT 68
/* customer_history.c's one statement: the last slot. */
#define STORE_HISTORY_SLOT (STORE_MAX_STMTS - 1)
#define STORE_MAX_STMTS 72

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

#endif
