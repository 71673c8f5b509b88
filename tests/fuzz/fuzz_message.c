/*
 * fuzz_message.c - libFuzzer harness: one inbound message through the
 * parser (message.c), the automatic-reply classifier (autoreply.c), the
 * subject tagging and the threading decision (thread.c).
 *
 * Threading runs against a real SQLite store in a scratch directory,
 * seeded once with three tickets, their customers, a Cc participant and
 * their Message-IDs, so that every rule can match: a signed Message-ID
 * or token (rule 1), a stored Message-ID from a participant (rule 2) and
 * a subject tag from a participant (rule 3), and strangers citing them.
 * thread_find() only reads, so every input meets the same store.
 *
 * The fuzzer cannot compute an HMAC, so the input may name signed
 * references by placeholder: "@@ID1001@@" becomes a signed Message-ID
 * of SUP-1001 and "@@TOKEN1001@@" its token "sup-1001-<mac>" (usable in
 * support+TOKEN@ and quoted in the body); any ticket number works.
 *
 * Checked promises: everything message.h calls decoded is valid UTF-8
 * and one line where it must be, the excerpt is bounded, the tagged
 * subject cannot start a new header, a match by rule 1 needs a signed
 * reference the harness made (nothing else can pass the HMAC), and a
 * match by rule 2 or 3 is to a ticket the sender takes part in.
 */
#include "config.h"
#include "fuzz.h"
#include "util/addr.h"
#include "robots/autoreply.h"
#include "engine/engine.h"
#include "mime/message.h"
#include "config/settings.h"
#include "store/store.h"
#include "engine/subject.h"
#include "engine/thread.h"
#include "trust/token.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct settings *settings;
static struct store *store;
static struct token_key key;

static void must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_message: set-up failed: %s (%s)\n", what, store ? store_error(store) : "");
		abort();
	}
}

/* One ticket with its customer, an optional Cc participant and one
 * stored message. */
static void seed_ticket(const char *customer, const char *name, const char *cc, const char *subject,
			const char *message_id, int64_t now)
{
	struct store_ticket t = { 0 };
	struct store_message m = { 0 };
	int64_t customer_id;

	must(store_begin(store) == 0, "begin");
	must(store_customer_upsert(store, customer, name, now, &customer_id) == 0, "customer");
	must(store_ticket_create(store, "support", "SUP", subject, customer_id, now, &t) == 0, "ticket");
	must(store_participant_add(store, t.id, customer, name, "customer", now) == 0, "participant");
	if (cc)
		must(store_participant_add(store, t.id, cc, NULL, "cc", now) == 0, "cc");
	m.ticket_id = t.id;
	m.direction = "in";
	m.message_id = (char *)message_id;
	m.sender = (char *)customer;
	m.recipients = "support@example.com";
	m.subject = (char *)subject;
	m.date = now;
	m.received = now;
	m.excerpt = "seed";
	m.size = 4;
	m.sha256 = "00";
	m.queue_id = "SEED";
	must(store_message_add(store, &m) == 0, "message");
	must(store_commit(store) == 0, "commit");
	store_ticket_clear(&t);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir;
	char *secret, *db, *conf, *text, *error = NULL;
	GPtrArray *errors;

	(void)argc;
	(void)argv;
	fuzz_init_libraries();
	dir = fuzz_scratch_dir();
	secret = g_build_filename(dir, "secret", NULL);
	db = g_build_filename(dir, "tickets.db", NULL);
	conf = g_build_filename(dir, "ticket-milter.conf", NULL);
	text = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
	fuzz_write_file(secret, text, strlen(text));
	chmod(secret, 0600);
	text = g_strdup_printf("[milter]\n"
			       "socket = unix:%s/milter.sock\n"
			       "database = %s\n"
			       "secret-file = %s\n"
			       "hostname = support.example.com\n"
			       "[queue support]\n"
			       "name = Example Support\n"
			       "addresses = support@example.com, help@example.com\n"
			       "tag = SUP\n"
			       "agents = alice@example.com, @staff.example.com\n",
			       dir, db, secret);
	fuzz_write_file(conf, text, strlen(text));
	g_free(text);
	errors = g_ptr_array_new_with_free_func(g_free);
	settings = settings_load(conf, SETTINGS_LOAD_SECRET, errors);
	must(settings != NULL, errors->len ? (char *)g_ptr_array_index(errors, 0) : "settings");
	g_ptr_array_free(errors, TRUE);
	store = store_open(db, 5000, &error);
	must(store != NULL, error ? error : "store_open");
	key.secret = settings->secret;
	key.secret_len = settings->secret_len;

	seed_ticket("anna@example.org", "Anna", "ben@example.org", "Printer on fire", "m1@example.org", 1000);
	seed_ticket("carl@example.net", NULL, NULL, "Invoice 4471", "m2@example.net", 2000);
	seed_ticket("dora@example.com", "Dora", "anna@example.org", "Login fails", "m3@example.com", 3000);
	g_free(secret);
	g_free(db);
	g_free(conf);
	return 0;
}

