/*
 * delay_notice.c - the customer hears a promise will be late, before
 * they have to ask (see delay_notice.h).  Room: engine.
 */
#include "config.h"
#include "engine/delay_notice.h"
#include "calendar/calendar.h"
#include "calendar/sla_clock.h"
#include "compose/assets.h"
#include "engine/acknowledge.h"
#include "engine/sla_policy.h"
#include "robots/autoreply.h"
#include "trust/evidence.h"
#include "util/addr.h"

#include <string.h>

/* Rounded up, as the reminders' levels are. */
static int64_t share(int64_t budget, int percent)
{
	return (budget * percent + 99) / 100;
}

static int plan(const struct settings *s, struct store *st, const struct queue *q, const struct store_ticket *t,
		int64_t now)
{
	struct sla_clock clock;
	const struct sla_target *target = sla_target_of(q, t, SLA_FIRST_RESPONSE, &clock);
	struct schedule_entry e = {
		.ticket_id = t->id, .kind = DELAY_NOTICE, .level = q->delay_notice_percent, .target = "",
		.wall = clock.wall, .budget = target->minutes, .created = now,
	};

	(void)s;
	if (q->delay_notice_percent <= 0 || target->minutes <= 0 || t->first_response_due <= 0 ||
	    t->first_response_at)
		return 0;
	e.at = sla_clock_add(&clock, now, share(target->minutes, e.level));
	e.send_at = e.at < 0 ? -1 : sla_clock_next_open(&clock, e.at);
	if (e.send_at < 0)
		return 0;	/* no calendar ever opens: no new time to give */
	return store_schedule_add(st, &e) < 0 ? -1 : 0;
}

static const char *obsolete(const struct settings *s, const struct queue *q, const struct store_ticket *t,
			    const struct schedule_entry *e)
{
	(void)s;
	(void)q;
	(void)e;
	if (t->merged_into)
		return "merged into another ticket";
	if (strcmp(t->status, "resolved") == 0 || strcmp(t->status, "closed") == 0)
		return strcmp(t->status, "resolved") == 0 ? "resolved" : "closed";
	if (t->first_response_at)
		return "an agent answered";
	return NULL;
}

int delay_notice_forbidden(const struct settings *s, struct store *st, const struct queue *q,
			   const struct store_ticket *t, const char *evidence, int64_t now, const char **why)
{
	const char *to = t->customer_address;
	int count;

	*why = NULL;
	if (to == NULL || !addr_is_safe(to))
		*why = "customer address cannot be used safely";
	else if ((*why = autoreply_address_rule(to, s)) != NULL)
		return 0;
	else if (evidence && strcmp(evidence, evidence_name(EVIDENCE_CONTRADICTED)) == 0)
		*why = "our MTA found the customer's last message forged (DMARC failed)";
	/* The limits every automatic reply keeps (acknowledge.h). */
	for (size_t i = 0; *why == NULL && i < s->ack_rates.n; i++) {
		if (store_outbox_count_to(st, to, now - s->ack_rates.limits[i].seconds, &count) != 0)
			return -1;
		if (count >= s->ack_rates.limits[i].count)
			*why = "rate limit for this recipient reached";
	}
	for (size_t i = 0; *why == NULL && i < s->ack_queue_rates.n; i++) {
		if (store_outbox_count_queue(st, q->id, now - s->ack_queue_rates.limits[i].seconds, &count) != 0)
			return -1;
		if (count >= s->ack_queue_rates.limits[i].count)
			*why = "the queue's rate limit for automatic replies is reached ([autoreply] queue-rate)";
	}
	return 0;
}

int delay_notice_last_message(struct store *st, const struct store_ticket *t, char **message_id, char **evidence)
{
	GPtrArray *messages = store_ticket_messages(st, t->id);

	*message_id = *evidence = NULL;
	if (messages == NULL)
		return -1;
	for (guint i = messages->len; i-- > 0;) {
		const struct store_message *m = g_ptr_array_index(messages, i);
		if (strcmp(m->direction, "in") == 0 && addr_equal(m->sender, t->customer_address)) {
			if (!g_str_has_prefix(m->message_id, "sha256:"))
				*message_id = g_strdup(m->message_id);
			*evidence = g_strdup(m->evidence);
			break;
		}
	}
	g_ptr_array_free(messages, TRUE);
	return 0;
}

