/*
 * test_reminders.c - reminders and escalation through the engine on a
 * real store (reminders.h, scheduled_mail.h): the levels of a promise
 * in business time across nights, a holiday and a follow-the-sun
 * hand-over between two calendars; a wall-clock target whose levels fall
 * at night and go at the next opening; a pause while pending; each level
 * sent once to the right people, in their language, also across a
 * restart; the first agent reply and the resolution ending them; and an
 * agent's answer to a reminder reaching the customer as a reply to their
 * thread.
 *
 * The office is open Mon-Fri 09:00-17:00 UTC (Thursday 19 November 2026
 * a holiday), New York Mon-Fri 09:00-17:00, that is 14:00-22:00 UTC:
 * business time runs 09:00-22:00 UTC on weekdays.
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/engine.h"
#include "engine/lifecycle.h"
#include "engine/reminders.h"
#include "commands/commands.h"

#include <gmime/gmime.h>
#include <glib.h>
#include <sqlite3.h>
#include <stdlib.h>

#define MON INT64_C(1794787200)	/* Monday 16 November 2026 00:00 UTC */
#define DAY INT64_C(86400)
#define H INT64_C(3600)

static struct fixture f;

static const char *const conf_tail =
	"agents = alice@example.com, bob@example.com, carol@example.com\n"
	"locales = en, de\n"
	"sla = standard\n"
	"calendars = office, ny\n"
	"[sla standard]\n"
	"first-response = 8h\n"
	"resolution = 2d\n"
	"urgent.first-response = 4h calendar\n"
	"remind = 50%, 75%: assignee; 100%: assignee, lead@example.com; 150%: agents, manager@example.com\n"
	"[calendar office]\n"
	"timezone = UTC\n"
	"hours = mon-fri 09:00-17:00\n"
	"holidays = 2026-11-19\n"
	"agents = alice@example.com\n"
	"[calendar ny]\n"
	"timezone = America/New_York\n"
	"hours = mon-fri 09:00-17:00\n"
	"agents = carol\n"
	"[agent carol]\n"
	"address = carol@example.com\n"
	"locale = de\n"
	"timezone = America/New_York\n";

static void setup(void)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *base = NULL, *text, *path;

	fixture_setup(&f, "trusted-networks = 10.0.0.0/8\n");
	g_file_get_contents(f.config_path, &base, NULL, NULL);
	text = g_strconcat(base, conf_tail, NULL);
	path = fixture_write(&f, "reminders.conf", text);
	settings_unref(f.settings);
	f.settings = settings_load(path, SETTINGS_LOAD_SECRET, errors);
	if (f.settings == NULL) {
		printf("Bail out! %s\n", errors->len ? (char *)g_ptr_array_index(errors, 0) : "no settings");
		exit(1);
	}
	g_ptr_array_free(errors, TRUE);
	g_free(path);
	g_free(text);
	g_free(base);
}

/* One message through the engine at now; client 10.x makes an agent. */
static struct engine_result process(const char *text, int64_t now, const char *client, const char *rcpt)
{
	struct message *m = fixture_message(text);
	char *rcpts[] = { (char *)rcpt, NULL }, *token = NULL, *error = NULL;
	struct envelope env = { .sender = m->from ? m->from->address : NULL, .recipients = rcpts, .queue_id = "Q",
				.now = now, .client_addr = client, .raw = text, .raw_len = strlen(text) };
	struct engine_result res = { 0 };
	const struct queue *q = engine_queue_for(f.settings, rcpts, &token);

	if (engine_process(f.settings, f.assets, f.store, q ? q : &f.settings->queues[0], token, m, &env, &res, &error) != 0) {
		tap_diag("engine error: %s", error);
		res.outcome = -1;
	}
	g_free(error);
	g_free(token);
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
	g_free(sql);
	g_free(db);
	return out ? out : g_strdup("");
}

/* The promise of ticket SUP-number. */
static int64_t first_response_due(int number)
{
	char *v = query("SELECT first_response_due FROM tickets WHERE tag = 'SUP' AND number = %d", number);
	int64_t n = g_ascii_strtoll(v, NULL, 10);

	g_free(v);
	return n;
}

