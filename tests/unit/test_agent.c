/* test_agent.c - agent replies, spoofing, notes, commands, ratings and the
 * lifecycle, through engine_process() and engine_autoclose() on a real
 * store.
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

struct run {
	const char *rcpt;		/* envelope recipient(s), comma separated */
	const char *login;		/* {auth_authen} */
	const char *client;		/* {client_addr} */
};

static struct engine_result process(const char *text, struct run r)
{
	struct message *m = fixture_message(text);
	char **rcpts = g_strsplit(r.rcpt, ",", -1);
	const char *from = m->from ? m->from->address : NULL;
	struct envelope env = { .sender = from, .recipients = rcpts, .queue_id = "Q", .now = clock_now,
				.auth_login = r.login, .client_addr = r.client, .raw = text, .raw_len = strlen(text) };
	struct engine_result res;
	char *token = NULL, *error = NULL;
	const struct queue *q = engine_queue_for(f.settings, rcpts, &token);

	clock_now += 60;
	memset(&res, 0, sizeof res);
	if (q == NULL)
		q = &f.settings->queues[0];
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

static const char *edit(const struct engine_result *r, const char *name)
{
	for (guint i = 0; r->edits && i < r->edits->len; i++) {
		const struct header_edit *e = g_ptr_array_index(r->edits, i);
		if (e->op != HEADER_DELETE && g_ascii_strcasecmp(e->name, name) == 0)
			return e->value;
	}
	return NULL;
}

static bool has(GPtrArray *list, const char *value)
{
	for (guint i = 0; list && i < list->len; i++)
		if (strcmp(g_ptr_array_index(list, i), value) == 0)
			return true;
	return false;
}

static char *query(const char *sql)
{
	char *db = g_build_filename(f.dir, "tickets.db", NULL);
	sqlite3 *h;
	sqlite3_stmt *st;
	char *out = NULL;

	sqlite3_open(db, &h);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0))
		out = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	g_free(db);
	return out ? out : g_strdup("");
}

static void is_query(const char *sql, const char *want, const char *desc)
{
	char *got = query(sql);

	is_str(got, want, "%s", desc);
	g_free(got);
}

/* Which queue a message is for, as every front end asks (the milter at
 * DATA and at end of message, ticket-filter and ticketctl deliver once
 * the message is in): a queue among the recipients, else an
 * authenticated agent's own queue, else none. */
