/*
 * schedule.h - the store's table of scheduled mail: one row per thing
 * to send at a time (a reminder of a ticket's promise at 75% of its
 * budget), which the daemon's scheduler sends when it falls due.
 * Room: store.
 *
 * A row is (ticket, kind, level, target), unique, so planning the same
 * thing twice adds nothing.  Its life:
 *
 *   due -> claimed -> sent | failed        the scheduler sends it
 *   due <-> paused                         the ticket waits for its customer
 *   due | paused -> cancelled              what it was about is over
 *
 * Claiming is one UPDATE of rows still 'due' (or claimed under a lease
 * that ran out) in its own transaction, with the claimant's name and a
 * lease; the send records 'sent' only while the claim is still its own
 * (store_schedule_finish), in the transaction that queues the mail.
 * Several daemons on one store so send each row once, and a row whose
 * sender died mid-way is claimed again when its lease runs out.
 *
 * Only the next rows by send_at are read (an index), never every
 * ticket.  Same conventions as store.h: 0 / -1, lookups 1 / 0 / -1,
 * store_error() after -1.
 */
#ifndef TM_SCHEDULE_H
#define TM_SCHEDULE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"

struct schedule_entry {
	int64_t id;
	int64_t ticket_id;	/* 0: about no ticket */
	char *kind;		/* "remind-first-response", ... (scheduled_mail.h) */
	int level;		/* percent of the budget, or the kind's own number */
	char *target;		/* what else the row is unique by ("" when nothing) */
	bool wall;		/* its clock counts wall-clock minutes, not business ones */
	int64_t budget;		/* minutes of the promise the level is a share of */
	int64_t at;		/* when it falls due on its clock; 0 while paused */
	int64_t send_at;	/* when it may go (at, or the next opening); 0 while paused */
	int64_t remaining;	/* paused: minutes of its clock left until it falls due */
	char *state;		/* due, paused, claimed, sent, cancelled, failed */
	char *claimed_by;
	int64_t lease_until;
	int64_t created;
	int64_t done;		/* sent, cancelled or failed at; 0 */
	char *detail;		/* to whom it went, or why not */
};

/* Adds e (state due, or paused when e->state says so) unless a row of the
 * same ticket, kind, level and target exists: 1 added (e->id set), 0
 * there already, -1 error.  Remembers the earliest send_at added (see
 * store_schedule_take_first). */
int store_schedule_add(struct store *st, struct schedule_entry *e);
/* The rows of a ticket still to send (due or paused), by id; NULL on
 * error.  struct schedule_entry *, freed with the array. */
GPtrArray *store_schedule_of_ticket(struct store *st, int64_t ticket_id);
/* due -> paused with the minutes left; paused -> due at a new time.  1
 * changed, 0 it was not in the state to change from. */
int store_schedule_pause(struct store *st, int64_t id, int64_t remaining);
int store_schedule_resume(struct store *st, int64_t id, int64_t at, int64_t send_at);
/* due or paused -> cancelled (nothing to send any more), with why. */
int store_schedule_cancel(struct store *st, int64_t id, int64_t now, const char *why);

/* When the next row may go: the earliest send_at of a due row, or the
 * end of a lease that will run out; 0 when nothing waits. */
int store_schedule_next(struct store *st, int64_t *when);
/* Claims up to limit rows due at now (and rows whose lease ran out) for
 * owner until now + lease_seconds, in a transaction of its own; returns
 * them (NULL on error), earliest first. */
GPtrArray *store_schedule_claim(struct store *st, const char *owner, int64_t now, int64_t lease_seconds, int limit);
/* claimed -> state ("sent", "failed", "cancelled") with detail, if the
 * claim is still owner's: 1 done, 0 it is not (the lease ran out and
 * someone else took it: the caller rolls back what it did for it). */
int store_schedule_finish(struct store *st, int64_t id, const char *owner, const char *state, int64_t now,
			  const char *detail);
/* claimed -> due again, if the claim is still owner's (the ticket
 * changed under it: scheduled_mail.h puts it in step).  1, 0 or -1. */
int store_schedule_release(struct store *st, int64_t id, const char *owner);

/* The earliest send_at this connection added since last asked, and
 * forgets it; 0 for none.  The engine hands it to the daemon, which
 * wakes its scheduler when it is sooner than what it waits for. */
int64_t store_schedule_take_first(struct store *st);

/* Tickets with a promise still running (new or open; first response not
 * yet given, or a resolution due) due before until, as ids, soonest
 * first; NULL on error.  For ticketctl due. */
GArray *store_tickets_promised_before(struct store *st, int64_t until);

void schedule_entry_clear(struct schedule_entry *e);
void schedule_entry_free(gpointer p);

#endif