/* Replaces "@@ID<n>@@" and "@@TOKEN<n>@@" by signed references to
 * SUP-<n>, counting them in *count; NULL when the input holds no "@@". */
static GString *expand_references(const char *data, size_t size, unsigned *count)
{
	GString *out;
	const char *p = data, *end = data + size;

	*count = 0;
	if (memmem(data, size, "@@", 2) == NULL)
		return NULL;
	out = g_string_sized_new(size + 64);
	while (p < end) {
		const char *at = memmem(p, (size_t)(end - p), "@@", 2);
		bool id;
		const char *q;
		struct ticket_ref ref = { "SUP", 0 };
		char *made;

		if (at == NULL) {
			g_string_append_len(out, p, end - p);
			break;
		}
		g_string_append_len(out, p, at - p);
		q = at + 2;
		id = (size_t)(end - q) >= 2 && memcmp(q, "ID", 2) == 0;
		if (id)
			q += 2;
		else if ((size_t)(end - q) >= 5 && memcmp(q, "TOKEN", 5) == 0)
			q += 5;
		else {
			g_string_append_len(out, at, 2);
			p = at + 2;
			continue;
		}
		while (q < end && g_ascii_isdigit(*q) && ref.number < 100000000)
			ref.number = ref.number * 10 + (*q++ - '0');
		if (ref.number == 0 || (size_t)(end - q) < 2 || memcmp(q, "@@", 2) != 0) {
			g_string_append_len(out, at, 2);
			p = at + 2;
			continue;
		}
		made = id ? token_message_id(&key, &ref, settings->hostname) : token_for_ticket(&key, &ref);
		(*count)++;
		g_string_append(out, made);
		g_free(made);
		p = q + 2;
	}
	return out;
}

static void check_line(const char *what, const char *s)
{
	if (s == NULL)
		return;
	if (!g_utf8_validate(s, -1, NULL))
		fuzz_fail("%s is not valid UTF-8", what);
	if (strpbrk(s, "\r\n"))
		fuzz_fail("%s holds a line break: \"%s\"", what, s);
}

static void check_text(const char *what, const char *s, size_t bound)
{
	if (s == NULL)
		fuzz_fail("%s is NULL", what);
	if (!g_utf8_validate(s, -1, NULL))
		fuzz_fail("%s is not valid UTF-8", what);
	if (strchr(s, '\r'))
		fuzz_fail("%s holds a CR", what);
	if (strlen(s) > bound)
		fuzz_fail("%s has %zu bytes, more than %zu", what, strlen(s), bound);
}

/* Addresses are bytes as written (8-bit ones exist), but one line:
 * they go into the store, the logs and ticketctl's output. */
static void check_mailbox(const char *what, const struct mailbox *m)
{
	if (m == NULL)
		return;
	if (strpbrk(m->address, "\r\n"))
		fuzz_fail("%s address holds a line break: \"%s\"", what, m->address);
	check_line(what, m->name);
}

static void check_mailboxes(const char *what, const GPtrArray *list)
{
	for (guint i = 0; i < list->len; i++)
		check_mailbox(what, g_ptr_array_index(list, i));
}

