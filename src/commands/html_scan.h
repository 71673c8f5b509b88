/*
 * html_scan.h - a forgiving, linear scanner of HTML as mail clients write
 * it: the next token (text, a tag, a comment or the like, the content
 * of <script> or <style>) with its place in the bytes, which elements
 * end a line of text or show something without text, and the text a
 * reader sees with its entities decoded.  It builds no tree and keeps
 * nothing between calls but the struct html_scan the caller holds.
 * Used by commands_cut.c to find the lines of an agent's HTML reply.
 * Room: commands.
 */
#ifndef TM_HTML_SCAN_H
#define TM_HTML_SCAN_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Tag names are cut to this many bytes less one. */
#define HTML_TAG_NAME_MAX 24

enum html_tok_kind { HTML_TOK_TEXT, HTML_TOK_OPEN, HTML_TOK_CLOSE, HTML_TOK_EMPTY, HTML_TOK_OTHER };

struct html_tok {
	size_t start, end;		/* bytes [start, end) of the part */
	enum html_tok_kind kind;
	char name[HTML_TAG_NAME_MAX];	/* lower-case tag name, "" for text */
};

/* The scanner over s[0, len); start it zeroed but for s and len. */
struct html_scan {
	const char *s;
	size_t len, pos;
	char raw_end[HTML_TAG_NAME_MAX];	/* inside <style>, <script>...: their name */
	bool pre;			/* inside <pre>: newlines end lines (set by the caller) */
};

/* The next token into *t; false at the end of the part. */
bool html_next(struct html_scan *sc, struct html_tok *t);

/* Whether name is in list (NULL-terminated). */
bool html_name_in(const char *name, const char *const *list);
/* Elements that end a line of text where they open or close. */
bool html_is_block(const char *name);
/* Elements that show something without text (an image, a button). */
bool html_is_embedded(const char *name);

/* Appends the rendered text of len bytes of UTF-8 HTML text: the
 * entities a command or a blank line can hold decoded, source line
 * breaks as spaces (inside <pre>, pre: dropped, as they end the line). */
void html_text_append(GString *out, const char *s, size_t len, bool pre);

#endif
