/*
 * pool.h - store connections shared by the daemon's threads.
 *
 * Opening a store costs an open(), the WAL set-up and a statement cache
 * that fills on first use; an SMTP connection that carries one message
 * should not pay that.  The pool keeps idle connections for reuse.  The
 * daemon uses one connection in all (max_open = 1): the write path of a
 * message is one transaction and writers take turns anyway, and SQLite
 * in WAL mode throws away a connection's page cache whenever another
 * connection has written, so a single connection keeps its cache warm
 * (measured: 43 page reads per message with one connection per SMTP
 * session, against a handful).
 *
 * Its second job is the writer lock: SQLite lets one writer in at a
 * time and makes the others sleep in its busy handler with growing
 * pauses (up to 100 ms), so under load in-process writers would wait for
 * a timer rather than for the lock.  Every store handed out by the pool
 * takes one process-wide mutex in store_begin() and gives it back at
 * commit or rollback; the busy timeout is left for writers outside the
 * daemon (ticketctl).
 *
 * Its third job is group commit.  Pooled stores run at synchronous=
 * NORMAL; a store that committed is made durable when it is put back:
 * one fdatasync() of the WAL covers every commit handed back before it
 * started, so threads that finish together share it, and the next
 * message already runs on the connection meanwhile.  When
 * store_pool_put() returns, the commits made with st are on disk, the
 * same guarantee as synchronous=FULL (each commit fsync()ed).
 *
 * It also checkpoints the WAL in the background (src/store/checkpoint.h).
 *
 * Thread-safe.  A store from store_pool_get() belongs to the caller
 * until store_pool_put(); it must not be in a transaction then.
 * Room: store.
 */
#ifndef TM_POOL_H
#define TM_POOL_H

#include "store/store.h"

struct store_pool;

/* At most max_open stores exist at once; store_pool_get() waits for one
 * to come back beyond that. */
struct store_pool *store_pool_new(int max_open);
/* Closes every idle store; stores still handed out must be put back first. */
void store_pool_free(struct store_pool *pool);

/* An idle store for `path` (opened if none is idle and fewer than
 * max_open exist; otherwise waits), or NULL with *error set (g_free).
 * Idle stores for another path (the database moved at a reload) are
 * closed. */
struct store *store_pool_get(struct store_pool *pool, const char *path, int busy_timeout_ms, char **error);
/* The same, ahead of every store_pool_get() caller waiting: for short
 * steps that others wait on (the outbox's take and record: under load,
 * twenty messages in line would otherwise hold up every
 * acknowledgement). */
struct store *store_pool_get_first(struct store_pool *pool, const char *path, int busy_timeout_ms, char **error);
/* Gives st back for reuse (rolling back a transaction left open);
 * broken = true closes it instead (after an error that may have left the
 * handle unusable: a replaced or corrupt file is opened afresh next
 * time).  Then waits until what st committed is on disk.  Returns 0, or
 * the errno value of a failed fdatasync (the commit happened but may not
 * survive a power loss).  NULL is ignored. */
int store_pool_put(struct store_pool *pool, struct store *st, bool broken);

struct store_pool_stats {
	unsigned long commits;	/* stores put back owing a sync */
	unsigned long syncs;	/* fdatasync() calls made for them */
	unsigned long checkpoints; /* run in the background (src/store/checkpoint.h) */
};
struct store_pool_stats store_pool_stats(struct store_pool *pool);

#endif
