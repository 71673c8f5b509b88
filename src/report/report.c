/*
 * report.c - computing a report from the store (see report.h for what,
 * ticketctl(8) REPORT FIGURES for each definition).  Room: report.
 *
 * The store hands over one ticket at a time with its events; each is
 * folded into the total, its group and the weeks its moments fall in,
 * and dropped.  What cannot be folded as it comes (medians and
 * percentiles) keeps one number per ticket until the end.  Times spent
 * pending (waiting for the customer, the SLA clock stopped) are taken
 * out of first-response and resolution times, in business time with the
 * queue's calendars and in wall-clock time.
 */
#include "config.h"
#include "report/report.h"
#include "report/report_fold.h"
#include "calendar/calendar.h"
#include "store/report_queries.h"

#include <stdlib.h>
#include <string.h>

/* A reopening this soon after a resolution means the first contact did
 * not resolve it. */
#define FCR_REOPEN_SECONDS (7 * 86400)

struct computing {
	const struct settings *s;
	const struct report_params *p;
	struct report *r;
	struct report_fold total;
	GHashTable *groups;	/* key -> struct report_fold * */
	struct report_fold *weeks;
	GHashTable *agents;	/* address -> struct report_agent * */
	GPtrArray *overdue;	/* struct report_overdue *, at most REPORT_OVERDUE_MAX */
};

/* ---- keys ------------------------------------------------------------ */

static const struct queue *queue_named(const struct settings *s, const char *id)
{
	for (size_t i = 0; s && id && i < s->n_queues; i++)
		if (strcmp(s->queues[i].id, id) == 0)
			return &s->queues[i];
	return NULL;
}

static const char *or_none(const char *v)
{
	return v && *v ? v : "(none)";
}

/* The group of t in the breakdown; calendar names joined by "+" (a
 * static buffer would do, but reports may be computed in threads). */
static char *group_key(const struct computing *c, const struct store_report_ticket *t)
{
	switch (c->p->by) {
	case REPORT_BY_QUEUE: return g_strdup(or_none(t->queue));
	case REPORT_BY_AGENT: return g_strdup(or_none(t->assignee ? t->assignee : t->first_agent));
	case REPORT_BY_LOCALE: return g_strdup(or_none(t->locale));
	case REPORT_BY_TIER: return g_strdup(or_none(t->tier));
	case REPORT_BY_PRIORITY: return g_strdup(or_none(t->priority));
	case REPORT_BY_CALENDAR: {
		const struct queue *q = queue_named(c->s, t->queue);
		return q && q->calendar_names && *q->calendar_names ? g_strjoinv("+", q->calendar_names)
								    : g_strdup("(none)");
	}
	default: return NULL;
	}
}

/* The folds a ticket's figures go to besides the weeks: the total and
 * its group.  Returns how many (1 or 2). */
static size_t folds_of(struct computing *c, const struct store_report_ticket *t, struct report_fold *out[2])
{
	char *key = group_key(c, t);
	struct report_fold *g;

	out[0] = &c->total;
	if (key == NULL)
		return 1;
	if ((g = g_hash_table_lookup(c->groups, key)) == NULL) {
		g = report_fold_new();
		g_hash_table_insert(c->groups, key, g);
	} else {
		g_free(key);
	}
	out[1] = g;
	return 2;
}

/* ---- one ticket -------------------------------------------------------- */

static bool in_window(const struct report_params *p, int64_t t)
{
	return t >= p->since && t < p->until;
}

/* "open -> pending": the two statuses, or false. */
static bool status_change(const char *detail, char *from, size_t from_size, const char **to)
{
	const char *arrow = strstr(detail, " -> ");

	if (arrow == NULL || (size_t)(arrow - detail) >= from_size)
		return false;
	memcpy(from, detail, (size_t)(arrow - detail));
	from[arrow - detail] = '\0';
	*to = arrow + 4;
	return true;
}

