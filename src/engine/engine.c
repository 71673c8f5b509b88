/*
 * engine.c - recording an inbound message and deciding its headers
 * (see engine.h).  Room: engine.
 */
#include "config.h"
#include "engine/engine.h"
#include "store/schedule.h"
#include "engine/acknowledge.h"
#include "engine/agent_context.h"
#include "compose/header_edits.h"
#include "util/addr.h"
#include "engine/agent_mail.h"
#include "trust/agent_auth.h"
#include "engine/lifecycle.h"
#include "engine/message_row.h"
#include "engine/participants.h"
#include "engine/rating.h"
#include "engine/subject.h"
#include "engine/thread_index.h"

#include <gmime/gmime.h>
#include <string.h>

const struct queue *engine_queue_for(const struct settings *s, char **recipients, char **token)
{
	*token = NULL;
	for (char **r = recipients; r && *r; r++) {
		const struct queue *q = settings_queue_for(s, *r, token);
		if (q)
			return q;
	}
	return NULL;
}

const struct queue *engine_choose_queue(const struct settings *s, const struct envelope *env, char **token)
{
	const struct queue *q = engine_queue_for(s, env->recipients, token);
	struct auth_info auth = { env->auth_login, env->client_addr };

	if (q == NULL && env->sender) {
		const struct queue *agents = agent_queue(s, env->sender);
		if (agents && agent_authenticated(s, env->sender, &auth))
			q = agents;
	}
	return q;
}

/* The headers a customer's message leaves with for the agents: the tag,
 * our X-Ticket-* (anything of that name from outside goes), the evidence
 * and what was held back, and our Reply-To as the only one. */
static void build_edits(const struct settings *s, const struct queue *queue, const struct message *msg,
			const struct store_ticket *t, const char *evidence, const char *held,
			struct engine_result *result)
{
	char id[64];
	char *subject = subject_add_tag(msg->raw_subject, msg->subject, &result->ref);
	struct token_key key = { s->secret, s->secret_len };
	char *gateway = token_gateway_address(&key, queue->addresses[0], &result->ref);
	InternetAddress *reply_to = internet_address_mailbox_new(queue->name, gateway);
	char *reply_to_text = internet_address_to_string(reply_to, NULL, TRUE);

	ticket_ref_format(&result->ref, id, sizeof id);
	edits_strip_prefix(msg, result->edits, "X-Ticket-");
	if (subject)
		edits_set(msg, result->edits, "Subject", subject);
	edits_add(result->edits, HEADER_ADD, "X-Ticket-ID", 0, id);
	edits_add(result->edits, HEADER_ADD, "X-Ticket-Status", 0, t->status);
	edits_add(result->edits, HEADER_ADD, "X-Ticket-Priority", 0, t->priority);
	edits_add(result->edits, HEADER_ADD, "X-Ticket-Queue", 0, queue->id);
	if (t->locale)
		edits_add(result->edits, HEADER_ADD, "X-Ticket-Locale", 0, t->locale);
	if (t->first_response_due) {
		GDateTime *due = g_date_time_new_from_unix_utc(t->first_response_due);
		char *text = g_date_time_format(due, "%Y-%m-%dT%H:%M:%SZ");
		edits_add(result->edits, HEADER_ADD, "X-Ticket-Due", 0, text);
		g_free(text);
		g_date_time_unref(due);
	}
	edits_add(result->edits, HEADER_ADD, "X-Ticket-Evidence", 0, evidence);
	if (held)
		edits_add(result->edits, HEADER_ADD, "X-Ticket-Held", 0, held);
	/* A second Reply-To of the sender's choosing must not reach agents. */
	edits_strip(msg, result->edits, "Reply-To");
	edits_add(result->edits, HEADER_ADD, "Reply-To", 0, reply_to_text);
	g_free(reply_to_text);
	g_object_unref(reply_to);
	g_free(gateway);
	g_free(subject);
}

/* A merged ticket forwards to the one it was merged into. */
static int follow_merges(struct store *st, int64_t id, struct store_ticket *t)
{
	for (int hops = 0; hops < 8; hops++) {
		store_ticket_clear(t);
		if (store_ticket_by_id(st, id, t) != 1)
			return -1;
		if (t->merged_into == 0 || t->merged_into == id)
			return 0;
		id = t->merged_into;
	}
	return 0;
}

