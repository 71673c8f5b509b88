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

enum key_type { KEY_STRING, KEY_PATH, KEY_SOCKET, KEY_ON_ERROR, KEY_LOG_LEVEL,
		KEY_UINT, KEY_SIZE, KEY_ADDRESSES, KEY_TAG, KEY_HOSTNAME, KEY_BOOL,
		KEY_SECONDS, KEY_RATES, KEY_REGEX, KEY_HOSTPORT, KEY_COMMAND, KEY_MATCH_LIST,
		KEY_LOCALES, KEY_WORDS, KEY_OPTIONAL_ADDRESS, KEY_NETWORKS, KEY_AUTH_LOGIN,
		KEY_CLOSED_REPLY, KEY_ON_LIMIT, KEY_ESCALATION, KEY_LOCALE_MAP };

struct key_spec {
	const char *section;	/* "milter" or "queue" (any [queue NAME]) */
	const char *name;
	enum key_type type;
	bool required;
	const char *fallback;	/* default as text, or NULL */
	size_t offset;		/* into struct settings or struct queue */
};

/* The i-th key of the table, or NULL past its end. */
const struct key_spec *settings_key(size_t i);

/* The key name of sections of kind section ("queue" for any
 * [queue NAME]), or NULL when there is none. */
const struct key_spec *settings_key_find(const char *section, const char *name);

#endif
