/* test_problems.c - known problems: the #problem command read from an
 * agent's reply (commands.h), applied by mail and by `ticketctl set`
 * (lifecycle.c), and the store's problems, links, announcement records
 * and the look-ups that keep forged and bouncing addresses from mail
 * (problems.c), on a real store; a store of schema 5 migrates with its
 * tickets.
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "commands/commands.h"
#include "engine/engine.h"
#include "engine/lifecycle.h"
#include "store/schema.h"

#include <glib.h>
#include <sqlite3.h>
#include <stdlib.h>

static struct fixture f;
static int64_t clock_now = 1772445600;

/* The one command of a block, as "name arg", or "unknown: LINE". */
static char *parsed(const char *text)
{
	struct command_block b;
	char *out;

	commands_parse(text, &b);
	if (b.commands->len == 1) {
		const struct agent_command *c = g_ptr_array_index(b.commands, 0);
		out = g_strdup_printf("%s %s", c->name, c->arg ? c->arg : "");
	} else if (b.unknown->len == 1) {
		out = g_strdup_printf("unknown: %s", (char *)g_ptr_array_index(b.unknown, 0));
	} else {
		out = g_strdup("?");
	}
	commands_block_clear(&b);
	return out;
}

#define is_parsed(text, want, desc) do { \
	char *got_ = parsed(text); \
	is_str(got_, want, desc); \
	g_free(got_); \
} while (0)

static void test_parse(void)
{
	char *n, *long_name = g_strnfill(COMMANDS_PROBLEM_MAX, 'a'), *longer = g_strnfill(COMMANDS_PROBLEM_MAX + 1, 'a');
	char *line;

	is_parsed("#problem printer-firmware\n\nHello\n", "problem printer-firmware", "#problem NAME");
	is_parsed("#Problem: Printer-Firmware\n", "problem printer-firmware", "any case, a colon: lower-cased");
	is_parsed("#problem -printer-firmware\n", "problem -printer-firmware", "-NAME unlinks");
	is_parsed("#problem NONE\n", "problem none", "none unlinks all");
	is_parsed("#problem printer firmware\n", "unknown: #problem printer firmware", "two words: not understood");
	is_parsed("#problem printer_firmware\n", "unknown: #problem printer_firmware", "an underscore: not understood");
	is_parsed("#problem -printer-\n", "unknown: #problem -printer-", "a trailing hyphen: not understood");
	is_parsed("#problem\n", "unknown: #problem", "no name: not understood");
	is_parsed("#problems printer\n", "unknown: #problems printer", "#problems is a slip of #problem: reported");
	line = g_strdup_printf("#problem %s\n", long_name);
	n = parsed(line);
	ok(g_str_has_prefix(n, "problem a"), "%d characters are a name", COMMANDS_PROBLEM_MAX);
	g_free(n);
	g_free(line);
	line = g_strdup_printf("#problem %s\n", longer);
	n = parsed(line);
	ok(g_str_has_prefix(n, "unknown:"), "%d are not", COMMANDS_PROBLEM_MAX + 1);
	g_free(n);
	g_free(line);
	n = commands_problem_name("Outage-2026-03");
	is_str(n, "outage-2026-03", "commands_problem_name lower-cases");
	g_free(n);
	ok(commands_problem_name("none") == NULL && commands_problem_name("-x") == NULL &&
	   commands_problem_name("ü-umlaut") == NULL && commands_problem_name("") == NULL,
	   "none, a leading hyphen, non-ASCII and nothing are no names");
	g_free(long_name);
	g_free(longer);
}

static struct engine_result process(const char *text, const char *rcpt, const char *login)
{
	struct message *m = fixture_message(text);
	char **rcpts = g_strsplit(rcpt, ",", -1);
	struct envelope env = { .sender = m->from ? m->from->address : NULL, .recipients = rcpts, .queue_id = "Q",
				.now = clock_now, .auth_login = login, .raw = text, .raw_len = strlen(text) };
	struct engine_result res;
	char *token = NULL, *error = NULL;
	const struct queue *q = engine_queue_for(f.settings, rcpts, &token);

