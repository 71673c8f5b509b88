/*
 * agent_mail.c - agent replies, notes, commands and ratings
 * (see agent_mail.h).  Room: engine.
 */
#include "config.h"
#include "engine/agent_mail.h"
#include "engine/acknowledge.h"
#include "engine/agent_commands.h"
#include "util/addr.h"
#include "trust/agent_auth.h"
#include "commands/commands.h"
#include "compose/header_edits.h"
#include "engine/lifecycle.h"
#include "engine/message_row.h"
#include "engine/rating.h"
#include "engine/reminders.h"
#include "engine/subject.h"
#include "engine/thread_index.h"

#include <gmime/gmime.h>
#include <string.h>

/* References keep the thread's first message and this many newest. */
#define KEEP_NEWEST_REFERENCES 8

/* The ticket an agent's mail is about: our token, a referenced message
 * (signed or stored), or the subject tag.  Agents are trusted, so no
 * participant check.  Returns 1 found, 0 none, -1 error. */
static int find_ticket(struct store *st, const struct queue *q, const struct token_key *key, const char *token,
		       const struct message *msg, struct store_ticket *t, bool *note)
{
	struct ticket_ref ref;
	char *suffix = NULL;
	int64_t id = 0;
	long number;
	int rc = 0;

	*note = false;
	if (token && token_verify(key, token, &ref, &suffix) && strcmp(ref.tag, q->tag) == 0) {
		*note = g_strcmp0(suffix, "note") == 0;
		g_free(suffix);
		return store_ticket_by_number(st, ref.tag, ref.number, t);
	}
	g_free(suffix);
	for (guint i = 0; rc == 0 && i < msg->in_reply_to->len + msg->references->len; i++) {
		const char *mid = i < msg->in_reply_to->len ? g_ptr_array_index(msg->in_reply_to, i)
			: g_ptr_array_index(msg->references, msg->references->len - 1 - (i - msg->in_reply_to->len));
		if (token_verify_message_id(key, mid, &ref) && strcmp(ref.tag, q->tag) == 0)
			rc = store_ticket_by_number(st, ref.tag, ref.number, t);
		else if ((rc = store_ticket_by_message_id(st, mid, &id)) == 1)
			rc = store_ticket_by_id(st, id, t);
	}
	if (rc == 0 && subject_find_tag(msg->subject, q->tag, &number))
		rc = store_ticket_by_number(st, q->tag, number, t);
	return rc;
}

static bool is_queue_address(const struct settings *s, const char *address)
{
	return settings_queue_for(s, address, NULL) != NULL;
}

/* "Alice Agent via Example Support" <support@example.com> */
static char *from_value(const struct queue *q, const struct message *msg)
{
	const char *agent = msg->from->name && *msg->from->name ? msg->from->name : msg->from->address;
	char *display = g_strdup_printf("%s via %s", agent, q->name);
	InternetAddress *ia = internet_address_mailbox_new(display, q->addresses[0]);
	char *text = internet_address_to_string(ia, NULL, TRUE);

	g_object_unref(ia);
	g_free(display);
	return text;
}

static char *mailbox_list(GPtrArray *mailboxes)
{
	InternetAddressList *list = internet_address_list_new();
	char *text;

	for (guint i = 0; i < mailboxes->len; i++) {
		const struct store_participant *p = g_ptr_array_index(mailboxes, i);
		InternetAddress *ia = internet_address_mailbox_new(p->name, p->address);
		internet_address_list_add(list, ia);
		g_object_unref(ia);
	}
	text = internet_address_list_to_string(list, NULL, TRUE);
	g_object_unref(list);
	return text;
}

/* In-Reply-To: the customer's newest message (anyone's inbound one when
 * the customer has none); References: the thread's first message and its
 * newest ones (RFC 5322 3.6.4, bounded), without `self`, the reply being
 * written, which is already stored. */
