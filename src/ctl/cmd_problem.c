/*
 * cmd_problem.c - `ticketctl problem list | show | describe | announce`:
 * the known problems agents link tickets to (#problem NAME), and telling
 * every linked customer at once that theirs is fixed
 * (problem_announce.h).  The announcement is queued in the outbox, which
 * the running daemon's sender delivers within a second; ticketctl sends
 * nothing itself.
 * Room: ctl.
 */
#include "config.h"
#include "commands/commands.h"
#include "compose/assets.h"
#include "ctl/output.h"
#include "ctl/subcommands.h"
#include "engine/problem_announce.h"
#include "language/locale_tag.h"
#include "store/store.h"
#include "util/json.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* An agent's text is a few paragraphs; more is a mistake (the wrong file). */
#define TEXT_MAX (64 * 1024)

#define USAGE \
	"usage: ticketctl problem list [--json]\n" \
	"       ticketctl problem show NAME [--queue QUEUE]\n" \
	"       ticketctl problem describe NAME [--queue QUEUE] TEXT\n" \
	"       ticketctl problem announce NAME [--queue QUEUE] [--template NAME]\n" \
	"                 [--text FILE|FOLDER|- | --message TEXT] [--pending] [--dry-run]\n"

struct options {
	const char *name, *queue, *template_name, *text_path, *message, *description;
	bool json, pending, dry_run;
};

static int usage(void)
{
	fputs(USAGE, stderr);
	return 2;
}

static struct store *open_store(const struct settings *s)
{
	char *error = NULL;
	struct store *st;

	if (!g_file_test(s->database, G_FILE_TEST_EXISTS)) {
		fprintf(stderr, "ticketctl: database %s does not exist; run `ticketctl init`\n", s->database);
		return NULL;
	}
	if ((st = store_open(s->database, s->busy_timeout_ms, &error)) == NULL) {
		fprintf(stderr, "ticketctl: %s\n", error);
		g_free(error);
	}
	return st;
}

/* Names are typed in any case and stored lower-cased (commands.h). */
static bool name_checked(struct options *o, char **normalized)
{
	if ((*normalized = commands_problem_name(o->name)) == NULL) {
		fprintf(stderr, "ticketctl: %s: a problem's name is up to %d letters, digits and inner hyphens\n",
			o->name, COMMANDS_PROBLEM_MAX);
		return false;
	}
	o->name = *normalized;
	return true;
}

/* Reads the options after the subcommand; false on a usage error. */
static bool read_options(int argc, char **argv, bool takes_text, struct options *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0)
			o->json = true;
		else if (strcmp(a, "--pending") == 0)
			o->pending = true;
		else if (strcmp(a, "--dry-run") == 0)
			o->dry_run = true;
		else if (strcmp(a, "--queue") == 0 && next)
			o->queue = argv[++i];
		else if (strcmp(a, "--template") == 0 && next)
			o->template_name = argv[++i];
		else if (strcmp(a, "--text") == 0 && next)
			o->text_path = argv[++i];
		else if (strcmp(a, "--message") == 0 && next)
			o->message = argv[++i];
		else if (a[0] == '-' && a[1] != '\0')
			return false;
		else if (o->name == NULL)
			o->name = a;
		else if (takes_text && o->description == NULL)
			o->description = a;
		else
			return false;
	}
	return true;
}

/* The queue of problem name: --queue, else the one queue that has a
 * problem of that name, else the only queue configured.  NULL after
 * saying why. */
static const char *queue_of(const struct settings *s, struct store *st, const struct options *o)
{
	const char *found = NULL;
	GPtrArray *all;
	int matches = 0;

	if (o->queue) {
		for (size_t i = 0; i < s->n_queues; i++)
			if (strcmp(s->queues[i].id, o->queue) == 0)
				return s->queues[i].id;
		fprintf(stderr, "ticketctl: no [queue %s] in the configuration\n", o->queue);
		return NULL;
	}
	if ((all = store_problem_list(st)) == NULL) {
		fprintf(stderr, "ticketctl: %s\n", store_error(st));
		return NULL;
	}
	for (guint i = 0; i < all->len; i++) {
		const struct store_problem *p = g_ptr_array_index(all, i);
		if (strcmp(p->name, o->name) != 0)
			continue;
		for (size_t q = 0; q < s->n_queues; q++)
			if (strcmp(s->queues[q].id, p->queue) == 0)
				found = s->queues[q].id;
		matches++;
	}
	g_ptr_array_free(all, TRUE);
	if (matches == 0 && s->n_queues == 1)
		return s->queues[0].id;
	if (matches == 1 && found)
		return found;
	fprintf(stderr, "ticketctl: %s: name its queue with --queue (%s)\n", o->name,
		matches > 1 ? "several queues have a problem of that name" : "no queue has a problem of that name");
	return NULL;
}

