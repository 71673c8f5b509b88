/*
 * engine_result.h - what the engine is given and what it answers: the
 * envelope of one message and the changes it must leave with.  Room:
 * engine.
 *
 * A header of its own so that the parts of the engine that fill a result
 * (agent mail, ratings, acknowledgements) need not include the engine
 * itself: the engine calls them, never the other way round.
 * engine.h declares the functions; engine_result_clear() releases a
 * result.
 */
#ifndef TM_ENGINE_RESULT_H
#define TM_ENGINE_RESULT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compose/header_edits.h"
#include "trust/evidence.h"
#include "engine/thread.h"
#include "trust/token.h"

struct spool;

struct envelope {
	const char *sender;		/* MAIL FROM, normalized; NULL for <> */
	char **recipients;		/* RCPT TO, normalized, NULL-terminated */
	char **raw_recipients;		/* RCPT TO as the MTA gave them (for removal), or NULL */
	const char *queue_id;		/* MTA queue id, for logs and the store */
	int64_t now;			/* Unix time of receipt */
	const char *auth_login;		/* {auth_authen}, NULL when not authenticated */
	const char *client_addr;	/* {client_addr}, or NULL */
	const char *raw;		/* the whole message as received (agent body rewriting) */
	size_t raw_len;
	struct spool *spool;		/* the same spooled by the milter (spool.h), or NULL: used
					 * instead of raw when set */
};

enum engine_outcome {
	ENGINE_TICKETED,	/* recorded: new ticket or follow-up */
	ENGINE_DUPLICATE,	/* seen before: nothing written, same headers */
	ENGINE_OWN_MAIL,	/* our own generated mail coming back: untouched */
	ENGINE_AGENT_REPLY,	/* an agent's reply, rewritten for the customer */
	ENGINE_NOTE,		/* an internal note: to the other agents only */
	ENGINE_RATING,		/* a satisfaction rating: recorded, delivered to nobody */
	ENGINE_NOT_OURS,	/* agent mail about no ticket: untouched */
};

struct engine_result {
	enum engine_outcome outcome;
	struct ticket_ref ref;
	bool new_ticket;
	enum thread_rule rule;
	bool reopened;		/* a resolved or closed ticket was reopened */
	bool ack_queued;	/* an acknowledgement waits in the outbox */
	const char *ack_skipped; /* why none was sent (static), or NULL */
	GPtrArray *edits;	/* struct header_edit * (header_edits.h), owned */
	GPtrArray *rcpt_add;	/* char *: envelope recipients to add */
	GPtrArray *rcpt_del;	/* char *: envelope recipients to remove, as the MTA gave them */
	char *new_sender;	/* new envelope sender ("" null sender), or NULL for no change */
	GBytes *new_body;	/* replacement body, or NULL */
	bool discard;		/* recorded; deliver to nobody */
	bool spoof;		/* an agent's address without authentication */
	enum evidence evidence;	/* of an inbound customer message (evidence.h) */
	unsigned held;		/* To/Cc addresses not made participants */
	bool mail_queued;	/* something waits in the outbox: wake the sender */
	/* The customer's history in the agents' copy (agent_context.h): */
	char *context_text;	/* the block engine_finish() puts at the top of the text, or NULL */
	char *context_html;
	char *context_note;	/* what of it was left out and why, for the log line, or NULL */
	int64_t scheduled;	/* the earliest mail it scheduled (scheduled_mail.h), 0: none */
};

#endif
