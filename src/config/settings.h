/*
 * settings.h - the configuration snapshot.
 *
 * The INI file (GKeyFile syntax) is parsed and validated once into an
 * immutable, reference-counted struct settings.  A reload builds a new
 * snapshot and swaps it in; each milter connection holds a reference to
 * the snapshot it started with, so nothing changes under a transaction.
 *
 * Every key is described in one table in settings_keys.c (name, type,
 * default); problems are reported as "FILE:LINE: message", the form
 * `ticket-milter -n` prints.
 * Room: config.
 */
#ifndef TM_SETTINGS_H
#define TM_SETTINGS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/survey.h"

/* How an SMTP AUTH login names an agent. */
enum auth_login {
	AUTH_LOGIN_AUTO,	/* the agent's address or its local part */
	AUTH_LOGIN_ADDRESS,	/* exactly the agent's address */
	AUTH_LOGIN_ANY,		/* any authenticated login may send as any agent */
};

/* What a customer's reply to a closed ticket does. */
enum closed_reply { CLOSED_REPLY_NEW_TICKET, CLOSED_REPLY_REOPEN };

enum on_error {
	ON_ERROR_TEMPFAIL,	/* MTA retries later: nothing is lost */
	ON_ERROR_ACCEPT,	/* mail passes untouched, unrecorded */
};

/* What a queue message over one of the [milter] max-* limits gets. */
enum on_limit {
	ON_LIMIT_RECORD,	/* ticketed from what could be read within the limits */
	ON_LIMIT_ACCEPT,	/* passes untouched, unrecorded */
	ON_LIMIT_REJECT,	/* refused (5xx): the sender learns why */
	ON_LIMIT_TEMPFAIL,	/* 4xx: waits in the sender's queue until the limit is raised */
};

/* What the content filter speaks to the MTA ([filter] protocol). */
enum filter_protocol { FILTER_SMTP, FILTER_LMTP };

/* Whether mail says a senior person oversees the case. */
enum escalation_notice {
	ESCALATION_NOTICE_DEFAULT,	/* as the culture of the text's locale expects (locale.conf) */
	ESCALATION_NOTICE_YES,
	ESCALATION_NOTICE_NO,
};

/* What the agents' copy of a customer's message carries of the
 * customer's history ([queue] agent-context; engine/agent_context.h). */
enum agent_context {
	AGENT_CONTEXT_HEADER,	/* the X-Ticket-Customer header */
	AGENT_CONTEXT_BLOCK,	/* the header, and their earlier tickets at the top of the text */
	AGENT_CONTEXT_NONE,
};

enum priority { PRIORITY_LOW, PRIORITY_NORMAL, PRIORITY_HIGH, PRIORITY_URGENT, PRIORITY_COUNT };

/* One response-time target: minutes of business time, or of wall-clock
 * time when calendar_time. */
struct sla_target {
	int64_t minutes;
	bool calendar_time;
};

/* One level of [sla NAME] remind (settings_agents.h): when `percent` of
 * a target's budget is used, mail these. */
struct remind_level {
	int percent;
	char **recipients;	/* "assignee", "agents" or addresses, NULL-terminated */
};

struct remind_levels {
	struct remind_level *levels;	/* ascending by percent; NULL when none */
	size_t n;
};

struct sla_policy {
	char *id;		/* from "[sla ID]" */
	struct sla_target first_response[PRIORITY_COUNT];
	struct sla_target resolution[PRIORITY_COUNT];	/* minutes 0: none */
	/* [PRIORITY.]remind, or [PRIORITY.]remind-first-response and
	 * [PRIORITY.]remind-resolution (settings_agents.h) */
	struct remind_levels remind_first_response[PRIORITY_COUNT];
	struct remind_levels remind_resolution[PRIORITY_COUNT];
};

struct calendar;

struct calendar_def {
	char *id;		/* from "[calendar ID]" */
	char *timezone;
	struct calendar *calendar;
	char **agents;		/* addresses ([agent NAME]s resolved), NULL-terminated, or NULL */
};

/* [agent ADDRESS] or [agent NAME] with address = ...: how mail to one
 * agent is written. */
