/*
 * acknowledge.c - the automatic reply to an inbound message
 * (see acknowledge.h).
 * Room: engine.
 */
#include "config.h"
#include "engine/acknowledge.h"
#include "compose/mail_writer.h"
#include "compose/assets.h"
#include "util/addr.h"
#include "robots/autoreply.h"
#include "calendar/calendar.h"
#include "engine/customer_zone.h"
#include "language/lang.h"
#include "engine/scheduled_mail.h"
#include "engine/sla_policy.h"
#include "engine/subject.h"
#include "compose/template.h"
#include "engine/thread_index.h"

#include <string.h>

/* Waits up to this long are also promised relatively ("in 2 hours"). */
#define RELATIVE_PROMISE_MINUTES (8 * 60)
/* How much of the customer's subject an automatic reply repeats: enough
 * to recognise it, too little to make us a spam relay (backscatter). */
#define ECHOED_SUBJECT_CHARS 80

static char *echoed_subject(const struct message *msg, const char *tag)
{
	char *clean = subject_clean(msg->subject, tag);

	if (g_utf8_strlen(clean, -1) > ECHOED_SUBJECT_CHARS) {
		char *cut = g_utf8_substring(clean, 0, ECHOED_SUBJECT_CHARS - 1);
		g_free(clean);
		clean = g_strconcat(cut, "…", NULL);
		g_free(cut);
	}
	return clean;
}

/* Whether the subject holds one of the (casefolded) keywords. */
static bool has_keyword(const char *subject, char **keywords)
{
	char *folded = g_utf8_casefold(subject, -1);
	bool found = false;

	for (char **k = keywords; k && *k && !found; k++)
		found = **k && strstr(folded, *k) != NULL;
	g_free(folded);
	return found;
}

enum priority acknowledge_priority(const struct queue *q, const struct message *msg)
{
	const char *v;

	if (has_keyword(msg->subject, q->urgent_keywords))
		return PRIORITY_URGENT;
	if ((v = message_header(msg, "Priority")) && g_ascii_strncasecmp(v, "urgent", 6) == 0)
		return PRIORITY_URGENT;
	if (((v = message_header(msg, "X-Priority")) && (*v == '1' || *v == '2')) ||
	    ((v = message_header(msg, "Importance")) && g_ascii_strncasecmp(v, "high", 4) == 0))
		return PRIORITY_HIGH;
	if (((v = message_header(msg, "X-Priority")) && (*v == '4' || *v == '5')) ||
	    ((v = message_header(msg, "Importance")) && g_ascii_strncasecmp(v, "low", 3) == 0))
		return PRIORITY_LOW;
	return PRIORITY_NORMAL;
}

/* Why the rate limits forbid a reply now, or NULL: per ticket, per
 * recipient, and per queue (forged senders by the hundred must not make
 * us a backscatter source, whoever they claim to be). */
static int rate_limited(const struct settings *s, struct store *st, const struct queue *q, int64_t ticket_id,
			const char *to, int64_t now, const char **why)
{
	int64_t last;
	int count;

	*why = NULL;
	if (store_outbox_last_for_ticket(st, ticket_id, &last) != 0)
		return -1;
	if (last && now - last < s->ack_per_ticket_seconds) {
		*why = "this ticket was answered automatically a short while ago";
		return 0;
	}
	for (size_t i = 0; i < s->ack_rates.n; i++) {
		if (store_outbox_count_to(st, to, now - s->ack_rates.limits[i].seconds, &count) != 0)
			return -1;
		if (count >= s->ack_rates.limits[i].count) {
			*why = "rate limit for this recipient reached";
			return 0;
		}
	}
	for (size_t i = 0; i < s->ack_queue_rates.n; i++) {
		if (store_outbox_count_queue(st, q->id, now - s->ack_queue_rates.limits[i].seconds, &count) != 0)
			return -1;
		if (count >= s->ack_queue_rates.limits[i].count) {
			*why = "the queue's rate limit for automatic replies is reached ([autoreply] queue-rate)";
			return 0;
		}
	}
	return 0;
}

