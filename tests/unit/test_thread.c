/* test_thread.c - every threading rule, forgeries, strangers, redeliveries,
 * and the headers a message leaves with, through engine_process().
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/engine.h"

#include <glib.h>
#include <sqlite3.h>

static struct fixture f;

/* Processes text addressed to rcpt; returns the ticket number or -1. */
static long process(const char *text, const char *rcpt, struct engine_result *res)
{
	struct message *m = fixture_message(text);
	char *rcpts[] = { (char *)rcpt, NULL };
	struct envelope env = { .sender = "sender@example.org", .recipients = rcpts, .queue_id = "TESTQ", .now = 1000 };
	char *token = NULL, *error = NULL;
	const struct queue *q = engine_queue_for(f.settings, rcpts, &token);
	long number = -1;

	memset(res, 0, sizeof *res);
	if (q && engine_process(f.settings, f.assets, f.store, q, token, m, &env, res, &error) == 0)
		number = res->ref.number;
	else if (error)
		tap_diag("engine error: %s", error);
	g_free(error);
	g_free(token);
	message_free(m);
	return number;
}

static long process_simple(const char *text, const char *rcpt)
{
	struct engine_result res;
	long n = process(text, rcpt, &res);

	if (n > 0)
		engine_result_clear(&res);
	return n;
}

