/*
 * acknowledge.h - deciding, wording and queueing the automatic reply to
 * one inbound message, inside the engine's transaction.
 *
 * Decides whether a reply may go out at all (autoreply.h, then the rate
 * limits: per recipient in [autoreply] rate windows, and one per ticket
 * within [autoreply] per-ticket), chooses the language (lang.h), the
 * priority and the response-time promise (calendar.h), renders the
 * template (template.h), composes the mail (ack.h) and adds it to the
 * outbox.  Nothing is sent here: the sender delivers after the commit.
 */
#ifndef TM_ACKNOWLEDGE_H
#define TM_ACKNOWLEDGE_H

#include "engine.h"

enum ack_kind { ACK_NEW, ACK_REOPENED };

struct ack_outcome {
	bool queued;		/* an outbox entry was written */
	const char *skipped;	/* why not, for the log (static), or NULL */
};

/* The priority a new ticket gets from its headers (X-Priority,
 * Importance, Priority) and the queue's urgent keywords. */
enum priority acknowledge_priority(const struct queue *q, const struct message *msg);

/* t is the ticket as recorded; customer is its customer's address.
 * Returns 0 (see *out), or -1 on a store or template error with *error
 * (g_free): the caller rolls back and the message is retried. */
int acknowledge(const struct settings *s, struct store *st, const struct queue *q,
		const struct message *msg, const struct envelope *env, const struct store_ticket *t,
		enum ack_kind kind, struct ack_outcome *out, char **error);

#endif
