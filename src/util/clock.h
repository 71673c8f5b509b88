/*
 * clock.h - the daemon's "now" for the engine: real time, or for tests a
 * clock started at a given moment.
 *
 * The engine takes the time of a message from its envelope; what a
 * customer is promised depends on it (business hours, daylight-saving
 * changes).  To show that through the real daemon, a test sets
 * TICKET_MILTER_TEST_CLOCK to an ISO 8601 time with its zone
 * ("2026-03-27T10:00:00+01:00"): the daemon reads it once at start, logs a
 * warning, and its clock runs on from there at real speed.  Nothing else
 * sets it; it is documented in ticket-milter(8) under ENVIRONMENT.
 */
#ifndef TM_CLOCK_H
#define TM_CLOCK_H

#include <stdint.h>

#define CLOCK_TEST_VARIABLE "TICKET_MILTER_TEST_CLOCK"

/* The seconds to add to real time for value (the variable's, or NULL when
 * unset: 0).  Returns 0, or -1 with *error (g_free) when value is not an
 * ISO 8601 date and time with a zone. */
int clock_test_offset(const char *value, int64_t *offset, char **error);

#endif