static void test_choose_queue(void)
{
	char *queue_rcpts[] = { "anna@example.org", "support+abc@example.com", NULL };
	char *customer_only[] = { "anna@example.org", NULL };
	struct {
		const char *sender, *login, *client;
		char **rcpts;
		bool ours;
		const char *token, *what;
	} cases[] = {
		{ "anna@example.org", NULL, NULL, queue_rcpts, true, "abc", "a queue among the recipients, with its detail" },
		{ "alice@example.com", "alice", NULL, customer_only, true, NULL, "an agent (SMTP AUTH) writing to a customer" },
		{ "dora@staff.example.com", NULL, "10.1.2.3", customer_only, true, NULL, "an agent from a trusted network" },
		{ "alice@example.com", NULL, NULL, customer_only, false, NULL, "an agent's address, no authentication" },
		{ "alice@example.com", "bob", NULL, customer_only, false, NULL, "an agent's address, another's login" },
		{ "anna@example.org", "anna", NULL, customer_only, false, NULL, "someone else, authenticated" },
		{ NULL, NULL, "10.1.2.3", customer_only, false, NULL, "the null sender" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct envelope env = { .sender = cases[i].sender, .recipients = cases[i].rcpts,
					.auth_login = cases[i].login, .client_addr = cases[i].client };
		char *token = NULL;
		const struct queue *q = engine_choose_queue(f.settings, &env, &token);

		ok((q == &f.settings->queues[0]) == cases[i].ours && g_strcmp0(token, cases[i].token) == 0,
		   "queue of a message: %s: %s", cases[i].what, q ? q->id : "none");
		g_free(token);
	}
}

int main(void)
{
	struct engine_result r;
	struct token_key key;
	struct ticket_ref ref = { "SUP", 1001 };
	char *token, *gateway, *note_address, *text;

	fixture_setup(&f, "trusted-networks = 10.1.0.0/16, 2001:db8::/32\n");
	g_strfreev(f.settings->queues[0].agents);
	f.settings->queues[0].agents = g_strsplit("alice@example.com,bob@example.com,@staff.example.com", ",", -1);
	key.secret = f.settings->secret;
	key.secret_len = f.settings->secret_len;
	token = token_for_ticket(&key, &ref);
	gateway = g_strdup_printf("support+%s@example.com", token);
	note_address = g_strdup_printf("support+%s-note@example.com", token);
	test_choose_queue();

	r = process("From: Anna <anna@example.org>\nTo: support@example.com\nCc: Carl <carl@example.org>\n"
		    "Subject: Printer on fire\nMessage-ID: <a1@example.org>\n\nIt smokes.\n",
		    (struct run){ "support@example.com", NULL, NULL });
	ok(r.new_ticket, "a customer opens SUP-1001");
	engine_result_clear(&r);

	/* An authenticated agent's reply. */
	text = g_strdup_printf("From: Alice Agent <alice@example.com>\nTo: %s\nSubject: Re: [SUP-1001] Printer on fire\n"
			       "Message-ID: <alice1@mail.example.com>\nIn-Reply-To: <a1@example.org>\n"
			       "References: <a1@example.org> <internal-copy@example.com>\nSender: alice@example.com\n"
			       "Disposition-Notification-To: alice@example.com\n\nPlease switch it off.\n", gateway);
	r = process(text, (struct run){ gateway, "alice", NULL });
	ok(r.outcome == ENGINE_AGENT_REPLY, "agent reply recognised (SMTP AUTH login alice)");
	ok(r.rcpt_del && r.rcpt_del->len == 1 && strcmp(g_ptr_array_index(r.rcpt_del, 0), gateway) == 0,
	   "the gateway recipient is removed");
	ok(has(r.rcpt_add, "<anna@example.org>") && has(r.rcpt_add, "<carl@example.org>"),
	   "the customer and the Cc participant are added");
	ok(edit(&r, "From") && strstr(edit(&r, "From"), "Alice Agent via Example Support") &&
	   strstr(edit(&r, "From"), "<support@example.com>"), "From is \"Agent via Queue\" <queue address>: %s", edit(&r, "From"));
	{
		const char *mid = edit(&r, "Message-ID");
		struct ticket_ref got;
		ok(mid && token_verify_message_id(&key, mid, &got) && got.number == 1001, "a new signed Message-ID");
	}
	is_str(edit(&r, "In-Reply-To"), "<a1@example.org>", "In-Reply-To the customer's message");
	ok(edit(&r, "References") && !strstr(edit(&r, "References"), "internal-copy"),
	   "References continue the customer's thread, not the agent's internal copy");
	ok(edit(&r, "To") && strstr(edit(&r, "To"), "anna@example.org"), "To the customer");
	ok(edit(&r, "X-Ticket-ID") && strcmp(edit(&r, "X-Ticket-ID"), "SUP-1001") == 0, "X-Ticket-ID");
	ok(edit(&r, "Reply-To") && strstr(edit(&r, "Reply-To"), gateway), "Reply-To the gateway address");
	{
		bool sender = false, receipt = false;
		for (guint i = 0; i < r.edits->len; i++) {
			const struct header_edit *e = g_ptr_array_index(r.edits, i);
			sender |= e->op == HEADER_DELETE && strcmp(e->name, "Sender") == 0;
			receipt |= e->op == HEADER_DELETE && strcmp(e->name, "Disposition-Notification-To") == 0;
		}
		ok(sender && receipt, "the agent's Sender and receipt request are removed");
	}
	is_str(r.new_sender, "support@example.com", "the envelope sender becomes the queue's: bounces come back to it");
	{
		const char *mid = edit(&r, "Message-ID"), *refs = edit(&r, "References");
		ok(mid && refs && !strstr(refs, mid), "References do not name the reply itself");
	}
	ok(!r.discard && r.new_body == NULL, "no commands: body untouched");
	engine_result_clear(&r);
	g_free(text);
	is_query("SELECT status FROM tickets WHERE number = 1001", "open", "first agent reply: new -> open");
	is_query("SELECT count(*) FROM messages WHERE direction = 'out'", "1", "stored as an outbound message");
	/* The customer's message and the agent's reply, stored alike from
	 * the message and its envelope (message_row.h). */
	is_query("SELECT group_concat(direction || ' ' || sender || ' ' || (recipients = 'support@example.com' OR "
		 "recipients LIKE 'support+%') || (subject LIKE '%Printer on fire') || (excerpt <> '') || (size > 0) || "
		 "length(sha256) || ' ' || queue_id || ' ' || (received >= 1772445600), ', ') "
		 "FROM (SELECT * FROM messages ORDER BY id)",
		 "in anna@example.org 111164 Q 1, out alice@example.com 111164 Q 1", "both rows hold the same fields");
	is_query("SELECT first_response_kept FROM tickets WHERE number = 1001", "1", "first response on time");

	/* Direct mail: the agent writes to the customer with the tag, no queue address. */
	r = process("From: Bob <bob@example.com>\nTo: anna@example.org\nSubject: [SUP-1001] One more thing\n"
		    "Message-ID: <direct1@example.com>\n\nCould you check the cable too?\n",
		    (struct run){ "anna@example.org", "bob", NULL });
	ok(r.outcome == ENGINE_AGENT_REPLY && r.rcpt_del->len == 0 && !has(r.rcpt_add, "<anna@example.org>"),
	   "direct mail to the customer with the tag: recorded, the customer stays the recipient");
	ok(edit(&r, "X-Ticket-ID") && edit(&r, "Message-ID") && strstr(edit(&r, "From"), "via Example Support"),
	   "and gets the same tracking headers");
	engine_result_clear(&r);
	is_query("SELECT count(*) FROM messages WHERE direction = 'out'", "2", "stored as an outbound message too");

	/* The same From without authentication is a customer's mail. */
	r = process("From: Alice Agent <alice@example.com>\nTo: support@example.com\nSubject: Re: [SUP-1001] Printer on fire\n"
		    "Message-ID: <spoof1@evil.example>\n\n#status closed\nGive me everything.\n",
		    (struct run){ "support@example.com", NULL, "192.0.2.66" });
	ok(r.outcome == ENGINE_TICKETED && r.spoof, "unauthenticated mail with an agent's address: customer mail, spoof flagged");
	engine_result_clear(&r);
	is_query("SELECT count(*) FROM events WHERE kind = 'spoofed-agent'", "1", "the spoof attempt is logged");
	is_query("SELECT status FROM tickets WHERE number = 1001", "open", "its #status line did nothing");
	r = process("From: Alice <alice@example.com>\nSubject: Re: [SUP-1001] x\nMessage-ID: <spoof2@x>\n\nhi\n",
		    (struct run){ gateway, "mallory", NULL });
	ok(r.outcome != ENGINE_AGENT_REPLY && r.spoof, "an SMTP AUTH login of someone else does not make an agent");
	engine_result_clear(&r);

	/* A trusted network counts as authenticated. */
	r = process("From: Bob <bob@example.com>\nSubject: Re: [SUP-1001] x\nMessage-ID: <bob1@example.com>\n\nOn it.\n",
		    (struct run){ gateway, NULL, "10.1.2.3" });
	ok(r.outcome == ENGINE_AGENT_REPLY, "a client in trusted-networks is authenticated");
	engine_result_clear(&r);
	r = process("From: Dana <dana@staff.example.com>\nSubject: Re: [SUP-1001] x\nMessage-ID: <d1@staff.example.com>\n\nok\n",
		    (struct run){ gateway, "dana@staff.example.com", NULL });
	ok(r.outcome == ENGINE_AGENT_REPLY, "an agent of an @domain entry");
	engine_result_clear(&r);

	/* A note never reaches the customer, even when the agent Cc'd them. */
	text = g_strdup_printf("From: Alice <alice@example.com>\nTo: %s\nCc: anna@example.org\nSubject: x\n"
			       "Message-ID: <n1@example.com>\n\nCustomer seems upset.\n", note_address);
	{
		char *rcpts = g_strdup_printf("%s,anna@example.org", note_address);
		r = process(text, (struct run){ rcpts, "alice", NULL });
		g_free(rcpts);
	}
	ok(r.outcome == ENGINE_NOTE, "mail to support+TOKEN-note@ is a note");
	ok(has(r.rcpt_del, "anna@example.org") && has(r.rcpt_del, note_address), "the customer and the gateway are removed");
	ok(has(r.rcpt_add, "<bob@example.com>") && !has(r.rcpt_add, "<anna@example.org>"),
	   "the other agents are added, the customer is not");
	engine_result_clear(&r);
	g_free(text);
	is_query("SELECT count(*) FROM messages WHERE direction = 'note'", "1", "stored as a note");
	text = g_strdup_printf("From: Alice <alice@example.com>\nTo: %s\nSubject: x\nMessage-ID: <n2@example.com>\n\n"
			       "#note\nCalled them, no answer.\n", gateway);
	r = process(text, (struct run){ gateway, "alice", NULL });
	ok(r.outcome == ENGINE_NOTE && !has(r.rcpt_add, "<anna@example.org>"), "a #note line makes a note too");
	engine_result_clear(&r);
	g_free(text);

	/* Commands are applied and removed. */
	text = g_strdup_printf("From: Alice <alice@example.com>\nTo: %s\nSubject: Re: x\nMessage-ID: <c1@example.com>\n\n"
			       "#status pending\n#priority urgent\n#assign bob@example.com\n#tz Asia/Tokyo\n\n"
			       "Could you send us a photo?\n", gateway);
	r = process(text, (struct run){ gateway, "alice", NULL });
	ok(r.outcome == ENGINE_AGENT_REPLY && r.new_body != NULL, "commands: the reply goes out, rewritten");
	ok(r.new_body && !g_strstr_len(g_bytes_get_data(r.new_body, NULL), (gssize)g_bytes_get_size(r.new_body), "#status") &&
	   g_strstr_len(g_bytes_get_data(r.new_body, NULL), (gssize)g_bytes_get_size(r.new_body), "photo"),
	   "the command lines are gone, the text stays");
	engine_result_clear(&r);
	g_free(text);
	is_query("SELECT status || ',' || priority || ',' || assignee FROM tickets WHERE number = 1001",
		 "pending,urgent,bob@example.com", "#status, #priority and #assign applied");
	is_query("SELECT timezone FROM customers WHERE address = 'anna@example.org'", "Asia/Tokyo", "#tz stored for the customer");
	{
		char *paused = query("SELECT paused_at FROM tickets WHERE number = 1001");
		ok(atoll(paused) > 0, "pending stops the SLA clock");
		g_free(paused);
	}

	/* The customer answers: pending -> open, the clock runs again. */
	r = process("From: anna@example.org\nSubject: Re: [SUP-1001] x\nMessage-ID: <a2@example.org>\nIn-Reply-To: <a1@example.org>\n\n"
		    "Here is the photo.\n", (struct run){ "support@example.com", NULL, NULL });
	ok(!r.reopened && !r.new_ticket, "a customer's reply to a pending ticket");
	engine_result_clear(&r);
	is_query("SELECT status || ',' || coalesce(paused_at, 0) FROM tickets WHERE number = 1001", "open,0", "reopens it, clock running");

	/* Found by tests/fuzz/fuzz_commands: HTML the stripper reads otherwise
	 * than the parser (a second <head>) is refused, never sent with its
	 * command lines. */
	text = g_strdup_printf("From: Alice <alice@example.com>\nTo: %s\nSubject: Re: x\nMessage-ID: <h1@example.com>\n"
			       "Content-Type: text/html\n\n<html><head><head><title>t</title></head><body>t</head><body>"
			       "#priority low<br>Hello</body></html>\n", gateway);
	r = process(text, (struct run){ gateway, "alice", NULL });
	ok(r.outcome == (enum engine_outcome)-1 && r.new_body == NULL, "commands the stripper cannot find: refused");
	g_free(text);
	is_query("SELECT priority FROM tickets WHERE number = 1001", "urgent", "and nothing applied");

	/* Unknown commands: not sent, and the agent is told. */
	text = g_strdup_printf("From: Alice <alice@example.com>\nTo: %s\nSubject: Re: x\nMessage-ID: <u1@example.com>\n\n"
			       "#stauts resolved\n#priority sky-high\nThanks for the photo.\n", gateway);
	r = process(text, (struct run){ gateway, "alice", NULL });
	ok(r.outcome == ENGINE_AGENT_REPLY && r.new_body && r.mail_queued, "unknown commands: removed, and a notice queued");
	engine_result_clear(&r);
	g_free(text);
	is_query("SELECT recipient FROM outbox WHERE kind = 'agent-notice'", "alice@example.com", "the notice goes to the agent");
	is_query("SELECT priority FROM tickets WHERE number = 1001", "urgent", "a malformed #priority changes nothing");

	/* A command-only reply changes state and mails the customer nothing. */
	text = g_strdup_printf("From: Alice <alice@example.com>\nTo: %s\nSubject: Re: x\nMessage-ID: <r1@example.com>\n\n"
			       "#status resolved\n", gateway);
	r = process(text, (struct run){ gateway, "alice", NULL });
	ok(r.discard, "a command-only reply is delivered to nobody");
	engine_result_clear(&r);
	g_free(text);
	is_query("SELECT status FROM tickets WHERE number = 1001", "resolved", "but resolves the ticket");
	is_query("SELECT recipient FROM outbox WHERE kind = 'resolved'", "anna@example.org",
		 "the customer is asked how we did");
	{
		char *mail = query("SELECT message FROM outbox WHERE kind = 'resolved'");
		struct message *parsed = fixture_message(mail);	/* decodes the quoted-printable text */
		char *link = g_strdup_printf("mailto:support+csat-5-%s@example.com", token);
		ok(strstr(parsed->full_text, link) != NULL, "with one-click rating links");
		message_free(parsed);
		g_free(link);
		g_free(mail);
	}

	/* A rating: recorded, thanked, delivered to nobody, never reopens. */
	{
		char *csat = g_strdup_printf("support+csat-4-%s@example.com", token);
		char *mail = g_strdup_printf("From: anna@example.org\nTo: %s\nSubject: SUP-1001 4\nMessage-ID: <rate1@example.org>\n\n"
					     "Quick and friendly.\n", csat);
		r = process(mail, (struct run){ csat, NULL, NULL });
		ok(r.outcome == ENGINE_RATING && r.discard && r.mail_queued, "a rating is recorded, thanked and not delivered");
		engine_result_clear(&r);
		is_query("SELECT scale || ':' || rating || ':' || comment FROM ratings", "csat:4:Quick and friendly.", "rating and comment stored");
		is_query("SELECT status FROM tickets WHERE number = 1001", "resolved", "a rating never reopens the ticket");
		g_free(mail);
		mail = g_strdup_printf("From: anna@example.org\nTo: %s\nSubject: x\nMessage-ID: <rate2@example.org>\n\n\n",
				       "support+csat-5-sup-1001-aaaaaaaaaaaaaaaa@example.com");
		r = process(mail, (struct run){ "support+csat-5-sup-1001-aaaaaaaaaaaaaaaa@example.com", NULL, NULL });
		ok(r.outcome != ENGINE_RATING, "a forged rating link is not a rating");
		engine_result_clear(&r);
		is_query("SELECT rating FROM ratings", "4", "and changes no rating");
		g_free(mail);
		mail = g_strdup_printf("From: eve@evil.example\nTo: %s\nSubject: x\nMessage-ID: <rate3@evil.example>\n\n\n", csat);
		r = process(mail, (struct run){ csat, NULL, NULL });
		ok(r.outcome != ENGINE_RATING, "someone else's click on the customer's link is not a rating");
		engine_result_clear(&r);
		is_query("SELECT rating FROM ratings", "4", "the customer's rating stands");
		g_free(mail);
		/* Only a resolved ticket is rated: an old link after a reopening is not a rating. */
		is_query("UPDATE tickets SET status = 'open' WHERE number = 1001 RETURNING status", "open", "(reopened)");
		mail = g_strdup_printf("From: anna@example.org\nTo: %s\nSubject: SUP-1001 1\nMessage-ID: <rate4@example.org>\n\n"
				       "Bad.\n", csat);
		r = process(mail, (struct run){ csat, NULL, NULL });
		ok(r.outcome != ENGINE_RATING, "a rating link for a ticket that is not resolved is not a rating");
		engine_result_clear(&r);
		is_query("SELECT rating FROM ratings", "4", "and changes no rating");
		is_query("UPDATE tickets SET status = 'resolved' WHERE number = 1001 RETURNING status", "resolved", "(resolved again)");
		g_free(mail);
		g_free(csat);
	}

	/* Resolved tickets close after close-after; a reply then opens a new one. */
	{
		int closed = engine_autoclose(f.settings, f.store, clock_now + 8 * 86400);
		is_int(closed, 1, "auto-close after the configured days resolved");
		is_query("SELECT status FROM tickets WHERE number = 1001", "closed", "closed");
	}
	r = process("From: anna@example.org\nSubject: Re: [SUP-1001] Printer on fire\nMessage-ID: <a9@example.org>\n"
		    "In-Reply-To: <a1@example.org>\n\nIt is smoking again.\n", (struct run){ "support@example.com", NULL, NULL });
	ok(r.new_ticket && r.ref.number != 1001, "a reply to a closed ticket opens a new ticket");
	engine_result_clear(&r);
	is_query("SELECT count(*) FROM tickets WHERE parent_id = (SELECT id FROM tickets WHERE number = 1001)", "1",
		 "which refers to the old one");

	g_free(token);
	g_free(gateway);
	g_free(note_address);
	fixture_teardown(&f);
	return tap_done();
}
