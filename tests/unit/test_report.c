/* test_report.c - every figure of the report on a store with known
 * answers (report_store.c: T1 .. T12), business time across a weekend, a
 * holiday and a daylight-saving change, pending pauses, reopened and
 * merged tickets, a window without data, and the breakdowns. */
#include "config.h"
#include "tap.h"
#include "report_store.h"
#include "calendar/calendar.h"
#include "report/report.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>

#define H 3600.0
#define M REPORT_MARCH

static struct settings *s;
static struct store *st;

#define is_near(got, want, ...) do { \
	double tap_g = (got), tap_w = (want); \
	if (!ok(fabs(tap_g - tap_w) < 1e-6, __VA_ARGS__)) \
		printf("#   got:  %.6f\n#   want: %.6f\n", tap_g, tap_w); \
} while (0)

static struct report *make(enum report_by by, int64_t since, int64_t until)
{
	struct report_params p = { .since = since, .until = until, .now = REPORT_STORE_NOW, .by = by, .zone = "UTC" };
	char *error = NULL;
	struct report *r;

	report_targets_default(&p.targets);
	r = report_compute(st, s, &p, &error);
	if (!ok(r != NULL, "report computed (%s)", error ? error : "no error"))
		exit(1);
	g_free(error);
	return r;
}

static const struct report_group *group(const struct report *r, const char *key)
{
	for (size_t i = 0; i < r->n_groups; i++)
		if (strcmp(r->groups[i].key, key) == 0)
			return &r->groups[i];
	printf("# no group %s\n", key);
	exit(1);
}

/* Business time: the calendar arithmetic the figures rest on. */
static void check_business_time(void)
{
	struct calendar *office = s->queues[0].calendars[0];
	struct calendar *berlin = calendar_parse("Europe/Berlin", "daily 00:00-24:00", NULL, NULL);
	struct calendar *night = calendar_parse("Europe/Berlin", "sun 01:00-05:00", NULL, NULL);
	bool agree = true;

	is_int(calendar_business_seconds(&office, 1, M(6, 16, 0), M(9, 10, 0)), 2 * 3600,
	       "Friday 16:00 to Monday 10:00: 2 business hours");
	is_int(calendar_business_seconds(&office, 1, M(10, 16, 0), M(12, 10, 0)), 2 * 3600,
	       "over the Wednesday holiday: 2 business hours");
	is_int(calendar_business_seconds(&office, 1, M(7, 10, 0), M(8, 18, 0)), 0, "a weekend: none");
	is_int(calendar_business_seconds(&office, 1, M(2, 12, 0), M(2, 11, 0)), 0, "backwards: none");
	is_int(calendar_business_seconds(NULL, 0, M(7, 10, 0), M(7, 14, 0)), 4 * 3600, "no calendar: wall-clock time");
	/* 28 to 29 March 2026 in Berlin: the clock jumps from 02:00 to 03:00. */
	is_int(calendar_business_seconds(&berlin, 1, 1774695600, 1774778400), 23 * 3600,
	       "Saturday noon to Sunday noon across spring forward in Berlin: 23 hours");
	is_int(calendar_business_seconds(&night, 1, 1774695600, 1774778400), 3 * 3600,
	       "sun 01:00-05:00 on that Sunday lasts 3 hours");
	for (int i = 0; i < 200; i++) {
		int64_t start = M(1, 0, 0) + (int64_t)i * 7919 * 60, minutes = 30 + (i * 37) % 2000;
		int64_t due = calendar_add_business_minutes(&office, 1, start, minutes);
		agree = agree && calendar_business_seconds(&office, 1, start, due) == minutes * 60;
	}
	ok(agree, "the business time up to a due time is the SLA's minutes (200 starts)");
	calendar_free(berlin);
	calendar_free(night);
}

