/*
 * sender.h - the outbox sender thread.
 *
 * Delivers what the milter committed to the outbox, oldest first and in
 * order per ticket, through [outbox] command or smtp.  Temporary failures
 * are retried with exponential backoff (retry-after, doubled each time,
 * at most an hour apart) until [outbox] attempts is reached; then, and on
 * permanent failures, the entry is marked failed and logged.  On start it
 * puts back entries a crash left half-sent.  When the store fails (full,
 * locked, unwritable), it says so once, opens a new handle each round
 * until the store works again, and keeps the outcome of a delivery the
 * store could not take in memory until it can: not delivered twice.
 */
#ifndef TM_SENDER_H
#define TM_SENDER_H

#include <stdint.h>
#include "settings.h"
#include "store.h"

struct sender;

/* acquire returns a new reference to the current settings (the sender
 * follows reloads); called once per round.  Starts the thread. */
struct sender *sender_start(struct settings *(*acquire)(void));
/* Wakes the sender now (after a commit that added entries). */
void sender_kick(struct sender *sd);
/* Stops the thread after the delivery in progress; frees sd. */
void sender_stop(struct sender *sd);

/* One round without a thread (tests, ticketctl): delivers every entry
 * due at `now`.  Returns the number of deliveries attempted, or -1 when
 * the store cannot be opened. */
int sender_run_once(const struct settings *s, struct store *st, int64_t now);

#endif