static void thread_ids(struct store *st, const struct store_ticket *t, const char *self, char **in_reply_to,
		       char **references)
{
	char *newest_inbound = NULL;
	GPtrArray *msgs = store_ticket_messages(st, t->id);
	GPtrArray *ids = g_ptr_array_new();
	GString *refs = g_string_new(NULL);

	*in_reply_to = NULL;
	for (guint i = 0; msgs && i < msgs->len; i++) {
		const struct store_message *m = g_ptr_array_index(msgs, i);
		if (g_str_has_prefix(m->message_id, "sha256:") || strcmp(m->direction, "note") == 0 ||
		    g_strcmp0(m->message_id, self) == 0)
			continue;
		g_ptr_array_add(ids, m->message_id);
		if (strcmp(m->direction, "in") == 0) {
			char **slot = addr_equal(m->sender, t->customer_address) ? in_reply_to : &newest_inbound;
			g_free(*slot);
			*slot = g_strdup_printf("<%s>", m->message_id);
		}
	}
	if (*in_reply_to == NULL)
		*in_reply_to = newest_inbound;
	else
		g_free(newest_inbound);
	for (guint i = 0; i < ids->len; i++)
		if (i == 0 || i + KEEP_NEWEST_REFERENCES >= ids->len)
			g_string_append_printf(refs, "%s<%s>", refs->len ? " " : "", (char *)g_ptr_array_index(ids, i));
	*references = g_string_free(refs, FALSE);
	g_ptr_array_free(ids, TRUE);
	if (msgs)
		g_ptr_array_free(msgs, TRUE);
}

static struct store_participant *participant_copy(const struct store_participant *p)
{
	struct store_participant *c = g_new0(struct store_participant, 1);

	c->address = g_strdup(p->address);
	c->name = g_strdup(p->name);
	c->role = g_strdup(p->role);
	return c;
}

/* Everyone the customer-facing reply goes to: the customer first, then
 * the Cc participants; never agents, queues or the replying agent. */
static GPtrArray *customer_side(const struct settings *s, const struct queue *q, struct store *st,
				const struct store_ticket *t, const char *agent)
{
	GPtrArray *all = store_ticket_participants(st, t->id);
	GPtrArray *out = g_ptr_array_new_with_free_func(store_participant_free);

	for (guint i = 0; all && i < all->len; i++) {
		const struct store_participant *p = g_ptr_array_index(all, i);
		if (is_queue_address(s, p->address) || agent_of_queue(q, p->address) || addr_equal(p->address, agent) ||
		    !addr_is_safe(p->address))
			continue;
		if (addr_equal(p->address, t->customer_address))
			g_ptr_array_insert(out, 0, participant_copy(p));
		else
			g_ptr_array_add(out, participant_copy(p));
	}
	if (all)
		g_ptr_array_free(all, TRUE);
	return out;
}

/* The other agents a note goes to: explicit agent addresses of the queue. */
static GPtrArray *other_agents(const struct queue *q, const char *agent)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (char **a = q->agents; a && *a; a++)
		if ((*a)[0] != '@' && !addr_equal(*a, agent) && addr_is_safe(*a))
			g_ptr_array_add(out, g_strdup(*a));
	return out;
}

static char *bracketed(const char *address)
{
	return g_strdup_printf("<%s>", address);
}

/* Envelope: drop recipients per `drop`, add `wanted` not already there. */
static void plan_recipients(const struct envelope *env, struct engine_result *res, GPtrArray *wanted,
			    bool (*drop)(const char *rcpt, void *data), void *data)
{
	for (guint i = 0; env->recipients[i]; i++)
		if (drop(env->recipients[i], data))
			g_ptr_array_add(res->rcpt_del, g_strdup(env->raw_recipients ? env->raw_recipients[i]
								  : env->recipients[i]));
	for (guint i = 0; i < wanted->len; i++) {
		const char *w = g_ptr_array_index(wanted, i);
		bool present = false;
		for (guint j = 0; env->recipients[j]; j++)
			present |= addr_equal(env->recipients[j], w) && !drop(env->recipients[j], data);
		if (!present)
			g_ptr_array_add(res->rcpt_add, bracketed(w));
	}
}

struct drop_ctx {
	const struct settings *s;
	const struct queue *q;
};

static bool drop_queue_addresses(const char *rcpt, void *data)
{
	const struct drop_ctx *c = data;

	return is_queue_address(c->s, rcpt);
}

