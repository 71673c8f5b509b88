/*
 * body_parts.c - the text parts of a message (body_parts.h).
 * Room: mime.
 */
#include "config.h"
#include "mime/body_parts.h"
#include "text/charset_label.h"

/* By its disposition only: a text part that merely has a file name
 * ("text/plain; name=reply.txt") is still the text. */
static bool is_attachment(GMimeObject *obj)
{
	const char *disposition = g_mime_object_get_disposition(obj);

	return disposition && g_ascii_strcasecmp(disposition, "attachment") == 0;
}

static bool is_sealed(GMimeObject *obj)
{
	return GMIME_IS_MULTIPART_SIGNED(obj) || GMIME_IS_MULTIPART_ENCRYPTED(obj) ||
	       GMIME_IS_APPLICATION_PKCS7_MIME(obj);
}

struct pending {
	GMimeObject *obj;
	bool sealed;
	GMimeMultipart *parent;	/* NULL for the top */
	int index;		/* in parent */
};

const char *body_parts_charset(GMimePart *part)
{
	return charset_label_name(g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset"));
}

static bool is_type(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return ct && g_mime_content_type_is_type(ct, type, subtype);
}

/* An inline text/plain part that is text, not a file shown inline. */
static bool inline_text(GMimeObject *obj, int index)
{
	return GMIME_IS_PART(obj) && !is_attachment(obj) && is_type(obj, "text", "plain") &&
	       (index == 0 || g_mime_part_get_filename(GMIME_PART(obj)) == NULL);
}

/* The multipart that holds mp, by a walk from the top (GMime keeps no
 * parent); NULL when mp is the top or is not found within the bound. */
static GMimeMultipart *parent_of(GMimeObject *top, GMimeMultipart *mp, int *index)
{
	GPtrArray *todo = g_ptr_array_new();
	GMimeMultipart *parent = NULL;
	unsigned seen = 0;

	g_ptr_array_add(todo, top);
	while (todo->len > 0 && parent == NULL && seen++ < BODY_PARTS_MAX) {
		GMimeObject *obj = g_ptr_array_steal_index(todo, todo->len - 1);
		int n = GMIME_IS_MULTIPART(obj) ? g_mime_multipart_get_count(GMIME_MULTIPART(obj)) : 0;

		for (int i = 0; i < n && parent == NULL; i++) {
			GMimeObject *child = g_mime_multipart_get_part(GMIME_MULTIPART(obj), i);
			if (child == GMIME_OBJECT(mp)) {
				parent = GMIME_MULTIPART(obj);
				*index = i;
			} else if (GMIME_IS_MULTIPART(child)) {
				g_ptr_array_add(todo, child);
			}
		}
	}
	g_ptr_array_free(todo, TRUE);
	return parent;
}

/* The text/plain choice of a multipart/alternative, if any. */
static GMimePart *alternative_plain(GMimeMultipart *alt)
{
	int n = g_mime_multipart_get_count(alt);

	for (int i = 0; i < n; i++) {
		GMimeObject *child = g_mime_multipart_get_part(alt, i);
		if (inline_text(child, 0))
			return GMIME_PART(child);
	}
	return NULL;
}

static void find_more(GMimeObject *top, GMimeMultipart *parent, int index, struct body_parts *found)
{
	int n;

	/* plain is one choice of an alternative: its siblings are the
	 * alternative's. */
	if (is_type(GMIME_OBJECT(parent), "multipart", "alternative")) {
		parent = parent_of(top, parent, &index);
		if (parent == NULL)
			return;
	}
	if (!is_type(GMIME_OBJECT(parent), "multipart", "mixed"))
		return;
	n = g_mime_multipart_get_count(parent);
	for (int i = index + 1; i < n && found->n_more < BODY_PARTS_MORE_MAX; i++) {
		GMimeObject *child = g_mime_multipart_get_part(parent, i);
		GMimePart *text = NULL;

		if (inline_text(child, i))
			text = GMIME_PART(child);
		else if (is_type(child, "multipart", "alternative"))
			text = alternative_plain(GMIME_MULTIPART(child));
		if (text)
			found->more[found->n_more++] = text;
	}
}

void body_parts_find(GMimeObject *top, struct body_parts *found)
{
	GArray *todo = g_array_new(FALSE, FALSE, sizeof(struct pending));
	struct pending first = { top, false, NULL, 0 };
	unsigned seen = 0;

	GMimeMultipart *plain_parent = NULL;
	int plain_index = 0;

	*found = (struct body_parts){ 0 };
	if (top)
		g_array_append_val(todo, first);
	/* A stack, children pushed last to first: document order. */
	while (todo->len > 0 && seen++ < BODY_PARTS_MAX && !(found->plain && found->html)) {
		struct pending p = g_array_index(todo, struct pending, todo->len - 1);
		GMimeContentType *ct;

		g_array_set_size(todo, todo->len - 1);
		p.sealed = p.sealed || is_sealed(p.obj);
		if (GMIME_IS_MULTIPART(p.obj)) {
			for (int i = g_mime_multipart_get_count(GMIME_MULTIPART(p.obj)) - 1; i >= 0; i--) {
				struct pending child = { g_mime_multipart_get_part(GMIME_MULTIPART(p.obj), i), p.sealed,
							 GMIME_MULTIPART(p.obj), i };
				g_array_append_val(todo, child);
			}
		} else if (GMIME_IS_PART(p.obj) && !is_attachment(p.obj) &&
			   (ct = g_mime_object_get_content_type(p.obj)) != NULL) {
			if (found->plain == NULL && g_mime_content_type_is_type(ct, "text", "plain")) {
				found->plain = GMIME_PART(p.obj);
				found->plain_sealed = p.sealed;
				plain_parent = p.parent;
				plain_index = p.index;
			} else if (found->html == NULL && g_mime_content_type_is_type(ct, "text", "html")) {
				found->html = GMIME_PART(p.obj);
				found->html_sealed = p.sealed;
			}
		}
	}
	g_array_free(todo, TRUE);
	if (found->plain && plain_parent)
		find_more(top, plain_parent, plain_index, found);
}
