/*
 * store.c - the connection to the SQLite ticket store (see store.h):
 * opening it and migrating its schema, the statement cache and the
 * helpers every table's file uses, the error of the last call, and
 * transactions, with the savepoints of a batch.
 *
 * Every statement is prepared once per connection and kept (the cache
 * is the stmt array, each file owning a range of it: store_internal.h);
 * the write path of one message is a single BEGIN IMMEDIATE ... COMMIT.
 * The tables are read and written in files of their own: tickets.c,
 * messages.c, customers.c, participants.c, ticket_lists.c, outbox.c,
 * trust.c, customer_tz.c and customer_history.c.
 * Room: store.
 */
#include "config.h"
#include "store/store.h"
#include "store/schema.h"
#include "store/store_internal.h"

enum {
	ST_BEGIN = STORE_CORE_SLOT, ST_COMMIT, ST_SAVEPOINT, ST_RELEASE,
	ST_END
};
G_STATIC_ASSERT(ST_END <= STORE_TICKETS_SLOT);

static const char *const stmt_sql[ST_END - STORE_CORE_SLOT] = {
	[ST_BEGIN - STORE_CORE_SLOT] = "BEGIN IMMEDIATE",
	[ST_COMMIT - STORE_CORE_SLOT] = "COMMIT",
	[ST_SAVEPOINT - STORE_CORE_SLOT] = "SAVEPOINT job",
	[ST_RELEASE - STORE_CORE_SLOT] = "RELEASE job",
};

void store_set_error(struct store *st, const char *what)
{
	g_free(st->error);
	st->error = store_describe_error(st->db, sqlite3_extended_errcode(st->db), what);
}

const char *store_error(const struct store *st)
{
	return st->error ? st->error : "no error";
}

int store_version_found(const struct store *st)
{
	return st->version_found;
}

sqlite3_stmt *store_stmt(struct store *st, int slot, const char *sql)
{
	sqlite3_stmt *s = st->stmt[slot];

	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			store_set_error(st, "prepare");
			return NULL;
		}
		st->stmt[slot] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

static sqlite3_stmt *stmt(struct store *st, int slot)
{
	return store_stmt(st, slot, stmt_sql[slot - STORE_CORE_SLOT]);
}

void store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

char *store_column_text(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v ? g_strdup((const char *)v) : NULL;
}

int store_run(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_set_error(st, what);
		return -1;
	}
	return 0;
}

int store_step_one(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	store_set_error(st, what);
	return -1;
}

static int migrate(struct store *st)
{
	sqlite3_stmt *s;
	int version = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK) {
		store_set_error(st, "read schema version");
		return -1;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	st->version_found = version;
	if (version > schema_latest_version()) {
		g_free(st->error);
		st->error = g_strdup_printf("database schema version %d is newer than this program's %d",
					    version, schema_latest_version());
		return -1;
	}
	while (version < schema_latest_version()) {
		char *sql = g_strdup_printf("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;",
					    schema_migration(version), version + 1);
		int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
		g_free(sql);
		if (rc != SQLITE_OK) {
			store_set_error(st, "migrate schema");
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		version++;
	}
	return 0;
}

struct store *store_open(const char *path, int busy_timeout_ms, char **error)
{
	struct store *st = g_new0(struct store, 1);
	int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK) {
		char *why = store_describe_error(st->db, st->db ? sqlite3_extended_errcode(st->db) : rc, "open");
		*error = g_strdup_printf("%s: %s", path, why);
		g_free(why);
		store_close(st);
		return NULL;
	}
	st->path = g_strdup(path);
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, busy_timeout_ms);
	/* WAL lets readers (ticketctl) run beside the milter's writes;
	 * synchronous=FULL makes each commit durable before we answer the MTA. */
	if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 " PRAGMA foreign_keys=ON;", NULL, NULL, NULL) != SQLITE_OK ||
	    migrate(st) != 0) {
		if (st->error == NULL)
			store_set_error(st, "open");
		*error = g_strdup_printf("%s: %s", path, st->error);
		store_close(st);
		return NULL;
	}
	return st;
}

bool store_is_current(const struct store *st)
{
	int moved = 0;

	/* SQLite's own check: the file unlinked or another file at the path
	 * (it compares inodes while it still holds the old one open, so the
	 * number cannot have been reused). */
	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK)
		return true;
	return !moved;
}

