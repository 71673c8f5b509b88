/*
 * autoreply.c - may an automatic reply go out (autoreply.h)?  Puts the
 * rules in order: the envelope, the header fields, reports, the sending
 * addresses, what the mail says, then this installation's own senders.
 * The rules themselves live in autoreply_*.c, one file per concern.
 * Room: robots.
 */
#include "config.h"
#include "robots/autoreply.h"
#include "robots/autoreply_rules.h"
#include "trust/agent_auth.h"

#include <string.h>

static bool is_our_address(const struct settings *s, const char *address)
{
	return address && settings_queue_for(s, address, NULL) != NULL;
}

/* What this installation knows: its never-to pattern, its queues, its
 * agents and its own host name. */
static const char *local_rules(const struct message *msg, const char *envelope_sender,
			       const struct settings *s)
{
	const char *from = msg->from ? msg->from->address : NULL;

	if (s->never_reply && (g_regex_match(s->never_reply, envelope_sender, 0, NULL) ||
			       (from && g_regex_match(s->never_reply, from, 0, NULL))))
		return "sender never gets automatic replies";
	if (is_our_address(s, envelope_sender) || is_our_address(s, from))
		return "sender is one of our queue addresses";
	if (agent_queue(s, envelope_sender) || (from && agent_queue(s, from)))
		return "sender is one of our agents";
	if (msg->message_id) {
		const char *at = strrchr(msg->message_id, '@');
		if (at && g_ascii_strcasecmp(at + 1, s->hostname) == 0)
			return "Message-ID of our own host";
	}
	return NULL;
}

const char *autoreply_forbidden(const struct message *msg, const char *envelope_sender,
				const struct settings *s)
{
	const char *rule;

	if (envelope_sender == NULL)
		return "null sender";
	if ((rule = autoreply_header_rule(msg)) != NULL)
		return rule;
	if (msg->has_report || strcmp(msg->content_type, "multipart/report") == 0)
		return "delivery or disposition report";
	if ((rule = autoreply_sender_rule(msg, envelope_sender)) != NULL)
		return rule;
	if ((rule = autoreply_content_rule(msg, envelope_sender)) != NULL)
		return rule;
	return local_rules(msg, envelope_sender, s);
}

const char *autoreply_address_rule(const char *address, const struct settings *s)
{
	const char *rule;

	if ((rule = autoreply_address_kind(address)) != NULL)
		return rule;
	if (s->never_reply && g_regex_match(s->never_reply, address, 0, NULL))
		return "sender never gets automatic replies";
	if (is_our_address(s, address))
		return "sender is one of our queue addresses";
	if (agent_queue(s, address))
		return "sender is one of our agents";
	return NULL;
}
