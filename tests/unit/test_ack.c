/* test_ack.c - acknowledgements through engine_process(): who gets one,
 * what it looks like (parsed back with GMime), language, promise, rate
 * limits, reopening, and our own mail coming back.
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/acknowledge.h"
#include "compose/assets.h"
#include "calendar/calendar.h"
#include "engine/engine.h"
#include "trust/token.h"

#include <glib.h>
#include <gmime/gmime.h>

static struct fixture f;
static int64_t clock_now = 1772445600;	/* Mon 2026-03-02 10:00 UTC */

static struct engine_result process(const char *text)
{
	struct message *m = fixture_message(text);
	char *rcpts[] = { "support@example.com", NULL };
	const char *from = m->from ? m->from->address : NULL;
	struct envelope env = { .sender = from, .recipients = rcpts, .queue_id = "Q", .now = clock_now };
	struct engine_result res;
	char *token = NULL, *error = NULL;
	const struct queue *q = engine_queue_for(f.settings, rcpts, &token);

	if (engine_process(f.settings, f.assets, f.store, q, token, m, &env, &res, &error) != 0) {
		tap_diag("engine error: %s", error);
		memset(&res, 0, sizeof res);
		res.outcome = -1;
	}
	g_free(error);
	g_free(token);
	message_free(m);
	return res;
}

static GPtrArray *outbox(void)
{
	return store_outbox_list(f.store, false, 100);
}

static int outbox_count(void)
{
	GPtrArray *l = outbox();
	int n = (int)l->len;

	g_ptr_array_free(l, TRUE);
	return n;
}

/* The newest outbox entry parsed back. */
static GMimeMessage *newest_ack(struct outbox_entry *copy)
{
	GPtrArray *l = outbox();
	const struct outbox_entry *e = g_ptr_array_index(l, 0);
	gsize len;
	const char *data = g_bytes_get_data(e->message, &len);
	GMimeMessage *m = fixture_mime_parse(data, len);

	if (copy) {
		copy->recipient = g_strdup(e->recipient);
		copy->envelope_from = g_strdup(e->envelope_from);
		copy->message_id = g_strdup(e->message_id);
		copy->message = g_bytes_ref(e->message);
	}
	g_ptr_array_free(l, TRUE);
	return m;
}

/* A top-level header as written; GMime's parser files Content-* headers
 * with the top MIME part, so look there too. */
static const char *hdr(GMimeMessage *m, const char *name)
{
	const char *v = g_mime_object_get_header(GMIME_OBJECT(m), name);
	GMimeObject *part = g_mime_message_get_mime_part(m);

	return v || part == NULL ? v : g_mime_object_get_header(part, name);
}

static void find_plain(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	char **text = data;

	(void)parent;
	if (*text == NULL && GMIME_IS_TEXT_PART(part) &&
	    g_mime_content_type_is_type(g_mime_object_get_content_type(part), "text", "plain"))
		*text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
}

static char *body_text(GMimeMessage *m)
{
	char *text = NULL;

	g_mime_message_foreach(m, find_plain, &text);
	return text ? text : g_strdup("");
}

/* The formatter pool of the assets, from four threads at once: every
 * text as a fresh formatter writes it. */
struct pool_run {
	struct assets *assets;
	unsigned differ;
};

static gpointer format_many(gpointer data)
{
	static const char *const locales[] = { "de", "ja", "en", "tr" };
	static const char *const zones[] = { "Europe/Berlin", "Asia/Tokyo", NULL, "America/Sao_Paulo" };
	struct pool_run *run = data;

	for (int i = 0; i < 100; i++) {
		const char *locale = locales[i % 4], *zone = zones[(i / 4) % 4];
		int64_t t = 1772452800 + (int64_t)i * 86399;
		char *pooled = assets_format_time(f.assets, f.settings, locale, t, zone, 345);
		char *fresh = promise_format_time_with(t, locale, zone, 345, assets_time_pattern(run->assets, locale));
		/* and relative phrases, from the same formatters */
		char *pooled_wait = assets_format_relative(run->assets, locale, t, t + 60 + i * 97, 240);
		char *fresh_wait = promise_format_relative(t, t + 60 + i * 97, locale, 240);

		run->differ += pooled == NULL || g_strcmp0(pooled, fresh) != 0;
		run->differ += pooled_wait == NULL || g_strcmp0(pooled_wait, fresh_wait) != 0;
		g_free(pooled);
		g_free(fresh);
		g_free(pooled_wait);
		g_free(fresh_wait);
	}
	return NULL;
}