int store_probe_write(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int version = 0, rc;
	char *sql;

	/* Rewriting user_version with its own value dirties page 1 without
	 * changing anything, and the rollback discards even that. */
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK) {
		store_set_error(st, "write probe");
		return -1;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (store_begin(st) != 0)
		return -1;
	sql = g_strdup_printf("PRAGMA user_version = %d", version);
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	g_free(sql);
	if (rc != SQLITE_OK)
		store_set_error(st, "write probe");
	store_rollback(st);
	return rc == SQLITE_OK ? 0 : -1;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->db)
		store_rollback(st);
	for (int i = 0; i < STORE_MAX_STMTS; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	g_free(st->error);
	g_free(st->path);
	g_free(st);
}

int store_relax(struct store *st, bool relaxed)
{
	if (st->relaxed == relaxed || st->group_commit) {
		st->relaxed = relaxed;	/* the pool syncs only what was not relaxed */
		return 0;
	}
	if (sqlite3_exec(st->db, relaxed ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
			 NULL, NULL, NULL) != SQLITE_OK) {
		store_set_error(st, "synchronous");
		return -1;
	}
	st->relaxed = relaxed;
	return 0;
}

/* The writer lock of a pooled store is held exactly while SQLite's
 * write transaction is open: taken before BEGIN, given back as soon as
 * the transaction is over, whichever way it ended. */
static void writer_release_if_done(struct store *st)
{
	if (st->holds_writer && sqlite3_get_autocommit(st->db)) {
		st->holds_writer = false;
		g_mutex_unlock(st->writer);
	}
}

/* Inside a batch, a job's transaction is a savepoint of the batch's:
 * its rollback undoes that job alone, its commit waits for the batch. */
static int savepoint_begin(struct store *st)
{
	sqlite3_stmt *s;

	if (st->in_savepoint) {
		g_free(st->error);
		st->error = g_strdup("begin: a transaction is already open");
		return -1;
	}
	/* SQLite ends a transaction by itself after some errors (a full
	 * disk): the jobs after it must not open one of their own. */
	if (sqlite3_get_autocommit(st->db)) {
		g_free(st->error);
		st->error = g_strdup("begin: the batch's transaction was rolled back by an earlier error");
		return -1;
	}
	if ((s = stmt(st, ST_SAVEPOINT)) == NULL || store_run(st, s, "savepoint") != 0)
		return -1;
	st->in_savepoint = true;
	return 0;
}

int store_begin(struct store *st)
{
	sqlite3_stmt *s;
	int rc;

	if (st->in_batch)
		return savepoint_begin(st);
	if ((s = stmt(st, ST_BEGIN)) == NULL)
		return -1;
	if (st->writer && !st->holds_writer) {
		g_mutex_lock(st->writer);
		st->holds_writer = true;
	}
	rc = store_run(st, s, "begin");
	writer_release_if_done(st);
	return rc;
}

int store_commit(struct store *st)
{
	sqlite3_stmt *s;
	int rc;

	if (st->in_batch) {
		if (!st->in_savepoint || (s = stmt(st, ST_RELEASE)) == NULL || store_run(st, s, "release") != 0)
			return -1;
		st->in_savepoint = false;
		return 0;
	}
	s = stmt(st, ST_COMMIT);
	rc = s ? store_run(st, s, "commit") : -1;
	if (rc == 0 && st->group_commit && !st->relaxed)
		st->sync_owed = true;
	/* A failed COMMIT may leave the transaction open (the caller then
	 * rolls back) or may have ended it: release only in the second case. */
	writer_release_if_done(st);
	return rc;
}

void store_rollback(struct store *st)
{
	if (st->in_batch) {
		if (st->in_savepoint && !sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK TO job; RELEASE job", NULL, NULL, NULL);
		st->in_savepoint = false;
		return;
	}
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	writer_release_if_done(st);
}

int store_batch_begin(struct store *st)
{
	if (st->in_batch || store_begin(st) != 0)
		return -1;
	st->in_batch = true;
	return 0;
}

int store_batch_commit(struct store *st)
{
	bool open = !sqlite3_get_autocommit(st->db);

	st->in_batch = st->in_savepoint = false;
	if (!open) {
		g_free(st->error);
		st->error = g_strdup("commit: the batch's transaction was rolled back by an earlier error");
		writer_release_if_done(st);
		return -1;
	}
	return store_commit(st);
}

void store_batch_rollback(struct store *st)
{
	st->in_batch = st->in_savepoint = false;
	store_rollback(st);
}
