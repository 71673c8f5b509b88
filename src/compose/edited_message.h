/*
 * edited_message.h - a spooled message as it leaves: the engine's
 * header changes applied to its header, its body replaced when the
 * engine says so, written out with one kind of line end.  Room: compose.
 *
 * The milter hands the changes to the MTA (smfi_*); the front ends that
 * re-inject or print the message themselves (the content filter,
 * `ticketctl deliver`) apply them here, the way an MTA applies a
 * milter's: in order; a change or deletion names the Nth header of that
 * name (from 1, any case) as the list stands at that point, a change of
 * a header that is not there adds it, and added headers go after all the
 * others.  Values come folded and encoded (header_edits.h).
 *
 * Memory stays bounded: the header fields within hold_bytes are held to
 * be edited (the parser read no more, so no edit names one beyond);
 * whatever follows them, and the body, is copied from the spool as it
 * is read.
 */
#ifndef TM_EDITED_MESSAGE_H
#define TM_EDITED_MESSAGE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

struct spool;

/* Receives the message piece by piece; returns 0, or -1 to stop. */
typedef int (*edited_message_out)(const char *data, size_t len, void *arg);

/* Writes the message in sp with edits (struct header_edit *, may be
 * NULL) applied and its body replaced by new_body (NULL: kept).  Line
 * ends become CRLF (crlf) or LF; a bare CR stays.  Returns 0, or -1
 * with *error set (g_free) when the spool could not be read or out
 * stopped. */
int edited_message_write(struct spool *sp, const GPtrArray *edits, GBytes *new_body, size_t hold_bytes,
			 bool crlf, edited_message_out out, void *arg, char **error);

#endif
