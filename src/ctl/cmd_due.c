/*
 * cmd_due.c - `ticketctl due [--within 2h] [--json]`: the promises still
 * running, overdue first (the latest first), then the soonest due, with
 * the time left or how late each is in its own clock (business time of
 * its queue's calendars, or wall-clock time).  Room: ctl.
 *
 * Without --within every running promise is listed; with it, those late
 * or due within that much wall-clock time.  A ticket's running promise
 * is its first response until an agent answered, then its resolution;
 * pending tickets' promises are stopped and not listed.
 */
#include "config.h"
#include "ctl/subcommands.h"
#include "ctl/output.h"
#include "engine/sla_policy.h"
#include "store/schedule.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct due_row {
	struct store_ticket t;
	const char *promise;	/* "first-response" or "resolution" */
	int64_t due;
	int64_t left;		/* minutes of its clock; negative: late */
	bool business;
};

static void row_free(gpointer p)
{
	struct due_row *r = p;

	store_ticket_clear(&r->t);
	g_free(r);
}

/* "90s", "30m", "2h", "1d": seconds, or -1. */
static int64_t parse_within(const char *text)
{
	char *end;
	long long n = strtoll(text, &end, 10);
	int64_t unit = *end == '\0' || strcmp(end, "s") == 0 ? 1 : strcmp(end, "m") == 0 ? 60 :
		       strcmp(end, "h") == 0 ? 3600 : strcmp(end, "d") == 0 ? 86400 : 0;

	if (end == text || n < 0 || unit == 0 || n > INT64_MAX / 86400)
		return -1;
	return n * unit;
}

static const struct queue *queue_named(const struct settings *s, const char *id)
{
	for (size_t i = 0; i < s->n_queues; i++)
		if (strcmp(s->queues[i].id, id) == 0)
			return &s->queues[i];
	return NULL;
}

/* "2h05m", "-1h30m" (late), "45m". */
static char *left_text(int64_t minutes)
{
	int64_t m = minutes < 0 ? -minutes : minutes;

	if (m >= 60)
		return g_strdup_printf("%s%lldh%02lldm", minutes < 0 ? "-" : "", (long long)(m / 60), (long long)(m % 60));
	return g_strdup_printf("%s%lldm", minutes < 0 ? "-" : "", (long long)m);
}

static int by_left(gconstpointer a, gconstpointer b)
{
	const struct due_row *x = *(struct due_row *const *)a, *y = *(struct due_row *const *)b;

	if (x->left != y->left)
		return x->left < y->left ? -1 : 1;
	return x->due < y->due ? -1 : x->due > y->due;
}

/* The running promise of t and its time left at now. */
static struct due_row *row_of(const struct settings *s, struct store_ticket *t, int64_t now)
{
	struct due_row *r = g_new0(struct due_row, 1);
	bool first = !t->first_response_at && t->first_response_due > 0;
	const struct queue *q = queue_named(s, t->queue);
	struct sla_clock clock = { NULL, 0, true };

	r->t = *t;
	memset(t, 0, sizeof *t);
	r->promise = first ? "first-response" : "resolution";
	r->due = first ? r->t.first_response_due : r->t.resolution_due;
	if (q)
		sla_target_of(q, &r->t, first ? SLA_FIRST_RESPONSE : SLA_RESOLUTION, &clock);
	r->business = !clock.wall;
	r->left = r->due >= now ? sla_clock_minutes(&clock, now, r->due) : -sla_clock_minutes(&clock, r->due, now);
	return r;
}

static void print_text(GPtrArray *rows)
{
	for (guint i = 0; i < rows->len; i++) {
		const struct due_row *r = g_ptr_array_index(rows, i);
		GPtrArray *held = g_ptr_array_new_with_free_func(g_free);
		char due[32], *left = left_text(r->left);

		output_time(r->due, due, sizeof due);
		printf("%s-%ld\t%-14s\t%s\t%s%s\t%s\t%s\n", output_text(held, r->t.tag), r->t.number, r->promise, due,
		       left, r->left < 0 ? " late" : "", r->t.assignee ? output_text(held, r->t.assignee) : "-",
		       output_text(held, r->t.subject));
		g_free(left);
		g_ptr_array_free(held, TRUE);
	}
}