static void test_formatter_pool(struct assets *a)
{
	struct pool_run runs[4];
	GThread *threads[4];
	unsigned differ = 0;

	for (int i = 0; i < 4; i++) {
		runs[i] = (struct pool_run){ a, 0 };
		threads[i] = g_thread_new("format", format_many, &runs[i]);
	}
	for (int i = 0; i < 4; i++) {
		g_thread_join(threads[i]);
		differ += runs[i].differ;
	}
	ok(differ == 0, "assets: 4 threads x 100 times (a time and a wait) through the formatter pool, "
	   "%u differ from a fresh formatter", differ);
}

/* The subject's keywords make a ticket urgent in any case, in any
 * script (the default list); a word that merely looks alike does not. */
static void test_urgent_keywords(void)
{
	static const struct {
		const char *subject;
		enum priority want;
	} cases[] = {
		{ "URGENT: the printer is on fire", PRIORITY_URGENT },
		{ "Drucker defekt, DRINGEND", PRIORITY_URGENT },
		{ "Принтер не работает, СРОЧНО", PRIORITY_URGENT },
		{ "Printer is out of paper", PRIORITY_NORMAL },
		{ "", PRIORITY_NORMAL },
	};
	const struct queue *q = &f.settings->queues[0];
	int right = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *text = g_strdup_printf("From: a@example.org\nSubject: %s\n\nbody\n", cases[i].subject);
		struct message *m = fixture_message(text);
		enum priority got = acknowledge_priority(q, m);

		right += got == cases[i].want;
		if (got != cases[i].want)
			tap_diag("\"%s\": priority %d, not %d", cases[i].subject, (int)got, (int)cases[i].want);
		message_free(m);
		g_free(text);
	}
	is_int(right, (int)G_N_ELEMENTS(cases), "urgent keywords in the subject, any case and script");
}

/* A long non-ASCII subject leaves folded like every header we write:
 * no encoded word over 75 bytes (RFC 2047), no line over 78. */
static void test_folded_subject(void)
{
	GString *subject = g_string_new(NULL);
	struct outbox_entry e = { 0 };
	struct engine_result r;
	char *mail, *raw, *line, *end;
	GMimeMessage *ack;
	gsize len;
	unsigned lines = 0, long_lines = 0, long_words = 0;

	for (int i = 0; i < 60; i++)
		g_string_append(subject, "プリンターが動きません");
	mail = g_strdup_printf("From: Sato <sato@example.jp>\nTo: support@example.com\nSubject: %s\n"
			       "Message-ID: <jp-long@example.jp>\n\nプリンターが動きません。\n", subject->str);
	r = process(mail);
	engine_result_clear(&r);
	ack = newest_ack(&e);
	{
		const char *data = g_bytes_get_data(e.message, &len);
		raw = g_strndup(data, len);
	}
	line = strstr(raw, "\nSubject: ") + 1;
	/* The Subject field: its first line and every folded one after it. */
	do {
		end = strchr(line, '\n');
		lines++;
		long_lines += end - line > 78;
		for (const char *w = strstr(line, "=?"); w && w < end; w = strstr(w + 2, "=?")) {
			const char *close = strstr(w + 2, "?=");
			long_words += close && close + 2 - w > 75;
		}
		line = end + 1;
	} while (*line == ' ' || *line == '\t');
	ok(lines > 1 && long_lines == 0 && long_words == 0,
	   "a long Japanese subject: %u lines, none over 78 bytes, no encoded word over 75", lines);
	ok(strstr(g_mime_message_get_subject(ack), "プリンターが動きません") != NULL, "and it decodes back: %s",
	   g_mime_message_get_subject(ack));
	g_object_unref(ack);
	outbox_entry_clear(&e);
	g_free(raw);
	g_free(mail);
	g_string_free(subject, TRUE);
}

