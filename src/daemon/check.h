/*
 * check.h - `ticket-milter -n` and `ticket-filter -n`: the configuration
 * and everything it points to, checked without starting the daemon.
 * Room: daemon.
 */
#ifndef TM_CHECK_H
#define TM_CHECK_H

#include <glib.h>
#include "config/settings.h"

/* Appends one "FILE:LINE: message" per problem to errors, and notes
 * (s->notes) for what is allowed but risky.  Opens the database and
 * reads the templates as [milter] user (run_as.h). */
void check_settings(const struct settings *s, GPtrArray *errors);

/* The files beside the database, the secret and the spool directory as
 * the daemon needs them: no links, owned by owner (the spool directory
 * by owner or root).  Appends one message per problem to errors. */
void check_owned_files(const struct settings *s, uid_t owner, GPtrArray *errors);

/* Why listening on spec (inet:PORT@HOST, inet6:...) beyond this host's
 * loopback is a risk (g_free), or NULL when it is not. */
char *check_socket_exposure(const char *spec);

#endif
