/* test_announce.c - a known problem's announcement (problem_announce.h)
 * on a real store with the shipped templates: one mail per customer in
 * their language with the agent's text for it, threaded into their
 * newest linked ticket and composed as our mail is (tag, signed ids,
 * Reply-To, auto-generated); none to a forged sender, a system mailbox,
 * an address that bounces or a closed ticket, each recorded with why; a
 * dry run keeps nothing; a rerun sends nothing twice and mails only what
 * was linked since; --pending; and a missing text or template queues
 * nothing at all.
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/engine.h"
#include "engine/problem_announce.h"

#include <glib.h>
#include <sqlite3.h>
#include <stdlib.h>

static struct fixture f;
static int64_t clock_now = 1772445600;

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

/* A customer's new ticket; returns its number. */
static long customer(const char *from, const char *mid, const char *headers, const char *subject, const char *body)
{
	char *text = g_strdup_printf("From: %s\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s>\n"
				     "Content-Type: text/plain; charset=utf-8\n%s\n%s\n", from, subject, mid,
				     headers ? headers : "", body);
	struct engine_result r = process(text, "support@example.com", NULL);
	long number = r.new_ticket ? r.ref.number : 0;

	engine_result_clear(&r);
	g_free(text);
	return number;
}

static void link_ticket(const char *problem, long number)
{
	struct store_ticket t = { 0 };

	if (store_ticket_by_number(f.store, "SUP", number, &t) != 1 || store_begin(f.store) != 0 ||
	    store_problem_link(f.store, "support", problem, t.id, "alice@example.com", clock_now) < 0 ||
	    store_commit(f.store) != 0)
		tap_diag("cannot link SUP-%ld: %s", number, store_error(f.store));
	store_ticket_clear(&t);
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

/* The announcement queued to recipient, parsed (message_free). */
static struct message *mail_to(const char *recipient, char **raw)
{
	char *m = query("SELECT message FROM outbox WHERE kind = 'announce' AND recipient = '%s' ORDER BY id DESC",
			recipient);
	struct message *msg = *m ? fixture_message(m) : NULL;

	if (raw)
		*raw = m;
	else
		g_free(m);
	return msg;
}

static int run(const char *problem, const char *template_name, const char *text, GHashTable *texts, bool pending,
	       bool dry_run, struct announce_report *r, char **error)
{
	struct announce_request req = {
		.queue = "support", .problem = problem, .template_name = template_name, .text = text, .texts = texts,
		.pending = pending, .dry_run = dry_run, .actor = "ticketctl:test", .now = clock_now,
	};

	clock_now += 60;
	*error = NULL;
	return problem_announce(f.settings, f.assets, f.store, &req, r, error);
}

static const struct announce_line *line_of(const struct announce_report *r, const char *ticket)
{
	for (guint i = 0; i < r->lines->len; i++) {
		const struct announce_line *l = g_ptr_array_index(r->lines, i);
		if (strcmp(l->ticket, ticket) == 0)
			return l;
	}
	return NULL;
}

#define outcome_is(r, ticket, want, desc) do { \
	const struct announce_line *l_ = line_of(r, ticket); \
	ok(l_ && l_->outcome == (want), "%s: %s (%s)", ticket, desc, l_ ? l_->detail : "no line"); \
} while (0)

static GHashTable *texts_of(const char *const *pairs)
{
	GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

	for (; *pairs; pairs += 2)
		g_hash_table_insert(h, g_strdup(pairs[0]), g_strdup(pairs[1]));
	return h;
}

