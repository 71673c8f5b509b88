/*
 * reminders.c - reminders and escalation of a promise (see reminders.h).
 * Room: engine.
 */
#include "config.h"
#include "engine/reminders.h"
#include "calendar/calendar.h"
#include "calendar/sla_clock.h"
#include "compose/assets.h"
#include "compose/reminder_mail.h"
#include "config/settings_agents.h"
#include "engine/acknowledge.h"
#include "engine/sla_policy.h"
#include "util/addr.h"

#include <string.h>

static enum sla_which which_of(const char *kind)
{
	return strcmp(kind, REMINDER_RESOLUTION) == 0 ? SLA_RESOLUTION : SLA_FIRST_RESPONSE;
}

static const struct remind_levels *levels_of(const struct queue *q, const struct store_ticket *t,
					     enum sla_which which)
{
	const struct sla_policy *p = sla_policy_of(q, t->customer_address);
	enum priority prio = PRIORITY_NORMAL;

	if (t->priority)
		ticket_priority_parse(t->priority, &prio);
	return which == SLA_FIRST_RESPONSE ? &p->remind_first_response[prio] : &p->remind_resolution[prio];
}

static int64_t due_of(const struct store_ticket *t, enum sla_which which)
{
	return which == SLA_FIRST_RESPONSE ? t->first_response_due : t->resolution_due;
}

/* The minutes of a budget that make level percent of it: rounded up, so
 * that 100% is the promise itself. */
static int64_t share(int64_t budget, int percent)
{
	return (budget * percent + 99) / 100;
}

static int plan(const struct queue *q, struct store *st, const struct store_ticket *t, const char *kind,
		int64_t now)
{
	enum sla_which which = which_of(kind);
	const struct remind_levels *levels = levels_of(q, t, which);
	struct sla_clock clock;
	const struct sla_target *target = sla_target_of(q, t, which, &clock);

	if (levels->n == 0 || target->minutes <= 0 || due_of(t, which) <= 0 ||
	    (which == SLA_FIRST_RESPONSE && t->first_response_at))
		return 0;
	for (size_t i = 0; i < levels->n; i++) {
		struct schedule_entry e = {
			.ticket_id = t->id, .kind = (char *)kind, .level = levels->levels[i].percent, .target = "",
			.wall = clock.wall, .budget = target->minutes, .created = now,
		};
		/* From the moment of the promise, on the target's clock. */
		e.at = sla_clock_add(&clock, now, share(target->minutes, e.level));
		e.send_at = e.at < 0 ? -1 : sla_clock_next_open(&clock, e.at);
		if (e.send_at < 0)
			continue;	/* no calendar ever opens: nobody to remind */
		if (store_schedule_add(st, &e) < 0)
			return -1;
	}
	return 0;
}

static int plan_first_response(const struct settings *s, struct store *st, const struct queue *q,
			       const struct store_ticket *t, int64_t now)
{
	(void)s;
	return plan(q, st, t, REMINDER_FIRST_RESPONSE, now);
}

static int plan_resolution(const struct settings *s, struct store *st, const struct queue *q,
			   const struct store_ticket *t, int64_t now)
{
	(void)s;
	return plan(q, st, t, REMINDER_RESOLUTION, now);
}

static const char *obsolete(const struct settings *s, const struct queue *q, const struct store_ticket *t,
			    const struct schedule_entry *e)
{
	(void)s;
	(void)q;
	if (t->merged_into)
		return "merged into another ticket";
	if (strcmp(t->status, "resolved") == 0 || strcmp(t->status, "closed") == 0)
		return strcmp(t->status, "resolved") == 0 ? "resolved" : "closed";
	if (which_of(e->kind) == SLA_FIRST_RESPONSE && t->first_response_at)
		return "an agent answered";
	return NULL;
}

/* Adds address unless it is there already or cannot be mailed safely. */
static void add_once(GPtrArray *out, const char *address)
{
	char *a = addr_normalize(address);

	if (a == NULL || !addr_is_safe(a) || strchr(a, '@') == NULL) {
		g_free(a);
		return;
	}
	for (guint i = 0; i < out->len; i++)
		if (addr_equal(g_ptr_array_index(out, i), a)) {
			g_free(a);
			return;
		}
	g_ptr_array_add(out, a);
}

