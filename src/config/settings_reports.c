/*
 * settings_reports.c - [report NAME] sections and their schedules (see
 * settings_reports.h).  Room: config.
 */
#include "config.h"
#include "config/settings_reports.h"
#include "language/locale_tag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const day_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

/* The breakdowns of the report (report.h: report_by_parse), which this
 * floor cannot call. */
static const char *const by_names[] = { "none", "queue", "agent", "locale", "tier", "priority", "calendar" };

static void complain_report(settings_complaint on_problem, void *ctx, const struct report_def *r, const char *key,
			    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void complain_report(settings_complaint on_problem, void *ctx, const struct report_def *r, const char *key,
			    const char *fmt, ...)
{
	char *section = g_strconcat("report ", r->id, NULL), *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	on_problem(ctx, section, key, msg);
	g_free(msg);
	g_free(section);
}

/* "mon,thu" or "daily" -> a mask, bit 0 Monday; 0 when not days. */
static unsigned parse_days(const char *text)
{
	char **words = g_strsplit(text, ",", -1);
	unsigned days = 0;

	if (strcmp(text, "daily") == 0)
		days = 0x7f;
	for (char **w = words; days != 0x7f && *w; w++) {
		size_t i;
		for (i = 0; i < G_N_ELEMENTS(day_names); i++)
			if (g_ascii_strcasecmp(g_strstrip(*w), day_names[i]) == 0)
				break;
		if (i == G_N_ELEMENTS(day_names)) {
			days = 0;
			break;
		}
		days |= 1u << i;
	}
	g_strfreev(words);
	return days;
}

/* "mon 08:00 Europe/Istanbul" into r; false when it is not one. */
static bool parse_schedule(struct report_def *r)
{
	char **words = g_strsplit_set(r->schedule ? r->schedule : "", " \t", -1);
	GPtrArray *w = g_ptr_array_new();
	GTimeZone *tz = NULL;
	int hour = -1, minute = -1;
	char end;
	bool ok;

	for (char **p = words; *p; p++)
		if (**p)
			g_ptr_array_add(w, *p);
	ok = w->len == 3 && (r->days = parse_days(g_ptr_array_index(w, 0))) != 0 &&
	     sscanf(g_ptr_array_index(w, 1), "%2d:%2d%c", &hour, &minute, &end) == 2 && hour >= 0 && hour < 24 &&
	     minute >= 0 && minute < 60 && (tz = g_time_zone_new_identifier(g_ptr_array_index(w, 2))) != NULL;
	if (ok) {
		r->minute = hour * 60 + minute;
		r->zone = g_strdup(g_ptr_array_index(w, 2));
	}
	if (tz)
		g_time_zone_unref(tz);
	g_ptr_array_free(w, TRUE);
	g_strfreev(words);
	return ok;
}

static const struct queue *queue_named(const struct settings *s, const char *id)
{
	for (size_t i = 0; i < s->n_queues; i++)
		if (strcmp(s->queues[i].id, id) == 0)
			return &s->queues[i];
	return NULL;
}

static void check_report(struct settings *s, struct report_def *r, settings_complaint on_problem, void *ctx)
{
	bool by_known = r->by == NULL;

	if (!parse_schedule(r))
		complain_report(on_problem, ctx, r, "schedule", "schedule \"%s\": expected DAYS HH:MM ZONE, as "
				"\"mon 08:00 Europe/Istanbul\" (DAYS: mon .. sun, joined by commas, or daily)",
				r->schedule ? r->schedule : "");
	for (char **q = r->queues; q && *q; q++)
		if (queue_named(s, *q) == NULL)
			complain_report(on_problem, ctx, r, "queues", "queues: there is no [queue %s]", *q);
	if (s->n_queues == 0)
		complain_report(on_problem, ctx, r, NULL, "a report needs a queue to send it");
	for (size_t i = 0; r->by && i < G_N_ELEMENTS(by_names); i++)
		by_known = by_known || strcmp(r->by, by_names[i]) == 0;
	if (!by_known)
		complain_report(on_problem, ctx, r, "by", "by \"%s\": expected none, queue, agent, locale, tier, priority "
				"or calendar", r->by);
	if (r->locale) {
		char *canonical = locale_tag_canonical(r->locale);
		if (canonical == NULL)
			complain_report(on_problem, ctx, r, "locale", "locale \"%s\": expected a form like en, tr or pt-BR",
					r->locale);
		g_free(r->locale);
		r->locale = canonical;
	}
	if (r->locale == NULL) {
		const struct queue *q = r->queues && r->queues[0] ? queue_named(s, r->queues[0]) : NULL;
		q = q ? q : s->n_queues ? &s->queues[0] : NULL;
		r->locale = g_strdup(q && q->default_locale ? q->default_locale : "en");
	}
	if (r->window_seconds < 86400)
		complain_report(on_problem, ctx, r, "window", "window: at least one day (1d)");
}

void settings_reports_check(struct settings *s, settings_complaint on_problem, void *ctx)
{
	for (size_t i = 0; i < s->n_reports; i++)
		check_report(s, &s->reports[i], on_problem, ctx);
}

void settings_reports_free(struct settings *s)
{
	for (size_t i = 0; i < s->n_reports; i++) {
		struct report_def *r = &s->reports[i];
		g_free(r->id);
		g_strfreev(r->to);
		g_free(r->schedule);
		g_strfreev(r->queues);
		g_free(r->by);
		g_free(r->locale);
		g_free(r->zone);
	}
	g_free(s->reports);
	s->reports = NULL;
	s->n_reports = 0;
}

const struct report_def *settings_report(const struct settings *s, const char *id)
{
	for (size_t i = 0; id && i < s->n_reports; i++)
		if (strcmp(s->reports[i].id, id) == 0)
			return &s->reports[i];
	return NULL;
}

int64_t report_def_next(const struct report_def *r, int64_t t)
{
	GTimeZone *tz = g_time_zone_new_identifier(r->zone ? r->zone : "UTC");
	GDateTime *now = g_date_time_new_from_unix_utc(t), *local, *day;
	int64_t next = 0;

	if (tz == NULL)
		tz = g_time_zone_new_utc();
	local = g_date_time_to_timezone(now, tz);
	/* The days from t's own, in the report's zone: eight reach the same
	 * weekday again. */
	for (int i = 0; i < 8 && next == 0; i++) {
		GDateTime *at;
		day = g_date_time_add_days(local, i);
		at = g_date_time_new(tz, g_date_time_get_year(day), g_date_time_get_month(day),
				     g_date_time_get_day_of_month(day), r->minute / 60, r->minute % 60, 0);
		if (at && (r->days >> (g_date_time_get_day_of_week(at) - 1) & 1) && g_date_time_to_unix(at) > t)
			next = g_date_time_to_unix(at);
		if (at)
			g_date_time_unref(at);
		g_date_time_unref(day);
	}
	g_date_time_unref(local);
	g_date_time_unref(now);
	g_time_zone_unref(tz);
	return next;
}
