/*
 * json.h - writing JSON text for ticketctl --json.
 *
 * Only what the tool needs: quoting strings (UTF-8 passes through,
 * control characters are escaped) and appending scalars to a GString.
 * Room: util.
 */
#ifndef TM_JSON_H
#define TM_JSON_H

#include <glib.h>

/* Appends s as a JSON string literal; NULL becomes null. */
void json_append_string(GString *out, const char *s);
/* Appends "key": to out (with a leading comma unless first). */
void json_append_key(GString *out, const char *key, gboolean first);
/* Appends "key":"value" (value NULL: null), with a comma unless first. */
void json_append_member(GString *out, const char *key, const char *value, gboolean first);

#endif
