/*
 * text.c - plain-text excerpts from message bodies (see text.h).
 * Room: text.
 */
#include "config.h"
#include "text/text.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

char *text_sanitize(const char *s, long len)
{
	char *valid = g_utf8_make_valid(s ? s : "", s ? len : 0);
	GString *out = g_string_sized_new(strlen(valid));

	for (const char *p = valid; *p; p++) {
		if (*p == '\r') {
			if (p[1] != '\n')
				g_string_append_c(out, '\n');
		} else if (*p == '\n' || *p == '\t' || (unsigned char)*p >= 0x20) {
			g_string_append_c(out, *p);
		} else {
			g_string_append_c(out, ' ');
		}
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}

struct entity { const char *name; const char *utf8; };

static const struct entity entities[] = {
	{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
	{ "nbsp", " " }, { "copy", "©" }, { "reg", "®" }, { "euro", "€" }, { "hellip", "…" },
	{ "ndash", "–" }, { "mdash", "—" }, { "laquo", "«" }, { "raquo", "»" },
	{ "auml", "ä" }, { "ouml", "ö" }, { "uuml", "ü" }, { "Auml", "Ä" }, { "Ouml", "Ö" },
	{ "Uuml", "Ü" }, { "szlig", "ß" }, { "eacute", "é" }, { "egrave", "è" }, { "agrave", "à" },
	{ "ccedil", "ç" }, { "rsquo", "’" }, { "lsquo", "‘" }, { "rdquo", "”" }, { "ldquo", "“" },
};

/* Longest entity name looked at: HTML's longest has 31 letters, and a
 * number is shorter. */
#define ENTITY_NAME_MAX 32

/* Decodes the entity at p (just after '&'); returns bytes consumed or 0.
 * Only letters, digits and a leading '#' can come before the ';', and no
 * more than ENTITY_NAME_MAX of them: a '&' costs constant time, not a
 * search of the rest of the part (512 KB of '&' took 1.9 s). */
static size_t decode_entity(const char *p, GString *out)
{
	size_t n = 0;
	const char *semi;

	while (n < ENTITY_NAME_MAX && (g_ascii_isalnum(p[n]) || (n == 0 && p[n] == '#')))
		n++;
	if (n == 0 || p[n] != ';')
		return 0;
	semi = p + n;
	if (*p == '#') {
		gunichar c = (gunichar)(p[1] == 'x' || p[1] == 'X' ? g_ascii_strtoull(p + 2, NULL, 16)
								  : g_ascii_strtoull(p + 1, NULL, 10));
		if (c == 0 || !g_unichar_validate(c) || c < 0x20)
			c = ' ';
		g_string_append_unichar(out, c);
		return (size_t)(semi - p + 1);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(entities); i++)
		if (strncmp(p, entities[i].name, (size_t)(semi - p)) == 0 &&
		    strlen(entities[i].name) == (size_t)(semi - p)) {
			g_string_append(out, entities[i].utf8);
			return (size_t)(semi - p + 1);
		}
	return 0;
}

static bool tag_is(const char *tag, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len >= n && g_ascii_strncasecmp(tag, name, n) == 0 &&
	       (len == n || tag[n] == ' ' || tag[n] == '/' || tag[n] == '\t' || tag[n] == '\n');
}

char *text_one_line(const char *s)
{
	char *out = text_sanitize(s, -1);

	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return out;
}

char *text_from_html(const char *html)
{
	GString *out = g_string_sized_new(strlen(html) / 2);
	int skip_depth = 0;	/* inside script/style/head/blockquote */
	int pre_depth = 0;	/* inside <pre>: its line breaks are lines */

	for (const char *p = html; *p;) {
		if (*p == '<') {
			const char *end = strchr(p, '>');
			const char *tag = p + 1;
			bool closing = *tag == '/';
			size_t len;

			if (end == NULL)
				break;
			if (closing)
				tag++;
			len = (size_t)(end - tag);
			if (tag_is(tag, len, "script") || tag_is(tag, len, "style") ||
			    tag_is(tag, len, "head") || tag_is(tag, len, "blockquote"))
				skip_depth += closing ? (skip_depth > 0 ? -1 : 0) : 1;
			else if (tag_is(tag, len, "pre")) {
				pre_depth += closing ? (pre_depth > 0 ? -1 : 0) : 1;
				if (skip_depth == 0)
					g_string_append_c(out, '\n');
			} else if (tag_is(tag, len, "br") || tag_is(tag, len, "p") || tag_is(tag, len, "div") ||
				 tag_is(tag, len, "tr") || tag_is(tag, len, "li") || tag_is(tag, len, "h1") ||
				 tag_is(tag, len, "h2") || tag_is(tag, len, "h3") || tag_is(tag, len, "table"))
				if (skip_depth == 0)
					g_string_append_c(out, '\n');
			p = end + 1;
			continue;
		}
		if (skip_depth > 0) {
			p++;
			continue;
		}
		if (*p == '&') {
			size_t n = decode_entity(p + 1, out);
			if (n) {
				p += n + 1;
				continue;
			}
		}
		if (pre_depth > 0 && (*p == '\n' || *p == '\r')) {
			/* As a reader sees <pre>, and as commands_strip.c reads it. */
			if (*p == '\n')
				g_string_append_c(out, '\n');
		} else if (*p == '\n' || *p == '\r' || *p == '\t') {
			/* HTML source line breaks are spaces. */
			if (out->len && out->str[out->len - 1] != ' ' && out->str[out->len - 1] != '\n')
				g_string_append_c(out, ' ');
		} else {
			g_string_append_c(out, *p);
		}
		p++;
	}
	return g_string_free(out, FALSE);
}

/* Lines that introduce quoted history in the clients people use. */
static bool is_reply_header(const char *line)
{
	static const char *const separators[] = {
		"-----Original Message-----", "-----Ursprüngliche Nachricht-----",
		"-----Message d'origine-----", "-----Mensaje original-----",
		"-----Messaggio originale-----", "-----Oorspronkelijk bericht-----",
		"-----Původní zpráva-----", "-----Original Nachricht-----",
		"________________________________", "---------- Forwarded message",
		"Begin forwarded message:",
	};
	/* "On <date>, <name> wrote:", "Am <date> schrieb <name>:", ... */
	static const struct { const char *start, *word; } intro[] = {
		{ "On ", "wrote" }, { "Am ", "schrieb" }, { "Le ", "a écrit" }, { "El ", "escribió" },
		{ "Il ", "ha scritto" }, { "Op ", "schreef" }, { "Em ", "escreveu" }, { "W dniu ", "pisze" },
		{ "Den ", "skrev" }, { "", "yazdı" }, { "", "написал" }, { "", "님이 작성" },
		{ "", "のメッセージ" }, { "", "写道" }, { "", "كتب" },
	};
	size_t len = strlen(line);
	const char *colon_ascii = ":", *colon_wide = "：";

	for (size_t i = 0; i < G_N_ELEMENTS(separators); i++)
		if (g_str_has_prefix(line, separators[i]))
			return true;
	if (len == 0 || !(g_str_has_suffix(line, colon_ascii) || g_str_has_suffix(line, colon_wide)))
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(intro); i++)
		if (g_str_has_prefix(line, intro[i].start) && strstr(line, intro[i].word))
			return true;
	return false;
}

char *text_trim_reply(const char *text)
{
	char **lines = g_strsplit(text, "\n", -1);
	GString *out = g_string_sized_new(strlen(text));

	for (char **l = lines; *l; l++) {
		char *line = *l;
		char *stripped = g_strstrip(g_strdup(line));
		bool stop = false;

		if (strcmp(line, "-- ") == 0 || strcmp(line, "--") == 0 || is_reply_header(stripped))
			stop = true;
		/* Outlook: "From: ..." followed shortly by "Sent: ..." */
		else if ((g_str_has_prefix(stripped, "From:") || g_str_has_prefix(stripped, "Von:") ||
			  g_str_has_prefix(stripped, "De :") || g_str_has_prefix(stripped, "De:")) &&
			 l[1] && (g_str_has_prefix(l[1], "Sent:") || g_str_has_prefix(l[1], "Gesendet:") ||
				  g_str_has_prefix(l[1], "Envoyé :") || g_str_has_prefix(l[1], "Enviado:") ||
				  g_str_has_prefix(l[1], "Date:")))
			stop = true;
		g_free(stripped);
		if (stop)
			break;
		if (line[0] == '>')
			continue;
		g_string_append(out, line);
		g_string_append_c(out, '\n');
	}
	g_strfreev(lines);
	return g_string_free(out, FALSE);
}

char *text_bound(const char *text, size_t max_bytes)
{
	const char *start = text, *end;
	GString *out;
	int newlines = 0;

	while (*start == '\n' || *start == ' ' || *start == '\t')
		start++;
	end = start + strlen(start);
	if ((size_t)(end - start) > max_bytes) {
		end = start + max_bytes;
		/* Back up to the start of the character that does not fit. */
		while (end > start && ((unsigned char)*end & 0xC0) == 0x80)
			end--;
	}
	while (end > start && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	/* Collapse runs of blank lines: they carry nothing in an excerpt. */
	out = g_string_sized_new((gsize)(end - start));
	for (const char *p = start; p < end; p++) {
		if (*p == '\n') {
			if (++newlines > 2)
				continue;
		} else if (*p != ' ' && *p != '\t') {
			newlines = 0;
		}
		g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

size_t text_whole_chars(const char *s, size_t len)
{
	size_t i = len;
	unsigned char lead;
	size_t want;

	while (i > 0 && len - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return len;
	lead = (unsigned char)s[i - 1];
	want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	return lead >= 0xC0 && len - (i - 1) < want ? i - 1 : len;
}