struct agent_def {
	char *id;		/* from "[agent ID]" */
	char *address;		/* normalized */
	char *locale;		/* canonical tag, or NULL: the queue's default */
	char *timezone;		/* IANA name, or NULL: the queue's first calendar's */
};

/* [report NAME]: a report mailed to managers on a schedule
 * (settings_reports.h). */
struct report_def {
	char *id;		/* from "[report ID]" */
	char **to;		/* addresses, NULL-terminated */
	char *schedule;		/* as written: "mon 08:00 Europe/Istanbul" */
	char **queues;		/* queue ids, NULL-terminated, or NULL: every queue */
	char *by;		/* a breakdown ("locale"), or NULL: none */
	char *locale;		/* canonical: the recipients' language */
	int window_seconds;	/* back from the scheduled time */
	/* From schedule, by settings_reports_check(): */
	unsigned days;		/* bit 0 Monday .. bit 6 Sunday */
	int minute;		/* of the day */
	char *zone;		/* IANA name */
};

struct queue {
	char *id;		/* from "[queue ID]" */
	char *name;		/* display name, "Example Support" */
	char **addresses;	/* normalized, NULL-terminated; [0] is the reply address */
	char *tag;		/* ticket prefix, "SUP" */
	char **locales;		/* offered, NULL-terminated: "en", "pt-BR" */
	char *default_locale;	/* one of locales */
	enum escalation_notice escalation_notice;
	enum survey survey;	/* asked with the resolved notice (survey.h) */
	char **locale_fallback;	/* "sv", "en", "nb", "en", NULL: a locale without
				 * templates of its own, and the one its customers
				 * get instead; NULL when none */
	int max_participants;	/* per ticket: more are not added (fan-out) */
	int max_new_participants; /* added by one message at most */
	enum agent_context agent_context;
	char **vip;		/* addresses and "@domain"s, lower case */
	char **urgent_keywords;	/* subject words that make a ticket urgent, casefolded */
	char **agents;		/* agent addresses and "@domain"s, lower case */
	char *sla_name;		/* [sla NAME], or NULL for the built-in default */
	char *vip_sla_name;
	char **calendar_names;
	int delay_notice_percent; /* share of the first-response budget after which the
				 * customer hears it is late (delay_notice.h); 0 off */
	struct sla_target pending_reminder; /* a ticket pending this long nudges its customer
				 * (pending.h); 0 minutes: off */
	struct sla_target pending_resolve; /* ... and is resolved after this long; 0: off */
	/* resolved after loading: */
	const struct sla_policy *sla;	/* never NULL */
	const struct sla_policy *vip_sla; /* NULL: VIPs get sla */
	struct calendar **calendars;	/* n_calendars; none: calendar time */
	size_t n_calendars;
	const char *calendar_zone;	/* the first calendar's zone, or NULL */
};

#define SETTINGS_MAX_RATES 4

struct rate_limit {
	int count;		/* at most this many automatic replies ... */
	long seconds;		/* ... within this window */
};

/* "3/10m, 10/1d": every window must have room. */
struct rate_limits {
	struct rate_limit limits[SETTINGS_MAX_RATES];
	size_t n;
};

