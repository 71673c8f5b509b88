/*
 * html_scan.c - the HTML scanner (html_scan.h): a loop over the bytes
 * that never backtracks, so all work is linear in the part, whatever it
 * holds; tags that never close end at the end of the part.
 * Room: commands.
 */
#include "config.h"
#include "commands/html_scan.h"

#include <string.h>

bool html_name_in(const char *name, const char *const *list)
{
	for (const char *const *n = list; *n; n++)
		if (strcmp(name, *n) == 0)
			return true;
	return false;
}

static const char *const void_elements[] = {
	"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
	"source", "track", "wbr", NULL
};
/* Elements that end a line of text where they open or close. */
static const char *const block_elements[] = {
	"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "div", "dl",
	"dt", "fieldset", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head",
	"header", "html", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td",
	"tfoot", "th", "thead", "tr", "ul", NULL
};
/* Elements that show something without text: a line holding one is text. */
static const char *const embedded_elements[] = {
	"audio", "button", "canvas", "embed", "hr", "iframe", "img", "input", "math", "object",
	"picture", "select", "svg", "textarea", "video", NULL
};
/* Elements whose content is not markup. */
static const char *const raw_text_elements[] = { "script", "style", "textarea", "title", "xmp", NULL };

bool html_is_block(const char *name)
{
	return html_name_in(name, block_elements);
}

bool html_is_embedded(const char *name)
{
	return html_name_in(name, embedded_elements);
}

/* Case-insensitive search for needle in s[from, len). */
static size_t find_ci(const char *s, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = from; i + n <= len; i++)
		if (g_ascii_strncasecmp(s + i, needle, n) == 0)
			return i;
	return len;
}

static size_t find_str(const char *s, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = from; i + n <= len; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
			return i;
	return len;
}

/* End of a tag starting at pos ('<'): just after its '>', skipping
 * quoted attribute values; the end of the part when it never closes. */
static size_t tag_end(const char *s, size_t len, size_t pos)
{
	char quote = 0;

	for (size_t i = pos + 1; i < len; i++) {
		if (quote) {
			if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			quote = s[i];
		} else if (s[i] == '>') {
			return i + 1;
		}
	}
	return len;
}

static void read_tag(struct html_scan *sc, struct html_tok *t)
{
	const char *s = sc->s;
	size_t p = sc->pos + 1, n = 0;

	if (s[p] == '/') {
		t->kind = HTML_TOK_CLOSE;
		p++;
	} else {
		t->kind = HTML_TOK_OPEN;
	}
	while (p < sc->len && (g_ascii_isalnum(s[p]) || s[p] == ':' || s[p] == '-' || s[p] == '_')) {
		if (n + 1 < HTML_TAG_NAME_MAX)
			t->name[n++] = g_ascii_tolower(s[p]);
		p++;
	}
	t->name[n] = '\0';
	t->end = tag_end(s, sc->len, sc->pos);
	if (t->kind == HTML_TOK_OPEN &&
	    (html_name_in(t->name, void_elements) || (t->end >= 2 && s[t->end - 1] == '>' && s[t->end - 2] == '/')))
		t->kind = HTML_TOK_EMPTY;
	if (t->kind == HTML_TOK_OPEN && html_name_in(t->name, raw_text_elements))
		g_strlcpy(sc->raw_end, t->name, sizeof sc->raw_end);
}

/* Text up to the next '<' (and, inside <pre>, up to a newline). */
static void read_text(struct html_scan *sc, struct html_tok *t)
{
	size_t p = sc->pos + 1;

	while (p < sc->len && sc->s[p] != '<' && !(sc->pre && sc->s[p - 1] == '\n'))
		p++;
	t->kind = HTML_TOK_TEXT;
	t->end = p;
}

bool html_next(struct html_scan *sc, struct html_tok *t)
{
	const char *s = sc->s;
	size_t p = sc->pos;

	memset(t, 0, sizeof *t);
	t->start = p;
	if (p >= sc->len)
		return false;
	if (sc->raw_end[0]) {
		char close[HTML_TAG_NAME_MAX + 2];
		g_snprintf(close, sizeof close, "</%s", sc->raw_end);
		sc->raw_end[0] = '\0';
		t->end = find_ci(s, sc->len, p, close);
		t->kind = HTML_TOK_OTHER;
		if (t->end > p) {
			sc->pos = t->end;
			return true;
		}
	}
	if (s[p] == '<' && p + 3 < sc->len && strncmp(s + p, "<!--", 4) == 0) {
		size_t close = find_str(s, sc->len, p + 4, "-->");
		t->kind = HTML_TOK_OTHER;
		t->end = close < sc->len ? close + 3 : sc->len;
	} else if (s[p] == '<' && p + 1 < sc->len && (s[p + 1] == '!' || s[p + 1] == '?')) {
		t->kind = HTML_TOK_OTHER;
		t->end = tag_end(s, sc->len, p);
	} else if (s[p] == '<' && p + 1 < sc->len &&
		   (g_ascii_isalpha(s[p + 1]) || (s[p + 1] == '/' && p + 2 < sc->len && g_ascii_isalpha(s[p + 2])))) {
		read_tag(sc, t);
	} else {
		read_text(sc, t);
	}
	sc->pos = t->end;
	return true;
}

void html_text_append(GString *out, const char *s, size_t len, bool pre)
{
	static const struct { const char *name; const char *text; } entities[] = {
		{ "nbsp;", " " }, { "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" }, { "quot;", "\"" },
		{ "apos;", "'" }, { "num;", "#" }, { "colon;", ":" }, { "commat;", "@" },
	};

	for (size_t i = 0; i < len; i++) {
		const char *semi = s[i] == '&' ? memchr(s + i, ';', MIN(len - i, 12)) : NULL;
		bool done = false;

		if (semi && s[i + 1] == '#') {
			bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
			gunichar c = (gunichar)g_ascii_strtoull(s + i + (hex ? 3 : 2), NULL, hex ? 16 : 10);
			g_string_append_unichar(out, c == 0xA0 ? ' ' : (c && g_unichar_validate(c) ? c : 0xFFFD));
			i = (size_t)(semi - s);
			continue;
		}
		for (size_t e = 0; semi && !done && e < G_N_ELEMENTS(entities); e++) {
			size_t n = strlen(entities[e].name);
			if ((size_t)(semi - (s + i)) == n && strncmp(s + i + 1, entities[e].name, n) == 0) {
				g_string_append(out, entities[e].text);
				i = (size_t)(semi - s);
				done = true;
			}
		}
		if (done)
			continue;
		if (pre && s[i] == '\n')
			continue;	/* the line end itself */
		g_string_append_c(out, !pre && (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') ? ' ' : s[i]);
	}
}
