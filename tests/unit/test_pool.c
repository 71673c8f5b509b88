/* test_pool.c - the store pool: reuse, and the writer lock held exactly
 * from store_begin to the end of the transaction, however it ends. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "store/pool.h"
#include "store/store_internal.h"

#include <glib.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

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
	bool first;	/* store_pool_get_first */
};

static gpointer take_one(gpointer data)
{
	struct taker *tk = data;
	char *error = NULL;

	tk->got = (tk->first ? store_pool_get_first : store_pool_get)(tk->pool, tk->db, 1000, &error);
	g_free(error);
	g_atomic_int_set(&tk->done, 1);
	return NULL;
}

struct committer {
	struct store_pool *pool;
	const char *db;
	int failures;
};

/* Fifty messages' worth of commits, each on a borrowed store. */
static gpointer commit_fifty(gpointer data)
{
	struct committer *c = data;

	for (int i = 0; i < 50; i++) {
		char *error = NULL;
		struct store *st = store_pool_get(c->pool, c->db, 5000, &error);
		int64_t id;
		static gint serial;
		char *address = g_strdup_printf("c%d@example.org", g_atomic_int_add(&serial, 1));

		if (st == NULL || store_begin(st) != 0 || store_customer_upsert(st, address, NULL, 1, &id) != 0 ||
		    store_commit(st) != 0)
			c->failures++;
		if (store_pool_put(c->pool, st, false) != 0)
			c->failures++;
		g_free(address);
		g_free(error);
	}
	return NULL;
}

