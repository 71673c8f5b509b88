/*
 * sla_policy.h - which response-time targets apply to a ticket, and the
 * clock each is counted on.  Room: engine.
 *
 * A queue's customers get its sla, its VIPs (vip = addresses and
 * @domains) its vip-sla; the ticket's priority picks the target.  The
 * acknowledgement makes the promise from it, the scheduled mail counts
 * shares of it, and leaving pending moves the promise on by the time of
 * the target's own clock that the wait took from it.
 */
#ifndef TM_SLA_POLICY_H
#define TM_SLA_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include "calendar/sla_clock.h"
#include "config/settings.h"
#include "store/store.h"

enum sla_which { SLA_FIRST_RESPONSE, SLA_RESOLUTION };

/* The policy for a customer of q: vip-sla for its VIPs, else sla. */
const struct sla_policy *sla_policy_of(const struct queue *q, const char *customer);

/* One target of ticket t of queue q: its minutes (0: none) and its
 * clock (business time of q's calendars, or wall-clock time). */
const struct sla_target *sla_target_of(const struct queue *q, const struct store_ticket *t, enum sla_which which,
				       struct sla_clock *clock);

/* The ticket waited for its customer from t->paused_at to now: each due
 * time still ahead moves on by what was left of it on its target's
 * clock, so that the wait costs the promise nothing (a weekend spent
 * pending does not count against it either).  A promise already missed
 * when the wait began stays where it was. */
void sla_policy_resume(const struct queue *q, struct store_ticket *t, int64_t now);

#endif
