/*
 * sla_policy.c - the targets of a ticket and their clocks (see
 * sla_policy.h).  Room: engine.
 */
#include "config.h"
#include "engine/sla_policy.h"

#include <string.h>

static bool is_vip(const struct queue *q, const char *address)
{
	for (char **v = q->vip; address && v && *v; v++)
		if (((*v)[0] == '@' && g_str_has_suffix(address, *v)) || strcmp(*v, address) == 0)
			return true;
	return false;
}

const struct sla_policy *sla_policy_of(const struct queue *q, const char *customer)
{
	return q->vip_sla && is_vip(q, customer) ? q->vip_sla : q->sla;
}

const struct sla_target *sla_target_of(const struct queue *q, const struct store_ticket *t, enum sla_which which,
				       struct sla_clock *clock)
{
	const struct sla_policy *p = sla_policy_of(q, t->customer_address);
	enum priority prio = PRIORITY_NORMAL;
	const struct sla_target *target;

	if (t->priority)
		ticket_priority_parse(t->priority, &prio);
	target = which == SLA_FIRST_RESPONSE ? &p->first_response[prio] : &p->resolution[prio];
	clock->cals = q->calendars;
	clock->n = q->n_calendars;
	clock->wall = target->calendar_time || q->n_calendars == 0;
	return target;
}

/* One due time on: what was left of it when the wait began, from now. */
static void move_on(const struct sla_clock *clock, int64_t *due, int64_t paused_at, int64_t now)
{
	int64_t left, moved;

	if (*due <= paused_at)
		return;
	if ((left = sla_clock_minutes(clock, paused_at, *due)) < 0 || (moved = sla_clock_add(clock, now, left)) < 0)
		moved = *due + (now - paused_at);	/* no calendar ever opens: the wall clock */
	*due = moved;
}

void sla_policy_resume(const struct queue *q, struct store_ticket *t, int64_t now)
{
	struct sla_clock clock;

	if (t->first_response_due && !t->first_response_at) {
		sla_target_of(q, t, SLA_FIRST_RESPONSE, &clock);
		move_on(&clock, &t->first_response_due, t->paused_at, now);
	}
	if (t->resolution_due) {
		sla_target_of(q, t, SLA_RESOLUTION, &clock);
		move_on(&clock, &t->resolution_due, t->paused_at, now);
	}
}
