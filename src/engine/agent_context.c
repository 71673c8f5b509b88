/*
 * agent_context.c - the customer's history in the agents' copy
 * (agent_context.h).
 * Room: engine.
 */
#include "config.h"
#include "engine/agent_context.h"
#include "compose/body_prepend.h"
#include "compose/context_block.h"
#include "compose/header_edits.h"
#include "trust/agent_auth.h"

const char *agent_context_outsider(const struct settings *s, const struct queue *q, char **recipients)
{
	for (char **r = recipients; r && *r; r++)
		if (settings_queue_for(s, *r, NULL) != q && !agent_of_queue(q, *r))
			return *r;
	return NULL;
}

void agent_context_add(const struct settings *s, struct store *st, const struct queue *q,
		       const struct store_ticket *t, const struct envelope *env, const char *message_key,
		       struct engine_result *result)
{
	struct store_customer_context c;
	bool block = q->agent_context == AGENT_CONTEXT_BLOCK;
	const char *outsider;
	char *value;
	int rc;

	if (q->agent_context == AGENT_CONTEXT_NONE)
		return;
	if (!evidence_may(result->evidence, EVIDENCE_SHOW_HISTORY)) {
		result->context_note = g_strdup("no customer history: the sender is not who the From header says");
		return;
	}
	if ((outsider = agent_context_outsider(s, q, env->recipients)) != NULL) {
		result->context_note = g_strdup_printf("no customer history: the message also goes to <%s>, "
						       "neither the queue's nor an agent's", outsider);
		return;
	}
	rc = store_customer_context(st, t->id, message_key, block ? CONTEXT_BLOCK_TICKETS : CONTEXT_HEADER_TICKETS, &c);
	if (rc != 1) {
		result->context_note = rc < 0 ? g_strdup_printf("no customer history: store: %s", store_error(st))
					      : g_strdup("no customer history: the ticket was not found");
		store_customer_context_clear(&c);
		return;
	}
	value = context_header_value(&c);
	edits_add(result->edits, HEADER_ADD, "X-Ticket-Customer", 0, value);
	g_free(value);
	if (block && (result->context_text = context_block_text(&c)) != NULL)
		result->context_html = context_block_html(result->context_text);
	store_customer_context_clear(&c);
}

void agent_context_finish(const struct settings *s, const struct message *msg, const struct envelope *env,
			  struct engine_result *result)
{
	char *why = NULL;

	if (result->context_text == NULL || result->new_body)
		return;
	if (msg->limits)
		why = g_strdup("the message is over a limit and was not read whole");
	else if (msg->size > AGENT_CONTEXT_BLOCK_MAX_SIZE)
		why = g_strdup_printf("the message is over %d MiB: its body is left as it is",
				      AGENT_CONTEXT_BLOCK_MAX_SIZE / (1024 * 1024));
	else if (env->spool)
		result->new_body = body_prepend_spool(env->spool, s->spool_directory, result->context_text,
						      result->context_html, &why);
	else if (env->raw)
		result->new_body = body_prepend_raw(env->raw, env->raw_len, result->context_text, result->context_html,
						    &why);
	else
		why = g_strdup("the body is not at hand");
	if (why) {
		g_free(result->context_note);
		result->context_note = g_strdup_printf("no history block: %s", why);
		g_free(why);
	}
	g_clear_pointer(&result->context_text, g_free);
	g_clear_pointer(&result->context_html, g_free);
}