static void test_first_run(GHashTable *texts)
{
	struct announce_report r;
	struct message *m;
	char *error = NULL, *raw, *gateway;
	const struct announce_line *anna;

	ok(run("printer-firmware", "fixed", NULL, texts, false, true, &r, &error) == 0 && r.mailed == 3 && r.skipped == 4,
	   "dry run: 3 would be mailed, 4 skipped (%s)", error ? error : "");
	announce_report_clear(&r);
	g_free(error);
	is_query("0 0 0", "and nothing was queued, recorded or logged",
		 "SELECT (SELECT count(*) FROM outbox WHERE kind = 'announce') || ' ' ||"
		 " (SELECT count(*) FROM problem_announcements) || ' ' ||"
		 " (SELECT count(*) FROM events WHERE kind = 'announcement')");

	ok(run("printer-firmware", "fixed", NULL, texts, false, false, &r, &error) == 0, "announced (%s)",
	   error ? error : "");
	g_free(error);
	is_int(r.mailed, 3, "three customers mailed");
	is_int(r.covered, 1, "Anna's second ticket covered by her one mail");
	is_int(r.skipped, 4, "four tickets skipped");
	anna = line_of(&r, "SUP-1002");
	ok(anna && anna->outcome == ANNOUNCE_MAILED && g_strcmp0(anna->locale, "en") == 0,
	   "Anna's mail threads into her newest ticket, SUP-1002, in English");
	outcome_is(&r, "SUP-1001", ANNOUNCE_COVERED, "covered by SUP-1002");
	outcome_is(&r, "SUP-1005", ANNOUNCE_SKIPPED, "the forged sender is skipped");
	outcome_is(&r, "SUP-1006", ANNOUNCE_SKIPPED, "postmaster is skipped");
	outcome_is(&r, "SUP-1007", ANNOUNCE_SKIPPED, "the bouncing address is skipped");
	outcome_is(&r, "SUP-1008", ANNOUNCE_SKIPPED, "the closed ticket is skipped");
	ok(strstr(line_of(&r, "SUP-1005")->detail, "DMARC") && strstr(line_of(&r, "SUP-1006")->detail, "system mailbox") &&
	   strstr(line_of(&r, "SUP-1007")->detail, "failed for good") && strstr(line_of(&r, "SUP-1008")->detail, "closed"),
	   "each with why");
	announce_report_clear(&r);
	is_query("3", "three mails in the outbox", "SELECT count(*) FROM outbox WHERE kind = 'announce'");

	m = mail_to("juergen@example.de", &raw);
	ok(m != NULL, "Jürgen's mail");
	if (m) {
		is_str(message_header(m, "Content-Language"), "de", "in German");
		ok(strstr(m->subject, "[SUP-1003]") && strstr(m->subject, "Problem ist behoben"), "the tag and the German subject");
		ok(m->full_text && strstr(m->full_text, "Bitte installieren Sie die Firmware 2.1.4.") &&
		   strstr(m->full_text, "Guten Tag Jürgen Müller"), "the German text and greeting");
		ok(m->in_reply_to && m->in_reply_to->len == 1 && strcmp(g_ptr_array_index(m->in_reply_to, 0), "de-1@example.de") == 0,
		   "In-Reply-To his message");
		is_str(message_header(m, "Auto-Submitted"), "auto-generated", "Auto-Submitted: auto-generated");
		is_str(message_header(m, "Precedence"), "bulk", "Precedence: bulk");
		ok(g_str_has_prefix(m->message_id, "tm.sup-1003."), "a signed Message-ID of SUP-1003 (%s)", m->message_id);
		gateway = g_strdup(message_header(m, "Reply-To"));
		ok(gateway && strstr(gateway, "support+sup-1003-"), "Reply-To the signed gateway address");
		g_free(gateway);
		ok(strstr(raw, "Content-Type: multipart/alternative") && strstr(raw, "text/html"), "with its HTML part");
		message_free(m);
	}
	g_free(raw);
	m = mail_to("yamada@example.jp", NULL);
	ok(m && g_strcmp0(message_header(m, "Content-Language"), "ja") == 0 && strstr(m->full_text, "ファームウェア") &&
	   strstr(m->subject, "不具合の解消"), "Yamada's in Japanese with the Japanese text");
	if (m)
		message_free(m);
	m = mail_to("anna@example.org", NULL);
	ok(m && strstr(m->subject, "[SUP-1002]") && m->in_reply_to && m->in_reply_to->len == 1 &&
	   strcmp(g_ptr_array_index(m->in_reply_to, 0), "a2@example.org") == 0 && strstr(m->full_text, "firmware 2.1.4"),
	   "Anna's in English, continuing her SUP-1002");
	if (m)
		message_free(m);

	is_query("SUP-1002", "the record on SUP-1001 names the ticket mailed",
		 "SELECT detail FROM problem_announcements a JOIN tickets t ON t.id = a.ticket_id WHERE t.number = 1001");
	is_query("8", "an event on each linked ticket", "SELECT count(*) FROM events WHERE kind = 'announcement'");
	is_query("ticketctl:test printer-firmware (fixed): covered by the mail on SUP-1002",
		 "the covered ticket's event", "SELECT actor || ' ' || detail FROM events e JOIN tickets t ON t.id = e.ticket_id"
		 " WHERE e.kind = 'announcement' AND t.number = 1001");
	is_query("1", "the problem is marked announced", "SELECT announced > 0 FROM problems WHERE name = 'printer-firmware'");
	is_query("new", "without --pending the status stays", "SELECT status FROM tickets WHERE number = 1003");
}

