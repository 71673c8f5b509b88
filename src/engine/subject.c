/*
 * subject.c - finding and adding ticket tags (see subject.h).
 * Room: engine.
 */
#include "config.h"
#include "engine/subject.h"

#include <glib.h>
#include <string.h>

/* Matches "[TAG-123]", "[TAG#123]" or RT's "[TAG #123]" at p; returns
 * the length matched or 0. */
static size_t match_tag(const char *p, const char *tag, long *number)
{
	const char *start = p;
	size_t tag_len = strlen(tag);
	long n = 0;
	int digits = 0;

	if (*p++ != '[')
		return 0;
	while (*p == ' ')
		p++;
	if (g_ascii_strncasecmp(p, tag, tag_len) != 0)
		return 0;
	p += tag_len;
	/* Request Tracker writes "[rtname #123]": customers who moved from it keep it. */
	if (*p == ' ') {
		while (*p == ' ')
			p++;
		if (*p != '#')
			return 0;
	}
	if (*p != '-' && *p != '#')
		return 0;
	p++;
	while (g_ascii_isdigit(*p) && digits < 9) {
		n = n * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || g_ascii_isdigit(*p))
		return 0;
	while (*p == ' ')
		p++;
	if (*p++ != ']')
		return 0;
	*number = n;
	return (size_t)(p - start);
}

bool subject_find_tag(const char *subject, const char *tag, long *number)
{
	if (subject == NULL)
		return false;
	for (const char *p = strchr(subject, '['); p; p = strchr(p + 1, '['))
		if (match_tag(p, tag, number) > 0 && *number > 0)
			return true;
	return false;
}

char *subject_add_tag(const char *raw, const char *decoded, const struct ticket_ref *ref)
{
	long found;
	char tag[48];

	if (subject_find_tag(decoded, ref->tag, &found) && found == ref->number)
		return NULL;
	ticket_ref_format(ref, tag, sizeof tag);
	if (raw == NULL)
		return g_strdup_printf("[%s]", tag);
	while (*raw == ' ' || *raw == '\t')
		raw++;
	if (*raw == '\0')
		return g_strdup_printf("[%s]", tag);
	return g_strdup_printf("[%s] %s", tag, raw);
}

/* Reply and forward prefixes of the common clients and languages. */
static const char *const prefixes[] = {
	"re", "aw", "antw", "antwort", "sv", "vs", "ynt", "cvp", "r", "rif", "ref", "réf",
	"odp", "res", "ri", "atb", "fwd", "fw", "wg", "tr", "enc", "rv", "doorst",
	"vl", "pd", "ilt", "fs", "答复", "回复", "转发", "返信", "転送", "회신", "전달",
	"ответ", "пересл", "رد", "إعادة توجيه",
};

static size_t match_prefix(const char *p)
{
	for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		size_t n = strlen(prefixes[i]);
		const char *q = p + n;
		/* ASCII case folding leaves UTF-8 bytes alone: exact match there. */
		if (g_ascii_strncasecmp(p, prefixes[i], n) != 0)
			continue;
		/* "Re[2]:" and "Réf. " forms */
		if (*q == '[') {
			while (g_ascii_isdigit(*++q))
				;
			if (*q++ != ']')
				continue;
		}
		/* French typography puts a space before the colon ("RE : x"). */
		while (*q == ' ')
			q++;
		if (*q == ':')
			return (size_t)(q + 1 - p);
		if (strncmp(q, "：", strlen("：")) == 0)
			return (size_t)(q + strlen("：") - p);
		/* Only the French "Réf." ends with a dot; "R. Smith" is a name. */
		if (*q == '.' && n > 2 && g_ascii_tolower(*p) == 'r') {
			q++;
			while (*q == ' ')
				q++;
			return (size_t)(q + (*q == ':') - p);
		}
	}
	return 0;
}

char *subject_clean(const char *decoded, const char *tag)
{
	const char *p = decoded ? decoded : "";
	long number;

	for (;;) {
		size_t n;
		while (*p == ' ' || *p == '\t')
			p++;
		if ((n = match_prefix(p)) > 0 || (n = match_tag(p, tag, &number)) > 0)
			p += n;
		else
			break;
	}
	return g_strstrip(g_strdup(p));
}
