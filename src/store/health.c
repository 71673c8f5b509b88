/*
 * health.c - what a store failure means for the operator (see
 * store_internal.h): SQLite's error turned into one line that names the
 * cause and the remedy.  It calls nothing of the store, so that store.c,
 * which keeps the error, can use it.
 *
 * These lines end up in the log line of every tempfailed message, so
 * they say what the administrator has to do, not only what SQLite saw.
 * Room: store.
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
