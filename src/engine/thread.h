/*
 * thread.h - which ticket an inbound message belongs to.
 *
 * The rules, in order (DESIGN.md, "Security"):
 *   1. one of our signed Message-IDs in In-Reply-To/References, our
 *      signed reference quoted in the body (providers that rewrite
 *      Message-IDs), or our signed token in the recipient's plus address;
 *   2. a Message-ID in In-Reply-To/References the store already holds,
 *      from a known participant of that ticket (ids are guessable):
 *      every reference is looked at (In-Reply-To first, then References
 *      newest first), not only the first one the store knows, because a
 *      customer's reply often answers someone who is not on the ticket;
 *      when references lead into several tickets of the sender, the
 *      oldest wins (where the conversation began) and another is
 *      reported;
 *   2b. Outlook's Thread-Index naming a conversation the store holds
 *      (thread_index.h), from a known participant (it is guessable);
 *   3. the queue's subject tag, but only from a known participant;
 *   otherwise a new ticket.  A tag or reference from a stranger is
 *   reported so that the caller can log it.
 * Only reads the store.
 * Room: engine.
 */
#ifndef TM_THREAD_H
#define TM_THREAD_H

#include <stdint.h>
#include "mime/message.h"
#include "config/settings.h"
#include "store/store.h"
#include "trust/token.h"

enum thread_rule {
	THREAD_NEW,
	THREAD_SIGNED_ID,	/* our HMAC-signed Message-ID was referenced */
	THREAD_TOKEN,		/* our HMAC token in support+TOKEN@ */
	THREAD_BODY_REFERENCE,	/* our signed reference quoted in the body */
	THREAD_KNOWN_ID,	/* a stored Message-ID was referenced */
	THREAD_TAG,		/* subject tag from a participant */
	THREAD_THREAD_INDEX,	/* Outlook's conversation, from a participant */
};

struct thread_match {
	enum thread_rule rule;
	int64_t ticket_id;		/* 0 for THREAD_NEW */
	long stranger_tag;		/* THREAD_NEW: tag number a stranger used, or 0 */
	int64_t stranger_reference;	/* THREAD_NEW: ticket whose Message-ID a stranger cited */
	int64_t other_ticket;		/* THREAD_KNOWN_ID: another ticket of the sender's the
					 * references also lead to (ambiguous), or 0 */
};

/* How many referenced ids are looked up at most: a 500-deep References
 * chain must not cost 500 queries. */
#define THREAD_MAX_REFERENCES 40

/* sender: the normalized From address (or envelope sender).
 * token: the plus-address detail of the queue recipient, or NULL.
 * Returns 0, or -1 on a store error. */
int thread_find(struct store *st, const struct queue *queue, const struct token_key *key,
		const struct message *msg, const char *sender, const char *token,
		struct thread_match *out);

const char *thread_rule_name(enum thread_rule rule);

#endif
