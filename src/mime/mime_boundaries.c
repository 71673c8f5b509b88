/*
 * mime_boundaries.c - the boundaries declared in a message
 * (mime_boundaries.h).
 * Room: mime.
 */
#include "config.h"
#include "mime/mime_boundaries.h"

#include <glib.h>
#include <string.h>

struct mime_boundaries {
	GPtrArray *declared;	/* char * */
	GArray *len;		/* size_t: their lengths */
	guint32 first[8];	/* bit per byte value: some boundary starts with it */
};

struct mime_boundaries *mime_boundaries_new(void)
{
	struct mime_boundaries *set = g_new0(struct mime_boundaries, 1);

	set->declared = g_ptr_array_new_with_free_func(g_free);
	set->len = g_array_new(FALSE, FALSE, sizeof(size_t));
	return set;
}

void mime_boundaries_free(struct mime_boundaries *set)
{
	if (set == NULL)
		return;
	g_ptr_array_free(set->declared, TRUE);
	g_array_free(set->len, TRUE);
	g_free(set);
}

const char *mime_boundaries_declare(struct mime_boundaries *set, const char *boundary)
{
	size_t n = strlen(boundary);
	unsigned char c = (unsigned char)boundary[0];

	for (guint i = 0; i < set->declared->len; i++)
		if (strcmp(g_ptr_array_index(set->declared, i), boundary) == 0)
			return g_ptr_array_index(set->declared, i);
	if (set->declared->len >= MIME_BOUNDARIES_MAX)
		return NULL;
	g_ptr_array_add(set->declared, g_strdup(boundary));
	g_array_append_val(set->len, n);
	if (n == 0)	/* "--" alone is a boundary: every byte may follow */
		memset(set->first, 0xff, sizeof set->first);
	else
		set->first[c >> 5] |= 1u << (c & 31);
	return g_ptr_array_index(set->declared, set->declared->len - 1);
}

bool mime_boundaries_prefix(const struct mime_boundaries *set, const char *s, size_t len)
{
	unsigned char c = len > 0 ? (unsigned char)s[0] : 0;

	if (len > 0 && !(set->first[c >> 5] & (1u << (c & 31))))
		return false;
	for (guint i = 0; i < set->declared->len; i++) {
		const char *d = g_ptr_array_index(set->declared, i);
		size_t n = g_array_index(set->len, size_t, i);
		if (n <= len && (n == 0 || d[0] == s[0]) && memcmp(s, d, n) == 0)
			return true;
	}
	return false;
}

int mime_boundary_kind(const char *l, size_t kept, size_t full, const char *boundary)
{
	size_t n = strlen(boundary), p = 2 + n;
	int kind = 1;

	if (kept < full || p > kept || memcmp(l + 2, boundary, n) != 0)
		return 0;
	if (p + 2 <= kept && l[p] == '-' && l[p + 1] == '-') {
		kind = 2;
		p += 2;
	}
	for (; p < kept; p++)
		if (l[p] != ' ' && l[p] != '\t' && l[p] != '\r')
			return 0;
	return kind;
}
