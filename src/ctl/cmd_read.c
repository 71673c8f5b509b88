/*
 * cmd_read.c - the read-only commands: list, show, search.
 *
 * Text output is for people (one ticket a line, or a thread in order);
 * --json is one JSON document for scripts.
 * Room: ctl.
 */
#include "config.h"
#include "ctl/subcommands.h"
#include "util/json.h"
#include "ctl/output.h"
#include "store/store.h"
#include "trust/token.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static struct store *open_store(const struct settings *s)
{
	char *error = NULL;
	struct store *st;

	if (!g_file_test(s->database, G_FILE_TEST_EXISTS)) {
		fprintf(stderr, "ticketctl: database %s does not exist; run `ticketctl init`\n", s->database);
		return NULL;
	}
	st = store_open(s->database, s->busy_timeout_ms, &error);
	if (st == NULL) {
		fprintf(stderr, "ticketctl: %s\n", error);
		g_free(error);
	}
	return st;
}

static void json_ticket_fields(GString *out, const struct store_ticket *t)
{
	char id[64], created[32], updated[32];
	struct ticket_ref ref = { .number = t->number };

	g_strlcpy(ref.tag, t->tag, sizeof ref.tag);
	ticket_ref_format(&ref, id, sizeof id);
	output_time(t->created, created, sizeof created);
	output_time(t->updated, updated, sizeof updated);
	json_append_member(out, "id", id, TRUE);
	json_append_member(out, "queue", t->queue, FALSE);
	json_append_member(out, "subject", t->subject, FALSE);
	json_append_member(out, "status", t->status, FALSE);
	json_append_member(out, "priority", t->priority, FALSE);
	json_append_member(out, "customer", t->customer_address, FALSE);
	json_append_member(out, "customer_name", t->customer_name, FALSE);
	json_append_member(out, "created", created, FALSE);
	json_append_member(out, "updated", updated, FALSE);
}

static void print_tickets(GPtrArray *tickets, bool json)
{
	if (json) {
		GString *out = g_string_new("[");
		for (guint i = 0; i < tickets->len; i++) {
			if (i)
				g_string_append_c(out, ',');
			g_string_append_c(out, '{');
			json_ticket_fields(out, g_ptr_array_index(tickets, i));
			g_string_append_c(out, '}');
		}
		g_string_append(out, "]\n");
		fputs(out->str, stdout);
		g_string_free(out, TRUE);
		return;
	}
	for (guint i = 0; i < tickets->len; i++) {
		const struct store_ticket *t = g_ptr_array_index(tickets, i);
		GPtrArray *held = g_ptr_array_new_with_free_func(g_free);
		char updated[32];
		output_time(t->updated, updated, sizeof updated);
		printf("%s-%ld\t%-8s\t%-6s\t%s\t%s\t%s\n", output_text(held, t->tag), t->number,
		       output_text(held, t->status), output_text(held, t->priority), updated,
		       output_text(held, t->customer_address), output_text(held, t->subject));
		g_ptr_array_free(held, TRUE);
	}
}

/* Prints a ticket listing (NULL: the store failed) and closes the store. */
static int print_and_close(struct store *st, GPtrArray *tickets, bool json)
{
	int rc = 0;

	if (tickets == NULL) {
		fprintf(stderr, "ticketctl: %s\n", store_error(st));
		rc = 1;
	} else {
		print_tickets(tickets, json);
		g_ptr_array_free(tickets, TRUE);
	}
	store_close(st);
	return rc;
}

int cmd_list(const struct settings *s, int argc, char **argv)
{
	const char *status = NULL;
	bool json = false;
	struct store *st;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			status = argv[++i];
		else {
			fprintf(stderr, "usage: ticketctl list [--status S] [--json]\n");
			return 2;
		}
	}
	if ((st = open_store(s)) == NULL)
		return 1;
	return print_and_close(st, store_ticket_list(st, status, 1000000), json);
}

/* Every field from the store through output_text(): it came from mail. */
static void print_thread_text(const struct store_ticket *t, GPtrArray *messages, GPtrArray *events)
{
	GPtrArray *held = g_ptr_array_new_with_free_func(g_free);

	printf("%s-%ld  %s\n", output_text(held, t->tag), t->number, output_text(held, t->subject));
	printf("status %s, priority %s, queue %s, customer %s%s%s%s\n", output_text(held, t->status),
	       output_text(held, t->priority), output_text(held, t->queue), output_text(held, t->customer_name),
	       t->customer_name ? " <" : "", output_text(held, t->customer_address), t->customer_name ? ">" : "");
	for (guint i = 0; i < messages->len; i++) {
		const struct store_message *m = g_ptr_array_index(messages, i);
		char when[32];
		output_time(m->received, when, sizeof when);
		printf("\n--- %s %s from %s%s%s%s\n    Subject: %s\n    Message-ID: <%s>\n", output_text(held, m->direction),
		       when, output_text(held, m->sender), m->evidence ? " (evidence: " : "",
		       m->evidence ? output_text(held, m->evidence) : "", m->evidence ? ")" : "",
		       output_text(held, m->subject), output_text(held, m->message_id));
		if (m->held_addresses)
			printf("    Held back (not participants): %s\n", output_text(held, m->held_addresses));
		printf("\n");
		char **lines = g_strsplit(m->excerpt ? m->excerpt : "", "\n", -1);
		for (char **l = lines; *l; l++)
			printf("    %s\n", output_line(held, *l));
		g_strfreev(lines);
	}
	printf("\nevents:\n");
	for (guint i = 0; i < events->len; i++) {
		char **f = g_strsplit(g_ptr_array_index(events, i), "\t", 4);
		char when[32];
		output_time(g_ascii_strtoll(f[0], NULL, 10), when, sizeof when);
		printf("  %s %s %s %s\n", when, output_text(held, f[1]), output_text(held, f[2]),
		       output_text(held, f[3]));
		g_strfreev(f);
	}
	g_ptr_array_free(held, TRUE);
}

