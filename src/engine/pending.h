/*
 * pending.h - a ticket that waits for its customer: one polite nudge,
 * then resolved; two kinds of scheduled mail (scheduled_mail.h).
 * Room: engine.
 *
 * With [queue] pending-reminder = 3d, a ticket pending on its customer
 * that long (on the queue's calendars: business time unless written
 * "calendar") sends the customer one nudge in the ticket's language
 * (templates/LOCALE/nudge.txt), threaded into the ticket as the
 * acknowledgement is; with pending-resolve = 7d, it is resolved after
 * that long, by "ticket-milter", with the resolved notice and its survey
 * as when an agent resolves it.  Both are planned when the ticket becomes
 * pending (the kinds' changed hook), counted from that moment, once per
 * wait (a row's target is the moment the wait began), and cancelled when
 * it stops waiting (the customer wrote, an agent changed its status).
 *
 * The nudge is not sent where the delay notice would not be
 * (delay_notice_forbidden: robots, a forged last message, the rate
 * limits); the ticket is resolved all the same.
 */
#ifndef TM_PENDING_H
#define TM_PENDING_H

#include "engine/scheduled_mail.h"

#define PENDING_NUDGE "pending-nudge"
#define PENDING_RESOLVE "pending-resolve"

extern const struct scheduled_kind pending_nudge_kind;
extern const struct scheduled_kind pending_resolve_kind;

#endif
