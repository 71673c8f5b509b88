/*
 * participants.h - who joins a ticket from one inbound message.
 * Room: engine.
 *
 * Everyone a ticket's participants include receives the agents'
 * replies, so joining is guarded (DESIGN.md, "Security"): the sender
 * joins (a stranger only through a token: threading decides that), the
 * To/Cc addresses of a message that opens a ticket join, and those of a
 * follow-up join only when its evidence allows (token or authenticated).
 * The queue's own addresses never join.  Caps bound the fan-out:
 * [queue] max-participants per ticket and max-new-participants per
 * message.  Whatever is not added is "held": kept on the message's row
 * and shown to the agents, who add it with #cc when they want it.
 */
#ifndef TM_PARTICIPANTS_H
#define TM_PARTICIPANTS_H

#include <stdbool.h>
#include <stdint.h>
#include "trust/evidence.h"
#include "mime/message.h"
#include "config/settings.h"
#include "store/store.h"

/* What was held back, and why. */
struct participants_held {
	GPtrArray *addresses;	/* char *, in the message's order, bounded */
	unsigned count;		/* all of them, also those past the bound */
	const char *why;	/* static phrase for the header and event, or NULL */
};

/* Addresses listed in the held text at most; the count says the rest. */
#define PARTICIPANTS_HELD_LISTED 20

/* Adds the sender and, as the evidence allows, the To/Cc of msg to the
 * ticket.  new_ticket: msg opened it.  Fills *held (release with
 * participants_held_clear).  0, or -1 on a store error. */
int participants_join(const struct settings *s, const struct queue *q, struct store *st, int64_t ticket_id,
		      const struct message *msg, const char *sender, bool new_ticket, enum evidence level,
		      int64_t now, struct participants_held *held);

/* "a@example.org, b@example.org and 3 more" (g_free), or NULL when none. */
char *participants_held_text(const struct participants_held *held);

void participants_held_clear(struct participants_held *held);

#endif