/* When row (ticket number, kind, level) may go; 0 when it may not. */
static int64_t send_at(int number, const char *kind, int level)
{
	char *v = query("SELECT coalesce(s.send_at, 0) FROM schedule s JOIN tickets t ON t.id = s.ticket_id"
			" WHERE t.number = %d AND s.kind = 'remind-%s' AND s.level = %d", number, kind, level);
	int64_t n = g_ascii_strtoll(v, NULL, 10);

	g_free(v);
	return n;
}

static char *state(int number, const char *kind, int level)
{
	return query("SELECT s.state || coalesce(' ' || s.remaining, '') FROM schedule s JOIN tickets t"
		     " ON t.id = s.ticket_id WHERE t.number = %d AND s.kind = 'remind-%s' AND s.level = %d",
		     number, kind, level);
}

/* Runs the scheduler's work at now; returns the rows taken, and the
 * reminders queued in *queued. */
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

/* The newest reminder to address, parsed (g_object_unref), or NULL. */
static GMimeMessage *reminder_to(const char *address)
{
	char *db = g_build_filename(f.dir, "tickets.db", NULL);
	GMimeMessage *m = NULL;
	sqlite3 *h;
	sqlite3_stmt *st;

	sqlite3_open(db, &h);
	if (sqlite3_prepare_v2(h, "SELECT message FROM outbox WHERE kind = 'reminder' AND recipient = ?1"
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

static void test_levels(void)
{
	struct engine_result r = process("From: Anna <anna@example.org>\nTo: support@example.com\n"
					 "Subject: Printer on fire\nMessage-ID: <a1@example.org>\n\nIt smokes.\n",
					 MON + 20 * H, NULL, "support@example.com");

	ok(r.outcome == ENGINE_TICKETED && r.new_ticket, "Monday 20:00: a customer opens SUP-1001");
	is_int(r.scheduled, MON + DAY + 11 * H, "the engine tells the scheduler its earliest reminder");
	engine_result_clear(&r);
	is_int(send_at(1001, "first-response", 50), MON + DAY + 11 * H,
	       "50%% of 8 business hours: 2 on Monday evening (New York), 2 on Tuesday morning: Tuesday 11:00");
	is_int(send_at(1001, "first-response", 75), MON + DAY + 13 * H, "75%%: Tuesday 13:00");
	is_int(send_at(1001, "first-response", 100), MON + DAY + 15 * H, "100%%: Tuesday 15:00");
	is_int(first_response_due(1001),
	       MON + DAY + 15 * H, "the promise itself: the same moment");
	is_int(send_at(1001, "first-response", 150), MON + DAY + 19 * H,
	       "150%%: Tuesday 19:00, after the office closed, while New York works");
	is_int(send_at(1001, "resolution", 100), MON + 2 * DAY + 10 * H, "resolution (2 business days) 100%%: Wednesday 10:00");
	is_int(send_at(1001, "resolution", 150), MON + 2 * DAY + 18 * H, "resolution 150%%: Wednesday 18:00");
}

static void test_sending(void)
{
	int queued = 0;
	GMimeMessage *m;
	char *text, *v;

	is_int(run(MON + DAY + 10 * H + 59 * 60, &queued), 0, "Tuesday 10:59: nothing is due yet");
	is_int(run(MON + DAY + 11 * H, &queued), 1, "Tuesday 11:00: the 50%% level is taken");
	is_int(queued, 1, "and sent");
	v = query("SELECT group_concat(recipient, ' ') FROM (SELECT recipient FROM outbox WHERE kind = 'reminder'"
		  " ORDER BY recipient)");
	is_str(v, "alice@example.com bob@example.com carol@example.com",
	       "nobody is assigned: the queue's agents get it");
	g_free(v);
	m = reminder_to("alice@example.com");
	is_str(header(m, "Subject"), "[SUP-1001] 4 hours left: Printer on fire", "alice's subject: tag, time left, subject");
	ok(strstr(header(m, "Reply-To"), "support+sup-1001-") != NULL, "Reply-To: the ticket's gateway address (%s)",
	   header(m, "Reply-To"));
	is_str(header(m, "In-Reply-To"), "<a1@example.org>", "in the thread of the customer's message");
	text = text_of(m);
	ok(strstr(text, "First response promised by Tuesday, November 17, 2026 at 3:00 PM UTC.") &&
	   strstr(text, "Time left: 4 hours (business hours).") && strstr(text, "Customer: Anna <anna@example.org>") &&
	   strstr(text, "> It smokes."), "the text: the promise in her zone, the time left, the customer, the excerpt");
	g_free(text);
	g_object_unref(m);
	m = reminder_to("carol@example.com");
	is_str(header(m, "Subject"), "[SUP-1001] Noch 4 Stunden: Printer on fire", "carol's, in German ([agent carol])");
	text = text_of(m);
	ok(strstr(text, "Erste Antwort zugesagt bis Dienstag, 17. November 2026 um 10:00 Uhr") != NULL,
	   "the promise in her zone, New York");
	g_free(text);
	g_object_unref(m);
	v = query("SELECT detail FROM events WHERE kind = 'reminder'");
	ok(strstr(v, "first response at 50% to <alice@example.com>, <bob@example.com>, <carol@example.com>") != NULL,
	   "one event of the ticket says so (%s)", v);
	g_free(v);
	is_int(run(MON + DAY + 11 * H + 30, &queued), 0, "sent once: nothing again at 11:00:30");

	is_int(apply(1001, "assign", "bob@example.com", MON + DAY + 12 * H), 0, "#assign bob");
	run(MON + DAY + 13 * H, &queued);
	v = query("SELECT group_concat(recipient) FROM outbox WHERE kind = 'reminder' AND created = %lld",
		  (long long)(MON + DAY + 13 * H));
	is_str(v, "bob@example.com", "Tuesday 13:00, 75%%: the assignee alone");
	g_free(v);
	is_int(run(MON + DAY + 15 * H, &queued), 2, "Tuesday 15:00: 100%% of the first response and 50%% of the resolution");
	v = query("SELECT group_concat(recipient, ' ') FROM (SELECT recipient FROM outbox WHERE kind = 'reminder'"
		  " AND created = %lld ORDER BY id)", (long long)(MON + DAY + 15 * H));
	is_str(v, "bob@example.com lead@example.com bob@example.com", "100%%: the assignee and the team lead; 50%%: the assignee");
	g_free(v);
	m = reminder_to("lead@example.com");
	is_str(header(m, "Subject"), "[SUP-1001] Due now: Printer on fire", "at 100%% it is due now");
	g_object_unref(m);
}

static void test_reply(void)
{
	GMimeMessage *m = reminder_to("bob@example.com");
	const char *id = m ? g_mime_message_get_message_id(m) : NULL;
	char *reply, *v, *gateway = g_strdup(header(m, "Reply-To"));
	struct engine_result r;
	const char *subject = NULL, *irt = NULL;

	*strchr(gateway, '>') = '\0';
	reply = g_strdup_printf("From: Bob <bob@example.com>\nTo: %s\nSubject: Re: [SUP-1001] Noch etwas: Printer on fire\n"
				"Message-ID: <bob-1@example.com>\nIn-Reply-To: <%s>\n\nPlease unplug it now.\n",
				strchr(gateway, '<') + 1, id);
	r = process(reply, MON + DAY + 15 * H + 60, "10.1.2.3", strchr(gateway, '<') + 1);
	ok(r.outcome == ENGINE_AGENT_REPLY, "bob answers from the reminder: an agent's reply");
	for (guint i = 0; r.edits && i < r.edits->len; i++) {
		const struct header_edit *e = g_ptr_array_index(r.edits, i);
		if (e->op != HEADER_DELETE && strcmp(e->name, "Subject") == 0)
			subject = e->value;
		if (e->op != HEADER_DELETE && strcmp(e->name, "In-Reply-To") == 0)
			irt = e->value;
	}
	ok(r.rcpt_add && r.rcpt_add->len == 1 && strcmp(g_ptr_array_index(r.rcpt_add, 0), "<anna@example.org>") == 0,
	   "it goes to the customer");
	is_str(subject, "Re: [SUP-1001] Printer on fire", "under the ticket's subject, not the reminder's");
	is_str(irt, "<a1@example.org>", "in reply to the customer's message");
	engine_result_clear(&r);
	v = state(1001, "first-response", 150);
	is_str(v, "cancelled", "the first response given: its last level is cancelled");
	g_free(v);
	v = state(1001, "resolution", 75);
	is_str(v, "due", "the resolution's levels stay");
	g_free(v);
	is_int(apply(1001, "status", "resolved", MON + DAY + 16 * H), 0, "#status resolved");
	v = query("SELECT group_concat(state || ':' || coalesce(detail, ''), ' ') FROM (SELECT state, detail FROM schedule"
		  " WHERE kind = 'remind-resolution' AND level >= 75 ORDER BY level)");
	is_str(v, "cancelled:resolved cancelled:resolved cancelled:resolved", "resolved: every level left ends");
	g_free(v);
	g_free(reply);
	g_free(gateway);
	g_object_unref(m);
}

static void test_night(void)
{
	struct engine_result r = process("From: Dirk <dirk@example.de>\nTo: support@example.com\n"
					 "Subject: URGENT: server down\nMessage-ID: <d1@example.de>\n\nNothing works.\n",
					 MON + 4 * DAY + 20 * H, NULL, "support@example.com");
	int queued = 0;
	char *v;

	engine_result_clear(&r);
	for (int level = 50; level <= 150; level += level == 100 ? 50 : 25)
		is_int(send_at(1002, "first-response", level), MON + 7 * DAY + 9 * H,
		       "urgent, 4h of calendar time from Friday 20:00: %d%% falls in the night and goes Monday 09:00", level);
	is_int(run(MON + 5 * DAY + 3 * H, &queued), 0, "Saturday 03:00: nobody is mailed");
	run(MON + 7 * DAY + 9 * H, &queued);
	is_int(queued, 4, "Monday 09:00: the four levels go");
	{
		GMimeMessage *m = reminder_to("manager@example.com");
		char *text = text_of(m);
		is_str(header(m, "Subject"), "[SUP-1002] Overdue by 57 hours: URGENT: server down",
		       "150%%: how late, on the target's clock (wall-clock hours)");
		ok(strstr(text, "Overdue by 57 hours.") && !strstr(text, "business hours"), "not said to be business hours");
		g_free(text);
		g_object_unref(m);
	}
	v = query("SELECT e.detail FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE e.kind = 'reminder'"
		  " AND t.number = 1002 AND e.detail LIKE 'first response at 150%%'");
	ok(g_str_has_prefix(v, "first response at 150% to <alice@example.com>, <manager@example.com> "),
	   "150%% at 09:00 to \"agents\": the office's (alice), not New York's, asleep (carol): %s", v);
	g_free(v);
	is_int(apply(1002, "status", "resolved", MON + 7 * DAY + 10 * H), 0, "SUP-1002 resolved");
}

static void test_handover(void)
{
	struct store_ticket t = { 0 };
	const struct queue *q = &f.settings->queues[0];
	static const struct { int64_t at; const char *want, *what; } cases[] = {
		{ MON + DAY + 10 * H, "alice@example.com manager@example.com", "Tuesday 10:00 UTC: the office" },
		{ MON + DAY + 16 * H, "alice@example.com carol@example.com manager@example.com", "16:00: both" },
		{ MON + DAY + 19 * H, "carol@example.com manager@example.com", "19:00: New York took over" },
		{ MON + 3 * DAY + 15 * H, "carol@example.com manager@example.com", "the office's holiday: New York" },
	};

	store_ticket_by_number(f.store, "SUP", 1002, &t);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GPtrArray *to = reminder_recipients(f.settings, q, &t, REMINDER_FIRST_RESPONSE, 150, cases[i].at);
		char *got;
		g_ptr_array_add(to, NULL);
		got = g_strjoinv(" ", (char **)to->pdata);
		is_str(got, cases[i].want, "\"agents\" follow the sun: %s", cases[i].what);
		g_free(got);
		g_ptr_array_free(to, TRUE);
	}
	ok(reminder_recipients(f.settings, q, &t, REMINDER_FIRST_RESPONSE, 60, MON) == NULL, "a level not configured: none");
	store_ticket_clear(&t);
}

static void test_pending(void)
{
	int64_t tue = MON + 8 * DAY;
	struct engine_result r = process("From: Anna <anna@example.org>\nTo: support@example.com\n"
					 "Subject: Scanner jammed\nMessage-ID: <a3@example.org>\n\nPaper stuck.\n",
					 tue + 9 * H, NULL, "support@example.com");
	int queued = 0;
	char *v;

	engine_result_clear(&r);
	is_int(send_at(1003, "first-response", 100), tue + 17 * H, "SUP-1003, Tuesday 09:00: due 17:00");
	is_int(apply(1003, "status", "pending", tue + 12 * H), 0, "12:00: pending, waiting for the customer");
	v = state(1003, "first-response", 50);
	is_str(v, "paused 60", "50%% (13:00) paused with 60 minutes left");
	g_free(v);
	v = state(1003, "first-response", 100);
	is_str(v, "paused 300", "100%% paused with 300 minutes left");
	g_free(v);
	is_int(run(tue + DAY + 12 * H, &queued), 0, "Wednesday noon: nothing goes while it waits");
	r = process("From: Anna <anna@example.org>\nTo: support@example.com\nSubject: Re: [SUP-1003] Scanner jammed\n"
		    "Message-ID: <a4@example.org>\n\nStill stuck.\n", tue + DAY + 20 * H, NULL, "support@example.com");
	is_int(r.scheduled, tue + DAY + 21 * H, "Wednesday 20:00 she answers: the engine tells the scheduler 21:00");
	engine_result_clear(&r);
	is_int(send_at(1003, "first-response", 50), tue + DAY + 21 * H, "50%% resumes: 60 minutes from 20:00");
	is_int(send_at(1003, "first-response", 100), tue + 2 * DAY + 12 * H,
	       "100%%: 2 hours on Wednesday evening, 3 on Thursday morning: Thursday 12:00");
	is_int(first_response_due(1003),
	       tue + 2 * DAY + 12 * H, "and the promise moved by the same business time, not by the wall-clock wait");

	/* A restart: the rows are in the store, nothing in memory. */
	store_close(f.store);
	{
		char *path = g_build_filename(f.dir, "tickets.db", NULL), *error = NULL;
		f.store = store_open(path, 5000, &error);
		g_free(path);
		g_free(error);
	}
	is_int(run(tue + 2 * DAY + 12 * H, &queued), 4, "after a restart, Thursday 12:00: 50, 75 and 100%% of the first "
	       "response are taken, and 50%% of the resolution, paused and resumed alike");
	is_int(queued, 4, "and sent");
	store_close(f.store);
	{
		char *path = g_build_filename(f.dir, "tickets.db", NULL), *error = NULL;
		f.store = store_open(path, 5000, &error);
		g_free(path);
		g_free(error);
	}
	is_int(run(tue + 2 * DAY + 12 * H + 60, &queued), 0, "after another restart nothing is sent twice");
	v = query("SELECT count(*) FROM outbox o JOIN tickets t ON t.id = o.ticket_id WHERE o.kind = 'reminder'"
		  " AND t.number = 1003");
	is_str(v, "13", "SUP-1003's reminders: the three agents at each level, and the team lead at 100%%");
	g_free(v);
}

int main(void)
{
	setup();
	test_levels();
	test_sending();
	test_reply();
	test_night();
	test_handover();
	test_pending();
	fixture_teardown(&f);
	return tap_done();
}
