/* test_sender.c - the outbox sender thread when the store fails under it:
 * a delivery whose outcome the store cannot take (its lock held by
 * another writer longer than busy-timeout) is recorded once the store is
 * back, and not delivered a second time; what the store says about
 * SQLite's failures names the cause and the remedy. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "sender/sender.h"
#include "store/pool.h"

#include <glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct settings *current;

static struct settings *acquire(void)
{
	return settings_ref(current);
}

/* Polls cond for up to 10 s; true when it held. */
static bool eventually(bool (*cond)(const char *), const char *arg)
{
	for (int i = 0; i < 200; i++) {
		if (cond(arg))
			return true;
		g_usleep(50000);
	}
	return false;
}

static bool exists(const char *path)
{
	return g_file_test(path, G_FILE_TEST_EXISTS);
}

static bool gone(const char *path)
{
	return !exists(path);
}

static const char *db_path;

static bool entry_sent(const char *id)
{
	char *error = NULL;
	struct store *st = store_open(db_path, 5000, &error);
	GPtrArray *list;
	bool sent = false;

	g_free(error);
	if (st == NULL)
		return false;
	list = store_outbox_list(st, false, 10);
	for (guint i = 0; list && i < list->len; i++) {
		struct outbox_entry *e = g_ptr_array_index(list, i);
		if (strcmp(e->message_id, id) == 0)
			sent = strcmp(e->state, "sent") == 0 && e->attempts == 1;
	}
	if (list)
		g_ptr_array_free(list, TRUE);
	store_close(st);
	return sent;
}

static int count_files(const char *dir, const char *prefix)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	int n = 0;

	while (d && (name = g_dir_read_name(d)))
		n += g_str_has_prefix(name, prefix);
	if (d)
		g_dir_close(d);
	return n;
}

int main(void)
{
	struct fixture f;
	GBytes *msg = g_bytes_new_static("Subject: hi\n\nhello\n", 19);
	char *script, *waiting, *go, *error = NULL;
	struct store *holder;
	struct sender *sd;
	struct store_pool *pool;

	fixture_setup(&f, "busy-timeout = 100");
	db_path = g_build_filename(f.dir, "tickets.db", NULL);
	waiting = g_build_filename(f.dir, "waiting", NULL);
	go = g_build_filename(f.dir, "go", NULL);
	/* Delivers (keeps the message), then waits for the test to take the
	 * store's lock before it reports success. */
	script = fixture_write(&f, "slow-sendmail",
		"#!/bin/sh\n"
		"d=$(dirname \"$0\")\n"
		"cat >\"$d/delivered.$$\"\n"
		": >\"$d/waiting\"\n"
		"i=0\n"
		"while [ ! -e \"$d/go\" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done\n"
		"rm -f \"$d/waiting\"\n");
	chmod(script, 0755);
	g_free(f.settings->outbox_command);
	f.settings->outbox_command = g_strdup_printf("%s -f %%s -- %%r", script);
	current = f.settings;

	{
		struct outbox_entry e = { .kind = "ack", .envelope_from = "", .recipient = "anna@example.org",
					  .message = msg, .created = g_get_real_time() / G_USEC_PER_SEC,
					  .message_id = "held@support.example.com" };
		ok(store_outbox_add(f.store, &e) == 0, "an acknowledgement is queued");
	}
	pool = store_pool_new(1);
	sd = sender_start(acquire, pool, NULL);
	ok(eventually(exists, waiting), "the sender delivers it");
	holder = store_open(db_path, 5000, &error);
	ok(holder && store_begin(holder) == 0, "another writer takes the store's lock");
	g_file_set_contents(go, "", 0, NULL);
	ok(eventually(gone, waiting), "the delivery reports success while the lock is held");
	/* The sender now fails to record 'sent' (busy-timeout 100 ms) and
	 * keeps trying; hold the lock through a few of its tries. */
	g_usleep(1500000);
	ok(!entry_sent("held@support.example.com"), "meanwhile the entry is not marked sent");
	store_rollback(holder);
	store_close(holder);
	ok(eventually(entry_sent, "held@support.example.com"),
	   "once the lock is released, the outcome is recorded: sent, at the first attempt");
	sender_stop(sd);
	store_pool_free(pool);
	is_int(count_files(f.dir, "delivered."), 1, "delivered exactly once");

	/* What an operator reads when SQLite fails: the cause and the remedy. */
	{
		struct store *st = store_open(db_path, 100, &error);
		char *garbage = fixture_write(&f, "garbage.db", "this is not a database, not even close to one.....");
		holder = store_open(db_path, 5000, &error);
		bool refused = st && holder && store_begin(holder) == 0 && store_begin(st) != 0;
		ok(refused && strstr(store_error(st), "database is locked (") && strstr(store_error(st), "busy-timeout"),
		   "locked: %s", st ? store_error(st) : error);
		store_rollback(holder);
		store_close(holder);
		store_close(st);
		g_clear_pointer(&error, g_free);
		st = store_open(garbage, 100, &error);
		ok(st == NULL && error && strstr(error, "garbage.db: open: file is not a database (") &&
		   strstr(error, "restore it from a backup"), "damaged: %s", error ? error : "(opened)");
		store_close(st);
		g_free(garbage);
	}

	g_free((char *)db_path);
	g_free(script);
	g_free(waiting);
	g_free(go);
	g_free(error);
	g_bytes_unref(msg);
	fixture_teardown(&f);
	return tap_done();
}