struct settings {
	char *path;
	char *socket;
	char *user;		/* NULL: do not change user */
	char *database;
	char *secret_file;
	char *hostname;
	char *pid_file;		/* NULL: none */
	enum on_error on_error;
	int log_level;		/* syslog priority */
	bool syslog;		/* log to syslog (with -f: as well as stderr) */
	int busy_timeout_ms;
	size_t excerpt_bytes;	/* bound of the stored plain-text excerpt */
	/* Hostile and huge input: what is read of a message (message.h). */
	char *spool_directory;	/* big messages wait here, unlinked; default the database's directory */
	size_t spool_memory;	/* bytes of a message held in memory before spooling to a file */
	size_t max_message_size; /* bytes read of a message; 0 no limit */
	size_t max_header_bytes; /* all header blocks of a message together */
	int max_headers;	/* header fields of a message and its parts together */
	size_t max_header_line;	/* one header field, folded lines included */
	int max_mime_parts;
	int max_mime_depth;
	enum on_limit on_limit;
	GPtrArray *trusted_networks; /* GInetAddressMask *: clients that count as authenticated */
	char **authserv_ids;	/* Authentication-Results of our own MTA (evidence.h); NULL: none trusted */
	enum auth_login auth_login;
	enum closed_reply closed_reply;
	int close_after_seconds; /* resolved tickets close after this; 0 never */
	char *templates;	/* template directory */
	/* [outbox] */
	char *outbox_smtp;	/* "host:port", or NULL to use outbox_command */
	char *outbox_command;	/* %s envelope sender, %r recipient */
	char *bounce_address;	/* envelope sender of our mail; NULL: <> */
	int outbox_attempts;	/* tries before an entry is marked failed */
	int outbox_retry_seconds; /* first retry delay, doubled each time */
	int outbox_concurrency;	/* deliveries at once (read at start only) */
	/* [filter]: ticket-filter(8), the front end for MTAs without milter */
	char *filter_listen;	/* "inet:PORT@HOST" or "unix:/path"; NULL: none configured */
	char *filter_reinject;	/* "host:port": where filtered mail goes back to the MTA */
	enum filter_protocol filter_protocol;
	size_t filter_max_size;	/* bytes of a message taken at all (the SIZE announced) */
	int filter_max_connections;
	int filter_timeout_seconds; /* for each command, each block of data, the re-injection */
	char *filter_pid_file;	/* NULL: none */
	/* [autoreply] */
	GRegex *never_reply;	/* senders that never get an automatic reply */
	struct rate_limits ack_rates;	/* per recipient */
	struct rate_limits ack_queue_rates; /* per queue, all recipients together (backscatter) */
	int ack_per_ticket_seconds; /* at most one acknowledgement per ticket per this */
	unsigned char *secret;	/* HMAC key read from secret_file */
	size_t secret_len;
	struct queue *queues;
	size_t n_queues;
	struct sla_policy *slas;	/* includes the built-in "default" */
	size_t n_slas;
	struct calendar_def *calendars;
	size_t n_calendars;
	struct agent_def *agents;
	size_t n_agents;
	struct report_def *reports;
	size_t n_reports;
	GPtrArray *notes;	/* "FILE:LINE: note" strings -n prints; not errors */
	GHashTable *lines;	/* where each key stands, for messages */
	gint refs;
};

enum settings_flags {
	SETTINGS_LOAD_SECRET = 1,	/* read secret_file (not for `ticketctl init`) */
};

/* Parses and validates path.  Returns a snapshot holding one reference,
 * or NULL with one "FILE:LINE: message" string per problem appended to
 * errors (a GPtrArray of g_free-able strings). */
struct settings *settings_load(const char *path, int flags, GPtrArray *errors);

/* A ticket's priority as the store and the commands spell it: "urgent". */
const char *ticket_priority_name(enum priority p);
/* "urgent" -> PRIORITY_URGENT; false when unknown. */
bool ticket_priority_parse(const char *name, enum priority *p);

/* The line of key in section ("milter", "queue support"), or 0. */
int settings_line(const struct settings *s, const char *section, const char *key);

/* Every key of the file, read-only: section is "milter", "outbox",
 * "filter", "autoreply", "queue", "calendar", "sla", "agent" or "report"
 * (the last five for any [queue NAME], [calendar NAME], [sla NAME],
 * [agent NAME], [report NAME]).
 * settings_key_at() returns false past the end.  For the test that the
 * manual page and the example configuration know each key. */
size_t settings_key_count(void);
bool settings_key_at(size_t i, const char **section, const char **name);

struct settings *settings_ref(struct settings *s);
void settings_unref(struct settings *s);

/* The queue owning a normalized address, matching "local+detail@domain"
 * by its base address.  *detail (may be NULL) receives the part after
 * '+', newly allocated, or NULL.  Returns NULL when no queue matches. */
const struct queue *settings_queue_for(const struct settings *s,
				       const char *address, char **detail);

/* Reads a secret file (settings_secret.c): hex text of at least 32
 * bytes.  Refuses files readable or writable by others.  Returns the key (g_free) or NULL with *error set
 * to a message (g_free). */
unsigned char *settings_read_secret(const char *path, size_t *len, char **error);

#endif
