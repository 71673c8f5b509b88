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
#include <syslog.h>

/* The names each KEY_CHOICE key accepts, as its complaint lists them. */
static const struct key_choice on_error_choices[] = {
	{ "tempfail", ON_ERROR_TEMPFAIL }, { "accept", ON_ERROR_ACCEPT }, { NULL, 0 },
};
static const struct key_choice log_level_choices[] = {
	{ "error", LOG_ERR }, { "warning", LOG_WARNING }, { "info", LOG_INFO }, { "debug", LOG_DEBUG }, { NULL, 0 },
};
static const struct key_choice on_limit_choices[] = {
	{ "record", ON_LIMIT_RECORD }, { "accept", ON_LIMIT_ACCEPT }, { "reject", ON_LIMIT_REJECT },
	{ "tempfail", ON_LIMIT_TEMPFAIL }, { NULL, 0 },
};
static const struct key_choice auth_login_choices[] = {
	{ "auto", AUTH_LOGIN_AUTO }, { "address", AUTH_LOGIN_ADDRESS }, { "any", AUTH_LOGIN_ANY }, { NULL, 0 },
};
static const struct key_choice closed_reply_choices[] = {
	{ "new-ticket", CLOSED_REPLY_NEW_TICKET }, { "reopen", CLOSED_REPLY_REOPEN }, { NULL, 0 },
};
static const struct key_choice filter_protocol_choices[] = {
	{ "smtp", FILTER_SMTP }, { "lmtp", FILTER_LMTP }, { NULL, 0 },
};
static const struct key_choice escalation_choices[] = {
	{ "yes", ESCALATION_NOTICE_YES }, { "no", ESCALATION_NOTICE_NO }, { "default", ESCALATION_NOTICE_DEFAULT },
	{ NULL, 0 },
};
static const struct key_choice survey_choices[] = {
	{ "csat", SURVEY_CSAT }, { "nps", SURVEY_NPS }, { "ces", SURVEY_CES }, { NULL, 0 },
};
static const struct key_choice agent_context_choices[] = {
	{ "header", AGENT_CONTEXT_HEADER }, { "block", AGENT_CONTEXT_BLOCK }, { "none", AGENT_CONTEXT_NONE },
	{ NULL, 0 },
};

/* settings_set.c stores a choice as an int. */
_Static_assert(sizeof(enum on_error) == sizeof(int) && sizeof(enum on_limit) == sizeof(int) &&
	       sizeof(enum auth_login) == sizeof(int) && sizeof(enum closed_reply) == sizeof(int) &&
	       sizeof(enum escalation_notice) == sizeof(int) && sizeof(enum filter_protocol) == sizeof(int) &&
	       sizeof(enum survey) == sizeof(int) && sizeof(enum agent_context) == sizeof(int),
	       "a KEY_CHOICE field is an int");

#define S(field) offsetof(struct settings, field)
#define Q(field) offsetof(struct queue, field)
#define C(field) offsetof(struct calendar_def, field)
#define R(field) offsetof(struct report_def, field)

