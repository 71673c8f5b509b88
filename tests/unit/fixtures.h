/*
 * fixtures.h - shared set-up for the unit tests: a scratch directory, a
 * configuration with a secret, an open store, messages from text.
 * Everything returned is owned by the fixture and released by
 * fixture_teardown().
 * Room: tests.
 */
#ifndef TM_FIXTURES_H
#define TM_FIXTURES_H

#include "config/settings.h"
#include "store/store.h"
#include "mime/message.h"

struct fixture {
	char *dir;		/* scratch directory, removed at teardown */
	char *config_path;
	struct settings *settings;
	struct assets *assets;	/* NULL, or prepared by the test as the daemon does (assets.h) */
	struct store *store;
};

/* Writes a configuration (extra appended to [milter]'s defaults and
 * one queue "support": support@example.com, help@example.com, tag SUP),
 * a secret and opens the store.  Aborts the test on failure. */
void fixture_setup(struct fixture *f, const char *extra);
void fixture_teardown(struct fixture *f);

/* Writes text to name inside the fixture directory; returns the path (g_free). */
char *fixture_write(const struct fixture *f, const char *name, const char *text);

/* Parses a message written with \n line ends. */
struct message *fixture_message(const char *text);

/* GMime's own parse of len bytes, to check what we wrote (g_object_unref). */
struct _GMimeMessage *fixture_mime_parse(const void *data, size_t len);

/* Adds the path of every message file below dir (a corpus folder: its
 * expected-result and licence files left out) to out (g_free each). */
void fixture_collect_messages(const char *dir, GPtrArray *out);

/* A directory below the source tree: $top_srcdir/rel (g_free). */
char *fixture_srcpath(const char *rel);

#endif