/* How much of the sender's display name an automatic reply repeats. */
#define ECHOED_NAME_CHARS 40

/* The display name to greet with, or NULL: bounded, and none that looks
 * like a link or an address, which would make our reply carry a
 * stranger's advertisement to whoever they forged. */
static char *echoed_name(const struct message *msg)
{
	const char *name = msg->from ? msg->from->name : NULL;

	if (name == NULL || *name == '\0' || strchr(name, '@') || strchr(name, '/') || strstr(name, "www.") ||
	    g_utf8_strlen(name, -1) > ECHOED_NAME_CHARS)
		return NULL;
	return g_strdup(name);
}

struct promise {
	enum priority priority;
	int64_t first_response_due;
	int64_t resolution_due;
};

static struct promise compute_promise(const struct queue *q, const struct message *msg, const char *customer,
				      int64_t now)
{
	const struct sla_policy *p = sla_policy_of(q, customer);
	struct promise out = { .priority = acknowledge_priority(q, msg) };
	const struct sla_target *fr = &p->first_response[out.priority];
	const struct sla_target *res = &p->resolution[out.priority];

	out.first_response_due = sla_due(q->calendars, q->n_calendars, now, fr->minutes, fr->calendar_time);
	if (res->minutes)
		out.resolution_due = sla_due(q->calendars, q->n_calendars, now, res->minutes, res->calendar_time);
	return out;
}

static char *sender_domain(const char *address)
{
	return g_strdup(addr_domain(address));
}

static char *choose_locale(const struct queue *q, const struct message *msg, const char *preferred)
{
	char *domain = sender_domain(msg->from ? msg->from->address : "");
	struct lang_hints hints = {
		.preferred = preferred,
		.content_language = message_header(msg, "Content-Language"),
		.subject = msg->subject,
		.text = msg->text,
		.charset = msg->text_charset,
		.sender_domain = domain,
	};
	char *locale = lang_choose(&hints, q->locales, q->default_locale);

	g_free(domain);
	return locale;
}

/* The promise in the customer's own time: their zone (customer_zone.h: an
 * agent's, else one inferred from their Date offset and country, so that
 * a promise past a daylight-saving change shows their wall clock), else
 * the offset of their Date header, else the team's calendar zone, else
 * UTC; each step only when ICU can use it (an unknown zone, an absurd
 * offset), so the promise is never left empty.  locale: the text's, which
 * the date is written in; customer_locale: the customer's, whose region
 * helps find their zone.  Returns 0 with *out, or -1 on a store error. */
static int format_promise(const struct settings *s, const struct assets *assets, struct store *st,
			  const char *customer, int64_t due, const char *locale, const char *customer_locale,
			  const char *stored_zone, const struct message *msg, const struct queue *q, char **out)
{
	char *text = NULL, *zone;

	if (customer_zone(st, customer, stored_zone, msg, customer_locale, &zone) != 0)
		return -1;
	if (zone)
		text = assets_format_time(assets, s, locale, due, zone, 0);
	g_free(zone);
	if (text == NULL && msg->date)
		text = assets_format_time(assets, s, locale, due, NULL, msg->date_offset);
	if (text == NULL && q->calendar_zone)
		text = assets_format_time(assets, s, locale, due, q->calendar_zone, 0);
	if (text == NULL)
		text = assets_format_time(assets, s, locale, due, "UTC", 0);
	if (text == NULL)
		text = promise_format_time(due, "en", "UTC", 0);
	*out = text;
	return 0;
}

