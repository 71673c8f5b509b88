/*
 * locale_tag.c - locale tags and their fallback chains (locale_tag.h).
 * Room: language.
 */
#include "config.h"
#include "language/locale_tag.h"

#include <string.h>

static bool all_alpha(const char *s, size_t min, size_t max)
{
	size_t len = strlen(s);

	if (len < min || len > max)
		return false;
	for (; *s; s++)
		if (!g_ascii_isalpha(*s))
			return false;
	return true;
}

static bool all_digits(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (; *s; s++)
		if (!g_ascii_isdigit(*s))
			return false;
	return true;
}

char *locale_tag_canonical(const char *tag)
{
	char **parts;
	GString *out;
	size_t i = 1;
	bool ok;

	if (tag == NULL || *tag == '\0')
		return NULL;
	parts = g_strsplit_set(tag, "-_", -1);
	ok = all_alpha(parts[0], 2, 3);
	out = g_string_new(NULL);
	if (ok) {
		char *lower = g_ascii_strdown(parts[0], -1);
		g_string_append(out, lower);
		g_free(lower);
	}
	if (ok && parts[i] && all_alpha(parts[i], 4, 4)) {
		g_string_append_printf(out, "-%c", g_ascii_toupper(parts[i][0]));
		for (const char *p = parts[i] + 1; *p; p++)
			g_string_append_c(out, g_ascii_tolower(*p));
		i++;
	}
	if (ok && parts[i] && (all_alpha(parts[i], 2, 2) || all_digits(parts[i], 3))) {
		g_string_append_printf(out, "-%c%c", g_ascii_toupper(parts[i][0]), g_ascii_toupper(parts[i][1]));
		g_string_append(out, parts[i] + 2);
		i++;
	}
	ok = ok && parts[i] == NULL;
	g_strfreev(parts);
	return g_string_free(out, !ok);
}

void locale_tag_add_chain(GPtrArray *list, const char *tag)
{
	char *t = locale_tag_canonical(tag);

	while (t) {
		char *dash = strrchr(t, '-');
		bool seen = false;

		for (guint i = 0; i < list->len; i++)
			seen = seen || strcmp(g_ptr_array_index(list, i), t) == 0;
		if (!seen)
			g_ptr_array_add(list, g_strdup(t));
		if (dash == NULL)
			break;
		*dash = '\0';
	}
	g_free(t);
}