int main(void)
{
	struct engine_result r;
	struct token_key key;
	struct ticket_ref ref;
	struct outbox_entry copy = { 0 };
	GMimeMessage *ack;
	char *text;

	fixture_setup(&f, NULL);
	g_strfreev(f.settings->queues[0].locales);
	f.settings->queues[0].locales = g_strsplit("en,de,ja,tr,fr", ",", -1);
	key.secret = f.settings->secret;
	key.secret_len = f.settings->secret_len;
	test_urgent_keywords();

	/* A German customer. */
	r = process("From: Jürgen Müller <juergen@example.de>\nTo: support@example.com\n"
		    "Subject: Drucker druckt nicht\nMessage-ID: <de1@example.de>\nReferences: <root@example.de>\n"
		    "Date: Mon, 02 Mar 2026 11:00:00 +0100\n\n"
		    "Guten Tag, unser Drucker im zweiten Stock druckt seit heute Morgen nicht mehr. "
		    "Können Sie bitte helfen? Vielen Dank.\n");
	ok(r.new_ticket && r.ack_queued, "new ticket: acknowledgement queued");
	engine_result_clear(&r);
	is_int(outbox_count(), 1, "one outbox entry");
	ack = newest_ack(&copy);
	is_str(copy.recipient, "juergen@example.de", "to the customer");
	is_str(copy.envelope_from, "", "null envelope sender by default");
	ok(g_str_has_prefix(g_mime_message_get_subject(ack), "[SUP-1001]"), "subject carries the tag: %s",
	   g_mime_message_get_subject(ack));
	is_str(hdr(ack, "Auto-Submitted"), "auto-replied", "Auto-Submitted: auto-replied");
	is_str(hdr(ack, "X-Auto-Response-Suppress"), "All", "X-Auto-Response-Suppress: All");
	is_str(hdr(ack, "X-Ticket-ID"), "SUP-1001", "X-Ticket-ID");
	is_str(hdr(ack, "Content-Language"), "de", "German chosen (Content-Language: de)");
	is_str(hdr(ack, "In-Reply-To"), "<de1@example.de>", "In-Reply-To the customer's message");
	ok(hdr(ack, "References") && strstr(hdr(ack, "References"), "<root@example.de> <de1@example.de>"),
	   "References continue the customer's thread");
	ok(token_verify_message_id(&key, g_mime_message_get_message_id(ack), &ref) && ref.number == 1001,
	   "Message-ID is signed for SUP-1001 (%s)", g_mime_message_get_message_id(ack));
	ok(strstr(hdr(ack, "From"), "support@example.com") != NULL, "From the queue");
	ok(strstr(hdr(ack, "Reply-To"), "support+sup-1001-") != NULL, "Reply-To the signed gateway address");
	ok(hdr(ack, "Date") != NULL, "Date");
	ok(strstr(hdr(ack, "Subject") ? hdr(ack, "Subject") : "", "=?") != NULL || g_str_is_ascii(g_mime_message_get_subject(ack)),
	   "non-ASCII subject is RFC 2047 encoded on the wire");
	{
		gsize len;
		const char *raw = g_bytes_get_data(copy.message, &len);
		char *token = token_for_ticket(&key, &(struct ticket_ref){ "SUP", 1001 });
		char *raw0 = g_strndup(raw, len);
		ok(strstr(raw0, "multipart/alternative") != NULL, "text and HTML alternatives");
		ok(strstr(raw0, "charset=utf-8") != NULL, "UTF-8");
		g_free(raw0);
		text = body_text(ack);
		ok(strstr(text, token) != NULL, "the signed reference appears in the body footer");
		ok(strstr(text, "März") != NULL || strstr(text, "2026") != NULL, "the promise is in the text");
		g_free(text);
		g_free(token);
	}
	g_object_unref(ack);
	outbox_entry_clear(&copy);

	/* The inbound copy shows the locale and the due time. */
	{
		struct store_ticket t = { 0 };
		store_ticket_by_number(f.store, "SUP", 1001, &t);
		is_str(t.locale, "de", "locale stored on the ticket");
		ok(t.first_response_due > clock_now, "first-response due time stored");
		store_ticket_clear(&t);
	}

	/* A Japanese customer. */
	clock_now += 10;
	r = process("From: yamada@example.jp\nSubject: =?UTF-8?B?44OX44Oq44Oz44K/44O844GM5YuV44GN44G+44Gb44KT?=\n"
		    "Message-ID: <ja1@example.jp>\nContent-Type: text/plain; charset=utf-8\n\n"
		    "お世話になっております。プリンターが動かなくなりました。ご確認をお願いいたします。\n");
	ok(r.ack_queued, "Japanese customer acknowledged");
	engine_result_clear(&r);
	ack = newest_ack(NULL);
	is_str(hdr(ack, "Content-Language"), "ja", "in Japanese");
	g_object_unref(ack);

	/* No acknowledgement for robots. */
	clock_now += 10;
	r = process("From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail Returned to Sender\n"
		    "Message-ID: <b1@mx.example.org>\n\nsorry\n");
	ok(r.new_ticket && !r.ack_queued && r.ack_skipped, "bounce: ticket but no acknowledgement (%s)", r.ack_skipped);
	engine_result_clear(&r);
	r = process("From: boss@example.org\nSubject: Out of Office\nAuto-Submitted: auto-replied\n"
		    "Message-ID: <oof1@example.org>\n\naway\n");
	ok(!r.ack_queued, "out-of-office: no acknowledgement");
	engine_result_clear(&r);
	is_int(outbox_count(), 2, "still two outbox entries");

	/* Rate limit: 3 per 10 minutes per recipient. */
	for (int i = 0; i < 4; i++) {
		char *mail = g_strdup_printf("From: busy@example.org\nSubject: question %d\nMessage-ID: <busy%d@example.org>\n\n"
					     "Hello, another question number %d.\n", i, i, i);
		clock_now += 5;
		r = process(mail);
		if (i < 3)
			ok(r.ack_queued, "busy customer, ticket %d: acknowledged", i + 1);
		else
			ok(!r.ack_queued && r.ack_skipped, "busy customer, ticket 4 within 10 minutes: rate limited (%s)",
			   r.ack_skipped);
		engine_result_clear(&r);
		g_free(mail);
	}
	clock_now += 11 * 60;
	r = process("From: busy@example.org\nSubject: later\nMessage-ID: <busy9@example.org>\n\nlater question\n");
	ok(r.ack_queued, "after the window: acknowledged again");
	engine_result_clear(&r);

	/* Reopening: a follow-up to a resolved ticket gets a short notice. */
	{
		struct store_ticket t = { 0 };
		store_ticket_by_number(f.store, "SUP", 1001, &t);
		store_ticket_set_status(f.store, t.id, "resolved", clock_now);
		store_ticket_clear(&t);
	}
	clock_now += 2 * 3600;
	r = process("From: juergen@example.de\nSubject: Re: [SUP-1001] Drucker druckt nicht\nMessage-ID: <de2@example.de>\n"
		    "In-Reply-To: <de1@example.de>\n\nDer Drucker geht schon wieder nicht.\n");
	ok(r.reopened && r.ack_queued && !r.new_ticket, "follow-up to a resolved ticket reopens it, with a notice");
	engine_result_clear(&r);
	ack = newest_ack(&copy);
	is_str(hdr(ack, "Content-Language"), "de", "the notice is in the language stored for the customer");
	g_object_unref(ack);
	r = process("From: juergen@example.de\nSubject: Re: [SUP-1001] Drucker\nMessage-ID: <de3@example.de>\n"
		    "In-Reply-To: <de1@example.de>\n\nNoch etwas.\n");
	ok(!r.reopened && !r.ack_queued && !r.ack_skipped, "an ordinary follow-up gets none");
	engine_result_clear(&r);

	/* Our own acknowledgement passing through the milter again. */
	{
		gsize len;
		const char *raw = g_bytes_get_data(copy.message, &len);
		char *raw0 = g_strndup(raw, len);
		int before = outbox_count();
		r = process(raw0);
		ok(r.outcome == ENGINE_OWN_MAIL && r.edits->len == 0, "our own mail is recognised and left untouched");
		engine_result_clear(&r);
		is_int(outbox_count(), before, "and never acknowledged");
		g_free(raw0);
	}
	outbox_entry_clear(&copy);

	/* With the assets the daemon prepares per snapshot: the same mail. */
	{
		struct outbox_entry plain = { 0 }, prepared = { 0 };
		GMimeMessage *a1, *a2;
		char *t1, *t2;
#define ASSETS_CUSTOMER "From: Lena <lena%d@example.de>\nTo: support@example.com\n" \
	"Subject: Rechnung fehlt\nMessage-ID: <assets%d@example.de>\n" \
	"Date: Mon, 02 Mar 2026 11:00:00 +0100\n\n" \
	"Guten Tag, die Rechnung für März fehlt in unserem Konto. Vielen Dank.\n"
		char *m1 = g_strdup_printf(ASSETS_CUSTOMER, 1, 1), *m2 = g_strdup_printf(ASSETS_CUSTOMER, 2, 2);

		r = process(m1);
		engine_result_clear(&r);
		a1 = newest_ack(&plain);
		f.assets = assets_prepare(f.settings);
		ok(assets_template(f.assets, "support", "de", "ack") != NULL &&
		   assets_time_pattern(f.assets, "ja") != NULL, "assets: templates and patterns prepared");
		test_formatter_pool(f.assets);
		r = process(m2);
		engine_result_clear(&r);
		a2 = newest_ack(&prepared);
		t1 = body_text(a1);
		t2 = body_text(a2);
		/* Only the ticket number and its token differ. */
		{
			GRegex *ids = g_regex_new("(?i)sup-10[0-9][0-9](-[a-z0-9]+)?", 0, 0, NULL);
			char *n1 = g_regex_replace_literal(ids, t1, -1, 0, "ID", 0, NULL);
			char *n2 = g_regex_replace_literal(ids, t2, -1, 0, "ID", 0, NULL);
			if (!ok(strstr(n2, "2026") != NULL && strcmp(n1, n2) == 0, "assets: the same acknowledgement text"))
				printf("# without:\n%s\n# with:\n%s\n", n1, n2);
			g_free(n1);
			g_free(n2);
			g_regex_unref(ids);
		}
		is_str(hdr(a2, "Content-Language"), "de", "assets: German chosen");
		g_free(t1);
		g_free(t2);
		g_free(m1);
		g_free(m2);
		g_object_unref(a1);
		g_object_unref(a2);
		outbox_entry_clear(&plain);
		outbox_entry_clear(&prepared);
	}
	test_folded_subject();
	fixture_teardown(&f);
	return tap_done();
}
