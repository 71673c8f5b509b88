/*
 * scheduler.h - the daemon's thread for scheduled mail (reminders of a
 * promise: scheduled_mail.h), in both daemons.  Room: daemon.
 *
 * One thread sleeps until the next row of the store's schedule falls
 * due (a condition variable with that deadline, on the daemon's clock),
 * sends what is due through the outbox (delivery, retries and the
 * journal stay the sender's, which it wakes) and sleeps again.  Nothing
 * is kept in memory that the store does not hold: after a restart it
 * carries on from the store, and rows a dead daemon had claimed are
 * taken again once their lease runs out.  It is woken early when a
 * message schedules something sooner than it waits for
 * (scheduler_wake_at), when the test clock moves or the configuration
 * is reloaded (scheduler_kick), and it looks at the store at least once
 * a minute, for what ticketctl changed.
 */
#ifndef TM_SCHEDULER_H
#define TM_SCHEDULER_H

#include <stdint.h>
#include "config/settings.h"
#include "store/pool.h"

struct clock;
struct sender;
struct scheduler;
struct snapshot;

/* Starts the thread: acquire gives the current snapshot (a new
 * reference: the settings and the assets the mail is rendered with),
 * pool the store, sender is woken after mail was queued, clock is the
 * daemon's (NULL: real time). */
struct scheduler *scheduler_start(struct snapshot *(*acquire)(void), struct store_pool *pool, struct sender *sender,
				  const struct clock *clock);
/* Something may go at `when` (on the daemon's clock): wakes the thread
 * when that is sooner than what it waits for.  Cheap: no store access.
 * NULL or 0 is ignored. */
void scheduler_wake_at(struct scheduler *sch, int64_t when);
/* Wakes the thread to look at the store now. */
void scheduler_kick(struct scheduler *sch);
/* Stops the thread after the row in progress.  Waking it afterwards
 * does nothing.  NULL ignored. */
void scheduler_stop(struct scheduler *sch);
/* Frees a stopped sch, once nothing can wake it any more.  NULL ignored. */
void scheduler_free(struct scheduler *sch);

#endif