static void test_rerun(GHashTable *texts)
{
	struct announce_report r;
	char *error = NULL;
	long lucia;

	ok(run("printer-firmware", "fixed", NULL, texts, false, false, &r, &error) == 0 && r.mailed == 0 && r.before == 4 &&
	   r.skipped == 4, "rerun: nothing mailed, 4 announced before, 4 still skipped");
	announce_report_clear(&r);
	g_free(error);
	is_query("3 8", "no mail and no event more",
		 "SELECT (SELECT count(*) FROM outbox WHERE kind = 'announce') || ' ' ||"
		 " (SELECT count(*) FROM events WHERE kind = 'announcement')");

	/* Linked since: Lucia writes Spanish, which the queue does not offer. */
	lucia = customer("Lucía <lucia@example.es>", "es-1@example.es", NULL, "La impresora no imprime",
			 "Buenos días, la impresora de la oficina no imprime desde ayer. ¿Pueden ayudarnos?");
	link_ticket("printer-firmware", lucia);
	ok(run("printer-firmware", "fixed", NULL, texts, false, false, &r, &error) == 0 && r.mailed == 1 && r.before == 4,
	   "a ticket linked since is the only one mailed");
	ok(r.mailed == 1 && g_strcmp0(line_of(&r, "SUP-1009")->locale, "en") == 0, "in the queue's default, English");
	announce_report_clear(&r);
	g_free(error);
}

static void set_status(long number, const char *status)
{
	struct store_ticket t = { 0 };

	ok(store_ticket_by_number(f.store, "SUP", number, &t) == 1 && store_begin(f.store) == 0 &&
	   store_ticket_set_status(f.store, t.id, status, clock_now) == 0 && store_commit(f.store) == 0,
	   "SUP-%ld %s", number, status);
	store_ticket_clear(&t);
}

static void test_pending_and_single_text(void)
{
	struct announce_report r;
	struct message *m;
	char *error = NULL;

	link_ticket("vpn", 1003);
	link_ticket("vpn", 1004);
	set_status(1004, "resolved");
	ok(run("vpn", "fixed", "VPN 3.2 fixes the drops.", NULL, true, false, &r, &error) == 0 && r.mailed == 2,
	   "--pending with one text for all: both mailed (%s)", error ? error : "");
	ok(line_of(&r, "SUP-1003")->now_pending && !line_of(&r, "SUP-1004")->now_pending,
	   "the new ticket is now pending, the resolved one not");
	announce_report_clear(&r);
	g_free(error);
	is_query("pending resolved", "so the store says",
		 "SELECT group_concat(status, ' ') FROM (SELECT status FROM tickets WHERE number IN (1003, 1004) ORDER BY number)");
	is_query("ticketctl:test", "the status event names who announced",
		 "SELECT actor FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE t.number = 1003 AND e.kind = 'status'");
	m = mail_to("yamada@example.jp", NULL);
	ok(m && strstr(m->full_text, "VPN 3.2 fixes the drops.") && g_strcmp0(message_header(m, "Content-Language"), "ja") == 0,
	   "one text goes into each customer's template as it is");
	if (m)
		message_free(m);
}

static void test_refusals(void)
{
	struct announce_report r;
	const char *const only_de[] = { "de", "Nur auf Deutsch.", NULL };
	GHashTable *texts = texts_of(only_de);
	char *before = query("SELECT count(*) FROM outbox"), *after, *error = NULL;

	link_ticket("toner", 1001);
	link_ticket("toner", 1003);
	ok(run("toner", "fixed", NULL, texts, false, false, &r, &error) == -1 && error && strstr(error, "add en.txt"),
	   "texts without the default locale's, for an English customer: refused (%s)", error ? error : "");
	announce_report_clear(&r);
	g_clear_pointer(&error, g_free);	/* the next message reads it, maybe before run() sets it */
	ok(run("toner", "no-such-template", "x", NULL, false, false, &r, &error) == -1 && error &&
	   strstr(error, "no template no-such-template"), "a template that does not exist: refused (%s)", error ? error : "");
	announce_report_clear(&r);
	g_free(error);
	after = query("SELECT count(*) FROM outbox");
	is_str(after, before, "and nothing at all was queued");
	is_query("0", "nor recorded", "SELECT count(*) FROM problem_announcements a JOIN problems p ON p.id = a.problem_id"
		 " WHERE p.name = 'toner'");
	is_int(run("no-such-problem", "fixed", NULL, NULL, false, false, &r, &error), 1, "no such problem: 1");
	announce_report_clear(&r);
	g_free(error);
	g_free(before);
	g_free(after);
	g_hash_table_destroy(texts);
}

