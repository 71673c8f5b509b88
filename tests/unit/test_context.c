/*
 * test_context.c - the customer's history in the agents' copy, through
 * engine_process() and engine_finish() on a real store: a returning
 * customer's message carries X-Ticket-Customer with their first ticket,
 * the block when the queue wants it; nothing when anyone but the queue
 * and its agents receives the message (a Cc'd colleague, a Bcc, a second
 * queue), nor for a sender our MTA found forged; nothing of another
 * customer; a forged X-Ticket-Customer removed; the same header for a
 * redelivery; and the block added by the batch, after its commit.
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/agent_context.h"
#include "engine/batch.h"
#include "engine/engine.h"
#include "engine/lifecycle.h"
#include "store/pool.h"

#include <glib.h>
#include <string.h>

static struct fixture f;
static int64_t clock_now = 1772445600;	/* 2026-03-02 10:00 UTC */

static struct engine_result process(const char *text, const char *rcpts_csv)
{
	struct message *m = fixture_message(text);
	char **rcpts = g_strsplit(rcpts_csv, ",", -1);
	struct envelope env = { .sender = m->from ? m->from->address : NULL, .recipients = rcpts, .queue_id = "Q",
				.now = clock_now, .raw = text, .raw_len = strlen(text) };
	struct engine_result res;
	char *token = NULL, *error = NULL;
	const struct queue *q = engine_queue_for(f.settings, rcpts, &token);

	clock_now += 3600;
	memset(&res, 0, sizeof res);
	if (engine_process(f.settings, f.assets, f.store, q ? q : &f.settings->queues[0], token, m, &env, &res, &error) != 0) {
		tap_diag("engine error: %s", error);
		res.outcome = -1;
	} else {
		engine_finish(f.settings, m, &env, &res);
	}
	g_free(error);
	g_free(token);
	g_strfreev(rcpts);
	message_free(m);
	return res;
}

/* The value of the header added with that name, unfolded (header_fold.h
 * folds with a line feed before white space), or NULL. */
static const char *added(const struct engine_result *r, const char *name)
{
	static char unfolded[2048];

	for (guint i = 0; r->edits && i < r->edits->len; i++) {
		const struct header_edit *e = g_ptr_array_index(r->edits, i);
		size_t n = 0;
		if (e->op != HEADER_ADD || g_ascii_strcasecmp(e->name, name) != 0)
			continue;
		for (const char *p = e->value; *p && n < sizeof unfolded - 1; p++)
			if (*p != '\n')
				unfolded[n++] = *p;
		unfolded[n] = '\0';
		return unfolded;
	}
	return NULL;
}

static bool deletes(const struct engine_result *r, const char *name)
{
	for (guint i = 0; r->edits && i < r->edits->len; i++) {
		const struct header_edit *e = g_ptr_array_index(r->edits, i);
		if (e->op == HEADER_DELETE && g_ascii_strcasecmp(e->name, name) == 0)
			return true;
	}
	return false;
}

static char *body_of(const struct engine_result *r)
{
	gsize n = 0;
	const char *data = r->new_body ? g_bytes_get_data(r->new_body, &n) : NULL;

	return data ? g_strndup(data, n) : NULL;
}

static char *mail(const char *from, const char *subject, const char *id, const char *extra_headers, const char *body)
{
	return g_strdup_printf("From: %s\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s>\n"
			       "Date: Mon, 02 Mar 2026 10:00:00 +0000\n%s\n%s",
			       from, subject, id, extra_headers ? extra_headers : "", body);
}

static void resolve(const char *tag_number)
{
	struct store_ticket t = { 0 };

	store_ticket_by_number(f.store, "SUP", atol(tag_number), &t);
	store_begin(f.store);
	lifecycle_set_status(f.settings, f.store, &t, "resolved", "agent@example.com", clock_now, NULL);
	store_rating_record(f.store, t.id, "csat", 5, NULL, clock_now);
	store_commit(f.store);
	store_ticket_clear(&t);
}