static const struct header_edit *find_edit(const struct engine_result *res, const char *name)
{
	for (guint i = 0; i < res->edits->len; i++) {
		const struct header_edit *e = g_ptr_array_index(res->edits, i);
		if (e->op != HEADER_DELETE && g_ascii_strcasecmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

static int count_rows(const char *sql)
{
	char *db = g_build_filename(f.dir, "tickets.db", NULL);
	sqlite3 *h;
	sqlite3_stmt *st;
	int n = -1;

	sqlite3_open(db, &h);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	g_free(db);
	return n;
}

int main(void)
{
	struct engine_result res;
	struct token_key key;
	struct ticket_ref ref = { "SUP", 1001 };
	const struct header_edit *e;
	char *text, *signed_id, *token, *gateway;
	long n;

	fixture_setup(&f, NULL);
	key.secret = f.settings->secret;
	key.secret_len = f.settings->secret_len;

	{
		char *rcpts[] = { "sales@example.com", "other@example.net", NULL };
		char *tok = NULL;
		ok(engine_queue_for(f.settings, rcpts, &tok) == NULL, "mail for no queue address is not ours");
	}

	/* A new ticket, with forged X-Ticket headers from outside. */
	n = process("From: Anna <anna@example.org>\nTo: support@example.com\nCc: Ben <ben@example.org>, help@example.com\n"
		    "Subject: Printer on fire\nMessage-ID: <m1@example.org>\nX-Ticket-Status: resolved\n"
		    "X-Ticket-ID: SUP-9999\nX-Ticket-Status: closed\n\nIt smokes.\n",
		    "support@example.com", &res);
	is_int(n, 1001, "first message opens SUP-1001");
	ok(res.new_ticket && res.rule == THREAD_NEW && res.outcome == ENGINE_TICKETED, "new ticket");
	e = find_edit(&res, "Subject");
	ok(e && e->op == HEADER_CHANGE && strcmp(e->value, "[SUP-1001] Printer on fire") == 0, "subject tagged");
	{
		int deletes = 0, status_idx_first = 0;
		for (guint i = 0; i < res.edits->len; i++) {
			const struct header_edit *d = g_ptr_array_index(res.edits, i);
			if (d->op == HEADER_DELETE) {
				deletes++;
				if (g_ascii_strcasecmp(d->name, "X-Ticket-Status") == 0 && !status_idx_first)
					status_idx_first = d->index;
			}
		}
		is_int(deletes, 3, "every incoming X-Ticket-* header deleted");
		is_int(status_idx_first, 2, "deleted from the highest index down");
	}
	e = find_edit(&res, "X-Ticket-ID");
	ok(e && e->op == HEADER_ADD && strcmp(e->value, "SUP-1001") == 0, "X-Ticket-ID added");
	ok(find_edit(&res, "X-Ticket-Priority") && find_edit(&res, "X-Ticket-Queue"), "priority and queue headers");
	e = find_edit(&res, "Reply-To");
	token = token_for_ticket(&key, &ref);
	ok(e && e->op == HEADER_ADD && strstr(e->value, token) && strstr(e->value, "Example Support <support+"),
	   "Reply-To carries the signed gateway address: %s", e ? e->value : "");
	engine_result_clear(&res);
	is_int(count_rows("SELECT count(*) FROM participants WHERE ticket_id = 1"), 2,
	       "customer and Cc colleague are participants, queue addresses are not");

	/* Redelivery: nothing new. */
	n = process("From: Anna <anna@example.org>\nTo: support@example.com\nSubject: Printer on fire\n"
		    "Message-ID: <m1@example.org>\n\nIt smokes.\n", "help@example.com", &res);
	ok(n == 1001 && res.outcome == ENGINE_DUPLICATE, "same message again (to the other address) is a redelivery");
	ok(find_edit(&res, "X-Ticket-ID") != NULL, "redelivery leaves with the same headers");
	engine_result_clear(&res);
	is_int(count_rows("SELECT count(*) FROM messages"), 1, "no second message row");
	is_int(count_rows("SELECT count(*) FROM tickets"), 1, "no second ticket");

	/* Rule 2: a known Message-ID from a participant. */
	n = process_simple("From: anna@example.org\nTo: support@example.com\nSubject: Re: Printer\n"
			   "Message-ID: <m2@example.org>\nIn-Reply-To: <m1@example.org>\n\nStill smoking.\n",
			   "support@example.com");
	is_int(n, 1001, "reply with In-Reply-To joins the ticket");

	/* ... but not from a stranger: Message-IDs can be guessed. */
	n = process_simple("From: eve@evil.example\nTo: support@example.com\nSubject: Re: Printer\n"
			   "Message-ID: <e1@evil.example>\nReferences: <m1@example.org>\n\nlet me in\n",
			   "support@example.com");
	is_int(n, 1002, "stranger citing a known Message-ID gets a new ticket");
	is_int(count_rows("SELECT count(*) FROM events WHERE kind = 'stranger-reference' AND ticket_id = 2"), 1,
	       "the attempt is logged");

	/* Rule 3: the tag joins participants only. */
	n = process_simple("From: ben@example.org\nTo: support@example.com\nSubject: AW: [SUP-1001] Printer\n"
			   "Message-ID: <b1@example.org>\n\nI see it too\n", "support@example.com");
	is_int(n, 1001, "Cc colleague answering with the tag joins");
	n = process_simple("From: mallory@evil.example\nTo: support@example.com\nSubject: Re: [SUP-1001] Printer\n"
			   "Message-ID: <x1@evil.example>\n\nhi\n", "support@example.com");
	is_int(n, 1003, "stranger with the tag opens a new ticket");
	is_int(count_rows("SELECT count(*) FROM events WHERE kind = 'stranger-reference' AND ticket_id = 3"
			  " AND detail LIKE '%SUP-1001%'"), 1, "tag from a stranger logged on the new ticket");

	/* Rule 1: our signed Message-ID joins anyone: only we can make it. */
	signed_id = token_message_id(&key, &ref, "support.example.com");
	text = g_strdup_printf("From: anna.private@home.example\nTo: support@example.com\nSubject: Re: something\n"
			       "Message-ID: <h1@home.example>\nIn-Reply-To: <%s>\n\nfrom home\n", signed_id);
	n = process(text, "support@example.com", &res);
	ok(n == 1001 && res.rule == THREAD_SIGNED_ID, "reply to our signed Message-ID joins from any address");
	engine_result_clear(&res);
	g_free(text);

	/* A forged signed Message-ID does not. */
	{
		char *forged = g_strdup(signed_id);
		char *at = strchr(forged, '@');
		at[-1] = at[-1] == 'a' ? 'b' : 'a';
		text = g_strdup_printf("From: eve@evil.example\nTo: support@example.com\nSubject: hi\n"
				       "Message-ID: <e2@evil.example>\nReferences: <%s>\n\nforged\n", forged);
		n = process_simple(text, "support@example.com");
		is_int(n, 1004, "altered signed Message-ID opens a new ticket");
		g_free(text);
		g_free(forged);
	}

	/* Rule 1: the plus-address token. */
	gateway = g_strdup_printf("support+%s@example.com", token);
	n = process("From: colleague@partner.example\nTo: support@example.com\nSubject: about the printer\n"
		    "Message-ID: <p1@partner.example>\n\nfwd\n", gateway, &res);
	ok(n == 1001 && res.rule == THREAD_TOKEN, "signed token in the recipient joins");
	engine_result_clear(&res);
	g_free(gateway);
	n = process_simple("From: eve@evil.example\nTo: support@example.com\nSubject: guess\n"
			   "Message-ID: <g1@evil.example>\n\nguess\n", "support+sup-1001-aaaaaaaaaaaaaaaa@example.com");
	is_int(n, 1005, "guessed token opens a new ticket");
	{
		struct ticket_ref other = { "SUP", 1003 };
		char *other_token = token_for_ticket(&key, &other);
		char *addr = g_strdup_printf("support+%s@example.com", other_token);
		n = process_simple("From: anna@example.org\nSubject: x\nMessage-ID: <t3@example.org>\n\nx\n", addr);
		is_int(n, 1003, "a valid token names exactly its own ticket");
		g_free(addr);
		g_free(other_token);
	}

	/* No Message-ID: redelivery is recognised by content. */
	n = process_simple("From: nomid@example.org\nSubject: no id\n\nsame body\n", "support@example.com");
	is_int(n, 1006, "message without Message-ID opens a ticket");
	n = process_simple("From: nomid@example.org\nSubject: no id\n\nsame body\n", "support@example.com");
	is_int(n, 1006, "its redelivery is recognised by content");
	is_int(count_rows("SELECT count(*) FROM messages WHERE ticket_id = 6"), 1, "still one row");

	/* Subject already tagged: not doubled; encoded subjects kept. */
	n = process("From: anna@example.org\nSubject: =?UTF-8?Q?Re=3A_=5BSUP-1001=5D_Dr=C3=BCcker?=\n"
		    "Message-ID: <m9@example.org>\nIn-Reply-To: <m1@example.org>\n\nx\n", "support@example.com", &res);
	ok(n == 1001 && find_edit(&res, "Subject") == NULL, "already tagged subject left alone");
	engine_result_clear(&res);
	n = process("From: new@example.org\nMessage-ID: <ns@example.org>\n\nno subject at all\n", "support@example.com", &res);
	e = find_edit(&res, "Subject");
	ok(n > 0 && e && e->op == HEADER_ADD && strcmp(e->value, "[SUP-1007]") == 0, "missing subject is added");
	engine_result_clear(&res);

	/* Rule 1: our signed reference quoted in the body (rewritten Message-IDs). */
	text = g_strdup_printf("From: anna@mobile.example\nTo: support@example.com\nSubject: Re: your mail\n"
			       "Message-ID: <q1@mobile.example>\n\nIt still smokes.\n\n> Thank you, we received it.\n"
			       "> Reference: %s\n", token);
	n = process(text, "support@example.com", &res);
	ok(n == 1001 && res.rule == THREAD_BODY_REFERENCE, "signed reference quoted in the body joins");
	engine_result_clear(&res);
	g_free(text);
	text = g_strdup_printf("From: eve@evil.example\nSubject: hi\nMessage-ID: <q2@evil.example>\n\n"
			       "> Reference: sup-1001-%s\n", "aaaaaaaaaaaaaaaa");
	n = process_simple(text, "support@example.com");
	ok(n != 1001, "a made-up reference in the body does not");
	g_free(text);

	/* Rule 2 looks at every reference: Anna answers Eve's message (a
	 * ticket Anna is not on), and her References name her own ticket. */
	n = process_simple("From: anna@example.org\nTo: support@example.com\nSubject: Re: Printer\n"
			   "Message-ID: <m30@example.org>\nIn-Reply-To: <e1@evil.example>\n"
			   "References: <m1@example.org> <e1@evil.example>\n\nEve, that is our printer.\n",
			   "support@example.com");
	is_int(n, 1001, "a participant's reply to an outsider's message joins her ticket through References");
	/* References into two of the sender's tickets: the one answered wins, the other is named. */
	n = process_simple("From: anna@example.org\nTo: support@example.com\nSubject: Another thing\n"
			   "Message-ID: <m31@example.org>\n\nThe scanner too.\n", "support@example.com");
	ok(n > 1001, "Anna opens a second ticket (%ld)", n);
	{
		long second = n;
		char *sql;
		n = process_simple("From: anna@example.org\nTo: support@example.com\nSubject: Re: Another thing\n"
				   "Message-ID: <m32@example.org>\nIn-Reply-To: <m31@example.org>\n"
				   "References: <m1@example.org> <m31@example.org>\n\nBoth, really.\n",
				   "support@example.com");
		is_int(n, 1001, "references into two of her tickets: the older one, where it began, wins");
		sql = g_strdup_printf("SELECT count(*) FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE"
				      " t.number = 1001 AND e.kind = 'ambiguous-references' AND e.detail LIKE '%%SUP-%ld%%'",
				      second);
		is_int(count_rows(sql), 1, "and the ambiguity is an event naming the other ticket");
		g_free(sql);
	}

	is_int(count_rows("SELECT count(*) FROM events WHERE kind = 'created'"), 9, "one created event per ticket");
	g_free(signed_id);
	g_free(token);
	fixture_teardown(&f);
	return tap_done();
}