static char *actor(void)
{
	struct passwd *pw = getpwuid(getuid());

	return g_strdup_printf("ticketctl:%s", pw ? pw->pw_name : "unknown");
}

static int problem_list(const struct settings *s, int argc, char **argv)
{
	struct options o = { 0 };
	struct store *st;
	GPtrArray *all, *held;

	if (!read_options(argc, argv, false, &o) || o.name)
		return usage();
	if ((st = open_store(s)) == NULL)
		return 1;
	if ((all = store_problem_list(st)) == NULL) {
		fprintf(stderr, "ticketctl: %s\n", store_error(st));
		store_close(st);
		return 1;
	}
	held = g_ptr_array_new_with_free_func(g_free);
	if (o.json) {
		GString *out = g_string_new("[");
		for (guint i = 0; i < all->len; i++) {
			const struct store_problem *p = g_ptr_array_index(all, i);
			char created[32], announced[32];
			output_time(p->created, created, sizeof created);
			output_time(p->announced, announced, sizeof announced);
			g_string_append(out, i ? ",{" : "{");
			json_append_member(out, "name", p->name, TRUE);
			json_append_member(out, "queue", p->queue, FALSE);
			json_append_member(out, "description", p->description, FALSE);
			g_string_append_printf(out, ",\"linked\":%d,\"open\":%d", p->linked, p->open);
			json_append_member(out, "created", created, FALSE);
			json_append_member(out, "announced", p->announced ? announced : NULL, FALSE);
			g_string_append_c(out, '}');
		}
		g_string_append(out, "]\n");
		fputs(out->str, stdout);
		g_string_free(out, TRUE);
	} else {
		for (guint i = 0; i < all->len; i++) {
			const struct store_problem *p = g_ptr_array_index(all, i);
			char announced[32];
			output_time(p->announced, announced, sizeof announced);
			printf("%s\t%s\t%d linked\t%d open\tannounced %s\t%s\n", output_text(held, p->name),
			       output_text(held, p->queue), p->linked, p->open, announced, output_text(held, p->description));
		}
	}
	g_ptr_array_free(held, TRUE);
	g_ptr_array_free(all, TRUE);
	store_close(st);
	return 0;
}

static int problem_show(const struct settings *s, int argc, char **argv)
{
	struct options o = { 0 };
	struct store_problem p = { 0 };
	GPtrArray *tickets = NULL, *records = NULL, *held = g_ptr_array_new_with_free_func(g_free);
	const char *queue;
	struct store *st = NULL;
	char created[32], announced[32], *name = NULL;
	int rc = 1;

	if (!read_options(argc, argv, false, &o) || o.name == NULL) {
		g_ptr_array_free(held, TRUE);
		return usage();
	}
	if (!name_checked(&o, &name) || (st = open_store(s)) == NULL || (queue = queue_of(s, st, &o)) == NULL)
		goto out;
	if ((rc = store_problem_get(st, queue, o.name, &p)) != 1) {
		fprintf(stderr, "ticketctl: %s\n", rc == 0 ? "no such problem" : store_error(st));
		rc = 1;
		goto out;
	}
	rc = 1;
	if ((tickets = store_problem_tickets(st, p.id)) == NULL || (records = store_problem_announcements(st, p.id)) == NULL) {
		fprintf(stderr, "ticketctl: %s\n", store_error(st));
		goto out;
	}
	output_time(p.created, created, sizeof created);
	output_time(p.announced, announced, sizeof announced);
	printf("problem %s of queue %s, created %s, last announced %s\n", output_text(held, p.name),
	       output_text(held, p.queue), created, announced);
	if (p.description)
		printf("%s\n", output_line(held, p.description));
	printf("%d ticket(s) linked, %d open\n", p.linked, p.open);
	for (guint i = 0; i < tickets->len; i++) {
		const struct store_ticket *t = g_ptr_array_index(tickets, i);
		printf("  %s-%ld\t%-8s\t%s\t%s\t%s\n", t->tag, t->number, t->status, output_text(held, t->customer_address),
		       output_text(held, t->locale ? t->locale : "-"), output_text(held, t->subject));
	}
	if (records->len)
		printf("announcements:\n");
	for (guint i = 0; i < records->len; i++) {
		const struct store_announcement *a = g_ptr_array_index(records, i);
		struct store_ticket t = { 0 };
		char at[32], *ticket;
		output_time(a->at, at, sizeof at);
		/* Records outlive links: an unlinked ticket is read on its own. */
		ticket = store_ticket_by_id(st, a->ticket_id, &t) == 1 ? g_strdup_printf("%s-%ld", t.tag, t.number)
								       : g_strdup_printf("ticket %lld", (long long)a->ticket_id);
		printf("  %s %s\t%s\t%s\t%s\n", output_text(held, a->template_name), at, ticket, a->outcome,
		       output_text(held, a->detail));
		store_ticket_clear(&t);
		g_free(ticket);
	}
	rc = 0;
out:
	if (tickets)
		g_ptr_array_free(tickets, TRUE);
	if (records)
		g_ptr_array_free(records, TRUE);
	g_ptr_array_free(held, TRUE);
	store_problem_clear(&p);
	if (st)
		store_close(st);
	g_free(name);
	return rc;
}

