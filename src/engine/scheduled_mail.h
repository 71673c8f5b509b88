/*
 * scheduled_mail.h - mail sent at a time rather than in answer to a
 * message: the reminders of a promise (reminders.h), the customer's
 * delay notice (delay_notice.h), the nudge and resolution of a ticket
 * pending on its customer (pending.h) and the reports mailed to
 * managers (weekly_report.h).  Room: engine.
 *
 * Each kind plans rows in the store's schedule (schedule.h) when a
 * ticket's promise is made, says when a row no longer applies, and sends
 * a row that fell due.  This file does the rest, the same for every
 * kind: it keeps the rows of a ticket in step with it (a row whose clock
 * stops while the ticket waits for its customer is paused with what was
 * left of it, and resumed on the same clock when the wait ends; a row
 * that no longer applies is cancelled), and it claims the rows that fell
 * due and hands each to its kind inside one transaction with the mail it
 * queues, so that each goes once.
 *
 * A new kind of scheduled mail is a struct scheduled_kind (its rows'
 * kind name, whether its clock stops while pending, plan, changed,
 * obsolete, send) in a file of its own, with its composer in
 * src/compose and its templates, and one line in the table of kinds in
 * scheduled_mail.c.  A kind whose rows are about no ticket (a daily
 * digest to an agent: ticket 0, the agent as its target) plans its next
 * row when it sends one.
 *
 * Like the rest of the engine it returns errors and never logs; the
 * daemon's scheduler (src/daemon/scheduler.c) logs the outcomes.
 */
#ifndef TM_SCHEDULED_MAIL_H
#define TM_SCHEDULED_MAIL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "config/settings.h"
#include "store/schedule.h"
#include "store/store.h"

struct assets;

struct scheduled_kind {
	const char *name;		/* the rows' kind in the store */
	/* Its clock stops while the ticket waits for the customer (pending)
	 * and runs again, on the row's clock, when the wait ends. */
	bool stops_while_pending;
	/* Adds the rows for ticket t of queue q whose promise was just made
	 * (store_schedule_add); 0 or -1.  NULL: the kind plans elsewhere. */
	int (*plan)(const struct settings *s, struct store *st, const struct queue *q, const struct store_ticket *t,
		    int64_t now);
	/* Adds or ends rows when ticket t changed (a nudge planned when it
	 * becomes pending), after its rows were put in step; 0 or -1.  May
	 * be NULL. */
	int (*changed)(const struct settings *s, struct store *st, const struct queue *q, const struct store_ticket *t,
		       int64_t now);
	/* Why row e no longer applies to t as it is now (static), or NULL. */
	const char *(*obsolete)(const struct settings *s, const struct queue *q, const struct store_ticket *t,
				const struct schedule_entry *e);
	/* Queues the mail of row e (outbox, events) inside the caller's
	 * transaction, rendered with assets (as for acknowledge.h): 0 with
	 * *detail (g_free: to whom) when sent, 1 with *detail (why) when
	 * there was nothing to send, -1 with *error (g_free; starting
	 * "store:" when the store failed). */
	int (*send)(const struct settings *s, const struct assets *assets, struct store *st, const struct queue *q,
		    const struct store_ticket *t, const struct schedule_entry *e, int64_t now, char **detail,
		    char **error);
};

/* The kind of rows named name, or NULL. */
const struct scheduled_kind *scheduled_kind_named(const char *name);

/* A ticket's promise was made now (acknowledge.h): every kind plans its
 * rows.  Inside the caller's transaction; 0 or -1 (store_error). */
int scheduled_promise_made(const struct settings *s, struct store *st, const struct queue *q, int64_t ticket_id,
			   int64_t now);

/* t changed (status, first response: lifecycle.h): its rows are paused,
 * resumed or cancelled to match it.  Inside the caller's transaction;
 * 0 or -1 (store_error).  s NULL: nothing to do. */
int scheduled_ticket_changed(const struct settings *s, struct store *st, const struct store_ticket *t, int64_t now);

/* What became of one row the scheduler took. */
struct scheduled_outcome {
	char *what;		/* "SUP-1042 remind-first-response 75%" */
	const char *state;	/* sent, cancelled, failed, paused, or "retry" (the store failed: its lease runs out) */
	char *detail;		/* to whom, or why */
};
void scheduled_outcome_free(gpointer p);
/* The log line of an outcome (g_free) and its syslog *priority: sent is
 * information, failed an error, "retry" a warning, the rest debug. */
char *scheduled_outcome_line(const struct scheduled_outcome *o, int *priority);

/* How long a claim holds: a daemon that dies in the middle of a row
 * leaves it to be claimed again after this. */
#define SCHEDULED_LEASE_SECONDS 300
/* Rows claimed at once. */
#define SCHEDULED_BATCH 32

/* Plans the rows the configuration asks for (weekly_report.h), then
 * claims the rows due at now for owner (a name unique to this daemon)
 * and sends each in a transaction of its own, its mail rendered with
 * assets (as for acknowledge.h).  Appends a struct
 * scheduled_outcome per row to outcomes; *queued (may be NULL) counts
 * rows whose mail waits in the outbox.  Returns how many rows were
 * taken (SCHEDULED_BATCH: there may be more), or -1 when the claim
 * failed (store_error). */
int scheduled_run_due(const struct settings *s, const struct assets *assets, struct store *st, int64_t now,
		      const char *owner, GPtrArray *outcomes, int *queued);

#endif
