/*
 * sla_clock.c - minutes of an SLA budget between two moments, and the
 * next moment someone is at work (see sla_clock.h).  Room: calendar.
 */
#include "config.h"
#include "calendar/sla_clock.h"
#include "calendar/calendar.h"

#define SECONDS_PER_MINUTE 60

int64_t sla_clock_add(const struct sla_clock *c, int64_t start, int64_t minutes)
{
	return sla_due(c->cals, c->n, start, minutes, c->wall);
}

int64_t sla_clock_minutes(const struct sla_clock *c, int64_t from, int64_t to)
{
	int64_t seconds;

	if (to <= from)
		return 0;
	if (c->wall || c->n == 0)
		return (to - from) / SECONDS_PER_MINUTE;
	/* Whole minutes, rounded down: adding them back stays within to. */
	seconds = calendar_business_seconds(c->cals, c->n, from, to);
	return seconds < 0 ? -1 : seconds / SECONDS_PER_MINUTE;
}

int64_t sla_clock_next_open(const struct sla_clock *c, int64_t t)
{
	if (c->n == 0)
		return t;
	return calendar_add_business_minutes(c->cals, c->n, t, 0);
}
