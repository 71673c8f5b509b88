/*
 * check.c - deep configuration check for -n (see check.h).
 *
 * Looks at what a running daemon will touch: the user, the socket's
 * directory, the spool directory, the database (opened read-only when it exists, so that a
 * check never changes anything) and the secret.  The files in folders the
 * daemon's user can write are looked at without following links, and the
 * database is opened as that user: -n runs as root before every start.
 * Room: daemon.
 */
#include "config.h"
#include "daemon/check.h"
#include "compose/assets.h"
#include "daemon/daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "util/run_as.h"
#include "util/safe_file.h"
#include "compose/locale_conf.h"
#include "store/store.h"
#include "compose/template.h"

static void problem(GPtrArray *errors, const struct settings *s, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Reports at the line of [milter] key. */
static void problem(GPtrArray *errors, const struct settings *s, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(errors, g_strdup_printf("%s:%d: %s", s->path, settings_line(s, "milter", key), msg));
	g_free(msg);
}

static void check_database(const struct settings *s, GPtrArray *errors)
{
	char *dir = g_path_get_dirname(s->database);
	sqlite3 *db = NULL;

	if (access(s->database, F_OK) != 0) {
		/* As the daemon's user (effective ids), not the real root. */
		if (faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) != 0)
			problem(errors, s, "database", "database: directory %s is not writable: %s", dir, strerror(errno));
	} else if (sqlite3_open_v2(s->database, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		problem(errors, s, "database", "database %s: %s", s->database, sqlite3_errmsg(db));
	} else {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW)
			problem(errors, s, "database", "database %s is not a ticket-milter database: %s", s->database,
				sqlite3_errmsg(db));
		else if (sqlite3_column_int(st, 0) > STORE_SCHEMA_VERSION)
			problem(errors, s, "database", "database %s has schema version %d, newer than this program's %d",
				s->database, sqlite3_column_int(st, 0), STORE_SCHEMA_VERSION);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	g_free(dir);
}

static int queue_line(const struct settings *s, const struct queue *q)
{
	char *group = g_strconcat("queue ", q->id, NULL);
	int line = settings_line(s, group, "locales");

	if (line == 0)
		line = settings_line(s, group, NULL);
	g_free(group);
	return line;
}

/* A locale a queue offers needs every template in its own language (or
 * a shorter form of it: pt for pt-BR), or the one the administrator
 * named for it with locale-fallback: falling back to the default locale
 * unasked would answer its customers in a language nobody chose for
 * them. */
static void check_locale_set(const struct settings *s, const struct queue *q, const char *locale,
			     GPtrArray *errors)
{
	const char *fallback = assets_locale_fallback(q, locale);
	GString *missing = g_string_new(NULL);
	char *group = g_strconcat("queue ", q->id, NULL);
	const char *const *names = assets_queue_templates(q);

	for (size_t n = 0; names[n]; n++) {
		struct template *t = assets_template_load(s, q, locale, names[n], false, NULL);
		if (t == NULL)
			g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", names[n]);
		template_free(t);
	}
	if (missing->len && fallback)
		g_ptr_array_add(errors, g_strdup_printf("%s:%d: [queue %s]: locale-fallback %s:%s: neither %s nor %s has "
			"the templates %s (in %s/<locale>/ or %s/queues/%s/<locale>/)", s->path,
			settings_line(s, group, "locale-fallback"), q->id, locale, fallback, locale, fallback,
			missing->str, s->templates, s->templates, q->id));
	else if (missing->len)
		g_ptr_array_add(errors, g_strdup_printf("%s:%d: [queue %s]: locale %s has no templates %s of its own "
			"(in %s/%s/ or %s/queues/%s/%s/): add them, or name the language its customers get instead, "
			"e.g. locale-fallback = %s:%s", s->path, queue_line(s, q), q->id, locale, missing->str,
			s->templates, locale, s->templates, q->id, locale, locale,
			q->default_locale && strcmp(q->default_locale, locale) != 0 ? q->default_locale : "en"));
	g_string_free(missing, TRUE);
	g_free(group);
}

static bool policy_reminds(const struct sla_policy *p)
{
	for (int i = 0; p && i < PRIORITY_COUNT; i++)
		if (p->remind_first_response[i].n || p->remind_resolution[i].n)
			return true;
	return false;
}

/* A queue whose SLA reminds anyone needs the reminder template in the
 * language of each reader: its default locale, and the locale of each
 * [agent] (with the queue's locale-fallback, then its default locale,
 * as the daemon looks). */
static void check_reminder_templates(const struct settings *s, const struct queue *q, GPtrArray *errors)
{
	GPtrArray *locales = g_ptr_array_new();

	if (!policy_reminds(q->sla) && !policy_reminds(q->vip_sla)) {
		g_ptr_array_free(locales, TRUE);
		return;
	}
	g_ptr_array_add(locales, q->default_locale);
	for (size_t i = 0; i < s->n_agents; i++)
		if (s->agents[i].locale)
			g_ptr_array_add(locales, s->agents[i].locale);
	for (guint i = 0; i < locales->len; i++) {
		char *error = NULL;
		struct template *t = assets_template_load(s, q, g_ptr_array_index(locales, i), "reminder", true, &error);
		if (t == NULL)
			g_ptr_array_add(errors, g_strdup_printf("%s:%d: [queue %s]: its sla reminds, but there is no reminder "
				"template for locale %s (%s/LOCALE/reminder.txt): %s", s->path, queue_line(s, q), q->id,
				(char *)g_ptr_array_index(locales, i), s->templates, error ? error : "not found"));
		template_free(t);
		g_free(error);
	}
	g_ptr_array_free(locales, TRUE);
}

/* A queue that sends delay notices (nudges) needs the delay (nudge)
 * template in each language it offers (or its locale-fallback), as the
 * acknowledgement: not English to a customer acknowledged in Japanese. */
static void check_customer_template(const struct settings *s, const struct queue *q, bool on, const char *key,
				    const char *name, GPtrArray *errors)
{
	char *group = g_strconcat("queue ", q->id, NULL);

	for (char **l = q->locales; on && l && *l; l++) {
		char *error = NULL;
		struct template *t = assets_template_load(s, q, *l, name, false, &error);
		if (t == NULL)
			g_ptr_array_add(errors, g_strdup_printf("%s:%d: [queue %s]: %s is on, but there is no "
				"%s template for locale %s (%s/LOCALE/%s.txt): %s", s->path, settings_line(s, group, key),
				q->id, key, name, *l, s->templates, name, error ? error : "not found"));
		template_free(t);
		g_free(error);
	}
	g_free(group);
}

/* Every template and locale.conf parses, and every locale a queue offers
 * has its templates (check_locale_set), a queue that reminds its
 * reminder template, and one that sends delay notices or nudges theirs. */
static void check_templates(const struct settings *s, GPtrArray *errors)
{
	guint before;

	if (!g_file_test(s->templates, G_FILE_TEST_IS_DIR)) {
		problem(errors, s, "templates", "templates: directory %s does not exist", s->templates);
		return;
	}
	before = errors->len;
	template_check_dir(s->templates, errors);
	locale_conf_check_dir(s->templates, errors);
	/* A broken file is reported once, above, not again per locale. */
	for (size_t i = 0; i < s->n_queues && errors->len == before; i++) {
		for (char **l = s->queues[i].locales; l && *l; l++)
			check_locale_set(s, &s->queues[i], *l, errors);
		check_reminder_templates(s, &s->queues[i], errors);
		check_customer_template(s, &s->queues[i], s->queues[i].delay_notice_percent > 0, "delay-notice", "delay",
					errors);
		check_customer_template(s, &s->queues[i], s->queues[i].pending_reminder.minutes > 0, "pending-reminder",
					"nudge", errors);
	}
}

/* One problem: with the FILE:LINE of key for -n, else as it is. */
static void file_problem(GPtrArray *errors, const struct settings *s, bool lines, const char *key, char *msg)
{
	if (lines)
		problem(errors, s, key, "%s: %s", key, msg);
	else
		g_ptr_array_add(errors, g_strdup_printf("%s: %s", key, msg));
	g_free(msg);
}

static void owned_files(const struct settings *s, uid_t owner, GPtrArray *errors, bool lines)
{
	static const char *const beside_database[] = { "", "-wal", "-shm", "-outbox" };
	char *error = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(beside_database); i++) {
		char *path = g_strconcat(s->database, beside_database[i], NULL);
		if (safe_file_check(path, owner, &error) < 0)
			file_problem(errors, s, lines, "database", error);
		g_free(path);
	}
	if (safe_file_check(s->secret_file, owner, &error) < 0)
		file_problem(errors, s, lines, "secret-file", error);
	if (s->spool_directory && g_file_test(s->spool_directory, G_FILE_TEST_EXISTS)) {
		int fd = safe_dir_open(s->spool_directory, owner, &error);
		if (fd < 0)
			file_problem(errors, s, lines, "spool-directory", error);
		else
			close(fd);
	}
}

