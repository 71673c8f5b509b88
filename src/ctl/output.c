/*
 * output.c - shared formatting of ticketctl (see output.h).
 * Room: ctl.
 */
#include "config.h"
#include "ctl/output.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void output_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, size, "-");
	else
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* What a terminal would act on rather than show. */
static bool unsafe(gunichar c, bool keep_tabs)
{
	if (c == '\t')
		return !keep_tabs;
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

/* The next character at p (before end), or (gunichar)-1 for a byte that
 * does not begin valid UTF-8; *len its bytes. */
static gunichar next_char(const char *p, const char *end, size_t *len)
{
	gunichar c = g_utf8_get_char_validated(p, end - p);

	if (c == (gunichar)-1 || c == (gunichar)-2) {
		*len = 1;
		return (gunichar)-1;
	}
	*len = (size_t)(g_utf8_next_char(p) - p);
	return c;
}

static const char *escape(GPtrArray *held, const char *s, bool keep_tabs)
{
	const char *end, *p;
	GString *out;
	size_t len;

	if (s == NULL)
		return "";
	end = s + strlen(s);
	for (p = s; p < end; p += len) {
		gunichar c = next_char(p, end, &len);
		if (c == (gunichar)-1 || unsafe(c, keep_tabs))
			break;
	}
	if (p == end)
		return s;
	out = g_string_new_len(s, p - s);
	for (; p < end; p += len) {
		gunichar c = next_char(p, end, &len);
		if (c == (gunichar)-1 || (c < 0x80 && unsafe(c, keep_tabs)))
			g_string_append_printf(out, "\\x%02x", (unsigned char)*p);
		else if (unsafe(c, keep_tabs))
			g_string_append_printf(out, "\\u%04X", (unsigned)c);
		else
			g_string_append_len(out, p, (gssize)len);
	}
	{
		char *escaped = g_string_free(out, FALSE);
		g_ptr_array_add(held, escaped);
		return escaped;
	}
}

const char *output_text(GPtrArray *held, const char *s)
{
	return escape(held, s, false);
}

const char *output_line(GPtrArray *held, const char *s)
{
	return escape(held, s, true);
}