	clock_now += 60;
	memset(&res, 0, sizeof res);
	if (engine_process(f.settings, f.assets, f.store, q, token, m, &env, &res, &error) != 0) {
		tap_diag("engine error: %s", error);
		res.outcome = -1;
	}
	g_free(error);
	g_free(token);
	g_strfreev(rcpts);
	message_free(m);
	return res;
}

static char *query(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *query(const char *fmt, ...)
{
	char *db = g_build_filename(f.dir, "tickets.db", NULL), *sql, *out = NULL;
	sqlite3 *h;
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, fmt);
	sql = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	sqlite3_open(db, &h);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0))
		out = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	g_free(db);
	g_free(sql);
	return out ? out : g_strdup("");
}

#define is_query(want, desc, ...) do { \
	char *got_ = query(__VA_ARGS__); \
	is_str(got_, want, "%s", desc); \
	g_free(got_); \
} while (0)

/* An agent's reply to SUP-1001 by its subject tag. */
static void agent_reply(const char *mid, const char *body)
{
	char *text = g_strdup_printf("From: alice@example.com\nTo: support@example.com\n"
				     "Subject: Re: [SUP-1001] Printer on fire\nMessage-ID: <%s>\n\n%s", mid, body);
	struct engine_result r = process(text, "support@example.com", "alice");

	engine_result_clear(&r);
	g_free(text);
}

static void test_by_mail(void)
{
	struct engine_result r;
	char *notice;

	r = process("From: Anna <anna@example.org>\nTo: support@example.com\nSubject: Printer on fire\n"
		    "Message-ID: <a1@example.org>\n\nIt smokes.\n", "support@example.com", NULL);
	ok(r.new_ticket, "Anna opens SUP-1001");
	engine_result_clear(&r);

	agent_reply("p1@example.com", "#problem Printer-Firmware\n\nWe know this one.\n");
	is_query("support printer-firmware", "#problem links SUP-1001 to printer-firmware of its queue",
		 "SELECT p.queue || ' ' || p.name FROM problems p JOIN problem_tickets l ON l.problem_id = p.id"
		 " WHERE l.actor = 'alice@example.com'");
	is_query("alice@example.com problem printer-firmware", "an event names the agent and the problem",
		 "SELECT actor || ' ' || kind || ' ' || detail FROM events WHERE kind = 'problem'");
	is_query("0", "and no notice: all went as written", "SELECT count(*) FROM outbox WHERE kind = 'agent-notice'");

	agent_reply("p2@example.com", "#problem printer_firmware\n\nAnd another thing.\n");
	is_query("1", "a name that is none: the agent gets a notice", "SELECT count(*) FROM outbox WHERE kind = 'agent-notice'");
	notice = query("SELECT CAST(message AS TEXT) FROM outbox WHERE kind = 'agent-notice'");
	ok(strstr(notice, "#problem printer_firmware") != NULL, "naming the line");
	g_free(notice);

	agent_reply("p3@example.com", "#problem -printer-firmware\n\nUnrelated after all.\n");
	is_query("0", "#problem -NAME unlinks", "SELECT count(*) FROM problem_tickets");
	agent_reply("p4@example.com", "#problem -printer-firmware\n\nAgain.\n");
	is_query("2", "unlinking what is not linked is refused with a notice",
		 "SELECT count(*) FROM outbox WHERE kind = 'agent-notice'");
	agent_reply("p5@example.com", "#problem wifi\n#problem printer-firmware\n\nBoth.\n");
	is_query("2", "two problems", "SELECT count(*) FROM problem_tickets");
	agent_reply("p6@example.com", "#problem none\n\nNeither.\n");
	is_query("0", "#problem none unlinks both", "SELECT count(*) FROM problem_tickets");
	is_query("2", "the problems themselves stay", "SELECT count(*) FROM problems");
}

