/*
 * commands_cut.c - the command block cut from the top of one text part
 * (commands_cut.h).
 *
 * Hostile input: the HTML scanner (html_scan.c) is linear, the element
 * stack here explicit and bounded, and the tokens read before the first
 * line of text are bounded too.
 * Room: commands.
 */
#include "config.h"
#include "commands/commands.h"
#include "commands/commands_cut.h"
#include "commands/html_scan.h"
#include "text/charset_read.h"

#include <string.h>

/* Open HTML elements tracked; deeper markup is left as it is. */
#define HTML_STACK_MAX 512
/* How far down the stack a closing tag looks for its element, so that
 * stray closing tags cost constant time. */
#define HTML_MATCH_DEPTH 16
/* Tokens read from the top of an HTML part before giving up on finding
 * the end of the block (about 60 bytes of memory each); real mail
 * reaches its first line of text long before. */
#define HTML_TOKENS_MAX 200000

/* ---- lines in the part's charset, classified in UTF-8 ---- */

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
static char *decode_line(const struct line_decoder *d, const char *s, size_t len)
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

static enum commands_line_kind classify(const struct line_decoder *d, const char *s, size_t len)
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
static size_t text_block_end(const char *data, size_t len, const struct line_decoder *d, bool *open)
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
static GByteArray *strip_text(const char *data, size_t len, const struct line_decoder *d, bool whole, size_t *rest,
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

/* Containers that may go once the command lines in them are gone; never
 * structure such as <body> or table cells. */
static const char *const removable_elements[] = {
	"a", "b", "big", "center", "code", "del", "div", "em", "font", "h1", "h2", "h3", "h4", "h5",
	"h6", "i", "ins", "li", "mark", "o:p", "ol", "p", "pre", "s", "small", "span", "strike",
	"strong", "sub", "sup", "tt", "u", "ul", NULL
};

/* A token of the top of an HTML part, with its place in the lines. */
struct line_tok {
	struct html_tok tok;
	int line;			/* index of its line, -1 for none */
	bool blank;			/* text: white space only, as rendered */
	bool deleted;
	guint skip_to;			/* open tag of a removed element: the token after it */
};

/* Lines of the top of an HTML part, as a reader sees them. */
struct html_lines {
	GArray *toks;			/* struct line_tok */
	GArray *kinds;			/* enum commands_line_kind, one per line */
	GString *text;			/* the open line's text, UTF-8 */
	int open;			/* index of the open line, -1 for none */
	bool opaque;			/* the open line shows an image or the like:
					 * text, whatever it says */
};

static void line_touch(struct html_lines *hl, struct line_tok *t)
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
static enum commands_line_kind html_place(struct html_lines *hl, struct line_tok *lt, struct html_scan *sc,
					  const struct line_decoder *d, bool *in_head)
{
	const struct html_tok *t = &lt->tok;
	const char *raw = sc->s + t->start;
	size_t len = t->end - t->start;

	if (t->kind == HTML_TOK_OPEN && strcmp(t->name, "head") == 0)
		*in_head = true;
	else if ((t->kind == HTML_TOK_CLOSE && strcmp(t->name, "head") == 0) ||
		 (t->kind == HTML_TOK_OPEN && strcmp(t->name, "body") == 0))
		*in_head = false;
	if (*in_head || t->kind == HTML_TOK_OTHER)
		return COMMANDS_LINE_BLANK;
	if (t->kind == HTML_TOK_TEXT) {
		char *utf8 = decode_line(d, raw, len);
		size_t before;

		line_touch(hl, lt);
		before = hl->text->len;
		html_text_append(hl->text, utf8, strlen(utf8), sc->pre);
		lt->blank = commands_line_kind(hl->text->str + before, hl->text->len - before) == COMMANDS_LINE_BLANK;
		g_free(utf8);
		return sc->pre && raw[len - 1] == '\n' ? line_end(hl) : COMMANDS_LINE_BLANK;
	}
	if (strcmp(t->name, "br") == 0) {
		line_touch(hl, lt);
		return line_end(hl);
	}
	if (html_is_block(t->name)) {
		if (strcmp(t->name, "pre") == 0)
			sc->pre = t->kind == HTML_TOK_OPEN;
		return line_end(hl);
	}
	if (t->kind != HTML_TOK_CLOSE && html_is_embedded(t->name)) {
		line_touch(hl, lt);
		hl->opaque = true;
	}
	return COMMANDS_LINE_BLANK;
}

/* Reads tokens up to the end of the first line of text; false when no
 * command line came before it, or when the markup before that line is
 * longer than HTML_TOKENS_MAX tokens (*too_long). */
static bool html_scan_top(struct html_scan *sc, struct html_lines *hl, const struct line_decoder *d, bool *too_long)
{
	struct html_tok t;
	bool in_head = false, seen = false;

	while (html_next(sc, &t)) {
		struct line_tok lt = { .tok = t, .line = -1 };
		enum commands_line_kind ended;
		if (hl->toks->len >= HTML_TOKENS_MAX) {
			*too_long = true;
			return false;
		}
		g_array_append_val(hl->toks, lt);
		ended = html_place(hl, &g_array_index(hl->toks, struct line_tok, hl->toks->len - 1), sc, d, &in_head);
		seen = seen || ended == COMMANDS_LINE_COMMAND;
		if (ended == COMMANDS_LINE_TEXT)
			return seen;
	}
	return line_end(hl) == COMMANDS_LINE_COMMAND || seen;
}

struct frame {
	guint open;			/* token index of the open tag */
	char name[HTML_TAG_NAME_MAX];
	bool removed;			/* something in it was removed */
	bool content;			/* something in it is still shown */
};

/* Closes the top element at token `last`: removes it when removing
 * lines left it empty, and tells its parent what it holds. */
static void frame_pop(GArray *stack, struct line_tok *toks, guint last)
{
	struct frame f = g_array_index(stack, struct frame, stack->len - 1);
	struct frame *parent;

	g_array_set_size(stack, stack->len - 1);
	parent = &g_array_index(stack, struct frame, stack->len - 1);
	if (f.removed && !f.content && html_name_in(f.name, removable_elements)) {
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
	       strcmp(name, "tr") != 0 && html_is_block(name);
}

/* Closing tag at i: pops up to its element, or ignores a stray one. */
static void frame_close(GArray *stack, struct line_tok *toks, guint i)
{
	for (guint depth = 1; depth < stack->len && depth <= HTML_MATCH_DEPTH; depth++) {
		if (strcmp(g_array_index(stack, struct frame, stack->len - depth).name, toks[i].tok.name) == 0) {
			while (--depth > 0)
				frame_pop(stack, toks, i - 1);	/* closed implicitly */
			frame_pop(stack, toks, i);
			return;
		}
	}
}

/* Marks the elements emptied by the removal of lines, innermost first. */
static void html_remove_empty(struct line_tok *toks, guint n)
{
	GArray *stack = g_array_new(FALSE, TRUE, sizeof(struct frame));

	frame_push(stack, 0, "");	/* the document: never removed */
	for (guint i = 0; i < n; i++) {
		const struct html_tok *t = &toks[i].tok;
		struct frame *top = &g_array_index(stack, struct frame, stack->len - 1);

		if (t->kind == HTML_TOK_TEXT || strcmp(t->name, "br") == 0) {
			top->removed = top->removed || toks[i].deleted;
			top->content = top->content || (!toks[i].deleted && t->kind == HTML_TOK_TEXT && !toks[i].blank);
		} else if (t->kind != HTML_TOK_CLOSE && html_is_embedded(t->name)) {
			top->content = true;
		}
		if (t->kind == HTML_TOK_OPEN && stack->len >= HTML_STACK_MAX)
			break;	/* too deep to follow: leave the rest as it is */
		if (t->kind == HTML_TOK_OPEN) {
			/* A block start ends an open <p>; a new <li> ends the last. */
			if ((strcmp(top->name, "p") == 0 && closes_paragraph(t->name)) ||
			    (strcmp(top->name, "li") == 0 && strcmp(t->name, "li") == 0))
				frame_pop(stack, toks, i - 1);
			frame_push(stack, i, t->name);
		} else if (t->kind == HTML_TOK_CLOSE && strcmp(t->name, "br") != 0) {
			frame_close(stack, toks, i);
		}
	}
	g_array_free(stack, TRUE);
}

/* The new start of an HTML part: the markup before its first line of
 * text without the block, then the part from *rest on. */
static GByteArray *strip_html(const char *data, size_t len, const struct line_decoder *d, bool whole, size_t *rest,
			      char **error)
{
	struct html_scan sc = { .s = data, .len = len };
	struct html_lines hl = { .open = -1 };
	GByteArray *out = NULL;
	bool too_long = false;

	hl.toks = g_array_new(FALSE, TRUE, sizeof(struct line_tok));
	hl.kinds = g_array_new(FALSE, FALSE, sizeof(enum commands_line_kind));
	hl.text = g_string_new(NULL);
	bool found = html_scan_top(&sc, &hl, d, &too_long);

	if (!too_long && !whole && sc.pos >= len) {
		/* Ran to the end of the window: the top may go on after it. */
		*error = g_strdup_printf("the command block of an HTML part does not end within its first %d bytes",
					 STRIP_WINDOW);
	} else if (found) {
		struct line_tok *toks = (struct line_tok *)(void *)hl.toks->data;
		guint n = hl.toks->len;

		/* Every line before the first line of text is blank or a
		 * command: its text and <br> go, then what they leave empty. */
		for (guint i = 0; i < n; i++)
			toks[i].deleted = toks[i].line >= 0 && toks[i].line < (int)hl.kinds->len &&
					  g_array_index(hl.kinds, enum commands_line_kind, toks[i].line) != COMMANDS_LINE_TEXT &&
					  (toks[i].tok.kind == HTML_TOK_TEXT || strcmp(toks[i].tok.name, "br") == 0);
		html_remove_empty(toks, n);
		out = g_byte_array_sized_new((guint)sc.pos);
		for (guint i = 0; i < n; i++) {
			if (toks[i].skip_to > i) {
				i = toks[i].skip_to - 1;
				continue;
			}
			if (!toks[i].deleted)
				g_byte_array_append(out, (const guint8 *)data + toks[i].tok.start,
						    (guint)(toks[i].tok.end - toks[i].tok.start));
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

GByteArray *commands_cut_top(const char *data, size_t len, bool html, const struct line_decoder *d, bool whole,
			     size_t *rest, char **error)
{
	return html ? strip_html(data, len, d, whole, rest, error) : strip_text(data, len, d, whole, rest, error);
}
