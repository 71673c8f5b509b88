/*
 * delay_notice.h - telling a customer, before they have to ask, that
 * the promised first response will be late: a kind of scheduled mail
 * (scheduled_mail.h).  Room: engine.
 *
 * With [queue] delay-notice = P%, a ticket's promise plans one row at P%
 * of its first-response budget, on the target's clock (its clock stops
 * while the ticket is pending).  If no agent has answered when it falls
 * due, the customer gets one short mail in the ticket's language
 * (templates/LOCALE/delay.txt): their request is with the team, and a
 * new time, the first-response target again counted from then on the
 * same clock, shown in the customer's zone as the acknowledgement's
 * promise is.  It is threaded into the ticket as an acknowledgement is
 * (In-Reply-To the customer's last message, the tag, Reply-To the signed
 * gateway address), and recorded as an event.
 *
 * It is cancelled by the first agent reply and when the ticket is
 * resolved, closed or merged; it is not sent (an event says why) to an
 * address automatic replies never go to (robots, autoreply.h), when the
 * customer's last message was contradicted (DMARC failed), or beyond the
 * [autoreply] rate and queue-rate limits.
 */
#ifndef TM_DELAY_NOTICE_H
#define TM_DELAY_NOTICE_H

#include "engine/scheduled_mail.h"

#define DELAY_NOTICE "delay-notice"

extern const struct scheduled_kind delay_notice_kind;

/* Why the delay notice of t may not go to its customer now (static), or
 * NULL; evidence is the level name of their last message (may be NULL).
 * 0, or -1 on a store error. */
int delay_notice_forbidden(const struct settings *s, struct store *st, const struct queue *q,
			   const struct store_ticket *t, const char *evidence, int64_t now, const char **why);

/* The customer's newest message: its Message-ID (to answer in their
 * thread) and its evidence level name (g_free both; NULL when none).
 * 0 or -1 (store_error). */
int delay_notice_last_message(struct store *st, const struct store_ticket *t, char **message_id, char **evidence);

/* The customer's name to greet with, or NULL: bounded, and none that
 * looks like a link or an address (as the acknowledgement greets). */
const char *delay_notice_greeting(const struct store_ticket *t);

#endif