static void test_by_ctl(void)
{
	struct store_ticket t = { 0 };
	struct agent_command cmd = { .name = "problem", .arg = "Printer-Firmware" };
	const char *why = NULL;

	ok(store_ticket_by_number(f.store, "SUP", 1001, &t) == 1, "SUP-1001 loaded");
	ok(store_begin(f.store) == 0 && lifecycle_apply(f.settings, f.store, &t, &cmd, "ticketctl:root", clock_now, NULL,
							&why) == 0 && store_commit(f.store) == 0,
	   "ticketctl set SUP-1001 problem=Printer-Firmware");
	is_query("printer-firmware ticketctl:root", "linked, lower-cased, by ticketctl:root",
		 "SELECT p.name || ' ' || l.actor FROM problem_tickets l JOIN problems p ON p.id = l.problem_id");
	cmd.arg = "printer firmware";
	ok(store_begin(f.store) == 0 &&
	   lifecycle_apply(f.settings, f.store, &t, &cmd, "ticketctl:root", clock_now, NULL, &why) == 1 && why &&
	   strstr(why, "not a problem name"), "problem=\"printer firmware\" is refused: %s", why ? why : "");
	store_rollback(f.store);
	store_ticket_clear(&t);
}

static void test_store(void)
{
	struct store_ticket t = { 0 }, t2 = { 0 };
	struct store_problem p = { 0 };
	struct store_announcement a = { 0 };
	struct outbox_entry e = { .kind = "ack", .envelope_from = "", .recipient = "bert@example.org",
				  .message_id = "bounce-test@support.example.com", .created = 5 };
	GPtrArray *list;
	int64_t customer, carrier = 0;

	ok(store_ticket_by_number(f.store, "SUP", 1001, &t) == 1, "SUP-1001 again");
	ok(store_begin(f.store) == 0, "begin");
	ok(store_customer_upsert(f.store, "bert@example.org", "Bert", clock_now, &customer) == 0 &&
	   store_ticket_create(f.store, "support", "SUP", "Wifi", customer, clock_now, &t2) == 0, "Bert's SUP-1002");
	is_int(store_problem_link(f.store, "support", "printer-firmware", t.id, "x", clock_now), 0,
	       "linking again: 0, already linked");
	is_int(store_problem_link(f.store, "support", "printer-firmware", t2.id, "x", clock_now), 1, "a second ticket: 1");
	is_int(store_problem_unlink(f.store, "support", "wifi", t2.id), 0, "unlinking what is not linked: 0");
	ok(store_problem_describe(f.store, "support", "printer-firmware", "Firmware 2.1 jams the tray", clock_now) == 0 &&
	   store_problem_describe(f.store, "support", "vpn", "VPN drops", clock_now) == 0, "described (one created so)");
	ok(store_ticket_set_status(f.store, t2.id, "closed", clock_now) == 0, "SUP-1002 closed");
	ok(store_problem_get(f.store, "support", "printer-firmware", &p) == 1 && p.linked == 2 && p.open == 1 &&
	   g_strcmp0(p.description, "Firmware 2.1 jams the tray") == 0 && p.announced == 0,
	   "get: 2 linked, 1 open, the description, never announced");
	{
		struct store_problem other;
		is_int(store_problem_get(f.store, "billing", "printer-firmware", &other), 0, "a name is per queue");
		store_problem_clear(&other);
	}
	list = store_problem_list(f.store);
	ok(list && list->len == 3, "list: printer-firmware, vpn, wifi (%u)", list ? list->len : 0);
	if (list && list->len == 3)
		is_str(((struct store_problem *)g_ptr_array_index(list, 1))->name, "vpn", "by queue and name");
	if (list)
		g_ptr_array_free(list, TRUE);
	list = store_problem_tickets(f.store, p.id);
	ok(list && list->len == 2, "the problem's two tickets");
	if (list)
		g_ptr_array_free(list, TRUE);

	/* Announcement records. */
	is_int(store_announcement_get(f.store, p.id, "fixed", t.id, &a), 0, "nothing announced yet");
	is_int(store_announcement_mailed_to(f.store, p.id, "fixed", t.customer_id, &carrier), 0, "nobody mailed yet");
	a = (struct store_announcement){ .ticket_id = t.id, .template_name = "fixed", .at = 7, .outcome = "skipped",
					 .detail = "why" };
	ok(store_announcement_add(f.store, p.id, &a) == 0, "skipped recorded");
	a.outcome = "mailed";
	a.detail = "m1@support.example.com";
	ok(store_announcement_add(f.store, p.id, &a) == 0, "then mailed: the record is replaced");
	memset(&a, 0, sizeof a);
	ok(store_announcement_get(f.store, p.id, "fixed", t.id, &a) == 1 && strcmp(a.outcome, "mailed") == 0 &&
	   strcmp(a.detail, "m1@support.example.com") == 0, "read back: mailed, its Message-ID");
	store_announcement_clear(&a);
	ok(store_announcement_mailed_to(f.store, p.id, "fixed", t.customer_id, &carrier) == 1 && carrier == t.id,
	   "the customer's mail went to SUP-1001");
	is_int(store_announcement_mailed_to(f.store, p.id, "workaround", t.customer_id, &carrier), 0,
	       "another template is another announcement");
	list = store_problem_announcements(f.store, p.id);
	ok(list && list->len == 1, "one record in all");
	if (list)
		g_ptr_array_free(list, TRUE);
	ok(store_problem_set_announced(f.store, p.id, 99) == 0, "announced at 99");
	store_problem_clear(&p);
	ok(store_problem_get(f.store, "support", "printer-firmware", &p) == 1 && p.announced == 99, "read back");

	/* Who must not be mailed. */
	is_int(store_ticket_sender_unforged(f.store, t.id, "ANNA@example.org"), 1,
	       "Anna wrote SUP-1001 (stored before any evidence: not contradicted)");
	is_int(store_ticket_sender_unforged(f.store, t2.id, "bert@example.org"), 0, "Bert wrote no message to SUP-1002");
	is_int(store_outbox_bounces(f.store, "bert@example.org"), 0, "no mail to Bert: no bounce");
	ok(store_problem_unlink_all(f.store, t.id) == 1, "unlink all: one");
	e.message = g_bytes_new_static("x", 1);
	ok(store_outbox_add(f.store, &e) == 0 && store_commit(f.store) == 0, "a mail to Bert queued, commit");
	/* As the sender records it: on its own, outside a transaction. */
	ok(store_outbox_fail(f.store, e.id, 6, "550 no such user") == 0, "and failed for good");
	g_bytes_unref(e.message);
	is_int(store_outbox_bounces(f.store, "BERT@example.org"), 1, "so his address bounces");
	store_problem_clear(&p);
	store_ticket_clear(&t);
	store_ticket_clear(&t2);
}

