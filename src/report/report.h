/*
 * report.h - the manager's report: the service figures of a window
 * (first response, resolution, SLA attainment, first-contact
 * resolution, backlog, satisfaction, agents' load), in total, per group
 * of one breakdown and week by week.  Room: report.
 *
 * The report reads and decides nothing: report_compute() reads the store
 * (store/report_queries.h) once and computes one struct report; writers
 * turn that same structure into text, JSON, CSV or HTML (report_write.h),
 * and report_charts.h describes its charts as data, for SVG here and for
 * any other renderer (a PNG for mail).  Each figure's definition is in
 * ticketctl(8), REPORT FIGURES; the code below follows it.
 *
 * Business time is measured with the calendars of the ticket's queue
 * (calendar.h); a queue without calendars, or one no longer configured,
 * counts wall-clock time.  Weeks start on Monday at 00:00 in the
 * report's zone.
 */
#ifndef TM_REPORT_H
#define TM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/settings.h"
#include "store/store.h"

enum report_by {
	REPORT_BY_NONE,
	REPORT_BY_QUEUE,
	REPORT_BY_AGENT,	/* the assignee, else who replied first */
	REPORT_BY_LOCALE,
	REPORT_BY_TIER,		/* the customer's */
	REPORT_BY_PRIORITY,
	REPORT_BY_CALENDAR,	/* the queue's calendars */
};

/* The headline figures that have a target. */
enum report_kpi {
	REPORT_KPI_FIRST_RESPONSE_SLA,	/* % of first responses due that were kept */
	REPORT_KPI_RESOLUTION_SLA,	/* % of resolutions due that were kept */
	REPORT_KPI_FCR,			/* % first-contact resolution */
	REPORT_KPI_CSAT,		/* % of csat ratings 4 or 5 */
	REPORT_KPI_NPS,			/* promoters - detractors, -100 to 100 */
	REPORT_KPI_CES,			/* mean of ces ratings, 1 to 7 */
	REPORT_KPI_COUNT,
};

enum report_status { REPORT_NO_DATA, REPORT_ON_TARGET, REPORT_NEAR_TARGET, REPORT_BELOW_TARGET };

struct report_targets {
	double value[REPORT_KPI_COUNT];
};

struct report_params {
	int64_t since, until;	/* the window [since, until), Unix seconds */
	int64_t now;		/* what is overdue, and what is not yet due */
	enum report_by by;
	const char *zone;	/* IANA zone of weeks and dates; NULL: UTC */
	const char *locale;	/* of dates in the writers (ICU); NULL: en */
	struct report_targets targets;
};

/* Durations in seconds; n == 0: no data (the rest 0). */
struct report_duration {
	long n;
	double median, p90, mean;
};

enum report_clock { REPORT_BUSINESS, REPORT_WALL, REPORT_CLOCKS };

/* Backlog age bands: under 1 day, 1-3, 3-7, 7-30, 30 days and over. */
#define REPORT_AGE_BANDS 5

struct report_figures {
	long opened, merged, resolved, reopened;
	struct report_duration first_response[REPORT_CLOCKS];
	struct report_duration resolution[REPORT_CLOCKS];
	long first_response_due, first_response_kept;
	long resolution_due, resolution_kept;
	long fcr_eligible, fcr;			/* resolved with a reply; of them, first-contact */
	long rated;				/* resolved tickets with a rating on any scale */
	long csat_n, csat_sum, csat_satisfied;	/* satisfied: 4 or 5 */
	long nps_n, nps_promoters, nps_detractors;	/* 9-10, 0-6 */
	long ces_n, ces_sum;
	long replies, replied_tickets;
	/* now, not in the window: */
	long backlog_open, backlog_pending, backlog_overdue;
	long backlog_age[REPORT_AGE_BANDS];
};

struct report_group {
	char *key;		/* "support", "de", "(none)" */
	struct report_figures f;
};

struct report_week {
	int64_t start, end;	/* the week clipped to the window */
	struct report_figures f;	/* no backlog */
};

struct report_agent {
	char *address;
	long replies;		/* replies sent in the window */
	long tickets;		/* tickets they replied to in the window */
};

/* An open ticket past a due time whose clock runs. */
struct report_overdue {
	char *ticket;		/* "SUP-1042" */
	char *subject;
	char *queue;
	char *status;
	char *priority;
	char *assignee;		/* NULL when none */
	const char *what;	/* "first response" or "resolution" (static) */
	int64_t due;
};

/* The most overdue tickets a report lists; it counts them all. */
#define REPORT_OVERDUE_MAX 100

struct report {
	struct report_params params;	/* zone and locale owned */
	struct report_figures total;
	struct report_group *groups;	/* by params.by, sorted by key; none for REPORT_BY_NONE */
	size_t n_groups;
	struct report_week *weeks;	/* every week the window touches, in order */
	size_t n_weeks;
	struct report_agent *agents;	/* most replies first */
	size_t n_agents;
	struct report_overdue *overdue;	/* most overdue first, at most REPORT_OVERDUE_MAX */
	size_t n_overdue;
};

/* One target's figure: whether there is data, its value (percent, NPS
 * points or the CES mean), and how it stands against the target. */
struct report_kpi_value {
	bool has;
	double value;
	long n;			/* what it is computed from */
	enum report_status status;
};

/* The default targets (ticketctl(8)): 90 % of first responses and of
 * resolutions within the SLA, 70 % first-contact resolution, 85 %
 * satisfied, NPS 30, CES 5.5. */
void report_targets_default(struct report_targets *t);
/* "first-response-sla", ... (the names of --target); false when unknown. */
bool report_kpi_parse(const char *name, enum report_kpi *k);
const char *report_kpi_name(enum report_kpi k);
const char *report_kpi_title(enum report_kpi k);	/* "First response within SLA" */
const char *report_kpi_unit(enum report_kpi k);	/* "%", "", "/ 7" */
struct report_kpi_value report_kpi(const struct report_figures *f, enum report_kpi k, const struct report_targets *t);
/* "on target", "near target", "below target", "no data". */
const char *report_status_text(enum report_status s);

/* "queue", "agent", ...; NULL for REPORT_BY_NONE.  Parse: false when unknown. */
const char *report_by_name(enum report_by by);
bool report_by_parse(const char *name, enum report_by *by);

/* part / whole as a percentage, or a negative value when whole is 0. */
double report_percent(long part, long whole);
/* x rounded to one decimal, as every writer shows a figure. */
double report_round1(double x);

/* Reads the store and computes the report.  NULL with *error (g_free)
 * on a store error or a zone GLib does not know. */
struct report *report_compute(struct store *st, const struct settings *s, const struct report_params *p,
			      char **error);
void report_free(struct report *r);

#endif
