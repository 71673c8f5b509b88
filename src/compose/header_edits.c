/*
 * header_edits.c - header change lists (see header_edits.h).  Every value
 * is folded and encoded for the MTA (header_fold.h).  Room: compose.
 */
#include "config.h"
#include "compose/header_edits.h"
#include "text/header_fold.h"

#include <string.h>

void edits_add(GPtrArray *edits, enum header_op op, const char *name, int index, const char *value)
{
	struct header_edit *e = g_new0(struct header_edit, 1);

	e->op = op;
	e->name = g_strdup(name);
	e->index = index;
	/* Folded here, once, for every field we add or change. */
	e->value = value ? header_fold(name, value) : NULL;
	g_ptr_array_add(edits, e);
}

void edits_free_one(gpointer p)
{
	struct header_edit *e = p;

	g_free(e->name);
	g_free(e->value);
	g_free(e);
}

void edits_set(const struct message *msg, GPtrArray *edits, const char *name, const char *value)
{
	if (message_header(msg, name))
		edits_add(edits, HEADER_CHANGE, name, 1, value);
	else
		edits_add(edits, HEADER_ADD, name, 0, value);
}

/* Walking backwards, each header's index is the number of same-named
 * headers up to it. */
static void strip_matching(const struct message *msg, GPtrArray *edits, const char *name, bool prefix)
{
	size_t n = strlen(name);

	for (guint i = msg->headers->len; i > 0; i--) {
		const struct header_field *h = g_ptr_array_index(msg->headers, i - 1);
		int index = 0;

		if (prefix ? g_ascii_strncasecmp(h->name, name, n) != 0 : g_ascii_strcasecmp(h->name, name) != 0)
			continue;
		for (guint j = 0; j < i; j++) {
			const struct header_field *o = g_ptr_array_index(msg->headers, j);
			if (g_ascii_strcasecmp(o->name, h->name) == 0)
				index++;
		}
		edits_add(edits, HEADER_DELETE, h->name, index, NULL);
	}
}

void edits_strip_prefix(const struct message *msg, GPtrArray *edits, const char *prefix)
{
	strip_matching(msg, edits, prefix, true);
}

void edits_strip(const struct message *msg, GPtrArray *edits, const char *name)
{
	strip_matching(msg, edits, name, false);
}