static int link_parent(struct store *st, struct store_ticket *t, int64_t parent_id, const char *actor, int64_t now)
{
	struct store_ticket parent = { 0 };
	char *detail;
	int rc;

	if (store_ticket_by_id(st, parent_id, &parent) != 1)
		return -1;
	t->parent_id = parent_id;
	detail = g_strdup_printf("follows the closed ticket %s-%ld", parent.tag, parent.number);
	rc = store_ticket_save(st, t, now);
	if (rc == 0)
		rc = store_event_add(st, t->id, now, actor, "follows", detail);
	g_free(detail);
	if (rc == 0) {
		detail = g_strdup_printf("the customer's reply opened %s-%ld", t->tag, t->number);
		rc = store_event_add(st, parent_id, now, actor, "followed-by", detail);
		g_free(detail);
	}
	store_ticket_clear(&parent);
	return rc;
}

/* What the evidence rules decided for one message, for its row, its
 * events and its headers. */
struct trust {
	enum evidence level;
	char *detail;			/* the deciding Authentication-Results, or NULL */
	struct participants_held held;
};

static bool signed_rule(enum thread_rule rule)
{
	return rule == THREAD_SIGNED_ID || rule == THREAD_TOKEN || rule == THREAD_BODY_REFERENCE;
}

/* The Outlook conversation our mail for a new ticket continues: the
 * customer's, or one of its own. */
static int conversation_root(const struct settings *s, struct store *st, const struct message *msg,
			     const struct store_ticket *t)
{
	struct token_key key = { s->secret, s->secret_len };
	struct ticket_ref ref = { .number = t->number };
	char root[THREAD_INDEX_ROOT_HEX + 1];

	if (!thread_index_root(message_header(msg, "Thread-Index"), root)) {
		g_strlcpy(ref.tag, t->tag, sizeof ref.tag);
		thread_index_make_root(&key, &ref, t->created, root);
	}
	return store_ticket_set_thread_root(st, t->id, root);
}

/* A new ticket, and what made it one when a reference was refused. */
static int open_ticket(const struct settings *s, struct store *st, const struct queue *queue,
		       const struct message *msg, const struct envelope *env, const char *sender,
		       const struct thread_match *match, const struct trust *tr, int64_t parent_id,
		       struct store_ticket *t)
{
	int64_t customer_id;
	char *subject = subject_clean(msg->subject, queue->tag), *detail = NULL;
	const char *kind = "stranger-reference";
	int rc;

	rc = store_customer_upsert(st, sender, msg->from ? msg->from->name : NULL, env->now, &customer_id);
	if (rc == 0)
		rc = store_ticket_create(st, queue->id, queue->tag, subject, customer_id, env->now, t);
	g_free(subject);
	if (rc != 0 || store_participant_add(st, t->id, sender, msg->from ? msg->from->name : NULL,
					     "customer", env->now) != 0)
		return -1;
	detail = g_strdup_printf("evidence %s", evidence_name(tr->level));
	rc = store_event_add(st, t->id, env->now, sender, "created", detail);
	g_clear_pointer(&detail, g_free);
	if (rc != 0)
		return -1;
	if (parent_id && link_parent(st, t, parent_id, sender, env->now) != 0)
		return -1;
	if (conversation_root(s, st, msg, t) != 0)
		return -1;
	if (tr->level == EVIDENCE_CONTRADICTED) {
		kind = "forged-sender";
		detail = g_strdup_printf("our MTA says the From domain failed DMARC (%s): it joins no ticket and "
					 "gets no automatic reply", tr->detail ? tr->detail : "dmarc=fail");
	} else if (match->stranger_tag) {
		detail = g_strdup_printf("subject carried %s-%ld, but the sender is not a participant of it",
					 queue->tag, match->stranger_tag);
	} else if (match->stranger_reference) {
		detail = g_strdup_printf("referenced a message of ticket id %lld, but the sender is not a participant of it",
					 (long long)match->stranger_reference);
	}
	if (detail) {
		rc = store_event_add(st, t->id, env->now, sender, kind, detail);
		g_free(detail);
	}
	return rc;
}

/* A follow-up: the customer answered, so waiting is over; a resolved
 * (or, with closed-reply = reopen, closed) ticket opens again. */
