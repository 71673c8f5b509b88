/*
 * json_read.c - a small JSON reader for test data (json_read.h).
 */
#include "json_read.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX 200

struct reader {
	const char *p, *end;
	int depth;
};

static void skip_space(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static struct jnode *node(enum jtype type)
{
	struct jnode *n = g_new0(struct jnode, 1);

	n->type = type;
	if (type == J_ARRAY || type == J_OBJECT)
		n->items = g_ptr_array_new_with_free_func((GDestroyNotify)json_free);
	return n;
}

static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		if (!g_ascii_isxdigit(p[i]))
			return -1;
		v = v * 16 + g_ascii_xdigit_value(p[i]);
	}
	return v;
}

static char *read_string(struct reader *r, size_t *len)
{
	GString *out = g_string_new(NULL);

	r->p++;	/* the quote */
	while (r->p < r->end && *r->p != '"') {
		if (*r->p != '\\') {
			g_string_append_c(out, *r->p++);
			continue;
		}
		if (++r->p >= r->end)
			break;
		switch (*r->p) {
		case 'n': g_string_append_c(out, '\n'); break;
		case 't': g_string_append_c(out, '\t'); break;
		case 'r': g_string_append_c(out, '\r'); break;
		case 'b': g_string_append_c(out, '\b'); break;
		case 'f': g_string_append_c(out, '\f'); break;
		case 'u': {
			int c = r->end - r->p > 4 ? hex4(r->p + 1) : -1;
			if (c < 0)
				goto fail;
			r->p += 4;
			if (c >= 0xD800 && c < 0xDC00 && r->end - r->p > 6 && r->p[1] == '\\' && r->p[2] == 'u') {
				int lo = hex4(r->p + 3);
				if (lo >= 0xDC00 && lo < 0xE000) {
					c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
					r->p += 6;
				}
			}
			if (c == 0)
				g_string_append_c(out, '\0');
			else
				g_string_append_unichar(out, (gunichar)c);
			break;
		}
		default: g_string_append_c(out, *r->p); break;
		}
		r->p++;
	}
	if (r->p >= r->end)
		goto fail;
	r->p++;
	*len = out->len;
	return g_string_free(out, FALSE);
fail:
	g_string_free(out, TRUE);
	return NULL;
}

static struct jnode *read_value(struct reader *r);

static struct jnode *read_container(struct reader *r, bool object)
{
	struct jnode *n = node(object ? J_OBJECT : J_ARRAY);
	char close = object ? '}' : ']';

	r->p++;
	skip_space(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return n;
	}
	while (r->p < r->end) {
		char *key = NULL;
		size_t klen;
		struct jnode *item;

		skip_space(r);
		if (object) {
			if (r->p >= r->end || *r->p != '"' || (key = read_string(r, &klen)) == NULL)
				break;
			skip_space(r);
			if (r->p >= r->end || *r->p != ':') {
				g_free(key);
				break;
			}
			r->p++;
		}
		item = read_value(r);
		if (item == NULL) {
			g_free(key);
			break;
		}
		item->key = key;
		g_ptr_array_add(n->items, item);
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return n;
		}
		break;
	}
	json_free(n);
	return NULL;
}

static struct jnode *read_value(struct reader *r)
{
	struct jnode *n = NULL;

	skip_space(r);
	if (r->p >= r->end || ++r->depth > DEPTH_MAX)
		return NULL;
	if (*r->p == '{' || *r->p == '[') {
		n = read_container(r, *r->p == '{');
	} else if (*r->p == '"') {
		n = node(J_STRING);
		if ((n->str = read_string(r, &n->len)) == NULL) {
			json_free(n);
			n = NULL;
		}
	} else if (r->end - r->p >= 4 && memcmp(r->p, "true", 4) == 0) {
		n = node(J_BOOL);
		n->number = 1;
		r->p += 4;
	} else if (r->end - r->p >= 5 && memcmp(r->p, "false", 5) == 0) {
		n = node(J_BOOL);
		r->p += 5;
	} else if (r->end - r->p >= 4 && memcmp(r->p, "null", 4) == 0) {
		n = node(J_NULL);
		r->p += 4;
	} else {
		char *stop;
		double v = g_ascii_strtod(r->p, &stop);
		if (stop != r->p) {
			n = node(J_NUMBER);
			n->number = v;
			r->p = stop;
		}
	}
	r->depth--;
	return n;
}

struct jnode *json_read(const char *text, size_t len)
{
	struct reader r = { text, text + len, 0 };

	return read_value(&r);
}

void json_free(struct jnode *n)
{
	if (n == NULL)
		return;
	g_free(n->str);
	g_free(n->key);
	if (n->items)
		g_ptr_array_free(n->items, TRUE);
	g_free(n);
}

const struct jnode *json_get(const struct jnode *obj, const char *key)
{
	if (obj == NULL || obj->type != J_OBJECT)
		return NULL;
	for (guint i = 0; i < obj->items->len; i++) {
		const struct jnode *m = g_ptr_array_index(obj->items, i);
		if (strcmp(m->key, key) == 0)
			return m;
	}
	return NULL;
}

const struct jnode *json_at(const struct jnode *arr, guint i)
{
	if (arr == NULL || arr->type != J_ARRAY || i >= arr->items->len)
		return NULL;
	return g_ptr_array_index(arr->items, i);
}

const char *json_str(const struct jnode *obj, const char *key)
{
	const struct jnode *m = json_get(obj, key);

	return m && m->type == J_STRING ? m->str : NULL;
}
