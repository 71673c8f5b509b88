/*
 * test_delay.c - the delay notice through the engine on a real store
 * (delay_notice.h, scheduled_mail.h): planned at 90% of the first
 * response's budget in business time; sent once to the customer, in the
 * ticket's language (English, German, Japanese), threaded into the ticket,
 * with a new time; never after an agent's reply, nor while the ticket is
 * pending (its clock stops), nor to a robot's address or a forged sender;
 * off by default and with none.  And a ticket pending on its customer
 * (pending.h): one nudge after 3 business days, resolved after 7 with the
 * resolved notice, both ended when the customer answers and planned
 * again for the next wait.  Room: tests.
 *
 * The office is open Mon-Fri 09:00-17:00 UTC; the first response is
 * promised within 8 business hours, so 90% is 7 hours 12 minutes.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/delay_notice.h"
#include "engine/engine.h"
#include "engine/lifecycle.h"
#include "engine/pending.h"
#include "commands/commands.h"

#include <gmime/gmime.h>
#include <glib.h>
#include <sqlite3.h>
#include <stdlib.h>

#define MON INT64_C(1794787200)	/* Monday 16 November 2026 00:00 UTC */
#define DAY INT64_C(86400)
#define H INT64_C(3600)
#define M INT64_C(60)

static struct fixture f;

static const char *const conf_tail =
	"agents = bob@example.com\n"
	"locales = en, de, ja\n"
	"sla = standard\n"
	"calendars = office\n"
	"delay-notice = 90%\n"
	"pending-reminder = 3d\n"
	"pending-resolve = 7d\n"
	"[sla standard]\n"
	"first-response = 8h\n"
	"resolution = 5d\n"
	"[calendar office]\n"
	"timezone = UTC\n"
	"hours = mon-fri 09:00-17:00\n";

static struct settings *load(const char *tail, GPtrArray *errors)
{
	char *base = NULL, *text, *path;
	struct settings *s;

	g_file_get_contents(f.config_path, &base, NULL, NULL);
	text = g_strconcat(base, tail, NULL);
	path = fixture_write(&f, "delay.conf", text);
	s = settings_load(path, SETTINGS_LOAD_SECRET, errors);
	g_free(path);
	g_free(text);
	g_free(base);
	return s;
}

static void setup(void)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);

	fixture_setup(&f, "trusted-networks = 10.0.0.0/8\nauthserv-id = mx.example.com\n");
	settings_unref(f.settings);
	f.settings = load(conf_tail, errors);
	if (f.settings == NULL) {
		printf("Bail out! %s\n", errors->len ? (char *)g_ptr_array_index(errors, 0) : "no settings");
		exit(1);
	}
	g_ptr_array_free(errors, TRUE);
}

/* One message through the engine at now; client 10.x makes an agent. */
static void process(const char *text, int64_t now, const char *client)
{
	struct message *m = fixture_message(text);
	char *rcpts[] = { "support@example.com", NULL }, *token = NULL, *error = NULL;
	struct envelope env = { .sender = m->from ? m->from->address : NULL, .recipients = rcpts, .queue_id = "Q",
				.now = now, .client_addr = client, .raw = text, .raw_len = strlen(text) };
	struct engine_result res = { 0 };
	const struct queue *q = engine_queue_for(f.settings, rcpts, &token);

	if (engine_process(f.settings, f.assets, f.store, q ? q : &f.settings->queues[0], token, m, &env, &res, &error) != 0)
		tap_diag("engine error: %s", error);
	engine_result_clear(&res);
	g_free(error);
	g_free(token);
	message_free(m);
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
	g_free(sql);
	g_free(db);
	return out ? out : g_strdup("");
}

/* The delay row of SUP-number: "state send_at" or "state detail". */
static char *row(int number)
{
	return query("SELECT s.state || ' ' || coalesce(nullif(s.send_at, 0), s.remaining, '') || coalesce(' ' || s.detail, '')"
		     " FROM schedule s JOIN tickets t ON t.id = s.ticket_id WHERE t.number = %d AND s.kind = '%s'",
		     number, DELAY_NOTICE);
}

