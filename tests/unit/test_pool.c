/* test_pool.c - the store pool: reuse, and the writer lock held exactly
 * from store_begin to the end of the transaction, however it ends. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "store_pool.h"

#include <glib.h>
#include <stdio.h>

struct contender {
	struct store *st;
	gint began;		/* atomic: 1 once its store_begin returned */
};

static gpointer begin_and_commit(gpointer data)
{
	struct contender *c = data;

	if (store_begin(c->st) == 0) {
		g_atomic_int_set(&c->began, 1);
		store_commit(c->st);
	} else {
		g_atomic_int_set(&c->began, -1);
	}
	return NULL;
}

static GThread *contender_start(struct contender *c, struct store *st)
{
	c->st = st;
	c->began = 0;
	return g_thread_new("contender", begin_and_commit, c);
}

/* Whether the contender got through store_begin within about a second. */
static bool contender_began(struct contender *c)
{
	for (int i = 0; i < 200; i++) {
		if (g_atomic_int_get(&c->began) == 1)
			return true;
		g_usleep(5000);
	}
	return false;
}

struct taker {
	struct store_pool *pool;
	const char *db;
	struct store *got;
	gint done;
};

static gpointer take_one(gpointer data)
{
	struct taker *tk = data;
	char *error = NULL;

	tk->got = store_pool_get(tk->pool, tk->db, 1000, &error);
	g_free(error);
	g_atomic_int_set(&tk->done, 1);
	return NULL;
}

/* A second pooled store can begin right now. */
static bool writer_is_free(struct store *other)
{
	struct contender c;
	GThread *t = contender_start(&c, other);
	bool began = contender_began(&c);

	g_thread_join(t);
	return began;
}

int main(void)
{
	struct fixture f;
	struct store_pool *pool = store_pool_new(4);
	struct store *a, *b, *again;
	char *db, *error = NULL;

	fixture_setup(&f, NULL);
	db = g_build_filename(f.dir, "tickets.db", NULL);
	a = store_pool_get(pool, db, 1000, &error);
	b = store_pool_get(pool, db, 1000, &error);
	ok(a && b && a != b, "two stores at once are two connections");
	ok(writer_is_free(b), "no transaction: the writer lock is free");

	ok(store_begin(a) == 0, "a begins");
	{
		struct contender c;
		GThread *t = contender_start(&c, b);
		g_usleep(200000);
		ok(g_atomic_int_get(&c.began) == 0, "while a writes, b waits at begin");
		ok(store_commit(a) == 0, "a commits");
		ok(contender_began(&c), "and b gets in at once");
		g_thread_join(t);
	}

	ok(store_begin(a) == 0, "a begins again");
	store_rollback(a);
	ok(writer_is_free(b), "rollback gives the lock back");

	ok(store_begin(a) == 0, "a begins a third time");
	store_pool_put(pool, a, false);
	ok(writer_is_free(b), "putting a store back in a transaction rolls back and gives the lock back");

	again = store_pool_get(pool, db, 1000, &error);
	ok(again == a, "an idle store is reused");
	store_rollback(again);
	store_rollback(again);
	ok(writer_is_free(b), "a rollback without a transaction changes nothing");

	ok(store_begin(again) == 0 && store_begin(again) != 0, "a nested begin fails");
	{
		struct contender c;
		GThread *t = contender_start(&c, b);
		g_usleep(200000);
		ok(g_atomic_int_get(&c.began) == 0, "and the outer transaction keeps the lock");
		store_rollback(again);
		ok(contender_began(&c), "until it ends");
		g_thread_join(t);
	}

	store_pool_put(pool, again, true);
	{
		struct store *fresh = store_pool_get(pool, db, 1000, &error);
		ok(fresh != NULL && fresh != again, "a store put back broken is not reused");
		store_pool_put(pool, fresh, false);
	}
	{
		char *other = g_build_filename(f.dir, "moved.db", NULL);
		struct store *moved = store_pool_get(pool, other, 1000, &error);
		ok(moved && g_strcmp0(store_path(moved), other) == 0, "a new path opens its own store");
		store_pool_put(pool, moved, false);
		store_pool_put(pool, b, false);	/* opened for the old path: closed, not kept */
		b = store_pool_get(pool, other, 1000, &error);
		ok(b == moved, "idle stores follow the new path");
		store_pool_put(pool, b, false);
		g_free(other);
	}
	store_pool_free(pool);

	/* One connection in all, as the daemon runs: a second taker waits. */
	pool = store_pool_new(1);
	a = store_pool_get(pool, db, 1000, &error);
	{
		struct taker tk = { pool, db, NULL, 0 };
		GThread *t = g_thread_new("taker", take_one, &tk);
		g_usleep(200000);
		ok(g_atomic_int_get(&tk.done) == 0, "max_open 1: a second get waits while the store is out");
		store_pool_put(pool, a, false);
		g_thread_join(t);
		ok(tk.got == a, "and gets the same connection once it is back");
		store_pool_put(pool, tk.got, false);
	}
	a = store_pool_get(pool, db, 1000, &error);
	store_pool_put(pool, a, true);
	b = store_pool_get(pool, db, 1000, &error);
	ok(b != NULL, "a broken store frees its slot for a new one");
	store_pool_put(pool, b, false);
	{
		/* An operator restores the file from a backup: rename over it. */
		char *copy = g_build_filename(f.dir, "restored.db", NULL);
		struct store *c = store_open(copy, 1000, &error);
		store_close(c);
		ok(rename(copy, db) == 0, "the database file is replaced");
		a = store_pool_get(pool, db, 1000, &error);
		ok(a != NULL && a != b, "the idle connection to the old file is not reused");
		store_pool_put(pool, a, false);
		g_free(copy);
	}
	store_pool_free(pool);
	g_free(db);
	fixture_teardown(&f);
	return tap_done();
}
