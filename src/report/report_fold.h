/*
 * report_fold.h - the figures of a report as they are gathered, one
 * ticket at a time, and the weeks of its window (private to src/report).
 * Room: report.
 */
#ifndef TM_REPORT_FOLD_H
#define TM_REPORT_FOLD_H

#include <glib.h>

#include "report/report.h"

/* Counts as they come, and the durations until their medians are known. */
struct report_fold {
	struct report_figures f;
	GArray *first_response[REPORT_CLOCKS];	/* double seconds */
	GArray *resolution[REPORT_CLOCKS];
};

void report_fold_init(struct report_fold *fold);
void report_fold_clear(struct report_fold *fold);
struct report_fold *report_fold_new(void);
void report_fold_free(gpointer fold);

void report_fold_first_response(struct report_fold *fold, double business, double wall);
void report_fold_resolution(struct report_fold *fold, double business, double wall);
/* The counts, and the median, 90th percentile (nearest rank) and mean of
 * each duration, into out. */
void report_fold_finish(struct report_fold *fold, struct report_figures *out);

/* Fills r->weeks: every week (Monday 00:00 in r->params.zone) that the
 * window touches, clipped to it.  False with *error for an unknown zone
 * or an empty window. */
bool report_fold_weeks(struct report *r, char **error);
/* The fold of the week t falls in (weeks: one per r->weeks). */
struct report_fold *report_fold_week(const struct report *r, struct report_fold *weeks, int64_t t);

#endif
