/*
 * rating.c - customer satisfaction by mail (see rating.h).  Room: engine.
 */
#include "config.h"
#include "engine/rating.h"
#include "engine/acknowledge.h"
#include "util/addr.h"
#include "robots/autoreply.h"

#include <string.h>

static char *mailto(const struct settings *s, const struct queue *q, const struct store_ticket *t, int rating)
{
	struct token_key key = { s->secret, s->secret_len };
	struct ticket_ref ref = { .number = t->number };
	const char *base = q->addresses[0], *at = strrchr(base, '@');
	char *token, *url;

	g_strlcpy(ref.tag, t->tag, sizeof ref.tag);
	token = token_for_ticket(&key, &ref);
	url = g_strdup_printf("mailto:%.*s+csat-%d-%s%s?subject=%s-%ld%%20%d", (int)(at - base), base, rating, token, at,
			      t->tag, t->number, rating);
	g_free(token);
	return url;
}

int rating_ask(const struct settings *s, struct store *st, const struct queue *q,
	       const struct store_ticket *t, int64_t now, char **error)
{
	char *links[5];
	char *locale = NULL, *zone = NULL;
	int rc;

	if (!addr_is_safe(t->customer_address))
		return 0;
	if (store_customer_prefs(st, t->customer_address, &locale, &zone) != 0)
		return -1;
	for (int i = 0; i < 5; i++)
		links[i] = mailto(s, q, t, i + 1);
	{
		char *extra[] = { "csat_1", links[0], "csat_2", links[1], "csat_3", links[2], "csat_4", links[3],
				  "csat_5", links[4], NULL };
		struct notice n = {
			.template_name = "resolved", .kind = "resolved", .to = t->customer_address,
			.to_name = t->customer_name, .locale = t->locale ? t->locale : locale ? locale : q->default_locale,
			.subject = t->subject, .extra = extra,
		};
		rc = acknowledge_queue_notice(s, st, q, t, &n, now, error);
	}
	for (int i = 0; i < 5; i++)
		g_free(links[i]);
	g_free(locale);
	g_free(zone);
	return rc;
}

static bool is_rating_detail(const char *token)
{
	return token && g_ascii_strncasecmp(token, "csat-", 5) == 0 && g_ascii_isdigit(token[5]) && token[6] == '-';
}

int rating_process(const struct settings *s, struct store *st, const struct queue *q,
		   const char *token, const struct message *msg, const struct envelope *env,
		   enum evidence evidence, struct engine_result *res, char **error)
{
	struct token_key key = { s->secret, s->secret_len };
	struct ticket_ref ref;
	struct store_ticket t = { 0 };
	int rating;
	char *comment = NULL;

	/* support+csat-N-TOKEN@ */
	if (!is_rating_detail(token) || !evidence_may(evidence, EVIDENCE_RATE))
		return 0;
	rating = token[5] - '0';
	if (rating < 1 || rating > 5 || !token_verify(&key, token + 7, &ref, NULL) || strcmp(ref.tag, q->tag) != 0)
		return 0;	/* a forged rating link is ordinary mail to the queue */
	if (store_begin(st) != 0)
		goto fail;
	if (store_ticket_by_number(st, ref.tag, ref.number, &t) != 1)
		goto fail;
	/* Only the ticket's own customer rates it, and only once it is
	 * resolved: someone else's click, or an old link after a reopening,
	 * is ordinary mail to the ticket. */
	if (msg->from == NULL || !addr_equal(msg->from->address, t.customer_address) ||
	    (strcmp(t.status, "resolved") != 0 && strcmp(t.status, "closed") != 0)) {
		store_rollback(st);
		store_ticket_clear(&t);
		return 0;
	}
	comment = msg->text && *msg->text ? g_strdup(msg->text) : NULL;
	if (store_csat_record(st, t.id, rating, comment, env->now) != 0 ||
	    store_event_add(st, t.id, env->now, msg->from->address, "rating", token + 5) != 0)
		goto fail;
	if (autoreply_forbidden(msg, env->sender, s) == NULL && addr_is_safe(t.customer_address)) {
		char value[2] = { (char)('0' + rating), '\0' };
		char *extra[] = { "rating", value, NULL };
		/* A reply to the thank-you is a comment on the rating, not a
		 * reason to reopen: it goes back to the rating address. */
		const char *at = strrchr(q->addresses[0], '@');
		char *rating_address = g_strdup_printf("%.*s+%s%s", (int)(at - q->addresses[0]), q->addresses[0],
						       token, at);
		struct notice n = {
			.template_name = "csat-thanks", .kind = "csat-thanks", .to = t.customer_address,
			.to_name = t.customer_name, .locale = t.locale ? t.locale : q->default_locale,
			.in_reply_to = msg->message_id, .subject = t.subject, .extra = extra,
			.reply_to = rating_address,
		};
		int rc = acknowledge_queue_notice(s, st, q, &t, &n, env->now, error);
		g_free(rating_address);
		if (rc != 0)
			goto fail;
		res->mail_queued = true;
	}
	if (store_commit(st) != 0)
		goto fail;
	res->outcome = ENGINE_RATING;
	res->discard = true;
	res->ref = ref;
	g_free(comment);
	store_ticket_clear(&t);
	return 1;
fail:
	if (*error == NULL)
		*error = g_strdup_printf("store: %s", store_error(st));
	store_rollback(st);
	g_free(comment);
	store_ticket_clear(&t);
	return -1;
}
