/*
 * store_bench.c - how the store's look-ups and ticket creation scale:
 * p50/p99 per operation on an existing database, through the same
 * functions the milter calls.  Built and run by bench/store-scale:
 *
 *   gcc -O2 -Iinclude bench/store_bench.c build-bench/libticket.a \
 *       $(pkg-config --cflags --libs gmime-3.0 glib-2.0 sqlite3 libcrypto icu-i18n icu-uc) -lcld2 -lstdc++
 *   store_bench -c CONFIG [-n LOOKUPS] [-w WRITES] [-o OPENS]
 *
 * CONFIG is a ticket-milter configuration whose database holds tickets of
 * the queue's tag (bench/store_gen.py fills one).  Keys are drawn at
 * random over the whole database before the clock starts, so the
 * look-ups touch the whole B-trees, as real mail does.  Operations:
 *
 *   by-message-id       store_ticket_by_message_id, a stored Message-ID
 *   by-message-id-miss  the same for an unknown Message-ID (most mail)
 *   duplicate-check     store_find_duplicate (every message does it)
 *   by-number           store_ticket_by_number
 *   token               token_verify + store_ticket_by_number
 *   thread-known-id     thread_find: In-Reply-To a stored Message-ID, sender a participant
 *   thread-token        thread_find: recipient support+TOKEN@
 *   thread-tag          thread_find: [SUP-N] in the subject, sender a participant
 *   thread-new          thread_find: nothing matches (a new ticket)
 *   open-store          store_open + one look-up: what each SMTP connection pays
 *   engine-new-ticket   engine_process of a new message: thread, write, acknowledgement,
 *                       commit (synchronous=FULL: includes the fsync)
 *
 * Prints one line per operation: name, count, p50, p99, max in µs.
 * Room: bench.
 */
#include "compose/assets.h"
#include "engine/engine.h"
#include "language/lang.h"
#include "util/log.h"
#include "mime/message.h"
#include "config/settings.h"
#include "store/store.h"
#include "engine/thread.h"
#include "trust/token.h"

#include <gmime/gmime.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sample {			/* one stored message, drawn at random */
	char *message_id;
	char *sender;
	long number;		/* its ticket's number */
};

static struct settings *settings;
static struct assets *assets;	/* prepared as the daemon's snapshot does */
static const struct queue *queue;
static struct token_key key;
static struct store *store;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static void report(const char *name, long long *ns, int n)
{
	if (n == 0)
		return;
	qsort(ns, (size_t)n, sizeof *ns, cmp_ll);
	printf("%-20s %7d %10.1f %10.1f %10.1f\n", name, n, ns[(n - 1) / 2] / 1e3,
	       ns[(int)((n * 99 + 99) / 100) - 1] / 1e3, ns[n - 1] / 1e3);
	fflush(stdout);
}

static void fail(const char *what)
{
	fprintf(stderr, "store_bench: %s: %s\n", what, store ? store_error(store) : "");
	exit(1);
}

/* n stored messages at random, with their ticket numbers (not timed). */
static struct sample *draw_samples(const char *path, int n)
{
	sqlite3 *db;
	sqlite3_stmt *max, *pick;
	struct sample *out = calloc((size_t)n, sizeof *out);
	sqlite3_int64 max_id = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		fail("open for sampling");
	sqlite3_prepare_v2(db, "SELECT max(id) FROM messages", -1, &max, NULL);
	if (sqlite3_step(max) == SQLITE_ROW)
		max_id = sqlite3_column_int64(max, 0);
	sqlite3_finalize(max);
	if (max_id == 0)
		fail("the database holds no messages");
	sqlite3_prepare_v2(db, "SELECT m.message_id, m.sender, t.number FROM messages m"
			   " JOIN tickets t ON t.id = m.ticket_id WHERE m.id >= ?1 AND m.direction = 'in'"
			   " ORDER BY m.id LIMIT 1",
			   -1, &pick, NULL);
	for (int i = 0; i < n; i++) {
		sqlite3_bind_int64(pick, 1, 1 + (sqlite3_int64)(g_random_double() * (double)max_id));
		if (sqlite3_step(pick) != SQLITE_ROW)
			fail("sampling");
		out[i].message_id = g_strdup((const char *)sqlite3_column_text(pick, 0));
		out[i].sender = g_strdup((const char *)sqlite3_column_text(pick, 1));
		out[i].number = (long)sqlite3_column_int64(pick, 2);
		sqlite3_reset(pick);
	}
	sqlite3_finalize(pick);
	sqlite3_close(db);
	return out;
}

static struct message *parse(const char *text)
{
	return message_parse(text, strlen(text), settings->excerpt_bytes);
}

static struct ticket_ref ref_of(long number)
{
	struct ticket_ref ref = { .number = number };

	g_strlcpy(ref.tag, queue->tag, sizeof ref.tag);
	return ref;
}

