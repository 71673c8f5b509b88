/*
 * pool.c - idle store connections, the writer lock and group commit
 * (pool.h).
 * Room: store.
 */
#include "config.h"
#include "store/pool.h"
#include "store/store_internal.h"
#include "store/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store_pool {
	GMutex lock;		/* guards the fields below */
	GCond returned;		/* a store came back, or a slot freed */
	GCond first_turn;	/* the same, for store_pool_get_first callers */
	int first_waiting;	/* how many of those wait: the others let them go first */
	GMutex writer;		/* held from store_begin to commit/rollback */
	GPtrArray *idle;	/* struct store * */
	char *path;		/* of the idle stores */
	int max_open;
	int open;		/* idle + handed out */
	/* group commit */
	GCond synced;		/* a sync finished */
	guint64 commit_seq;	/* commits handed back, numbered in order */
	guint64 synced_seq;	/* every commit up to this one is on disk */
	bool syncing;		/* a thread is in fdatasync() for the others */
	int wal_fd;		/* the -wal file of path, or -1 */
	struct checkpointer *checkpointer;
	struct store_pool_stats stats;
};

struct store_pool *store_pool_new(int max_open)
{
	struct store_pool *pool = g_new0(struct store_pool, 1);

	g_mutex_init(&pool->lock);
	g_cond_init(&pool->returned);
	g_cond_init(&pool->first_turn);
	g_mutex_init(&pool->writer);
	g_cond_init(&pool->synced);
	pool->idle = g_ptr_array_new();
	pool->max_open = max_open > 0 ? max_open : 1;
	pool->wal_fd = -1;
	pool->checkpointer = checkpointer_start();
	return pool;
}

static void close_all(GPtrArray *stores)
{
	for (guint i = 0; stores && i < stores->len; i++)
		store_close(g_ptr_array_index(stores, i));
	if (stores)
		g_ptr_array_free(stores, TRUE);
}

void store_pool_free(struct store_pool *pool)
{
	if (pool == NULL)
		return;
	close_all(pool->idle);
	checkpointer_stop(pool->checkpointer);
	g_free(pool->path);
	if (pool->wal_fd >= 0)
		close(pool->wal_fd);
	g_mutex_clear(&pool->lock);
	g_cond_clear(&pool->returned);
	g_cond_clear(&pool->first_turn);
	g_cond_clear(&pool->synced);
	g_mutex_clear(&pool->writer);
	g_free(pool);
}

/* A store came back or a slot freed: one waiter may go on, a
 * store_pool_get_first caller if there is one.  Under pool->lock. */
static void wake_next(struct store_pool *pool)
{
	g_cond_signal(pool->first_waiting > 0 ? &pool->first_turn : &pool->returned);
}

static bool none_free(const struct store_pool *pool)
{
	return pool->idle->len == 0 && pool->open >= pool->max_open;
}

/* Under pool->lock: until this caller may take a store or a slot. */
static void wait_turn(struct store_pool *pool, bool first)
{
	if (!first) {
		while (none_free(pool) || pool->first_waiting > 0)
			g_cond_wait(&pool->returned, &pool->lock);
		return;
	}
	pool->first_waiting++;
	while (none_free(pool))
		g_cond_wait(&pool->first_turn, &pool->lock);
	/* The others waited for us: with more than one store, one of them
	 * may be free for them too. */
	if (--pool->first_waiting == 0 && pool->max_open > 1)
		g_cond_broadcast(&pool->returned);
}

