/*
 * cmd_report.c - `ticketctl report`: the service figures of a window,
 * in total, by one breakdown and week by week, as text, JSON, CSV or a
 * self-contained HTML page (src/report; each figure is defined in
 * ticketctl(8)).  Room: ctl.
 *
 *   ticketctl report [--since DATE] [--until DATE] [--by queue|agent|locale|tier|priority|calendar]
 *                    [--format text|json|csv|html] [--locale L] [--zone ZONE]
 *                    [--target NAME=VALUE]... [-o FILE]
 */
#include "config.h"
#include "ctl/subcommands.h"
#include "ctl/output.h"
#include "report/report.h"
#include "report/report_write.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_DAYS 28

struct options {
	const char *since, *until, *by, *format, *locale, *zone, *output;
	GPtrArray *targets;	/* "NAME=VALUE" */
};

static int usage(void)
{
	fprintf(stderr, "usage: ticketctl report [--since DATE] [--until DATE] "
		"[--by queue|agent|locale|tier|priority|calendar] [--format text|json|csv|html] [--locale LOCALE] "
		"[--zone ZONE] [--target NAME=VALUE]... [-o FILE]\n");
	return 2;
}

static bool parse_options(int argc, char **argv, struct options *o)
{
	static const char *const names[] = { "--since", "--until", "--by", "--format", "--locale", "--zone", "-o" };
	const char **fields[] = { &o->since, &o->until, &o->by, &o->format, &o->locale, &o->zone, &o->output };

	for (int i = 0; i < argc; i++) {
		bool known = false;

		if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
			g_ptr_array_add(o->targets, argv[++i]);
			continue;
		}
		for (size_t n = 0; n < G_N_ELEMENTS(names) && !known; n++)
			if (strcmp(argv[i], names[n]) == 0 && i + 1 < argc) {
				*fields[n] = argv[++i];
				known = true;
			}
		if (!known) {
			fprintf(stderr, "ticketctl report: unknown or incomplete option \"%s\"\n", argv[i]);
			return false;
		}
	}
	return true;
}

/* The zone of weeks and dates: --zone, else the first calendar's. */
static const char *report_zone(const struct settings *s, const char *zone)
{
	if (zone)
		return zone;
	for (size_t i = 0; i < s->n_queues; i++)
		if (s->queues[i].calendar_zone)
			return s->queues[i].calendar_zone;
	return "UTC";
}

/* DATE is a day (YYYY-MM-DD, from its start in tz; with end, from the
 * start of the next day, so that --until names the last day) or an ISO
 * 8601 time.  False when it is neither. */
static bool parse_date(const char *text, GTimeZone *tz, bool end, int64_t *t)
{
	int y, m, d;
	char extra;
	GDateTime *when = NULL;

	if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 && g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y)) {
		GDateTime *day = g_date_time_new(tz, y, m, d, 0, 0, 0);
		when = day && end ? g_date_time_add_days(day, 1) : day ? g_date_time_ref(day) : NULL;
		if (day)
			g_date_time_unref(day);
	} else {
		when = g_date_time_new_from_iso8601(text, tz);
	}
	if (when == NULL)
		return false;
	*t = g_date_time_to_unix(when);
	g_date_time_unref(when);
	return true;
}

