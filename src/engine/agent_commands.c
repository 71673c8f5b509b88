/*
 * agent_commands.c - an agent's commands applied, the test for a reply
 * of commands only, and the notice to the agent (agent_commands.h).
 * Room: engine.
 */
#include "config.h"
#include "engine/agent_commands.h"
#include "engine/acknowledge.h"
#include "util/addr.h"
#include "engine/lifecycle.h"
#include "text/text.h"

#include <string.h>

void agent_outcome_init(struct agent_outcome *out)
{
	out->applied = g_ptr_array_new_with_free_func(g_free);
	out->not_understood = g_ptr_array_new_with_free_func(g_free);
	out->resolved = false;
}

void agent_outcome_clear(struct agent_outcome *out)
{
	if (out->applied)
		g_ptr_array_free(out->applied, TRUE);
	if (out->not_understood)
		g_ptr_array_free(out->not_understood, TRUE);
	out->applied = out->not_understood = NULL;
	out->resolved = false;
}

int agent_commands_apply(const struct settings *s, struct store *st, struct store_ticket *t,
			 const struct command_block *block, const char *agent, int64_t now,
			 struct agent_outcome *out)
{
	for (guint i = 0; block->unknown && i < block->unknown->len; i++)
		g_ptr_array_add(out->not_understood, g_strdup(g_ptr_array_index(block->unknown, i)));
	for (guint i = 0; block->commands && i < block->commands->len; i++) {
		const struct agent_command *cmd = g_ptr_array_index(block->commands, i);
		const char *why = NULL;
		bool now_resolved = false;
		int rc = lifecycle_apply(s, st, t, cmd, agent, now, &now_resolved, &why);
		char *line = g_strdup_printf("#%s%s%s", cmd->name, cmd->arg ? " " : "", cmd->arg ? cmd->arg : "");

		if (rc < 0) {
			g_free(line);
			return -1;
		}
		if (rc > 0) {
			g_ptr_array_add(out->not_understood, g_strdup_printf("%s (%s)", line, why));
			g_free(line);
		} else {
			g_ptr_array_add(out->applied, line);
		}
		out->resolved |= now_resolved;
	}
	return 0;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!g_ascii_isspace(*s))
			return false;
	return true;
}

bool agent_commands_only(const struct message *msg, const struct command_block *block)
{
	const char *text = msg->full_text ? msg->full_text : msg->text;
	char *rest;
	bool only;

	if (commands_block_is_empty(block) || text == NULL)
		return false;
	/* "#note call back Monday" is a note with something to say. */
	for (guint i = 0; block->commands && i < block->commands->len; i++) {
		const struct agent_command *cmd = g_ptr_array_index(block->commands, i);
		if (strcmp(cmd->name, "note") == 0 && cmd->arg && !blank(cmd->arg))
			return false;
	}
	/* The block is read from the same text as commands_parse() read it;
	 * what follows it counts without quoted history or signature. */
	rest = text_trim_reply(commands_after_block(text));
	only = blank(rest);
	g_free(rest);
	return only;
}

static char *joined(GPtrArray *lines)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < lines->len; i++)
		g_string_append_printf(out, "%s%s", i ? "\n" : "", (const char *)g_ptr_array_index(lines, i));
	return g_string_free(out, FALSE);
}

int agent_commands_notice(const struct settings *s, const struct assets *assets, struct store *st,
			  const struct queue *q, const struct store_ticket *t, const struct message *msg,
			  const struct agent_outcome *outcome, enum agent_delivery delivery, int64_t now,
			  char **error)
{
	char *unknown, *applied;
	int rc;

	if (delivery == AGENT_DELIVERED && outcome->not_understood->len == 0)
		return 0;
	if (msg->from == NULL || !addr_is_safe(msg->from->address))
		return 0;
	unknown = joined(outcome->not_understood);
	applied = joined(outcome->applied);
	{
		char *extra[] = {
			"unknown_commands", unknown,
			"applied", applied,
			"commands_only", delivery == AGENT_COMMANDS_ONLY ? "yes" : "",
			"note_unsent", delivery == AGENT_NOTE_UNSENT ? "yes" : "",
			NULL,
		};
		struct notice n = {
			.template_name = "agent-notice", .kind = "agent-notice", .to = msg->from->address,
			.to_name = msg->from->name, .locale = q->default_locale, .in_reply_to = msg->message_id,
			.subject = t->subject, .agent_name = msg->from->name, .extra = extra,
		};
		rc = acknowledge_queue_notice(s, assets, st, q, t, &n, now, error);
	}
	g_free(unknown);
	g_free(applied);
	return rc == 0 ? 1 : -1;
}
