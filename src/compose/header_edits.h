/*
 * header_edits.h - the header changes a message leaves with, and
 * building their list.  Room: compose.
 *
 * The engine returns them in its result (engine_result.h); the milter
 * adapter applies them in order.  Indexes count headers of the same
 * name, from 1, in the order the MTA has them (message.h's headers).
 * Values are folded and encoded as they are added (header_fold.h): the
 * MTA gets lines it need not break.
 */
#ifndef TM_HEADER_EDITS_H
#define TM_HEADER_EDITS_H

#include <glib.h>
#include "mime/message.h"

enum header_op { HEADER_ADD, HEADER_CHANGE, HEADER_DELETE };

struct header_edit {
	enum header_op op;
	char *name;
	int index;		/* CHANGE/DELETE: 1-based among headers of that name */
	char *value;		/* NULL for DELETE */
};

void edits_add(GPtrArray *edits, enum header_op op, const char *name, int index, const char *value);
/* Changes the first header of that name, or adds it when msg has none. */
void edits_set(const struct message *msg, GPtrArray *edits, const char *name, const char *value);
/* Deletes every header whose name starts with prefix (any case), from
 * the highest index down so that the remaining indexes stay valid. */
void edits_strip_prefix(const struct message *msg, GPtrArray *edits, const char *prefix);
/* Deletes every header of exactly that name. */
void edits_strip(const struct message *msg, GPtrArray *edits, const char *name);
/* GDestroyNotify for struct header_edit. */
void edits_free_one(gpointer p);

#endif
