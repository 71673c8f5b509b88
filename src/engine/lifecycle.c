/*
 * lifecycle.c - ticket states and agent commands (see lifecycle.h).
 * Room: engine.
 */
#include "config.h"
#include "engine/lifecycle.h"
#include "engine/scheduled_mail.h"
#include "engine/sla_policy.h"
#include "util/addr.h"
#include "trust/agent_auth.h"
#include "commands/commands.h"
#include "trust/token.h"

#include <string.h>

static const char *const statuses[] = { "new", "open", "pending", "resolved", "closed" };

bool lifecycle_status_valid(const char *status)
{
	for (size_t i = 0; i < G_N_ELEMENTS(statuses); i++)
		if (g_strcmp0(status, statuses[i]) == 0)
			return true;
	return false;
}

static int event(struct store *st, const struct store_ticket *t, int64_t now, const char *actor,
		 const char *kind, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int event(struct store *st, const struct store_ticket *t, int64_t now, const char *actor,
		 const char *kind, const char *fmt, ...)
{
	va_list ap;
	char *detail;
	int rc;

	va_start(ap, fmt);
	detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	rc = store_event_add(st, t->id, now, actor, kind, detail);
	g_free(detail);
	return rc;
}

static const struct queue *queue_of(const struct settings *s, const struct store_ticket *t)
{
	for (size_t i = 0; s && i < s->n_queues; i++)
		if (g_strcmp0(s->queues[i].id, t->queue) == 0)
			return &s->queues[i];
	return NULL;
}

int lifecycle_set_status(const struct settings *s, struct store *st, struct store_ticket *t, const char *status,
			 const char *actor, int64_t now, bool *resolved)
{
	const struct queue *q = queue_of(s, t);
	char *old;

	if (resolved)
		*resolved = false;
	if (strcmp(t->status, status) == 0)
		return 0;
	/* Waiting for the customer stops the SLA clock; leaving pending moves
	 * the due times on by what the wait took of their clocks. */
	if (strcmp(t->status, "pending") == 0 && t->paused_at) {
		if (q) {
			sla_policy_resume(q, t, now);
		} else {
			/* The queue is gone from the configuration: its calendars too. */
			int64_t waited = now - t->paused_at;
			if (t->first_response_due && !t->first_response_at)
				t->first_response_due += waited;
			if (t->resolution_due)
				t->resolution_due += waited;
		}
		t->paused_at = 0;
	}
	if (strcmp(status, "pending") == 0)
		t->paused_at = now;
	if (strcmp(status, "resolved") == 0) {
		t->resolved_at = now;
		if (resolved)
			*resolved = true;
	} else if (strcmp(status, "closed") != 0) {
		t->resolved_at = 0;
	}
	old = t->status;
	t->status = g_strdup(status);
	if (store_ticket_save(st, t, now) != 0 || event(st, t, now, actor, "status", "%s -> %s", old, status) != 0 ||
	    scheduled_ticket_changed(s, st, t, now) != 0) {
		g_free(old);
		return -1;
	}
	g_free(old);
	return 0;
}

int lifecycle_first_response(const struct settings *s, struct store *st, struct store_ticket *t, const char *agent,
			     int64_t now)
{
	if (t->first_response_at)
		return 0;
	t->first_response_at = now;
	t->first_response_kept = t->first_response_due ? now <= t->first_response_due : -1;
	if (store_ticket_save(st, t, now) != 0 ||
	    event(st, t, now, agent, "first-response", "%s", t->first_response_kept == 0 ? "promise missed" :
		  t->first_response_kept == 1 ? "promise kept" : "no promise") != 0 ||
	    scheduled_ticket_changed(s, st, t, now) != 0)
		return -1;
	return strcmp(t->status, "new") == 0 ? lifecycle_set_status(s, st, t, "open", agent, now, NULL) : 0;
}

static bool zone_valid(const char *zone)
{
	GTimeZone *tz = g_time_zone_new_identifier(zone);

	if (tz)
		g_time_zone_unref(tz);
	return tz != NULL;
}

static int set_text(char **field, const char *value)
{
	g_free(*field);
	*field = g_strdup(value);
	return 0;
}

/* Why address may not join a ticket of q, or NULL when it may. */
static const char *cc_refused(const struct settings *s, const struct queue *q, const char *address)
{
	if (q == NULL)
		return "the ticket's queue is no longer configured";
	if (settings_queue_for(s, address, NULL) != NULL)
		return "a queue address: mail to it would open tickets";
	if (agent_of_queue(q, address))
		return "an agent of the queue: agents get notes, not the customer's replies";
	return NULL;
}

/* #cc ADDRESS adds a participant, who then gets the agents' replies;
 * #cc -ADDRESS removes one.  Returns as lifecycle_apply. */
static int set_participant(const struct settings *s, struct store *st, const struct store_ticket *t,
			   const char *arg, int64_t now, const char **why)
{
	const struct queue *q = queue_of(s, t);
	bool removal = arg[0] == '-';
	char *a = addr_normalize(removal ? arg + 1 : arg);
	int rc, count = 0;

	if (a == NULL || !addr_is_safe(a) || strchr(a, '@') == NULL) {
		*why = "not an address";
		rc = 1;
	} else if (removal) {
		if (addr_equal(a, t->customer_address)) {
			*why = "the customer cannot be removed";
			rc = 1;
		} else if ((rc = store_participant_remove(st, t->id, a)) == 0) {
			*why = "not a participant";
			rc = 1;
		} else if (rc == 1) {
			rc = 0;
		}
	} else if ((*why = cc_refused(s, q, a)) != NULL) {
		rc = 1;
	} else if ((rc = store_is_participant(st, t->id, a)) != 0) {
		rc = rc < 0 ? -1 : 0;	/* there already */
	} else if (store_participant_count(st, t->id, &count) != 0) {
		rc = -1;
	} else if (count >= q->max_participants) {
		*why = "the ticket has as many participants as max-participants allows";
		rc = 1;
	} else {
		rc = store_participant_add(st, t->id, a, NULL, "cc", now);
	}
	g_free(a);
	return rc;
}

/* #problem NAME links the ticket to that problem of its queue, which the
 * first link creates; #problem -NAME unlinks it; #problem none unlinks
 * every one.  *done (g_free) is what was done, for the event.  Returns
 * as lifecycle_apply. */
static int set_problem(struct store *st, const struct store_ticket *t, const char *arg, const char *agent,
		       int64_t now, char **done, const char **why)
{
	bool removal = arg[0] == '-';
	char *name;
	int rc;

	if (g_ascii_strcasecmp(arg, "none") == 0) {
		*done = g_strdup("none");
		return store_problem_unlink_all(st, t->id) < 0 ? -1 : 0;
	}
	name = commands_problem_name(removal ? arg + 1 : arg);
	if (name == NULL) {
		*why = "not a problem name: up to 40 letters, digits and inner hyphens, like printer-firmware";
		return 1;
	}
	rc = removal ? store_problem_unlink(st, t->queue, name, t->id)
		     : store_problem_link(st, t->queue, name, t->id, agent, now);
	if (rc < 0 || (removal && rc == 0)) {
		g_free(name);
		*why = "the ticket is not linked to that problem";
		return rc < 0 ? -1 : 1;
	}
	*done = removal ? g_strconcat("-", name, NULL) : g_strdup(name);
	g_free(name);
	return 0;
}

int lifecycle_apply(const struct settings *s, struct store *st, struct store_ticket *t,
		    const struct agent_command *cmd, const char *agent, int64_t now, bool *resolved,
		    const char **why)
{
	const char *arg = cmd->arg ? cmd->arg : "";
	enum priority prio;
	int rc;

	*why = NULL;
	if (resolved)
		*resolved = false;
	if (strcmp(cmd->name, "status") == 0) {
		if (!lifecycle_status_valid(arg))
			return (*why = "unknown status"), 1;
		return lifecycle_set_status(s, st, t, arg, agent, now, resolved);
	}
	if (strcmp(cmd->name, "priority") == 0) {
		if (!ticket_priority_parse(arg, &prio))
			return (*why = "unknown priority"), 1;
		set_text(&t->priority, ticket_priority_name(prio));
	} else if (strcmp(cmd->name, "assign") == 0) {
		char *a = addr_normalize(arg);
		if (a == NULL || !addr_is_safe(a)) {
			g_free(a);
			return (*why = "not an address"), 1;
		}
		g_free(t->assignee);
		t->assignee = a;
	} else if (strcmp(cmd->name, "lang") == 0) {
		set_text(&t->locale, arg);
		if (store_customer_set_locale(st, t->customer_address, arg) != 0)
			return -1;
	} else if (strcmp(cmd->name, "tz") == 0) {
		if (!zone_valid(arg))
			return (*why = "unknown time zone"), 1;
		if (store_customer_set_timezone(st, t->customer_address, arg) != 0)
			return -1;
	} else if (strcmp(cmd->name, "tier") == 0) {
		if (store_customer_set_tier(st, t->customer_address, arg) != 0)
			return -1;
	} else if (strcmp(cmd->name, "merge") == 0) {
		struct ticket_ref ref;
		struct store_ticket into = { 0 };
		if (!ticket_ref_parse(arg, &ref))
			return (*why = "not a ticket id"), 1;
		rc = store_ticket_by_number(st, ref.tag, ref.number, &into);
		if (rc != 1 || into.id == t->id) {
			store_ticket_clear(&into);
			return rc < 0 ? -1 : ((*why = "no such ticket"), 1);
		}
		/* Its replies would carry one queue's tag and another's
		 * headers, and thread into neither. */
		if (g_strcmp0(into.queue, t->queue) != 0) {
			store_ticket_clear(&into);
			return (*why = "a ticket of another queue: merge only within a queue"), 1;
		}
		t->merged_into = into.id;
		store_ticket_clear(&into);
		if (lifecycle_set_status(s, st, t, "closed", agent, now, NULL) != 0)
			return -1;
	} else if (strcmp(cmd->name, "cc") == 0) {
		if ((rc = set_participant(s, st, t, arg, now, why)) != 0)
			return rc;
	} else if (strcmp(cmd->name, "problem") == 0) {
		char *done = NULL;
		if ((rc = set_problem(st, t, arg, agent, now, &done, why)) != 0)
			return rc;
		rc = store_ticket_save(st, t, now) != 0 || event(st, t, now, agent, cmd->name, "%s", done) != 0 ? -1 : 0;
		g_free(done);
		return rc;
	} else if (strcmp(cmd->name, "note") == 0) {
		return 0;	/* decides delivery, changes nothing on the ticket */
	} else {
		return (*why = "unknown command"), 1;
	}
	if (store_ticket_save(st, t, now) != 0 ||
	    event(st, t, now, agent, cmd->name, "%s", arg) != 0)
		return -1;
	return 0;
}

int lifecycle_autoclose(const struct settings *s, struct store *st, int64_t now)
{
	GArray *ids;
	int closed = 0;

	if (s->close_after_seconds <= 0)
		return 0;
	if (store_begin(st) != 0)
		return -1;
	ids = store_tickets_resolved_before(st, now - s->close_after_seconds);
	for (guint i = 0; ids && i < ids->len; i++) {
		struct store_ticket t = { 0 };
		int rc = store_ticket_by_id(st, g_array_index(ids, int64_t, i), &t);
		if (rc == 1)
			rc = lifecycle_set_status(s, st, &t, "closed", "ticket-milter", now, NULL) == 0 ? 1 : -1;
		store_ticket_clear(&t);
		if (rc < 0) {
			g_array_free(ids, TRUE);
			store_rollback(st);
			return -1;
		}
		closed++;
	}
	if (ids)
		g_array_free(ids, TRUE);
	if (ids == NULL || store_commit(st) != 0) {
		store_rollback(st);
		return -1;
	}
	return closed;
}
