/*
 * rating.c - customer satisfaction by mail (see rating.h).  Room: engine.
 */
#include "config.h"
#include "engine/rating.h"
#include "engine/acknowledge.h"
#include "compose/assets.h"
#include "config/survey.h"
#include "util/addr.h"
#include "robots/autoreply.h"

#include <string.h>

/* The most scores a scale offers (nps: 0 to 10). */
#define RATING_MAX_LINKS 11

static char *mailto(const struct settings *s, const struct queue *q, const struct store_ticket *t,
		    const char *scale, int rating)
{
	struct token_key key = { s->secret, s->secret_len };
	struct ticket_ref ref = { .number = t->number };
	const char *base = q->addresses[0], *at = strrchr(base, '@');
	char *token, *url;

	g_strlcpy(ref.tag, t->tag, sizeof ref.tag);
	token = token_for_ticket(&key, &ref);
	url = g_strdup_printf("mailto:%.*s+%s-%d-%s%s?subject=%s-%ld%%20%d", (int)(at - base), base, scale, rating, token,
			      at, t->tag, t->number, rating);
	g_free(token);
	return url;
}

int rating_ask(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
	       const struct store_ticket *t, int64_t now, char **error)
{
	const struct survey_scale *scale = survey_scale(q->survey);
	/* "nps_0", link, ..., NULL: the placeholders of the links */
	char *extra[2 * RATING_MAX_LINKS + 1] = { NULL };
	char *locale = NULL, *zone = NULL;
	size_t n = 0;
	int rc;

	G_STATIC_ASSERT(RATING_MAX_LINKS >= 11);
	if (!addr_is_safe(t->customer_address))
		return 0;
	if (store_customer_prefs(st, t->customer_address, &locale, &zone) != 0)
		return -1;
	for (int score = scale->min; score <= scale->max && n + 2 < G_N_ELEMENTS(extra); score++) {
		extra[n++] = g_strdup_printf("%s_%d", scale->name, score);
		extra[n++] = mailto(s, q, t, scale->name, score);
	}
	{
		struct notice notice = {
			.template_name = assets_survey_template(q), .kind = "resolved", .to = t->customer_address,
			.to_name = t->customer_name, .locale = t->locale ? t->locale : locale ? locale : q->default_locale,
			.subject = t->subject, .extra = extra,
		};
		rc = acknowledge_queue_notice(s, assets, st, q, t, &notice, now, error);
	}
	for (size_t i = 0; i < n; i++)
		g_free(extra[i]);
	g_free(locale);
	g_free(zone);
	return rc;
}

/* "nps-9-TOKEN": the scale and the score, and where the token starts;
 * false when token is not a rating address's detail. */
static bool rating_detail(const char *token, enum survey *survey, int *score, const char **rest)
{
	const char *dash = token ? strchr(token, '-') : NULL, *p;
	char name[8];

	if (dash == NULL || (size_t)(dash - token) >= sizeof name)
		return false;
	memcpy(name, token, (size_t)(dash - token));
	name[dash - token] = '\0';
	if (!survey_parse(name, survey))
		return false;
	*score = 0;
	for (p = dash + 1; g_ascii_isdigit(*p) && p - dash <= 2; p++)
		*score = *score * 10 + (*p - '0');
	if (p == dash + 1 || *p != '-' || *score < survey_scale(*survey)->min || *score > survey_scale(*survey)->max)
		return false;
	*rest = p + 1;
	return true;
}

int rating_process(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
		   const char *token, const struct message *msg, const struct envelope *env,
		   enum evidence evidence, struct engine_result *res, char **error)
{
	struct token_key key = { s->secret, s->secret_len };
	struct ticket_ref ref;
	struct store_ticket t = { 0 };
	enum survey survey;
	int rating;
	const char *signed_part, *scale;
	char *comment = NULL;

	/* support+csat-N-TOKEN@, support+nps-N-TOKEN@, support+ces-N-TOKEN@ */
	if (!rating_detail(token, &survey, &rating, &signed_part) || !evidence_may(evidence, EVIDENCE_RATE))
		return 0;
	if (!token_verify(&key, signed_part, &ref, NULL) || strcmp(ref.tag, q->tag) != 0)
		return 0;	/* a forged rating link is ordinary mail to the queue */
	scale = survey_scale(survey)->name;
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
	if (store_rating_record(st, t.id, scale, rating, comment, env->now) != 0 ||
	    store_event_add(st, t.id, env->now, msg->from->address, "rating", token + strlen(scale) + 1) != 0)
		goto fail;
	if (autoreply_forbidden(msg, env->sender, s) == NULL && addr_is_safe(t.customer_address)) {
		char value[4];
		char *extra[] = { "rating", value, NULL };
		/* A reply to the thank-you is a comment on the rating, not a
		 * reason to reopen: it goes back to the rating address. */
		const char *at = strrchr(q->addresses[0], '@');
		char *rating_address = g_strdup_printf("%.*s+%s%s", (int)(at - q->addresses[0]), q->addresses[0],
						       token, at);
		char thanks[32];
		struct notice n = {
			.template_name = thanks, .kind = "csat-thanks", .to = t.customer_address,
			.to_name = t.customer_name, .locale = t.locale ? t.locale : q->default_locale,
			.in_reply_to = msg->message_id, .subject = t.subject, .extra = extra,
			.reply_to = rating_address,
		};
		int rc;

		/* Thanked in the words of the scale the customer answered on;
		 * an answer on another scale than the queue's survey (asked
		 * before it changed, or an edited address) gets the queue's
		 * thank-you when that scale has no template here. */
		g_snprintf(thanks, sizeof thanks, "%s-thanks", scale);
		if (survey != q->survey) {
			char *found = assets_text_locale(assets, s, q, n.locale, thanks);
			if (found == NULL)
				g_strlcpy(thanks, assets_thanks_template(q), sizeof thanks);
			g_free(found);
		}
		g_snprintf(value, sizeof value, "%d", rating);
		rc = acknowledge_queue_notice(s, assets, st, q, &t, &n, env->now, error);
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