void check_owned_files(const struct settings *s, uid_t owner, GPtrArray *errors)
{
	owned_files(s, owner, errors, false);
}

/* Whether host (of inet:PORT@HOST) is this host's loopback only. */
static bool loopback_host(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char *h = g_strdup(host);
	bool yes;

	if (h[0] == '[' && h[strlen(h) - 1] == ']') {
		memmove(h, h + 1, strlen(h));
		h[strlen(h) - 1] = '\0';
	}
	if (inet_pton(AF_INET, h, &a4) == 1)
		yes = (ntohl(a4.s_addr) >> 24) == 127;
	else if (inet_pton(AF_INET6, h, &a6) == 1)
		yes = IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	else {
		/* A name: only the loopback's own, never looked up (it may
		 * resolve elsewhere tomorrow). */
		size_t n = strlen(h);
		if (n > 0 && h[n - 1] == '.')
			h[--n] = '\0';
		yes = g_ascii_strcasecmp(h, "localhost") == 0 || g_ascii_strcasecmp(h, "ip6-localhost") == 0 ||
		      g_ascii_strcasecmp(h, "ip6-loopback") == 0 ||
		      (n > 10 && g_ascii_strcasecmp(h + n - 10, ".localhost") == 0);
	}
	g_free(h);
	return yes;
}

