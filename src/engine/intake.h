/*
 * intake.h - what every front end does with one message around the
 * engine, so that the milter, the content filter and ticketctl deliver
 * decide alike.  Room: engine.
 *
 * Reading the spooled message within the [milter] max-* limits, what
 * on-error and on-limit answer (as an action and an SMTP reply the front
 * end translates into its own protocol), and the log line of each
 * outcome.  Nothing here knows which front end called it, and nothing
 * logs: the lines are returned.  Which queue an envelope is for is the
 * engine's own question (engine_choose_queue in engine.h).
 */
#ifndef TM_INTAKE_H
#define TM_INTAKE_H

#include <glib.h>
#include <stdbool.h>
#include "config/settings.h"
#include "engine/engine_result.h"
#include "mime/message.h"

struct spool;

/* The [milter] max-* keys as the parser's limits. */
void intake_limits(const struct settings *s, struct message_limits *lim);

enum intake_action {
	INTAKE_GO_ON,		/* record it */
	INTAKE_ACCEPT,		/* pass it untouched, unrecorded */
	INTAKE_REJECT,		/* refuse it (5xx) */
	INTAKE_TEMPFAIL,	/* 4xx: the MTA keeps it and tries again */
};

struct intake_reply {
	enum intake_action action;
	const char *code, *xcode, *text;	/* static; for REJECT and TEMPFAIL */
	int priority;				/* syslog priority of log */
	char *log;				/* the line to log (g_free), or NULL */
};

/* A message that could not be recorded (store, spool, a change the MTA
 * refused): [milter] on-error.  cause says what failed. */
void intake_on_error(const struct settings *s, const char *cause, struct intake_reply *r);

/* A message over a limit: [milter] on-limit.  what: the limits in words
 * (message_describe); size: over max-message-size. */
void intake_on_limit(const struct settings *s, const char *what, bool size, struct intake_reply *r);

/* Parses the spooled message within the limits.  r->action says whether
 * to record it (INTAKE_GO_ON, with r->log a note of what was repaired,
 * if anything) or what on-limit decided.  Never returns NULL
 * (message_free). */
struct message *intake_read(const struct settings *s, struct spool *sp, struct intake_reply *r);

void intake_reply_clear(struct intake_reply *r);

/* The line that says what became of a message the engine took (every
 * outcome): the ticket, the rule, the evidence, the acknowledgement.
 * elapsed_us runs from MAIL FROM, eom_us from the end of the message.
 * *priority receives its syslog priority.  g_free. */
char *intake_outcome_line(const struct engine_result *r, const struct message *msg,
			  gint64 elapsed_us, gint64 eom_us, int *priority);

/* A warning line when an agent's address came without authentication
 * (r->spoof), else NULL.  g_free. */
char *intake_spoof_line(const struct engine_result *r, const struct message *msg, const struct envelope *env);

#endif
