/*
 * checkpoint.h - WAL checkpoints off the path of the mail (private to
 * src/store; used by the pool).
 *
 * SQLite's automatic checkpoint runs inside the commit that pushes the
 * WAL past 1000 pages: that message waits while a few megabytes are
 * copied into the database and fsync()ed, and with one connection every
 * message behind it waits too.  Pooled connections report the WAL's size
 * after each commit (a wal hook); past CHECKPOINT_FRAMES this thread
 * runs a PASSIVE checkpoint on a connection of its own, which does not
 * stop the writer.  Past CHECKPOINT_INLINE_FRAMES the commit checkpoints
 * inline as before, in case the background cannot keep up.
 * Room: store.
 */
#ifndef TM_STORE_CHECKPOINT_H
#define TM_STORE_CHECKPOINT_H

#include <sqlite3.h>

/* Checkpoint in the background from this many WAL frames on (SQLite's own default). */
#define CHECKPOINT_FRAMES 1000
/* SQLite's automatic checkpoint inside the commit, the safety net. */
#define CHECKPOINT_INLINE_FRAMES 10000

struct checkpointer;

struct checkpointer *checkpointer_start(void);
/* Stops the thread after a checkpoint in progress; frees cp. */
void checkpointer_stop(struct checkpointer *cp);
/* Has db report to cp after each commit instead of checkpointing
 * inline, except past CHECKPOINT_INLINE_FRAMES.  cp must outlive db. */
void checkpointer_watch(struct checkpointer *cp, sqlite3 *db);
/* Checkpoints done so far (for tests). */
unsigned long checkpointer_count(struct checkpointer *cp);

#endif