static void print_thread_json(const struct store_ticket *t, GPtrArray *messages, GPtrArray *participants)
{
	GString *out = g_string_new("{");

	json_ticket_fields(out, t);
	json_append_key(out, "participants", FALSE);
	g_string_append_c(out, '[');
	for (guint i = 0; participants && i < participants->len; i++) {
		const struct store_participant *p = g_ptr_array_index(participants, i);
		g_string_append(out, i ? ",{" : "{");
		json_append_member(out, "address", p->address, TRUE);
		json_append_member(out, "role", p->role, FALSE);
		g_string_append_c(out, '}');
	}
	g_string_append_c(out, ']');
	json_append_key(out, "messages", FALSE);
	g_string_append_c(out, '[');
	for (guint i = 0; i < messages->len; i++) {
		const struct store_message *m = g_ptr_array_index(messages, i);
		char date[32], received[32];
		output_time(m->date, date, sizeof date);
		output_time(m->received, received, sizeof received);
		if (i)
			g_string_append_c(out, ',');
		g_string_append_c(out, '{');
		json_append_member(out, "direction", m->direction, TRUE);
		json_append_member(out, "message_id", m->message_id, FALSE);
		json_append_member(out, "from", m->sender, FALSE);
		json_append_member(out, "subject", m->subject, FALSE);
		json_append_member(out, "date", m->date ? date : NULL, FALSE);
		json_append_member(out, "received", received, FALSE);
		json_append_member(out, "excerpt", m->excerpt, FALSE);
		json_append_member(out, "evidence", m->evidence, FALSE);
		json_append_member(out, "held", m->held_addresses, FALSE);
		g_string_append_c(out, '}');
	}
	g_string_append(out, "]}\n");
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
}

int cmd_show(const struct settings *s, int argc, char **argv)
{
	struct ticket_ref ref;
	struct store_ticket t = { 0 };
	const char *id = NULL;
	bool json = false;
	struct store *st;
	int rc = 1;

	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (id == NULL)
			id = argv[i];
		else
			id = "";
	if (id == NULL || !ticket_ref_parse(id, &ref)) {
		fprintf(stderr, "usage: ticketctl show TAG-NUMBER [--json]\n");
		return 2;
	}
	if ((st = open_store(s)) == NULL)
		return 1;
	switch (store_ticket_by_number(st, ref.tag, ref.number, &t)) {
	case 1: {
		GPtrArray *messages = store_ticket_messages(st, t.id);
		GPtrArray *events = store_ticket_events(st, t.id);
		GPtrArray *participants = store_ticket_participants(st, t.id);
		if (messages && events && participants) {
			if (json)
				print_thread_json(&t, messages, participants);
			else
				print_thread_text(&t, messages, events);
			rc = 0;
		} else {
			fprintf(stderr, "ticketctl: %s\n", store_error(st));
		}
		if (messages)
			g_ptr_array_free(messages, TRUE);
		if (events)
			g_ptr_array_free(events, TRUE);
		if (participants)
			g_ptr_array_free(participants, TRUE);
		store_ticket_clear(&t);
		break;
	}
	case 0:
		fprintf(stderr, "ticketctl: no ticket %s-%ld\n", ref.tag, ref.number);
		break;
	default:
		fprintf(stderr, "ticketctl: %s\n", store_error(st));
	}
	store_close(st);
	return rc;
}

int cmd_search(const struct settings *s, int argc, char **argv)
{
	struct store *st;
	GPtrArray *tickets;
	char *words;
	bool json = false;
	GPtrArray *terms = g_ptr_array_new();

	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else
			g_ptr_array_add(terms, argv[i]);
	g_ptr_array_add(terms, NULL);
	if (terms->len == 1) {
		g_ptr_array_free(terms, TRUE);
		fprintf(stderr, "usage: ticketctl search WORDS... [--json]\n");
		return 2;
	}
	words = g_strjoinv(" ", (char **)terms->pdata);
	g_ptr_array_free(terms, TRUE);
	if ((st = open_store(s)) == NULL) {
		g_free(words);
		return 1;
	}
	tickets = store_search(st, words, 100);
	g_free(words);
	return print_and_close(st, tickets, json);
}
