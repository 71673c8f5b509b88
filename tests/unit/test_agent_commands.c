/* test_agent_commands.c - what an agent's commands do to a reply, through
 * engine_process() on a real store: a numbered list after the commands
 * is the reply; a reply of commands only, and a note no other agent
 * receives, go to nobody and the agent gets one notice saying so; #merge
 * stays within its queue; #cc adds and removes participants.
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/engine.h"
#include "trust/token.h"

#include <glib.h>
#include <sqlite3.h>
#include <stdlib.h>

static struct fixture f;
static int64_t clock_now = 1772445600;

static const struct queue *queue_named(const char *id)
{
	for (size_t i = 0; i < f.settings->n_queues; i++)
		if (strcmp(f.settings->queues[i].id, id) == 0)
			return &f.settings->queues[i];
	return NULL;
}

static struct engine_result process(const char *text, const char *rcpt, const char *login)
{
	struct message *m = fixture_message(text);
	char **rcpts = g_strsplit(rcpt, ",", -1);
	const char *from = m->from ? m->from->address : NULL;
	struct envelope env = { .sender = from, .recipients = rcpts, .queue_id = "Q", .now = clock_now,
				.auth_login = login, .raw = text, .raw_len = strlen(text) };
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

/* An agent's mail: headers From, To, Message-ID, then body. */
static struct engine_result agent_mail(const char *login, const char *rcpt, const char *mid, const char *headers,
				       const char *body)
{
	char *text = g_strdup_printf("From: %s@example.com\nTo: %s\nSubject: Re: Printer on fire\nMessage-ID: <%s>\n%s\n%s",
				     login, rcpt, mid, headers ? headers : "", body);
	struct engine_result r = process(text, rcpt, login);

	g_free(text);
	return r;
}