static void check_totals(void)
{
	struct report *r = make(REPORT_BY_NONE, REPORT_STORE_SINCE, REPORT_STORE_UNTIL);
	const struct report_figures *f = &r->total;
	struct report_kpi_value v;

	is_int(r->n_groups, 0, "no breakdown: no groups");
	is_int(f->opened, 9, "opened: T1-T8 and T12 (not T9 before, T10 and T11 before)");
	is_int(f->merged, 1, "merged: T5");
	is_int(f->resolved, 5, "resolved: T1 T2 T3 T4 T8");
	is_int(f->reopened, 1, "reopened: T4");

	is_int(f->first_response[REPORT_BUSINESS].n, 7, "first responses in the window: 7 (T11's was before)");
	is_near(f->first_response[REPORT_BUSINESS].median, 1 * H, "first response median, business: 1 h");
	is_near(f->first_response[REPORT_BUSINESS].p90, 2 * H, "p90 business: 2 h (weekend and holiday skipped)");
	is_near(f->first_response[REPORT_BUSINESS].mean, 9 * H / 7, "mean business: 9/7 h");
	is_near(f->first_response[REPORT_WALL].median, 1 * H, "median wall-clock: 1 h");
	is_near(f->first_response[REPORT_WALL].p90, 66 * H, "p90 wall-clock: 66 h (T2 over the weekend)");
	is_near(f->first_response[REPORT_WALL].mean, 113 * H / 7, "mean wall-clock: 113/7 h");

	is_int(f->resolution[REPORT_BUSINESS].n, 5, "resolutions: 5");
	is_near(f->resolution[REPORT_BUSINESS].median, 5 * H, "resolution median, business: 5 h");
	is_near(f->resolution[REPORT_BUSINESS].p90, 16 * H, "p90 business: 16 h (T4, to its second resolution)");
	is_near(f->resolution[REPORT_BUSINESS].mean, 36 * H / 5, "mean business: 7.2 h (T3 less its pending night)");
	is_near(f->resolution[REPORT_WALL].median, 5 * H, "median wall-clock: 5 h");
	is_near(f->resolution[REPORT_WALL].p90, 72 * H, "p90 wall-clock: 72 h");
	is_near(f->resolution[REPORT_WALL].mean, 132 * H / 5, "mean wall-clock: 26.4 h (T3's 23 h pending left out)");

	is_int(f->first_response_due, 8, "first responses due: 8 (T5 merged out, T9 and T11 outside)");
	is_int(f->first_response_kept, 6, "kept: 6 (T6 unanswered, T8 late)");
	is_int(f->resolution_due, 7, "resolutions due: 7 (T7 pending before its due time)");
	is_int(f->resolution_kept, 4, "kept: 4 (T4 late, T6 and T12 open past it)");
	is_int(f->fcr_eligible, 5, "first-contact resolution: of 5 resolved with a reply");
	is_int(f->fcr, 2, "2 (T1, T8); T2 and T3 two replies, T4 reopened");
	is_int(f->rated, 5, "all 5 resolved rated");
	is_int(f->csat_n, 2, "csat: 2 ratings");
	is_int(f->csat_sum, 7, "csat sum 7 (mean 3.5)");
	is_int(f->csat_satisfied, 1, "csat 4-5: 1");
	is_int(f->nps_n, 2, "nps: 2 ratings");
	is_int(f->nps_promoters, 1, "1 promoter (9)");
	is_int(f->nps_detractors, 1, "1 detractor (3)");
	is_int(f->ces_n, 1, "ces: 1 rating");
	is_int(f->ces_sum, 6, "of 6");
	is_int(f->replies, 11, "replies in the window: 11");
	is_int(f->replied_tickets, 8, "on 8 tickets");

	is_int(f->backlog_open, 4, "open now: T6 T10 T11 T12");
	is_int(f->backlog_pending, 1, "pending now: T7");
	is_int(f->backlog_overdue, 2, "overdue now: T6 (first response), T12 (resolution)");
	is_int(f->backlog_age[0], 0, "age under a day: 0");
	is_int(f->backlog_age[1], 1, "1-3 days: T7");
	is_int(f->backlog_age[2], 2, "3-7 days: T6 T12");
	is_int(f->backlog_age[3], 1, "7-30 days: T11");
	is_int(f->backlog_age[4], 1, "30 days and over: T10");

	v = report_kpi(f, REPORT_KPI_FIRST_RESPONSE_SLA, &r->params.targets);
	ok(v.has && v.n == 8 && fabs(v.value - 75) < 1e-9 && v.status == REPORT_BELOW_TARGET,
	   "first response SLA 75 %% against 90: below target");
	v = report_kpi(f, REPORT_KPI_RESOLUTION_SLA, &r->params.targets);
	ok(v.has && fabs(v.value - 400.0 / 7) < 1e-9 && v.status == REPORT_BELOW_TARGET, "resolution SLA 57.1 %%");
	v = report_kpi(f, REPORT_KPI_FCR, &r->params.targets);
	ok(v.has && fabs(v.value - 40) < 1e-9, "first-contact resolution 40 %%");
	v = report_kpi(f, REPORT_KPI_CSAT, &r->params.targets);
	ok(v.has && fabs(v.value - 50) < 1e-9, "csat 50 %% satisfied");
	v = report_kpi(f, REPORT_KPI_NPS, &r->params.targets);
	ok(v.has && fabs(v.value) < 1e-9 && v.status == REPORT_BELOW_TARGET, "nps 0");
	v = report_kpi(f, REPORT_KPI_CES, &r->params.targets);
	ok(v.has && fabs(v.value - 6) < 1e-9 && v.status == REPORT_ON_TARGET, "ces 6 against 5.5: on target");
	r->params.targets.value[REPORT_KPI_FIRST_RESPONSE_SLA] = 78;
	v = report_kpi(f, REPORT_KPI_FIRST_RESPONSE_SLA, &r->params.targets);
	ok(v.status == REPORT_NEAR_TARGET, "75 %% against a target of 78: near target");
	r->params.targets.value[REPORT_KPI_FIRST_RESPONSE_SLA] = 75;
	v = report_kpi(f, REPORT_KPI_FIRST_RESPONSE_SLA, &r->params.targets);
	ok(v.status == REPORT_ON_TARGET, "against 75: on target");

	is_int(r->n_agents, 4, "four agents replied");
	ok(r->n_agents == 4 && strcmp(r->agents[0].address, "alice@example.com") == 0 && r->agents[0].replies == 6 &&
	   r->agents[0].tickets == 4, "alice first: 6 replies on 4 tickets");
	ok(r->n_agents == 4 && strcmp(r->agents[1].address, "bob@example.com") == 0 && r->agents[1].replies == 3 &&
	   r->agents[1].tickets == 2, "bob: 3 replies on 2 tickets");
	ok(r->n_agents == 4 && strcmp(r->agents[3].address, "dave@example.com") == 0 && r->agents[3].replies == 1,
	   "dave: his reply on T11 in the window");

	is_int(r->n_overdue, 2, "two overdue tickets listed");
	ok(r->n_overdue == 2 && strcmp(r->overdue[0].ticket, "SUP-1006") == 0 &&
	   strcmp(r->overdue[0].what, "first response") == 0 && r->overdue[0].due == M(12, 13, 0),
	   "most overdue first: SUP-1006, first response due 12 March 13:00");
	ok(r->n_overdue == 2 && strcmp(r->overdue[1].ticket, "SUP-1011") == 0 &&
	   strcmp(r->overdue[1].what, "resolution") == 0 && strcmp(r->overdue[1].subject, "الطابعة لا تعمل") == 0,
	   "then SUP-1011 (T12), resolution, its subject as stored");
	report_free(r);
}

