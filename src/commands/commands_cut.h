/*
 * commands_cut.h - the command block cut from the top of one text part
 * (commands.h has the rule): in text/plain by its lines, in text/html by
 * the lines a reader sees, with the elements those lines leave empty.
 * The part's bytes are cut as they are, in their charset; lines are
 * converted to UTF-8 only to be classified.  commands_strip.c hands the
 * parts of the message to it.
 * Room: commands.
 */
#ifndef TM_COMMANDS_CUT_H
#define TM_COMMANDS_CUT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Bytes of a text part read into memory to find the end of the block. */
#define STRIP_WINDOW (1024 * 1024)

struct line_decoder {
	/* the charset message_parse() reads the part in (charset_read.h);
	 * NULL: the bytes as UTF-8 */
	const char *charset;
};

/* The new start of the part (data, len bytes of it; whole: the whole
 * part, else its first STRIP_WINDOW bytes) and where the rest of it
 * resumes (*rest); NULL when the part does not start with command lines,
 * or with *error when its block does not end within data. */
GByteArray *commands_cut_top(const char *data, size_t len, bool html, const struct line_decoder *d, bool whole,
			     size_t *rest, char **error);

#endif
