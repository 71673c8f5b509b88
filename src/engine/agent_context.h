/*
 * agent_context.h - the customer's history in the agents' copy of a
 * customer's message ([queue] agent-context): whether the copy may carry
 * it, and what it carries.
 *
 * The milter changes the one message every envelope recipient gets, so
 * the "agents' copy" is the message only when nobody else receives it:
 * the history is added only when every envelope recipient is an address
 * of the message's queue (its plus addresses included) or one of the
 * queue's agents.  A customer's mail to the queue with a colleague in Cc
 * or Bcc, or to a second queue, leaves with no history at all.  Nor does
 * mail whose sender our MTA found forged (evidence.h,
 * EVIDENCE_SHOW_HISTORY): its From names someone else, whose history it
 * must not be shown beside.
 *
 * The customer is the ticket's (tickets.customer_id, whoever opened it),
 * read from the store by the ticket (store_customer_context), never by
 * an address the message gave; a Cc'd colleague writing on the ticket
 * gets the ticket customer's history shown, to the same agents.
 *
 * agent-context = header adds X-Ticket-Customer; block adds it and, when
 * the customer has other tickets, keeps the block (context_block.h) for
 * agent_context_finish(), which puts it at the top of the text after the
 * commit, on the message's own thread (a 100 MB body must not hold up
 * the batch's transaction).  What is left out, and why, goes to
 * result->context_note for the message's log line; nothing here fails
 * the message: the history is a convenience, the record is not.
 * Room: engine.
 */
#ifndef TM_AGENT_CONTEXT_H
#define TM_AGENT_CONTEXT_H

#include "config/settings.h"
#include "engine/engine_result.h"
#include "mime/message.h"
#include "store/store.h"

/* Messages larger than this keep their body: the header only.  The new
 * body is written to a file and handed to the MTA from a mapping of it,
 * whose pages count in the daemon's resident memory while they go out;
 * this keeps that within the bound every other message keeps. */
#define AGENT_CONTEXT_BLOCK_MAX_SIZE (10 * 1024 * 1024)

/* The first envelope recipient that is neither an address of q nor one
 * of its agents, or NULL when there is none. */
const char *agent_context_outsider(const struct settings *s, const struct queue *q, char **recipients);

/* For a customer's message recorded on ticket t (result: TICKETED or
 * DUPLICATE, its header edits made): adds X-Ticket-Customer to
 * result->edits and keeps the block in result->context_text and
 * context_html, as q and the rules above say.  message_key is the
 * Message-ID the message is stored under.  Reads the store; writes
 * nothing. */
void agent_context_add(const struct settings *s, struct store *st, const struct queue *q,
		       const struct store_ticket *t, const struct envelope *env, const char *message_key,
		       struct engine_result *result);

/* Puts the kept block at the top of the message's text: result->new_body
 * (body_prepend.h), from env->spool or env->raw, unless the message was
 * over a limit (msg->limits: not read whole) or over
 * AGENT_CONTEXT_BLOCK_MAX_SIZE, or cannot take it (then
 * result->context_note says why).  Uses no store. */
void agent_context_finish(const struct settings *s, const struct message *msg, const struct envelope *env,
			  struct engine_result *result);

#endif
