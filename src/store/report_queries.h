/*
 * report_queries.h - what the manager's report (src/report, ticketctl
 * report) reads from the store.  Room: store.
 *
 * Two reads in one read transaction, so that the figures agree with
 * each other: the tickets that matter to a window [since, until), each
 * with the events its figures are computed from, and the tickets open
 * now (the backlog).  Only indexed paths are taken (schema 6 added the
 * window's indexes): a window's tickets are those opened, resolved,
 * due, replied to or reopened in it.  Rows are handed to a callback one
 * ticket at a time, in ticket order, so that memory stays bounded by
 * what the caller keeps; strings are valid during the call only.
 */
#ifndef TM_REPORT_QUERIES_H
#define TM_REPORT_QUERIES_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* An event of a window's ticket: "reply" (an agent's reply to the
 * customer; actor the agent), "reopened", or "status" (detail
 * "open -> pending"), in the order they happened. */
struct store_report_event {
	int64_t at;
	const char *kind;
	const char *actor;
	const char *detail;	/* "" when none */
};

/* A ticket as the report reads it; times are Unix seconds, 0 for none. */
struct store_report_ticket {
	int64_t id;
	const char *queue;
	const char *tag;
	long number;
	const char *subject;	/* backlog rows only; "" in window rows */
	const char *status;
	const char *priority;
	const char *locale;	/* NULL when none */
	const char *tier;	/* the customer's, NULL when none */
	const char *assignee;	/* NULL when none */
	const char *first_agent;	/* who sent the first reply, NULL when none */
	int64_t created;
	int64_t first_response_at;
	int64_t first_response_due;
	int64_t resolution_due;
	int64_t resolved_at;
	int64_t paused_at;
	int64_t merged_into;
	const char *rating_scale;	/* "csat", "nps", "ces", or NULL: not rated */
	int rating;
	const struct store_report_event *events;	/* window rows only */
	size_t n_events;
};

/* 0 to go on; anything else stops the read and is returned. */
typedef int (*store_report_fn)(const struct store_report_ticket *t, void *data);

/* Calls window for each ticket of [since, until) and then backlog for
 * each ticket now new, open or pending.  Returns 0, the first non-zero
 * value a callback returned, or -1 on a database error (store_error()). */
int store_report_read(struct store *st, int64_t since, int64_t until, store_report_fn window, store_report_fn backlog,
		      void *data);

#endif
