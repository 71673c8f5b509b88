/*
 * edited_message.c - a spooled message with the engine's changes
 * applied, written out (see edited_message.h).  Room: compose.
 */
#include "config.h"
#include "compose/edited_message.h"
#include "compose/header_edits.h"
#include "util/spool.h"

#include <string.h>

/* The spool read line by line: a line that fits the buffer comes whole,
 * a longer one in pieces. */
struct reader {
	struct spool *sp;
	size_t next;		/* spool offset of the byte after the buffer's */
	size_t pos, len;
	bool eof, failed;
	char buf[65536];
};

/* The next piece: up to and including the next LF when the line fits,
 * else what the buffer holds (*whole false).  False at the end. */
static bool reader_piece(struct reader *r, const char **data, size_t *len, bool *whole)
{
	char *nl = r->pos < r->len ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;

	if (nl == NULL) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
		while (!r->eof && r->len < sizeof r->buf) {
			gssize n = spool_read(r->sp, r->next, r->buf + r->len, sizeof r->buf - r->len);
			if (n < 0)
				r->failed = true;
			if (n <= 0) {
				r->eof = true;
				break;
			}
			r->next += (size_t)n;
			r->len += (size_t)n;
		}
		if (r->len == 0)
			return false;
		nl = memchr(r->buf, '\n', r->len);
	}
	*data = r->buf + r->pos;
	*len = nl ? (size_t)(nl - *data) + 1 : r->len - r->pos;
	*whole = nl != NULL || r->eof;
	r->pos += *len;
	return true;
}

/* Output with one kind of line end, gathered into big writes. */
struct eol_out {
	bool crlf;
	bool cr_pending;	/* LF mode: a CR that may start a CRLF */
	char last;		/* CRLF mode: the byte written last */
	bool failed;
	char last_in;		/* the last byte given: does a line end there? */
	edited_message_out out;
	void *arg;
	size_t n;
	char buf[65536];
};

static void put(struct eol_out *o, char c)
{
	if (o->n == sizeof o->buf) {
		if (!o->failed && o->out(o->buf, o->n, o->arg) != 0)
			o->failed = true;
		o->n = 0;
	}
	o->buf[o->n++] = c;
}

static void emit(struct eol_out *o, const char *data, size_t len)
{
	if (len)
		o->last_in = data[len - 1];
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (o->crlf) {
			if (c == '\n' && o->last != '\r')
				put(o, '\r');
			put(o, c);
			o->last = c;
			continue;
		}
		if (o->cr_pending) {
			o->cr_pending = false;
			if (c == '\n') {
				put(o, '\n');
				continue;
			}
			put(o, '\r');
		}
		if (c == '\r')
			o->cr_pending = true;
		else
			put(o, c);
	}
}

static void emit_str(struct eol_out *o, const char *s)
{
	emit(o, s, strlen(s));
}

static int finish(struct eol_out *o)
{
	if (o->cr_pending)
		put(o, '\r');
	if (o->n && !o->failed && o->out(o->buf, o->n, o->arg) != 0)
		o->failed = true;
	o->n = 0;
	return o->failed ? -1 : 0;
}

struct field {
	char *name;		/* NULL for a line that names none */
	GString *text;		/* the whole field as it will be written, folds included */
};

static void field_free(gpointer p)
{
	struct field *f = p;

	g_free(f->name);
	g_string_free(f->text, TRUE);
	g_free(f);
}

static struct field *field_new(const char *name, const char *value)
{
	struct field *f = g_new0(struct field, 1);

	f->name = g_strdup(name);
	f->text = g_string_new(NULL);
	g_string_printf(f->text, "%s: %s\n", name, value);
	return f;
}

/* The name of the field starting with line, or NULL. */
static char *name_of(const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	size_t n;

	if (colon == NULL)
		return NULL;
	n = (size_t)(colon - line);
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	return n ? g_strndup(line, n) : NULL;
}

/* The index'th field of that name among held, then added; NULL when
 * there are fewer. */
static struct field *nth(GPtrArray *held, GPtrArray *added, const char *name, int index, GPtrArray **in, guint *at)
{
	GPtrArray *lists[2] = { held, added };
	int seen = 0;

	for (int l = 0; l < 2; l++)
		for (guint i = 0; i < lists[l]->len; i++) {
			struct field *f = g_ptr_array_index(lists[l], i);
			if (f->name && g_ascii_strcasecmp(f->name, name) == 0 && ++seen == index) {
				*in = lists[l];
				*at = i;
				return f;
			}
		}
	return NULL;
}