static void check_weeks(void)
{
	struct report *r = make(REPORT_BY_NONE, REPORT_STORE_SINCE, REPORT_STORE_UNTIL);
	struct report_kpi_value v;

	is_int(r->n_weeks, 2, "two weeks");
	if (r->n_weeks != 2)
		return;
	ok(r->weeks[0].start == REPORT_STORE_SINCE && r->weeks[1].start == M(9, 0, 0) &&
	   r->weeks[1].end == REPORT_STORE_UNTIL, "Monday 2 and Monday 9 March");
	is_int(r->weeks[0].f.opened, 6, "week 1 opened 6");
	is_int(r->weeks[1].f.opened, 3, "week 2 opened 3");
	is_int(r->weeks[0].f.resolved, 4, "week 1 resolved 4");
	is_int(r->weeks[1].f.resolved, 1, "week 2 resolved 1");
	is_near(r->weeks[0].f.first_response[REPORT_BUSINESS].median, 1 * H, "week 1 first response median 1 h");
	is_near(r->weeks[1].f.first_response[REPORT_BUSINESS].median, 2 * H, "week 2: 2 h");
	v = report_kpi(&r->weeks[0].f, REPORT_KPI_FIRST_RESPONSE_SLA, &r->params.targets);
	ok(v.n == 4 && fabs(v.value - 75) < 1e-9, "week 1 first response SLA 3 of 4");
	is_int(r->weeks[0].f.csat_n + r->weeks[0].f.nps_n + r->weeks[0].f.ces_n, 4, "week 1: 4 ratings");
	is_int(r->weeks[1].f.nps_promoters, 1, "week 2: T2's promoter");
	is_int(r->weeks[0].f.backlog_open, 0, "weeks hold no backlog");
	report_free(r);

	/* A window from a Wednesday to a Tuesday: two clipped weeks. */
	r = make(REPORT_BY_NONE, M(4, 0, 0), M(10, 0, 0));
	ok(r->n_weeks == 2 && r->weeks[0].start == M(4, 0, 0) && r->weeks[0].end == M(9, 0, 0) &&
	   r->weeks[1].start == M(9, 0, 0) && r->weeks[1].end == M(10, 0, 0), "a window mid-week: its weeks clipped to it");
	is_int(r->total.opened, 3, "4-9 March: T5 T2 T8 opened");
	report_free(r);
}

