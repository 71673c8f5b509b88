/*
 * commands_strip.c - the agent's reply without its command block, for
 * the customer (commands.h).
 *
 * GMime parses the message and writes it back; only the content of the
 * body's first text/plain and text/html parts is replaced, so every
 * other part is written from its original bytes.  Those two parts are
 * decoded (transfer encoding only), cut in their own charset and handed
 * back to GMime, which encodes them again as their headers say.  Cutting
 * in the charset, instead of converting to UTF-8 and back, keeps every
 * byte after the block as it was; lines are converted only to be
 * classified.  Charsets in which ASCII is not ASCII (UTF-16, UTF-7) are
 * the exception: they go through UTF-8 and back.
 *
 * Hostile input: GMime stops nesting at 1024 levels; the walk over the
 * parts is iterative and bounded; the HTML scanner is a loop over the
 * bytes with an explicit, bounded element stack; all work is linear.
 *
 * Big messages (commands_strip_spool): GMime reads the spool with the
 * parts' contents left in the file, and the new body is written to a
 * file of its own.  A text part of such a message larger than
 * STRIP_WINDOW is decoded to a file, and only its first STRIP_WINDOW
 * bytes are read: the command block must end within them (it always
 * does in real mail); the rest of the part is copied from the file.
 * Memory stays within a few windows whatever the size of the message.
 */
#include "config.h"
#include "commands/commands.h"
#include "mime/body_parts.h"
#include "text/charset_read.h"
#include "text/header_charset.h"
#include "util/spool.h"
#include "mime/spool_stream.h"

#include <gmime/gmime.h>
#include <string.h>
#include <errno.h>

/* Open HTML elements tracked; deeper markup is left as it is. */
#define HTML_STACK_MAX 512
/* How far down the stack a closing tag looks for its element, so that
 * stray closing tags cost constant time. */
#define HTML_MATCH_DEPTH 16
/* Tokens read from the top of an HTML part before giving up on finding
 * the end of the block (about 60 bytes of memory each); real mail
 * reaches its first line of text long before. */
#define HTML_TOKENS_MAX 200000
#define TAG_NAME_MAX 24
/* Bytes of a text part read into memory to find the end of the block. */
#define STRIP_WINDOW (1024 * 1024)

/* ---- lines in the part's charset, classified in UTF-8 ---- */

struct decoder {
	/* the charset message_parse() reads the part in (charset_read.h);
	 * NULL: the bytes as UTF-8 */
	const char *charset;
};

static bool is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* The line as valid UTF-8 (g_free), read as message_parse() reads the
 * text the engine takes the commands from: control characters other
 * than tab (NUL, a CR inside the line...) are spaces.  The lines removed
 * here must be the ones the commands were read from, whatever bytes
 * they hold. */
static char *decode_line(const struct decoder *d, const char *s, size_t len)
{
	char *valid, *copy = NULL;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t') {
			if (copy == NULL)
				copy = g_memdup2(s, len);
			copy[i] = ' ';
		}
	if (copy)
		s = copy;
	valid = d->charset && !is_ascii(s, len) ? charset_read(d->charset, s, len, NULL)
						: g_utf8_make_valid(s, (gssize)len);
	g_free(copy);
	return valid;
}

static enum commands_line_kind classify(const struct decoder *d, const char *s, size_t len)
{
	char *line;
	enum commands_line_kind kind;

	line = decode_line(d, s, len);
	kind = commands_line_kind(line, strlen(line));
	g_free(line);
	return kind;
}

/* ---- text/plain ---- */

/* Where the customer's text starts: just after the block and the blank
 * lines that follow it; 0 when the top holds no command line.  *open:
 * the top ran to the end of data without a line of text (data may be
 * only the start of the part: the end of the block was not seen). */
