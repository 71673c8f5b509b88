/*
 * check.c - deep configuration check for -n (see check.h).
 *
 * Looks at what a running daemon will touch: the user, the socket's
 * directory, the database (opened read-only when it exists, so that a
 * check never changes anything) and the secret.
 */
#include "config.h"
#include "check.h"
#include "daemon.h"

#include <errno.h>
#include <pwd.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static void problem(GPtrArray *errors, const struct settings *s, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Reports at the line of [milter] key. */
static void problem(GPtrArray *errors, const struct settings *s, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(errors, g_strdup_printf("%s:%d: %s", s->path, settings_line(s, "milter", key), msg));
	g_free(msg);
}

static void check_database(const struct settings *s, GPtrArray *errors)
{
	char *dir = g_path_get_dirname(s->database);
	sqlite3 *db = NULL;

	if (access(s->database, F_OK) != 0) {
		if (access(dir, W_OK) != 0)
			problem(errors, s, "database", "database: directory %s is not writable: %s", dir, strerror(errno));
	} else if (sqlite3_open_v2(s->database, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		problem(errors, s, "database", "database %s: %s", s->database, sqlite3_errmsg(db));
	} else {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW)
			problem(errors, s, "database", "database %s is not a ticket-milter database: %s", s->database,
				sqlite3_errmsg(db));
		else if (sqlite3_column_int(st, 0) > STORE_SCHEMA_VERSION)
			problem(errors, s, "database", "database %s has schema version %d, newer than this program's %d",
				s->database, sqlite3_column_int(st, 0), STORE_SCHEMA_VERSION);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	g_free(dir);
}

void check_settings(const struct settings *s, GPtrArray *errors)
{
	const char *path = daemon_socket_path(s->socket);

	if (s->user && getpwnam(s->user) == NULL)
		problem(errors, s, "user", "user: %s does not exist", s->user);
	if (path) {
		char *dir = g_path_get_dirname(path);
		if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
			problem(errors, s, "socket", "socket: directory %s does not exist", dir);
		g_free(dir);
	}
	if (s->pid_file) {
		char *dir = g_path_get_dirname(s->pid_file);
		if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
			problem(errors, s, "pid-file", "pid-file: directory %s does not exist", dir);
		g_free(dir);
	}
	check_database(s, errors);
}