/* A store left at schema 5 with a ticket in it migrates to 6. */
static void test_migration(void)
{
	char *path = g_build_filename(f.dir, "v5.db", NULL), *error = NULL, *sql;
	struct store *st;
	sqlite3 *h;
	struct store_ticket t = { 0 };

	sqlite3_open(path, &h);
	for (int v = 0; v < 5; v++)
		ok(sqlite3_exec(h, schema_migration(v), NULL, NULL, NULL) == SQLITE_OK, "schema %d -> %d", v, v + 1);
	sql = g_strdup("INSERT INTO customers(address, created) VALUES ('anna@example.org', 1);"
		       "INSERT INTO tickets(queue, tag, number, subject, customer_id, created, updated)"
		       " VALUES ('support', 'SUP', 1001, 'Old', 1, 1, 1); PRAGMA user_version = 5;");
	ok(sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK, "a version 5 store with a ticket");
	g_free(sql);
	sqlite3_close(h);
	st = store_open(path, 5000, &error);
	ok(st && store_version_found(st) == 5, "opened: found version 5");
	ok(st && store_ticket_by_number(st, "SUP", 1001, &t) == 1 && store_begin(st) == 0 &&
	   store_problem_link(st, "support", "old-bug", t.id, "x", 2) == 1 && store_commit(st) == 0,
	   "migrated: its ticket links to a problem");
	store_ticket_clear(&t);
	store_close(st);
	g_free(error);
	g_free(path);
}

int main(void)
{
	fixture_setup(&f, NULL);
	{
		struct queue *q = (struct queue *)&f.settings->queues[0];
		g_strfreev(q->agents);
		q->agents = g_strsplit("alice@example.com,bob@example.com", ",", -1);
	}
	test_parse();
	test_by_mail();
	test_by_ctl();
	test_store();
	test_migration();
	fixture_teardown(&f);
	return tap_done();
}