static int problem_describe(const struct settings *s, int argc, char **argv)
{
	struct options o = { 0 };
	const char *queue = NULL;
	struct store *st;
	char *name;
	int rc = 1;

	if (!read_options(argc, argv, true, &o) || o.name == NULL || o.description == NULL)
		return usage();
	if (!name_checked(&o, &name))
		return 1;
	if ((st = open_store(s)) != NULL && (queue = queue_of(s, st, &o)) != NULL) {
		if (store_begin(st) == 0 && store_problem_describe(st, queue, name, o.description, (int64_t)time(NULL)) == 0 &&
		    store_commit(st) == 0)
			rc = 0;
		else
			fprintf(stderr, "ticketctl: %s\n", store_error(st));
		store_rollback(st);
	}
	if (rc == 0)
		printf("problem %s of queue %s described\n", name, queue);
	if (st)
		store_close(st);
	g_free(name);
	return rc;
}

/* An agent's text: UTF-8, no NUL, bounded; trailing blank lines cut.
 * NULL after saying why. */
static char *text_checked(const char *where, char *text, size_t len)
{
	if (len > TEXT_MAX || memchr(text, '\0', len) || !g_utf8_validate(text, (gssize)len, NULL)) {
		fprintf(stderr, "ticketctl: %s: the text must be UTF-8 without NUL bytes, at most %d KiB\n", where,
			TEXT_MAX / 1024);
		g_free(text);
		return NULL;
	}
	return g_strchomp(text);
}

static char *text_read(const char *path)
{
	GError *gerr = NULL;
	char *text = NULL;
	gsize len = 0;

	if (strcmp(path, "-") == 0) {
		GIOChannel *in = g_io_channel_unix_new(0);
		g_io_channel_set_encoding(in, NULL, NULL);
		if (g_io_channel_read_to_end(in, &text, &len, &gerr) != G_IO_STATUS_NORMAL)
			text = NULL;
		g_io_channel_unref(in);
	} else if (!g_file_get_contents(path, &text, &len, &gerr)) {
		text = NULL;
	}
	if (text == NULL) {
		fprintf(stderr, "ticketctl: %s: %s\n", path, gerr ? gerr->message : "cannot be read");
		g_clear_error(&gerr);
		return NULL;
	}
	return text_checked(path, text, len);
}

/* A folder of texts, one per locale: de.txt, pt-BR.txt.  Other files
 * are left alone (notes, editor backups). */
static GHashTable *texts_read(const char *folder)
{
	GHashTable *texts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GError *gerr = NULL;
	GDir *d = g_dir_open(folder, 0, &gerr);
	const char *entry;

	if (d == NULL) {
		fprintf(stderr, "ticketctl: %s: %s\n", folder, gerr->message);
		g_error_free(gerr);
		g_hash_table_destroy(texts);
		return NULL;
	}
	while ((entry = g_dir_read_name(d)) != NULL) {
		char *stem, *locale, *path, *text;
		if (entry[0] == '.' || !g_str_has_suffix(entry, ".txt"))
			continue;
		stem = g_strndup(entry, strlen(entry) - 4);
		locale = locale_tag_canonical(stem);
		path = g_build_filename(folder, entry, NULL);
		text = locale ? text_read(path) : NULL;
		if (locale == NULL)
			fprintf(stderr, "ticketctl: %s: name the texts by their locale, like de.txt or pt-BR.txt\n", path);
		g_free(stem);
		g_free(path);
		if (text == NULL) {
			g_free(locale);
			g_dir_close(d);
			g_hash_table_destroy(texts);
			return NULL;
		}
		g_hash_table_replace(texts, locale, text);
	}
	g_dir_close(d);
	if (g_hash_table_size(texts) == 0) {
		fprintf(stderr, "ticketctl: %s holds no texts (LOCALE.txt)\n", folder);
		g_hash_table_destroy(texts);
		return NULL;
	}
	return texts;
}