/* *text_locale: the locale the text is written in (g_free). */
static int render(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
		  const struct store_ticket *t, const struct notice *n, char **subject, char **text, char **html,
		  char **text_locale, char **error)
{
	struct token_key key = { s->secret, s->secret_len };
	struct ticket_ref ref = { .number = t->number };
	const struct template *tpl;
	struct template *loaded = NULL;
	GPtrArray *vars = g_ptr_array_new();
	char id[64], *reference;
	bool returning;
	int rc;

	g_strlcpy(ref.tag, t->tag, sizeof ref.tag);
	ticket_ref_format(&ref, id, sizeof id);
	tpl = assets_template(assets, q->id, n->locale, n->template_name);
	if (tpl == NULL)
		tpl = loaded = assets_template_load(s, q, n->locale, n->template_name, true, error);
	if (tpl == NULL) {
		char *why = *error;
		*error = g_strdup_printf("template: %s", why);
		g_free(why);
		g_ptr_array_free(vars, TRUE);
		return -1;
	}
	if (store_customer_returning(st, t->id, &returning) != 0) {
		*error = g_strdup_printf("store: %s", store_error(st));
		g_ptr_array_free(vars, TRUE);
		template_free(loaded);
		return -1;
	}
	reference = token_for_ticket(&key, &ref);
	{
		const char *base[] = {
			"ticket", id,
			"subject", n->subject ? n->subject : "",
			"customer_name", n->to_name ? n->to_name : "",
			"queue_name", q->name,
			"promise", n->promise ? n->promise : "",
			"promise_relative", n->promise_relative ? n->promise_relative : "",
			"agent_name", n->agent_name ? n->agent_name : "",
			"reference", reference,
			"escalation", assets_escalation_notice(assets, s, q, template_locale(tpl)) ? "yes" : "",
			"returning", returning ? "yes" : "",
			"status", t->status,
			"csat_links", "",
		};
		for (size_t i = 0; i < G_N_ELEMENTS(base); i++)
			g_ptr_array_add(vars, (char *)base[i]);
		for (char *const *e = n->extra; e && *e; e++)
			g_ptr_array_add(vars, *e);
		g_ptr_array_add(vars, NULL);
	}
	rc = template_render(tpl, (char *const *)vars->pdata, subject, text, html, error);
	if (rc != 0) {
		char *why = *error;
		*error = g_strdup_printf("template %s: %s", n->template_name, why);
		g_free(why);
	}
	*text_locale = g_strdup(template_locale(tpl));
	g_ptr_array_free(vars, TRUE);
	g_free(reference);
	template_free(loaded);
	return rc;
}

int acknowledge_queue_notice(const struct settings *s, const struct assets *assets, struct store *st,
			     const struct queue *q, const struct store_ticket *t, const struct notice *n, int64_t now,
			     char **error)
{
	char *subject = NULL, *text = NULL, *html = NULL, *message_id = NULL, *text_locale = NULL, *root = NULL;
	char *thread_index;
	int rc;

	if (store_ticket_thread_root(st, t->id, &root) != 0) {
		*error = g_strdup_printf("store: %s", store_error(st));
		return -1;
	}
	thread_index = root ? thread_index_reply(root, now) : NULL;
	g_free(root);
	if (render(s, assets, st, q, t, n, &subject, &text, &html, &text_locale, error) != 0) {
		g_free(text_locale);
		g_free(thread_index);
		return -1;
	}
	{
		struct ack_request req = {
			.settings = s, .queue = q, .ref = { .number = t->number },
			.to_address = n->to, .to_name = n->to_name,
			.in_reply_to = n->in_reply_to, .references = n->references, .locale = text_locale,
			.subject = subject, .text = text, .html = html, .now = now, .reply_to = n->reply_to,
			.thread_index = thread_index, .generated = n->generated,
		};
		struct outbox_entry e = {
			.ticket_id = t->id, .kind = (char *)n->kind,
			.envelope_from = s->bounce_address ? s->bounce_address : "", .recipient = (char *)n->to,
			.created = now,
		};
		g_strlcpy(req.ref.tag, t->tag, sizeof req.ref.tag);
		e.message = ack_compose(&req, &message_id);
		e.message_id = message_id;
		rc = store_outbox_add(st, &e);
		g_bytes_unref(e.message);
		if (rc == 0) {
			char *detail = g_strdup_printf("%s in %s to <%s>, message-id <%s>", n->kind, text_locale, n->to,
						       message_id);
			rc = store_event_add(st, t->id, now, "ticket-milter", "mail-queued", detail);
			g_free(detail);
		}
		if (rc == 0 && n->queued_id)
			*n->queued_id = g_strdup(message_id);
		if (rc != 0)
			*error = g_strdup_printf("store: %s", store_error(st));
	}
	g_free(subject);
	g_free(text);
	g_free(html);
	g_free(message_id);
	g_free(thread_index);
	g_free(text_locale);
	return rc;
}

