/*
 * cmd_outbox.c - `ticketctl outbox [--failed] [--retry ID] [--json]`:
 * what the milter has queued or sent, and a way to try a failed entry
 * again (the running daemon's sender picks it up within a second).
 * Room: ctl.
 */
#include "config.h"
#include "ctl/subcommands.h"
#include "util/json.h"
#include "ctl/output.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void print_json(GPtrArray *entries)
{
	GString *out = g_string_new("[");

	for (guint i = 0; i < entries->len; i++) {
		const struct outbox_entry *e = g_ptr_array_index(entries, i);
		char created[32], next[32], done[32];
		output_time(e->created, created, sizeof created);
		output_time(e->next_attempt, next, sizeof next);
		output_time(e->done, done, sizeof done);
		g_string_append_printf(out, "%s{\"id\":%lld", i ? "," : "", (long long)e->id);
		json_append_member(out, "kind", e->kind, FALSE);
		json_append_member(out, "state", e->state, FALSE);
		json_append_member(out, "recipient", e->recipient, FALSE);
		json_append_member(out, "message_id", e->message_id, FALSE);
		g_string_append_printf(out, ",\"attempts\":%d", e->attempts);
		json_append_member(out, "created", created, FALSE);
		json_append_member(out, "next_attempt", next, FALSE);
		json_append_member(out, "done", e->done ? done : NULL, FALSE);
		json_append_member(out, "last_error", e->last_error, FALSE);
		g_string_append_c(out, '}');
	}
	g_string_append(out, "]\n");
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
}

static void print_text(GPtrArray *entries)
{
	for (guint i = 0; i < entries->len; i++) {
		const struct outbox_entry *e = g_ptr_array_index(entries, i);
		/* The last error is a remote server's reply: escaped too. */
		GPtrArray *held = g_ptr_array_new_with_free_func(g_free);
		char created[32];
		output_time(e->created, created, sizeof created);
		printf("%lld\t%-8s\t%-8s\t%s\t%d attempt(s)\t%s\t%s\n", (long long)e->id, output_text(held, e->state),
		       output_text(held, e->kind), created, e->attempts, output_text(held, e->recipient),
		       output_text(held, e->last_error));
		g_ptr_array_free(held, TRUE);
	}
}

int cmd_outbox(const struct settings *s, int argc, char **argv)
{
	bool failed = false, json = false;
	long long retry = 0;
	char *error = NULL;
	struct store *st;
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--failed") == 0)
			failed = true;
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--retry") == 0 && i + 1 < argc && (retry = atoll(argv[i + 1])) > 0)
			i++;
		else {
			fprintf(stderr, "usage: ticketctl outbox [--failed] [--retry ID] [--json]\n");
			return 2;
		}
	}
	if ((st = store_open(s->database, s->busy_timeout_ms, &error)) == NULL) {
		fprintf(stderr, "ticketctl: %s\n", error);
		g_free(error);
		return 1;
	}
	if (retry) {
		int found = store_outbox_retry_now(st, retry, (int64_t)time(NULL));
		if (found == 1)
			printf("outbox entry %lld queued for delivery now\n", retry);
		else
			fprintf(stderr, "ticketctl: %s\n", found == 0 ? "no failed or waiting outbox entry with that id"
								   : store_error(st));
		rc = found == 1 ? 0 : 1;
	} else {
		GPtrArray *entries = store_outbox_list(st, failed, 1000);
		if (entries == NULL) {
			fprintf(stderr, "ticketctl: %s\n", store_error(st));
			rc = 1;
		} else {
			if (json)
				print_json(entries);
			else
				print_text(entries);
			g_ptr_array_free(entries, TRUE);
		}
	}
	store_close(st);
	return rc;
}