static int continue_ticket(const struct settings *s, struct store *st, struct store_ticket *t, enum thread_rule rule,
			   enum evidence level, const char *sender, int64_t now, struct engine_result *result)
{
	char *detail = g_strdup_printf("%s, evidence %s", thread_rule_name(rule), evidence_name(level));
	int rc = store_ticket_touch(st, t->id, now);

	if (rc == 0)
		rc = store_event_add(st, t->id, now, sender, "message", detail);
	g_free(detail);
	if (rc != 0)
		return -1;
	if (strcmp(t->status, "pending") == 0)
		return lifecycle_set_status(s, st, t, "open", sender, now, NULL);
	if (strcmp(t->status, "resolved") == 0 || strcmp(t->status, "closed") == 0) {
		if (lifecycle_set_status(s, st, t, "open", sender, now, NULL) != 0 ||
		    store_event_add(st, t->id, now, sender, "reopened", NULL) != 0)
			return -1;
		result->reopened = true;
	}
	return 0;
}

/* The references led into two tickets of the sender's: the agents of the
 * one it joined learn of the other. */
static int ambiguity_event(struct store *st, const struct store_ticket *t, int64_t other_id, const char *sender,
			   int64_t now)
{
	struct store_ticket other = { 0 };
	char *detail;
	int rc = store_ticket_by_id(st, other_id, &other);

	if (rc < 0)
		return -1;
	detail = rc == 1 ? g_strdup_printf("its references also lead to %s-%ld, where the sender takes part too; "
					   "joined %s-%ld, where the conversation began",
					   other.tag, other.number, t->tag, t->number)
			 : g_strdup("its references also lead to another ticket of the sender's");
	rc = store_event_add(st, t->id, now, sender, "ambiguous-references", detail);
	g_free(detail);
	store_ticket_clear(&other);
	return rc;
}

/* The evidence and what was held back, in the event log. */
static int trust_events(struct store *st, int64_t ticket_id, const char *sender, int64_t now,
			const struct trust *tr, const char *held)
{
	char *detail;
	int rc = 0;

	if (tr->detail && tr->level == EVIDENCE_AUTHENTICATED) {
		detail = g_strdup_printf("authenticated: %s", tr->detail);
		rc = store_event_add(st, ticket_id, now, sender, "evidence", detail);
		g_free(detail);
	}
	if (rc == 0 && held) {
		detail = g_strdup_printf("%u address(es) not made participants (%s): %s", tr->held.count,
					 tr->held.why, held);
		rc = store_event_add(st, ticket_id, now, sender, "participants-held", detail);
		g_free(detail);
	}
	return rc;
}

static int record(const struct settings *s, const struct assets *assets, struct store *st,
		  const struct queue *queue, const char *token, const struct message *msg,
		  const struct envelope *env, const char *sender, const char *key_id, struct trust *tr,
		  struct store_ticket *t, struct engine_result *result, char **error)
{
	struct token_key key = { s->secret, s->secret_len };
	struct thread_match match = { .rule = THREAD_NEW };
	char *held = NULL, root[THREAD_INDEX_ROOT_HEX + 1];
	int64_t parent_id = 0;
	int rc;

	/* Mail whose sender our MTA found forged joins nothing. */
	if (evidence_may(tr->level, EVIDENCE_JOIN_BY_REFERENCE) &&
	    thread_find(st, queue, &key, msg, sender, token, &match) != 0)
		return -1;
	tr->level = evidence_with_token(tr->level, signed_rule(match.rule));
	result->rule = match.rule;
	result->evidence = tr->level;
	if (match.rule != THREAD_NEW && follow_merges(st, match.ticket_id, t) != 0)
		return -1;
	/* A reply to a closed ticket starts a new one that refers to it. */
	if (match.rule != THREAD_NEW && strcmp(t->status, "closed") == 0 &&
	    s->closed_reply == CLOSED_REPLY_NEW_TICKET) {
		parent_id = t->id;
		store_ticket_clear(t);
		match.rule = THREAD_NEW;
	}
	if (match.rule == THREAD_NEW) {
		if (open_ticket(s, st, queue, msg, env, sender, &match, tr, parent_id, t) != 0)
			return -1;
		result->new_ticket = true;
	} else if (continue_ticket(s, st, t, match.rule, tr->level, sender, env->now, result) != 0 ||
		   (match.other_ticket && ambiguity_event(st, t, match.other_ticket, sender, env->now) != 0)) {
		return -1;
	}
	if (participants_join(s, queue, st, t->id, msg, sender, result->new_ticket, tr->level, env->now,
			      &tr->held) != 0)
		return -1;
	held = participants_held_text(&tr->held);
	result->held = tr->held.count;

