/*
 * pool.c - idle store connections and the writer lock (store_pool.h).
 */
#include "config.h"
#include "store_pool.h"
#include "store_internal.h"

#include <string.h>

struct store_pool {
	GMutex lock;		/* guards the fields below */
	GCond returned;		/* a store came back, or a slot freed */
	GMutex writer;		/* held from store_begin to commit/rollback */
	GPtrArray *idle;	/* struct store * */
	char *path;		/* of the idle stores */
	int max_open;
	int open;		/* idle + handed out */
};

struct store_pool *store_pool_new(int max_open)
{
	struct store_pool *pool = g_new0(struct store_pool, 1);

	g_mutex_init(&pool->lock);
	g_cond_init(&pool->returned);
	g_mutex_init(&pool->writer);
	pool->idle = g_ptr_array_new();
	pool->max_open = max_open > 0 ? max_open : 1;
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
	g_cond_clear(&pool->returned);
	g_mutex_clear(&pool->writer);
	g_free(pool);
}

static void close_all(GPtrArray *stores)
{
	for (guint i = 0; stores && i < stores->len; i++)
		store_close(g_ptr_array_index(stores, i));
	if (stores)
		g_ptr_array_free(stores, TRUE);
}

struct store *store_pool_get(struct store_pool *pool, const char *path, int busy_timeout_ms, char **error)
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
	while (pool->idle->len == 0 && pool->open >= pool->max_open)
		g_cond_wait(&pool->returned, &pool->lock);
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
		g_cond_signal(&pool->returned);
		g_mutex_unlock(&pool->lock);
		return NULL;
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
	if (!broken && g_strcmp0(pool->path, st->path) == 0) {
		g_ptr_array_add(pool->idle, st);
		st = NULL;
	} else {
		pool->open--;
	}
	g_cond_signal(&pool->returned);
	g_mutex_unlock(&pool->lock);
	store_close(st);
}
