/*
 * thread.c - finding the ticket a message belongs to (see thread.h).
 */
#include "config.h"
#include "thread.h"
#include "subject.h"

#include <string.h>

const char *thread_rule_name(enum thread_rule rule)
{
	switch (rule) {
	case THREAD_SIGNED_ID: return "signed-message-id";
	case THREAD_TOKEN: return "token";
	case THREAD_BODY_REFERENCE: return "body-reference";
	case THREAD_KNOWN_ID: return "known-message-id";
	case THREAD_TAG: return "subject-tag";
	default: return "new";
	}
}

/* The ticket id for a verified reference, when it exists in this queue. */
static int ticket_of_ref(struct store *st, const struct queue *queue, const struct ticket_ref *ref,
			 int64_t *ticket_id)
{
	struct store_ticket t = { 0 };
	int rc;

	if (strcmp(ref->tag, queue->tag) != 0)
		return 0;
	rc = store_ticket_by_number(st, ref->tag, ref->number, &t);
	if (rc == 1)
		*ticket_id = t.id;
	store_ticket_clear(&t);
	return rc;
}

/* In-Reply-To first, then References newest first, bounded.  Calls
 * visit(id) until it returns non-zero; returns that value or 0. */
static int each_reference(const struct message *msg, int (*visit)(const char *id, void *data), void *data)
{
	int budget = THREAD_MAX_REFERENCES;
	int rc;

	for (guint i = 0; i < msg->in_reply_to->len && budget > 0; i++, budget--)
		if ((rc = visit(g_ptr_array_index(msg->in_reply_to, i), data)) != 0)
			return rc;
	for (guint i = msg->references->len; i > 0 && budget > 0; i--, budget--)
		if ((rc = visit(g_ptr_array_index(msg->references, i - 1), data)) != 0)
			return rc;
	return 0;
}

struct visit_ctx {
	struct store *st;
	const struct queue *queue;
	const struct token_key *key;
	int64_t ticket_id;
};

static int visit_signed(const char *id, void *data)
{
	struct visit_ctx *ctx = data;
	struct ticket_ref ref;

	if (!token_verify_message_id(ctx->key, id, &ref))
		return 0;
	return ticket_of_ref(ctx->st, ctx->queue, &ref, &ctx->ticket_id);
}

static int visit_known(const char *id, void *data)
{
	struct visit_ctx *ctx = data;

	return store_ticket_by_message_id(ctx->st, id, &ctx->ticket_id);
}

/* Our footer carries "sup-1042-<mac>" because some providers rewrite
 * Message-IDs; a reply quoting it comes back to its ticket. */
static int body_reference(struct store *st, const struct queue *queue, const struct token_key *key,
			  const struct message *msg, int64_t *ticket_id)
{
	char *pattern = g_strdup_printf("\\b%s-[0-9]{1,9}-[a-z2-7]{16}\\b", queue->tag);
	GRegex *re = g_regex_new(pattern, G_REGEX_CASELESS, 0, NULL);
	GMatchInfo *match = NULL;
	int rc = 0;

	g_free(pattern);
	if (re == NULL || msg->full_text == NULL)
		goto out;
	g_regex_match(re, msg->full_text, 0, &match);
	for (int tries = 0; rc == 0 && g_match_info_matches(match) && tries < 8; tries++) {
		char *candidate = g_match_info_fetch(match, 0);
		struct ticket_ref ref;
		if (token_verify(key, candidate, &ref, NULL))
			rc = ticket_of_ref(st, queue, &ref, ticket_id);
		g_free(candidate);
		g_match_info_next(match, NULL);
	}
out:
	if (match)
		g_match_info_free(match);
	if (re)
		g_regex_unref(re);
	return rc;
}

int thread_find(struct store *st, const struct queue *queue, const struct token_key *key,
		const struct message *msg, const char *sender, const char *token,
		struct thread_match *out)
{
	struct visit_ctx ctx = { .st = st, .queue = queue, .key = key };
	struct ticket_ref ref;
	long tag_number;
	int rc;

	memset(out, 0, sizeof *out);

	/* 1. Something only we can have made. */
	if ((rc = each_reference(msg, visit_signed, &ctx)) != 0) {
		out->rule = THREAD_SIGNED_ID;
		out->ticket_id = ctx.ticket_id;
		return rc < 0 ? -1 : 0;
	}
	if ((rc = body_reference(st, queue, key, msg, &ctx.ticket_id)) != 0) {
		out->rule = THREAD_BODY_REFERENCE;
		out->ticket_id = ctx.ticket_id;
		return rc < 0 ? -1 : 0;
	}
	if (token && token_verify(key, token, &ref, NULL)) {
		if ((rc = ticket_of_ref(st, queue, &ref, &ctx.ticket_id)) != 0) {
			out->rule = THREAD_TOKEN;
			out->ticket_id = ctx.ticket_id;
			return rc < 0 ? -1 : 0;
		}
	}

	/* 2. A message the ticket already holds.  Message-IDs travel in
	 * plain sight and can be guessed, so this joins participants only. */
	if ((rc = each_reference(msg, visit_known, &ctx)) != 0) {
		int known;
		if (rc < 0 || (known = store_is_participant(st, ctx.ticket_id, sender)) < 0)
			return -1;
		if (known) {
			out->rule = THREAD_KNOWN_ID;
			out->ticket_id = ctx.ticket_id;
			return 0;
		}
		out->stranger_reference = ctx.ticket_id;
	}

	/* 3. The subject tag, only from someone already on the ticket. */
	if (subject_find_tag(msg->subject, queue->tag, &tag_number)) {
		struct store_ticket t = { 0 };
		rc = store_ticket_by_number(st, queue->tag, tag_number, &t);
		if (rc == 1) {
			int known = store_is_participant(st, t.id, sender);
			if (known < 0) {
				store_ticket_clear(&t);
				return -1;
			}
			if (known) {
				out->rule = THREAD_TAG;
				out->ticket_id = t.id;
				store_ticket_clear(&t);
				return 0;
			}
			out->stranger_tag = tag_number;
		}
		store_ticket_clear(&t);
		if (rc < 0)
			return -1;
	}
	out->rule = THREAD_NEW;
	return 0;
}
