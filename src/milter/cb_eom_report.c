/*
 * cb_eom_report.c - what became of a message, in the log (see
 * cb_eom_report.h): intake.c words each line, this writes it under the
 * MTA's queue id.  Room: milter.
 */
#include "config.h"
#include "milter/cb_eom_report.h"
#include "engine/intake.h"
#include "util/log.h"

void eom_report(const struct eom *e, const struct engine_result *r)
{
	gint64 now = g_get_monotonic_time();
	int priority;
	char *line = intake_outcome_line(r, e->msg, now - e->started, now - e->eom_started, &priority);

	log_write(priority, e->env->queue_id, "%s", line);
	g_free(line);
}

void eom_report_spoof(const struct eom *e, const struct engine_result *r)
{
	char *line = intake_spoof_line(r, e->msg, e->env);

	if (line)
		log_write(LOG_WARNING, e->env->queue_id, "%s", line);
	g_free(line);
}