/* A note reaches agents only: whoever else the agent addressed is dropped. */
static bool drop_non_agents(const char *rcpt, void *data)
{
	const struct drop_ctx *c = data;

	return !agent_of_queue(c->q, rcpt);
}

static int record_message(struct store *st, const struct store_ticket *t, const struct message *msg,
			  const struct envelope *env, const char *direction, const char *message_id)
{
	struct store_message row = {
		.ticket_id = t->id, .direction = direction, .message_id = (char *)message_id,
		.sender = msg->from->address,
	};

	return message_row_add(st, &row, msg, env);
}

/* Outlook shows the reply in the customer's conversation when its
 * Thread-Index continues the ticket's: the agent's Outlook may have
 * written one already (it answered the customer's message); anything
 * else is replaced. */
static void reply_thread_index(struct store *st, const struct store_ticket *t, const struct message *msg,
			       int64_t now, struct engine_result *res)
{
	char theirs[THREAD_INDEX_ROOT_HEX + 1], *root = NULL, *value;
	const char *present = message_header(msg, "Thread-Index");

	if (store_ticket_thread_root(st, t->id, &root) != 0 || root == NULL)
		return;	/* a hint only: the reply goes out without one */
	if (!(present && thread_index_root(present, theirs) && strcmp(theirs, root) == 0) &&
	    (value = thread_index_reply(root, now)) != NULL) {
		edits_set(msg, res->edits, "Thread-Index", value);
		g_free(value);
	}
	g_free(root);
}

/* Header changes of the customer-facing reply. */
static void reply_edits(const struct settings *s, const struct queue *q, struct store *st,
			const struct store_ticket *t, const struct message *msg, const char *message_id,
			GPtrArray *people, int64_t now, struct engine_result *res)
{
	struct token_key key = { s->secret, s->secret_len };
	struct ticket_ref ref = { .number = t->number };
	char id[64], *from = from_value(q, msg), *gateway, *irt, *refs, *subject, *mid = g_strdup_printf("<%s>", message_id);
	InternetAddress *reply_to;
	char *reply_to_text;

	g_strlcpy(ref.tag, t->tag, sizeof ref.tag);
	ticket_ref_format(&ref, id, sizeof id);
	gateway = token_gateway_address(&key, q->addresses[0], &ref);
	reply_to = internet_address_mailbox_new(q->name, gateway);
	reply_to_text = internet_address_to_string(reply_to, NULL, TRUE);
	thread_ids(st, t, message_id, &irt, &refs);
	subject = subject_add_tag(msg->raw_subject, msg->subject, &ref);
	/* Answered from a reminder: its subject says how late we are. */
	if (reminder_answered(st, msg) == 1) {
		g_free(subject);
		subject = g_strdup_printf("Re: [%s] %s", id, t->subject);
	}

	/* What would leak internals: the agent's address, receipts, our headers,
	 * the agent's client's references to the internal copy. */
	edits_strip_prefix(msg, res->edits, "X-Ticket-");
	edits_strip(msg, res->edits, "Sender");
	edits_strip(msg, res->edits, "Return-Receipt-To");
	edits_strip(msg, res->edits, "Disposition-Notification-To");
	edits_strip(msg, res->edits, "Cc");
	edits_set(msg, res->edits, "From", from);
	edits_set(msg, res->edits, "Reply-To", reply_to_text);
	edits_set(msg, res->edits, "Message-ID", mid);
	if (irt)
		edits_set(msg, res->edits, "In-Reply-To", irt);
	if (*refs)
		edits_set(msg, res->edits, "References", refs);
	if (subject)
		edits_set(msg, res->edits, "Subject", subject);
	reply_thread_index(st, t, msg, now, res);
	if (people->len > 0) {
		GPtrArray *first = g_ptr_array_new();
		GPtrArray *rest = g_ptr_array_new();
		char *to, *cc;
		for (guint i = 0; i < people->len; i++)
			g_ptr_array_add(i == 0 ? first : rest, g_ptr_array_index(people, i));
		to = mailbox_list(first);
		edits_set(msg, res->edits, "To", to);
		if (rest->len) {
			cc = mailbox_list(rest);
			edits_add(res->edits, HEADER_ADD, "Cc", 0, cc);
			g_free(cc);
		}
		g_free(to);
		g_ptr_array_free(first, TRUE);
		g_ptr_array_free(rest, TRUE);
	}
	edits_add(res->edits, HEADER_ADD, "X-Ticket-ID", 0, id);
	g_free(from);
	g_free(gateway);
	g_free(reply_to_text);
	g_object_unref(reply_to);
	g_free(irt);
	g_free(refs);
	g_free(subject);
	g_free(mid);
}

