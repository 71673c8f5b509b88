/*
 * header_relabel.c - charset labels in a header field mapped before
 * GMime reads it (header_relabel.h).
 *
 * The field is scanned once.  A candidate is recognised by what GMime
 * would take for one, more loosely rather than less: a label GMime would
 * not read is mapped all the same (harmless), while one it would read
 * and we missed is a name it keeps for ever.  Quotes are not tracked for
 * that reason: a quote inside a label could otherwise hide what follows.
 * Room: mime.
 */
#include "config.h"
#include "mime/header_relabel.h"
#include "text/charset_label.h"

#include <string.h>

#define NONE ((size_t)-1)

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Where the '?' of the last "?=" of the field is, or NONE: an encoded
 * word needs one after its text, and looking for it once keeps the scan
 * linear. */
static size_t last_close(const char *f, size_t len)
{
	for (size_t i = len; i >= 2; i--)
		if (f[i - 2] == '?' && f[i - 1] == '=')
			return i - 2;
	return NONE;
}

/* An encoded word at i ("=?"): its label is [*start, *end). */
static bool encoded_word(const char *f, size_t len, size_t i, size_t close, size_t *start, size_t *end)
{
	size_t j = i + 2;

	while (j < len && f[j] != '?' && !is_space(f[j]))
		j++;
	if (j + 2 >= len || f[j] != '?' || strchr("BbQq", f[j + 1]) == NULL || f[j + 1] == '\0' || f[j + 2] != '?')
		return false;
	if (close == NONE || close < j + 3)
		return false;
	*start = i + 2;
	*end = j;
	return true;
}

/* The field is a Content-Type or Content-Disposition. */
static bool has_parameters(const char *f, size_t len)
{
	const char *colon = memchr(f, ':', len);
	size_t n = colon ? (size_t)(colon - f) : 0;

	while (n > 0 && (f[n - 1] == ' ' || f[n - 1] == '\t'))
		n--;
	return (n == 12 && g_ascii_strncasecmp(f, "content-type", n) == 0) ||
	       (n == 19 && g_ascii_strncasecmp(f, "content-disposition", n) == 0);
}

/* An RFC 2231 parameter whose '=' is at i and whose value starts with
 * the charset: "name*=" or "name*0*=" (later sections have none). */
static bool extended_parameter(const char *f, size_t len, size_t i, size_t *start, size_t *end)
{
	size_t k = i, d, q;

	while (k > 0 && (f[k - 1] == ' ' || f[k - 1] == '\t'))
		k--;
	if (k < 2 || f[k - 1] != '*')
		return false;
	d = k - 1;
	while (d > 0 && g_ascii_isdigit(f[d - 1]))
		d--;
	if (d < k - 1 && d > 0 && f[d - 1] == '*')
		for (size_t s = d; s < k - 1; s++)
			if (f[s] != '0')
				return false;
	q = i + 1;
	while (q < len && is_space(f[q]))
		q++;
	if (q < len && f[q] == '"')
		q++;
	*start = q;
	/* Not past the next '=': no byte is looked at twice. */
	while (q < len && f[q] != '\'' && f[q] != ';' && f[q] != '"' && f[q] != '=' && !is_space(f[q]))
		q++;
	*end = q;
	return q < len && f[q] == '\'';
}

GString *header_relabel(const char *f, size_t len)
{
	size_t close = last_close(f, len), done = 0, start, end;
	bool params = has_parameters(f, len);
	GString *out = NULL;
	char buf[CHARSET_LABEL_MAX + 1];

	for (size_t i = 0; i + 1 < len; i++) {
		const char *name;

		if (f[i] != '=')
			continue;
		if (!(f[i + 1] == '?' && encoded_word(f, len, i, close, &start, &end)) &&
		    !(params && extended_parameter(f, len, i, &start, &end)))
			continue;
		name = charset_label_map(f + start, end - start, buf, sizeof buf);
		if (strlen(name) != end - start || g_ascii_strncasecmp(name, f + start, end - start) != 0) {
			if (out == NULL)
				out = g_string_sized_new(len + 16);
			g_string_append_len(out, f + done, (gssize)(start - done));
			g_string_append(out, name);
			done = end;
		}
		i = end - 1;
	}
	if (out)
		g_string_append_len(out, f + done, (gssize)(len - done));
	return out;
}
