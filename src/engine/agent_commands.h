/*
 * agent_commands.h - an agent's commands applied to a ticket, and the
 * notice that tells the agent what became of the mail (private to
 * src/engine; agent_mail.c uses it).  Room: engine.
 *
 * No agent's mail vanishes without a word: whenever it is delivered to
 * nobody (a reply of commands only, a note no other agent receives), or
 * a command line was not understood or was refused, the agent gets one
 * notice (templates/<locale>/agent-notice.txt) saying so and why, one
 * per mail, in the outbox of the mail's own transaction.
 */
#ifndef TM_AGENT_COMMANDS_H
#define TM_AGENT_COMMANDS_H

#include "commands/commands.h"
#include "engine/engine_result.h"

struct assets;

/* Where the agent's mail went. */
enum agent_delivery {
	AGENT_DELIVERED,	/* to the customer, or to the other agents */
	AGENT_COMMANDS_ONLY,	/* nothing but commands: to nobody */
	AGENT_NOTE_UNSENT,	/* a note, recorded; no other agent to send it to */
};

/* What the commands did.  The arrays hold char * and belong to it. */
struct agent_outcome {
	GPtrArray *applied;		/* "#status pending", each command applied */
	GPtrArray *not_understood;	/* each line not understood, or refused with
					 * why: "#merge BIL-1001 (a ticket of ...)" */
	bool resolved;			/* a command resolved the ticket */
};

void agent_outcome_init(struct agent_outcome *out);
void agent_outcome_clear(struct agent_outcome *out);

/* Applies the block's commands in order for agent (lifecycle_apply), and
 * notes in out what each did.  0, or -1 on a store error. */
int agent_commands_apply(const struct settings *s, struct store *st, struct store_ticket *t,
			 const struct command_block *block, const char *agent, int64_t now,
			 struct agent_outcome *out);

/* True when the mail holds nothing for anyone but its commands: its text
 * (quoted history and signature left out, as in the excerpt) is blank
 * after the command block, read by the rule of commands.h, and no #note
 * carries text of its own. */
bool agent_commands_only(const struct message *msg, const struct command_block *block);

/* Queues the notice to the agent (msg's From) when the mail needs one:
 * delivered to nobody, or lines not understood or refused.  Returns 1
 * queued, 0 none needed (or the agent's address is unsafe), -1 with
 * *error (g_free).  assets: as for acknowledge.h. */
int agent_commands_notice(const struct settings *s, const struct assets *assets, struct store *st,
			  const struct queue *q, const struct store_ticket *t, const struct message *msg,
			  const struct agent_outcome *outcome, enum agent_delivery delivery, int64_t now,
			  char **error);

#endif
