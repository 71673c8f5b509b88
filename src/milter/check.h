/*
 * check.h - `ticket-milter -n`: the configuration and everything it
 * points to, checked without starting the daemon.
 */
#ifndef TM_CHECK_H
#define TM_CHECK_H

#include <glib.h>
#include "settings.h"

/* Appends one "FILE:LINE: message" per problem to errors. */
void check_settings(const struct settings *s, GPtrArray *errors);

#endif
