/*
 * checkpoint.c - the background WAL checkpointer (checkpoint.h).
 * Room: store.
 */
#include "config.h"
#include "store/checkpoint.h"
#include "util/log.h"

#include <glib.h>
#include <string.h>

struct checkpointer {
	GThread *thread;
	GMutex lock;		/* guards the fields below */
	GCond wake;
	char *due;		/* database file to checkpoint, NULL when none is due */
	int asked_at;		/* WAL frames when the last checkpoint was asked for */
	bool stopping;
	unsigned long done;
	/* the thread's own */
	sqlite3 *db;
	char *db_path;
};

/* On the thread's own connection, kept open: opening one costs more
 * than a checkpoint of a few pages. */
static void checkpoint(struct checkpointer *cp, const char *path)
{
	int log_frames = 0, copied = 0, rc = SQLITE_OK;

	if (cp->db && g_strcmp0(cp->db_path, path) != 0) {
		sqlite3_close(cp->db);
		cp->db = NULL;
	}
	if (cp->db == NULL) {
		rc = sqlite3_open_v2(path, &cp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
		if (rc == SQLITE_OK)
			sqlite3_busy_timeout(cp->db, 1000);
		g_free(cp->db_path);
		cp->db_path = g_strdup(path);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_wal_checkpoint_v2(cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
		log_warning("checkpoint of %s: %s", path, cp->db ? sqlite3_errmsg(cp->db) : sqlite3_errstr(rc));
		sqlite3_close(cp->db);	/* opened afresh next time */
		cp->db = NULL;
	} else {
		log_debug("checkpoint of %s: %d of %d WAL frames copied", path, copied, log_frames);
	}
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
		checkpoint(cp, path);
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
	sqlite3_close(cp->db);
	g_free(cp->db_path);
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
		/* The WAL only starts over once a checkpoint finished and the
		 * next commit comes: until then it stays past the mark, and a
		 * checkpoint per commit would copy a few pages each time. */
		if (frames < cp->asked_at)
			cp->asked_at = 0;	/* it did start over */
		if (cp->due == NULL && path && frames >= cp->asked_at + CHECKPOINT_FRAMES / 4) {
			cp->due = g_strdup(path);
			cp->asked_at = frames;
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
