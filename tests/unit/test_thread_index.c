/* test_thread_index.c - Outlook's Thread-Index: reading its root,
 * writing replies that continue it, threading by it under the
 * participant rule, and our acknowledgement continuing the customer's
 * conversation.
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/engine.h"
#include "engine/thread_index.h"

#include <gmime/gmime.h>
#include <string.h>

static struct fixture f;

/* An Outlook-like Thread-Index: a 22-byte header of seed, then blocks. */
static char *outlook_index(unsigned char seed, int blocks)
{
	unsigned char bytes[22 + 5 * 4];

	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)(seed * 31 + i * 7);
	bytes[0] = 0x01;
	return g_base64_encode(bytes, 22 + 5 * (size_t)blocks);
}

static long process(const char *text, struct engine_result *res)
{
	struct message *m = fixture_message(text);
	char *rcpts[] = { "support@example.com", NULL };
	struct envelope env = { .sender = m->from ? m->from->address : NULL, .recipients = rcpts, .queue_id = "Q",
				.now = 1800000000 };
	char *token = NULL, *error = NULL;
	const struct queue *q = engine_queue_for(f.settings, rcpts, &token);
	long n = -1;

	memset(res, 0, sizeof *res);
	if (engine_process(f.settings, f.assets, f.store, q, token, m, &env, res, &error) == 0)
		n = res->ref.number;
	else
		tap_diag("engine: %s", error);
	g_free(error);
	g_free(token);
	message_free(m);
	return n;
}

static void roots(void)
{
	char root[THREAD_INDEX_ROOT_HEX + 1], again[THREAD_INDEX_ROOT_HEX + 1], *v, *reply;
	struct token_key key = { f.settings->secret, f.settings->secret_len };
	struct ticket_ref ref = { "SUP", 1042 };

	v = outlook_index(3, 2);
	ok(thread_index_root(v, root) && strlen(root) == 44, "an Outlook value with two reply blocks has a root");
	g_free(v);
	v = outlook_index(3, 0);
	ok(thread_index_root(v, again) && strcmp(root, again) == 0, "the conversation's first message has the same root");
	g_free(v);
	ok(!thread_index_root("AQHS", root), "too short: no root");
	ok(!thread_index_root("not base64 at all!!!!!!!!!!!!!!!!!!!!", root), "not base64: no root");
	ok(!thread_index_root(NULL, root), "no header: no root");
	thread_index_make_root(&key, &ref, 1800000000, root);
	thread_index_make_root(&key, &ref, 1800000000, again);
	ok(strcmp(root, again) == 0, "a ticket's own root is the same every time");
	reply = thread_index_reply(root, 1800003600);
	ok(reply && thread_index_root(reply, again) && strcmp(root, again) == 0,
	   "a reply we write continues the root (%s)", reply ? reply : "none");
	g_free(reply);
	ok(thread_index_reply("zz", 1) == NULL, "no reply to a root that is not one");
}

static void threading(void)
{
	struct engine_result res;
	char *first = outlook_index(9, 0), *later = outlook_index(9, 3), *text, root[THREAD_INDEX_ROOT_HEX + 1];
	long n, m;

	text = g_strdup_printf("From: Olga <olga@corp.example>\nTo: support@example.com\nSubject: VPN down\n"
			       "Message-ID: <o1@corp.example>\nThread-Index: %s\nThread-Topic: VPN down\n\nHelp.\n", first);
	n = process(text, &res);
	ok(n > 0 && res.new_ticket, "an Outlook customer opens a ticket");
	engine_result_clear(&res);
	g_free(text);
	{
		GPtrArray *l = store_outbox_list(f.store, false, 10);
		const struct outbox_entry *e = l && l->len ? g_ptr_array_index(l, 0) : NULL;
		GMimeMessage *ack = e ? fixture_mime_parse(g_bytes_get_data(e->message, NULL),
							   g_bytes_get_size(e->message)) : NULL;
		const char *ti = ack ? g_mime_object_get_header(GMIME_OBJECT(ack), "Thread-Index") : NULL;
		char theirs[THREAD_INDEX_ROOT_HEX + 1];
		thread_index_root(first, theirs);
		ok(ti && thread_index_root(ti, root) && strcmp(root, theirs) == 0,
		   "the acknowledgement continues the customer's conversation (Thread-Index %s)", ti ? ti : "none");
		if (ack)
			g_object_unref(ack);
		if (l)
			g_ptr_array_free(l, TRUE);
	}
	text = g_strdup_printf("From: olga@corp.example\nTo: support@example.com\nSubject: AW: VPN\n"
			       "Message-ID: <o2@corp.example>\nThread-Index: %s\n\nStill down.\n", later);
	m = process(text, &res);
	ok(m == n && res.rule == THREAD_THREAD_INDEX,
	   "her reply without References or tag joins by the Thread-Index (%ld, %s)", m, thread_rule_name(res.rule));
	engine_result_clear(&res);
	g_free(text);
	text = g_strdup_printf("From: eve@evil.example\nTo: support@example.com\nSubject: AW: VPN\n"
			       "Message-ID: <e2@evil.example>\nThread-Index: %s\n\nlet me in\n", later);
	m = process(text, &res);
	ok(m != n, "a stranger with the same Thread-Index does not join: it is guessable");
	engine_result_clear(&res);
	g_free(text);
	g_free(first);
	g_free(later);
}

int main(void)
{
	fixture_setup(&f, NULL);
	roots();
	threading();
	fixture_teardown(&f);
	return tap_done();
}
