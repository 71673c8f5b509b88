/*
 * batch.h - running the engine for messages that arrive together
 * in one store transaction.  Room: engine.
 *
 * The daemon has one store connection.  Under load, twenty messages wait
 * for it at end of message; handing it from thread to thread costs a
 * wake-up each (milliseconds on a busy machine, while the store sits
 * idle), and every message paid its own commit and fdatasync().  Here
 * the first thread to arrive leads: it takes the store and runs the
 * engine for every job waiting (up to a limit), each inside a savepoint
 * of one transaction (store_batch_begin), commits once, syncs once, and
 * wakes each job's thread with its result.  The next job still waiting
 * leads the next batch.
 *
 * A job that fails rolls back its own savepoint only; the others are
 * committed.  If the commit or the sync fails, every job of the batch
 * fails (nothing of it may be taken for recorded).  A job is answered
 * only once its record is on disk, as with one transaction per message.
 * Then the job's own thread does what needs no store (engine_finish):
 * the history block in a 100 MB message must not hold up the batch.
 *
 * Thread-safe: engine_batch_run is called by any number of threads.  The
 * job and what it points to belong to the caller; the engine reads them
 * from the leading thread while the caller waits.
 */
#ifndef TM_BATCH_H
#define TM_BATCH_H

#include "engine/engine.h"
#include "store/pool.h"

struct engine_batch;

/* At most max_jobs per transaction (at least 1). */
struct engine_batch *engine_batch_new(struct store_pool *pool, int max_jobs);
void engine_batch_free(struct engine_batch *b);

struct engine_job {
	/* in: as for engine_process */
	const struct settings *settings;
	const struct assets *assets;
	const struct queue *queue;
	const char *token;
	const struct message *msg;
	const struct envelope *env;
	/* out: engine_process's result (rc 0) or the error (rc -1, g_free) */
	int rc;
	struct engine_result result;
	char *error;
	/* the batcher's */
	bool done;
	GCond turn;		/* done, or this job's thread leads next */
};

/* Runs the job, alone or with others, then engine_finish(); returns
 * once it is recorded and on disk, or failed. */
void engine_batch_run(struct engine_batch *b, struct engine_job *job);

struct engine_batch_stats {
	guint64 batches;	/* transactions (or single runs) */
	guint64 jobs;		/* messages in them */
	int largest;		/* most jobs in one */
};
struct engine_batch_stats engine_batch_stats(struct engine_batch *b);

#endif