/* Plans the note's recipients: the other agents only.  True when there
 * is nobody to deliver it to. */
static bool plan_note(const struct settings *s, const struct queue *q, const struct message *msg,
		      const struct envelope *env, const struct ticket_ref *ref, const char *agent,
		      struct engine_result *res)
{
	struct drop_ctx dc = { s, q };
	GPtrArray *agents = other_agents(q, agent);
	guint remaining = 0;
	char id[64];

	res->outcome = ENGINE_NOTE;
	plan_recipients(env, res, agents, drop_non_agents, &dc);
	edits_strip_prefix(msg, res->edits, "X-Ticket-");
	ticket_ref_format(ref, id, sizeof id);
	edits_add(res->edits, HEADER_ADD, "X-Ticket-ID", 0, id);
	edits_add(res->edits, HEADER_ADD, "X-Ticket-Note", 0, "internal: not sent to the customer");
	for (guint i = 0; env->recipients[i]; i++)
		remaining += !drop_non_agents(env->recipients[i], &dc);
	remaining += agents->len;
	g_ptr_array_free(agents, TRUE);
	return remaining == 0;
}

/* Plans the customer-facing reply: recipients, headers, envelope sender. */
static void plan_reply(const struct settings *s, const struct queue *q, struct store *st,
		       const struct store_ticket *t, const struct message *msg, const struct envelope *env,
		       const char *message_id, const char *agent, struct engine_result *res)
{
	struct drop_ctx dc = { s, q };
	GPtrArray *people = customer_side(s, q, st, t, agent);
	GPtrArray *addresses = g_ptr_array_new();

	res->outcome = ENGINE_AGENT_REPLY;
	for (guint i = 0; i < people->len; i++)
		g_ptr_array_add(addresses, ((struct store_participant *)g_ptr_array_index(people, i))->address);
	plan_recipients(env, res, addresses, drop_queue_addresses, &dc);
	reply_edits(s, q, st, t, msg, message_id, people, env->now, res);
	/* A person's reply, not a notification: bounces come back to the
	 * queue, never to the agent and never into the void of <>. */
	res->new_sender = g_strdup(s->bounce_address ? s->bounce_address : q->addresses[0]);
	g_ptr_array_free(addresses, TRUE);
	g_ptr_array_free(people, TRUE);
}

/* The reply without its command lines, for the customer: 0, or -1 with
 * *error when they cannot be removed (the reply must not go as it is). */
static int strip_commands(const struct settings *s, const struct message *msg, const struct envelope *env,
			  const struct command_block *block, struct engine_result *res, char **error)
{
	char *strip_error = NULL;

	if (commands_block_is_empty(block) || (env->raw == NULL && env->spool == NULL))
		return 0;
	if (msg->limits)
		/* Part of it was not read: a rewrite would lose the rest. */
		strip_error = g_strdup("the reply is over a limit (see the line above) and was not read whole");
	else if (env->spool)
		res->new_body = commands_strip_spool(env->spool, s->spool_directory, block, &strip_error);
	else
		res->new_body = commands_strip_body(env->raw, env->raw_len, block, &strip_error);
	/* The commands were read from this message's text, so they are
	 * there: when the stripper does not find them, the two read the
	 * text differently (malformed HTML...), and the reply as it is
	 * would show them to the customer. */
	if (res->new_body == NULL && strip_error == NULL)
		strip_error = g_strdup("the command lines were not found at the top of a text part");
	if (strip_error == NULL)
		return 0;
	*error = g_strdup_printf("removing command lines: %s", strip_error);
	g_free(strip_error);
	return -1;
}