static void print_json(GPtrArray *rows)
{
	GString *out = g_string_new("[");

	for (guint i = 0; i < rows->len; i++) {
		const struct due_row *r = g_ptr_array_index(rows, i);
		char due[32], id[64];

		output_time(r->due, due, sizeof due);
		g_snprintf(id, sizeof id, "%s-%ld", r->t.tag, r->t.number);
		g_string_append(out, i ? ",{" : "{");
		json_append_member(out, "id", id, TRUE);
		json_append_member(out, "queue", r->t.queue, FALSE);
		json_append_member(out, "status", r->t.status, FALSE);
		json_append_member(out, "priority", r->t.priority, FALSE);
		json_append_member(out, "promise", r->promise, FALSE);
		json_append_member(out, "due", due, FALSE);
		json_append_key(out, "left_minutes", FALSE);
		g_string_append_printf(out, "%lld", (long long)r->left);
		json_append_key(out, "late", FALSE);
		g_string_append(out, r->left < 0 ? "true" : "false");
		json_append_member(out, "clock", r->business ? "business" : "calendar", FALSE);
		json_append_member(out, "assignee", r->t.assignee, FALSE);
		json_append_member(out, "customer", r->t.customer_address, FALSE);
		json_append_member(out, "subject", r->t.subject, FALSE);
		g_string_append_c(out, '}');
	}
	g_string_append(out, "]\n");
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
}

int cmd_due(const struct settings *s, int argc, char **argv)
{
	int64_t within = -1, now;
	bool json = false;
	struct clock *clock;
	struct store *st;
	char *error = NULL;
	GArray *ids;
	GPtrArray *rows;
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--within") == 0 && i + 1 < argc && (within = parse_within(argv[++i])) >= 0) {
			continue;
		} else {
			fprintf(stderr, "usage: ticketctl due [--within DURATION (90s, 30m, 2h, 1d)] [--json]\n");
			return 2;
		}
	}
	/* The daemon's test clock, so that a test sees what the daemon sees. */
	if ((clock = clock_new(g_getenv(CLOCK_TEST_VARIABLE), &error)) == NULL) {
		fprintf(stderr, "ticketctl: %s\n", error);
		g_free(error);
		return 1;
	}
	now = clock_now(clock);
	clock_free(clock);
	if (!g_file_test(s->database, G_FILE_TEST_EXISTS)) {
		fprintf(stderr, "ticketctl: database %s does not exist; run `ticketctl init`\n", s->database);
		return 1;
	}
	if ((st = store_open(s->database, s->busy_timeout_ms, &error)) == NULL) {
		fprintf(stderr, "ticketctl: %s\n", error);
		g_free(error);
		return 1;
	}
	ids = store_tickets_promised_before(st, within >= 0 ? now + within : 0);
	rows = g_ptr_array_new_with_free_func(row_free);
	for (guint i = 0; ids && i < ids->len && rc == 0; i++) {
		struct store_ticket t = { 0 };
		if (store_ticket_by_id(st, g_array_index(ids, int64_t, i), &t) == 1)
			g_ptr_array_add(rows, row_of(s, &t, now));
		else
			rc = 1;
		store_ticket_clear(&t);
	}
	if (ids == NULL || rc != 0) {
		fprintf(stderr, "ticketctl: %s\n", store_error(st));
		rc = 1;
	} else {
		g_ptr_array_sort(rows, by_left);
		if (json)
			print_json(rows);
		else
			print_text(rows);
	}
	if (ids)
		g_array_free(ids, TRUE);
	g_ptr_array_free(rows, TRUE);
	store_close(st);
	return rc;
}