static void check_message(const struct message *msg)
{
	check_line("subject", msg->subject);
	check_line("Message-ID", msg->message_id);
	for (guint i = 0; i < msg->in_reply_to->len; i++)
		check_line("In-Reply-To id", g_ptr_array_index(msg->in_reply_to, i));
	for (guint i = 0; i < msg->references->len; i++)
		check_line("References id", g_ptr_array_index(msg->references, i));
	for (guint i = 0; i < msg->headers->len; i++) {
		const struct header_field *h = g_ptr_array_index(msg->headers, i);
		check_line("header value", h->value);
	}
	check_mailbox("From", msg->from);
	check_mailbox("Reply-To", msg->reply_to);
	check_mailboxes("To", msg->to);
	check_mailboxes("Cc", msg->cc);
	check_text("excerpt", msg->text, settings->excerpt_bytes);
	check_text("full text", msg->full_text, 64 * 1024);
	if (msg->content_type == NULL)
		fuzz_fail("content type is NULL");
}

/* Tagging must keep the subject one header line. */
static void check_tagging(const struct message *msg, long number)
{
	struct ticket_ref ref = { "SUP", number };
	char *tagged = subject_add_tag(msg->raw_subject, msg->subject, &ref);
	char *clean = subject_clean(msg->subject, "SUP");

	if (tagged && strpbrk(tagged, "\r\n"))
		fuzz_fail("tagged subject holds a line break: \"%s\"", tagged);
	check_line("clean subject", clean);
	g_free(tagged);
	g_free(clean);
}

static void check_thread(const struct message *msg, const struct queue *queue, const char *token,
			 bool signed_reference)
{
	const char *sender = msg->from ? msg->from->address : "mailer-daemon@invalid";
	struct thread_match match;

	if (thread_find(store, queue, &key, msg, sender, token, &match) != 0)
		fuzz_fail("thread_find failed: %s", store_error(store));
	/* FUZZ_VERBOSE=1: what each input matched, for writing seeds. */
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz_message: %s: rule %s, ticket id %lld, stranger tag %ld, stranger reference %lld\n",
			sender, thread_rule_name(match.rule), (long long)match.ticket_id, match.stranger_tag,
			(long long)match.stranger_reference);
	if (match.rule == THREAD_NEW) {
		if (match.ticket_id != 0)
			fuzz_fail("a new ticket with ticket id %lld", (long long)match.ticket_id);
		return;
	}
	if (match.ticket_id <= 0)
		fuzz_fail("rule %s without a ticket", thread_rule_name(match.rule));
	/* Only the harness can sign: rule 1 without a placeholder in the
	 * input is a forged reference accepted. */
	if ((match.rule == THREAD_SIGNED_ID || match.rule == THREAD_TOKEN || match.rule == THREAD_BODY_REFERENCE) &&
	    !signed_reference)
		fuzz_fail("%s matched by %s without a signed reference in the input", sender, thread_rule_name(match.rule));
	/* Guessable references join only those already on the ticket. */
	if ((match.rule == THREAD_KNOWN_ID || match.rule == THREAD_TAG) &&
	    store_is_participant(store, match.ticket_id, sender) != 1)
		fuzz_fail("%s joined ticket %lld by %s without being a participant", sender,
			  (long long)match.ticket_id, thread_rule_name(match.rule));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned signed_references;
	GString *expanded = expand_references((const char *)data, size, &signed_references);
	const char *raw = expanded ? expanded->str : (const char *)data;
	size_t len = expanded ? expanded->len : size;
	struct message *msg = message_parse(raw, len, settings->excerpt_bytes);
	GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
	const struct queue *queue;
	char *token = NULL;

	check_message(msg);
	/* The envelope as the MTA would give it: recipients from To and Cc,
	 * the sender from From (none: the null sender of a bounce). */
	for (guint i = 0; i < msg->to->len; i++)
		g_ptr_array_add(rcpts, g_strdup(((struct mailbox *)g_ptr_array_index(msg->to, i))->address));
	for (guint i = 0; i < msg->cc->len; i++)
		g_ptr_array_add(rcpts, g_strdup(((struct mailbox *)g_ptr_array_index(msg->cc, i))->address));
	g_ptr_array_add(rcpts, NULL);
	queue = engine_queue_for(settings, (char **)rcpts->pdata, &token);
	if (queue == NULL)
		queue = &settings->queues[0];

	(void)autoreply_forbidden(msg, msg->from ? msg->from->address : NULL, settings);
	check_tagging(msg, 1001 + (long)(msg->size % 3));
	check_thread(msg, queue, token, signed_references > 0);

	g_free(token);
	g_ptr_array_free(rcpts, TRUE);
	message_free(msg);
	if (expanded)
		g_string_free(expanded, TRUE);
	return 0;
}
