/*
 * health.c - what a store failure means for the operator (see
 * store_internal.h and store.h): SQLite's error turned into one line
 * that names the cause and the remedy, and the write probe run at start.
 *
 * These lines end up in the log line of every tempfailed message, so
 * they say what the administrator has to do, not only what SQLite saw.
 */
#include "config.h"
#include "store/store_internal.h"

static const char *advice(int code)
{
	switch (code) {
	case SQLITE_READONLY_DBMOVED:
		return "the database file was moved or replaced while the daemon had it open: restart ticket-milter";
	case SQLITE_IOERR_NOMEM:
		return "out of memory";
	}
	switch (code & 0xff) {
	case SQLITE_FULL:
		return "the filesystem holding the database is full: free space there";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "another process held the database's write lock longer than busy-timeout; fuser on the file shows which";
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
	case SQLITE_AUTH:
		return "the daemon's user cannot write the database file, its -wal and -shm files or their folder: "
		       "check their owner and mode";
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return "the database file is damaged: stop ticket-milter, keep a copy of the file with its -wal, "
		       "restore it from a backup (or sqlite3 .recover), start again";
	case SQLITE_IOERR:
		return "I/O error on the database's disk: see the kernel log";
	case SQLITE_NOMEM:
		return "out of memory";
	}
	return NULL;
}

char *store_describe_error(sqlite3 *db, int code, const char *what)
{
	const char *message = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
	const char *hint = advice(code);

	/* SQLite's text alone ("database or disk is full") says what, not where
	 * or what to do; its generic text adds nothing to the message. */
	if (hint == NULL)
		hint = sqlite3_errstr(code);
	if (g_strcmp0(hint, message) == 0)
		return g_strdup_printf("%s: %s", what, message);
	return g_strdup_printf("%s: %s (%s)", what, message, hint);
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
