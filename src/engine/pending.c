/*
 * pending.c - the nudge and the resolution of a ticket that waits for
 * its customer (see pending.h).  Room: engine.
 */
#include "config.h"
#include "engine/pending.h"
#include "calendar/sla_clock.h"
#include "engine/acknowledge.h"
#include "engine/delay_notice.h"
#include "engine/lifecycle.h"
#include "engine/rating.h"

#include <string.h>

static const struct sla_target *target_of(const struct queue *q, const char *kind)
{
	return strcmp(kind, PENDING_RESOLVE) == 0 ? &q->pending_resolve : &q->pending_reminder;
}

/* The row of kind for t's wait, unless it has one: at the target's
 * length from when the wait began, at an opening of the calendars. */
static int plan(struct store *st, const struct queue *q, const struct store_ticket *t, const char *kind,
		int64_t now)
{
	const struct sla_target *target = target_of(q, kind);
	struct sla_clock clock = { q->calendars, q->n_calendars, target->calendar_time || q->n_calendars == 0 };
	char since[24];
	struct schedule_entry e = {
		.ticket_id = t->id, .kind = (char *)kind, .level = 100, .target = since,
		.wall = clock.wall, .budget = target->minutes, .created = now,
	};

	if (target->minutes <= 0 || strcmp(t->status, "pending") != 0 || t->paused_at <= 0 || t->merged_into)
		return 0;
	/* One row per wait: a ticket pending again is nudged again. */
	g_snprintf(since, sizeof since, "%lld", (long long)t->paused_at);
	e.at = sla_clock_add(&clock, t->paused_at, target->minutes);
	e.send_at = e.at < 0 ? -1 : sla_clock_next_open(&clock, e.at);
	if (e.send_at < 0)
		return 0;
	return store_schedule_add(st, &e) < 0 ? -1 : 0;
}

static int changed(const struct settings *s, struct store *st, const struct queue *q, const struct store_ticket *t,
		   int64_t now)
{
	(void)s;
	if (plan(st, q, t, PENDING_NUDGE, now) != 0)
		return -1;
	return plan(st, q, t, PENDING_RESOLVE, now);
}

static const char *obsolete(const struct settings *s, const struct queue *q, const struct store_ticket *t,
			    const struct schedule_entry *e)
{
	char since[24];

	(void)s;
	(void)q;
	if (t->merged_into)
		return "merged into another ticket";
	if (strcmp(t->status, "pending") != 0)
		return "no longer pending";
	g_snprintf(since, sizeof since, "%lld", (long long)t->paused_at);
	if (strcmp(e->target, since) != 0)
		return "another wait began";
	return NULL;
}

static int send_nudge(const struct settings *s, const struct assets *assets, struct store *st,
		      const struct queue *q, const struct store_ticket *t, const struct schedule_entry *e, int64_t now,
		      char **detail, char **error)
{
	char *in_reply_to = NULL, *evidence = NULL;
	const char *why = NULL;
	int rc = -1;

	(void)e;
	if (delay_notice_last_message(st, t, &in_reply_to, &evidence) != 0 ||
	    delay_notice_forbidden(s, st, q, t, evidence, now, &why) != 0)
		goto store_failed;
	if (why) {
		*detail = g_strdup(why);
		rc = store_event_add(st, t->id, now, "ticket-milter", "no-nudge", why) != 0 ? -1 : 1;
		if (rc < 0)
			goto store_failed;
		goto done;
	}
	{
		/* "We will close it" only when we will. */
		char *extra[] = { "closes", q->pending_resolve.minutes > 0 ? "yes" : "", NULL };
		struct notice n = {
			.template_name = "nudge", .kind = "nudge", .to = t->customer_address,
			.to_name = delay_notice_greeting(t),
			.locale = t->locale ? t->locale : q->default_locale, .in_reply_to = in_reply_to,
			.subject = t->subject, .generated = true, .extra = extra,
		};
		rc = acknowledge_queue_notice(s, assets, st, q, t, &n, now, error);
	}
	if (rc != 0)
		goto done;
	if (store_event_add(st, t->id, now, "ticket-milter", "nudge", t->customer_address) != 0)
		goto store_failed;
	*detail = g_strdup_printf("<%s>", t->customer_address);
	goto done;
store_failed:
	*error = g_strdup_printf("store: %s", store_error(st));
	rc = -1;
done:
	g_free(in_reply_to);
	g_free(evidence);
	return rc;
}

static int send_resolve(const struct settings *s, const struct assets *assets, struct store *st,
			const struct queue *q, const struct store_ticket *t, const struct schedule_entry *e, int64_t now,
			char **detail, char **error)
{
	struct store_ticket copy = { 0 };
	bool resolved = false;
	int rc = store_ticket_by_id(st, t->id, &copy);

	(void)e;
	if (rc == 1 && lifecycle_set_status(s, st, &copy, "resolved", "ticket-milter", now, &resolved) != 0)
		rc = -1;
	if (rc < 0) {
		*error = g_strdup_printf("store: %s", store_error(st));
		store_ticket_clear(&copy);
		return -1;
	}
	/* The resolved notice, as when an agent resolves (agent_mail.c). */
	if (resolved && rating_ask(s, assets, st, q, &copy, now, error) != 0) {
		store_ticket_clear(&copy);
		return -1;
	}
	*detail = g_strdup("resolved: the customer did not answer");
	store_ticket_clear(&copy);
	return 0;
}

const struct scheduled_kind pending_nudge_kind = {
	.name = PENDING_NUDGE, .changed = changed, .obsolete = obsolete, .send = send_nudge,
};

/* Plans nothing of its own: the nudge's changed hook plans both. */
const struct scheduled_kind pending_resolve_kind = {
	.name = PENDING_RESOLVE, .obsolete = obsolete, .send = send_resolve,
};
