/* test_settings.c - the configuration contract and its error messages. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"

#include <glib.h>
#include <sys/stat.h>

static GPtrArray *load_errors(struct fixture *f, const char *name, const char *text, int flags)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *path = fixture_write(f, name, text);
	struct settings *s = settings_load(path, flags, errors);

	settings_unref(s);
	g_free(path);
	return errors;
}

static bool has_error(GPtrArray *errors, const char *needle)
{
	for (guint i = 0; i < errors->len; i++)
		if (strstr(g_ptr_array_index(errors, i), needle))
			return true;
	for (guint i = 0; i < errors->len; i++)
		tap_diag("error: %s", (char *)g_ptr_array_index(errors, i));
	return false;
}

int main(void)
{
	struct fixture f;
	const struct settings *s;
	const struct queue *q;
	char *detail = NULL;
	GPtrArray *errors;

	fixture_setup(&f, "# a comment on its own line\non-error = accept\nuser = nobody");
	s = f.settings;
	is_str(s->hostname, "support.example.com", "hostname");
	ok(s->on_error == ON_ERROR_ACCEPT, "on-error = accept");
	is_str(s->user, "nobody", "user");
	is_int(s->n_queues, 1, "one queue");
	is_str(s->queues[0].name, "Example Support", "queue name");
	is_str(s->queues[0].tag, "SUP", "queue tag");
	is_str(s->queues[0].addresses[1], "help@example.com", "second address, trimmed");
	is_int(s->secret_len, 32, "secret loaded");
	is_int(s->excerpt_bytes, 4096, "default excerpt bound");

	q = settings_queue_for(s, "support+sup-1-abc@example.com", &detail);
	ok(q && strcmp(q->id, "support") == 0 && g_strcmp0(detail, "sup-1-abc") == 0, "plus address maps to queue");
	g_free(detail);
	ok(settings_queue_for(s, "help@example.com", NULL) != NULL, "second address maps");
	ok(settings_queue_for(s, "sales@example.com", NULL) == NULL, "other address is no queue");

	errors = load_errors(&f, "bad1.conf",
		"[milter]\nsocket = tcp:99\ndatabase = relative.db\nsecret-file = /x\nhostname = bad host\n"
		"on-error = maybe\nfrobnicate = 1\n[queue a]\nname = A\naddresses = not-an-address\ntag = bad-tag\n", 0);
	ok(has_error(errors, "bad1.conf:2: socket \"tcp:99\""), "bad socket with its line");
	ok(has_error(errors, "bad1.conf:3: database must be an absolute path"), "relative path with its line");
	ok(has_error(errors, "bad1.conf:5: hostname \"bad host\""), "bad hostname with its line");
	ok(has_error(errors, "bad1.conf:6: on-error must be tempfail or accept"), "bad on-error with its line");
	ok(has_error(errors, "bad1.conf:7: unknown key \"frobnicate\""), "unknown key with its line");
	ok(has_error(errors, "bad1.conf:10: not a plain mailbox address: not-an-address"), "bad address with its line");
	ok(has_error(errors, "bad1.conf:11: tag \"bad-tag\""), "bad tag with its line");
	g_ptr_array_free(errors, TRUE);

	errors = load_errors(&f, "bad2.conf", "[milter]\nsocket = inet:8899@127.0.0.1\nthis is not ini\n", 0);
	ok(has_error(errors, "bad2.conf:3: expected \"key = value\""), "syntax error with its line");
	g_ptr_array_free(errors, TRUE);

	errors = load_errors(&f, "bad3.conf", "[milter]\nsocket = inet:8899@127.0.0.1\n", 0);
	ok(has_error(errors, "[milter] needs database"), "missing required key");
	ok(has_error(errors, "no [queue NAME] section"), "missing queue");
	g_ptr_array_free(errors, TRUE);

	errors = load_errors(&f, "bad4.conf",
		"[milter]\nsocket = inet:8899@127.0.0.1\ndatabase = /d\nsecret-file = /s\nhostname = h\n"
		"[queue a]\nname = A\naddresses = a@x.org\ntag = A\n[queue b]\nname = B\naddresses = A@x.org\ntag = A\n"
		"[mystery]\nk = v\n", 0);
	ok(has_error(errors, "bad4.conf:12: a@x.org is already an address of [queue a]"), "duplicate address");
	ok(has_error(errors, "bad4.conf:13: tag A is already used"), "duplicate tag");
	ok(has_error(errors, "bad4.conf:14: unknown section [mystery]"), "unknown section");
	g_ptr_array_free(errors, TRUE);

	{
		char *secret = fixture_write(&f, "open-secret", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
		char *conf = g_strdup_printf("[milter]\nsocket = unix:/tmp/x.sock\ndatabase = /tmp/x.db\nsecret-file = %s\n"
					     "hostname = h\n[queue a]\nname = A\naddresses = a@x.org\ntag = A\n", secret);
		chmod(secret, 0644);
		errors = load_errors(&f, "bad5.conf", conf, SETTINGS_LOAD_SECRET);
		ok(has_error(errors, "bad5.conf:4: secret-file") && has_error(errors, "readable by others"),
		   "world-readable secret refused");
		g_ptr_array_free(errors, TRUE);
		g_free(conf);
		g_free(secret);
	}
	{
		GPtrArray *errs = g_ptr_array_new_with_free_func(g_free);
		ok(settings_load("/nonexistent/ticket-milter.conf", 0, errs) == NULL &&
		   has_error(errs, "/nonexistent/ticket-milter.conf:0:"), "missing file reported");
		g_ptr_array_free(errs, TRUE);
	}
	fixture_teardown(&f);
	return tap_done();
}