static int run(int64_t now, int *queued)
{
	GPtrArray *outcomes = g_ptr_array_new_with_free_func(scheduled_outcome_free);
	int n = scheduled_run_due(f.settings, f.assets, f.store, now, "test", outcomes, queued);

	for (guint i = 0; i < outcomes->len; i++) {
		const struct scheduled_outcome *o = g_ptr_array_index(outcomes, i);
		tap_diag("%s: %s %s", o->what, o->state, o->detail ? o->detail : "");
	}
	g_ptr_array_free(outcomes, TRUE);
	return n;
}

/* The delay notice to address, parsed (g_object_unref), or NULL. */
static GMimeMessage *notice_to(const char *address)
{
	char *db = g_build_filename(f.dir, "tickets.db", NULL);
	GMimeMessage *m = NULL;
	sqlite3 *h;
	sqlite3_stmt *st;

	sqlite3_open(db, &h);
	if (sqlite3_prepare_v2(h, "SELECT message FROM outbox WHERE kind = 'delay' AND recipient = ?1"
			       " ORDER BY id DESC LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			m = fixture_mime_parse(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	g_free(db);
	return m;
}

static char *text_of(GMimeMessage *m)
{
	GMimeObject *body = m ? g_mime_message_get_mime_part(m) : NULL;

	if (body && GMIME_IS_MULTIPART(body))
		body = g_mime_multipart_get_part(GMIME_MULTIPART(body), 0);
	return body && GMIME_IS_TEXT_PART(body) ? g_mime_text_part_get_text(GMIME_TEXT_PART(body)) : g_strdup("");
}

static const char *header(GMimeMessage *m, const char *name)
{
	const char *v = m == NULL ? NULL : strcmp(name, "Subject") == 0 ? g_mime_message_get_subject(m)
		: g_mime_object_get_header(GMIME_OBJECT(m), name);

	return v ? v : "";
}

static int apply(int number, const char *name, const char *arg, int64_t now)
{
	struct store_ticket t = { 0 };
	struct agent_command cmd = { .name = (char *)name, .arg = (char *)arg };
	const char *why = NULL;
	int rc = store_ticket_by_number(f.store, "SUP", number, &t);

	if (rc == 1 && store_begin(f.store) == 0) {
		rc = lifecycle_apply(f.settings, f.store, &t, &cmd, "bob@example.com", now, NULL, &why);
		rc = rc == 0 && store_commit(f.store) == 0 ? 0 : -1;
		store_rollback(f.store);
	}
	store_ticket_clear(&t);
	return rc;
}

static void test_config(void)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct settings *s = load("delay-notice = 150%\n", errors);

	ok(s == NULL && errors->len && strstr(g_ptr_array_index(errors, 0), "delay-notice"),
	   "delay-notice = 150%%: refused (%s)", errors->len ? (char *)g_ptr_array_index(errors, 0) : "");
	settings_unref(s);
	g_ptr_array_set_size(errors, 0);
	s = load("delay-notice = none\n", errors);
	ok(s && s->queues[0].delay_notice_percent == 0, "none: off");
	settings_unref(s);
	s = load("", errors);
	ok(s && s->queues[0].delay_notice_percent == 0, "off by default");
	settings_unref(s);
	ok(f.settings->queues[0].delay_notice_percent == 90, "90%%");
	g_ptr_array_set_size(errors, 0);
	s = load("pending-reminder = 3x\n", errors);
	ok(s == NULL && errors->len && strstr(g_ptr_array_index(errors, 0), "pending-reminder"),
	   "pending-reminder = 3x: refused (%s)", errors->len ? (char *)g_ptr_array_index(errors, 0) : "");
	settings_unref(s);
	ok(f.settings->queues[0].pending_reminder.minutes == 3 * 8 * 60 && !f.settings->queues[0].pending_reminder.calendar_time,
	   "pending-reminder = 3d: 24 business hours");
	g_ptr_array_free(errors, TRUE);
}

static void test_sent(void)
{
	int queued = 0;
	GMimeMessage *m;
	char *v, *text;

	process("From: Anna <anna@example.org>\nTo: support@example.com\nSubject: Printer on fire\n"
		"Message-ID: <a1@example.org>\n\nThe printer in our office smokes whenever we print.\n", MON + 10 * H, NULL);
	v = row(1001);
	is_str(v, "due 1794906720", "Monday 10:00: 7 business hours on Monday, 12 minutes on Tuesday: Tuesday 09:12");
	g_free(v);
	is_int(run(MON + DAY + 9 * H + 11 * M, &queued), 0, "Tuesday 09:11: not yet");
	run(MON + DAY + 9 * H + 12 * M, &queued);
	is_int(queued, 1, "09:12: no agent has answered: the notice goes");
	m = notice_to("anna@example.org");
	is_str(header(m, "Subject"), "[SUP-1001] An update on your request: Printer on fire", "the subject, with the tag");
	is_str(header(m, "In-Reply-To"), "<a1@example.org>", "in the thread of her message");
	ok(strstr(header(m, "Reply-To"), "support+sup-1001-") != NULL, "Reply-To: the ticket's gateway address");
	is_str(header(m, "Auto-Submitted"), "auto-generated", "Auto-Submitted: it answers no message");
	text = text_of(m);
	ok(strstr(text, "Hello Anna,") && strstr(text, "We haven’t forgotten you.") &&
	   strstr(text, "You’ll hear from us by Wednesday, November 18, 2026 at 9:12 AM UTC."),
	   "the new time: 8 business hours from now, in her zone");
	g_free(text);
	g_object_unref(m);
	v = query("SELECT detail FROM events WHERE kind = 'delay-notice'");
	ok(g_str_has_prefix(v, "to <anna@example.org>: no agent reply at 90%"), "an event says so (%s)", v);
	g_free(v);
	is_int(run(MON + DAY + 10 * H, &queued), 0, "once: nothing again");
}

static void test_languages(void)
{
	int queued = 0;
	GMimeMessage *m;

	process("From: Dieter <dieter@example.de>\nTo: support@example.com\nSubject: Drucker\n"
		"Message-ID: <d1@example.de>\n\nGuten Tag, unser Drucker im Büro druckt seit gestern keine Seiten mehr "
		"und zeigt eine Fehlermeldung an. Können Sie uns bitte helfen?\n", MON + 10 * H, NULL);
	process("From: Kenji <kenji@example.jp>\nTo: support@example.com\nSubject: Printer\n"
		"Message-ID: <k1@example.jp>\n\nお世話になっております。事務所のプリンターが昨日から印刷できなくなりました。"
		"エラーが表示されます。ご確認をお願いいたします。\n", MON + 10 * H, NULL);
	run(MON + DAY + 9 * H + 12 * M, &queued);
	is_int(queued, 2, "two more customers without an answer");
	m = notice_to("dieter@example.de");
	is_str(header(m, "Subject"), "[SUP-1002] Zwischenstand zu Ihrer Anfrage: Drucker", "in German");
	g_object_unref(m);
	m = notice_to("kenji@example.jp");
	{
		char *text = text_of(m);
		is_str(header(m, "Subject"), "[SUP-1003] ご回答の遅れについてのお知らせ：Printer", "in Japanese");
		ok(strstr(text, "Kenji 様") && strstr(text, "2026年11月18日（水）9:12") != NULL,
		   "with the Japanese greeting and date");
		g_free(text);
	}
	g_object_unref(m);
}

static void test_suppressed(void)
{
	int64_t wed = MON + 2 * DAY;
	int queued = 0;
	const char *why = NULL;
	struct store_ticket t = { 0 };
	char *v;

	process("From: Carl <carl@example.org>\nTo: support@example.com\nSubject: Login fails\n"
		"Message-ID: <c1@example.org>\n\nI cannot log in to the portal since this morning.\n", wed + 10 * H, NULL);
	process("From: Bob <bob@example.com>\nTo: support@example.com\nSubject: Re: [SUP-1004] Login fails\n"
		"Message-ID: <b1@example.com>\nIn-Reply-To: <c1@example.org>\n\nPlease try again now.\n",
		wed + 11 * H, "10.1.2.3");
	v = row(1004);
	is_str(v, "cancelled 1795079520 an agent answered", "an agent answered: cancelled");
	g_free(v);

	process("From: Pia <pia@example.org>\nTo: support@example.com\nSubject: Invoice\n"
		"Message-ID: <p1@example.org>\n\nOur invoice for October shows the wrong amount.\n", wed + 10 * H, NULL);
	is_int(apply(1005, "status", "pending", wed + 12 * H), 0, "SUP-1005 pending on the customer");
	v = row(1005);
	is_str(v, "paused 312", "its clock stops: 5 hours 12 minutes left");
	g_free(v);
	is_int(run(wed + DAY + 12 * H, &queued), 0, "nothing goes while it waits");

	process("From: Portal <noreply@example.org>\nTo: support@example.com\nSubject: Report\n"
		"Message-ID: <n1@example.org>\n\nThe nightly report failed to run.\n", wed + 10 * H, NULL);
	process("From: Eve <eve@example.org>\nTo: support@example.com\nSubject: Refund\n"
		"Message-ID: <e1@example.org>\nAuthentication-Results: mx.example.com; dmarc=fail header.from=example.org\n\n"
		"Please refund my last order.\n", wed + 10 * H, NULL);
	run(wed + DAY + 9 * H + 12 * M, &queued);
	is_int(queued, 0, "Thursday 09:12: nothing to a robot or a forged sender");
	v = query("SELECT group_concat(detail, ' | ') FROM events WHERE kind = 'no-delay-notice'");
	ok(strstr(v, "never-to") || strstr(v, "system"), "the robot's address: why (%s)", v);
	ok(strstr(v, "forged"), "the forged sender: why");
	g_free(v);
	store_ticket_by_number(f.store, "SUP", 1001, &t);
	ok(delay_notice_forbidden(f.settings, f.store, &f.settings->queues[0], &t, "contradicted", wed, &why) == 0 &&
	   why && strstr(why, "forged"), "a contradicted last message forbids it (%s)", why ? why : "");
	ok(delay_notice_forbidden(f.settings, f.store, &f.settings->queues[0], &t, "claimed", wed, &why) == 0 &&
	   why == NULL, "a claimed one does not");
	store_ticket_clear(&t);
	is_int(apply(1005, "status", "resolved", wed + DAY + 13 * H), 0, "SUP-1005 resolved");
	v = row(1005);
	ok(g_str_has_prefix(v, "cancelled") && strstr(v, "resolved"), "resolved: cancelled (%s)", v);
	g_free(v);
}

/* The pending row of kind for SUP-number: "state send_at target-is-paused_at". */
static char *pending_row(int number, const char *kind)
{
	return query("SELECT group_concat(s.state || ' ' || coalesce(s.send_at, '') || ' ' || coalesce(s.target = t.paused_at, 0) ||"
		     " coalesce(' ' || s.detail, ''), ' | ') FROM schedule s JOIN tickets t ON t.id = s.ticket_id"
		     " WHERE t.number = %d AND s.kind = '%s'", number, kind);
}

static void test_pending(void)
{
	int64_t mon = MON + 14 * DAY;	/* Monday 30 November */
	int queued = 0;
	GMimeMessage *m;
	char *v, *text;

	process("From: Olga <olga@example.org>\nTo: support@example.com\nSubject: VPN\n"
		"Message-ID: <o1@example.org>\n\nThe VPN client does not connect from home.\n", mon + 10 * H, NULL);
	is_int(apply(1008, "status", "pending", mon + 12 * H), 0, "SUP-1008 pending on Olga, Monday 12:00");
	v = pending_row(1008, PENDING_NUDGE);
	is_str(v, "due 1796299200 1", "the nudge: 24 business hours on, Thursday 12:00, for this wait");
	g_free(v);
	v = pending_row(1008, PENDING_RESOLVE);
	is_str(v, "due 1796817600 1", "the resolution: 56 business hours on, Wednesday 9 December 12:00");
	g_free(v);
	run(mon + 3 * DAY + 12 * H, &queued);
	is_int(queued, 1, "Thursday 12:00: the nudge goes");
	v = query("SELECT kind || ' ' || recipient FROM outbox ORDER BY id DESC LIMIT 1");
	is_str(v, "nudge olga@example.org", "to Olga");
	g_free(v);
	{
		char *db = g_build_filename(f.dir, "tickets.db", NULL);
		sqlite3 *h;
		sqlite3_stmt *st;

		sqlite3_open(db, &h);
		m = NULL;
		if (sqlite3_prepare_v2(h, "SELECT message FROM outbox WHERE kind = 'nudge'", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			m = fixture_mime_parse(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		sqlite3_finalize(st);
		sqlite3_close(h);
		g_free(db);
	}
	text = text_of(m);
	is_str(header(m, "Subject"), "[SUP-1008] Waiting for your reply: VPN", "its subject");
	is_str(header(m, "In-Reply-To"), "<o1@example.org>", "in her thread");
	ok(strstr(text, "Hello Olga,") && strstr(text, "We’re still waiting for your reply") && strstr(text, "we’ll close the ticket in a few days"),
	   "it says it will be closed, pending-resolve being set");
	g_free(text);
	if (m)
		g_object_unref(m);
	is_int(run(mon + 4 * DAY, &queued), 0, "once");
	run(mon + 9 * DAY + 12 * H, &queued);
	v = query("SELECT status FROM tickets WHERE number = 1008");
	is_str(v, "resolved", "Wednesday 9 December 12:00: no answer: resolved");
	g_free(v);
	v = query("SELECT group_concat(kind, ' ') FROM outbox WHERE recipient = 'olga@example.org' ORDER BY id");
	ok(g_str_has_suffix(v, "nudge resolved"), "with the resolved notice, as when an agent resolves (%s)", v);
	g_free(v);
	v = query("SELECT actor || ': ' || detail FROM events e JOIN tickets t ON t.id = e.ticket_id"
		  " WHERE t.number = 1008 AND e.kind = 'status' ORDER BY e.id DESC LIMIT 1");
	is_str(v, "ticket-milter: pending -> resolved", "an event of ticket-milter");
	g_free(v);

	process("From: Hugo <hugo@example.org>\nTo: support@example.com\nSubject: Backup\n"
		"Message-ID: <h1@example.org>\n\nThe nightly backup of our file server failed.\n", mon + 10 * H, NULL);
	is_int(apply(1009, "status", "pending", mon + 12 * H), 0, "SUP-1009 pending on Hugo");
	process("From: Hugo <hugo@example.org>\nTo: support@example.com\nSubject: Re: [SUP-1009] Backup\n"
		"Message-ID: <h2@example.org>\n\nHere is the log you asked for.\n", mon + DAY + 10 * H, NULL);
	v = pending_row(1009, PENDING_NUDGE);
	ok(g_str_has_prefix(v, "cancelled ") && strstr(v, "no longer pending"), "he answers: the nudge ends (%s)", v);
	g_free(v);
	is_int(apply(1009, "status", "pending", mon + DAY + 14 * H), 0, "pending again, Tuesday 14:00");
	v = pending_row(1009, PENDING_NUDGE);
	ok(strstr(v, " | due 1796392800 1") != NULL, "a nudge for the new wait: Friday 14:00 (%s)", v);
	g_free(v);
}

int main(void)
{
	setup();
	test_config();
	test_sent();
	test_languages();
	test_suppressed();
	test_pending();
	fixture_teardown(&f);
	return tap_done();
}
