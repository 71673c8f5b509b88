/*
 * clock.h - the daemon's "now": real time, or for tests a clock set to a
 * given moment, which a test may move while the daemon runs.
 * Room: util.
 *
 * What a customer is promised and when an agent is reminded depend on
 * the time (business hours, nights, daylight-saving changes).  To show
 * that through the real daemon without waiting for it, a test sets
 * TICKET_MILTER_TEST_CLOCK:
 *   - to an ISO 8601 time with its zone ("2026-03-27T10:00:00+01:00"):
 *     the clock starts there when the daemon starts;
 *   - to the absolute path of a file holding such a time: the clock is
 *     set to it at start and again each time clock_reread() is called
 *     (the daemon does on SIGUSR2), so a test moves time forward by
 *     writing the file and sending the signal.
 * Either way the clock runs on at real speed from the moment it was set.
 * Nothing else sets it; it is documented in ticket-milter(8) under
 * ENVIRONMENT, as for tests only.
 *
 * A struct clock is one of the daemon's own handles: clock_now() may be
 * called from any thread while another calls clock_reread().
 */
#ifndef TM_CLOCK_H
#define TM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define CLOCK_TEST_VARIABLE "TICKET_MILTER_TEST_CLOCK"

struct clock;

/* The clock for the variable's value (NULL when unset: real time).
 * Returns NULL with *error (g_free) when value is neither an ISO 8601
 * time with its zone nor the absolute path of a readable file holding
 * one. */
struct clock *clock_new(const char *value, char **error);
/* Accepts NULL. */
void clock_free(struct clock *c);

/* Unix seconds now; c NULL is real time. */
int64_t clock_now(const struct clock *c);
/* Seconds the clock is ahead of real time (0 for real time). */
int64_t clock_offset(const struct clock *c);
/* Whether c is a test clock (set by the variable). */
bool clock_is_test(const struct clock *c);

/* A clock read from a file is set again from it: 1 when it moved, 0
 * when it reads the same (or c is not read from a file), -1 with *error
 * (g_free) when the file cannot be read or parsed (the clock is left as
 * it was). */
int clock_reread(struct clock *c, char **error);

#endif