static int agent_transaction(const struct settings *s, const struct assets *assets, struct store *st,
			     const struct queue *q, struct store_ticket *t, const struct message *msg,
			     const struct envelope *env, const struct command_block *block, bool note,
			     struct engine_result *res, char **error)
{
	struct token_key key = { s->secret, s->secret_len };
	struct ticket_ref ref = { .number = t->number };
	const char *agent = msg->from->address;
	struct agent_outcome outcome;
	enum agent_delivery delivery = AGENT_DELIVERED;
	bool only = agent_commands_only(msg, block);
	char *message_id;
	int rc = -1, noticed;

	agent_outcome_init(&outcome);
	g_strlcpy(ref.tag, t->tag, sizeof ref.tag);
	message_id = token_message_id(&key, &ref, s->hostname);
	if (agent_commands_apply(s, st, t, block, agent, env->now, &outcome) != 0)
		goto out;
	if (!only) {
		/* A reply is stored under the Message-ID the customer will see; a
		 * note, which nobody outside sees, under its own. */
		const char *stored_id = note && msg->message_id ? msg->message_id : message_id;
		if (record_message(st, t, msg, env, note ? "note" : "out", stored_id) != 0)
			goto out;
		if (!note && lifecycle_first_response(s, st, t, agent, env->now) != 0)
			goto out;
	}
	if (store_event_add(st, t->id, env->now, agent, note ? "note" : only ? "commands" : "reply", NULL) != 0)
		goto out;
	if (outcome.resolved && rating_ask(s, assets, st, q, t, env->now, error) != 0)
		goto out;

	if (only) {
		res->discard = true;
		delivery = AGENT_COMMANDS_ONLY;
	} else if (note) {
		/* Recorded; with nobody to tell, delivered to nobody. */
		res->discard = plan_note(s, q, msg, env, &ref, agent, res);
		delivery = res->discard ? AGENT_NOTE_UNSENT : AGENT_DELIVERED;
	} else {
		plan_reply(s, q, st, t, msg, env, message_id, agent, res);
	}
	/* One notice per mail: why it went to nobody, what was not understood. */
	if ((noticed = agent_commands_notice(s, assets, st, q, t, msg, &outcome, delivery, env->now, error)) < 0)
		goto out;
	res->mail_queued = outcome.resolved || noticed > 0;
	/* Only the customer's copy loses its command lines: the other agents
	 * read a note as it was written, "#note call back Monday" and all. */
	if (!note && !res->discard && strip_commands(s, msg, env, block, res, error) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0 && *error == NULL)
		*error = g_strdup_printf("store: %s", store_error(st));
	agent_outcome_clear(&outcome);
	g_free(message_id);
	return rc;
}

int agent_mail_process(const struct settings *s, const struct assets *assets, struct store *st,
		       const struct queue *q, const char *token, const struct message *msg,
		       const struct envelope *env, struct engine_result *res, char **error)
{
	struct token_key key = { s->secret, s->secret_len };
	struct auth_info auth = { env->auth_login, env->client_addr };
	struct store_ticket t = { 0 };
	struct command_block block = { 0 };
	bool note = false;
	int rc;

	if (msg->from == NULL || !agent_of_queue(q, msg->from->address))
		return 0;
	if (!agent_authenticated(s, msg->from->address, &auth)) {
		res->spoof = true;
		return 0;
	}
	if (store_begin(st) != 0)
		goto fail;
	rc = find_ticket(st, q, &key, token, msg, &t, &note);
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		store_rollback(st);
		res->outcome = ENGINE_NOT_OURS;
		return 1;
	}
	commands_parse(msg->full_text ? msg->full_text : msg->text, &block);
	note |= block.note;
	res->ref.number = t.number;
	g_strlcpy(res->ref.tag, t.tag, sizeof res->ref.tag);
	res->outcome = ENGINE_AGENT_REPLY;
	if (agent_transaction(s, assets, st, q, &t, msg, env, &block, note, res, error) != 0 ||
	    store_commit(st) != 0)
		goto fail;
	commands_block_clear(&block);
	store_ticket_clear(&t);
	return 1;
fail:
	if (*error == NULL)
		*error = g_strdup_printf("store: %s", store_error(st));
	store_rollback(st);
	commands_block_clear(&block);
	store_ticket_clear(&t);
	return -1;
}
