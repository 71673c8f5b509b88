/*
 * checkpoint.c - the background WAL checkpointer (checkpoint.h).
 */
#include "config.h"
#include "checkpoint.h"
#include "log.h"

#include <glib.h>
#include <string.h>

struct checkpointer {
	GThread *thread;
	GMutex lock;		/* guards the fields below */
	GCond wake;
	char *due;		/* database file to checkpoint, NULL when none is due */
	bool stopping;
	unsigned long done;
};

static void checkpoint(const char *path)
{
	sqlite3 *db = NULL;
	int log_frames = 0, copied = 0;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 1000);
		rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
	}
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_warning("checkpoint of %s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	else
		log_debug("checkpoint of %s: %d of %d WAL frames copied", path, copied, log_frames);
	sqlite3_close(db);
}

static gpointer checkpointer_thread(gpointer data)
{
	struct checkpointer *cp = data;

	g_mutex_lock(&cp->lock);
	while (!cp->stopping) {
		char *path;

		if (cp->due == NULL) {
			g_cond_wait(&cp->wake, &cp->lock);
			continue;
		}
		path = cp->due;
		cp->due = NULL;
		g_mutex_unlock(&cp->lock);
		checkpoint(path);
		g_free(path);
		g_mutex_lock(&cp->lock);
		cp->done++;
	}
	g_mutex_unlock(&cp->lock);
	return NULL;
}

struct checkpointer *checkpointer_start(void)
{
	struct checkpointer *cp = g_new0(struct checkpointer, 1);

	g_mutex_init(&cp->lock);
	g_cond_init(&cp->wake);
	cp->thread = g_thread_new("checkpoint", checkpointer_thread, cp);
	return cp;
}

void checkpointer_stop(struct checkpointer *cp)
{
	if (cp == NULL)
		return;
	g_mutex_lock(&cp->lock);
	cp->stopping = true;
	g_cond_signal(&cp->wake);
	g_mutex_unlock(&cp->lock);
	g_thread_join(cp->thread);
	g_free(cp->due);
	g_mutex_clear(&cp->lock);
	g_cond_clear(&cp->wake);
	g_free(cp);
}

/* Runs on the committing thread: notes that a checkpoint is due, or, if
 * the background cannot keep up, checkpoints here as SQLite would. */
static int on_commit(void *data, sqlite3 *db, const char *schema, int frames)
{
	struct checkpointer *cp = data;

	if (frames >= CHECKPOINT_INLINE_FRAMES) {
		sqlite3_wal_checkpoint(db, schema);
		return SQLITE_OK;
	}
	if (frames >= CHECKPOINT_FRAMES && strcmp(schema, "main") == 0) {
		const char *path = sqlite3_db_filename(db, "main");
		g_mutex_lock(&cp->lock);
		if (cp->due == NULL && path) {
			cp->due = g_strdup(path);
			g_cond_signal(&cp->wake);
		}
		g_mutex_unlock(&cp->lock);
	}
	return SQLITE_OK;
}

void checkpointer_watch(struct checkpointer *cp, sqlite3 *db)
{
	/* Replaces SQLite's automatic checkpoint (itself a wal hook). */
	sqlite3_wal_hook(db, on_commit, cp);
}

unsigned long checkpointer_count(struct checkpointer *cp)
{
	unsigned long n;

	g_mutex_lock(&cp->lock);
	n = cp->done;
	g_mutex_unlock(&cp->lock);
	return n;
}