static size_t text_block_end(const char *data, size_t len, const struct decoder *d, bool *open)
{
	size_t pos = 0, cut = 0;
	bool seen = false;

	*open = true;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t next = nl ? end + 1 : len;
		enum commands_line_kind kind = classify(d, data + pos, end - pos);

		if (kind == COMMANDS_LINE_TEXT && nl) {
			*open = false;
			break;
		}
		if (kind == COMMANDS_LINE_TEXT)
			break;	/* a line cut at the end of data: text, but is it all? */
		seen = seen || kind == COMMANDS_LINE_COMMAND;
		if (seen)
			cut = next;
		pos = next;
	}
	return cut;
}

/* The new start of a text/plain part: nothing, from *rest on. */
static GByteArray *strip_text(const char *data, size_t len, const struct decoder *d, bool whole, size_t *rest,
			      char **error)
{
	bool open;
	size_t cut = text_block_end(data, len, d, &open);

	if (open && !whole) {
		*error = g_strdup_printf("the command block of a text part does not end within its first %d bytes",
					 STRIP_WINDOW);
		return NULL;
	}
	if (cut == 0)
		return NULL;
	*rest = cut;
	return g_byte_array_new();
}

/* ---- text/html ---- */

enum tok_kind { TOK_TEXT, TOK_OPEN, TOK_CLOSE, TOK_EMPTY, TOK_OTHER };

struct html_tok {
	size_t start, end;		/* bytes [start, end) of the part */
	enum tok_kind kind;
	char name[TAG_NAME_MAX];	/* lower-case tag name, "" for text */
	int line;			/* index of its line, -1 for none */
	bool blank;			/* text: white space only, as rendered */
	bool deleted;
	guint skip_to;			/* open tag of a removed element: the token after it */
};

struct html_scan {
	const char *s;
	size_t len, pos;
	char raw_end[TAG_NAME_MAX];	/* inside <style>, <script>...: their name */
	bool pre;			/* inside <pre>: newlines end lines */
};

static bool name_in(const char *name, const char *const *list)
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
/* Containers that may go once the command lines in them are gone; never
 * structure such as <body> or table cells. */
static const char *const removable_elements[] = {
	"a", "b", "big", "center", "code", "del", "div", "em", "font", "h1", "h2", "h3", "h4", "h5",
	"h6", "i", "ins", "li", "mark", "o:p", "ol", "p", "pre", "s", "small", "span", "strike",
	"strong", "sub", "sup", "tt", "u", "ul", NULL
};

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
		t->kind = TOK_CLOSE;
		p++;
	} else {
		t->kind = TOK_OPEN;
	}
	while (p < sc->len && (g_ascii_isalnum(s[p]) || s[p] == ':' || s[p] == '-' || s[p] == '_')) {
		if (n + 1 < TAG_NAME_MAX)
			t->name[n++] = g_ascii_tolower(s[p]);
		p++;
	}
	t->name[n] = '\0';
	t->end = tag_end(s, sc->len, sc->pos);
	if (t->kind == TOK_OPEN && (name_in(t->name, void_elements) || (t->end >= 2 && s[t->end - 1] == '>' &&
									 s[t->end - 2] == '/')))
		t->kind = TOK_EMPTY;
	if (t->kind == TOK_OPEN && name_in(t->name, raw_text_elements))
		g_strlcpy(sc->raw_end, t->name, sizeof sc->raw_end);
}

/* Text up to the next '<' (and, inside <pre>, up to a newline). */
static void read_text(struct html_scan *sc, struct html_tok *t)
{
	size_t p = sc->pos + 1;

	while (p < sc->len && sc->s[p] != '<' && !(sc->pre && sc->s[p - 1] == '\n'))
		p++;
	t->kind = TOK_TEXT;
	t->end = p;
}