char *check_socket_exposure(const char *spec)
{
	const char *at;

	if (!g_str_has_prefix(spec, "inet:") && !g_str_has_prefix(spec, "inet6:"))
		return NULL;
	at = strchr(spec, '@');
	if (at != NULL && at[1] != '\0' && loopback_host(at + 1))
		return NULL;
	return g_strdup_printf("socket %s listens on %s, not only on this host: whoever can connect to it can claim an "
			       "SMTP AUTH login ({auth_authen}) and so act as an agent; use a unix socket only the MTA "
			       "can reach (unix:/run/ticket-milter/milter.sock, see README \"The milter socket\"), or "
			       "a loopback address", spec, at && at[1] ? at + 1 : "every address");
}

void check_settings(const struct settings *s, GPtrArray *errors)
{
	/* No socket: a configuration for ticket-filter alone. */
	const char *path = s->socket ? daemon_socket_path(s->socket) : NULL;
	char *note = s->socket ? check_socket_exposure(s->socket) : NULL;
	struct run_as_saved saved;
	char *error = NULL;
	guint before;
	uid_t owner;
	gid_t group;

	if (note) {
		/* A note, not an error: a firewalled port may be intended. */
		g_ptr_array_add(s->notes, g_strdup_printf("%s:%d: note: %s", s->path, settings_line(s, "milter", "socket"),
							  note));
		g_free(note);
	}
	if (s->user && getpwnam(s->user) == NULL)
		problem(errors, s, "user", "user: %s does not exist", s->user);
	if (path) {
		char *dir = g_path_get_dirname(path);
		if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
			problem(errors, s, "socket", "socket: directory %s does not exist", dir);
		g_free(dir);
	}
	if (s->pid_file) {
		char *dir = g_path_get_dirname(s->pid_file);
		if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
			problem(errors, s, "pid-file", "pid-file: directory %s does not exist", dir);
		g_free(dir);
	}
	if (s->spool_directory && !g_file_test(s->spool_directory, G_FILE_TEST_IS_DIR))
		problem(errors, s, "spool-directory", "spool-directory: %s does not exist (messages over spool-memory "
			"would be tempfailed)", s->spool_directory);
	if (s->user && getpwnam(s->user) == NULL) {
		check_templates(s, errors);
		return;	/* reported above; and the database is not opened as root */
	}
	if (run_as_owner(s->user, &owner, &group, &error) != 0) {
		problem(errors, s, "user", "%s", error);
		g_free(error);
		return;
	}
	before = errors->len;
	owned_files(s, owner, errors, true);
	/* The pid file is written by root, before privileges drop. */
	if (s->pid_file && safe_file_check(s->pid_file, geteuid(), &error) < 0)
		file_problem(errors, s, true, "pid-file", error);
	/* SQLite follows links and creates -wal and -shm: not as root.  The
	 * templates too are read as the daemon will read them. */
	if (run_as_assume(s->user, &saved, &error) != 0) {
		problem(errors, s, "user", "%s", error);
		g_free(error);
		return;
	}
	/* After a planted file, what SQLite would say adds nothing. */
	if (errors->len == before)
		check_database(s, errors);
	check_templates(s, errors);
	run_as_restore(&saved);
}
