/*
 * callbacks.h - the libmilter callback table of ticket-milter.
 *
 * The adapter between the milter protocol and the engine: it collects
 * the envelope, headers and body of each message, hands queue mail to
 * engine_process() at end of message and applies the header changes.
 * Mail for no queue is accepted at DATA, the earliest point at which all
 * recipients are known.
 * Room: milter.
 */
#ifndef TM_CALLBACKS_H
#define TM_CALLBACKS_H

#include <libmilter/mfapi.h>
#include <stdint.h>

extern struct smfiDesc milter_description;

struct sender;
struct engine_batch;

/* Connections currently open; main waits for them on shutdown. */
int callbacks_active_connections(void);

/* The daemon's own handles, set once before smfi_main (NULL, NULL after
 * it): the outbox sender to wake after a commit that queued mail, and
 * the batcher that runs the engine on the store (batch.h). */
void callbacks_set_handles(struct sender *sd, struct engine_batch *batch);

struct clock;
struct scheduler;

/* The scheduler to wake when a message scheduled mail sooner than it
 * waits for (scheduler.h); set before smfi_main, NULL after it. */
void callbacks_set_scheduler(struct scheduler *sch);

/* The clock a message's envelope time is read from (clock.h), set once
 * before smfi_main; NULL (real time) but in tests. */
void callbacks_set_clock(const struct clock *clock);

#endif
