/*
 * body_parts.h - which parts of a message hold its text: the first
 * text/plain and the first text/html part that is not an attachment, in
 * document order.  Internal to the engine.
 *
 * Why one module: message.c reads the agent's commands from the text
 * part chosen here, and commands_strip.c must remove them from that very
 * part.  When the two walked the tree differently (the stripper did not
 * enter signed parts), a reply could have its commands read from one
 * part and another part stripped, and the customer got the commands.
 *
 * The walk is iterative (deep nesting costs heap, not stack) and stops
 * after BODY_PARTS_MAX parts.  It enters every multipart, signed and
 * encrypted ones included, and says whether a chosen part lies inside
 * one: such a part cannot be changed without breaking the signature.
 * Embedded messages (message/rfc822) are not entered.  A text part
 * with a file name that is not the first of its multipart is a file
 * shown inline, not text (RFC 8621 4.1.4 reads parts the same way), and
 * is not in `more`.
 *
 * The charset a text part is read in is chosen here too, for the same
 * reason: its label mapped as every label GMime is given (charset_label.h).
 *
 * Ownership: the parts belong to the message; no reference is taken.
 * Room: mime.
 */
#ifndef TM_BODY_PARTS_H
#define TM_BODY_PARTS_H

#include <gmime/gmime.h>
#include <stdbool.h>

#define BODY_PARTS_MAX 10000
/* Inline text parts after the first one that are read with it. */
#define BODY_PARTS_MORE_MAX 16

struct body_parts {
	GMimePart *plain, *html;
	bool plain_sealed, html_sealed;	/* inside a signed or encrypted part */
	/* Apple Mail's text, image, text: the inline text/plain parts that
	 * follow plain in its multipart/mixed (or, when plain is one choice
	 * of a multipart/alternative, that follow the alternative there; a
	 * later alternative gives its text/plain), in order.  Not for the
	 * commands, which are read from plain alone. */
	GMimePart *more[BODY_PARTS_MORE_MAX];
	unsigned n_more;
};

void body_parts_find(GMimeObject *top, struct body_parts *found);

/* The part's charset parameter mapped (charset_label.h), or NULL when it
 * has none: a static string or the parameter's own. */
const char *body_parts_charset(GMimePart *part);

#endif