	{
		struct store_message row = {
			.ticket_id = t->id, .direction = "in", .message_id = (char *)key_id, .sender = (char *)sender,
			.evidence = (char *)evidence_name(tr->level), .held_addresses = held,
			.thread_root = thread_index_root(message_header(msg, "Thread-Index"), root) ? root : NULL,
		};
		rc = message_row_add(st, &row, msg, env);
	}
	if (rc == 0)
		rc = trust_events(st, t->id, sender, env->now, tr, held);
	g_free(held);
	if (rc != 0)
		return -1;
	if (result->new_ticket || result->reopened) {
		struct ack_outcome ack;
		int64_t ticket_id = t->id;

		if (acknowledge(s, assets, st, queue, msg, env, t, result->new_ticket ? ACK_NEW : ACK_REOPENED,
				tr->level, &ack, error) != 0)
			return -1;
		result->ack_queued = ack.queued;
		result->ack_skipped = ack.skipped;
		/* The acknowledgement set locale, priority and due times. */
		store_ticket_clear(t);
		if (store_ticket_by_id(st, ticket_id, t) != 1)
			return -1;
	}
	return 0;
}

/* The X-Ticket-* headers of a message, "Name: value" in order. */
static char *ticket_headers(const struct message *msg)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < msg->headers->len; i++) {
		const struct header_field *h = g_ptr_array_index(msg->headers, i);
		if (g_ascii_strncasecmp(h->name, "X-Ticket-", 9) == 0)
			g_string_append_printf(out, "%s: %s\n", h->name, h->value);
	}
	return g_string_free(out, FALSE);
}

static bool same_mailbox(const struct mailbox *a, const struct mailbox *b)
{
	return a == NULL ? b == NULL : b != NULL && addr_equal(a->address, b->address);
}

/* Our own mail coming back through the milter (the outbox's command
 * through non_smtpd_milters, a customer's forward, a loop).  A signed
 * Message-ID is not enough: every recipient of our mail has seen one,
 * and could send anything under it.  It is ours when the outbox holds
 * mail under that Message-ID that reads the same: sender, Reply-To,
 * subject, X-Ticket-* headers, parts and text.  1 ours, 0 not, -1 error. */
static int own_mail(const struct settings *s, struct store *st, const struct message *msg,
		    struct ticket_ref *own)
{
	struct token_key key = { s->secret, s->secret_len };
	GBytes *sent = NULL;
	struct message *ours;
	char *theirs_x, *ours_x;
	gsize len;
	const char *raw;
	bool same;
	int rc;

	if (msg->message_id == NULL || !token_verify_message_id(&key, msg->message_id, own))
		return 0;
	if ((rc = store_outbox_by_message_id(st, msg->message_id, &sent)) != 1)
		return rc;
	raw = g_bytes_get_data(sent, &len);
	ours = message_parse(raw, len, s->excerpt_bytes);
	theirs_x = ticket_headers(msg);
	ours_x = ticket_headers(ours);
	same = same_mailbox(msg->from, ours->from) && same_mailbox(msg->reply_to, ours->reply_to) &&
	       g_strcmp0(msg->subject, ours->subject) == 0 && strcmp(theirs_x, ours_x) == 0 &&
	       msg->parts == ours->parts && g_strcmp0(msg->full_text, ours->full_text) == 0;
	g_free(theirs_x);
	g_free(ours_x);
	message_free(ours);
	g_bytes_unref(sent);
	return same;
}

