/*
 * startup.c - what both daemons check before they serve (see
 * startup.h).  Room: daemon.
 */
#include "config.h"
#include "daemon/startup.h"
#include "daemon/check.h"
#include "store/store.h"
#include "util/log.h"
#include "util/run_as.h"

/* Creates or migrates the schema as the final user, so that a broken
 * database stops the daemon at start and not at the first message. */
int daemon_open_store(const struct settings *s)
{
	char *error = NULL;
	struct store *st = store_open(s->database, s->busy_timeout_ms, &error);

	if (st == NULL) {
		log_err("database: %s", error);
		g_free(error);
		return -1;
	}
	if (store_version_found(st) != STORE_SCHEMA_VERSION)
		log_info("database %s migrated from schema %d to %d", s->database,
			 store_version_found(st), STORE_SCHEMA_VERSION);
	/* Readable but not writable: stay up (the MTA keeps the mail, and it
	 * heals without a restart once fixed), but say so now. */
	if (store_probe_write(st) != 0)
		log_err("database %s: %s; every message for a queue is tempfailed until this is fixed",
			s->database, store_error(st));
	store_close(st);
	return 0;
}

/* The files the daemon's user could have replaced with links or files
 * of its own while the daemon was stopped: refused before anything is
 * created, so that a refused start leaves nothing behind. */
int daemon_check_files(const struct settings *s)
{
	GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
	char *error = NULL;
	uid_t owner;
	gid_t group;
	int rc = 0;

	if (run_as_owner(s->user, &owner, &group, &error) != 0) {
		log_err("not starting: %s", error);
		g_free(error);
		rc = -1;
	} else {
		check_owned_files(s, owner, problems);
	}
	for (guint i = 0; i < problems->len; i++)
		log_err("not starting: %s", (char *)g_ptr_array_index(problems, i));
	if (problems->len)
		rc = -1;
	g_ptr_array_free(problems, TRUE);
	return rc;
}