/* The queue's agents that are addresses (not @domains). */
static void add_queue_agents(GPtrArray *out, const struct queue *q)
{
	for (char **a = q->agents; a && *a; a++)
		if ((*a)[0] != '@')
			add_once(out, *a);
}

/* The agents of q's calendars open at now; of all of them when none is
 * open (a queue on calendar time); else the queue's. */
static void add_calendar_agents(GPtrArray *out, const struct settings *s, const struct queue *q, int64_t now)
{
	guint before = out->len;

	for (int pass = 0; pass < 2 && out->len == before; pass++)
		for (size_t i = 0; i < q->n_calendars; i++) {
			if (pass == 0 && !calendar_is_open(&q->calendars[i], 1, now))
				continue;
			for (size_t j = 0; j < s->n_calendars; j++)
				if (s->calendars[j].calendar == q->calendars[i])
					for (char **a = s->calendars[j].agents; a && *a; a++)
						add_once(out, *a);
		}
	if (out->len == before)
		add_queue_agents(out, q);
}

GPtrArray *reminder_recipients(const struct settings *s, const struct queue *q, const struct store_ticket *t,
			       const char *kind, int percent, int64_t now)
{
	const struct remind_levels *levels = levels_of(q, t, which_of(kind));
	const struct remind_level *level = NULL;
	GPtrArray *out;

	for (size_t i = 0; i < levels->n; i++)
		if (levels->levels[i].percent == percent)
			level = &levels->levels[i];
	if (level == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func(g_free);
	for (char **r = level->recipients; r && *r; r++) {
		if (strcmp(*r, "assignee") == 0) {
			if (t->assignee)
				add_once(out, t->assignee);
			else
				add_queue_agents(out, q);
		} else if (strcmp(*r, "agents") == 0) {
			add_calendar_agents(out, s, q, now);
		} else {
			add_once(out, *r);
		}
	}
	return out;
}

/* The customer's newest message: its Message-ID and excerpt (g_free
 * both; NULL when none).  0 or -1. */
static int last_message(struct store *st, const struct store_ticket *t, char **message_id, char **excerpt)
{
	GPtrArray *messages = store_ticket_messages(st, t->id);

	*message_id = *excerpt = NULL;
	if (messages == NULL)
		return -1;
	for (guint i = messages->len; i-- > 0;) {
		const struct store_message *m = g_ptr_array_index(messages, i);
		if (strcmp(m->direction, "in") == 0 && addr_equal(m->sender, t->customer_address)) {
			if (!g_str_has_prefix(m->message_id, "sha256:"))
				*message_id = g_strdup(m->message_id);
			*excerpt = g_strdup(m->excerpt);
			break;
		}
	}
	g_ptr_array_free(messages, TRUE);
	return 0;
}

/* Minutes of the target's clock left to the promise at now; negative
 * when late.  The row fell due with budget - share left, and its clock
 * ran on since (nothing, but for a row that waited for an opening on a
 * wall clock). */
static int64_t minutes_left(const struct queue *q, const struct schedule_entry *e, int64_t now)
{
	struct sla_clock clock = { q->calendars, q->n_calendars, e->wall };
	int64_t since = e->at && now > e->at ? sla_clock_minutes(&clock, e->at, now) : 0;

	return e->budget - share(e->budget, e->level) - (since > 0 ? since : 0);
}

/* One reminder to one reader, queued with its event. */
static int remind_one(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
		      const struct store_ticket *t, const struct schedule_entry *e, const char *to,
		      const char *in_reply_to, const char *excerpt, int64_t now, char **error)
{
	const struct agent_def *agent = settings_agent(s, to);
	const char *locale = agent && agent->locale ? agent->locale : q->default_locale;
	const char *zone = agent && agent->timezone ? agent->timezone : q->calendar_zone ? q->calendar_zone : "UTC";
	char *text_locale = assets_text_locale(assets, s, q, locale, "reminder");
	struct reminder_facts facts = {
		.resolution = which_of(e->kind) == SLA_RESOLUTION, .business = !e->wall, .level = e->level,
		.left_minutes = minutes_left(q, e, now), .due = due_of(t, which_of(e->kind)),
		.customer_name = t->customer_name, .customer_address = t->customer_address, .excerpt = excerpt,
		.zone = zone,
	};
	char *promise = NULL;
	char **vars = reminder_mail_vars(s, assets, text_locale ? text_locale : locale, &facts, &promise);
	int rc;

	{
		/* In the thread of the customer's message in the agent's mail
		 * client (References: the writer adds In-Reply-To). */
		struct notice n = {
			.template_name = "reminder", .kind = "reminder", .to = to, .locale = locale,
			.in_reply_to = in_reply_to, .subject = t->subject, .promise = promise, .extra = vars,
		};
		rc = acknowledge_queue_notice(s, assets, st, q, t, &n, now, error);
	}
	g_strfreev(vars);
	g_free(promise);
	g_free(text_locale);
	return rc;
}

static int send(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
		const struct store_ticket *t, const struct schedule_entry *e, int64_t now, char **detail, char **error)
{
	GPtrArray *to = reminder_recipients(s, q, t, e->kind, e->level, now);
	char *in_reply_to = NULL, *excerpt = NULL, *event;
	GString *who;
	int rc = 0;

	if (to == NULL || to->len == 0) {
		*detail = g_strdup(to ? "the level names nobody who can be mailed (assignee unset, no agents)"
				      : "the level is no longer configured");
		if (to)
			g_ptr_array_free(to, TRUE);
		return 1;
	}
	if (last_message(st, t, &in_reply_to, &excerpt) != 0) {
		*error = g_strdup_printf("store: %s", store_error(st));
		g_ptr_array_free(to, TRUE);
		return -1;
	}
	who = g_string_new(NULL);
	for (guint i = 0; i < to->len && rc == 0; i++) {
		const char *address = g_ptr_array_index(to, i);
		rc = remind_one(s, assets, st, q, t, e, address, in_reply_to, excerpt, now, error);
		g_string_append_printf(who, "%s<%s>", i ? ", " : "", address);
	}
	if (rc == 0) {
		int64_t left = minutes_left(q, e, now);
		event = g_strdup_printf("%s at %d%% to %s (%s%lld min%s)", which_of(e->kind) == SLA_RESOLUTION ?
					"resolution" : "first response", e->level, who->str, left < 0 ? "late by " : "",
					(long long)(left < 0 ? -left : left), left < 0 ? "" : " left");
		if (store_event_add(st, t->id, now, "ticket-milter", "reminder", event) != 0) {
			*error = g_strdup_printf("store: %s", store_error(st));
			rc = -1;
		}
		g_free(event);
	}
	*detail = rc == 0 ? g_string_free(who, FALSE) : (g_string_free(who, TRUE), NULL);
	g_ptr_array_free(to, TRUE);
	g_free(in_reply_to);
	g_free(excerpt);
	return rc;
}

int reminder_answered(struct store *st, const struct message *msg)
{
	int rc = 0;

	for (guint i = 0; rc == 0 && msg->in_reply_to && i < msg->in_reply_to->len; i++) {
		char *kind = NULL;
		if ((rc = store_outbox_kind_of(st, g_ptr_array_index(msg->in_reply_to, i), &kind)) == 1)
			rc = g_strcmp0(kind, "reminder") == 0;
		g_free(kind);
	}
	return rc;
}

const struct scheduled_kind reminder_first_response_kind = {
	.name = REMINDER_FIRST_RESPONSE, .stops_while_pending = true,
	.plan = plan_first_response, .obsolete = obsolete, .send = send,
};

const struct scheduled_kind reminder_resolution_kind = {
	.name = REMINDER_RESOLUTION, .stops_while_pending = true,
	.plan = plan_resolution, .obsolete = obsolete, .send = send,
};