int engine_process(const struct settings *s, const struct assets *assets, struct store *st,
		   const struct queue *queue, const char *token, const struct message *msg,
		   const struct envelope *env, struct engine_result *result, char **error)
{
	struct store_ticket t = { 0 };
	/* Without a Message-ID, the content hash identifies a redelivery. */
	char *key_id = msg->message_id && *msg->message_id ? g_strdup(msg->message_id)
							   : g_strdup_printf("sha256:%s", msg->sha256);
	const char *sender = msg->from ? msg->from->address
			     : env->sender ? env->sender : "mailer-daemon@invalid";
	struct trust tr = { 0 };
	char *stored_evidence = NULL, *held = NULL;
	int64_t existing = 0;
	int rc;

	memset(result, 0, sizeof *result);
	store_schedule_take_first(st);	/* what an earlier message scheduled is told already */
	result->edits = g_ptr_array_new_with_free_func(edits_free_one);
	result->rcpt_add = g_ptr_array_new_with_free_func(g_free);
	result->rcpt_del = g_ptr_array_new_with_free_func(g_free);
	*error = NULL;

	if ((rc = own_mail(s, st, msg, &result->ref)) != 0) {
		g_free(key_id);
		if (rc < 0) {
			*error = g_strdup_printf("store: %s", store_error(st));
			engine_result_clear(result);
			return -1;
		}
		result->outcome = ENGINE_OWN_MAIL;
		return 0;
	}

	tr.level = evidence_of_results(s->authserv_ids, msg, env->sender, &tr.detail);
	result->evidence = tr.level;
	/* A rating, then an authenticated agent's mail; otherwise a customer's. */
	if ((rc = rating_process(s, assets, st, queue, token, msg, env, tr.level, result, error)) == 0)
		rc = agent_mail_process(s, assets, st, queue, token, msg, env, result, error);
	if (rc != 0) {
		g_free(key_id);
		g_free(tr.detail);
		if (rc < 0)
			engine_result_clear(result);
		else
			result->scheduled = store_schedule_take_first(st);
		return rc < 0 ? -1 : 0;
	}
	if (store_begin(st) != 0)
		goto fail;
	rc = store_find_duplicate(st, key_id, sender, &existing);
	if (rc < 0)
		goto fail;
	if (rc == 1) {
		result->outcome = ENGINE_DUPLICATE;
		if (store_ticket_by_id(st, existing, &t) != 1 ||
		    store_message_trust(st, key_id, sender, &stored_evidence, &held) < 0)
			goto fail;
		store_rollback(st);
	} else {
		result->outcome = ENGINE_TICKETED;
		if (record(s, assets, st, queue, token, msg, env, sender, key_id, &tr, &t, result, error) != 0 ||
		    (result->spoof && store_event_add(st, t.id, env->now, sender, "spoofed-agent",
						      "an agent's address, not authenticated as that agent") != 0) ||
		    store_commit(st) != 0)
			goto fail;
		result->mail_queued = result->ack_queued;
		held = participants_held_text(&tr.held);
	}
	g_strlcpy(result->ref.tag, t.tag, sizeof result->ref.tag);
	result->ref.number = t.number;
	build_edits(s, queue, msg, &t, stored_evidence ? stored_evidence : evidence_name(result->evidence), held,
		    result);
	agent_context_add(s, st, queue, &t, env, key_id, result);
	result->scheduled = store_schedule_take_first(st);
	rc = 0;
	goto out;
fail:
	if (*error == NULL)
		*error = g_strdup_printf("store: %s", store_error(st));
	store_rollback(st);
	engine_result_clear(result);
	rc = -1;
out:
	store_ticket_clear(&t);
	participants_held_clear(&tr.held);
	g_free(tr.detail);
	g_free(stored_evidence);
	g_free(held);
	g_free(key_id);
	return rc;
}

void engine_finish(const struct settings *s, const struct message *msg, const struct envelope *env,
		   struct engine_result *result)
{
	agent_context_finish(s, msg, env, result);
}

int engine_autoclose(const struct settings *s, struct store *st, int64_t now)
{
	return lifecycle_autoclose(s, st, now);
}

void engine_result_clear(struct engine_result *result)
{
	if (result->edits)
		g_ptr_array_free(result->edits, TRUE);
	if (result->rcpt_add)
		g_ptr_array_free(result->rcpt_add, TRUE);
	if (result->rcpt_del)
		g_ptr_array_free(result->rcpt_del, TRUE);
	if (result->new_body)
		g_bytes_unref(result->new_body);
	g_free(result->new_sender);
	g_free(result->context_text);
	g_free(result->context_html);
	g_free(result->context_note);
	result->edits = result->rcpt_add = result->rcpt_del = NULL;
	result->new_body = NULL;
	result->new_sender = result->context_text = result->context_html = result->context_note = NULL;
}
