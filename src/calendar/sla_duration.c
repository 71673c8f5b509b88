/*
 * sla_duration.c - an SLA duration read from the configuration ("8h",
 * "1h 30m", "5d calendar"; see calendar.h for the grammar and what a
 * business day is).  It needs no calendar: the due time is reckoned
 * from it in calendar.c.
 * Room: calendar.
 */
#include "config.h"
#include "calendar/calendar.h"
#include "calendar/calendar_internal.h"

#include <glib.h>
#include <string.h>

/* Beyond a year an SLA is a typo, and the walk over shifts would get long. */
#define SLA_MAX_MINUTES (366 * MINUTES_PER_DAY)
#define SLA_MINUTES_PER_BUSINESS_DAY (8 * 60)

enum sla_unit { SLA_DAYS, SLA_HOURS, SLA_MINUTES, SLA_UNITS };

/* Reads "<digits><unit>" at *p (spaces allowed between), the unit one of
 * d, h, m and after *last_unit, into amounts[unit].  Days are kept apart
 * because their length depends on the suffix that follows. */
static bool parse_duration_term(const char **p, int *last_unit, int64_t amounts[SLA_UNITS])
{
	static const char units[] = "dhm";
	const char *s = *p, *unit;
	int64_t value = 0;

	if (!g_ascii_isdigit(*s))
		return false;
	while (g_ascii_isdigit(*s)) {
		value = value * 10 + (*s++ - '0');
		if (value > SLA_MAX_MINUTES)
			return false;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || !(unit = strchr(units, g_ascii_tolower(*s))))
		return false;
	if ((int)(unit - units) <= *last_unit || g_ascii_isalpha(s[1]))
		return false;
	*last_unit = (int)(unit - units);
	amounts[*last_unit] = value;
	*p = s + 1;
	return true;
}

/* A failed term for error messages: "8x", or "8 hours" when the digits
 * stand apart from their unit. */
static char *term_at(const char *p)
{
	size_t len = strcspn(p, " \t");

	if (strspn(p, "0123456789") == len && p[len] != '\0') {
		size_t gap = strspn(p + len, " \t");
		len += gap + strcspn(p + len + gap, " \t");
	}
	return g_strndup(p, len);
}

/* "calendar", "business" or nothing after the amounts. */
static bool parse_duration_suffix(const char *p, bool *wall_clock, char **error)
{
	size_t len = strcspn(p, " \t");
	const char *rest = p + len + strspn(p + len, " \t");
	bool business = len == 8 && g_ascii_strncasecmp(p, "business", 8) == 0;
	char *word;

	*wall_clock = len == 8 && g_ascii_strncasecmp(p, "calendar", 8) == 0;
	if (*p == '\0' || ((*wall_clock || business) && *rest == '\0'))
		return true;
	if (*wall_clock || business) {
		word = g_strndup(rest, strcspn(rest, " \t"));
		*error = g_strdup_printf("duration: '%s' after '%.8s' (one of calendar or business, at the end)",
					 word, p);
	} else {
		word = g_strndup(p, len);
		*error = g_strdup_printf("duration: '%s' is not 'calendar' or 'business'", word);
	}
	g_free(word);
	return false;
}

static bool sla_parse(const char *text, int64_t *minutes, bool *calendar_time, char **error)
{
	const char *p = text ? text : "";
	int last_unit = -1;
	int64_t amounts[SLA_UNITS] = { 0 }, total;
	bool wall_clock = false;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || g_ascii_isalpha(*p))
			break;
		if (!parse_duration_term(&p, &last_unit, amounts)) {
			char *word = term_at(p);
			*error = g_strdup_printf("duration: '%s' is not a duration (e.g. 8h, 90m, 5d, 1h 30m; "
						 "units d, h, m at most once each, in that order)", word);
			g_free(word);
			return false;
		}
	}
	if (last_unit < 0) {
		*error = g_strdup_printf("duration: '%s' has no amount (e.g. 8h, 90m, 5d, 1h 30m)", text ? text : "");
		return false;
	}
	if (!parse_duration_suffix(p, &wall_clock, error))
		return false;
	total = amounts[SLA_DAYS] * (wall_clock ? MINUTES_PER_DAY : SLA_MINUTES_PER_BUSINESS_DAY) +
		amounts[SLA_HOURS] * 60 + amounts[SLA_MINUTES];
	if (total > SLA_MAX_MINUTES) {
		*error = g_strdup_printf("duration: '%s' is longer than 366 days", text);
		return false;
	}
	*minutes = total;
	*calendar_time = wall_clock;
	return true;
}

bool sla_parse_duration(const char *text, int64_t *minutes, bool *calendar_time, char **error)
{
	char *message = NULL;
	bool parsed = sla_parse(text, minutes, calendar_time, &message);

	calendar_give_error(message, error);
	return parsed;
}