static void check_groups(void)
{
	struct report *r = make(REPORT_BY_QUEUE, REPORT_STORE_SINCE, REPORT_STORE_UNTIL);
	const struct report_group *g;

	is_int(r->n_groups, 2, "by queue: billing and support");
	g = group(r, "billing");
	ok(g->f.opened == 1 && g->f.resolved == 1 && g->f.fcr == 1 && g->f.first_response_kept == 0 &&
	   g->f.first_response_due == 1, "billing: T8 opened, resolved at first contact, first response late");
	is_near(g->f.first_response[REPORT_BUSINESS].median, 2 * H, "billing, without calendars: 2 h business = wall");
	g = group(r, "support");
	ok(g->f.opened == 8 && g->f.resolved == 4 && g->f.backlog_open == 4 && g->f.backlog_pending == 1,
	   "support: 8 opened, 4 resolved, backlog 4 open and 1 pending");
	ok(strcmp(r->groups[0].key, "billing") == 0, "groups sorted by name");
	report_free(r);

	r = make(REPORT_BY_AGENT, REPORT_STORE_SINCE, REPORT_STORE_UNTIL);
	g = group(r, "bob@example.com");
	ok(g->f.opened == 2 && g->f.resolved == 1, "by agent: T2 (bob replied first, no assignee) and T12 are bob's");
	g = group(r, "dave@example.com");
	ok(g->f.backlog_open == 2 && g->f.replies == 1, "dave: T10 assigned, T11 replied first; his reply");
	g = group(r, "(none)");
	ok(g->f.opened == 2 && g->f.merged == 1 && g->f.backlog_overdue == 1, "(none): T5 merged and T6 unanswered");
	report_free(r);

	r = make(REPORT_BY_TIER, REPORT_STORE_SINCE, REPORT_STORE_UNTIL);
	ok(group(r, "vip")->f.csat_satisfied == 1 && group(r, "standard")->f.ces_n == 1, "by tier: vip and standard");
	report_free(r);
	r = make(REPORT_BY_LOCALE, REPORT_STORE_SINCE, REPORT_STORE_UNTIL);
	ok(group(r, "de")->f.opened == 3 && group(r, "ar")->f.backlog_overdue == 1, "by locale: de 3 opened, ar overdue");
	report_free(r);
	r = make(REPORT_BY_PRIORITY, REPORT_STORE_SINCE, REPORT_STORE_UNTIL);
	ok(group(r, "urgent")->f.resolution_due == 1 && group(r, "urgent")->f.resolution_kept == 0, "by priority: urgent late");
	report_free(r);
	r = make(REPORT_BY_CALENDAR, REPORT_STORE_SINCE, REPORT_STORE_UNTIL);
	ok(r->n_groups == 2 && group(r, "office")->f.opened == 8 && group(r, "(none)")->f.opened == 1,
	   "by calendar: office (support), (none) (billing)");
	report_free(r);
}

static void check_no_data(void)
{
	struct report *r = make(REPORT_BY_QUEUE, M(-400, 0, 0), M(-393, 0, 0));
	const struct report_figures *f = &r->total;
	bool none = true;

	ok(f->opened == 0 && f->resolved == 0 && f->first_response[REPORT_BUSINESS].n == 0 &&
	   f->first_response[REPORT_BUSINESS].median == 0 && f->resolution_due == 0, "a window of 2025: no figures");
	for (int k = 0; k < REPORT_KPI_COUNT; k++)
		none = none && report_kpi(f, k, &r->params.targets).status == REPORT_NO_DATA;
	ok(none, "every headline says no data");
	ok(r->n_weeks >= 1 && r->n_agents == 0, "its weeks, no agents");
	is_int(f->backlog_open, 4, "the backlog is now's, whatever the window");
	report_free(r);
	{
		struct report_params p = { .since = 10, .until = 10, .now = 20, .zone = "UTC" };
		char *error = NULL;
		ok(report_compute(st, s, &p, &error) == NULL && error && strstr(error, "empty"), "an empty window is refused");
		g_free(error);
		error = NULL;
		p.until = 20;
		p.zone = "Mars/Olympus";
		ok(report_compute(st, s, &p, &error) == NULL && error && strstr(error, "Mars/Olympus"),
		   "an unknown zone is refused");
		g_free(error);
	}
}

int main(void)
{
	char *dir = g_dir_make_tmp("tm-report-XXXXXX", NULL);

	s = report_store_create(dir, &st);
	if (s == NULL) {
		printf("Bail out! the test store could not be made\n");
		return 1;
	}
	check_business_time();
	check_totals();
	check_weeks();
	check_groups();
	check_no_data();
	store_close(st);
	settings_unref(s);
	{
		char *cmd = g_strdup_printf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
		g_free(cmd);
	}
	g_free(dir);
	return tap_done();
}