static void apply(GPtrArray *held, GPtrArray *added, const GPtrArray *edits)
{
	for (guint i = 0; edits && i < edits->len; i++) {
		const struct header_edit *e = g_ptr_array_index(edits, i);
		GPtrArray *in = NULL;
		guint at = 0;
		struct field *f = e->op == HEADER_ADD ? NULL : nth(held, added, e->name, e->index, &in, &at);

		if (e->op == HEADER_DELETE) {
			if (f)
				g_ptr_array_remove_index(in, at);
		} else if (f) {
			g_string_printf(f->text, "%s: %s\n", e->name, e->value ? e->value : "");
		} else {
			g_ptr_array_add(added, field_new(e->name, e->value ? e->value : ""));
		}
	}
}

static bool empty_line(const char *data, size_t len)
{
	return (len == 1 && data[0] == '\n') || (len == 2 && data[0] == '\r' && data[1] == '\n');
}

/* Reads the header fields within hold_bytes into held; what did not fit
 * starts *rest.  Returns how the header ended: 1 at its empty line, 0
 * at the end of the message, -1 with a field too big to hold still
 * being read (the reader is within *rest's field). */
static int read_header(struct reader *r, size_t hold_bytes, GPtrArray *held, GString *rest)
{
	const char *data;
	size_t len, total = 0;
	bool whole, line_start = true;
	struct field *cur = NULL;

	while (reader_piece(r, &data, &len, &whole)) {
		if (line_start && empty_line(data, len))
			return 1;
		if (line_start && ((data[0] != ' ' && data[0] != '\t') || cur == NULL)) {
			cur = g_new0(struct field, 1);
			cur->name = name_of(data, len);
			cur->text = g_string_new(NULL);
			g_ptr_array_add(held, cur);
		}
		g_string_append_len(cur->text, data, (gssize)len);
		total += len;
		line_start = whole;
		if (total > hold_bytes) {
			/* This field and everything after it go as they are. */
			g_string_assign(rest, cur->text->str);
			g_ptr_array_remove(held, cur);
			return line_start ? 2 : -1;
		}
	}
	return 0;
}

int edited_message_write(struct spool *sp, const GPtrArray *edits, GBytes *new_body, size_t hold_bytes,
			 bool crlf, edited_message_out out, void *arg, char **error)
{
	struct reader *r = g_new0(struct reader, 1);
	struct eol_out *o = g_new0(struct eol_out, 1);
	GPtrArray *held = g_ptr_array_new_with_free_func(field_free);
	GPtrArray *added = g_ptr_array_new_with_free_func(field_free);
	GString *rest = g_string_new(NULL);
	const char *data;
	size_t len;
	bool whole, line_start;
	int ended, rc;

	r->sp = sp;
	o->crlf = crlf;
	o->out = out;
	o->arg = arg;
	ended = read_header(r, hold_bytes, held, rest);
	apply(held, added, edits);
	for (guint i = 0; i < held->len; i++) {
		struct field *f = g_ptr_array_index(held, i);
		emit(o, f->text->str, f->text->len);
	}
	emit(o, rest->str, rest->len);
	if (ended < 0 || ended == 2) {
		/* The rest of a header too big to hold, up to its empty line. */
		line_start = ended == 2;
		while (reader_piece(r, &data, &len, &whole)) {
			if (line_start && empty_line(data, len)) {
				ended = 1;
				break;
			}
			emit(o, data, len);
			line_start = whole;
		}
	}
	if (o->last_in != '\0' && o->last_in != '\n')
		emit_str(o, "\n");	/* a last header line without its line end */
	for (guint i = 0; i < added->len; i++) {
		struct field *f = g_ptr_array_index(added, i);
		emit(o, f->text->str, f->text->len);
	}
	if (new_body || ended == 1)
		emit_str(o, "\n");
	if (new_body) {
		gsize n;
		const char *body = g_bytes_get_data(new_body, &n);
		emit(o, body, n);
	} else {
		while (reader_piece(r, &data, &len, &whole))
			emit(o, data, len);
	}
	rc = finish(o);
	if (r->failed) {
		*error = g_strdup("reading the spooled message failed");
		rc = -1;
	} else if (rc != 0) {
		*error = g_strdup("writing the message failed");
	}
	g_ptr_array_free(held, TRUE);
	g_ptr_array_free(added, TRUE);
	g_string_free(rest, TRUE);
	g_free(r);
	g_free(o);
	return rc;
}
