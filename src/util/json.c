/*
 * json.c - JSON string quoting (see json.h).
 * Room: util.
 */
#include "config.h"
#include "util/json.h"

void json_append_string(GString *out, const char *s)
{
	if (s == NULL) {
		g_string_append(out, "null");
		return;
	}
	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': g_string_append(out, "\\\""); break;
		case '\\': g_string_append(out, "\\\\"); break;
		case '\n': g_string_append(out, "\\n"); break;
		case '\r': g_string_append(out, "\\r"); break;
		case '\t': g_string_append(out, "\\t"); break;
		default:
			if (*p < 0x20)
				g_string_append_printf(out, "\\u%04x", *p);
			else
				g_string_append_c(out, (char)*p);
		}
	}
	g_string_append_c(out, '"');
}

void json_append_key(GString *out, const char *key, gboolean first)
{
	if (!first)
		g_string_append_c(out, ',');
	json_append_string(out, key);
	g_string_append_c(out, ':');
}

void json_append_member(GString *out, const char *key, const char *value, gboolean first)
{
	json_append_key(out, key, first);
	json_append_string(out, value);
}
