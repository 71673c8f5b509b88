/*
 * header_charset.c - the charset of raw 8-bit header text
 * (header_charset.h).
 * Room: text.
 */
#include "config.h"
#include "text/header_charset.h"
#include "text/charset_guess.h"
#include "text/charset_read.h"

#include <string.h>

GString *header_charset_sample(GMimeMessage *mm)
{
	GMimeHeaderList *list = mm ? g_mime_object_get_header_list(GMIME_OBJECT(mm)) : NULL;
	int n = list ? g_mime_header_list_get_count(list) : 0;
	GString *out = g_string_new(NULL);

	for (int i = 0; i < n && out->len < HEADER_CHARSET_SAMPLE_MAX; i++) {
		const char *raw = g_mime_header_get_raw_value(g_mime_header_list_get_header_at(list, i));
		size_t len = raw ? strlen(raw) : 0;
		bool eight = false;

		for (size_t k = 0; k < len && !eight; k++)
			eight = (unsigned char)raw[k] >= 0x80;
		if (!eight || g_utf8_validate_len(raw, len, NULL))
			continue;
		/* Whole characters only: a field cut in two would read badly
		 * in the charset it is in. */
		if (out->len + len + 1 > HEADER_CHARSET_SAMPLE_MAX)
			break;
		g_string_append_len(out, raw, (gssize)len);
		g_string_append_c(out, '\n');
	}
	return out;
}

/* Header text is ASCII but for its 8-bit runs: a charset in which it is
 * not (UTF-16, UTF-7) cannot be the one they are in. */
static bool ascii_compatible(const char *name)
{
	static const char probe[] = "Subject: az09";
	char *read = charset_read(name, probe, sizeof probe - 1, NULL);
	bool same = strcmp(read, probe) == 0;

	g_free(read);
	return same;
}

const char *header_charset_choose(const GString *sample, const char *body_charset, const char *body, size_t len)
{
	if (sample == NULL || sample->len == 0)
		return NULL;
	if (body_charset && !charset_is_ascii(body_charset) && ascii_compatible(body_charset) &&
	    charset_guess_plausible(body_charset, sample->str, sample->len))
		return body_charset;
	return charset_guess(sample->str, sample->len, body, len);
}
