/*
 * intake.c - around the engine, the same for every front end (see
 * intake.h).  Room: engine.
 *
 * The replies and the log lines are the ones the milter always gave:
 * administrators grep for them, and the tests read them.
 */
#include "config.h"
#include "engine/intake.h"
#include "engine/engine.h"
#include "util/spool.h"

#include <syslog.h>

void intake_limits(const struct settings *s, struct message_limits *lim)
{
	lim->excerpt_bytes = s->excerpt_bytes;
	lim->max_header_bytes = s->max_header_bytes;
	lim->max_headers = (unsigned)s->max_headers;
	lim->max_header_line = s->max_header_line;
	lim->max_parts = (unsigned)s->max_mime_parts;
	lim->max_depth = (unsigned)s->max_mime_depth;
}

void intake_on_error(const struct settings *s, const char *cause, struct intake_reply *r)
{
	*r = (struct intake_reply){ .priority = LOG_ERR };
	if (s->on_error == ON_ERROR_ACCEPT) {
		r->action = INTAKE_ACCEPT;
		r->log = g_strdup_printf("accepted unrecorded (on-error = accept): %s", cause);
		return;
	}
	r->action = INTAKE_TEMPFAIL;
	r->code = "451";
	r->xcode = "4.3.0";
	r->text = "Ticket system temporarily unavailable, please try again later";
	r->log = g_strdup_printf("tempfail: %s", cause);
}

void intake_on_limit(const struct settings *s, const char *what, bool size, struct intake_reply *r)
{
	static const char *const names[] = { "record", "accept", "reject", "tempfail" };
	enum on_limit action = s->on_limit;

	*r = (struct intake_reply){ .priority = LOG_WARNING };
	r->log = g_strdup_printf("over a limit: %s; %s (on-limit = %s)", what,
				 action == ON_LIMIT_RECORD ? "recording what could be read" :
				 action == ON_LIMIT_ACCEPT ? "accepted unrecorded" :
				 action == ON_LIMIT_REJECT ? "rejected" : "tempfailed", names[action]);
	switch (action) {
	case ON_LIMIT_RECORD:
		r->action = INTAKE_GO_ON;
		break;
	case ON_LIMIT_ACCEPT:
		r->action = INTAKE_ACCEPT;
		break;
	case ON_LIMIT_REJECT:
		r->action = INTAKE_REJECT;
		r->code = size ? "552" : "554";
		r->xcode = size ? "5.3.4" : "5.6.0";
		r->text = size ? "Message too big for the ticket system" :
				 "Message structure exceeds the ticket system's limits";
		break;
	case ON_LIMIT_TEMPFAIL:
		r->action = INTAKE_TEMPFAIL;
		r->code = "451";
		r->xcode = size ? "4.3.4" : "4.6.0";
		r->text = "Message exceeds the ticket system's limits, try again later";
		break;
	}
}

struct message *intake_read(const struct settings *s, struct spool *sp, struct intake_reply *r)
{
	struct message_limits lim;
	struct message *msg;
	char *what;

	intake_limits(s, &lim);
	msg = message_parse_spool(sp, &lim);
	what = message_describe(msg, &lim);
	*r = (struct intake_reply){ .action = INTAKE_GO_ON };
	if (what && msg->limits) {
		intake_on_limit(s, what, msg->limits == MESSAGE_LIMIT_SIZE, r);
	} else if (what) {
		r->priority = LOG_NOTICE;
		r->log = g_strdup_printf("repaired: %s", what);
	}
	g_free(what);
	return msg;
}

void intake_reply_clear(struct intake_reply *r)
{
	g_clear_pointer(&r->log, g_free);
}

static const char *from_of(const struct message *msg)
{
	return msg->from ? msg->from->address : "";
}

char *intake_outcome_line(const struct engine_result *r, const struct message *msg,
			  gint64 elapsed_us, gint64 eom_us, int *priority)
{
	char id[64];
	bool plain = r->outcome == ENGINE_DUPLICATE || r->new_ticket;

	*priority = LOG_INFO;
	ticket_ref_format(&r->ref, id, sizeof id);
	switch (r->outcome) {
	case ENGINE_NOT_OURS:
		return g_strdup_printf("mail from agent <%s> about no ticket passed untouched", from_of(msg));
	case ENGINE_OWN_MAIL:
		return g_strdup_printf("our own mail for %s (message-id=<%s>) passed untouched", id,
				       msg->message_id ? msg->message_id : "");
	case ENGINE_AGENT_REPLY:
	case ENGINE_NOTE:
	case ENGINE_RATING:
		if (r->discard)
			return g_strdup_printf("%s for %s from <%s> recorded, delivered to nobody",
					       r->outcome == ENGINE_RATING ? "rating" :
					       r->outcome == ENGINE_NOTE ? "note" : "commands", id, from_of(msg));
		return g_strdup_printf("%s for %s from agent <%s>: %u recipient(s) removed, %u added%s elapsed=%lldus eom=%lldus",
				       r->outcome == ENGINE_NOTE ? "note" : "reply", id, from_of(msg),
				       r->rcpt_del->len, r->rcpt_add->len,
				       r->new_body ? ", command lines removed," : "",
				       (long long)elapsed_us, (long long)eom_us);
	case ENGINE_TICKETED:
	case ENGINE_DUPLICATE:
		break;
	}
	return g_strdup_printf("%s %s%s%s%s%s from=<%s> evidence=%s%s message-id=<%s> size=%zu elapsed=%lldus eom=%lldus%s%s%s%s%s",
			       r->outcome == ENGINE_DUPLICATE ? "redelivery of" :
			       r->new_ticket ? "new ticket" : "follow-up to", id,
			       plain ? "" : " (", plain ? "" : thread_rule_name(r->rule), plain ? "" : ")",
			       r->reopened ? " reopened" : "", from_of(msg),
			       evidence_name(r->evidence), r->held ? " (To/Cc held back, see X-Ticket-Held)" : "",
			       msg->message_id ? msg->message_id : "", msg->size,
			       (long long)elapsed_us, (long long)eom_us,
			       msg->warnings ? ", with parse warnings" : "",
			       r->ack_queued ? ", acknowledgement queued" : r->ack_skipped ? ", no acknowledgement: " : "",
			       r->ack_queued || !r->ack_skipped ? "" : r->ack_skipped,
			       r->context_note ? ", " : r->new_body ? ", history block added" : "",
			       r->context_note ? r->context_note : "");
}

char *intake_spoof_line(const struct engine_result *r, const struct message *msg, const struct envelope *env)
{
	if (!r->spoof || (r->outcome != ENGINE_TICKETED && r->outcome != ENGINE_DUPLICATE))
		return NULL;
	return g_strdup_printf("spoof attempt: <%s> is an agent's address, but the mail is not "
			       "authenticated as that agent (login %s, client %s); treated as a customer's",
			       from_of(msg), env->auth_login ? env->auth_login : "none",
			       env->client_addr ? env->client_addr : "unknown");
}