/* What a ticket's events say, read once. */
struct history {
	GArray *pauses;		/* int64_t pairs [from, until): pending; until INT64_MAX while it lasts */
	long replies;		/* agent replies, ever */
	bool reopened_soon;	/* reopened within FCR_REOPEN_SECONDS of a resolution */
	int64_t reopened_at;	/* the first reopening in the window, 0 */
};

static void read_history(const struct report_params *p, const struct store_report_ticket *t, struct history *h)
{
	int64_t paused_since = 0, resolved_at = 0;

	g_array_set_size(h->pauses, 0);
	h->replies = 0;
	h->reopened_soon = false;
	h->reopened_at = 0;
	for (size_t i = 0; i < t->n_events; i++) {
		const struct store_report_event *e = &t->events[i];
		char from[16];
		const char *to;

		if (strcmp(e->kind, "reply") == 0) {
			h->replies++;
		} else if (strcmp(e->kind, "reopened") == 0) {
			h->reopened_soon = h->reopened_soon || (resolved_at && e->at - resolved_at <= FCR_REOPEN_SECONDS);
			if (!h->reopened_at && in_window(p, e->at))
				h->reopened_at = e->at;
		} else if (status_change(e->detail, from, sizeof from, &to)) {
			if (strcmp(to, "resolved") == 0)
				resolved_at = e->at;
			if (strcmp(from, "pending") == 0 && paused_since) {
				int64_t pause[2] = { paused_since, e->at };
				g_array_append_vals(h->pauses, pause, 2);
				paused_since = 0;
			}
			if (strcmp(to, "pending") == 0 && !paused_since)
				paused_since = e->at;
		}
	}
	if (paused_since) {
		int64_t pause[2] = { paused_since, INT64_MAX };
		g_array_append_vals(h->pauses, pause, 2);
	}
}

/* The time from `from` to `until` that counts: business time with the
 * queue's calendars, or wall-clock time, less the time pending. */
static double counted(const struct queue *q, const struct history *h, int64_t from, int64_t until,
		      enum report_clock clock)
{
	struct calendar *const *cals = q ? (struct calendar *const *)q->calendars : NULL;
	size_t n = q ? q->n_calendars : 0;
	int64_t total;

	if (clock == REPORT_WALL)
		n = 0;
	total = calendar_business_seconds(cals, n, from, until);
	for (guint i = 0; i + 1 < h->pauses->len; i += 2) {
		int64_t a = MAX(g_array_index(h->pauses, int64_t, i), from);
		int64_t b = MIN(g_array_index(h->pauses, int64_t, i + 1), until);
		if (b > a)
			total -= calendar_business_seconds(cals, n, a, b);
	}
	return total > 0 ? (double)total : 0;
}

static bool is_resolved(const struct store_report_ticket *t)
{
	return t->resolved_at && (strcmp(t->status, "resolved") == 0 || strcmp(t->status, "closed") == 0);
}

/* Whether the clock of a due time stood still at it: pending since
 * before it, so the due time moves on when the wait ends. */
static bool paused_before(const struct store_report_ticket *t, int64_t due)
{
	return strcmp(t->status, "pending") == 0 && t->paused_at && t->paused_at <= due;
}

/* 1 kept, 0 missed, -1 not due (yet, or no longer). */
static int first_response_state(const struct report_params *p, const struct store_report_ticket *t)
{
	int64_t due = t->first_response_due, end;

	if (t->first_response_at)
		return t->first_response_at <= due;
	/* Unanswered: missed once the due time passed with the clock running,
	 * unless the ticket was resolved before it. */
	end = is_resolved(t) ? t->resolved_at : p->now;
	return end > due && !paused_before(t, due) ? 0 : -1;
}

static int resolution_state(const struct report_params *p, const struct store_report_ticket *t)
{
	int64_t due = t->resolution_due;

	if (is_resolved(t))
		return t->resolved_at <= due;
	if (strcmp(t->status, "closed") == 0)
		return -1;	/* closed unresolved: nothing was promised any more */
	return p->now > due && !paused_before(t, due) ? 0 : -1;
}