/* The next token; false at the end of the part. */
static bool html_next(struct html_scan *sc, struct html_tok *t)
{
	const char *s = sc->s;
	size_t p = sc->pos;

	memset(t, 0, sizeof *t);
	t->start = p;
	t->line = -1;
	if (p >= sc->len)
		return false;
	if (sc->raw_end[0]) {
		char close[TAG_NAME_MAX + 2];
		g_snprintf(close, sizeof close, "</%s", sc->raw_end);
		sc->raw_end[0] = '\0';
		t->end = find_ci(s, sc->len, p, close);
		t->kind = TOK_OTHER;
		if (t->end > p) {
			sc->pos = t->end;
			return true;
		}
	}
	if (s[p] == '<' && p + 3 < sc->len && strncmp(s + p, "<!--", 4) == 0) {
		size_t close = find_str(s, sc->len, p + 4, "-->");
		t->kind = TOK_OTHER;
		t->end = close < sc->len ? close + 3 : sc->len;
	} else if (s[p] == '<' && p + 1 < sc->len && (s[p + 1] == '!' || s[p + 1] == '?')) {
		t->kind = TOK_OTHER;
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

/* Appends the rendered text of UTF-8 HTML text: entities decoded (those
 * a command or a blank line can hold), source line breaks as spaces. */
static void append_html_text(GString *out, const char *s, size_t len, bool pre)
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

/* Lines of the top of an HTML part, as a reader sees them. */
struct html_lines {
	GArray *toks;			/* struct html_tok */
	GArray *kinds;			/* enum commands_line_kind, one per line */
	GString *text;			/* the open line's text, UTF-8 */
	int open;			/* index of the open line, -1 for none */
	bool opaque;			/* the open line shows an image or the like:
					 * text, whatever it says */
};

static void line_touch(struct html_lines *hl, struct html_tok *t)
{
	if (hl->open < 0) {
		hl->open = (int)hl->kinds->len;
		g_string_truncate(hl->text, 0);
		hl->opaque = false;
	}
	t->line = hl->open;
}

/* Ends the open line; returns its kind (BLANK when none was open). */
static enum commands_line_kind line_end(struct html_lines *hl)
{
	enum commands_line_kind kind;

	if (hl->open < 0)
		return COMMANDS_LINE_BLANK;
	kind = hl->opaque ? COMMANDS_LINE_TEXT : commands_line_kind(hl->text->str, hl->text->len);
	g_array_append_val(hl->kinds, kind);
	hl->open = -1;
	return kind;
}

/* Places one token in the lines; returns the kind of a line it ended. */
static enum commands_line_kind html_place(struct html_lines *hl, struct html_tok *t, struct html_scan *sc,
					  const struct decoder *d, bool *in_head)
{
	const char *raw = sc->s + t->start;
	size_t len = t->end - t->start;

	if (t->kind == TOK_OPEN && strcmp(t->name, "head") == 0)
		*in_head = true;
	else if ((t->kind == TOK_CLOSE && strcmp(t->name, "head") == 0) || (t->kind == TOK_OPEN && strcmp(t->name, "body") == 0))
		*in_head = false;
	if (*in_head || t->kind == TOK_OTHER)
		return COMMANDS_LINE_BLANK;
	if (t->kind == TOK_TEXT) {
		char *utf8 = decode_line(d, raw, len);
		size_t before;

		line_touch(hl, t);
		before = hl->text->len;
		append_html_text(hl->text, utf8, strlen(utf8), sc->pre);
		t->blank = commands_line_kind(hl->text->str + before, hl->text->len - before) == COMMANDS_LINE_BLANK;
		g_free(utf8);
		return sc->pre && raw[len - 1] == '\n' ? line_end(hl) : COMMANDS_LINE_BLANK;
	}
	if (strcmp(t->name, "br") == 0) {
		line_touch(hl, t);
		return line_end(hl);
	}
	if (name_in(t->name, block_elements)) {
		if (strcmp(t->name, "pre") == 0)
			sc->pre = t->kind == TOK_OPEN;
		return line_end(hl);
	}
	if (t->kind != TOK_CLOSE && name_in(t->name, embedded_elements)) {
		line_touch(hl, t);
		hl->opaque = true;
	}
	return COMMANDS_LINE_BLANK;
}

/* Reads tokens up to the end of the first line of text; false when no
 * command line came before it, or when the markup before that line is
 * longer than HTML_TOKENS_MAX tokens (*too_long). */
static bool html_scan_top(struct html_scan *sc, struct html_lines *hl, const struct decoder *d, bool *too_long)
{
	struct html_tok t;
	bool in_head = false, seen = false;

	while (html_next(sc, &t)) {
		enum commands_line_kind ended;
		if (hl->toks->len >= HTML_TOKENS_MAX) {
			*too_long = true;
			return false;
		}
		g_array_append_val(hl->toks, t);
		ended = html_place(hl, &g_array_index(hl->toks, struct html_tok, hl->toks->len - 1), sc, d, &in_head);
		seen = seen || ended == COMMANDS_LINE_COMMAND;
		if (ended == COMMANDS_LINE_TEXT)
			return seen;
	}
	return line_end(hl) == COMMANDS_LINE_COMMAND || seen;
}

struct frame {
	guint open;			/* token index of the open tag */
	char name[TAG_NAME_MAX];
	bool removed;			/* something in it was removed */
	bool content;			/* something in it is still shown */
};

/* Closes the top element at token `last`: removes it when removing
 * lines left it empty, and tells its parent what it holds. */
static void frame_pop(GArray *stack, struct html_tok *toks, guint last)
{
	struct frame f = g_array_index(stack, struct frame, stack->len - 1);
	struct frame *parent;

	g_array_set_size(stack, stack->len - 1);
	parent = &g_array_index(stack, struct frame, stack->len - 1);
	if (f.removed && !f.content && name_in(f.name, removable_elements)) {
		toks[f.open].skip_to = last + 1;
		parent->removed = true;
		return;
	}
	parent->removed = parent->removed || f.removed;
	parent->content = parent->content || f.content;
}

static void frame_push(GArray *stack, guint open, const char *name)
{
	struct frame f = { .open = open };

	g_strlcpy(f.name, name, sizeof f.name);
	g_array_append_val(stack, f);
}

static bool closes_paragraph(const char *name)
{
	return strcmp(name, "li") != 0 && strcmp(name, "td") != 0 && strcmp(name, "th") != 0 &&
	       strcmp(name, "tr") != 0 && name_in(name, block_elements);
}

/* Closing tag at i: pops up to its element, or ignores a stray one. */
static void frame_close(GArray *stack, struct html_tok *toks, guint i)
{
	for (guint depth = 1; depth < stack->len && depth <= HTML_MATCH_DEPTH; depth++) {
		if (strcmp(g_array_index(stack, struct frame, stack->len - depth).name, toks[i].name) == 0) {
			while (--depth > 0)
				frame_pop(stack, toks, i - 1);	/* closed implicitly */
			frame_pop(stack, toks, i);
			return;
		}
	}
}

/* Marks the elements emptied by the removal of lines, innermost first. */
static void html_remove_empty(struct html_tok *toks, guint n)
{
	GArray *stack = g_array_new(FALSE, TRUE, sizeof(struct frame));

	frame_push(stack, 0, "");	/* the document: never removed */
	for (guint i = 0; i < n; i++) {
		struct html_tok *t = &toks[i];
		struct frame *top = &g_array_index(stack, struct frame, stack->len - 1);

		if (t->kind == TOK_TEXT || strcmp(t->name, "br") == 0) {
			top->removed = top->removed || t->deleted;
			top->content = top->content || (!t->deleted && t->kind == TOK_TEXT && !t->blank);
		} else if (t->kind != TOK_CLOSE && name_in(t->name, embedded_elements)) {
			top->content = true;
		}
		if (t->kind == TOK_OPEN && stack->len >= HTML_STACK_MAX)
			break;	/* too deep to follow: leave the rest as it is */
		if (t->kind == TOK_OPEN) {
			/* A block start ends an open <p>; a new <li> ends the last. */
			if ((strcmp(top->name, "p") == 0 && closes_paragraph(t->name)) ||
			    (strcmp(top->name, "li") == 0 && strcmp(t->name, "li") == 0))
				frame_pop(stack, toks, i - 1);
			frame_push(stack, i, t->name);
		} else if (t->kind == TOK_CLOSE && strcmp(t->name, "br") != 0) {
			frame_close(stack, toks, i);
		}
	}
	g_array_free(stack, TRUE);
}

/* The new start of an HTML part: the markup before its first line of
 * text without the block, then the part from *rest on. */
static GByteArray *strip_html(const char *data, size_t len, const struct decoder *d, bool whole, size_t *rest,
			      char **error)
{
	struct html_scan sc = { .s = data, .len = len };
	struct html_lines hl = { .open = -1 };
	GByteArray *out = NULL;
	bool too_long = false;

	hl.toks = g_array_new(FALSE, TRUE, sizeof(struct html_tok));
	hl.kinds = g_array_new(FALSE, FALSE, sizeof(enum commands_line_kind));
	hl.text = g_string_new(NULL);
	bool found = html_scan_top(&sc, &hl, d, &too_long);

	if (!too_long && !whole && sc.pos >= len) {
		/* Ran to the end of the window: the top may go on after it. */
		*error = g_strdup_printf("the command block of an HTML part does not end within its first %d bytes",
					 STRIP_WINDOW);
	} else if (found) {
		struct html_tok *toks = (struct html_tok *)(void *)hl.toks->data;
		guint n = hl.toks->len;

		/* Every line before the first line of text is blank or a
		 * command: its text and <br> go, then what they leave empty. */
		for (guint i = 0; i < n; i++)
			toks[i].deleted = toks[i].line >= 0 && toks[i].line < (int)hl.kinds->len &&
					  g_array_index(hl.kinds, enum commands_line_kind, toks[i].line) != COMMANDS_LINE_TEXT &&
					  (toks[i].kind == TOK_TEXT || strcmp(toks[i].name, "br") == 0);
		html_remove_empty(toks, n);
		out = g_byte_array_sized_new((guint)sc.pos);
		for (guint i = 0; i < n; i++) {
			if (toks[i].skip_to > i) {
				i = toks[i].skip_to - 1;
				continue;
			}
			if (!toks[i].deleted)
				g_byte_array_append(out, (const guint8 *)data + toks[i].start,
						    (guint)(toks[i].end - toks[i].start));
		}
		*rest = sc.pos;
	}
	if (too_long)
		*error = g_strdup("an HTML part has too much markup before its first line of text");
	g_array_free(hl.toks, TRUE);
	g_array_free(hl.kinds, TRUE);
	g_string_free(hl.text, TRUE);
	return out;
}

/* ---- charsets ---- */

/* True when the charset writes ASCII as ASCII, so that lines can be cut
 * in it; also for charsets iconv does not know (bytes as they are). */
static bool ascii_compatible(const char *iconv_name)
{
	static const char probe[] = "#az \r\n<>&;";
	gsize n = 0;
	char *conv = g_convert(probe, -1, iconv_name, "UTF-8", NULL, &n, NULL);
	bool same = conv == NULL || (n == strlen(probe) && memcmp(conv, probe, n) == 0);

	g_free(conv);
	return same;
}

/* The new start of the part and where the rest of it resumes (*rest);
 * NULL when the part does not start with command lines. */
static GByteArray *strip_bytes(const char *data, size_t len, bool html, const struct decoder *d, bool whole,
			       size_t *rest, char **error)
{
	return html ? strip_html(data, len, d, whole, rest, error) : strip_text(data, len, d, whole, rest, error);
}

/* The same in the part's charset: data is the decoded part (whole) or
 * its first STRIP_WINDOW bytes.  A charset in which ASCII is not ASCII
 * is converted as a whole, so its part must be whole. */
static GByteArray *strip_in_charset(const char *data, size_t len, const char *label, const GString *hint, bool html,
				    bool whole, size_t *rest, char **error)
{
	/* The charset message_parse() reads the part in: the same choice. */
	const char *charset = charset_read_choose(label, data, len, hint->str, hint->len);
	const char *name = g_mime_charset_iconv_name(charset);
	struct decoder d = { NULL };
	char *utf8, *back;
	gsize n = 0, m = 0;
	size_t urest = 0;
	GByteArray *out;

	if (len == 0)
		return NULL;
	if (charset_is_ascii(charset) || g_ascii_strcasecmp(name, "UTF-8") == 0 || ascii_compatible(name)) {
		d.charset = charset_is_ascii(charset) || g_ascii_strcasecmp(name, "UTF-8") == 0 ? NULL : charset;
		return strip_bytes(data, len, html, &d, whole, rest, error);
	}
	if (!whole) {
		*error = g_strdup_printf("a %s text part over %d bytes cannot be rewritten", charset, STRIP_WINDOW);
		return NULL;
	}
	utf8 = g_convert(data, (gssize)len, "UTF-8", name, NULL, &n, NULL);
	if (utf8 == NULL) {
		*error = g_strdup_printf("a %s text part does not convert to UTF-8", charset);
		return NULL;
	}
	out = strip_bytes(utf8, n, html, &d, true, &urest, error);
	if (out)
		g_byte_array_append(out, (const guint8 *)utf8 + urest, (guint)(n - urest));
	g_free(utf8);
	*rest = len;	/* the new content is all in out */
	if (out == NULL || out->len == 0)
		return out;
	back = g_convert((const char *)out->data, out->len, name, "UTF-8", NULL, &m, NULL);
	g_byte_array_free(out, TRUE);
	if (back == NULL) {
		*error = g_strdup_printf("a text part does not convert back to %s", charset);
		return NULL;
	}
	return g_byte_array_new_take((guint8 *)back, m);
}

/* ---- MIME ---- */

/* Where a rewrite writes its scratch files, and what must live until
 * the new body is written (substreams do not hold their parent). */
struct strip_ctx {
	const char *dir;
	bool in_memory;			/* the message is in memory: so are its parts */
	GPtrArray *keep;		/* GMimeStream * */
	GString *hint;			/* raw 8-bit header text (header_charset.h) */
};

/* The decoded content of a part: in memory when small, else in a
 * scratch file.  NULL with *error when the file cannot be made. */
static GMimeStream *decode_part(GMimeDataWrapper *content, struct strip_ctx *cx, char **error)
{
	gint64 encoded = g_mime_stream_length(g_mime_data_wrapper_get_stream(content));
	GMimeStream *decoded;

	/* Decoding never makes base64, quoted-printable or 8bit longer. */
	if (cx->in_memory || (encoded >= 0 && encoded <= STRIP_WINDOW)) {
		decoded = g_mime_stream_mem_new();
	} else {
		int fd = spool_tmpfile(cx->dir, error);
		if (fd < 0)
			return NULL;
		decoded = g_mime_stream_fs_new(fd);
	}
	if (g_mime_data_wrapper_write_to_stream(content, decoded) < 0) {
		*error = g_strdup("a text part cannot be decoded");
		g_object_unref(decoded);
		return NULL;
	}
	g_mime_stream_flush(decoded);
	g_mime_stream_reset(decoded);
	return decoded;
}

/* Replaces the part's content when it starts with command lines. */
static bool strip_part(GMimePart *part, bool html, struct strip_ctx *cx, char **error)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	const char *charset = body_parts_charset(part);
	GMimeStream *decoded, *stream;
	GByteArray *window, *stripped;
	GMimeDataWrapper *wrapper;
	gint64 total;
	size_t rest = 0;
	bool whole;

	if (content == NULL || (decoded = decode_part(content, cx, error)) == NULL)
		return false;
	total = g_mime_stream_length(decoded);
	if (GMIME_IS_STREAM_MEM(decoded)) {
		/* Whole: a part in memory is no bigger than its message. */
		window = g_byte_array_ref(g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(decoded)));
	} else {
		char chunk[65536];
		gssize n;
		window = g_byte_array_new();
		while (window->len < STRIP_WINDOW &&
		       (n = g_mime_stream_read(decoded, chunk, MIN(sizeof chunk, STRIP_WINDOW - window->len))) > 0)
			g_byte_array_append(window, (const guint8 *)chunk, (guint)n);
	}
	whole = total >= 0 && (gint64)window->len >= total;
	stripped = strip_in_charset((const char *)window->data, window->len, charset, cx->hint, html, whole, &rest, error);
	if (stripped == NULL) {
		g_byte_array_unref(window);
		g_object_unref(decoded);
		return false;
	}
	if (whole) {
		g_byte_array_append(stripped, window->data + MIN(rest, window->len),
				    (guint)(window->len - MIN(rest, window->len)));
		stream = g_mime_stream_mem_new_with_byte_array(stripped);
	} else {
		/* The new start, then the rest of the part from its file. */
		GMimeStream *head = g_mime_stream_mem_new_with_byte_array(stripped);
		GMimeStream *tail = g_mime_stream_substream(decoded, (gint64)rest, total);
		stream = g_mime_stream_cat_new();
		g_mime_stream_cat_add_source(GMIME_STREAM_CAT(stream), head);
		g_mime_stream_cat_add_source(GMIME_STREAM_CAT(stream), tail);
		g_object_unref(head);
		g_object_unref(tail);
	}
	g_byte_array_unref(window);
	g_ptr_array_add(cx->keep, decoded);
	/* The part keeps its Content-Transfer-Encoding header: GMime
	 * encodes the new content that way when the part is written. */
	wrapper = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, wrapper);
	g_object_unref(wrapper);
	g_object_unref(stream);
	return true;
}