/* ---- the operations ------------------------------------------------------ */

static void bench_lookups(struct sample *s, int n)
{
	long long *ns = calloc((size_t)n, sizeof *ns);
	char **tokens = calloc((size_t)n, sizeof *tokens);
	int64_t id;
	struct store_ticket t;
	int i;

	for (i = 0; i < n; i++) {
		long long t0 = now_ns();
		if (store_ticket_by_message_id(store, s[i].message_id, &id) != 1)
			fail("by-message-id found nothing");
		ns[i] = now_ns() - t0;
	}
	report("by-message-id", ns, n);

	for (i = 0; i < n; i++) {
		char *unknown = g_strdup_printf("%08x.%d@mail.unknown.example", g_random_int(), i);
		long long t0 = now_ns();
		if (store_ticket_by_message_id(store, unknown, &id) != 0)
			fail("by-message-id-miss found something");
		ns[i] = now_ns() - t0;
		g_free(unknown);
	}
	report("by-message-id-miss", ns, n);

	for (i = 0; i < n; i++) {
		long long t0 = now_ns();
		if (store_find_duplicate(store, s[i].message_id, s[i].sender, &id) != 1)
			fail("duplicate-check found nothing");
		ns[i] = now_ns() - t0;
	}
	report("duplicate-check", ns, n);

	for (i = 0; i < n; i++) {
		long long t0 = now_ns();
		memset(&t, 0, sizeof t);
		if (store_ticket_by_number(store, queue->tag, s[i].number, &t) != 1)
			fail("by-number found nothing");
		ns[i] = now_ns() - t0;
		store_ticket_clear(&t);
	}
	report("by-number", ns, n);

	for (i = 0; i < n; i++) {
		struct ticket_ref ref = ref_of(s[i].number);
		tokens[i] = token_for_ticket(&key, &ref);
	}
	for (i = 0; i < n; i++) {
		struct ticket_ref ref;
		long long t0 = now_ns();
		memset(&t, 0, sizeof t);
		if (!token_verify(&key, tokens[i], &ref, NULL) ||
		    store_ticket_by_number(store, ref.tag, ref.number, &t) != 1)
			fail("token found nothing");
		ns[i] = now_ns() - t0;
		store_ticket_clear(&t);
	}
	report("token", ns, n);
	for (i = 0; i < n; i++)
		g_free(tokens[i]);
	free(tokens);
	free(ns);
}

enum thread_case { CASE_KNOWN_ID, CASE_TOKEN, CASE_TAG, CASE_NEW };

static char *thread_message(enum thread_case c, const struct sample *s, int i)
{
	const char *body = "Hello,\n\nthe printer on the second floor still does not print. "
			   "We restarted it twice.\n\nBest regards,\nEmily\n";

	switch (c) {
	case CASE_KNOWN_ID:
		return g_strdup_printf("From: <%s>\nTo: support@example.com\nSubject: Re: printer\n"
				       "Message-ID: <f%d.%08x@client.example>\nIn-Reply-To: <%s>\nReferences: <%s>\n\n%s",
				       s->sender, i, g_random_int(), s->message_id, s->message_id, body);
	case CASE_TOKEN:
		return g_strdup_printf("From: Anna <anna.berg@example.com>\nTo: <%s>\nSubject: Re: printer\n"
				       "Message-ID: <a%d.%08x@example.com>\n\n%s", s->sender, i, g_random_int(), body);
	case CASE_TAG:
		return g_strdup_printf("From: <%s>\nTo: support@example.com\nSubject: Re: [%s-%ld] printer\n"
				       "Message-ID: <g%d.%08x@client.example>\n\n%s",
				       s->sender, queue->tag, s->number, i, g_random_int(), body);
	default:
		return g_strdup_printf("From: <n%d.%08x@new.example>\nTo: support@example.com\nSubject: Printer broken\n"
				       "Message-ID: <n%d.%08x@new.example>\n\n%s", i, g_random_int(), i, g_random_int(), body);
	}
}

static void bench_thread(struct sample *s, int n)
{
	static const struct { enum thread_case c; const char *name; enum thread_rule want; } cases[] = {
		{ CASE_KNOWN_ID, "thread-known-id", THREAD_KNOWN_ID },
		{ CASE_TOKEN, "thread-token", THREAD_TOKEN },
		{ CASE_TAG, "thread-tag", THREAD_TAG },
		{ CASE_NEW, "thread-new", THREAD_NEW },
	};
	long long *ns = calloc((size_t)n, sizeof *ns);

	for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
		for (int i = 0; i < n; i++) {
			char *text = thread_message(cases[k].c, &s[i], i);
			struct message *msg = parse(text);
			struct ticket_ref ref = ref_of(s[i].number);
			char *token = cases[k].c == CASE_TOKEN ? token_for_ticket(&key, &ref) : NULL;
			const char *sender = msg->from ? msg->from->address : "";
			struct thread_match m;
			long long t0 = now_ns();
			if (thread_find(store, queue, &key, msg, sender, token, &m) != 0)
				fail("thread_find");
			ns[i] = now_ns() - t0;
			if (m.rule != cases[k].want) {
				fprintf(stderr, "store_bench: %s: rule %s, expected %s (message %s)\n", cases[k].name,
					thread_rule_name(m.rule), thread_rule_name(cases[k].want), s[i].message_id);
				exit(1);
			}
			g_free(token);
			message_free(msg);
			g_free(text);
		}
		report(cases[k].name, ns, n);
	}
	free(ns);
}

