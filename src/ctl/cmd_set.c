/*
 * cmd_set.c - `ticketctl set SUP-1042 status=resolved priority=high ...`:
 * what an agent's #commands do, from the command line, with the same
 * rules and events (the actor is "ticketctl:<user>").  Resolving asks the
 * customer for a rating; the running daemon delivers it.
 * Room: ctl.
 */
#include "config.h"
#include "commands/commands.h"
#include "engine/lifecycle.h"
#include "engine/rating.h"
#include "ctl/subcommands.h"
#include "ctl/output.h"
#include "store/store.h"
#include "trust/token.h"
#include "util/clock.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct queue *queue_named(const struct settings *s, const char *id)
{
	for (size_t i = 0; i < s->n_queues; i++)
		if (strcmp(s->queues[i].id, id) == 0)
			return &s->queues[i];
	return NULL;
}

static char *actor(void)
{
	struct passwd *pw = getpwuid(getuid());

	return g_strdup_printf("ticketctl:%s", pw ? pw->pw_name : "unknown");
}

/* Applies every NAME=VALUE; returns 0, 1 when one was refused, -1 on a store error. */
static int apply_all(const struct settings *s, struct store *st, struct store_ticket *t, int argc, char **argv,
		     const char *who, int64_t now, bool *resolved)
{
	int refused = 0;

	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		char *name = eq ? g_strndup(argv[i], (gsize)(eq - argv[i])) : g_strdup(argv[i]);
		struct agent_command cmd = { .name = name, .arg = eq ? eq + 1 : NULL };
		const char *why = NULL;
		bool now_resolved = false;
		int rc = eq ? lifecycle_apply(s, st, t, &cmd, who, now, &now_resolved, &why) : 1;

		if (rc < 0) {
			g_free(name);
			return -1;
		}
		if (rc > 0) {
			fprintf(stderr, "ticketctl: %s: %s\n", argv[i], eq ? why : "expected NAME=VALUE");
			refused = 1;
		}
		*resolved |= now_resolved;
		g_free(name);
	}
	return refused;
}

int cmd_set(const struct settings *s, int argc, char **argv)
{
	struct ticket_ref ref;
	struct store_ticket t = { 0 };
	const struct queue *q;
	char *error = NULL, *who;
	bool resolved = false;
	int64_t now;
	struct clock *clock;
	struct store *st;
	int rc = 1;

	/* The daemon's test clock, as ticketctl due: a status set here plans
	 * and pauses scheduled mail on the clock the daemon sends it by. */
	if ((clock = clock_new(g_getenv(CLOCK_TEST_VARIABLE), &error)) == NULL) {
		fprintf(stderr, "ticketctl: %s\n", error);
		g_free(error);
		return 1;
	}
	now = clock_now(clock);
	clock_free(clock);

	if (argc < 2 || !ticket_ref_parse(argv[0], &ref)) {
		fprintf(stderr, "usage: ticketctl set TAG-NUMBER NAME=VALUE...\n"
			"  status=new|open|pending|resolved|closed  priority=low|normal|high|urgent\n"
			"  assign=ADDRESS  lang=LOCALE  tz=ZONE  tier=vip|standard  merge=TAG-NUMBER\n"
			"  cc=ADDRESS  cc=-ADDRESS  problem=NAME  problem=-NAME  problem=none\n");
		return 2;
	}
	if ((st = store_open(s->database, s->busy_timeout_ms, &error)) == NULL) {
		fprintf(stderr, "ticketctl: %s\n", error);
		g_free(error);
		return 1;
	}
	who = actor();
	if (store_begin(st) != 0 || store_ticket_by_number(st, ref.tag, ref.number, &t) != 1) {
		fprintf(stderr, "ticketctl: no ticket %s-%ld\n", ref.tag, ref.number);
		goto out;
	}
	q = queue_named(s, t.queue);
	switch (apply_all(s, st, &t, argc, argv, who, now, &resolved)) {
	case 0:
		break;
	case 1:
		goto out;	/* nothing is half-applied: roll back */
	default:
		fprintf(stderr, "ticketctl: %s\n", store_error(st));
		goto out;
	}
	/* One mail: its templates are read from their files (no assets). */
	if (resolved && q && rating_ask(s, NULL, st, q, &t, now, &error) != 0) {
		fprintf(stderr, "ticketctl: %s\n", error);
		goto out;
	}
	if (store_commit(st) != 0) {
		fprintf(stderr, "ticketctl: %s\n", store_error(st));
		goto out;
	}
	{
		GPtrArray *held = g_ptr_array_new_with_free_func(g_free);
		printf("%s-%ld: status %s, priority %s%s%s%s\n", t.tag, t.number, output_text(held, t.status),
		       output_text(held, t.priority), t.assignee ? ", assigned to " : "", output_text(held, t.assignee),
		       resolved ? "; the customer is asked for a rating" : "");
		g_ptr_array_free(held, TRUE);
	}
	rc = 0;
out:
	store_rollback(st);
	store_ticket_clear(&t);
	store_close(st);
	g_free(error);
	g_free(who);
	return rc;
}
