/*
 * startup.h - what ticket-milter and ticket-filter check before they
 * serve: the files the daemon's user could have planted, and the store
 * opened once as that user.  Each returns 0, or -1 after logging why.
 * Room: daemon.
 */
#ifndef TM_STARTUP_H
#define TM_STARTUP_H

#include "config/settings.h"

/* The files the daemon's user could have replaced with links or files
 * of its own while the daemon was stopped (check.h), refused before
 * anything is created: a refused start leaves nothing behind. */
int daemon_check_files(const struct settings *s);

/* Opens the store once as the final user, creating or migrating the
 * schema, so that a broken database stops the daemon at start and not
 * at the first message; a store that cannot be written is said now and
 * is no reason to stop. */
int daemon_open_store(const struct settings *s);

#endif