static void test_header(struct queue *q)
{
	struct engine_result r;
	char *text, *first;
	const char *v;

	text = mail("Alice <alice@example.net>", "Printer jams on tray 2", "c1@example.net", NULL, "Hello.\n");
	r = process(text, "support@example.com");
	v = added(&r, "X-Ticket-Customer");
	ok(r.outcome == ENGINE_TICKETED && r.new_ticket && v && g_str_has_prefix(v, "tickets=0"),
	   "a first message: X-Ticket-Customer says no other tickets (%s)", v ? v : "none");
	ok(r.new_body == NULL && r.context_text == NULL, "and has no block");
	engine_result_clear(&r);
	g_free(text);
	resolve("1001");

	text = mail("Alice <alice@example.net>", "Invoice address wrong", "c2@example.net", NULL, "Hello again.\n");
	r = process(text, "support@example.com");
	v = added(&r, "X-Ticket-Customer");
	ok(v && g_str_has_prefix(v, "tickets=1; recent=SUP-1001/resolved; last-contact=2026-03-02T10:00:00Z; locale=en") &&
	   g_str_has_suffix(v, "csat=5 (SUP-1001)"), "her second ticket: the first, resolved and rated (%s)", v ? v : "none");
	ok(r.new_body == NULL && r.context_note == NULL, "header only: the body stays");
	first = g_strdup(v);
	engine_result_clear(&r);
	r = process(text, "support@example.com");
	ok(r.outcome == ENGINE_DUPLICATE && g_strcmp0(added(&r, "X-Ticket-Customer"), first) == 0,
	   "a redelivery leaves with the same history");
	engine_result_clear(&r);
	g_free(first);
	g_free(text);

	/* Someone else's header from outside goes; ours is the only one. */
	text = mail("Bob <bob@example.org>", "My own problem", "b1@example.org",
		    "X-Ticket-Customer: tickets=9; recent=SUP-1001/resolved\n", "Hi.\n");
	r = process(text, "support@example.com");
	v = added(&r, "X-Ticket-Customer");
	ok(deletes(&r, "X-Ticket-Customer") && v && g_str_has_prefix(v, "tickets=0") && !strstr(v, "SUP-1001"),
	   "Bob: a forged X-Ticket-Customer removed, and nothing of Alice's in his (%s)", v ? v : "none");
	engine_result_clear(&r);
	g_free(text);

	/* Who receives the message decides whether it carries the history. */
	text = mail("Alice <alice@example.net>", "Printer again", "c3@example.net", "Cc: carl@example.net\n", "Hi.\n");
	r = process(text, "support@example.com,carl@example.net");
	ok(r.outcome == ENGINE_TICKETED && added(&r, "X-Ticket-Customer") == NULL && r.context_note &&
	   strstr(r.context_note, "<carl@example.net>"), "a colleague in Cc also gets the message: no history (%s)",
	   r.context_note ? r.context_note : "");
	engine_result_clear(&r);
	g_free(text);
	text = mail("Alice <alice@example.net>", "Printer once more", "c4@example.net", NULL, "Hi.\n");
	r = process(text, "support@example.com,hidden@example.net");
	ok(added(&r, "X-Ticket-Customer") == NULL, "a Bcc (only in the envelope): no history");
	engine_result_clear(&r);
	g_free(text);
	text = mail("Alice <alice@example.net>", "Printer and invoice", "c4b@example.net", NULL, "Hi.\n");
	r = process(text, "support@example.com,billing@example.com");
	ok(r.outcome == ENGINE_TICKETED && added(&r, "X-Ticket-Customer") == NULL,
	   "a second queue among the recipients: no history");
	engine_result_clear(&r);
	g_free(text);
	text = mail("Alice <alice@example.net>", "Printer, agents in copy", "c5@example.net", NULL, "Hi.\n");
	r = process(text, "support@example.com,help@example.com,alice.agent@example.com,bob@staff.example.com");
	ok(added(&r, "X-Ticket-Customer") != NULL, "the queue's addresses and its agents only: the history");
	engine_result_clear(&r);
	g_free(text);

	/* A sender our MTA found forged is not the customer it names. */
	text = mail("Alice <alice@example.net>", "Send me the invoices", "forged@evil.example",
		    "Authentication-Results: mx.example.com; dmarc=fail (p=reject) header.from=example.net\n", "Hi.\n");
	r = process(text, "support@example.com");
	ok(r.outcome == ENGINE_TICKETED && r.evidence == EVIDENCE_CONTRADICTED && added(&r, "X-Ticket-Customer") == NULL &&
	   r.context_note && strstr(r.context_note, "not who"), "a DMARC failure in Alice's name: none of her history (%s)",
	   r.context_note ? r.context_note : "");
	engine_result_clear(&r);
	g_free(text);

	q->agent_context = AGENT_CONTEXT_NONE;
	text = mail("Alice <alice@example.net>", "Printer, no history", "c6@example.net", NULL, "Hi.\n");
	r = process(text, "support@example.com");
	ok(r.outcome == ENGINE_TICKETED && added(&r, "X-Ticket-Customer") == NULL && r.context_note == NULL,
	   "agent-context = none: nothing, and nothing to say");
	engine_result_clear(&r);
	g_free(text);
	q->agent_context = AGENT_CONTEXT_HEADER;
}