static struct store *pool_get(struct store_pool *pool, const char *path, int busy_timeout_ms, bool first,
			      char **error)
{
	struct store *st = NULL;
	GPtrArray *stale = NULL;

	g_mutex_lock(&pool->lock);
	if (pool->path && strcmp(pool->path, path) != 0) {
		stale = pool->idle;
		pool->open -= (int)stale->len;
		pool->idle = g_ptr_array_new();
		g_free(pool->path);
		pool->path = NULL;
	}
	wait_turn(pool, first);
	if (pool->idle->len > 0)
		st = g_ptr_array_steal_index_fast(pool->idle, pool->idle->len - 1);
	else
		pool->open++;	/* a slot, opened below without the lock */
	if (st && !store_is_current(st)) {
		/* Its slot passes to the store opened below. */
		if (stale == NULL)
			stale = g_ptr_array_new();
		g_ptr_array_add(stale, st);
		st = NULL;
	}
	if (pool->path == NULL)
		pool->path = g_strdup(path);
	g_mutex_unlock(&pool->lock);
	close_all(stale);

	if (st == NULL && (st = store_open(path, busy_timeout_ms, error)) == NULL) {
		g_mutex_lock(&pool->lock);
		pool->open--;
		wake_next(pool);
		g_mutex_unlock(&pool->lock);
		return NULL;
	}
	if (!st->group_commit) {
		/* Commits are made durable by pool_sync, several at a time. */
		if (sqlite3_exec(st->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) == SQLITE_OK)
			st->group_commit = true;
		/* The sub-journals of a batch's savepoints (one per message,
		 * store_batch_begin) and the search index's statement journal
		 * in memory: on disk they spilled past 64 KiB into temporary
		 * files, about 19 pwrite()s per message besides creating and
		 * removing the files, for data thrown away at commit.  Only
		 * here: ticketctl's connection keeps the default, so that a
		 * search sorting a million rows may spill to disk.  Without
		 * it, only slower. */
		sqlite3_exec(st->db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
		checkpointer_watch(pool->checkpointer, st->db);
	}
	st->writer = &pool->writer;
	return st;
}

struct store *store_pool_get(struct store_pool *pool, const char *path, int busy_timeout_ms, char **error)
{
	return pool_get(pool, path, busy_timeout_ms, false, error);
}

struct store *store_pool_get_first(struct store_pool *pool, const char *path, int busy_timeout_ms, char **error)
{
	return pool_get(pool, path, busy_timeout_ms, true, error);
}

/* The pool's descriptor of the WAL file, (re)opened when the file is
 * another than the one it has (a replaced database).  Under pool->lock. */
static int wal_fd(struct store_pool *pool, const char *db_path)
{
	char *path = g_strconcat(db_path, "-wal", NULL);
	struct stat now, have;

	if (pool->wal_fd >= 0 && (stat(path, &now) != 0 || fstat(pool->wal_fd, &have) != 0 ||
				  now.st_dev != have.st_dev || now.st_ino != have.st_ino)) {
		close(pool->wal_fd);
		pool->wal_fd = -1;
	}
	if (pool->wal_fd < 0)
		pool->wal_fd = open(path, O_RDONLY | O_CLOEXEC);
	g_free(path);
	return pool->wal_fd;
}

/* Makes every commit handed back so far durable.  Threads that arrive
 * while one is in fdatasync() wait for the next round and are covered
 * by it: one fsync for all the commits finished before it started.
 * fdatasync on our own descriptor flushes the file, whoever wrote it.
 * Returns 0 or an errno value. */
static int pool_sync(struct store_pool *pool)
{
	guint64 mine;
	int err = 0;

	g_mutex_lock(&pool->lock);
	mine = ++pool->commit_seq;
	while (pool->synced_seq < mine) {
		guint64 target = pool->commit_seq;	/* all of these had committed */
		int fd;

		if (pool->syncing) {
			g_cond_wait(&pool->synced, &pool->lock);
			continue;
		}
		fd = pool->path ? wal_fd(pool, pool->path) : -1;
		if (pool->path == NULL)
			errno = ENOENT;
		/* No WAL file: the last connection closed, and closing checkpoints
		 * the WAL into the database (synced) and removes it. */
		err = fd < 0 && errno != ENOENT ? errno : 0;
		pool->syncing = true;
		g_mutex_unlock(&pool->lock);
		if (fd >= 0 && fdatasync(fd) != 0)
			err = errno;
		g_mutex_lock(&pool->lock);
		pool->syncing = false;
		pool->stats.syncs++;
		if (err == 0)
			pool->synced_seq = MAX(pool->synced_seq, target);
		g_cond_broadcast(&pool->synced);
		if (err != 0)
			break;
	}
	g_mutex_unlock(&pool->lock);
	return err;
}

int store_pool_put(struct store_pool *pool, struct store *st, bool broken)
{
	bool owed;

	if (st == NULL)
		return 0;
	/* Never hand on a transaction (or the writer lock), a batch's either. */
	if (st->in_batch)
		store_batch_rollback(st);
	else
		store_rollback(st);
	owed = st->sync_owed;
	st->sync_owed = false;
	g_mutex_lock(&pool->lock);
	if (!broken && g_strcmp0(pool->path, st->path) == 0) {
		g_ptr_array_add(pool->idle, st);
		st = NULL;
	} else {
		pool->open--;
	}
	wake_next(pool);
	g_mutex_unlock(&pool->lock);
	store_close(st);
	/* After giving the store back: the next message runs while we sync. */
	return owed ? pool_sync(pool) : 0;
}

struct store_pool_stats store_pool_stats(struct store_pool *pool)
{
	struct store_pool_stats stats;

	g_mutex_lock(&pool->lock);
	stats = pool->stats;
	stats.commits = pool->commit_seq;
	g_mutex_unlock(&pool->lock);
	stats.checkpoints = checkpointer_count(pool->checkpointer);
	return stats;
}
