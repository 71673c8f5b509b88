/*
 * cb_eom_report.h - the log lines that say what became of a message at
 * end of message, written with the MTA's queue id: the outcome (the
 * ticket, the rule, the evidence, what was held back, the
 * acknowledgement and the time it took) and the warning for an agent's
 * address without the agent's authentication.  Their words are
 * intake.c's, the same for every front end; tests and operators grep
 * them.  Room: milter.
 */
#ifndef TM_CB_EOM_REPORT_H
#define TM_CB_EOM_REPORT_H

#include <glib.h>
#include "engine/engine.h"

/* One message at its end, as its log lines name it. */
struct eom {
	const struct envelope *env;	/* as the engine was given it: queue id, login, client */
	const struct message *msg;
	gint64 started;			/* monotonic µs at MAIL FROM: elapsed= includes the MTA's pace */
	gint64 eom_started;		/* monotonic µs at end of message: eom= is what the MTA waits for us */
};

/* The line for what the engine did with the message, once its changes
 * are with the MTA (or it is discarded or passed untouched). */
void eom_report(const struct eom *e, const struct engine_result *r);
/* The warning for an agent's address without the agent's
 * authentication, when r says so; nothing otherwise. */
void eom_report_spoof(const struct eom *e, const struct engine_result *r);

#endif
