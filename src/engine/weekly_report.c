/*
 * weekly_report.c - the report mailed to managers on its schedule, a
 * kind of scheduled mail about no ticket (see weekly_report.h).
 * Room: engine.
 */
#include "config.h"
#include "engine/weekly_report.h"
#include "config/settings_reports.h"
#include "report/report.h"
#include "report/report_mail.h"

#include <string.h>

static int add_row(struct store *st, const struct report_def *r, int64_t at, int64_t now)
{
	struct schedule_entry e = {
		.ticket_id = 0, .kind = WEEKLY_REPORT_KIND, .level = (int)(at / 60), .target = r->id, .wall = true,
		.at = at, .send_at = at, .created = now,
	};

	return store_schedule_add(st, &e) < 0 ? -1 : 0;
}

int weekly_report_plan(const struct settings *s, struct store *st, int64_t now)
{
	for (size_t i = 0; i < s->n_reports; i++) {
		int64_t at = report_def_next(&s->reports[i], now);
		if (at > 0 && add_row(st, &s->reports[i], at, now) != 0)
			return -1;
	}
	return 0;
}

static const char *obsolete(const struct settings *s, const struct queue *q, const struct store_ticket *t,
			    const struct schedule_entry *e)
{
	const struct report_def *r = settings_report(s, e->target);

	(void)q;
	(void)t;
	if (r == NULL)
		return "its [report] section is gone";
	if (report_def_next(r, e->at - 1) != e->at)
		return "its report's schedule changed";
	return NULL;
}

/* The queue whose support identity sends r. */
static const struct queue *sender_of(const struct settings *s, const struct report_def *r)
{
	for (size_t i = 0; r->queues && r->queues[0] && i < s->n_queues; i++)
		if (strcmp(s->queues[i].id, r->queues[0]) == 0)
			return &s->queues[i];
	return s->n_queues ? &s->queues[0] : NULL;
}

/* One mail per recipient, each with a Message-ID of its own (the
 * outbox's key): 0, or -1 with *error. */
static int queue_mails(const struct settings *s, struct store *st, const struct report_def *r,
		       const struct report *rep, const struct schedule_entry *e, int64_t now, char **error)
{
	const struct queue *q = sender_of(s, r);
	const char *from = q->addresses[0], *domain = strchr(from, '@') ? strchr(from, '@') + 1 : "localhost";
	char *name = g_strcanon(g_strdup(r->id), G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "-", '-');
	int rc = 0;

	for (size_t i = 0; rc == 0 && r->to[i]; i++) {
		const char *to[] = { r->to[i], NULL };
		char *message_id = g_strdup_printf("report.%s.%lld.%zu@%s", name, (long long)e->at, i, domain);
		struct report_mail_params p = {
			.name = r->id, .from_name = q->name, .from_address = from, .to = to, .message_id = message_id,
			.date = now,
		};
		struct outbox_entry o = {
			.kind = WEEKLY_REPORT_KIND, .envelope_from = s->bounce_address ? s->bounce_address : "",
			.recipient = (char *)r->to[i], .message_id = message_id, .created = now,
		};
		o.message = report_mail_compose(rep, &p, error);
		if (o.message == NULL)
			rc = -1;
		else if (store_outbox_add(st, &o) != 0) {
			*error = g_strdup_printf("store: %s", store_error(st));
			rc = -1;
		}
		if (o.message)
			g_bytes_unref(o.message);
		g_free(message_id);
	}
	g_free(name);
	return rc;
}

static int send(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
		const struct store_ticket *t, const struct schedule_entry *e, int64_t now, char **detail, char **error)
{
	const struct report_def *r = settings_report(s, e->target);
	struct report_params p = { .until = e->at, .now = now };
	struct report *rep;
	int64_t next;
	int rc;

	(void)assets;	/* a report, not a template */
	(void)q;
	(void)t;
	if (r == NULL) {	/* obsolete() said so first; a reload in between */
		*detail = g_strdup("its [report] section is gone");
		return 1;
	}
	p.since = e->at - r->window_seconds;
	p.zone = r->zone;
	p.locale = r->locale;
	next = report_def_next(r, e->at);
	if (sender_of(s, r) == NULL) {
		*error = g_strdup("no queue to send it");
		return -1;
	}
	if (r->by && !report_by_parse(r->by, &p.by))
		p.by = REPORT_BY_NONE;
	report_targets_default(&p.targets);
	if ((rep = report_compute(st, s, &p, error)) == NULL)
		return -1;
	rc = queue_mails(s, st, r, rep, e, now, error);
	report_free(rep);
	/* The next one, from this one's time: a late send moves nothing. */
	if (rc == 0 && next > 0 && add_row(st, r, next, now) != 0) {
		*error = g_strdup_printf("store: %s", store_error(st));
		rc = -1;
	}
	if (rc == 0) {
		char *to = g_strjoinv(", ", r->to);
		*detail = g_strdup_printf("report %s to %s", r->id, to);
		g_free(to);
	}
	return rc;
}

const struct scheduled_kind weekly_report_kind = {
	.name = WEEKLY_REPORT_KIND, .obsolete = obsolete, .send = send,
};