static int count_customers(struct store_pool *pool, const char *db)
{
	char *error = NULL;
	struct store *st = store_pool_get(pool, db, 1000, &error);
	sqlite3_stmt *q;
	int n = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM customers", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	store_pool_put(pool, st, false);
	g_free(error);
	return n;
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

/* A batch's savepoints journal the pages they change (a job's rollback
 * needs them); past 64 KiB SQLite spills that sub-journal into a
 * temporary file, created and unlinked at once in SQLITE_TMPDIR.  A
 * pooled store keeps it in memory: inotify sees no file created there.
 * With pooled false, a store of its own (ticketctl's) does spill. */
static int sub_journal_files(struct store_pool *pool, const char *scratch, const char *tmpdir, bool pooled)
{
	char *path = g_build_filename(scratch, pooled ? "journal-pooled.db" : "journal-own.db", NULL);
	char *error = NULL;
	struct store *st;
	int in, created = 0;
	char events[4096];
	ssize_t n;

	in = inotify_init1(IN_NONBLOCK);
	ok(in >= 0 && inotify_add_watch(in, tmpdir, IN_CREATE) >= 0, "watching SQLITE_TMPDIR");
	st = pooled ? store_pool_get(pool, path, 1000, &error) : store_open(path, 1000, &error);
	ok(st != NULL, "store opened (%s)", error ? error : "");
	ok(st && store_batch_begin(st) == 0 && store_begin(st) == 0 &&
	   sqlite3_exec(st->db, "CREATE TABLE filler(x BLOB);"
			" WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)"
			" INSERT INTO filler SELECT zeroblob(2000) FROM n;", NULL, NULL, NULL) == SQLITE_OK &&
	   store_commit(st) == 0, "a job writes 200 rows of 2 KB");
	/* The second job changes every page the first one wrote: each is
	 * journaled, about 400 KiB. */
	ok(st && store_begin(st) == 0 &&
	   sqlite3_exec(st->db, "UPDATE filler SET x = zeroblob(2001)", NULL, NULL, NULL) == SQLITE_OK, "a second job rewrites them");
	store_rollback(st);
	ok(st && store_batch_commit(st) == 0 && sqlite3_exec(st->db, "SELECT 1", NULL, NULL, NULL) == SQLITE_OK,
	   "its rollback undid it alone, the batch commits");
	while ((n = read(in, events, sizeof events)) > 0)
		for (char *p = events; p < events + n; p += sizeof(struct inotify_event) + ((struct inotify_event *)p)->len)
			created++;
	close(in);
	if (pooled)
		store_pool_put(pool, st, false);
	else
		store_close(st);
	g_free(path);
	g_free(error);
	return created;
}

int main(void)
{
	struct fixture f;
	struct store_pool *pool = store_pool_new(4);
	struct store *a, *b, *again;
	char *db, *error = NULL;
	/* SQLite reads SQLITE_TMPDIR once, when it initialises. */
	char *sqlite_tmp = g_dir_make_tmp("test_pool-XXXXXX", NULL);

	g_setenv("SQLITE_TMPDIR", sqlite_tmp, TRUE);
	fixture_setup(&f, NULL);
	db = g_build_filename(f.dir, "tickets.db", NULL);
	is_int(sub_journal_files(pool, f.dir, sqlite_tmp, true), 0,
	       "a pooled store created no temporary file for the sub-journal");
	ok(sub_journal_files(pool, f.dir, sqlite_tmp, false) > 0,
	   "a store of its own (ticketctl) keeps SQLite's default: it spilled to a file");
	rmdir(sqlite_tmp);
	g_free(sqlite_tmp);
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

	/* A temporary table lives in its connection only: a new connection
	 * has none (comparing the pointers is not enough, the new store may
	 * be allocated where the closed one was). */
	ok(sqlite3_exec(again->db, "CREATE TEMP TABLE put_back_broken(x)", NULL, NULL, NULL) == SQLITE_OK,
	   "a mark on the connection");
	store_pool_put(pool, again, true);
	{
		struct store *fresh = store_pool_get(pool, db, 1000, &error);
		sqlite3_stmt *s = NULL;
		ok(fresh != NULL && sqlite3_prepare_v2(fresh->db, "SELECT 1 FROM temp.put_back_broken", -1, &s, NULL) != SQLITE_OK,
		   "a store put back broken is not reused");
		sqlite3_finalize(s);
		store_pool_put(pool, fresh, false);
	}
	{
		char *other = g_build_filename(f.dir, "moved.db", NULL);
		struct store *moved = store_pool_get(pool, other, 1000, &error);
		ok(moved && g_strcmp0(moved->path, other) == 0, "a new path opens its own store");
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
		struct taker tk = { pool, db, NULL, 0, false };
		GThread *t = g_thread_new("taker", take_one, &tk);
		g_usleep(200000);
		ok(g_atomic_int_get(&tk.done) == 0, "max_open 1: a second get waits while the store is out");
		store_pool_put(pool, a, false);
		g_thread_join(t);
		ok(tk.got == a, "and gets the same connection once it is back");
		store_pool_put(pool, tk.got, false);
	}
	/* The outbox's short steps go ahead of the messages in line. */
	a = store_pool_get(pool, db, 1000, &error);
	{
		struct taker plain = { pool, db, NULL, 0, false }, first = { pool, db, NULL, 0, true };
		GThread *tp = g_thread_new("plain", take_one, &plain), *tf;
		g_usleep(100000);
		tf = g_thread_new("first", take_one, &first);
		g_usleep(100000);
		store_pool_put(pool, a, false);
		g_thread_join(tf);
		g_usleep(100000);
		ok(first.got == a && g_atomic_int_get(&plain.done) == 0,
		   "store_pool_get_first, though it came later, gets the store before a waiting store_pool_get");
		store_pool_put(pool, first.got, false);
		g_thread_join(tp);
		ok(plain.got == a, "and the other one gets it next");
		store_pool_put(pool, plain.got, false);
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
		ok(!store_is_current(b), "the idle store sees that its file was replaced");
		a = store_pool_get(pool, db, 1000, &error);
		ok(a != NULL && store_is_current(a), "and is not handed out: the store has the new file open");
		store_pool_put(pool, a, false);
		/* Deleted and written anew: the inode number may be the old one's. */
		unlink(db);
		g_file_set_contents(db, "", 0, NULL);
		ok(!store_is_current(a), "the idle store sees its file deleted and another written at the path");
		a = store_pool_get(pool, db, 1000, &error);
		ok(a != NULL && store_is_current(a), "and a new one is opened");
		store_pool_put(pool, a, false);
		g_free(copy);
	}
	store_pool_free(pool);

	/* Group commit: every commit is on disk when put returns; threads
	 * finishing together share an fdatasync. */
	{
		char *gdb = g_build_filename(f.dir, "group.db", NULL);
		struct committer c[4];
		GThread *t[4];
		struct store_pool_stats stats;
		int failures = 0;

		pool = store_pool_new(1);
		c[0] = (struct committer){ pool, gdb, 0 };
		commit_fifty(&c[0]);
		stats = store_pool_stats(pool);
		ok(c[0].failures == 0 && stats.commits == 50 && stats.syncs == 50,
		   "one thread: one fdatasync per commit (%lu commits, %lu syncs)", stats.commits, stats.syncs);
		for (int i = 0; i < 4; i++) {
			c[i] = (struct committer){ pool, gdb, 0 };
			t[i] = g_thread_new("committer", commit_fifty, &c[i]);
		}
		for (int i = 0; i < 4; i++) {
			g_thread_join(t[i]);
			failures += c[i].failures;
		}
		stats = store_pool_stats(pool);
		ok(failures == 0 && stats.commits == 250, "four threads: 200 more commits, none failed");
		ok(stats.syncs <= stats.commits, "and at most one fdatasync each (%lu syncs for %lu commits)",
		   stats.syncs, stats.commits);
		tap_diag("group commit: %lu fdatasync for %lu commits", stats.syncs, stats.commits);
		is_int(count_customers(pool, gdb), 250, "every commit is there");
		/* Past 1000 WAL frames the checkpoint runs in the background. */
		for (int round = 0; round < 8 && store_pool_stats(pool).checkpoints == 0; round++) {
			commit_fifty(&c[0]);
			for (int i = 0; i < 100 && store_pool_stats(pool).checkpoints == 0; i++)
				g_usleep(10000);
		}
		stats = store_pool_stats(pool);
		ok(stats.checkpoints >= 1, "the WAL is checkpointed in the background (%lu checkpoints)", stats.checkpoints);
		store_pool_free(pool);
		g_free(gdb);
	}
	g_free(db);
	fixture_teardown(&f);
	return tap_done();
}
