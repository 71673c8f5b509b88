/*
 * lifecycle.h - a ticket's states and what moving between them does.
 *
 *   new -> open (first agent reply) -> pending (waiting for the customer;
 *   the SLA clock stops) -> resolved -> closed (after [milter]
 *   close-after days resolved)
 *
 * A customer's reply reopens a pending or resolved ticket; a reply to a
 * closed one opens a new ticket that refers to it (or reopens it, with
 * [milter] closed-reply = reopen).  Every change is an event with who
 * and when.  Functions work on a loaded struct store_ticket and save it;
 * they run inside the caller's transaction.
 * Room: engine.
 */
#ifndef TM_LIFECYCLE_H
#define TM_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include "config/settings.h"
#include "store/store.h"

/* True for the five states. */
bool lifecycle_status_valid(const char *status);

/* Moves t to status on behalf of actor: pausing and resuming the SLA
 * clock (on the clocks of the ticket's targets in s: sla_policy.h),
 * stamping resolved_at, logging the event, and bringing its scheduled
 * mail up to date (scheduled_mail.h); saves t.  *resolved (may be NULL)
 * is set when the ticket became resolved now, so that the caller can ask
 * for the customer's rating.  Returns 0 or -1. */
int lifecycle_set_status(const struct settings *s, struct store *st, struct store_ticket *t, const char *status,
			 const char *actor, int64_t now, bool *resolved);

/* Records the first agent reply: first_response_at, whether the promise
 * was kept, and new -> open; its reminders end.  No-op after the first.
 * Saves t. */
int lifecycle_first_response(const struct settings *s, struct store *st, struct store_ticket *t, const char *agent,
			     int64_t now);

struct agent_command;

/* Applies one command (#status, #priority, #assign, #lang, #tz, #tier,
 * #merge, #cc, #problem) for agent; saves t.  *resolved as above.  Returns 0, 1
 * when the command was refused and changed nothing (*why, static, says
 * why), -1 on a store error.
 *   #merge: only into another ticket of the same queue.
 *   #cc ADDRESS: a participant, who gets the agents' later replies; not
 *     a queue's address, not an agent of the ticket's queue, and not
 *     beyond its max-participants (the customer and the Cc'd).  Already
 *     a participant: nothing to do.
 *   #cc -ADDRESS: removes one; never the customer.
 *   #problem NAME: links the ticket to that known problem of its queue
 *     (created by the first link; commands_problem_name says what a name
 *     is); -NAME unlinks it, none unlinks every one. */
int lifecycle_apply(const struct settings *s, struct store *st, struct store_ticket *t,
		    const struct agent_command *cmd, const char *agent, int64_t now, bool *resolved,
		    const char **why);

/* Closes tickets resolved longer than [milter] close-after.  Returns how
 * many, or -1. */
int lifecycle_autoclose(const struct settings *s, struct store *st, int64_t now);

#endif
