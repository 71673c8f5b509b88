/*
 * settings_keys.c - the table of configuration keys (settings_keys.h):
 * the one list of what a configuration file may say, which the loader
 * follows and the tests check against the manual page and the example
 * configuration (settings_key_at(), settings.h).
 * Room: config.
 */
#include "config.h"
#include "config/settings_keys.h"
#include "config/settings.h"

#include <glib.h>
#include <string.h>

#define S(field) offsetof(struct settings, field)
#define Q(field) offsetof(struct queue, field)

static const struct key_spec key_table[] = {
	{ "milter", "socket", KEY_SOCKET, true, NULL, S(socket) },
	{ "milter", "user", KEY_STRING, false, NULL, S(user) },
	{ "milter", "database", KEY_PATH, true, NULL, S(database) },
	{ "milter", "secret-file", KEY_PATH, true, NULL, S(secret_file) },
	{ "milter", "hostname", KEY_HOSTNAME, true, NULL, S(hostname) },
	{ "milter", "pid-file", KEY_PATH, false, NULL, S(pid_file) },
	{ "milter", "on-error", KEY_ON_ERROR, false, "tempfail", S(on_error) },
	{ "milter", "log-level", KEY_LOG_LEVEL, false, "info", S(log_level) },
	{ "milter", "syslog", KEY_BOOL, false, "yes", S(syslog) },
	{ "milter", "busy-timeout", KEY_UINT, false, "5000", S(busy_timeout_ms) },
	{ "milter", "excerpt-bytes", KEY_SIZE, false, "4096", S(excerpt_bytes) },
	{ "milter", "spool-directory", KEY_PATH, false, NULL, S(spool_directory) },
	{ "milter", "spool-memory", KEY_SIZE, false, "1M", S(spool_memory) },
	{ "milter", "max-message-size", KEY_SIZE, false, "64M", S(max_message_size) },
	{ "milter", "max-header-bytes", KEY_SIZE, false, "512k", S(max_header_bytes) },
	{ "milter", "max-headers", KEY_UINT, false, "10000", S(max_headers) },
	{ "milter", "max-header-line", KEY_SIZE, false, "64k", S(max_header_line) },
	{ "milter", "max-mime-parts", KEY_UINT, false, "1000", S(max_mime_parts) },
	{ "milter", "max-mime-depth", KEY_UINT, false, "50", S(max_mime_depth) },
	{ "milter", "on-limit", KEY_ON_LIMIT, false, "record", S(on_limit) },
	{ "milter", "templates", KEY_PATH, false, TEMPLATEDIR, S(templates) },
	{ "milter", "trusted-networks", KEY_NETWORKS, false, NULL, S(trusted_networks) },
	{ "milter", "authserv-id", KEY_WORDS, false, NULL, S(authserv_ids) },
	{ "milter", "auth-login", KEY_AUTH_LOGIN, false, "auto", S(auth_login) },
	{ "milter", "closed-reply", KEY_CLOSED_REPLY, false, "new-ticket", S(closed_reply) },
	{ "milter", "close-after", KEY_SECONDS, false, "7d", S(close_after_seconds) },
	{ "outbox", "smtp", KEY_HOSTPORT, false, NULL, S(outbox_smtp) },
	{ "outbox", "command", KEY_COMMAND, false, "/usr/sbin/sendmail -i -f %s -- %r", S(outbox_command) },
	{ "outbox", "bounce-address", KEY_OPTIONAL_ADDRESS, false, NULL, S(bounce_address) },
	{ "outbox", "attempts", KEY_UINT, false, "10", S(outbox_attempts) },
	{ "outbox", "retry-after", KEY_SECONDS, false, "1m", S(outbox_retry_seconds) },
	{ "outbox", "concurrency", KEY_UINT, false, "4", S(outbox_concurrency) },
	{ "autoreply", "never-to", KEY_REGEX, false,
	  "^(mailer-daemon|postmaster|abuse|no-?reply|do-?not-?reply|root|bounces?|daemon)([+-.].*)?@", S(never_reply) },
	{ "autoreply", "rate", KEY_RATES, false, "3/10m, 10/1d", S(ack_rates) },
	{ "autoreply", "per-ticket", KEY_SECONDS, false, "1h", S(ack_per_ticket_seconds) },
	{ "autoreply", "queue-rate", KEY_RATES, false, "60/1m, 600/1h", S(ack_queue_rates) },
	{ "queue", "name", KEY_STRING, true, NULL, Q(name) },
	{ "queue", "addresses", KEY_ADDRESSES, true, NULL, Q(addresses) },
	{ "queue", "tag", KEY_TAG, true, NULL, Q(tag) },
	{ "queue", "locales", KEY_LOCALES, false, "en", Q(locales) },
	{ "queue", "default-locale", KEY_STRING, false, NULL, Q(default_locale) },
	{ "queue", "escalation-notice", KEY_ESCALATION, false, "default", Q(escalation_notice) },
	{ "queue", "locale-fallback", KEY_LOCALE_MAP, false, NULL, Q(locale_fallback) },
	{ "queue", "max-participants", KEY_UINT, false, "20", Q(max_participants) },
	{ "queue", "max-new-participants", KEY_UINT, false, "10", Q(max_new_participants) },
	{ "queue", "vip", KEY_MATCH_LIST, false, NULL, Q(vip) },
	{ "queue", "agents", KEY_MATCH_LIST, false, NULL, Q(agents) },
	{ "queue", "sla", KEY_STRING, false, NULL, Q(sla_name) },
	{ "queue", "vip-sla", KEY_STRING, false, NULL, Q(vip_sla_name) },
	{ "queue", "calendars", KEY_WORDS, false, NULL, Q(calendar_names) },
	{ "calendar", "timezone", KEY_STRING, true, NULL, offsetof(struct calendar_def, timezone) },
	{ "calendar", "hours", KEY_STRING, true, NULL, 0 /* parsed in load_calendar */ },
	{ "calendar", "holidays", KEY_STRING, false, NULL, 0 },
	/* Listed for settings_key_at(): load_sla() reads them, each also
	 * with a priority prefix ("urgent.first-response"). */
	{ "sla", "first-response", KEY_STRING, true, NULL, 0 },
	{ "sla", "resolution", KEY_STRING, false, NULL, 0 },
	{ "queue", "urgent-keywords", KEY_WORDS, false,
	  "urgent, asap, emergency, dringend, eilt, acil, urgente, urgence, spoed, pilne, срочно, "
	  "至急, 紧急, 緊急, 긴급, عاجل", Q(urgent_keywords) },
};

size_t settings_key_count(void)
{
	return G_N_ELEMENTS(key_table);
}

bool settings_key_at(size_t i, const char **section, const char **name)
{
	if (i >= G_N_ELEMENTS(key_table))
		return false;
	*section = key_table[i].section;
	*name = key_table[i].name;
	return true;
}

const struct key_spec *settings_key(size_t i)
{
	return i < G_N_ELEMENTS(key_table) ? &key_table[i] : NULL;
}

const struct key_spec *settings_key_find(const char *section, const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(key_table); i++)
		if (strcmp(key_table[i].section, section) == 0 && strcmp(key_table[i].name, name) == 0)
			return &key_table[i];
	return NULL;
}
