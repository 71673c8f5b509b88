/*
 * addr.c - mailbox address normalization (see addr.h).
 * Room: util.
 */
#include "config.h"
#include "util/addr.h"

#include <glib.h>
#include <string.h>

char *addr_normalize(const char *addr)
{
	const char *start, *end;

	if (addr == NULL)
		return NULL;
	start = addr;
	while (g_ascii_isspace(*start))
		start++;
	if (*start == '<')
		start++;
	end = start + strlen(start);
	while (end > start && (g_ascii_isspace(end[-1]) || end[-1] == '>'))
		end--;
	if (end == start)
		return NULL;
	return g_ascii_strdown(start, end - start);
}

char *addr_split_detail(const char *addr, char **detail)
{
	const char *at = strrchr(addr, '@');
	const char *plus = strchr(addr, '+');

	*detail = NULL;
	if (at == NULL || plus == NULL || plus > at)
		return g_strdup(addr);
	*detail = g_strndup(plus + 1, at - plus - 1);
	return g_strdup_printf("%.*s%s", (int)(plus - addr), addr, at);
}

const char *addr_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : "";
}

bool addr_equal(const char *a, const char *b)
{
	return a && b && g_ascii_strcasecmp(a, b) == 0;
}

bool addr_is_safe(const char *addr)
{
	const char *at;

	if (addr == NULL || *addr == '\0' || *addr == '-' || strlen(addr) > 254)
		return false;
	at = strchr(addr, '@');
	if (at == NULL || at == addr || at[1] == '\0' || strchr(at + 1, '@'))
		return false;
	for (const char *p = addr; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("<>()[]\\,;:\"'`|&$", *p))
			return false;
	return true;
}
