/*
 * body_parts.c - the text parts of a message (body_parts.h).
 */
#include "config.h"
#include "body_parts.h"
#include "charset_label.h"

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
};

const char *body_parts_charset(GMimePart *part)
{
	return charset_label_name(g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset"));
}

void body_parts_find(GMimeObject *top, struct body_parts *found)
{
	GArray *todo = g_array_new(FALSE, FALSE, sizeof(struct pending));
	struct pending first = { top, false };
	unsigned seen = 0;

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
				struct pending child = { g_mime_multipart_get_part(GMIME_MULTIPART(p.obj), i), p.sealed };
				g_array_append_val(todo, child);
			}
		} else if (GMIME_IS_PART(p.obj) && !is_attachment(p.obj) &&
			   (ct = g_mime_object_get_content_type(p.obj)) != NULL) {
			if (found->plain == NULL && g_mime_content_type_is_type(ct, "text", "plain")) {
				found->plain = GMIME_PART(p.obj);
				found->plain_sealed = p.sealed;
			} else if (found->html == NULL && g_mime_content_type_is_type(ct, "text", "html")) {
				found->html = GMIME_PART(p.obj);
				found->html_sealed = p.sealed;
			}
		}
	}
	g_array_free(todo, TRUE);
}