const char *delay_notice_greeting(const struct store_ticket *t)
{
	const char *name = t->customer_name;

	if (name == NULL || *name == '\0' || strchr(name, '@') || strchr(name, '/') || strstr(name, "www.") ||
	    g_utf8_strlen(name, -1) > 40)
		return NULL;
	return name;
}

/* The new time: the first-response target again from now, on its clock,
 * at an opening.  0 when no calendar ever opens. */
static int64_t new_time(const struct queue *q, const struct store_ticket *t, int64_t now)
{
	struct sla_clock clock;
	const struct sla_target *target = sla_target_of(q, t, SLA_FIRST_RESPONSE, &clock);
	int64_t at = sla_clock_add(&clock, now, target->minutes);

	return at < 0 ? 0 : at;
}

/* The new time in the customer's words and zone (g_free). */
static int new_time_text(const struct settings *s, const struct assets *assets, struct store *st,
			 const struct queue *q, const char *locale, const struct store_ticket *t, int64_t at, char **out)
{
	char *pref_locale = NULL, *pref_zone = NULL, *text_locale = assets_text_locale(assets, s, q, locale, "delay");
	const char *date_locale = text_locale ? text_locale : locale;
	char *text = NULL;

	if (store_customer_prefs(st, t->customer_address, &pref_locale, &pref_zone) != 0) {
		g_free(text_locale);
		return -1;
	}
	if (pref_zone)
		text = assets_format_time(assets, s, date_locale, at, pref_zone, 0);
	if (text == NULL && q->calendar_zone)
		text = assets_format_time(assets, s, date_locale, at, q->calendar_zone, 0);
	if (text == NULL)
		text = assets_format_time(assets, s, date_locale, at, "UTC", 0);
	if (text == NULL)
		text = promise_format_time(at, "en", "UTC", 0);
	*out = text ? text : g_strdup("");
	g_free(pref_locale);
	g_free(pref_zone);
	g_free(text_locale);
	return 0;
}

static int send(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
		const struct store_ticket *t, const struct schedule_entry *e, int64_t now, char **detail, char **error)
{
	const char *locale = t->locale ? t->locale : q->default_locale, *why = NULL;
	char *in_reply_to = NULL, *evidence = NULL, *promise = NULL, *event = NULL;
	int64_t at = new_time(q, t, now);
	int rc = -1;

	(void)e;
	if (delay_notice_last_message(st, t, &in_reply_to, &evidence) != 0 ||
	    delay_notice_forbidden(s, st, q, t, evidence, now, &why) != 0)
		goto store_failed;
	if (why == NULL && at == 0)
		why = "no calendar of its queue ever opens: no new time to give";
	if (why) {
		*detail = g_strdup(why);
		rc = store_event_add(st, t->id, now, "ticket-milter", "no-delay-notice", why) != 0 ? -1 : 1;
		if (rc < 0)
			goto store_failed;
		goto done;
	}
	if (new_time_text(s, assets, st, q, locale, t, at, &promise) != 0)
		goto store_failed;
	{
		struct notice n = {
			.template_name = "delay", .kind = "delay", .to = t->customer_address,
			.to_name = delay_notice_greeting(t), .locale = locale, .in_reply_to = in_reply_to,
			.subject = t->subject, .promise = promise, .generated = true,
		};
		rc = acknowledge_queue_notice(s, assets, st, q, t, &n, now, error);
	}
	if (rc != 0)
		goto done;
	event = g_strdup_printf("to <%s>: no agent reply at %d%% of the first-response budget; new time %s",
				t->customer_address, e->level, promise);
	if (store_event_add(st, t->id, now, "ticket-milter", "delay-notice", event) != 0)
		goto store_failed;
	*detail = g_strdup_printf("<%s>", t->customer_address);
	goto done;
store_failed:
	*error = g_strdup_printf("store: %s", store_error(st));
	rc = -1;
done:
	g_free(in_reply_to);
	g_free(evidence);
	g_free(promise);
	g_free(event);
	return rc;
}

const struct scheduled_kind delay_notice_kind = {
	.name = DELAY_NOTICE, .stops_while_pending = true,
	.plan = plan, .obsolete = obsolete, .send = send,
};
