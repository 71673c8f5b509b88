/*
 * clock.c - the test clock of the daemon (see clock.h).
 */
#include "config.h"
#include "util/clock.h"

#include <glib.h>

int clock_test_offset(const char *value, int64_t *offset, char **error)
{
	GDateTime *start;

	*offset = 0;
	if (value == NULL)
		return 0;
	/* Without a zone GLib would take the local one: a test must say. */
	start = g_date_time_new_from_iso8601(value, NULL);
	if (start == NULL) {
		*error = g_strdup_printf("%s=\"%s\" is not an ISO 8601 time with its zone (2026-03-27T10:00:00+01:00)",
					 CLOCK_TEST_VARIABLE, value);
		return -1;
	}
	*offset = g_date_time_to_unix(start) - g_get_real_time() / G_USEC_PER_SEC;
	g_date_time_unref(start);
	return 0;
}
