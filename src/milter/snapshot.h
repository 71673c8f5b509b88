/*
 * snapshot.h - the daemon's current configuration snapshot.
 *
 * The one piece of global mutable state besides libmilter's own: a
 * pointer to the current struct settings, swapped under a lock by a
 * reload.  Connections pin the snapshot they started with.
 */
#ifndef TM_SNAPSHOT_H
#define TM_SNAPSHOT_H

#include "config/settings.h"

/* Installs s as current, taking over the caller's reference; prepares
 * its assets (templates, ICU patterns) first when it has none. */
void snapshot_install(struct settings *s);
/* A new reference to the current snapshot (settings_unref when done), or
 * NULL before the first snapshot_install. */
struct settings *snapshot_acquire(void);
/* Loads the file of the current snapshot again; on success installs it,
 * otherwise logs each problem and keeps the old one.  Returns 0 or -1. */
int snapshot_reload(void);
/* Drops the current snapshot at exit. */
void snapshot_release(void);

#endif