static void test_block(struct queue *q)
{
	struct engine_result r;
	char *text, *body;

	q->agent_context = AGENT_CONTEXT_BLOCK;
	text = mail("Alice <alice@example.net>", "Scanner", "c7@example.net",
		    "Content-Type: text/plain; charset=utf-8\n", "The scanner too.\n");
	r = process(text, "support@example.com");
	body = body_of(&r);
	ok(added(&r, "X-Ticket-Customer") && body && g_str_has_prefix(body, "[Customer history, for agents: ") &&
	   strstr(body, "\n[SUP-1002] 2026-03-02 ") && strstr(body, "Invoice address wrong\n") &&
	   strstr(body, "\n[SUP-1001] 2026-03-02 resolved Printer jams on tray 2\n") &&
	   g_str_has_suffix(body, "----\n\nThe scanner too.\n"),
	   "agent-context = block: the header, and her tickets at the top of the text");
	ok(body && strstr(body, "[SUP-1003]") == NULL, "none of Bob's tickets in it");
	ok(body && strstr(body, "Send me the invoices") == NULL, "nor the ticket a forger opened in her name");
	tap_diag("%s", body ? body : "(no block)");
	g_free(body);
	engine_result_clear(&r);
	g_free(text);

	text = mail("Alice <alice@example.net>", "Signed", "c8@example.net",
		    "MIME-Version: 1.0\nContent-Type: multipart/signed; protocol=\"application/pgp-signature\"; "
		    "boundary=\"s\"\n", "--s\nContent-Type: text/plain\n\nSigned.\n--s\n"
		    "Content-Type: application/pgp-signature\n\nsig\n--s--\n");
	r = process(text, "support@example.com");
	ok(added(&r, "X-Ticket-Customer") && r.new_body == NULL && r.context_note &&
	   strstr(r.context_note, "signed or encrypted"), "a signed message: the header only (%s)",
	   r.context_note ? r.context_note : "");
	engine_result_clear(&r);
	g_free(text);

	{
		GString *big = g_string_new(NULL);
		while (big->len <= AGENT_CONTEXT_BLOCK_MAX_SIZE)
			g_string_append(big, "A long report line, over and over, to make the message big.\n");
		text = mail("Alice <alice@example.net>", "Big report", "c11@example.net", NULL, big->str);
		g_string_free(big, TRUE);
	}
	r = process(text, "support@example.com");
	ok(added(&r, "X-Ticket-Customer") && r.new_body == NULL && r.context_note && strstr(r.context_note, "MiB"),
	   "a message over %d MiB: the header only (%s)", AGENT_CONTEXT_BLOCK_MAX_SIZE / (1024 * 1024),
	   r.context_note ? r.context_note : "");
	engine_result_clear(&r);
	g_free(text);

	text = mail("Carol <carol@example.com>", "First time", "d1@example.com", NULL, "Hello.\n");
	r = process(text, "support@example.com");
	ok(added(&r, "X-Ticket-Customer") && r.new_body == NULL && r.context_note == NULL,
	   "a first contact: the header, no block");
	engine_result_clear(&r);
	g_free(text);
	text = mail("Alice <alice@example.net>", "Cc'd", "c9@example.net", NULL, "Hi.\n");
	r = process(text, "support@example.com,carl@example.net");
	ok(added(&r, "X-Ticket-Customer") == NULL && r.new_body == NULL, "with a colleague among the recipients: no block either");
	engine_result_clear(&r);
	g_free(text);
}

