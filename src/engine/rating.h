/*
 * rating.h - customer satisfaction by mail.  Room: engine.
 *
 * Resolving a ticket asks the customer how we did, on the queue's
 * survey scale (config/survey.h), with one one-click mailto: link per
 * score (support+csat-N-TOKEN@, support+nps-N-TOKEN@,
 * support+ces-N-TOKEN@).  Mail to such an address is a rating: recorded
 * with its scale (latest wins, with any comment), thanked, delivered to
 * nobody, and it never reopens the ticket.  Both run inside the
 * caller's or their own transaction and fill the engine_result the
 * milter applies.  assets: as for acknowledge.h.
 */
#ifndef TM_RATING_H
#define TM_RATING_H

#include "engine/engine_result.h"

struct assets;

/* 1 handled as a rating, 0 not a rating (see below), -1 error.  A
 * rating counts when it comes to a valid rating address, for a resolved
 * (or since closed) ticket, from that ticket's customer, and the
 * evidence is not contradicted; anything else is ordinary mail. */
int rating_process(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
		   const char *token, const struct message *msg, const struct envelope *env,
		   enum evidence evidence, struct engine_result *result, char **error);

/* "How did we do?": queues the resolved notice of the queue's survey
 * with the customer's one-click rating links.  0, or -1 with *error (g_free). */
int rating_ask(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
	       const struct store_ticket *t, int64_t now, char **error);

#endif
