/*
 * acknowledge.h - deciding, wording and queueing the automatic reply to
 * one inbound message, inside the engine's transaction.  Room: engine.
 *
 * Decides whether a reply may go out at all (the evidence, autoreply.h,
 * then the rate limits: per recipient in [autoreply] rate windows, per
 * queue in queue-rate, and one per ticket within [autoreply]
 * per-ticket), chooses the language (lang.h), the
 * priority and the response-time promise (calendar.h), renders the
 * template (template.h), composes the mail (mail_writer.h) and adds it to the
 * outbox.  Nothing is sent here: the sender delivers after the commit.
 *
 * assets: the templates and date formats prepared for s (assets.h), or
 * NULL to read them from their files; the same text either way.
 */
#ifndef TM_ACKNOWLEDGE_H
#define TM_ACKNOWLEDGE_H

#include "engine/engine_result.h"

struct assets;

enum ack_kind { ACK_NEW, ACK_REOPENED };

struct ack_outcome {
	bool queued;		/* an outbox entry was written */
	const char *skipped;	/* why not, for the log (static), or NULL */
};

/* One templated mail to queue for a ticket. */
struct notice {
	const char *template_name;	/* "ack", "reopened", "resolved", "csat-thanks", "agent-notice",
					 * an announcement's (problem_announce.h) */
	const char *kind;		/* outbox kind, for logs and ticketctl */
	const char *to;			/* recipient address (safe: addr_is_safe) */
	const char *to_name;		/* may be NULL */
	const char *locale;
	const char *in_reply_to;	/* Message-ID answered, may be NULL */
	GPtrArray *references;		/* may be NULL */
	const char *subject;		/* the subject to echo, cleaned; may be NULL */
	const char *promise;		/* may be NULL */
	const char *promise_relative;	/* may be NULL */
	const char *agent_name;		/* may be NULL */
	const char *reply_to;		/* Reply-To address; NULL: the signed gateway address */
	bool generated;			/* answers no message (mail_writer.h) */
	char *const *extra;		/* more placeholder name/value pairs, NULL-terminated, or NULL */
	char **queued_id;		/* unless NULL: gets the queued mail's Message-ID (g_free) */
};

/* Renders the template, composes the mail and adds it to the outbox,
 * with an event.  No rules are checked here: callers decide.  Returns 0,
 * or -1 with *error (g_free). */
int acknowledge_queue_notice(const struct settings *s, const struct assets *assets, struct store *st,
			     const struct queue *q, const struct store_ticket *t, const struct notice *n, int64_t now,
			     char **error);

/* The priority a new ticket gets from its headers (X-Priority,
 * Importance, Priority) and the queue's urgent keywords. */
enum priority acknowledge_priority(const struct queue *q, const struct message *msg);

/* t is the ticket as recorded; customer is its customer's address;
 * evidence the message's (a contradicted sender is never answered).
 * Sets the ticket's locale, priority and promise whether or not a reply
 * goes out.  Returns 0 (see *out), or -1 on a store or template error
 * with *error (g_free): the caller rolls back and the message is
 * retried. */
int acknowledge(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
		const struct message *msg, const struct envelope *env, const struct store_ticket *t,
		enum ack_kind kind, enum evidence evidence, struct ack_outcome *out, char **error);

#endif
