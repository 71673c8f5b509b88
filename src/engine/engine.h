/*
 * engine.h - what to do with one inbound message.  Room: engine.
 *
 * engine_process() takes a parsed message and its envelope, records it
 * in the store in one transaction (ticket, message, participants,
 * events) and returns the header changes the message must leave with.
 * It knows nothing of libmilter: the milter, ticket-filter, ticketctl
 * and the tests all drive it the same way.
 *
 * assets: the templates and date formats prepared for s (assets.h; the
 * daemons prepare them once per configuration, ticketctl deliver once
 * per message), or NULL to read them from their files: the same mail
 * either way, only slower.
 */
#ifndef TM_ENGINE_H
#define TM_ENGINE_H

#include "engine/engine_result.h"
#include "mime/message.h"
#include "config/settings.h"
#include "store/store.h"

struct assets;

/* The queue the envelope is addressed to, or NULL: mail for no queue is
 * not ours.  *token receives the plus-address detail (g_free) or NULL. */
const struct queue *engine_queue_for(const struct settings *s, char **recipients, char **token);

/* The queue a message is for, from its envelope (sender, recipients
 * NULL-terminated and normalized, and authentication; the rest may be
 * unset yet), the same for every front end: a queue address among the
 * recipients (engine_queue_for), else, for an authenticated agent
 * writing to a customer directly, the agent's queue (engine_process
 * decides whether it is about a ticket).  NULL: not ours, pass it
 * untouched.  *token receives the plus-address detail (g_free) or NULL. */
const struct queue *engine_choose_queue(const struct settings *s, const struct envelope *env, char **token);

/* Records msg for queue.  Returns 0 and fills *result (release with
 * engine_result_clear), or -1 with *error (g_free) after rolling back:
 * then nothing was written. */
int engine_process(const struct settings *s, const struct assets *assets, struct store *st,
		   const struct queue *queue, const char *token, const struct message *msg,
		   const struct envelope *env, struct engine_result *result, char **error);

/* What needs no store, done after the commit by the thread that
 * waits for the result (batch.c), so that it holds up no other
 * message's transaction: the history block at the top of the agents'
 * copy (agent_context.h).  Call it after a successful engine_process();
 * it never fails (what it could not do is in result->context_note). */
void engine_finish(const struct settings *s, const struct message *msg, const struct envelope *env,
		   struct engine_result *result);

void engine_result_clear(struct engine_result *result);

/* Housekeeping, for the sender's worker: closes the tickets resolved
 * longer than [milter] close-after ago, in one transaction of its own.
 * Returns how many, or -1 (store_error says why). */
int engine_autoclose(const struct settings *s, struct store *st, int64_t now);

#endif
