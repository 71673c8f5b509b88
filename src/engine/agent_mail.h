/*
 * agent_mail.h - what happens to mail from an authenticated agent.
 * Room: engine.
 *
 * An agent's reply to the gateway address (support+TOKEN@) becomes the
 * customer-facing reply inside the same SMTP transaction: the gateway
 * recipient is removed, the customer and the ticket's Cc participants
 * are added, From becomes "Agent via Queue" <queue address>, with a new
 * signed Message-ID, References continuing the customer's thread, the
 * ticket tag and X-Ticket-ID; headers that would leak internals go.
 * Command lines at the top of the body (commands.h) are applied and
 * removed.  Mail to support+TOKEN-note@, or starting with #note, is an
 * internal note: stored, and delivered to the other agents only.  An
 * agent writing to the customer directly (tag in the subject, or the
 * queue in Cc) is recorded the same way.
 *
 * It runs inside one transaction of its own and fills the
 * engine_result the milter applies.  Ratings are rating.h's.  assets:
 * as for acknowledge.h.
 */
#ifndef TM_AGENT_MAIL_H
#define TM_AGENT_MAIL_H

#include "engine/engine_result.h"

struct assets;

/* 1 handled (see result), 0 not an authenticated agent's mail (result->spoof
 * tells when an agent's address came without authentication), -1 error. */
int agent_mail_process(const struct settings *s, const struct assets *assets, struct store *st,
		       const struct queue *q, const char *token, const struct message *msg,
		       const struct envelope *env, struct engine_result *result, char **error);

#endif
