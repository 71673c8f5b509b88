/*
 * json_read.h - a small JSON reader for the tests that compare with the
 * expected-result files of ../shared/corpus (stalwart's *.json).
 *
 * A value is a tree of struct jnode; objects keep their members in
 * order.  Strings are decoded to UTF-8 (\u escapes and surrogate pairs
 * included; \u0000 is kept as a NUL byte in the middle of the string,
 * len says how long it is).  Not for untrusted input beyond test data:
 * the depth is bounded, nothing else is.
 */
#ifndef TM_JSON_READ_H
#define TM_JSON_READ_H

#include <glib.h>
#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

struct jnode {
	enum jtype type;
	char *str;		/* J_STRING, and the member name for an object's members */
	size_t len;		/* of str */
	double number;		/* J_NUMBER, J_BOOL (0/1) */
	GPtrArray *items;	/* J_ARRAY, J_OBJECT: struct jnode * */
	char *key;		/* an object member's name, else NULL */
};

/* The tree of text, or NULL when it is not JSON. */
struct jnode *json_read(const char *text, size_t len);
void json_free(struct jnode *n);

/* An object's member, an array's item; NULL when absent or of another type. */
const struct jnode *json_get(const struct jnode *obj, const char *key);
const struct jnode *json_at(const struct jnode *arr, guint i);
/* A string member's text, or NULL. */
const char *json_str(const struct jnode *obj, const char *key);

#endif
