/*
 * filter_message.h - one message at the content filter's final dot:
 * recorded through the same engine as the milter's (intake.h, batch.h),
 * changed as the engine says, and re-injected into the MTA on its
 * return port; only then is the MTA told 250.  Room: filter.
 *
 * Postfix's "advanced content filter" contract: a message is answered
 * 250 once the MTA took it back (or, discarded by the engine, once it
 * is recorded); every failure is a 4xx, so the MTA keeps it and tries
 * again, and a retry of a recorded message is a redelivery the engine
 * answers with the same changes.  Nothing is lost.
 */
#ifndef TM_FILTER_MESSAGE_H
#define TM_FILTER_MESSAGE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "config/settings.h"

struct assets;
struct clock;
struct engine_batch;
struct scheduler;
struct snapshot;
struct sender;
struct spool;
struct smtp_session;

/* The daemon's handles, the same for every connection. */
struct filter_context {
	struct snapshot *(*acquire)(void); /* the current configuration and its assets (a reference) */
	struct engine_batch *batch;	/* runs the engine on the store (batch.h) */
	struct sender *sender;		/* woken when a commit queued mail */
	struct scheduler *scheduler;	/* woken when a message scheduled mail sooner (scheduler.h) */
	struct clock *clock;		/* the daemon's (clock.h): real time but in tests */
	gint stopping;			/* set at SIGTERM: sessions end at their next command */
	gint active;			/* sessions open */
};

/* One message as the MTA handed it over. */
struct filter_txn {
	char *sender;			/* MAIL FROM as given, "" for <> */
	GPtrArray *recipients;		/* char *: RCPT TO as given, without <> */
	char *auth_login;		/* MAIL ... AUTH=, decoded; NULL: none */
	char *client_addr;		/* XFORWARD ADDR=; NULL: unknown */
	bool eightbit, smtputf8;	/* BODY=8BITMIME, SMTPUTF8 */
	struct spool *spool;		/* the message, dot-unstuffed, CRLF */
	bool too_big;			/* over [filter] max-size: not kept */
	char *spool_error;		/* spooling failed (disk full) */
	gint64 started;			/* monotonic µs at MAIL FROM */
};

void filter_txn_reset(struct filter_txn *t);

/* Records, changes and re-injects t under the settings s and the assets
 * prepared for them (the session's snapshot); returns the reply to the
 * final dot ("250 2.0.0 ...", "451 4.3.0 ...", one line, no CRLF;
 * g_free).  rs: the connection to the return port kept for this
 * session. */
char *filter_message(struct filter_context *fx, const struct settings *s, const struct assets *assets,
		     struct filter_txn *t, struct smtp_session *rs);

#endif
