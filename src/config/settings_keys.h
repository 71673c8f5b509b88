/*
 * settings_keys.h - the table of configuration keys, private to
 * src/config: each key's section, name, type, whether it is required,
 * its default and the field its value goes to.  settings.c loads a file
 * by it; settings_key_at() (settings.h) shows it to the test that the
 * manual page and the example configuration know each key.
 * Room: config.
 */
#ifndef TM_SETTINGS_KEYS_H
#define TM_SETTINGS_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/* What a value is, and so how settings_set.c checks and stores it. */
enum key_type {
	KEY_STRING,		/* any text -> char * */
	KEY_PATH,		/* an absolute path -> char * */
	KEY_SOCKET,		/* inet:PORT@HOST, inet6:PORT@HOST, unix:/path, local:/path -> char * */
	KEY_HOSTNAME,		/* a host name, kept in lower case -> char * */
	KEY_TAG,		/* a ticket prefix, "SUP" -> char * */
	KEY_HOSTPORT,		/* HOST:PORT -> char * */
	KEY_COMMAND,		/* an absolute path with %r in it -> char * */
	KEY_BOOL,		/* yes/no, true/false, 1/0 -> bool */
	KEY_INT,		/* a whole number from min to G_MAXINT -> int */
	KEY_SIZE,		/* bytes, optionally with k, M or G, from min to 1024G -> size_t */
	KEY_DURATION,		/* 90s, 10m, 1h, 2d -> int seconds */
	KEY_RATES,		/* 3/10m, 10/1d -> struct rate_limits */
	KEY_CHOICE,		/* one name of choices -> its value, in an int-sized enum or int */
	KEY_REGEX,		/* a caseless regular expression -> GRegex * */
	KEY_ADDRESSES,		/* plain mailbox addresses, at least one -> char ** */
	KEY_OPTIONAL_ADDRESS,	/* one address, or nothing -> char * (NULL) */
	KEY_MATCH_LIST,		/* addresses and @domains, lower case -> char ** */
	KEY_LOCALES,		/* en, pt-BR -> char ** */
	KEY_LOCALE_MAP,		/* sv:en, nb:en -> char ** of pairs */
	KEY_WORDS,		/* a list divided by commas -> char ** */
	KEY_NETWORKS,		/* addresses and networks -> GPtrArray of GInetAddressMask * */
	KEY_PERCENT,		/* 1% to 100%, or none -> int (0 for none) */
	KEY_SLA_DURATION,	/* 3d, 4h calendar (calendar.h), or none -> struct sla_target (0 minutes for none) */
	KEY_BY_SECTION,		/* read by its section's own loader ([calendar NAME] hours, [sla NAME]) */
};

/* One name a KEY_CHOICE key accepts, and what it stands for. */
struct key_choice {
	const char *name;
	int value;
};

struct key_spec {
	const char *section;	/* "milter", "outbox", "filter", "autoreply"; "queue", "calendar",
				 * "sla", "agent" or "report" for any [queue NAME], [calendar
				 * NAME], [sla NAME], [agent NAME], [report NAME] */
	const char *name;
	enum key_type type;
	bool required;
	const char *fallback;	/* default as text, or NULL */
	size_t offset;		/* into struct settings, struct queue, struct calendar_def,
				 * struct agent_def or struct report_def */
	int min;		/* KEY_INT and KEY_SIZE: the least value allowed */
	const struct key_choice *choices; /* KEY_CHOICE: ends with a NULL name, in the
					   * order the complaint lists them */
};

/* The i-th key of the table, or NULL past its end. */
const struct key_spec *settings_key(size_t i);

/* The key name of sections of kind section ("queue" for any
 * [queue NAME]), or NULL when there is none. */
const struct key_spec *settings_key_find(const char *section, const char *name);

#endif
