/*
 * snapshot.h - the daemon's current configuration snapshot.  Room: daemon.
 *
 * The one piece of global mutable state besides libmilter's own: a
 * pointer to the current snapshot, swapped under a lock by a reload.  A
 * snapshot pairs the parsed settings with the assets prepared for them
 * (assets.h: templates, ICU patterns), which the configuration does not
 * hold; the engine is given both.  Connections pin the snapshot they
 * started with; it is freed when the last one lets go.
 */
#ifndef TM_SNAPSHOT_H
#define TM_SNAPSHOT_H

#include <glib.h>
#include "config/settings.h"

struct assets;

/* Immutable once installed but for the assets' own formatter pool. */
struct snapshot {
	struct settings *settings;	/* one reference, the snapshot's */
	struct assets *assets;		/* prepared for settings, the snapshot's */
	gint refs;			/* snapshot_acquire / snapshot_unref */
};

/* Installs s as current, taking over the caller's reference, after
 * preparing its assets: before anyone can see it.  NULL installs none. */
void snapshot_install(struct settings *s);
/* A new reference to the current snapshot (snapshot_unref when done), or
 * NULL before the first snapshot_install. */
struct snapshot *snapshot_acquire(void);
void snapshot_unref(struct snapshot *snap);
/* A new reference to the current snapshot's settings (settings_unref),
 * or NULL: for whoever needs no assets (the outbox sender). */
struct settings *snapshot_acquire_settings(void);
/* Loads the file of the current snapshot again; on success installs it,
 * otherwise logs each problem and keeps the old one.  Returns 0 or -1. */
int snapshot_reload(void);
/* Drops the current snapshot at exit. */
void snapshot_release(void);

#endif
