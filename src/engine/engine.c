/*
 * engine.c - recording an inbound message and deciding its headers
 * (see engine.h).
 */
#include "config.h"
#include "engine.h"
#include "acknowledge.h"
#include "edits.h"
#include "addr.h"
#include "agent_mail.h"
#include "lifecycle.h"
#include "subject.h"

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

static bool is_queue_address(const struct settings *s, const char *address)
{
	return settings_queue_for(s, address, NULL) != NULL;
}

char *engine_gateway_address(const struct settings *s, const struct queue *queue,
			     const struct ticket_ref *ref)
{
	struct token_key key = { s->secret, s->secret_len };
	char *token = token_for_ticket(&key, ref);
	const char *base = queue->addresses[0];
	const char *at = strrchr(base, '@');
	char *address = g_strdup_printf("%.*s+%s%s", (int)(at - base), base, token, at);

	g_free(token);
	return address;
}

static void build_edits(const struct settings *s, const struct queue *queue, const struct message *msg,
			const struct store_ticket *t, struct engine_result *result)
{
	char id[64];
	char *subject = subject_add_tag(msg->raw_subject, msg->subject, &result->ref);
	char *gateway = engine_gateway_address(s, queue, &result->ref);
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
	edits_set(msg, result->edits, "Reply-To", reply_to_text);
	g_free(reply_to_text);
	g_object_unref(reply_to);
	g_free(gateway);
	g_free(subject);
}

/* From, To and Cc join the ticket; our own queue addresses do not. */
static int add_participants(const struct settings *s, struct store *st, int64_t ticket_id,
			    const struct message *msg, const char *sender, int64_t now)
{
	const GPtrArray *lists[] = { msg->to, msg->cc };

	if (!is_queue_address(s, sender) &&
	    store_participant_add(st, ticket_id, sender, msg->from ? msg->from->name : NULL, "cc", now) != 0)
		return -1;
	for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
		for (guint i = 0; i < lists[l]->len; i++) {
			const struct mailbox *m = g_ptr_array_index(lists[l], i);
			if (is_queue_address(s, m->address))
				continue;
			if (store_participant_add(st, ticket_id, m->address, m->name, "cc", now) != 0)
				return -1;
		}
	return 0;
}

static char *recipients_text(char **recipients)
{
	return g_strjoinv(", ", recipients);
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

static int record(const struct settings *s, struct store *st, const struct queue *queue,
		  const char *token, const struct message *msg, const struct envelope *env,
		  const char *sender, const char *key_id, struct store_ticket *t,
		  struct engine_result *result, char **error)
{
	struct token_key key = { s->secret, s->secret_len };
	struct thread_match match;
	struct store_message row = { 0 };
	char *detail = NULL;
	int64_t parent_id = 0;
	int rc;

	if (thread_find(st, queue, &key, msg, sender, token, &match) != 0)
		return -1;
	result->rule = match.rule;
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
		int64_t customer_id;
		char *subject = subject_clean(msg->subject, queue->tag);
		rc = store_customer_upsert(st, sender, msg->from ? msg->from->name : NULL, env->now, &customer_id);
		if (rc == 0)
			rc = store_ticket_create(st, queue->id, queue->tag, subject, customer_id, env->now, t);
		g_free(subject);
		if (rc != 0 || store_participant_add(st, t->id, sender, msg->from ? msg->from->name : NULL,
						     "customer", env->now) != 0 ||
		    store_event_add(st, t->id, env->now, sender, "created", NULL) != 0)
			return -1;
		result->new_ticket = true;
		if (parent_id && link_parent(st, t, parent_id, sender, env->now) != 0)
			return -1;
		if (match.stranger_tag)
			detail = g_strdup_printf("subject carried %s-%ld, but the sender is not a participant of it",
						 queue->tag, match.stranger_tag);
		else if (match.stranger_reference)
			detail = g_strdup_printf("referenced a message of ticket id %lld, but the sender is not a participant of it",
						 (long long)match.stranger_reference);
		if (detail) {
			rc = store_event_add(st, t->id, env->now, sender, "stranger-reference", detail);
			g_free(detail);
			if (rc != 0)
				return -1;
		}
	} else {
		if (store_ticket_touch(st, t->id, env->now) != 0 ||
		    store_event_add(st, t->id, env->now, sender, "message", thread_rule_name(match.rule)) != 0)
			return -1;
		/* The customer answered: waiting is over; a resolved (or, with
		 * closed-reply = reopen, closed) ticket opens again. */
		if (strcmp(t->status, "pending") == 0) {
			if (lifecycle_set_status(st, t, "open", sender, env->now, NULL) != 0)
				return -1;
		} else if (strcmp(t->status, "resolved") == 0 || strcmp(t->status, "closed") == 0) {
			if (lifecycle_set_status(st, t, "open", sender, env->now, NULL) != 0 ||
			    store_event_add(st, t->id, env->now, sender, "reopened", NULL) != 0)
				return -1;
			result->reopened = true;
		}
	}
	if (add_participants(s, st, t->id, msg, sender, env->now) != 0)
		return -1;

	row.ticket_id = t->id;
	row.direction = "in";
	row.message_id = (char *)key_id;
	row.sender = (char *)sender;
	row.recipients = recipients_text(env->recipients);
	row.subject = msg->subject;
	row.date = msg->date;
	row.received = env->now;
	row.excerpt = msg->text;
	row.size = (int64_t)msg->size;
	row.sha256 = (char *)msg->sha256;
	row.queue_id = (char *)env->queue_id;
	rc = store_message_add(st, &row);
	g_free(row.recipients);
	if (rc != 0)
		return -1;
	if (result->new_ticket || result->reopened) {
		struct ack_outcome ack;
		if (acknowledge(s, st, queue, msg, env, t, result->new_ticket ? ACK_NEW : ACK_REOPENED, &ack, error) != 0)
			return -1;
		result->ack_queued = ack.queued;
		result->ack_skipped = ack.skipped;
		/* The acknowledgement set locale, priority and due times. */
		store_ticket_clear(t);
		if (store_ticket_by_id(st, row.ticket_id, t) != 1)
			return -1;
	}
	return 0;
}

