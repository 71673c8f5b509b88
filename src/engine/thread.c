/*
 * thread.c - finding the ticket a message belongs to (see thread.h).
 * Room: engine.
 */
#include "config.h"
#include "engine/thread.h"
#include "engine/subject.h"
#include "engine/thread_index.h"

#include <string.h>

const char *thread_rule_name(enum thread_rule rule)
{
	switch (rule) {
	case THREAD_SIGNED_ID: return "signed-message-id";
	case THREAD_TOKEN: return "token";
	case THREAD_BODY_REFERENCE: return "body-reference";
	case THREAD_KNOWN_ID: return "known-message-id";
	case THREAD_TAG: return "subject-tag";
	case THREAD_THREAD_INDEX: return "thread-index";
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

/* Rule 2 over every reference: the first ticket the sender is a
 * participant of, another one of theirs, and the first a stranger cited. */
struct known_ctx {
	struct store *st;
	const char *sender;
	int64_t joined, other, stranger;
};

static int visit_known(const char *id, void *data)
{
	struct known_ctx *ctx = data;
	int64_t ticket_id;
	int rc = store_ticket_by_message_id(ctx->st, id, &ticket_id), known;

	if (rc <= 0)
		return rc;
	if (ticket_id == ctx->joined || ticket_id == ctx->other || ticket_id == ctx->stranger)
		return 0;
	if ((known = store_is_participant(ctx->st, ticket_id, ctx->sender)) < 0)
		return -1;
	if (!known) {
		if (ctx->stranger == 0)
			ctx->stranger = ticket_id;
	} else if (ctx->joined == 0) {
		ctx->joined = ticket_id;
	} else {
		/* A conversation that strayed into a second ticket (someone not
		 * on the first wrote in between) returns to where it began. */
		ctx->other = MAX(ctx->joined, ticket_id);
		ctx->joined = MIN(ctx->joined, ticket_id);
	}
	return 0;
}

/* Our footer carries "sup-1042-<mac>" because some providers rewrite
 * Message-IDs; a reply quoting it comes back to its ticket. */
static bool is_word_char(char c)
{
	return g_ascii_isalnum(c) || c == '_';
}

static bool is_base32_char(char c)
{
	return g_ascii_isalpha(c) || (c >= '2' && c <= '7');
}

/* The length of a word-bounded "TAG-NUMBER-MAC" (any case) at p, or 0.
 * A plain scan: this runs for every inbound queue message. */
static size_t reference_at(const char *text, const char *p, const char *tag)
{
	size_t tag_len = strlen(tag);
	const char *q = p + tag_len;
	int digits = 0, mac = 0;

	if ((p > text && is_word_char(p[-1])) || g_ascii_strncasecmp(p, tag, tag_len) != 0 || *q++ != '-')
		return 0;
	while (g_ascii_isdigit(*q) && digits < 10)
		q++, digits++;
	if (digits < 1 || digits > 9 || *q++ != '-')
		return 0;
	while (is_base32_char(*q) && mac < 17)
		q++, mac++;
	if (mac != TOKEN_MAC_CHARS || is_word_char(*q))
		return 0;
	return (size_t)(q - p);
}

/* Our footer carries "sup-1042-<mac>" because some providers rewrite
 * Message-IDs; a reply quoting it comes back to its ticket. */
static int body_reference(struct store *st, const struct queue *queue, const struct token_key *key,
			  const struct message *msg, int64_t *ticket_id)
{
	const char *text = msg->full_text;
	const char first = g_ascii_tolower(queue->tag[0]);
	int rc = 0, tries = 0;

	for (const char *p = text; p && *p && rc == 0 && tries < 8; p++) {
		size_t len;
		char *candidate;
		struct ticket_ref ref;

		/* Most of a body is not the tag's first letter. */
		if (g_ascii_tolower(*p) != first || (len = reference_at(text, p, queue->tag)) == 0)
			continue;
		tries++;
		candidate = g_strndup(p, len);
		if (token_verify(key, candidate, &ref, NULL))
			rc = ticket_of_ref(st, queue, &ref, ticket_id);
		g_free(candidate);
		p += len - 1;
	}
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
	{
		struct known_ctx known = { .st = st, .sender = sender };
		if (each_reference(msg, visit_known, &known) < 0)
			return -1;
		if (known.joined) {
			out->rule = THREAD_KNOWN_ID;
			out->ticket_id = known.joined;
			out->other_ticket = known.other;
			return 0;
		}
		out->stranger_reference = known.stranger;
	}

	/* 2b. Outlook's conversation, when References are missing. */
	{
		char root[THREAD_INDEX_ROOT_HEX + 1];
		int64_t ticket_id;
		int known;
		if (thread_index_root(message_header(msg, "Thread-Index"), root) &&
		    (rc = store_ticket_by_thread_root(st, root, &ticket_id)) != 0) {
			if (rc < 0 || (known = store_is_participant(st, ticket_id, sender)) < 0)
				return -1;
			if (known) {
				out->rule = THREAD_THREAD_INDEX;
				out->ticket_id = ticket_id;
				return 0;
			}
			if (out->stranger_reference == 0)
				out->stranger_reference = ticket_id;
		}
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
