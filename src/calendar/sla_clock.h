/*
 * sla_clock.h - the clock an SLA budget is counted on: business time (only
 * while one of a queue's calendars is open) or wall-clock time, to the
 * minute.  Room: calendar.
 *
 * calendar.h adds business time to a moment and counts it between two;
 * the scheduled mail counts a budget in whole minutes on either clock
 * (what is left when a ticket starts waiting for its customer, how late
 * a promise is) and needs the next moment someone is at work to read a
 * reminder.  Built on calendar.h's functions only.
 *
 * A clock is "wall" when the target is written in calendar time or the
 * queue has no calendar (n == 0), as sla_due() decides.  Thread-safe.
 */
#ifndef TM_SLA_CLOCK_H
#define TM_SLA_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct calendar;

struct sla_clock {
	struct calendar *const *cals;
	size_t n;
	bool wall;		/* wall-clock minutes, not business minutes */
};

/* The moment `minutes` of the clock after start; -1 as sla_due(). */
int64_t sla_clock_add(const struct sla_clock *c, int64_t start, int64_t minutes);

/* Whole minutes of the clock from `from` to `to`, rounded down (0 when
 * to <= from), so that adding them back never goes past `to`; -1 when a
 * time is out of range. */
int64_t sla_clock_minutes(const struct sla_clock *c, int64_t from, int64_t to);

/* t when someone is at work then (a calendar is open, or the queue has
 * no calendar at all), else the next opening of any calendar; -1 when
 * none ever opens.  Whatever the clock counts: a reminder of a
 * wall-clock target, too, waits for the morning. */
int64_t sla_clock_next_open(const struct sla_clock *c, int64_t t);

#endif