static void count_rating(struct report_figures *f, const struct store_report_ticket *t)
{
	if (t->rating_scale == NULL)
		return;
	f->rated++;
	if (strcmp(t->rating_scale, "csat") == 0) {
		f->csat_n++;
		f->csat_sum += t->rating;
		f->csat_satisfied += t->rating >= 4;
	} else if (strcmp(t->rating_scale, "nps") == 0) {
		f->nps_n++;
		f->nps_promoters += t->rating >= 9;
		f->nps_detractors += t->rating <= 6;
	} else if (strcmp(t->rating_scale, "ces") == 0) {
		f->ces_n++;
		f->ces_sum += t->rating;
	}
}

/* Replies in the window: the ticket's count, and each agent's load. */
static void count_replies(struct computing *c, const struct store_report_ticket *t, struct report_fold **folds,
			  size_t n_folds)
{
	GPtrArray *seen = g_ptr_array_new();
	bool replied = false;

	for (size_t i = 0; i < t->n_events; i++) {
		const struct store_report_event *e = &t->events[i];
		struct report_agent *a;
		struct report_fold *week;

		if (strcmp(e->kind, "reply") != 0 || !in_window(c->p, e->at))
			continue;
		week = report_fold_week(c->r, c->weeks, e->at);
		for (size_t k = 0; k < n_folds; k++) {
			folds[k]->f.replies++;
			folds[k]->f.replied_tickets += !replied;
		}
		week->f.replies++;
		week->f.replied_tickets += !replied;
		replied = true;
		if ((a = g_hash_table_lookup(c->agents, e->actor)) == NULL) {
			a = g_new0(struct report_agent, 1);
			a->address = g_strdup(e->actor);
			g_hash_table_insert(c->agents, a->address, a);
		}
		a->replies++;
		if (!g_ptr_array_find_with_equal_func(seen, e->actor, g_str_equal, NULL)) {
			g_ptr_array_add(seen, (gpointer)e->actor);
			a->tickets++;
		}
	}
	g_ptr_array_free(seen, TRUE);
}

static void fold_ticket(struct computing *c, const struct store_report_ticket *t, struct history *h)
{
	const struct report_params *p = c->p;
	const struct queue *q = queue_named(c->s, t->queue);
	struct report_fold *folds[3], *week;
	size_t n = folds_of(c, t, folds);

	if (in_window(p, t->created)) {
		folds[n] = report_fold_week(c->r, c->weeks, t->created);
		for (size_t k = 0; k <= n; k++) {
			folds[k]->f.opened++;
			folds[k]->f.merged += t->merged_into != 0;
		}
	}
	count_replies(c, t, folds, n);
	if (t->merged_into)
		return;		/* a duplicate: its conversation goes on in the other ticket */
	read_history(p, t, h);
	if (t->first_response_at && in_window(p, t->first_response_at) && t->first_response_at >= t->created) {
		double business = counted(q, h, t->created, t->first_response_at, REPORT_BUSINESS);
		double wall = counted(q, h, t->created, t->first_response_at, REPORT_WALL);
		folds[n] = report_fold_week(c->r, c->weeks, t->first_response_at);
		for (size_t k = 0; k <= n; k++)
			report_fold_first_response(folds[k], business, wall);
	}
	if (is_resolved(t) && in_window(p, t->resolved_at)) {
		double business = counted(q, h, t->created, t->resolved_at, REPORT_BUSINESS);
		double wall = counted(q, h, t->created, t->resolved_at, REPORT_WALL);
		folds[n] = report_fold_week(c->r, c->weeks, t->resolved_at);
		for (size_t k = 0; k <= n; k++) {
			struct report_figures *f = &folds[k]->f;
			report_fold_resolution(folds[k], business, wall);
			f->resolved++;
			f->fcr_eligible += h->replies > 0;
			f->fcr += h->replies == 1 && !h->reopened_soon;
			count_rating(f, t);
		}
	}
	if (t->first_response_due && in_window(p, t->first_response_due)) {
		int state = first_response_state(p, t);
		folds[n] = report_fold_week(c->r, c->weeks, t->first_response_due);
		for (size_t k = 0; state >= 0 && k <= n; k++) {
			folds[k]->f.first_response_due++;
			folds[k]->f.first_response_kept += state;
		}
	}
	if (t->resolution_due && in_window(p, t->resolution_due)) {
		int state = resolution_state(p, t);
		folds[n] = report_fold_week(c->r, c->weeks, t->resolution_due);
		for (size_t k = 0; state >= 0 && k <= n; k++) {
			folds[k]->f.resolution_due++;
			folds[k]->f.resolution_kept += state;
		}
	}
	if (h->reopened_at) {
		week = report_fold_week(c->r, c->weeks, h->reopened_at);
		folds[n] = week;
		for (size_t k = 0; k <= n; k++)
			folds[k]->f.reopened++;
	}
}