int engine_process(const struct settings *s, struct store *st, const struct queue *queue,
		   const char *token, const struct message *msg, const struct envelope *env,
		   struct engine_result *result, char **error)
{
	struct store_ticket t = { 0 };
	/* Without a Message-ID, the content hash identifies a redelivery. */
	char *key_id = msg->message_id && *msg->message_id ? g_strdup(msg->message_id)
							   : g_strdup_printf("sha256:%s", msg->sha256);
	const char *sender = msg->from ? msg->from->address
			     : env->sender ? env->sender : "mailer-daemon@invalid";
	int64_t existing = 0;
	int rc;

	memset(result, 0, sizeof *result);
	result->edits = g_ptr_array_new_with_free_func(edits_free_one);
	result->rcpt_add = g_ptr_array_new_with_free_func(g_free);
	result->rcpt_del = g_ptr_array_new_with_free_func(g_free);
	*error = NULL;

	/* Our own mail passing through again (non_smtpd_milters): hands off. */
	{
		struct token_key key = { s->secret, s->secret_len };
		struct ticket_ref own;
		if (msg->message_id && token_verify_message_id(&key, msg->message_id, &own)) {
			result->outcome = ENGINE_OWN_MAIL;
			result->ref = own;
			g_free(key_id);
			return 0;
		}
	}

	/* A rating, then an authenticated agent's mail; otherwise a customer's. */
	if ((rc = rating_process(s, st, queue, token, msg, env, result, error)) == 0)
		rc = agent_mail_process(s, st, queue, token, msg, env, result, error);
	if (rc != 0) {
		g_free(key_id);
		if (rc < 0)
			engine_result_clear(result);
		return rc < 0 ? -1 : 0;
	}

	if (store_begin(st) != 0)
		goto fail;
	rc = store_find_duplicate(st, key_id, sender, &existing);
	if (rc < 0)
		goto fail;
	if (rc == 1) {
		result->outcome = ENGINE_DUPLICATE;
		if (store_ticket_by_id(st, existing, &t) != 1)
			goto fail;
		store_rollback(st);
	} else {
		result->outcome = ENGINE_TICKETED;
		if (record(s, st, queue, token, msg, env, sender, key_id, &t, result, error) != 0 ||
		    (result->spoof && store_event_add(st, t.id, env->now, sender, "spoofed-agent",
						      "an agent's address, not authenticated as that agent") != 0) ||
		    store_commit(st) != 0)
			goto fail;
		result->mail_queued = result->ack_queued;
	}
	g_strlcpy(result->ref.tag, t.tag, sizeof result->ref.tag);
	result->ref.number = t.number;
	build_edits(s, queue, msg, &t, result);
	store_ticket_clear(&t);
	g_free(key_id);
	return 0;
fail:
	if (*error == NULL)
		*error = g_strdup_printf("store: %s", store_error(st));
	store_rollback(st);
	store_ticket_clear(&t);
	g_free(key_id);
	engine_result_clear(result);
	return -1;
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
	result->edits = result->rcpt_add = result->rcpt_del = NULL;
	result->new_body = NULL;
	result->new_sender = NULL;
}