static GMimeMessage *parse_message(GMimeStream *stream)
{
	GMimeParserOptions *options = g_mime_parser_options_new();
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *mm;

	g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	/* Contents stay in the input; only the rewritten parts are copied. */
	g_mime_parser_set_persist_stream(parser, TRUE);
	mm = g_mime_parser_construct_message(parser, options);
	g_object_unref(parser);
	g_mime_parser_options_free(options);
	return mm;
}

/* The content of the top-level part without its headers, with the line
 * ends of the input (GMime reads CRLF as LF): in memory, or in a
 * scratch file mapped read-only when to_file. */
static GBytes *write_body(GMimeObject *top, bool crlf, bool to_file, struct strip_ctx *cx, char **error)
{
	GMimeStream *sink, *out;
	GBytes *body = NULL;
	int fd = -1;

	if (to_file) {
		if ((fd = spool_tmpfile(cx->dir, error)) < 0)
			return NULL;
		sink = g_mime_stream_fs_new(fd);
	} else {
		sink = g_mime_stream_mem_new();
	}
	out = sink;
	if (crlf) {
		GMimeFilter *filter = g_mime_filter_unix2dos_new(FALSE);
		out = g_mime_stream_filter_new(sink);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(out), filter);
		g_object_unref(filter);
	}
	if (g_mime_object_write_content_to_stream(top, NULL, out) < 0 || g_mime_stream_flush(out) != 0) {
		*error = g_strdup_printf("writing the new body: %s", to_file ? g_strerror(errno) : "failed");
	} else if (to_file) {
		GError *gerr = NULL;
		GMappedFile *map = g_mapped_file_new_from_fd(fd, FALSE, &gerr);
		if (map) {
			body = g_mapped_file_get_bytes(map);
			g_mapped_file_unref(map);
		} else {
			*error = g_strdup_printf("mapping the new body: %s", gerr->message);
			g_error_free(gerr);
		}
	} else {
		GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(sink));
		body = g_bytes_new(bytes->data, bytes->len);
	}
	if (out != sink)
		g_object_unref(out);
	g_object_unref(sink);
	return body;
}