static int on_window(const struct store_report_ticket *t, void *data)
{
	struct computing *c = data;
	struct history h = { .pauses = g_array_new(FALSE, FALSE, sizeof(int64_t)) };

	fold_ticket(c, t, &h);
	g_array_free(h.pauses, TRUE);
	return 0;
}

/* ---- the backlog --------------------------------------------------------- */

static int age_band(int64_t age)
{
	static const int64_t bounds[REPORT_AGE_BANDS - 1] = { 86400, 3 * 86400, 7 * 86400, 30 * 86400 };
	int band = 0;

	while (band < REPORT_AGE_BANDS - 1 && age >= bounds[band])
		band++;
	return band;
}

static void note_overdue(struct computing *c, const struct store_report_ticket *t, const char *what, int64_t due)
{
	struct report_overdue *o;
	guint worst = 0;

	/* Only the most overdue are kept: replace the least overdue kept. */
	if (c->overdue->len >= REPORT_OVERDUE_MAX) {
		for (guint i = 1; i < c->overdue->len; i++)
			if (((struct report_overdue *)g_ptr_array_index(c->overdue, i))->due >
			    ((struct report_overdue *)g_ptr_array_index(c->overdue, worst))->due)
				worst = i;
		if (((struct report_overdue *)g_ptr_array_index(c->overdue, worst))->due <= due)
			return;
		g_ptr_array_remove_index_fast(c->overdue, worst);
	}
	o = g_new0(struct report_overdue, 1);
	o->ticket = g_strdup_printf("%s-%ld", t->tag, t->number);
	o->subject = g_strdup(t->subject);
	o->queue = g_strdup(t->queue);
	o->status = g_strdup(t->status);
	o->priority = g_strdup(t->priority);
	o->assignee = g_strdup(t->assignee);
	o->what = what;
	o->due = due;
	g_ptr_array_add(c->overdue, o);
}

static int on_backlog(const struct store_report_ticket *t, void *data)
{
	struct computing *c = data;
	struct report_fold *folds[2];
	size_t n;
	int64_t now = c->p->now;
	bool pending = strcmp(t->status, "pending") == 0;
	const char *what = NULL;
	int64_t due = 0;

	if (t->merged_into)
		return 0;
	n = folds_of(c, t, folds);
	if (!t->first_response_at && t->first_response_due && t->first_response_due < now &&
	    !paused_before(t, t->first_response_due)) {
		what = "first response";
		due = t->first_response_due;
	} else if (t->resolution_due && t->resolution_due < now && !paused_before(t, t->resolution_due)) {
		what = "resolution";
		due = t->resolution_due;
	}
	for (size_t k = 0; k < n; k++) {
		struct report_figures *f = &folds[k]->f;
		f->backlog_open += !pending;
		f->backlog_pending += pending;
		f->backlog_overdue += what != NULL;
		f->backlog_age[age_band(now - t->created)]++;
	}
	if (what)
		note_overdue(c, t, what, due);
	return 0;
}

/* ---- the report ------------------------------------------------------------ */

static gint by_key(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(((const struct report_group *)a)->key, ((const struct report_group *)b)->key);
}

static gint by_load(gconstpointer a, gconstpointer b)
{
	const struct report_agent *x = a, *y = b;

	if (x->replies != y->replies)
		return x->replies < y->replies ? 1 : -1;
	return g_strcmp0(x->address, y->address);
}

