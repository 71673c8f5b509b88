/*
 * schema.h - versioned schema of the SQLite store (private to src/store).
 * Room: store.
 */
#ifndef TM_SCHEMA_H
#define TM_SCHEMA_H

/* The version a fully migrated database has. */
int schema_latest_version(void);
/* SQL taking a database from from_version to from_version + 1, or NULL. */
const char *schema_migration(int from_version);

#endif