static bool input_uses_crlf(const char *raw, size_t len)
{
	const char *nl = memchr(raw, '\n', len);

	return nl && nl > raw && nl[-1] == '\r';
}

/* The rewrite of the message read from stream (see commands.h). */
/* Whether the message holds a NUL byte; reads it through in chunks and
 * leaves the stream where it was. */
static bool stream_has_nul(GMimeStream *stream)
{
	gint64 at = g_mime_stream_tell(stream);
	char chunk[8192];
	ssize_t n;
	bool found = false;

	if (g_mime_stream_reset(stream) != 0)
		return false;
	while (!found && (n = g_mime_stream_read(stream, chunk, sizeof chunk)) > 0)
		found = memchr(chunk, '\0', (size_t)n) != NULL;
	g_mime_stream_seek(stream, at, GMIME_STREAM_SEEK_SET);
	return found;
}

static GBytes *strip_stream(GMimeStream *stream, bool crlf, bool to_file, const char *dir,
			    const struct command_block *block, char **error)
{
	struct strip_ctx cx = { dir ? dir : g_get_tmp_dir(), !to_file, g_ptr_array_new_with_free_func(g_object_unref),
				NULL };
	struct body_parts found;
	GMimeMessage *mm;
	GMimeObject *top;
	GBytes *body = NULL;
	char *why = NULL;
	bool changed = false;

	if (error)
		*error = NULL;
	if (commands_block_is_empty(block) || stream == NULL) {
		g_ptr_array_free(cx.keep, TRUE);
		return NULL;
	}
	mm = parse_message(stream);
	top = mm ? g_mime_message_get_mime_part(mm) : NULL;
	cx.hint = header_charset_sample(mm);
	if (mm == NULL)
		why = g_strdup("the message does not parse");
	else if (top && GMIME_IS_MULTIPART(top) && g_mime_object_get_content_type_parameter(top, "boundary") == NULL)
		why = g_strdup("the top-level multipart has no boundary");
	/* GMime keeps a header up to a NUL and writes it back without its
	 * line end, merging it with the next: the parts would change. */
	else if (stream_has_nul(stream))
		why = g_strdup("the message holds NUL bytes");
	if (why == NULL && top) {
		body_parts_find(top, &found);
		/* Changing them would break the signature. */
		if ((found.plain && found.plain_sealed) || (found.html && found.html_sealed))
			why = g_strdup("the body is signed or encrypted");
		if (found.plain && why == NULL)
			changed = strip_part(found.plain, false, &cx, &why);
		if (found.html && why == NULL)
			changed = strip_part(found.html, true, &cx, &why) || changed;
	}
	if (changed && why == NULL)
		body = write_body(top, crlf, to_file, &cx, &why);
	if (error)
		*error = why;
	else
		g_free(why);
	if (mm)
		g_object_unref(mm);
	g_string_free(cx.hint, TRUE);
	g_ptr_array_free(cx.keep, TRUE);
	return body;
}

GBytes *commands_strip_body(const char *raw, size_t len, const struct command_block *block, char **error)
{
	GMimeStream *stream;
	GBytes *body;

	if (error)
		*error = NULL;
	if (commands_block_is_empty(block) || raw == NULL)
		return NULL;
	stream = g_mime_stream_mem_new_with_buffer(raw, len);
	body = strip_stream(stream, input_uses_crlf(raw, len), false, NULL, block, error);
	g_object_unref(stream);
	return body;
}

GBytes *commands_strip_spool(struct spool *sp, const char *dir, const struct command_block *block, char **error)
{
	GMimeStream *stream;
	GBytes *body;

	if (error)
		*error = NULL;
	if (commands_block_is_empty(block) || sp == NULL)
		return NULL;
	if (spool_truncated(sp)) {
		if (error)
			*error = g_strdup("the message is larger than max-message-size and was not kept whole");
		return NULL;
	}
	stream = spool_stream_new(sp);
	if (stream == NULL) {
		if (error)
			*error = g_strdup_printf("reading the spool: %s", g_strerror(errno));
		return NULL;
	}
	body = strip_stream(stream, spool_uses_crlf(sp), spool_fd(sp) >= 0, dir, block, error);
	g_object_unref(stream);
	return body;
}
