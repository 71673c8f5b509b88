/*
 * settings_set.h - converting one configuration value by its key's type
 * (settings_keys.h) into its field, private to src/config.
 * Room: config.
 */
#ifndef TM_SETTINGS_SET_H
#define TM_SETTINGS_SET_H

#include "config/settings_keys.h"

#include <glib.h>

/* Converts value, by spec's type, into the field at base + spec->offset
 * (a struct settings, queue or calendar_def).  Each problem is appended
 * to problems as a g_free-able message without "FILE:LINE:", which the
 * loader adds. */
void settings_set_value(const struct key_spec *spec, const char *value, void *base, GPtrArray *problems);

#endif
