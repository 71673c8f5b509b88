/*
 * scheduled_mail.c - keeping scheduled mail in step with its tickets,
 * and sending what fell due (see scheduled_mail.h).  Room: engine.
 */
#include "config.h"
#include "engine/scheduled_mail.h"
#include "calendar/sla_clock.h"
#include "engine/delay_notice.h"
#include "engine/pending.h"
#include "engine/reminders.h"
#include "engine/weekly_report.h"

#include <string.h>
#include <syslog.h>

/* Every kind of scheduled mail: a new kind is one line here. */
static const struct scheduled_kind *const kinds[] = {
	&reminder_first_response_kind,
	&reminder_resolution_kind,
	&weekly_report_kind,
	&delay_notice_kind,
	&pending_nudge_kind,
	&pending_resolve_kind,
};

const struct scheduled_kind *scheduled_kind_named(const char *name)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(kinds); i++)
		if (strcmp(kinds[i]->name, name) == 0)
			return kinds[i];
	return NULL;
}

static const struct queue *queue_of(const struct settings *s, const char *id)
{
	for (size_t i = 0; i < s->n_queues; i++)
		if (g_strcmp0(s->queues[i].id, id) == 0)
			return &s->queues[i];
	return NULL;
}

int scheduled_promise_made(const struct settings *s, struct store *st, const struct queue *q, int64_t ticket_id,
			   int64_t now)
{
	struct store_ticket t = { 0 };
	int rc = store_ticket_by_id(st, ticket_id, &t);

	for (size_t i = 0; rc == 1 && i < G_N_ELEMENTS(kinds); i++)
		if (kinds[i]->plan && kinds[i]->plan(s, st, q, &t, now) != 0)
			rc = -1;
	store_ticket_clear(&t);
	return rc < 0 ? -1 : 0;
}

/* Why row e of t no longer applies, or NULL. */
static const char *obsolete(const struct settings *s, const struct queue *q, const struct scheduled_kind *kind,
			    const struct store_ticket *t, const struct schedule_entry *e)
{
	if (kind == NULL)
		return "no such kind of scheduled mail";
	if (q == NULL)
		return "its queue is no longer configured";
	return kind->obsolete ? kind->obsolete(s, q, t, e) : NULL;
}

/* A row whose clock stops: paused with what was left of it when the
 * wait began (t->paused_at, however long ago that was), resumed from now
 * with that much of its clock.  0 or -1. */
static int follow_pause(const struct queue *q, const struct store_ticket *t, const struct schedule_entry *e,
			struct store *st, int64_t now)
{
	struct sla_clock clock = { q->calendars, q->n_calendars, e->wall };

	if (t->paused_at && strcmp(e->state, "due") == 0) {
		int64_t left = e->at > t->paused_at ? sla_clock_minutes(&clock, t->paused_at, e->at) : 0;
		return store_schedule_pause(st, e->id, left < 0 ? 0 : left) < 0 ? -1 : 0;
	}
	if (!t->paused_at && strcmp(e->state, "paused") == 0) {
		int64_t at = sla_clock_add(&clock, now, e->remaining);
		int64_t send_at = at < 0 ? -1 : sla_clock_next_open(&clock, at);

		if (send_at < 0)
			return store_schedule_cancel(st, e->id, now, "no calendar of its queue ever opens") < 0 ? -1 : 0;
		return store_schedule_resume(st, e->id, at, send_at) < 0 ? -1 : 0;
	}
	return 0;
}

int scheduled_ticket_changed(const struct settings *s, struct store *st, const struct store_ticket *t, int64_t now)
{
	const struct queue *q;
	GPtrArray *rows;
	int rc = 0;

	if (s == NULL)
		return 0;
	if ((rows = store_schedule_of_ticket(st, t->id)) == NULL)
		return -1;
	q = queue_of(s, t->queue);
	for (guint i = 0; i < rows->len && rc == 0; i++) {
		const struct schedule_entry *e = g_ptr_array_index(rows, i);
		const struct scheduled_kind *kind = scheduled_kind_named(e->kind);
		const char *why = obsolete(s, q, kind, t, e);

		if (why)
			rc = store_schedule_cancel(st, e->id, now, why) < 0 ? -1 : 0;
		else if (kind->stops_while_pending)
			rc = follow_pause(q, t, e, st, now);
	}
	g_ptr_array_free(rows, TRUE);
	for (size_t i = 0; q && rc == 0 && i < G_N_ELEMENTS(kinds); i++)
		if (kinds[i]->changed && kinds[i]->changed(s, st, q, t, now) != 0)
			rc = -1;
	return rc;
}

void scheduled_outcome_free(gpointer p)
{
	struct scheduled_outcome *o = p;

	if (o == NULL)
		return;
	g_free(o->what);
	g_free(o->detail);
	g_free(o);
}

char *scheduled_outcome_line(const struct scheduled_outcome *o, int *priority)
{
	const char *detail = o->detail ? o->detail : "";

	if (strcmp(o->state, "sent") == 0) {
		*priority = LOG_INFO;
		return g_strdup_printf("scheduled %s: queued for %s", o->what, detail);
	}
	if (strcmp(o->state, "failed") == 0) {
		*priority = LOG_ERR;
		return g_strdup_printf("scheduled %s: not sent: %s", o->what, detail);
	}
	if (strcmp(o->state, "retry") == 0) {
		*priority = LOG_WARNING;
		return g_strdup_printf("scheduled %s: tried again in %d s: %s", o->what, SCHEDULED_LEASE_SECONDS, detail);
	}
	*priority = LOG_DEBUG;
	return g_strdup_printf("scheduled %s: %s (%s)", o->what, o->state, detail);
}