int acknowledge(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
		const struct message *msg, const struct envelope *env, const struct store_ticket *t,
		enum ack_kind kind, enum evidence evidence, struct ack_outcome *out, char **error)
{
	const char *to = t->customer_address;
	char *pref_locale = NULL, *pref_zone = NULL, *locale = NULL, *promise_text = NULL, *relative = NULL;
	char *subject = NULL, *name = NULL;
	struct promise promise = { .priority = PRIORITY_NORMAL };
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (store_customer_prefs(st, to, &pref_locale, &pref_zone) != 0)
		goto store_error;
	locale = choose_locale(q, msg, pref_locale);
	if (kind == ACK_NEW) {
		promise = compute_promise(q, msg, to, env->now);
		if (store_ticket_set_promise(st, t->id, locale, ticket_priority_name(promise.priority),
					     promise.first_response_due, promise.resolution_due) != 0 ||
		    scheduled_promise_made(s, st, q, t->id, env->now) != 0)
			goto store_error;
	} else {
		promise.first_response_due = t->first_response_due;
	}
	/* The language chosen once is used for every later mail to them. */
	if (pref_locale == NULL && store_customer_set_locale(st, to, locale) != 0)
		goto store_error;

	if (!evidence_may(evidence, EVIDENCE_ACKNOWLEDGE))
		out->skipped = "our MTA found the sender forged (DMARC failed)";
	else if ((out->skipped = autoreply_forbidden(msg, env->sender, s)) == NULL && !addr_is_safe(to))
		out->skipped = "customer address cannot be used safely";
	if (out->skipped == NULL && rate_limited(s, st, q, t->id, to, env->now, &out->skipped) != 0)
		goto store_error;
	if (out->skipped) {
		rc = store_event_add(st, t->id, env->now, "ticket-milter", "no-acknowledgement", out->skipped);
		goto done;
	}

	if (promise.first_response_due > 0) {
		/* The date in the language of the text around it (assets.h). */
		char *text_locale = assets_text_locale(assets, s, q, locale, kind == ACK_NEW ? "ack" : "reopened");
		const char *date_locale = text_locale ? text_locale : locale;
		rc = format_promise(s, assets, st, to, promise.first_response_due, date_locale, locale, pref_zone,
				    msg, q, &promise_text);
		if (rc == 0)
			relative = assets_format_relative(assets, date_locale, env->now, promise.first_response_due,
							  RELATIVE_PROMISE_MINUTES);
		g_free(text_locale);
		if (rc != 0)
			goto store_error;
	}
	subject = echoed_subject(msg, q->tag);
	name = echoed_name(msg);
	{
		struct notice n = {
			.template_name = kind == ACK_NEW ? "ack" : "reopened", .kind = kind == ACK_NEW ? "ack" : "reopened",
			.to = to, .to_name = name, .locale = locale,
			.in_reply_to = msg->message_id, .references = msg->references, .subject = subject,
			.promise = promise_text ? promise_text : "", .promise_relative = relative,
		};
		rc = acknowledge_queue_notice(s, assets, st, q, t, &n, env->now, error);
		out->queued = rc == 0;
	}
	goto done;
store_error:
	*error = g_strdup_printf("store: %s", store_error(st));
done:
	if (rc != 0 && *error == NULL)
		*error = g_strdup_printf("store: %s", store_error(st));
	g_free(pref_locale);
	g_free(pref_zone);
	g_free(locale);
	g_free(promise_text);
	g_free(relative);
	g_free(subject);
	g_free(name);
	return rc;
}