static void bench_open(struct sample *s, int n)
{
	long long *ns = calloc((size_t)n, sizeof *ns);
	int64_t id;

	for (int i = 0; i < n; i++) {
		char *error = NULL;
		long long t0 = now_ns();
		struct store *st = store_open(settings->database, settings->busy_timeout_ms, &error);
		if (st == NULL || store_ticket_by_message_id(st, s[i].message_id, &id) != 1)
			fail("open-store");
		ns[i] = now_ns() - t0;
		store_close(st);
	}
	report("open-store", ns, n);
	free(ns);
}

static void bench_engine(int n)
{
	long long *ns = calloc((size_t)n, sizeof *ns);
	char *rcpts[] = { "support@example.com", NULL };
	unsigned salt = g_random_int();

	for (int i = 0; i < n; i++) {
		char *text = g_strdup_printf(
			"From: Emily Clarke <bench%u.%d@example.co.uk>\nTo: support@example.com\n"
			"Subject: Printer on the 2nd floor is not working\nMessage-ID: <bench.%u.%d@example.co.uk>\n"
			"Date: Tue, 10 Mar 2026 09:00:00 +0000\nMIME-Version: 1.0\n"
			"Content-Type: text/plain; charset=utf-8\n\nHello,\n\nSince this morning the printer "
			"shows a paper jam error although there is no paper stuck. We have restarted it twice "
			"and removed the toner cartridge, but nothing changed. Could you please check?\n\n"
			"Best regards,\nEmily Clarke\n", salt, i, salt, i);
		struct message *msg = parse(text);
		char *sender = g_strdup_printf("bench%u.%d@example.co.uk", salt, i);
		struct envelope env = { .sender = sender, .recipients = rcpts, .queue_id = "BENCH",
					.now = g_get_real_time() / G_USEC_PER_SEC };
		struct engine_result result;
		char *error = NULL;
		long long t0 = now_ns();
		if (engine_process(settings, assets, store, queue, NULL, msg, &env, &result, &error) != 0) {
			fprintf(stderr, "store_bench: engine_process: %s\n", error);
			exit(1);
		}
		ns[i] = now_ns() - t0;
		if (!result.new_ticket)
			fail("engine-new-ticket did not open a ticket");
		engine_result_clear(&result);
		message_free(msg);
		g_free(sender);
		g_free(text);
	}
	report("engine-new-ticket", ns, n);
	free(ns);
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	int lookups = 10000, writes = 300, opens = 300, opt;
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *error = NULL;
	struct sample *samples;

	while ((opt = getopt(argc, argv, "c:n:w:o:")) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'n': lookups = atoi(optarg); break;
		case 'w': writes = atoi(optarg); break;
		case 'o': opens = atoi(optarg); break;
		default: return 2;
		}
	}
	if (config == NULL) {
		fprintf(stderr, "usage: store_bench -c CONFIG [-n LOOKUPS] [-w WRITES] [-o OPENS]\n");
		return 2;
	}
	g_mime_init();
	lang_init();
	log_open("store_bench", false, false);
	settings = settings_load(config, SETTINGS_LOAD_SECRET, errors);
	if (settings == NULL) {
		for (guint i = 0; i < errors->len; i++)
			fprintf(stderr, "%s\n", (char *)g_ptr_array_index(errors, i));
		return 1;
	}
	/* As the daemon does when it installs a configuration. */
	assets = assets_prepare(settings);
	queue = &settings->queues[0];
	key.secret = settings->secret;
	key.secret_len = settings->secret_len;
	store = store_open(settings->database, settings->busy_timeout_ms, &error);
	if (store == NULL) {
		fprintf(stderr, "store_bench: %s\n", error);
		return 1;
	}
	samples = draw_samples(settings->database, lookups);
	printf("%-20s %7s %10s %10s %10s\n", "operation", "count", "p50 us", "p99 us", "max us");
	bench_lookups(samples, lookups);
	bench_thread(samples, lookups / 10 > 0 ? lookups / 10 : 1);
	bench_open(samples, opens < lookups ? opens : lookups);
	bench_engine(writes);
	store_close(store);
	assets_free(assets);
	settings_unref(settings);
	g_ptr_array_free(errors, TRUE);
	return 0;
}