static void outcome(GPtrArray *outcomes, const struct store_ticket *t, const struct schedule_entry *e,
		    const char *state, char *detail)
{
	struct scheduled_outcome *o = g_new0(struct scheduled_outcome, 1);

	if (t && t->tag)
		o->what = g_strdup_printf("%s-%ld %s %d%%", t->tag, t->number, e->kind, e->level);
	else if (e->ticket_id == 0)	/* its target says what it is about: "report managers" */
		o->what = g_strdup_printf("#%lld %s %s", (long long)e->id, e->kind, e->target ? e->target : "");
	else
		o->what = g_strdup_printf("#%lld %s %d%%", (long long)e->id, e->kind, e->level);
	o->state = state;
	o->detail = detail;
	g_ptr_array_add(outcomes, o);
}

/* Ends a claimed row that was not sent, in a transaction of its own
 * (the one that tried to send it was rolled back). */
static void end_apart(struct store *st, const struct schedule_entry *e, const char *owner, const char *state,
		      int64_t now, const char *why)
{
	if (store_begin(st) == 0 && store_schedule_finish(st, e->id, owner, state, now, why) >= 0 &&
	    store_commit(st) == 0)
		return;
	store_rollback(st);	/* left claimed: its lease runs out and it is tried again */
}

/* One claimed row, in one transaction with what it sends. */
static void run_one(const struct settings *s, const struct assets *assets, struct store *st,
		    const struct schedule_entry *e, int64_t now, const char *owner, GPtrArray *outcomes, int *queued)
{
	const struct scheduled_kind *kind = scheduled_kind_named(e->kind);
	struct store_ticket t = { 0 };
	const struct queue *q = NULL;
	const char *why = NULL, *state = NULL;
	char *detail = NULL, *error = NULL;
	int rc;

	if (store_begin(st) != 0)
		goto store_failed;
	rc = e->ticket_id ? store_ticket_by_id(st, e->ticket_id, &t) : 1;
	if (rc < 0)
		goto store_failed;
	if (rc == 0)
		why = "its ticket is gone";
	else if (e->ticket_id == 0 && kind == NULL)
		why = "no such kind of scheduled mail";
	else if (e->ticket_id == 0)	/* about no ticket, nor a queue: its kind judges it */
		why = kind->obsolete ? kind->obsolete(s, NULL, &t, e) : NULL;
	else if ((q = queue_of(s, t.queue)) == NULL || (why = obsolete(s, q, kind, &t, e)) != NULL)
		why = why ? why : "its queue is no longer configured";
	if (why) {
		state = "cancelled";
		detail = g_strdup(why);
	} else if (kind->stops_while_pending && t.paused_at) {
		/* Paused since it was claimed (ticketctl, another daemon). */
		if (store_schedule_release(st, e->id, owner) < 0 || scheduled_ticket_changed(s, st, &t, now) != 0)
			goto store_failed;
		state = "paused";
	} else if ((rc = kind->send(s, assets, st, q, &t, e, now, &detail, &error)) < 0) {
		store_rollback(st);
		if (error && g_str_has_prefix(error, "store:")) {
			outcome(outcomes, &t, e, "retry", error);
		} else {
			end_apart(st, e, owner, "failed", now, error);
			outcome(outcomes, &t, e, "failed", error);
		}
		g_free(detail);
		store_ticket_clear(&t);
		return;
	} else {
		state = rc == 0 ? "sent" : "failed";
	}
	if (strcmp(state, "paused") != 0 && (rc = store_schedule_finish(st, e->id, owner, state, now, detail)) <= 0) {
		if (rc < 0)
			goto store_failed;
		/* The lease ran out and another daemon took it: its turn. */
		store_rollback(st);
		g_free(detail);
		store_ticket_clear(&t);
		return;
	}
	if (store_commit(st) != 0)
		goto store_failed;
	if (queued && strcmp(state, "sent") == 0)
		(*queued)++;
	outcome(outcomes, &t, e, state, detail);
	store_ticket_clear(&t);
	return;
store_failed:
	outcome(outcomes, &t, e, "retry", g_strdup_printf("store: %s", store_error(st)));
	store_rollback(st);
	g_free(detail);
	store_ticket_clear(&t);
}

int scheduled_run_due(const struct settings *s, const struct assets *assets, struct store *st, int64_t now,
		      const char *owner, GPtrArray *outcomes, int *queued)
{
	GPtrArray *claimed;
	int n;

	if (queued)
		*queued = 0;
	/* The configuration's standing rows (a report added by a reload);
	 * adding what is there already adds nothing. */
	if (weekly_report_plan(s, st, now) != 0)
		return -1;
	if ((claimed = store_schedule_claim(st, owner, now, SCHEDULED_LEASE_SECONDS, SCHEDULED_BATCH)) == NULL)
		return -1;
	for (guint i = 0; i < claimed->len; i++)
		run_one(s, assets, st, g_ptr_array_index(claimed, i), now, owner, outcomes, queued);
	n = (int)claimed->len;
	g_ptr_array_free(claimed, TRUE);
	return n;
}
