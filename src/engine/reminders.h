/*
 * reminders.h - reminders and escalation of a promise by mail: two kinds
 * of scheduled mail (scheduled_mail.h), one per target of a ticket.
 * Room: engine.
 *
 * When a ticket's promise is made, each level of its SLA's remind (or
 * remind-first-response, remind-resolution: settings_agents.h) becomes
 * a row at that share of the target's budget, counted on the target's
 * clock from the promise (business time: only while a calendar of the
 * queue is open; never while the ticket is pending).  A level that falls
 * due while every calendar is closed waits for the next opening, so
 * nobody is mailed at 3 a.m.
 *
 * When it goes, each recipient of the level gets a short mail in their
 * own language (templates/LOCALE/reminder.txt; [agent] locale, else the
 * queue's default locale): the ticket's tag and subject, the time left or
 * how late it is in business time, the promised time in their zone, the
 * customer and the last message's excerpt, with Reply-To the ticket's
 * signed gateway address, so that an agent answers the customer from it.
 * Recipients are read from the configuration then: "assignee" is the
 * ticket's assignee or, while nobody is assigned, the queue's agents;
 * "agents" the agents of the calendars open at that moment
 * ([calendar NAME] agents), else the queue's agents.  Each reminder is an
 * event of the ticket ("reminder").
 *
 * First-response reminders end with the first agent reply, all of them
 * when the ticket is resolved, closed or merged.
 */
#ifndef TM_REMINDERS_H
#define TM_REMINDERS_H

#include "engine/scheduled_mail.h"
#include "mime/message.h"

#define REMINDER_FIRST_RESPONSE "remind-first-response"
#define REMINDER_RESOLUTION "remind-resolution"

extern const struct scheduled_kind reminder_first_response_kind;
extern const struct scheduled_kind reminder_resolution_kind;

/* The recipients of level percent of ticket t's reminders of the given
 * kind at now, as the configuration s says (addresses, each once, safe
 * for SMTP); an empty array when the level names nobody who can be
 * mailed, NULL when the level is no longer configured. */
GPtrArray *reminder_recipients(const struct settings *s, const struct queue *q, const struct store_ticket *t,
			       const char *kind, int percent, int64_t now);

/* Whether msg answers one of our reminders (its In-Reply-To is one):
 * 1, 0, or -1 on a store error.  Its subject is then the reminder's,
 * which the customer should not read: the reply takes the ticket's. */
int reminder_answered(struct store *st, const struct message *msg);

#endif