/* section, name, type, required, default, field, least value, choices */
static const struct key_spec key_table[] = {
	/* Not required: a site with ticket-filter alone has no milter socket
	 * (ticket-milter refuses to start without one). */
	{ "milter", "socket", KEY_SOCKET, false, NULL, S(socket), 0, NULL },
	{ "milter", "user", KEY_STRING, false, NULL, S(user), 0, NULL },
	{ "milter", "database", KEY_PATH, true, NULL, S(database), 0, NULL },
	{ "milter", "secret-file", KEY_PATH, true, NULL, S(secret_file), 0, NULL },
	{ "milter", "hostname", KEY_HOSTNAME, true, NULL, S(hostname), 0, NULL },
	{ "milter", "pid-file", KEY_PATH, false, NULL, S(pid_file), 0, NULL },
	{ "milter", "on-error", KEY_CHOICE, false, "tempfail", S(on_error), 0, on_error_choices },
	{ "milter", "log-level", KEY_CHOICE, false, "info", S(log_level), 0, log_level_choices },
	{ "milter", "syslog", KEY_BOOL, false, "yes", S(syslog), 0, NULL },
	{ "milter", "busy-timeout", KEY_INT, false, "5000", S(busy_timeout_ms), 0, NULL },
	{ "milter", "excerpt-bytes", KEY_SIZE, false, "4096", S(excerpt_bytes), 0, NULL },
	{ "milter", "spool-directory", KEY_PATH, false, NULL, S(spool_directory), 0, NULL },
	{ "milter", "spool-memory", KEY_SIZE, false, "1M", S(spool_memory), 0, NULL },
	{ "milter", "max-message-size", KEY_SIZE, false, "64M", S(max_message_size), 0, NULL },
	/* A limit of 0 would make every message fail. */
	{ "milter", "max-header-bytes", KEY_SIZE, false, "512k", S(max_header_bytes), 1, NULL },
	{ "milter", "max-headers", KEY_INT, false, "10000", S(max_headers), 1, NULL },
	{ "milter", "max-header-line", KEY_SIZE, false, "64k", S(max_header_line), 1, NULL },
	{ "milter", "max-mime-parts", KEY_INT, false, "1000", S(max_mime_parts), 1, NULL },
	{ "milter", "max-mime-depth", KEY_INT, false, "50", S(max_mime_depth), 1, NULL },
	{ "milter", "on-limit", KEY_CHOICE, false, "record", S(on_limit), 0, on_limit_choices },
	{ "milter", "templates", KEY_PATH, false, TEMPLATEDIR, S(templates), 0, NULL },
	{ "milter", "trusted-networks", KEY_NETWORKS, false, NULL, S(trusted_networks), 0, NULL },
	{ "milter", "authserv-id", KEY_WORDS, false, NULL, S(authserv_ids), 0, NULL },
	{ "milter", "auth-login", KEY_CHOICE, false, "auto", S(auth_login), 0, auth_login_choices },
	{ "milter", "closed-reply", KEY_CHOICE, false, "new-ticket", S(closed_reply), 0, closed_reply_choices },
	{ "milter", "close-after", KEY_DURATION, false, "7d", S(close_after_seconds), 0, NULL },
	{ "outbox", "smtp", KEY_HOSTPORT, false, NULL, S(outbox_smtp), 0, NULL },
	{ "outbox", "command", KEY_COMMAND, false, "/usr/sbin/sendmail -i -f %s -- %r", S(outbox_command), 0, NULL },
	{ "outbox", "bounce-address", KEY_OPTIONAL_ADDRESS, false, NULL, S(bounce_address), 0, NULL },
	{ "outbox", "attempts", KEY_INT, false, "10", S(outbox_attempts), 0, NULL },
	{ "outbox", "retry-after", KEY_DURATION, false, "1m", S(outbox_retry_seconds), 0, NULL },
	{ "outbox", "concurrency", KEY_INT, false, "4", S(outbox_concurrency), 0, NULL },
	{ "filter", "listen", KEY_SOCKET, false, NULL, S(filter_listen), 0, NULL },
	{ "filter", "reinject", KEY_HOSTPORT, false, NULL, S(filter_reinject), 0, NULL },
	{ "filter", "protocol", KEY_CHOICE, false, "smtp", S(filter_protocol), 0, filter_protocol_choices },
	{ "filter", "max-size", KEY_SIZE, false, "128M", S(filter_max_size), 1, NULL },
	{ "filter", "max-connections", KEY_INT, false, "20", S(filter_max_connections), 1, NULL },
	{ "filter", "timeout", KEY_DURATION, false, "5m", S(filter_timeout_seconds), 0, NULL },
	{ "filter", "pid-file", KEY_PATH, false, NULL, S(filter_pid_file), 0, NULL },
	{ "autoreply", "never-to", KEY_REGEX, false,
	  "^(mailer-daemon|postmaster|abuse|no-?reply|do-?not-?reply|root|bounces?|daemon)([+-.].*)?@", S(never_reply),
	  0, NULL },
	{ "autoreply", "rate", KEY_RATES, false, "3/10m, 10/1d", S(ack_rates), 0, NULL },
	{ "autoreply", "per-ticket", KEY_DURATION, false, "1h", S(ack_per_ticket_seconds), 0, NULL },
	{ "autoreply", "queue-rate", KEY_RATES, false, "60/1m, 600/1h", S(ack_queue_rates), 0, NULL },
	{ "queue", "name", KEY_STRING, true, NULL, Q(name), 0, NULL },
	{ "queue", "addresses", KEY_ADDRESSES, true, NULL, Q(addresses), 0, NULL },
	{ "queue", "tag", KEY_TAG, true, NULL, Q(tag), 0, NULL },
	{ "queue", "locales", KEY_LOCALES, false, "en", Q(locales), 0, NULL },
	{ "queue", "default-locale", KEY_STRING, false, NULL, Q(default_locale), 0, NULL },
	{ "queue", "escalation-notice", KEY_CHOICE, false, "default", Q(escalation_notice), 0, escalation_choices },
	{ "queue", "survey", KEY_CHOICE, false, "csat", Q(survey), 0, survey_choices },
	{ "queue", "locale-fallback", KEY_LOCALE_MAP, false, NULL, Q(locale_fallback), 0, NULL },
	{ "queue", "max-participants", KEY_INT, false, "20", Q(max_participants), 0, NULL },
	{ "queue", "max-new-participants", KEY_INT, false, "10", Q(max_new_participants), 0, NULL },
	{ "queue", "vip", KEY_MATCH_LIST, false, NULL, Q(vip), 0, NULL },
	{ "queue", "agents", KEY_MATCH_LIST, false, NULL, Q(agents), 0, NULL },
	{ "queue", "agent-context", KEY_CHOICE, false, "header", Q(agent_context), 0, agent_context_choices },
	{ "queue", "sla", KEY_STRING, false, NULL, Q(sla_name), 0, NULL },
	{ "queue", "vip-sla", KEY_STRING, false, NULL, Q(vip_sla_name), 0, NULL },
	{ "queue", "calendars", KEY_WORDS, false, NULL, Q(calendar_names), 0, NULL },
	{ "queue", "delay-notice", KEY_PERCENT, false, "none", Q(delay_notice_percent), 0, NULL },
	{ "queue", "pending-reminder", KEY_SLA_DURATION, false, "none", Q(pending_reminder), 0, NULL },
	{ "queue", "pending-resolve", KEY_SLA_DURATION, false, "none", Q(pending_resolve), 0, NULL },
	{ "calendar", "timezone", KEY_STRING, true, NULL, C(timezone), 0, NULL },
	/* Read together with the time zone by load_calendar(). */
	{ "calendar", "hours", KEY_BY_SECTION, true, NULL, 0, 0, NULL },
	{ "calendar", "holidays", KEY_BY_SECTION, false, NULL, 0, 0, NULL },
	/* Addresses, or NAMEs of [agent NAME]: settings_agents_check(). */
	{ "calendar", "agents", KEY_WORDS, false, NULL, C(agents), 0, NULL },
	{ "agent", "address", KEY_OPTIONAL_ADDRESS, false, NULL, offsetof(struct agent_def, address), 0, NULL },
	{ "agent", "locale", KEY_STRING, false, NULL, offsetof(struct agent_def, locale), 0, NULL },
	{ "agent", "timezone", KEY_STRING, false, NULL, offsetof(struct agent_def, timezone), 0, NULL },
	/* Listed for settings_key_at(): load_sla() reads them, each also
	 * with a priority prefix ("urgent.first-response"). */
	{ "sla", "first-response", KEY_BY_SECTION, true, NULL, 0, 0, NULL },
	{ "sla", "resolution", KEY_BY_SECTION, false, NULL, 0, 0, NULL },
	/* sla_reminds_load() (settings_agents.h) reads these, each also
	 * with a priority prefix. */
	{ "sla", "remind", KEY_BY_SECTION, false, NULL, 0, 0, NULL },
	{ "sla", "remind-first-response", KEY_BY_SECTION, false, NULL, 0, 0, NULL },
	{ "sla", "remind-resolution", KEY_BY_SECTION, false, NULL, 0, 0, NULL },
	{ "report", "to", KEY_ADDRESSES, true, NULL, R(to), 0, NULL },
	/* Parsed by settings_reports_check(), as are by and locale. */
	{ "report", "schedule", KEY_STRING, true, NULL, R(schedule), 0, NULL },
	{ "report", "queues", KEY_WORDS, false, NULL, R(queues), 0, NULL },
	{ "report", "by", KEY_STRING, false, NULL, R(by), 0, NULL },
	{ "report", "locale", KEY_STRING, false, NULL, R(locale), 0, NULL },
	{ "report", "window", KEY_DURATION, false, "7d", R(window_seconds), 0, NULL },
	{ "queue", "urgent-keywords", KEY_WORDS, false,
	  "urgent, asap, emergency, dringend, eilt, acil, urgente, urgence, spoed, pilne, срочно, "
	  "至急, 紧急, 緊急, 긴급, عاجل", Q(urgent_keywords), 0, NULL },
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
