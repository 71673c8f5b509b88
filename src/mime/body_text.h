/*
 * body_text.h - the text of a message's body as the engine reads it:
 * which part, in which charset.  Internal to the engine (message.c).
 *
 * The part: the first text/plain (body_parts.h), or the first text/html
 * as text when there is no text/plain or it holds nothing but white
 * space (an empty plain part beside the real HTML is common).  The
 * inline text/plain parts after the first (Apple Mail's text, image,
 * text) are read too, and joined to it in order, for the excerpt.
 *
 * The charset: each part's bytes (transfer encoding decoded, at most
 * BODY_TEXT_READ_MAX of them) are read in the charset charset_read.h
 * chooses for them: the label when it names one, else UTF-8 when valid,
 * else the detector's guess over them and the message's raw 8-bit
 * header text (hint).  commands_strip.c reads the lines of the same
 * part with the same choice.
 *
 * Ownership: everything in a struct body_text belongs to it
 * (body_text_clear); the parts belong to the message.
 * Room: mime.
 */
#ifndef TM_BODY_TEXT_H
#define TM_BODY_TEXT_H

#include <gmime/gmime.h>
#include <stdbool.h>
#include <stddef.h>

#include "mime/body_parts.h"

/* Decoded bytes of a text part read before its charset is applied. */
#define BODY_TEXT_READ_MAX (512 * 1024)

struct body_text {
	char *text;		/* the part's text, valid UTF-8; NULL when no part */
	char *joined;		/* text and the inline parts after it; NULL when no part */
	GMimePart *part;	/* where text came from */
	const char *charset;	/* what it was read in: a static string or its label */
	bool labelled;		/* its label named a charset (not ASCII, not unknown) */
	GByteArray *sample;	/* the start of its decoded bytes, for the header's charset */
	unsigned repairs;	/* MESSAGE_REPAIR_* */
	unsigned warnings;
};

/* Reads the body text of the parts found; hint: the message's raw 8-bit
 * header text (may be NULL). */
void body_text_read(const struct body_parts *parts, const char *hint, size_t hint_len, struct body_text *out);

void body_text_clear(struct body_text *bt);

/* The decoded bytes of a part (transfer encoding only), at most max of
 * them (a few kilobytes more); an empty array when it has no content. */
GByteArray *body_text_bytes(GMimePart *part, size_t max);

#endif