static bool parse_params(const struct settings *s, const struct options *o, struct report_params *p)
{
	GTimeZone *tz;
	bool ok = true;

	memset(p, 0, sizeof *p);
	p->now = (int64_t)time(NULL);
	p->zone = report_zone(s, o->zone);
	p->locale = o->locale ? o->locale : "en";
	report_targets_default(&p->targets);
	if ((tz = g_time_zone_new_identifier(p->zone)) == NULL) {
		fprintf(stderr, "ticketctl report: unknown time zone \"%s\" (an IANA name such as Europe/Berlin)\n", p->zone);
		return false;
	}
	if (o->until) {
		ok = parse_date(o->until, tz, true, &p->until);
	} else {
		/* To the end of today. */
		GDateTime *now = g_date_time_new_now(tz);
		char *today = g_date_time_format(now, "%Y-%m-%d");
		ok = parse_date(today, tz, true, &p->until);
		g_free(today);
		g_date_time_unref(now);
	}
	if (ok && o->since && !parse_date(o->since, tz, false, &p->since))
		ok = false;
	if (!ok)
		fprintf(stderr, "ticketctl report: a date is YYYY-MM-DD (a whole day) or an ISO 8601 time\n");
	if (ok && !o->since) {
		/* Whole days back from the end of the window, in its zone. */
		GDateTime *utc = g_date_time_new_from_unix_utc(p->until), *end = g_date_time_to_timezone(utc, tz);
		GDateTime *start = g_date_time_add_days(end, -DEFAULT_DAYS);
		p->since = g_date_time_to_unix(start);
		g_date_time_unref(utc);
		g_date_time_unref(end);
		g_date_time_unref(start);
	}
	g_time_zone_unref(tz);
	if (ok && o->by && !report_by_parse(o->by, &p->by)) {
		fprintf(stderr, "ticketctl report: --by is queue, agent, locale, tier, priority or calendar\n");
		ok = false;
	}
	for (guint i = 0; ok && i < o->targets->len; i++) {
		const char *target = g_ptr_array_index(o->targets, i), *eq = strchr(target, '=');
		char *name = eq ? g_strndup(target, (size_t)(eq - target)) : NULL, *end = NULL;
		enum report_kpi k;
		double value = eq ? g_ascii_strtod(eq + 1, &end) : 0;

		if (!name || !report_kpi_parse(name, &k) || end == eq + 1 || *end) {
			fprintf(stderr, "ticketctl report: --target NAME=VALUE, NAME one of first-response-sla, "
				"resolution-sla, fcr, csat, nps, ces (not \"%s\")\n", target);
			ok = false;
		} else {
			p->targets.value[k] = value;
		}
		g_free(name);
	}
	return ok;
}

static bool write_report(const struct report *r, enum report_format format, const char *path)
{
	GString *out = g_string_new(NULL);
	GError *gerr = NULL;
	bool ok = true;

	switch (format) {
	case REPORT_TEXT: report_write_text(r, output_text, out); break;
	case REPORT_JSON: report_write_json(r, out); break;
	case REPORT_CSV: report_write_csv(r, out); break;
	case REPORT_HTML: report_write_html(r, out); break;
	}
	if (path && !g_file_set_contents(path, out->str, (gssize)out->len, &gerr)) {
		fprintf(stderr, "ticketctl report: %s\n", gerr->message);
		g_error_free(gerr);
		ok = false;
	} else if (!path) {
		ok = fwrite(out->str, 1, out->len, stdout) == out->len && fflush(stdout) == 0;
	}
	g_string_free(out, TRUE);
	return ok;
}

int cmd_report(const struct settings *s, int argc, char **argv)
{
	struct options o = { .targets = g_ptr_array_new() };
	struct report_params p;
	enum report_format format = REPORT_TEXT;
	struct report *r = NULL;
	struct store *st = NULL;
	char *error = NULL;
	int rc = 1;

	if (!parse_options(argc, argv, &o)) {
		g_ptr_array_free(o.targets, TRUE);
		return usage();
	}
	if (o.format && !report_format_parse(o.format, &format)) {
		fprintf(stderr, "ticketctl report: --format is text, json, csv or html\n");
		g_ptr_array_free(o.targets, TRUE);
		return 2;
	}
	if (!parse_params(s, &o, &p)) {
		g_ptr_array_free(o.targets, TRUE);
		return 2;
	}
	if (!g_file_test(s->database, G_FILE_TEST_EXISTS))
		fprintf(stderr, "ticketctl: database %s does not exist; run `ticketctl init`\n", s->database);
	else if ((st = store_open(s->database, s->busy_timeout_ms, &error)) == NULL)
		fprintf(stderr, "ticketctl: %s\n", error);
	else if ((r = report_compute(st, s, &p, &error)) == NULL)
		fprintf(stderr, "ticketctl report: %s\n", error);
	else if (write_report(r, format, o.output))
		rc = 0;
	report_free(r);
	if (st)
		store_close(st);
	g_free(error);
	g_ptr_array_free(o.targets, TRUE);
	return rc;
}
