/* test_settings.c - the configuration contract and its error messages. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"

#include <glib.h>
#include <sys/stat.h>
#include <syslog.h>

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

/* How many problems stand at "NAME:LINE: ". */
static int errors_at(GPtrArray *errors, const char *name, int line)
{
	char *where = g_strdup_printf("/%s:%d: ", name, line);
	int n = 0;

	for (guint i = 0; i < errors->len; i++)
		n += strstr(g_ptr_array_index(errors, i), where) != NULL;
	g_free(where);
	return n;
}

#define MILTER_NEEDS "[milter]\nsocket = unix:/tmp/x.sock\ndatabase = /d\nsecret-file = /s\nhostname = h\n"
#define QUEUE_NEEDS "[queue a]\nname = A\naddresses = a@x.org\ntag = A\n"

/* Each type of key (settings_keys.c) as the one setter for its type
 * converts it: what it accepts, and the words of its refusal. */
static void test_key_types(struct fixture *f)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *path = fixture_write(f, "types.conf",
		MILTER_NEEDS "log-level = debug\nauth-login = address\nclosed-reply = reopen\nsyslog = FALSE\n"
		"busy-timeout = 250\ntrusted-networks = 10.0.0.0/8, ::1\nmax-headers = 1\nclose-after = 90\n"
		"[outbox]\nbounce-address = Bounces@X.org\n"
		QUEUE_NEEDS "escalation-notice = no\nagents = Ann@X.org, @Example.ORG\nlocale-fallback = sv:en, nb:en\n"
		"locales = en, sv, nb\n");
	struct settings *s = settings_load(path, 0, errors);

	for (guint i = 0; i < errors->len; i++)
		tap_diag("%s", (char *)g_ptr_array_index(errors, i));
	ok(s != NULL, "a value of every type loads");
	if (s) {
		const struct queue *q = &s->queues[0];
		ok(s->log_level == LOG_DEBUG && s->auth_login == AUTH_LOGIN_ADDRESS &&
		   s->closed_reply == CLOSED_REPLY_REOPEN && q->escalation_notice == ESCALATION_NOTICE_NO,
		   "choices: log-level, auth-login, closed-reply, escalation-notice");
		ok(!s->syslog && s->busy_timeout_ms == 250 && s->max_headers == 1 && s->close_after_seconds == 90,
		   "yes/no, a whole number, its least value, a bare number of seconds");
		is_int(s->trusted_networks->len, 2, "trusted-networks: two networks");
		is_str(s->bounce_address, "bounces@x.org", "bounce-address normalized");
		ok(g_strv_length(q->agents) == 2 && strcmp(q->agents[1], "@example.org") == 0, "agents in lower case");
		ok(g_strv_length(q->locale_fallback) == 4 && strcmp(q->locale_fallback[2], "nb") == 0 &&
		   strcmp(q->locale_fallback[3], "en") == 0, "locale-fallback in pairs");
		ok(s->on_error == ON_ERROR_TEMPFAIL && s->on_limit == ON_LIMIT_RECORD, "choices left out: their defaults");
	}
	settings_unref(s);
	g_free(path);
	g_ptr_array_free(errors, TRUE);

	errors = load_errors(f, "types-bad.conf",
		MILTER_NEEDS "log-level = loud\nauth-login = someone\nclosed-reply = ignore\nsyslog = maybe\n"
		"busy-timeout = 5s\nmax-mime-depth = 0\nmax-headers = many\npid-file = run/x.pid\n"
		"trusted-networks = 10.0.0.0/8, lan\nspool-memory = 0\n"
		QUEUE_NEEDS "agents = ann\nlocale-fallback = sv:sv\nlocales = en, sv\n", 0);
	ok(has_error(errors, "types-bad.conf:6: log-level must be error, warning, info or debug, not \"loud\""),
	   "a bad choice lists the names: log-level");
	ok(has_error(errors, "types-bad.conf:7: auth-login must be auto, address or any, not \"someone\""),
	   "... auth-login");
	ok(has_error(errors, "types-bad.conf:8: closed-reply must be new-ticket or reopen, not \"ignore\""),
	   "... closed-reply");
	ok(has_error(errors, "types-bad.conf:9: syslog must be yes or no, not \"maybe\""), "bad yes/no");
	ok(has_error(errors, "types-bad.conf:10: busy-timeout must be a whole number, not \"5s\""), "bad whole number");
	ok(has_error(errors, "types-bad.conf:11: max-mime-depth must be at least 1"), "below the least value");
	ok(has_error(errors, "types-bad.conf:12: max-headers must be a whole number") &&
	   errors_at(errors, "types-bad.conf", 12) == 1, "a malformed limit: one complaint, not also \"at least 1\"");
	ok(has_error(errors, "types-bad.conf:13: pid-file must be an absolute path, not \"run/x.pid\""), "relative path");
	ok(has_error(errors, "types-bad.conf:14: trusted-networks: \"lan\" is not an address or network"), "bad network");
	is_int(errors_at(errors, "types-bad.conf", 15), 0, "spool-memory 0 is allowed (everything to a file)");
	ok(has_error(errors, "types-bad.conf:20: agents: \"ann\" is neither an address nor @domain"), "bad match list");
	ok(has_error(errors, "types-bad.conf:21: locale-fallback: \"sv:sv\": expected LOCALE:LOCALE"), "bad locale map");
	is_int(errors->len, 11, "nothing else");
	g_ptr_array_free(errors, TRUE);

	errors = load_errors(f, "nomilter.conf", QUEUE_NEEDS "addresses = ,\n", 0);
	ok(has_error(errors, "nomilter.conf:0: missing [milter] section"), "missing [milter]");
	ok(has_error(errors, "addresses lists no address"), "an empty address list");
	is_int(errors->len, 2, "and no complaint about the limits it did not set");
	g_ptr_array_free(errors, TRUE);
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
	{
		/* The limits' defaults are message.c's too: one contract. */
		struct message_limits lim;
		char *dbdir = g_path_get_dirname(s->database);
		message_limits_default(&lim, s->excerpt_bytes);
		ok(s->max_header_bytes == lim.max_header_bytes && (unsigned)s->max_headers == lim.max_headers &&
		   s->max_header_line == lim.max_header_line && (unsigned)s->max_mime_parts == lim.max_parts &&
		   (unsigned)s->max_mime_depth == lim.max_depth, "[milter] max-* defaults are message_limits_default's");
		is_int(s->max_header_line, 64 * 1024, "max-header-line 64k");
		is_int(s->max_message_size, 64 * 1024 * 1024, "max-message-size 64M");
		is_int(s->spool_memory, 1024 * 1024, "spool-memory 1M");
		ok(s->on_limit == ON_LIMIT_RECORD, "on-limit = record by default");
		is_str(s->spool_directory, dbdir, "spool-directory defaults to the database's directory");
		g_free(dbdir);
	}

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

	{
		char *conf = g_strdup_printf("[milter]\nsocket = unix:/tmp/x.sock\ndatabase = /tmp/x.db\nsecret-file = /tmp/s\n"
					     "hostname = h\nspool-directory = /var/spool/tm\nspool-memory = 256k\n"
					     "max-message-size = 2G\nmax-header-bytes = 1M\nmax-headers = 300\nmax-header-line = 8K\n"
					     "max-mime-parts = 10\nmax-mime-depth = 3\non-limit = reject\n"
					     "[queue a]\nname = A\naddresses = a@x.org\ntag = A\n");
		char *path = fixture_write(&f, "limits.conf", conf);
		GPtrArray *errs = g_ptr_array_new_with_free_func(g_free);
		struct settings *l = settings_load(path, 0, errs);
		ok(l && strcmp(l->spool_directory, "/var/spool/tm") == 0 && l->spool_memory == 256 * 1024 &&
		   l->max_message_size == (size_t)2 << 30 && l->max_header_bytes == 1 << 20 && l->max_headers == 300 &&
		   l->max_header_line == 8192 && l->max_mime_parts == 10 && l->max_mime_depth == 3 &&
		   l->on_limit == ON_LIMIT_REJECT, "limits: sizes with k, M and G, counts, on-limit");
		settings_unref(l);
		g_ptr_array_free(errs, TRUE);
		g_free(path);
		g_free(conf);
	}
	errors = load_errors(&f, "bad6.conf",
		"[milter]\nsocket = inet:8899@127.0.0.1\ndatabase = /d\nsecret-file = /s\nhostname = h\n"
		"max-message-size = 10X\nmax-header-bytes = 0\non-limit = drop\nmax-header-line = 2G\n"
		"[queue a]\nname = A\naddresses = a@x.org\ntag = A\n", 0);
	ok(has_error(errors, "bad6.conf:6: max-message-size \"10X\": expected a number of bytes"), "bad size with its line");
	ok(has_error(errors, "bad6.conf:7: max-header-bytes must be at least 1"), "zero limit refused");
	ok(has_error(errors, "bad6.conf:8: on-limit must be record, accept, reject or tempfail"), "bad on-limit");
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
		/* Owner only: any group or other bit refuses the secret, with the mode. */
		static const struct { mode_t mode; const char *want; } modes[] = {
			{ 0600, NULL }, { 0400, NULL }, { 0640, "(mode 0640) is readable by others than its owner" },
			{ 0620, "(mode 0620) is writable by others than its owner" }, { 0604, "readable" },
			{ 0602, "writable" }, { 0610, "writable" }, { 0666, "readable" },
		};
		char *secret = fixture_write(&f, "mode-secret", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
		for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
			char *error = NULL;
			size_t len = 0;
			unsigned char *key;
			chmod(secret, modes[i].mode);
			key = settings_read_secret(secret, &len, &error);
			if (modes[i].want == NULL)
				ok(key != NULL && len == 32 && error == NULL, "secret with mode %04o accepted", (unsigned)modes[i].mode);
			else
				ok(key == NULL && error && strstr(error, modes[i].want) && strstr(error, "chmod 0600"),
				   "secret with mode %04o refused: %s", (unsigned)modes[i].mode, error ? error : "(accepted)");
			g_free(key);
			g_free(error);
		}
		g_free(secret);
	}
	{
		/* The acknowledgement contract: outbox, autoreply, SLA, calendars. */
		char *conf = g_strdup_printf(
			"[milter]\nsocket = unix:/tmp/x.sock\ndatabase = /tmp/x.db\nsecret-file = /tmp/s\nhostname = h\n"
			"[outbox]\nsmtp = 127.0.0.1:25\ncommand = /usr/sbin/sendmail -i -f %%s -- %%r\nbounce-address =\n"
			"[autoreply]\nrate = 2/5m, 20/1d\nper-ticket = 30m\n"
			"[queue support]\nname = S\naddresses = support@example.com\ntag = SUP\n"
			"locales = en, tr, de, pt-BR\ndefault-locale = en\nsla = standard\ncalendars = istanbul, new-york\n"
			"vip = ceo@bigcorp.example, @vip.example\nvip-sla = premium\nescalation-notice = yes\n"
			"urgent-keywords = ASAP, Sofort, СРОЧНО\n"
			"[sla standard]\nfirst-response = 8h\nresolution = 5d\nurgent.first-response = 1h\n"
			"[sla premium]\nfirst-response = 2h calendar\n"
			"[calendar istanbul]\ntimezone = Europe/Istanbul\nhours = mon-fri 09:00-18:00, sat 10:00-14:00\n"
			"holidays = 2026-01-01, 2026-04-23, */05-01\n"
			"[calendar new-york]\ntimezone = America/New_York\nhours = mon-fri 09:00-17:00\n");
		char *path = fixture_write(&f, "ack.conf", conf);
		GPtrArray *errs = g_ptr_array_new_with_free_func(g_free);
		struct settings *a = settings_load(path, 0, errs);
		const struct queue *aq = a ? &a->queues[0] : NULL;
		for (guint i = 0; i < errs->len; i++)
			tap_diag("%s", (char *)g_ptr_array_index(errs, i));
		ok(a != NULL, "the acknowledgement configuration contract loads");
		if (a) {
			is_str(a->outbox_smtp, "127.0.0.1:25", "[outbox] smtp");
			ok(a->bounce_address == NULL, "empty bounce-address means the null sender");
			ok(a->ack_rates.n == 2 && a->ack_rates.limits[0].count == 2 && a->ack_rates.limits[0].seconds == 300 &&
			   a->ack_rates.limits[1].seconds == 86400, "[autoreply] rate windows");
			is_int(a->ack_per_ticket_seconds, 1800, "[autoreply] per-ticket");
			ok(g_strv_length(aq->locales) == 4 && strcmp(aq->locales[3], "pt-BR") == 0, "locales");
			ok(aq->escalation_notice == ESCALATION_NOTICE_YES, "escalation-notice = yes");
			ok(g_strv_length(aq->urgent_keywords) == 3 && strcmp(aq->urgent_keywords[0], "asap") == 0 &&
			   strcmp(aq->urgent_keywords[1], "sofort") == 0 && strcmp(aq->urgent_keywords[2], "срочно") == 0,
			   "urgent-keywords kept casefolded (they meet a casefolded subject)");
			ok(aq->sla && strcmp(aq->sla->id, "standard") == 0 && aq->vip_sla &&
			   strcmp(aq->vip_sla->id, "premium") == 0, "sla and vip-sla resolved");
			is_int(aq->sla->first_response[PRIORITY_NORMAL].minutes, 8 * 60, "normal first response 8h");
			is_int(aq->sla->first_response[PRIORITY_URGENT].minutes, 60, "urgent.first-response 1h");
			is_int(aq->sla->first_response[PRIORITY_LOW].minutes, 8 * 60, "unprefixed key covers the other priorities");
			ok(aq->vip_sla->first_response[PRIORITY_NORMAL].calendar_time, "\"2h calendar\" is wall-clock time");
			ok(aq->n_calendars == 2 && aq->calendars[0] && aq->calendars[1], "two calendars resolved");
			is_str(aq->calendar_zone, "Europe/Istanbul", "the first calendar's zone");
			is_int(a->notes->len, 0, "no note when the queue names an sla");
		}
		settings_unref(a);
		g_ptr_array_free(errs, TRUE);
		g_free(path);
		g_free(conf);
		ok(f.settings->notes->len == 1 && strstr(g_ptr_array_index(f.settings->notes, 0), "built-in default"),
		   "a queue without sla: the built-in default, and -n says so");
		is_int(f.settings->queues[0].sla->first_response[PRIORITY_NORMAL].minutes, 24 * 60,
		       "built-in default: 24h ...");
		ok(f.settings->queues[0].sla->first_response[PRIORITY_NORMAL].calendar_time, "... of calendar time");
	}
	errors = load_errors(&f, "bad6.conf",
		"[milter]\nsocket = unix:/tmp/x.sock\ndatabase = /d\nsecret-file = /s\nhostname = h\n"
		"[outbox]\nsmtp = nohost\ncommand = sendmail\n[autoreply]\nrate = lots\nnever-to = ([\n"
		"[queue a]\nname = A\naddresses = a@x.org\ntag = A\nsla = missing\ncalendars = nowhere\n"
		"locales = en, english\nescalation-notice = maybe\n"
		"[sla s]\nfirst-response = soon\nurgnet.first-response = 1h\n"
		"[calendar c]\ntimezone = Mars/Olympus\nhours = mon-fri 09:00-18:00\n", 0);
	ok(has_error(errors, "bad6.conf:7: smtp \"nohost\""), "bad smtp host:port");
	ok(has_error(errors, "bad6.conf:8: command must start with an absolute path"), "bad command");
	ok(has_error(errors, "bad6.conf:10: rate \"lots\""), "bad rate");
	ok(has_error(errors, "bad6.conf:11: never-to"), "bad regular expression");
	ok(has_error(errors, "bad6.conf:16: no [sla missing] section"), "unknown sla");
	ok(has_error(errors, "bad6.conf:17: no usable [calendar nowhere]"), "unknown calendar");
	ok(has_error(errors, "bad6.conf:18: locale \"english\""), "bad locale");
	ok(has_error(errors, "bad6.conf:19: escalation-notice must be yes, no or default"), "bad yes/no/default");
	ok(has_error(errors, "bad6.conf:21: first-response"), "bad duration");
	ok(has_error(errors, "bad6.conf:22: unknown priority \"urgnet\""), "misspelt priority");
	ok(has_error(errors, "bad6.conf:24:") && has_error(errors, "Mars/Olympus"), "unknown time zone");
	g_ptr_array_free(errors, TRUE);
	/* Found by tests/fuzz/fuzz_config: a duration beyond a long was
	 * multiplied anyway (undefined behaviour), one beyond an int cut. */
	errors = load_errors(&f, "huge.conf",
		"[milter]\nsocket = unix:/tmp/x.sock\ndatabase = /d\nsecret-file = /s\nhostname = h\n"
		"close-after = 99999999999999999999999d\n[autoreply]\nper-ticket = 2147483648s\n"
		"rate = 99999999999/1h\n[queue a]\nname = A\naddresses = a@x.org\ntag = A\n", 0);
	ok(has_error(errors, "huge.conf:6: close-after"), "a duration beyond a long is an error");
	ok(has_error(errors, "huge.conf:8: per-ticket"), "a duration beyond an int is an error");
	ok(has_error(errors, "huge.conf:9: rate"), "a rate count beyond an int is an error");
	g_ptr_array_free(errors, TRUE);
	/* Found by tests/fuzz/fuzz_config: two keys run together on one line
	 * made an address no envelope could ever match. */
	errors = load_errors(&f, "runon.conf",
		"[milter]\nsocket = unix:/tmp/x.sock\ndatabase = /d\nsecret-file = /s\nhostname = h\n"
		"[outbox]\nbounce-address = bounces@x.org retry-after = 5m\n"
		"[queue a]\nname = A\naddresses = a@x.org, b@x.addresses = c@x.org\ntag = A\n", 0);
	ok(has_error(errors, "runon.conf:7: bounce-address \"bounces@x.org retry-after = 5m\" is not an address"),
	   "a bounce address with spaces is refused");
	ok(has_error(errors, "runon.conf:10: not a plain mailbox address: b@x.addresses = c@x.org"),
	   "a queue address with spaces and two @ is refused");
	g_ptr_array_free(errors, TRUE);
	/* Found by tests/fuzz/fuzz_config: GKeyFile gives no value for one
	 * that is not UTF-8; that must be an error, not the default. */
	errors = load_errors(&f, "latin1.conf",
		"[milter]\nsocket = unix:/tmp/x.sock\ndatabase = /d\nsecret-file = /s\nhostname = h\n"
		"on-error = accept\xe9\n[queue a]\nname = A\naddresses = a@x.org\ntag = A\nsla = s\n"
		"[sla s]\nfirst-response = 8h \xff\n", 0);
	ok(has_error(errors, "latin1.conf:6: on-error: the value is not valid UTF-8"), "a latin-1 value is an error");
	ok(has_error(errors, "latin1.conf:13: first-response: the value is not valid UTF-8"), "... also in [sla]");
	g_ptr_array_free(errors, TRUE);
	{
		GPtrArray *errs = g_ptr_array_new_with_free_func(g_free);
		ok(settings_load("/nonexistent/ticket-milter.conf", 0, errs) == NULL &&
		   has_error(errs, "/nonexistent/ticket-milter.conf:0:"), "missing file reported");
		g_ptr_array_free(errs, TRUE);
	}
	test_key_types(&f);
	fixture_teardown(&f);
	return tap_done();
}
