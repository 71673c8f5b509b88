/*
 * report_kpi.c - the headline figures of a report against their targets,
 * and the names of breakdowns and figures (report.h).  Room: report.
 */
#include "config.h"
#include "report/report.h"

#include <glib.h>
#include <string.h>

struct kpi_info {
	const char *name;	/* of --target and JSON */
	const char *title;
	const char *unit;
	double fallback;	/* the default target */
	double near;		/* how far below the target still counts as near it */
};

static const struct kpi_info kpis[REPORT_KPI_COUNT] = {
	[REPORT_KPI_FIRST_RESPONSE_SLA] = { "first-response-sla", "First response within SLA", "%", 90, 5 },
	[REPORT_KPI_RESOLUTION_SLA] = { "resolution-sla", "Resolution within SLA", "%", 90, 5 },
	[REPORT_KPI_FCR] = { "fcr", "First-contact resolution", "%", 70, 5 },
	[REPORT_KPI_CSAT] = { "csat", "Satisfied customers (CSAT 4-5)", "%", 85, 5 },
	[REPORT_KPI_NPS] = { "nps", "Net promoter score", "", 30, 10 },
	[REPORT_KPI_CES] = { "ces", "Customer effort (CES, 7 easiest)", "/ 7", 5.5, 0.5 },
};

static const char *const by_names[] = {
	[REPORT_BY_NONE] = NULL,	  [REPORT_BY_QUEUE] = "queue",	     [REPORT_BY_AGENT] = "agent",
	[REPORT_BY_LOCALE] = "locale",	  [REPORT_BY_TIER] = "tier",	     [REPORT_BY_PRIORITY] = "priority",
	[REPORT_BY_CALENDAR] = "calendar",
};

void report_targets_default(struct report_targets *t)
{
	for (int k = 0; k < REPORT_KPI_COUNT; k++)
		t->value[k] = kpis[k].fallback;
}

bool report_kpi_parse(const char *name, enum report_kpi *k)
{
	for (int i = 0; i < REPORT_KPI_COUNT; i++)
		if (g_strcmp0(name, kpis[i].name) == 0) {
			*k = (enum report_kpi)i;
			return true;
		}
	return false;
}

const char *report_kpi_name(enum report_kpi k)
{
	return kpis[k].name;
}

const char *report_kpi_title(enum report_kpi k)
{
	return kpis[k].title;
}

const char *report_kpi_unit(enum report_kpi k)
{
	return kpis[k].unit;
}

double report_round1(double x)
{
	return (double)(int64_t)(x * 10 + (x >= 0 ? 0.5 : -0.5)) / 10;
}

double report_percent(long part, long whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : -1;
}

struct report_kpi_value report_kpi(const struct report_figures *f, enum report_kpi k, const struct report_targets *t)
{
	struct report_kpi_value v = { .status = REPORT_NO_DATA };

	switch (k) {
	case REPORT_KPI_FIRST_RESPONSE_SLA:
		v.n = f->first_response_due;
		v.value = report_percent(f->first_response_kept, v.n);
		break;
	case REPORT_KPI_RESOLUTION_SLA:
		v.n = f->resolution_due;
		v.value = report_percent(f->resolution_kept, v.n);
		break;
	case REPORT_KPI_FCR:
		v.n = f->fcr_eligible;
		v.value = report_percent(f->fcr, v.n);
		break;
	case REPORT_KPI_CSAT:
		v.n = f->csat_n;
		v.value = report_percent(f->csat_satisfied, v.n);
		break;
	case REPORT_KPI_NPS:
		v.n = f->nps_n;
		v.value = v.n ? 100.0 * (double)(f->nps_promoters - f->nps_detractors) / (double)v.n : 0;
		break;
	case REPORT_KPI_CES:
		v.n = f->ces_n;
		v.value = v.n ? (double)f->ces_sum / (double)v.n : 0;
		break;
	default:
		return v;
	}
	v.has = v.n > 0;
	if (!v.has) {
		v.value = 0;
		return v;
	}
	/* Compared as shown (one decimal), so that "90.0 %" is never below
	 * a target of 90. */
	{
		double shown = report_round1(v.value), target = t->value[k];
		v.status = shown >= target ? REPORT_ON_TARGET
			   : shown >= target - kpis[k].near ? REPORT_NEAR_TARGET : REPORT_BELOW_TARGET;
	}
	return v;
}

const char *report_status_text(enum report_status s)
{
	switch (s) {
	case REPORT_ON_TARGET: return "on target";
	case REPORT_NEAR_TARGET: return "near target";
	case REPORT_BELOW_TARGET: return "below target";
	default: return "no data";
	}
}

const char *report_by_name(enum report_by by)
{
	return by < G_N_ELEMENTS(by_names) ? by_names[by] : NULL;
}

bool report_by_parse(const char *name, enum report_by *by)
{
	for (size_t i = 1; i < G_N_ELEMENTS(by_names); i++)
		if (g_strcmp0(name, by_names[i]) == 0) {
			*by = (enum report_by)i;
			return true;
		}
	return false;
}
