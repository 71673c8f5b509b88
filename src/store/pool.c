/*
 * pool.c - idle store connections and the writer lock (store_pool.h).
 */
#include "config.h"
#include "store_pool.h"
#include "store_internal.h"

#include <string.h>

/* More idle connections than this are closed when put back: the
 * milter's thread count bounds how many are in use at once anyway. */
#define POOL_MAX_IDLE 32

struct store_pool {
	GMutex lock;		/* guards idle and path */
	GMutex writer;		/* held from store_begin to commit/rollback */
	GPtrArray *idle;	/* struct store * */
	char *path;		/* of the idle stores */
};

struct store_pool *store_pool_new(void)
{
	struct store_pool *pool = g_new0(struct store_pool, 1);

	g_mutex_init(&pool->lock);
	g_mutex_init(&pool->writer);
	pool->idle = g_ptr_array_new();
	return pool;
}

void store_pool_free(struct store_pool *pool)
{
	if (pool == NULL)
		return;
	for (guint i = 0; i < pool->idle->len; i++)
		store_close(g_ptr_array_index(pool->idle, i));
	g_ptr_array_free(pool->idle, TRUE);
	g_free(pool->path);
	g_mutex_clear(&pool->lock);
	g_mutex_clear(&pool->writer);
	g_free(pool);
}

struct store *store_pool_get(struct store_pool *pool, const char *path, int busy_timeout_ms, char **error)
{
	struct store *st = NULL;
	GPtrArray *stale = NULL;

	g_mutex_lock(&pool->lock);
	if (pool->path && strcmp(pool->path, path) != 0) {
		stale = pool->idle;
		pool->idle = g_ptr_array_new();
	}
	if (pool->idle->len > 0)
		st = g_ptr_array_steal_index_fast(pool->idle, pool->idle->len - 1);
	g_mutex_unlock(&pool->lock);

	if (stale) {
		for (guint i = 0; i < stale->len; i++)
			store_close(g_ptr_array_index(stale, i));
		g_ptr_array_free(stale, TRUE);
	}
	if (st == NULL) {
		st = store_open(path, busy_timeout_ms, error);
		if (st == NULL)
			return NULL;
		g_mutex_lock(&pool->lock);
		if (pool->path == NULL || strcmp(pool->path, path) != 0) {
			g_free(pool->path);
			pool->path = g_strdup(path);
		}
		g_mutex_unlock(&pool->lock);
	}
	st->writer = &pool->writer;
	return st;
}

void store_pool_put(struct store_pool *pool, struct store *st, bool broken)
{
	if (st == NULL)
		return;
	store_rollback(st);	/* never hand on a transaction (or the writer lock) */
	g_mutex_lock(&pool->lock);
	if (!broken && pool->idle->len < POOL_MAX_IDLE && g_strcmp0(pool->path, st->path) == 0) {
		g_ptr_array_add(pool->idle, st);
		st = NULL;
	}
	g_mutex_unlock(&pool->lock);
	store_close(st);
}