static void print_report(const struct options *o, const char *template_name, const struct announce_report *r)
{
	GPtrArray *held = g_ptr_array_new_with_free_func(g_free);
	int pending = 0;

	for (guint i = 0; i < r->lines->len; i++) {
		const struct announce_line *l = g_ptr_array_index(r->lines, i);
		printf("%s\t%s\t%s\t%s\t%s%s\n", l->ticket, output_text(held, l->customer),
		       announce_outcome_name(l->outcome), l->locale ? l->locale : "-", output_text(held, l->detail),
		       l->now_pending ? "\tnow pending" : "");
		pending += l->now_pending;
	}
	printf("%s (%s): %d mailed, %d covered by another ticket's mail, %d skipped, %d announced before",
	       o->name, template_name, r->mailed, r->covered, r->skipped, r->before);
	if (o->pending)
		printf("; %d set pending", pending);
	printf("%s\n", o->dry_run ? " (dry run: nothing was queued or recorded)"
				   : r->mailed ? "; the running daemon delivers the mail" : "");
	g_ptr_array_free(held, TRUE);
}

static int problem_announce_cmd(const struct settings *s, int argc, char **argv)
{
	struct options o = { .template_name = "fixed" };
	struct announce_request req = { 0 };
	struct announce_report report = { 0 };
	struct assets *assets = NULL;
	struct store *st = NULL;
	char *text = NULL, *error = NULL, *who = NULL, *name = NULL;
	GHashTable *texts = NULL;
	int rc = 1;

	if (!read_options(argc, argv, false, &o) || o.name == NULL || (o.text_path && o.message))
		return usage();
	if (!name_checked(&o, &name))
		return 1;
	if (o.message && (text = text_checked("--message", g_strdup(o.message), strlen(o.message))) == NULL) {
		g_free(name);
		return 1;
	}
	if (o.text_path && g_file_test(o.text_path, G_FILE_TEST_IS_DIR))
		texts = texts_read(o.text_path);
	else if (o.text_path)
		text = text_read(o.text_path);
	if ((o.text_path || o.message) && text == NULL && texts == NULL) {
		g_free(name);
		return 1;
	}
	if ((st = open_store(s)) == NULL || (req.queue = queue_of(s, st, &o)) == NULL)
		goto out;
	who = actor();
	req.problem = o.name;
	req.template_name = o.template_name;
	req.text = text;
	req.texts = texts;
	req.pending = o.pending;
	req.dry_run = o.dry_run;
	req.actor = who;
	req.now = (int64_t)time(NULL);
	/* One mail per linked customer: the templates and cultures prepared
	 * once, as the daemons' are (assets.h). */
	assets = assets_prepare(s);
	switch (problem_announce(s, assets, st, &req, &report, &error)) {
	case 0:
		print_report(&o, o.template_name, &report);
		rc = 0;
		break;
	case 1:
		fprintf(stderr, "ticketctl: no problem %s in queue %s\n", o.name, req.queue);
		break;
	default:
		fprintf(stderr, "ticketctl: %s\n", error);
	}
out:
	announce_report_clear(&report);
	assets_free(assets);
	if (texts)
		g_hash_table_destroy(texts);
	if (st)
		store_close(st);
	g_free(text);
	g_free(error);
	g_free(who);
	g_free(name);
	return rc;
}

int cmd_problem(const struct settings *s, int argc, char **argv)
{
	if (argc < 1)
		return usage();
	if (strcmp(argv[0], "list") == 0)
		return problem_list(s, argc - 1, argv + 1);
	if (strcmp(argv[0], "show") == 0)
		return problem_show(s, argc - 1, argv + 1);
	if (strcmp(argv[0], "describe") == 0)
		return problem_describe(s, argc - 1, argv + 1);
	if (strcmp(argv[0], "announce") == 0)
		return problem_announce_cmd(s, argc - 1, argv + 1);
	return usage();
}