static gint by_due(gconstpointer a, gconstpointer b)
{
	const struct report_overdue *x = *(struct report_overdue *const *)a, *y = *(struct report_overdue *const *)b;

	return x->due < y->due ? -1 : x->due > y->due ? 1 : g_strcmp0(x->ticket, y->ticket);
}

static void finish(struct computing *c)
{
	struct report *r = c->r;
	GHashTableIter it;
	gpointer key, value;
	size_t i = 0;

	report_fold_finish(&c->total, &r->total);
	r->n_groups = g_hash_table_size(c->groups);
	r->groups = g_new0(struct report_group, r->n_groups + 1);
	g_hash_table_iter_init(&it, c->groups);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		r->groups[i].key = g_strdup(key);
		report_fold_finish(value, &r->groups[i++].f);
	}
	qsort(r->groups, r->n_groups, sizeof *r->groups, by_key);
	for (i = 0; i < r->n_weeks; i++)
		report_fold_finish(&c->weeks[i], &r->weeks[i].f);
	r->n_agents = g_hash_table_size(c->agents);
	r->agents = g_new0(struct report_agent, r->n_agents + 1);
	i = 0;
	g_hash_table_iter_init(&it, c->agents);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		r->agents[i++] = *(struct report_agent *)value;
		g_free(value);
	}
	qsort(r->agents, r->n_agents, sizeof *r->agents, by_load);
	g_ptr_array_sort(c->overdue, by_due);
	r->n_overdue = c->overdue->len;
	r->overdue = g_new0(struct report_overdue, r->n_overdue + 1);
	for (i = 0; i < r->n_overdue; i++) {
		r->overdue[i] = *(struct report_overdue *)g_ptr_array_index(c->overdue, i);
		g_free(g_ptr_array_index(c->overdue, i));
	}
}

struct report *report_compute(struct store *st, const struct settings *s, const struct report_params *p,
			      char **error)
{
	struct report *r = g_new0(struct report, 1);
	struct computing c = { .s = s, .p = &r->params, .r = r };
	int rc;

	r->params = *p;
	r->params.zone = g_strdup(p->zone ? p->zone : "UTC");
	r->params.locale = g_strdup(p->locale ? p->locale : "en");
	if (!report_fold_weeks(r, error)) {
		report_free(r);
		return NULL;
	}
	report_fold_init(&c.total);
	c.groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, report_fold_free);
	c.weeks = g_new0(struct report_fold, r->n_weeks);
	for (size_t i = 0; i < r->n_weeks; i++)
		report_fold_init(&c.weeks[i]);
	c.agents = g_hash_table_new(g_str_hash, g_str_equal);
	c.overdue = g_ptr_array_new();
	rc = store_report_read(st, r->params.since, r->params.until, on_window, on_backlog, &c);
	if (rc == 0)
		finish(&c);
	else
		*error = g_strdup_printf("store: %s", store_error(st));
	report_fold_clear(&c.total);
	for (size_t i = 0; i < r->n_weeks; i++)
		report_fold_clear(&c.weeks[i]);
	g_free(c.weeks);
	g_hash_table_destroy(c.groups);
	g_hash_table_destroy(c.agents);
	g_ptr_array_free(c.overdue, TRUE);
	if (rc != 0) {
		report_free(r);
		return NULL;
	}
	return r;
}

void report_free(struct report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_groups; i++)
		g_free(r->groups[i].key);
	for (size_t i = 0; i < r->n_agents; i++)
		g_free(r->agents[i].address);
	for (size_t i = 0; i < r->n_overdue; i++) {
		struct report_overdue *o = &r->overdue[i];
		g_free(o->ticket);
		g_free(o->subject);
		g_free(o->queue);
		g_free(o->status);
		g_free(o->priority);
		g_free(o->assignee);
	}
	g_free(r->groups);
	g_free(r->weeks);
	g_free(r->agents);
	g_free(r->overdue);
	g_free((char *)r->params.zone);
	g_free((char *)r->params.locale);
	g_free(r);
}