int main(void)
{
	const char *const texts_by_locale[] = {
		"en", "Please install firmware 2.1.4 from the printer's menu.",
		"de", "Bitte installieren Sie die Firmware 2.1.4.",
		"ja", "ファームウェア 2.1.4 を適用してください。",
		NULL,
	};
	GHashTable *texts = texts_of(texts_by_locale);
	struct queue *q;
	struct engine_result r;
	char *bert_ack;

	fixture_setup(&f, "authserv-id = mx.example.com\n");
	q = (struct queue *)&f.settings->queues[0];
	g_strfreev(q->agents);
	q->agents = g_strsplit("alice@example.com", ",", -1);
	g_strfreev(q->locales);
	q->locales = g_strsplit("en,de,ja", ",", -1);

	ok(customer("Anna <anna@example.org>", "a1@example.org", NULL, "Printer on fire",
		    "The printer in room 12 is smoking since this morning.") == 1001, "Anna's SUP-1001");
	ok(customer("Anna <anna@example.org>", "a2@example.org", NULL, "Printer jams again",
		    "The printer on the second floor jams on every page.") == 1002, "and her SUP-1002");
	ok(customer("Jürgen Müller <juergen@example.de>", "de-1@example.de", NULL, "Drucker druckt nicht",
		    "Guten Tag, unser Drucker im zweiten Stock druckt seit heute Morgen nicht mehr. Können Sie bitte helfen?")
	   == 1003, "Jürgen's SUP-1003");
	ok(customer("山田 <yamada@example.jp>", "ja-1@example.jp", NULL, "プリンターが動きません",
		    "お世話になっております。プリンターが動かなくなりました。ご確認をお願いいたします。") == 1004,
	   "Yamada's SUP-1004");
	ok(customer("Chief <ceo@example.org>", "forged-1@example.org",
		    "Authentication-Results: mx.example.com; dmarc=fail header.from=example.org\n", "Printer",
		    "Send the printer invoices to this address.") == 1005, "a forged sender's SUP-1005");
	ok(customer("postmaster@example.net", "pm-1@example.net", NULL, "Printer report",
		    "Printer queue report for today.") == 1006, "postmaster's SUP-1006");
	ok(customer("Bert <bert@example.org>", "b1@example.org", NULL, "Printer offline",
		    "Our printer shows offline.") == 1007, "Bert's SUP-1007");
	ok(customer("Carl <carl@example.org>", "c1@example.org", NULL, "Printer noise",
		    "It makes a noise.") == 1008, "Carl's SUP-1008");
	/* Bert's acknowledgement bounced; Carl's ticket is closed. */
	bert_ack = query("SELECT id FROM outbox WHERE recipient = 'bert@example.org'");
	ok(*bert_ack && store_outbox_fail(f.store, atoll(bert_ack), clock_now, "550 5.1.1 no such user") == 0,
	   "Bert's acknowledgement bounced");
	g_free(bert_ack);
	set_status(1008, "closed");
	/* An agent's reply to Anna's first ticket: her second is the newer. */
	r = process("From: alice@example.com\nTo: support@example.com\nSubject: Re: [SUP-1002] Printer jams again\n"
		    "Message-ID: <alice-1@example.com>\n\n#problem printer-firmware\n\nWe are on it.\n",
		    "support@example.com", "alice");
	ok(r.outcome == ENGINE_AGENT_REPLY, "Alice links SUP-1002 by mail and answers");
	engine_result_clear(&r);
	for (long n = 1001; n <= 1008; n++)
		link_ticket("printer-firmware", n);

	test_first_run(texts);
	test_rerun(texts);
	test_pending_and_single_text();
	test_refusals();

	g_hash_table_destroy(texts);
	fixture_teardown(&f);
	return tap_done();
}