/* Through the batcher, as the front ends run it: the block is there
 * when engine_batch_run() returns. */
static void test_batch(const struct queue *q)
{
	struct store_pool *pool = store_pool_new(1);
	struct engine_batch *b = engine_batch_new(pool, 4);
	char *text = mail("Alice <alice@example.net>", "Batched", "c10@example.net", NULL, "Batched.\n");
	struct message *m = fixture_message(text);
	char *rcpts[] = { "support@example.com", NULL };
	struct envelope env = { .sender = "alice@example.net", .recipients = rcpts, .queue_id = "Q", .now = clock_now,
				.raw = text, .raw_len = strlen(text) };
	struct engine_job job = { .settings = f.settings, .queue = q, .msg = m, .env = &env };
	char *body;

	engine_batch_run(b, &job);
	body = job.rc == 0 ? body_of(&job.result) : NULL;
	ok(body && g_str_has_prefix(body, "[Customer history, for agents: ") && g_str_has_suffix(body, "Batched.\n"),
	   "through the batcher: the block is in the result");
	g_free(body);
	if (job.rc == 0)
		engine_result_clear(&job.result);
	g_free(job.error);
	message_free(m);
	g_free(text);
	engine_batch_free(b);
	store_pool_free(pool);
}

/* The key: its three values, and anything else refused with its line. */
static void test_key(void)
{
	static const char *const values[] = { "header", "block", "none", "sometimes" };
	char *conf = NULL;

	g_file_get_contents(f.config_path, &conf, NULL, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
		GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
		char *text = g_strdup_printf("%sagent-context = %s\n", conf, values[i]);
		char *path = fixture_write(&f, "key.conf", text);
		struct settings *s = settings_load(path, SETTINGS_LOAD_SECRET, errors);
		const struct queue *q = NULL;
		for (size_t k = 0; s && k < s->n_queues; k++)
			if (strcmp(s->queues[k].id, "support") == 0)
				q = &s->queues[k];
		if (i < 3)
			ok(q && q->agent_context == (enum agent_context)i, "agent-context = %s", values[i]);
		else
			ok(s == NULL && errors->len == 1 && strstr(g_ptr_array_index(errors, 0), "agent-context"),
			   "agent-context = %s: refused (%s)", values[i],
			   errors->len ? (char *)g_ptr_array_index(errors, 0) : "");
		if (s)
			settings_unref(s);
		g_ptr_array_free(errors, TRUE);
		g_free(path);
		g_free(text);
	}
	g_free(conf);
}

int main(void)
{
	struct queue *q;

	fixture_setup(&f, "authserv-id = mx.example.com\n\n[queue billing]\nname = Billing\n"
			  "addresses = billing@example.com\ntag = BIL\n");
	for (q = f.settings->queues; strcmp(q->id, "support") != 0; q++)
		;
	is_int(q->agent_context, AGENT_CONTEXT_HEADER, "agent-context is header by default");
	test_key();
	q->agents = g_strsplit("alice.agent@example.com,@staff.example.com", ",", -1);
	test_header(q);
	test_block(q);
	test_batch(q);
	fixture_teardown(&f);
	return tap_done();
}
