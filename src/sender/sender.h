/*
 * sender.h - the outbox sender threads.  Room: sender.
 *
 * Delivers what the milter committed to the outbox, oldest first and in
 * order per ticket, through [outbox] command or smtp, with up to
 * [outbox] concurrency deliveries at once.  Temporary failures
 * are retried with exponential backoff (retry-after, doubled each time,
 * at most an hour apart) until [outbox] attempts is reached; then, and on
 * permanent failures, the entry is marked failed and logged.  On start,
 * before delivering anything, it records as sent what its journal
 * (journal.h) says was delivered just before a crash, and puts
 * back the other entries a crash left half-sent.  When the store fails
 * (full, locked, unwritable), it says so once, takes a new handle each
 * round until the store works again, and keeps the outcome of a delivery
 * the store could not take in memory until it can: not delivered twice.
 */
#ifndef TM_SENDER_H
#define TM_SENDER_H

#include <stdint.h>
#include "sender/journal.h"
#include "config/settings.h"
#include "store/store.h"
#include "store/pool.h"

struct sender;

struct clock;

/* acquire returns a new reference to the current settings (the sender
 * follows reloads); called once per round.  The threads take their store
 * from pool (shared with the milter's connections) and the time from
 * clock (clock.h: the daemon's, so that a test clock moves retries and
 * closing too; NULL: real time).  Starts the threads. */
struct sender *sender_start(struct settings *(*acquire)(void), struct store_pool *pool, const struct clock *clock);
/* Wakes the sender now (after a commit that added entries). */
void sender_kick(struct sender *sd);
/* Stops the threads after the deliveries in progress; frees sd. */
void sender_stop(struct sender *sd);

/* One round without a thread (tests, ticketctl): delivers every entry
 * due at `now`.  Returns the number of deliveries attempted, or -1 when
 * the store cannot be opened. */
int sender_run_once(const struct settings *s, struct store *st, int64_t now);

/* What the thread does when it opens the store: the ids in the journal
 * (j may be NULL) are marked sent and the journal emptied, then the
 * other 'sending' entries are queued again.  Counts both; -1 on a store
 * error (nothing is lost: call it again). */
int sender_recover(struct store *st, struct outbox_journal *j, int64_t now, int *recorded, int *requeued);

#endif