static bool has(GPtrArray *list, const char *value)
{
	for (guint i = 0; list && i < list->len; i++)
		if (strcmp(g_ptr_array_index(list, i), value) == 0)
			return true;
	return false;
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

/* The text of the notices answering the agent's Message-ID, decoded, and
 * how many there are. */
static char *notice_for(const char *mid, int *count)
{
	char *n = query("SELECT count(*) FROM outbox WHERE kind = 'agent-notice' AND CAST(message AS TEXT) LIKE '%%In-Reply-To: <%s>%%'", mid);
	char *raw = query("SELECT message FROM outbox WHERE kind = 'agent-notice' AND CAST(message AS TEXT) LIKE '%%In-Reply-To: <%s>%%'", mid);
	struct message *m = fixture_message(raw);
	char *text = g_strdup_printf("%s\n%s", m->subject, m->full_text);

	*count = atoi(n);
	message_free(m);
	g_free(raw);
	g_free(n);
	return text;
}

static bool body_has(const struct engine_result *r, const char *needle)
{
	return r->new_body && g_strstr_len(g_bytes_get_data(r->new_body, NULL), (gssize)g_bytes_get_size(r->new_body),
					   needle) != NULL;
}

static char *gateway_of(const char *tag, long number, const char *suffix)
{
	struct token_key key = { f.settings->secret, f.settings->secret_len };
	struct ticket_ref ref = { .number = number };
	char *token, *address;
	const char *base = strcmp(tag, "SUP") == 0 ? "support" : "billing";

	g_strlcpy(ref.tag, tag, sizeof ref.tag);
	token = token_for_ticket(&key, &ref);
	address = g_strdup_printf("%s+%s%s@example.com", base, token, suffix);
	g_free(token);
	return address;
}

static void test_lists(const char *sup)
{
	struct engine_result r;
	int n;
	char *text;

	/* The brief's case: #status, then a numbered list. */
	r = agent_mail("alice", sup, "list1@example.com", NULL,
		       "#status pending\n#1 Unplug the printer.\n#2 Wait ten seconds.\n#3 Plug it back in.\n");
	ok(r.outcome == ENGINE_AGENT_REPLY && !r.discard && has(r.rcpt_add, "<anna@example.org>"),
	   "#status then a numbered list: a reply to the customer, not commands only");
	ok(body_has(&r, "#1 Unplug the printer.\n#2 Wait ten seconds.\n#3 Plug it back in.") && !body_has(&r, "#status"),
	   "the list reaches the customer whole, the command does not");
	ok(!r.mail_queued, "and the agent gets no notice: all went as written");
	engine_result_clear(&r);
	is_query("pending", "#status applied", "SELECT status FROM tickets WHERE tag = 'SUP'");
	text = notice_for("list1@example.com", &n);
	is_int(n, 0, "no notice for it");
	g_free(text);

	/* The same in HTML only, inside <pre>. */
	r = agent_mail("alice", sup, "list2@example.com", "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n",
		       "<html><body><pre>#priority high\n#1 Unplug the printer.\n#2 Plug it back in.\n</pre></body></html>\n");
	ok(r.outcome == ENGINE_AGENT_REPLY && !r.discard && has(r.rcpt_add, "<anna@example.org>"),
	   "HTML only, a list in <pre>: a reply to the customer");
	ok(body_has(&r, "<pre>#1 Unplug the printer.\n#2 Plug it back in.\n</pre>") && !body_has(&r, "#priority"),
	   "the <pre> keeps the list, loses the command");
	engine_result_clear(&r);
	is_query("high", "#priority applied", "SELECT priority FROM tickets WHERE tag = 'SUP'");

	/* Other words after '#' are text, and end the block. */
	r = agent_mail("alice", sup, "list3@example.com", NULL, "#tier vip\n#thanks for waiting!\n#status closed\n");
	ok(r.outcome == ENGINE_AGENT_REPLY && !r.discard && body_has(&r, "#thanks for waiting!\n#status closed"),
	   "#thanks is text: the reply goes out, and a #status after it is text too");
	engine_result_clear(&r);
	is_query("pending", "the #status after the text was not applied", "SELECT status FROM tickets WHERE tag = 'SUP'");

	/* A slip of a command word: removed and reported, the text goes out. */
	r = agent_mail("alice", sup, "typo1@example.com", NULL, "#stauts resolved\n#priorty low\n\nWe are on it.\n");
	ok(r.outcome == ENGINE_AGENT_REPLY && !r.discard && body_has(&r, "We are on it.") && !body_has(&r, "#st") &&
	   !body_has(&r, "#prio"), "#stauts and #priorty: removed from the customer's copy");
	ok(r.mail_queued, "and a notice queued");
	engine_result_clear(&r);
	text = notice_for("typo1@example.com", &n);
	is_int(n, 1, "one notice for the two slips");
	ok(strstr(text, "#stauts resolved\n#priorty low") && strstr(text, "not understood"),
	   "the notice lists them as not understood");
	g_free(text);
	is_query("high", "nothing applied by them", "SELECT priority FROM tickets WHERE tag = 'SUP'");

	/* A slip of #note holds the mail back from the customer. */
	r = agent_mail("alice", sup, "typo2@example.com", NULL, "#ntoe the customer is rude\n\nHe shouts at the phone.\n");
	ok(r.outcome == ENGINE_NOTE && !has(r.rcpt_add, "<anna@example.org>") && has(r.rcpt_add, "<bob@example.com>"),
	   "#ntoe: handled as a note, to the other agents only");
	engine_result_clear(&r);
	text = notice_for("typo2@example.com", &n);
	ok(n == 1 && strstr(text, "#ntoe the customer is rude"), "and the agent is told #ntoe was not understood");
	g_free(text);
}

static void test_nobody(const char *sup, const char *bil)
{
	struct engine_result r;
	int n;
	char *text;
	char *note = g_strdup(bil);

	/* Commands only. */
	r = agent_mail("alice", sup, "only1@example.com", NULL, "#priority urgent\n#tz Europe/Berlin\n");
	ok(r.outcome == ENGINE_AGENT_REPLY && r.discard && r.mail_queued,
	   "commands only: delivered to nobody, a notice queued");
	engine_result_clear(&r);
	text = notice_for("only1@example.com", &n);
	is_int(n, 1, "commands only: exactly one notice");
	ok(strstr(text, "Commands only, nothing sent to the customer") &&
	   strstr(text, "contained only commands, so nothing was sent to the customer") &&
	   strstr(text, "#priority urgent\n#tz Europe/Berlin"),
	   "it says only commands came, nothing was sent, and which were applied");
	ok(!strstr(text, "Valid commands"), "without the list of commands, when all were understood");
	g_free(text);
	is_query("alice@example.com", "to the agent",
		 "SELECT recipient FROM outbox WHERE CAST(message AS TEXT) LIKE '%%In-Reply-To: <only1@example.com>%%'");

	/* Commands only, quoted history below: still only commands. */
	r = agent_mail("alice", sup, "only2@example.com", NULL,
		       "#priority normal\n\nOn Mon, Anna wrote:\n> It smokes.\n");
	ok(r.discard && r.mail_queued, "commands above quoted history only: to nobody, and the agent told");
	engine_result_clear(&r);

	/* A bare #note is a command too; "#note TEXT" is a note with text. */
	r = agent_mail("alice", sup, "only3@example.com", NULL, "#note\n");
	ok(r.discard && r.mail_queued, "a bare #note: nothing to deliver, the agent told");
	engine_result_clear(&r);
	r = agent_mail("alice", sup, "note1@example.com", NULL, "#note call the customer back on Monday\n");
	ok(r.outcome == ENGINE_NOTE && !r.discard && has(r.rcpt_add, "<bob@example.com>") && r.new_body == NULL,
	   "#note TEXT alone: a note, to the other agents, as written");
	engine_result_clear(&r);
	is_query("1", "and recorded as a note",
		 "SELECT count(*) FROM messages WHERE direction = 'note' AND message_id = 'note1@example.com'");

	/* A note where no other agent is. */
	g_free(note);
	note = g_strdup_printf("%.*s-note%s", (int)(strchr(bil, '@') - bil), bil, strchr(bil, '@'));
	r = agent_mail("carol", note, "note2@example.com", NULL, "Bert called about the invoice.\n");
	ok(r.outcome == ENGINE_NOTE && r.discard && r.mail_queued, "a note nobody else can receive: to nobody, a notice");
	engine_result_clear(&r);
	is_query("1", "the note is recorded",
		 "SELECT count(*) FROM messages WHERE direction = 'note' AND message_id = 'note2@example.com'");
	text = notice_for("note2@example.com", &n);
	ok(n == 1 && strstr(text, "Your note was not delivered to anyone") && strstr(text, "no other agent"),
	   "the notice says the note reached no one, and why");
	g_free(text);
	is_query("carol@example.com", "to its author",
		 "SELECT recipient FROM outbox WHERE CAST(message AS TEXT) LIKE '%%In-Reply-To: <note2@example.com>%%'");
	g_free(note);
}

static void test_merge(const char *sup)
{
	struct engine_result r;
	int n;
	char *text;

	r = agent_mail("alice", sup, "merge1@example.com", NULL, "#merge BIL-1001\n\nMerged.\n");
	ok(r.outcome == ENGINE_AGENT_REPLY && r.mail_queued, "#merge into another queue's ticket: refused, the agent told");
	engine_result_clear(&r);
	is_query("0", "SUP-1001 is not merged", "SELECT coalesce(merged_into, 0) FROM tickets WHERE tag = 'SUP' AND number = 1001");
	is_query("pending", "nor closed", "SELECT status FROM tickets WHERE tag = 'SUP' AND number = 1001");
	is_query("0", "no merge event", "SELECT count(*) FROM events WHERE kind = 'merge'");
	text = notice_for("merge1@example.com", &n);
	ok(n == 1 && strstr(text, "#merge BIL-1001 (a ticket of another queue"), "the notice says why: %s",
	   strstr(text, "#merge") ? strstr(text, "#merge") : text);
	g_free(text);

	/* Within the queue it works. */
	r = process("From: Anna <anna@example.org>\nTo: support@example.com\nSubject: Paper jam\n"
		    "Message-ID: <a2@example.org>\n\nThe paper jams.\n", "support@example.com", NULL);
	ok(r.new_ticket && r.ref.number == 1002, "SUP-1002 opened");
	engine_result_clear(&r);
	{
		char *second = gateway_of("SUP", 1002, "");
		r = agent_mail("alice", second, "merge2@example.com", NULL, "#merge SUP-1001\n");
		g_free(second);
	}
	ok(r.discard, "#merge SUP-1001 on SUP-1002 (commands only)");
	engine_result_clear(&r);
	is_query("closed,1", "merged within the queue: closed, merged into SUP-1001",
		 "SELECT t.status || ',' || (t.merged_into = m.id) FROM tickets t, tickets m"
		 " WHERE t.number = 1002 AND t.tag = 'SUP' AND m.number = 1001 AND m.tag = 'SUP'");
}

static void test_cc(const char *sup)
{
	struct engine_result r;
	int n;
	char *text;

	r = agent_mail("alice", sup, "cc1@example.com", NULL, "#cc Dave <dave@example.net>\n#cc <Dave@Example.NET>\n\nHello.\n");
	ok(r.outcome == ENGINE_AGENT_REPLY && has(r.rcpt_add, "<dave@example.net>") && has(r.rcpt_add, "<anna@example.org>"),
	   "#cc <Dave@Example.NET>: Dave gets this reply with the customer");
	engine_result_clear(&r);
	text = notice_for("cc1@example.com", &n);
	ok(n == 1 && strstr(text, "#cc Dave <dave@example.net>"), "a #cc with a name is not understood (one address)");
	g_free(text);
	is_query("cc", "Dave is a participant, role cc",
		 "SELECT role FROM participants WHERE address = 'dave@example.net'");
	is_query("alice@example.com cc dave@example.net", "an event records it",
		 "SELECT actor || ' ' || kind || ' ' || detail FROM events WHERE kind = 'cc'");

	r = agent_mail("bob", sup, "cc2@example.com", NULL, "Dave, please check the firmware.\n");
	ok(has(r.rcpt_add, "<dave@example.net>") && has(r.rcpt_add, "<alice@example.com>") == false,
	   "the next reply, from Bob, goes to Dave too");
	engine_result_clear(&r);

	/* Refused: the customer's removal, queue addresses, agents. */
	r = agent_mail("alice", sup, "cc3@example.com", NULL,
		       "#cc -anna@example.org\n#cc help@example.com\n#cc support+x@example.com\n#cc billing@example.com\n"
		       "#cc bob@example.com\n#cc dana@staff.example.com\n#cc -nobody@example.net\n");
	ok(r.discard && r.mail_queued, "refused #cc lines only: to nobody, the agent told");
	engine_result_clear(&r);
	text = notice_for("cc3@example.com", &n);
	ok(n == 1 && strstr(text, "#cc -anna@example.org (the customer cannot be removed)") &&
	   strstr(text, "#cc help@example.com (a queue address") && strstr(text, "#cc support+x@example.com (a queue address") &&
	   strstr(text, "#cc billing@example.com (a queue address") && strstr(text, "#cc bob@example.com (an agent") &&
	   strstr(text, "#cc dana@staff.example.com (an agent") && strstr(text, "#cc -nobody@example.net (not a participant)"),
	   "each refusal with its reason");
	g_free(text);
	is_query("anna@example.org dave@example.net", "the participants are unchanged",
		 "SELECT group_concat(address, ' ') FROM (SELECT address FROM participants p JOIN tickets t ON t.id = p.ticket_id"
		 " WHERE t.tag = 'SUP' AND t.number = 1001 ORDER BY address)");

	/* max-participants = 4 in this queue: Anna, Dave, Eve, Frank. */
	r = agent_mail("alice", sup, "cc4@example.com", NULL,
		       "#cc eve@example.net\n#cc frank@example.net\n#cc gina@example.net\n#cc eve@example.net\n\nWelcome.\n");
	ok(has(r.rcpt_add, "<eve@example.net>") && has(r.rcpt_add, "<frank@example.net>") &&
	   !has(r.rcpt_add, "<gina@example.net>"), "beyond max-participants: Gina is not added");
	engine_result_clear(&r);
	text = notice_for("cc4@example.com", &n);
	ok(n == 1 && strstr(text, "#cc gina@example.net (the ticket has as many participants as max-participants allows)") &&
	   strstr(text, "#cc eve@example.net\n#cc frank@example.net\n#cc eve@example.net"),
	   "the agent is told, and what was applied (Eve again: already there)");
	g_free(text);

	/* Removal: Dave no longer gets replies. */
	r = agent_mail("alice", sup, "cc5@example.com", NULL, "#cc -DAVE@example.net\n\nThanks, Dave.\n");
	ok(has(r.rcpt_add, "<anna@example.org>") && !has(r.rcpt_add, "<dave@example.net>"),
	   "#cc -DAVE@example.net: this reply no longer goes to Dave");
	engine_result_clear(&r);
	r = agent_mail("alice", sup, "cc6@example.com", NULL, "Anything else?\n");
	ok(has(r.rcpt_add, "<anna@example.org>") && !has(r.rcpt_add, "<dave@example.net>"), "nor does the next");
	engine_result_clear(&r);
	is_query("alice@example.com cc -dave@example.net", "an event records the removal",
		 "SELECT actor || ' ' || kind || ' ' || detail FROM events WHERE kind = 'cc' ORDER BY id DESC LIMIT 1");
	is_query("0", "Dave is no participant", "SELECT count(*) FROM participants WHERE address = 'dave@example.net'");
}

int main(void)
{
	struct engine_result r;
	char *sup, *bil;

	fixture_setup(&f, "\n[queue billing]\nname = Example Billing\naddresses = billing@example.com\ntag = BIL\n"
		      "agents = carol@example.com\n");
	{
		struct queue *q = (struct queue *)queue_named("support");
		g_strfreev(q->agents);
		q->agents = g_strsplit("alice@example.com,bob@example.com,@staff.example.com", ",", -1);
		q->max_participants = 4;
	}

	r = process("From: Anna <anna@example.org>\nTo: support@example.com\nSubject: Printer on fire\n"
		    "Message-ID: <a1@example.org>\n\nIt smokes.\n", "support@example.com", NULL);
	ok(r.new_ticket && strcmp(r.ref.tag, "SUP") == 0, "Anna opens SUP-1001");
	engine_result_clear(&r);
	r = process("From: Bert <bert@example.org>\nTo: billing@example.com\nSubject: Invoice\n"
		    "Message-ID: <b1@example.org>\n\nWrong amount.\n", "billing@example.com", NULL);
	ok(r.new_ticket && strcmp(r.ref.tag, "BIL") == 0, "Bert opens BIL-1001");
	engine_result_clear(&r);
	sup = gateway_of("SUP", 1001, "");
	bil = gateway_of("BIL", 1001, "");

	test_lists(sup);
	test_nobody(sup, bil);
	test_merge(sup);
	test_cc(sup);

	g_free(sup);
	g_free(bil);
	fixture_teardown(&f);
	return tap_done();
}
