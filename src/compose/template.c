/*
 * template.c - loading, checking and rendering message templates (see
 * template.h for the file format and the folder layout).
 *
 * Each part of a template (subject, text body, HTML body) is parsed once
 * into a flat array of operations: literal text, a value, the start of a
 * section (which knows where its end is) and the end of a section.
 * Rendering walks that array and appends values through an escaper for
 * the part; values are never scanned for syntax, so customer text stays
 * literal.  The parser reports every problem it finds with its line, for
 * `ticket-milter -n`, instead of stopping at the first.
 */
#include "config.h"
#include "compose/template.h"
#include "language/locale_tag.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

const char *const template_placeholders[] = {
	"ticket",		/* "SUP-1042" */
	"subject",		/* the customer's original subject */
	"customer_name",	/* may be empty */
	"queue_name",		/* display name of the queue */
	"promise",		/* formatted due time */
	"promise_relative",	/* "in 2 hours", may be empty */
	"agent_name",
	"reference",		/* signed ticket reference, once in the footer */
	"escalation",		/* non-empty: say a senior team lead oversees the case */
	"status",
	"csat_links",		/* for the satisfaction mail */
	/* The satisfaction survey (resolved): each a complete mailto: URL
	 * (support+csat-N-TOKEN@...?subject=...) that answers with score N,
	 * so that one link per score works in any mail client. */
	"csat_1",		/* very poor */
	"csat_2",
	"csat_3",
	"csat_4",
	"csat_5",		/* excellent */
	"rating",		/* "1".."5": the score being thanked for (csat-thanks) */
	"unknown_commands", "applied", "commands_only", "note_unsent",	/* agent-notice: see templates/README */
	"returning",		/* non-empty: the customer had opened a ticket before */
	NULL,
};

#define TEMPLATE_N_PLACEHOLDERS (G_N_ELEMENTS(template_placeholders) - 1)
/* Which placeholders a template uses is one bit each. */
_Static_assert(TEMPLATE_N_PLACEHOLDERS <= 32, "placeholder mask is 32 bits");

/* Queue overrides live in a folder no locale can be named like. */
#define TEMPLATE_QUEUES_DIR "queues"
/* A template is a page of text; anything this large is a mistake. */
#define TEMPLATE_MAX_BYTES (256 * 1024)
/* Queue ids become folder names. */
#define TEMPLATE_MAX_QUEUE_ID 128
#define TEMPLATE_MAX_NAME 64

enum template_op_kind {
	TEMPLATE_OP_TEXT,
	TEMPLATE_OP_VALUE,
	TEMPLATE_OP_SECTION,
	TEMPLATE_OP_END,
};

struct template_op {
	enum template_op_kind kind;
	unsigned placeholder;	/* VALUE, SECTION, END: index into template_placeholders */
	bool inverted;		/* SECTION: kept when the value is blank */
	size_t end;		/* SECTION: index of its END */
	char *text;		/* TEXT */
};

struct template_part {
	struct template_op *ops;
	size_t n_ops;
};

struct template {
	char *name;
	char *locale;
	struct template_part subject, text, html;
	bool has_html;
	uint32_t used;		/* bit i: template_placeholders[i] occurs in some part */
};

enum template_escape {
	TEMPLATE_ESCAPE_SUBJECT,	/* one header line */
	TEMPLATE_ESCAPE_TEXT,
	TEMPLATE_ESCAPE_HTML,
};

/* ---------------------------------------------------------------------
 * Names: placeholders, template names, locales, queue ids
 */

static int template_placeholder_index(const char *name, size_t len)
{
	for (size_t i = 0; i < TEMPLATE_N_PLACEHOLDERS; i++)
		if (strlen(template_placeholders[i]) == len && memcmp(template_placeholders[i], name, len) == 0)
			return (int)i;
	return -1;
}

/* "ticket, subject, ..." for error messages. */
static char *template_placeholder_list(void)
{
	GString *list = g_string_new(NULL);

	for (size_t i = 0; i < TEMPLATE_N_PLACEHOLDERS; i++)
		g_string_append_printf(list, "%s%s", i ? ", " : "", template_placeholders[i]);
	return g_string_free(list, FALSE);
}

/* Template names become file names: no dots, no slashes. */
static bool template_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > TEMPLATE_MAX_NAME || !(g_ascii_islower(name[0]) || g_ascii_isdigit(name[0])))
		return false;
	for (const char *p = name; *p; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

/* Queue ids come from "[queue ID]" and may hold spaces; they must still
 * name exactly one folder below queues/. */
static bool template_queue_valid(const char *queue)
{
	size_t len = strlen(queue);

	if (len == 0 || len > TEMPLATE_MAX_QUEUE_ID || queue[0] == '.' || !g_utf8_validate(queue, -1, NULL))
		return false;
	for (const char *p = queue; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return false;
	return true;
}

/* A folder name the loader would use as it is: "de", "pt-BR". */
static bool template_locale_folder_valid(const char *name)
{
	char *canonical = locale_tag_canonical(name);
	bool ok = canonical && strcmp(canonical, name) == 0;

	g_free(canonical);
	return ok;
}

/* ---------------------------------------------------------------------
 * Parsing
 */

static void template_problem(GPtrArray *errors, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "FILE:LINE: message", or "FILE: message" when line is 0. */
static void template_problem(GPtrArray *errors, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		g_ptr_array_add(errors, g_strdup_printf("%s:%d: %s", path, line, msg));
	else
		g_ptr_array_add(errors, g_strdup_printf("%s: %s", path, msg));
	g_free(msg);
}

enum template_tag_kind {
	TEMPLATE_TAG_VALUE,
	TEMPLATE_TAG_SECTION,
	TEMPLATE_TAG_INVERTED,
	TEMPLATE_TAG_END,
	TEMPLATE_TAG_COMMENT,
};

/* A piece of one line: literal text or a well-formed tag. */
struct template_token {
	bool is_tag;
	const char *text;	/* literal */
	size_t len;
	enum template_tag_kind tag;
	unsigned placeholder;	/* tags other than comments */
};

/* A section not closed yet: its SECTION op and where it was opened. */
struct template_open {
	size_t op;
	int line;
};

/* The state while one part is parsed. */
struct template_parser {
	const char *path;
	GPtrArray *errors;
	GArray *ops;		/* struct template_op */
	GArray *open;		/* struct template_open */
	GString *pending;	/* literal text not yet turned into an op */
	uint32_t used;
};

static void template_flush_text(struct template_parser *p)
{
	struct template_op op = { .kind = TEMPLATE_OP_TEXT };

	if (p->pending->len == 0)
		return;
	op.text = g_strndup(p->pending->str, p->pending->len);
	g_array_append_val(p->ops, op);
	g_string_truncate(p->pending, 0);
}

static void template_push_op(struct template_parser *p, struct template_op op)
{
	template_flush_text(p);
	g_array_append_val(p->ops, op);
}

static bool template_is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* Reads the inside of "{{...}}" (spaces allowed around the name).
 * Returns false after reporting when it is no tag we know. */
static bool template_parse_tag(struct template_parser *p, const char *inner, size_t len, int line,
			       struct template_token *tok)
{
	static const char sigils[] = "#^/!";
	static const enum template_tag_kind kinds[] = {
		TEMPLATE_TAG_SECTION, TEMPLATE_TAG_INVERTED, TEMPLATE_TAG_END, TEMPLATE_TAG_COMMENT,
	};
	const char *name = inner, *end = inner + len, *sigil;
	int index;

	*tok = (struct template_token){ .is_tag = true, .tag = TEMPLATE_TAG_VALUE };
	while (name < end && (*name == ' ' || *name == '\t'))
		name++;
	if (name < end && (sigil = strchr(sigils, *name)) != NULL) {
		tok->tag = kinds[sigil - sigils];
		name++;
	}
	if (tok->tag == TEMPLATE_TAG_COMMENT)
		return true;
	while (name < end && (*name == ' ' || *name == '\t'))
		name++;
	while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (name == end) {
		template_problem(p->errors, p->path, line, "empty tag {{%.*s}}", (int)len, inner);
		return false;
	}
	index = template_placeholder_index(name, (size_t)(end - name));
	if (index < 0) {
		char *known = template_placeholder_list();
		template_problem(p->errors, p->path, line, "unknown placeholder {{%.*s}} (known: %s)", (int)len, inner,
				 known);
		g_free(known);
		return false;
	}
	tok->placeholder = (unsigned)index;
	return true;
}

/* Splits one line (without its newline) into literal text and tags. */
static void template_tokenize_line(struct template_parser *p, const char *line, size_t len, int lineno,
				   GArray *tokens)
{
	size_t i = 0, text_start = 0;

	while (i + 1 < len) {
		const char *close;
		struct template_token tok;

		if (line[i] != '{' || line[i + 1] != '{') {
			i++;
			continue;
		}
		if (i > text_start) {
			tok = (struct template_token){ .text = line + text_start, .len = i - text_start };
			g_array_append_val(tokens, tok);
		}
		close = g_strstr_len(line + i + 2, (gssize)(len - i - 2), "}}");
		if (close == NULL) {
			template_problem(p->errors, p->path, lineno, "{{ without }} (a tag ends on the line it starts on)");
			text_start = i = len;
			break;
		}
		if (template_parse_tag(p, line + i + 2, (size_t)(close - line) - i - 2, lineno, &tok))
			g_array_append_val(tokens, tok);
		text_start = i = (size_t)(close - line) + 2;
	}
	if (len > text_start) {
		struct template_token tok = { .text = line + text_start, .len = len - text_start };
		g_array_append_val(tokens, tok);
	}
}

/* A line of only section tags, comments and blanks vanishes whole. */
static bool template_line_is_standalone(const GArray *tokens)
{
	bool any_tag = false;

	for (guint i = 0; i < tokens->len; i++) {
		const struct template_token *tok = &g_array_index(tokens, struct template_token, i);
		if (!tok->is_tag) {
			if (!template_is_blank(tok->text, tok->len))
				return false;
		} else if (tok->tag == TEMPLATE_TAG_VALUE) {
			return false;
		} else {
			any_tag = true;
		}
	}
	return any_tag;
}

static void template_close_section(struct template_parser *p, unsigned placeholder, int lineno)
{
	const char *name = template_placeholders[placeholder];
	struct template_open *top;
	struct template_op *start, end = { .kind = TEMPLATE_OP_END, .placeholder = placeholder };

	if (p->open->len == 0) {
		template_problem(p->errors, p->path, lineno, "{{/%s}} closes no section", name);
		return;
	}
	top = &g_array_index(p->open, struct template_open, p->open->len - 1);
	start = &g_array_index(p->ops, struct template_op, top->op);
	if (start->placeholder != placeholder) {
		template_problem(p->errors, p->path, lineno, "{{/%s}} closes {{%c%s}} of line %d", name,
				 start->inverted ? '^' : '#', template_placeholders[start->placeholder], top->line);
		return;
	}
	template_flush_text(p);
	/* The array may move when END is appended: note the index first. */
	g_array_index(p->ops, struct template_op, top->op).end = p->ops->len;
	g_array_set_size(p->open, p->open->len - 1);
	g_array_append_val(p->ops, end);
}

static void template_emit_tag(struct template_parser *p, const struct template_token *tok, int lineno)
{
	struct template_op op = { .placeholder = tok->placeholder };

	switch (tok->tag) {
	case TEMPLATE_TAG_COMMENT:
		return;
	case TEMPLATE_TAG_VALUE:
		op.kind = TEMPLATE_OP_VALUE;
		template_push_op(p, op);
		break;
	case TEMPLATE_TAG_SECTION:
	case TEMPLATE_TAG_INVERTED: {
		struct template_open open;
		op.kind = TEMPLATE_OP_SECTION;
		op.inverted = tok->tag == TEMPLATE_TAG_INVERTED;
		template_push_op(p, op);
		open = (struct template_open){ .op = p->ops->len - 1, .line = lineno };
		g_array_append_val(p->open, open);
		break;
	}
	case TEMPLATE_TAG_END:
		template_close_section(p, tok->placeholder, lineno);
		break;
	}
	p->used |= UINT32_C(1) << tok->placeholder;
}

/* The template's own text may hold tabs, nothing else below 0x20. */
static void template_check_controls(struct template_parser *p, const char *line, size_t len, int lineno)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			template_problem(p->errors, p->path, lineno, "control character 0x%02x in the template", c);
			return;
		}
	}
}

static void template_parse_line(struct template_parser *p, const char *line, size_t len, int lineno,
				bool newline, bool standalone_allowed)
{
	GArray *tokens = g_array_new(FALSE, FALSE, sizeof(struct template_token));
	bool standalone;

	template_check_controls(p, line, len, lineno);
	template_tokenize_line(p, line, len, lineno, tokens);
	standalone = standalone_allowed && template_line_is_standalone(tokens);
	for (guint i = 0; i < tokens->len; i++) {
		const struct template_token *tok = &g_array_index(tokens, struct template_token, i);
		if (tok->is_tag)
			template_emit_tag(p, tok, lineno);
		else if (!standalone)
			g_string_append_len(p->pending, tok->text, (gssize)tok->len);
	}
	if (newline && !standalone)
		g_string_append_c(p->pending, '\n');
	g_array_free(tokens, TRUE);
}

static void template_part_clear(struct template_part *part)
{
	for (size_t i = 0; i < part->n_ops; i++)
		g_free(part->ops[i].text);
	g_free(part->ops);
	*part = (struct template_part){ 0 };
}

/* Parses len bytes of src, whose first line is line first_line of path,
 * into part (which holds what was understood even after errors).  A
 * subject is one line, where standalone tags keep their place. */
static void template_parse_part(const char *path, const char *src, size_t len, int first_line, bool is_subject,
				GPtrArray *errors, struct template_part *part, uint32_t *used)
{
	struct template_parser p = {
		.path = path,
		.errors = errors,
		.ops = g_array_new(FALSE, TRUE, sizeof(struct template_op)),
		.open = g_array_new(FALSE, FALSE, sizeof(struct template_open)),
		.pending = g_string_new(NULL),
	};
	const char *end = src + len;
	int lineno = first_line;

	for (const char *line = src; line < end; lineno++) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);

		template_parse_line(&p, line, n, lineno, nl != NULL, !is_subject);
		line += n + (nl != NULL);
	}
	template_flush_text(&p);
	for (guint i = 0; i < p.open->len; i++) {
		const struct template_open *o = &g_array_index(p.open, struct template_open, i);
		const struct template_op *op = &g_array_index(p.ops, struct template_op, o->op);
		template_problem(errors, path, o->line, "{{%c%s}} is never closed", op->inverted ? '^' : '#',
				 template_placeholders[op->placeholder]);
	}
	part->n_ops = p.ops->len;
	part->ops = (struct template_op *)(void *)g_array_free(p.ops, FALSE);
	g_array_free(p.open, TRUE);
	g_string_free(p.pending, TRUE);
	*used |= p.used;
}

static bool template_text_ends_with(const struct template_op *op, char c)
{
	size_t n = op->kind == TEMPLATE_OP_TEXT ? strlen(op->text) : 0;

	return n > 0 && op->text[n - 1] == c;
}

/* True when "[{{ticket}}]" stands in the part outside every section,
 * so that each rendered subject carries the tag replies are found by. */
static bool template_part_has_ticket_tag(const struct template_part *part)
{
	int depth = 0;
	int ticket = template_placeholder_index("ticket", strlen("ticket"));

	for (size_t i = 0; i < part->n_ops; i++) {
		const struct template_op *op = &part->ops[i];
		if (op->kind == TEMPLATE_OP_SECTION)
			depth++;
		else if (op->kind == TEMPLATE_OP_END)
			depth--;
		else if (op->kind == TEMPLATE_OP_VALUE && depth == 0 && op->placeholder == (unsigned)ticket && i > 0 &&
			 i + 1 < part->n_ops && template_text_ends_with(&part->ops[i - 1], '[') &&
			 part->ops[i + 1].kind == TEMPLATE_OP_TEXT && part->ops[i + 1].text[0] == ']')
			return true;
	}
	return false;
}

/* Reads path as UTF-8 text with "\n" line ends and without a BOM.
 * NULL after reporting when it cannot be used. */
static char *template_read(const char *path, size_t *len, GPtrArray *errors)
{
	GError *gerr = NULL;
	char *data = NULL, *out;
	const char *bad = NULL, *src;
	gsize size = 0;

	if (!g_file_get_contents(path, &data, &size, &gerr)) {
		template_problem(errors, path, 0, "cannot read: %s", gerr->message);
		g_error_free(gerr);
		return NULL;
	}
	if (size > TEMPLATE_MAX_BYTES) {
		template_problem(errors, path, 0, "%zu bytes: a template is at most %d", (size_t)size, TEMPLATE_MAX_BYTES);
		g_free(data);
		return NULL;
	}
	if (!g_utf8_validate_len(data, size, &bad)) {
		int line = 1;
		for (const char *c = data; c < bad; c++)
			line += *c == '\n';
		template_problem(errors, path, line, "not UTF-8 (or a NUL byte): save the file as UTF-8");
		g_free(data);
		return NULL;
	}
	src = g_str_has_prefix(data, "\xEF\xBB\xBF") ? data + 3 : data;
	out = g_malloc(size + 1);
	*len = 0;
	for (; src < data + size; src++)
		if (!(*src == '\r' && src[1] == '\n'))
			out[(*len)++] = *src;
	out[*len] = '\0';
	g_free(data);
	return out;
}

/* Header names are printable ASCII without ':' (RFC 5322). */
static bool template_header_name_valid(const char *name, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] <= 0x20 || (unsigned char)name[i] >= 0x7f)
			return false;
	return true;
}

/* Parses the "Subject: value" line into subject. */
static void template_parse_subject(const char *path, const char *value, size_t len, int lineno, GPtrArray *errors,
				   struct template_part *subject, uint32_t *used)
{
	while (len > 0 && (*value == ' ' || *value == '\t'))
		value++, len--;
	while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	if (len == 0) {
		template_problem(errors, path, lineno, "empty Subject:");
		return;
	}
	template_parse_part(path, value, len, lineno, true, errors, subject, used);
	if (!template_part_has_ticket_tag(subject))
		template_problem(errors, path, lineno,
				 "Subject: must carry [{{ticket}}] outside any section, so that replies find their ticket");
}

/* Parses the header block at *src; moves *src and *lineno to the body.
 * Returns false when the block is too broken to tell where the body is. */
static bool template_parse_headers(const char *path, const char **src, const char *end, int *lineno,
				   GPtrArray *errors, struct template_part *subject, uint32_t *used)
{
	const char *line = *src;
	bool have_subject = false;

	for (;; (*lineno)++) {
		const char *nl = line < end ? memchr(line, '\n', (size_t)(end - line)) : NULL;
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		const char *colon = memchr(line, ':', n);

		if (line >= end || nl == NULL) {
			template_problem(errors, path, *lineno, "no blank line after the header block: a template is "
					 "\"Subject: ...\", a blank line, then the body");
			return false;
		}
		if (n == 0)
			break;
		if (line[0] == ' ' || line[0] == '\t') {
			template_problem(errors, path, *lineno, "folded header line: keep Subject: on one line");
		} else if (colon == NULL || !template_header_name_valid(line, (size_t)(colon - line))) {
			template_problem(errors, path, *lineno, "expected \"Subject: ...\" or the blank line before the body");
			return false;
		} else if (colon - line != 7 || g_ascii_strncasecmp(line, "Subject", 7) != 0) {
			template_problem(errors, path, *lineno, "header %.*s: a template may set only Subject:",
					 (int)(colon - line), line);
		} else if (have_subject) {
			template_problem(errors, path, *lineno, "second Subject: line");
		} else {
			have_subject = true;
			template_parse_subject(path, colon + 1, n - (size_t)(colon - line) - 1, *lineno, errors, subject,
					       used);
		}
		line = nl + 1;
	}
	if (!have_subject)
		template_problem(errors, path, 1, "no Subject: line in the header block");
	*src = line + 1;
	(*lineno)++;
	return true;
}

static void template_parse_body(const char *path, const char *src, const char *end, int lineno, GPtrArray *errors,
				struct template_part *body, uint32_t *used)
{
	bool blank = true;

	for (const char *c = src; c < end && blank; c++)
		blank = g_ascii_isspace(*c);
	if (blank) {
		template_problem(errors, path, lineno, "empty body");
		return;
	}
	template_parse_part(path, src, (size_t)(end - src), lineno, false, errors, body, used);
}

/* Parses a template file: .txt (with_header) or .html.  Returns true
 * when it added no error; the parts are filled either way. */
static bool template_parse_file(const char *path, bool with_header, GPtrArray *errors, struct template_part *subject,
				struct template_part *body, uint32_t *used)
{
	guint errors_before = errors->len;
	size_t len = 0;
	char *data = template_read(path, &len, errors);
	const char *src = data;
	int lineno = 1;

	if (data == NULL)
		return false;
	if (!with_header || template_parse_headers(path, &src, data + len, &lineno, errors, subject, used))
		template_parse_body(path, src, data + len, lineno, errors, body, used);
	g_free(data);
	return errors->len == errors_before;
}

/* ---------------------------------------------------------------------
 * Loading
 */

void template_free(struct template *t)
{
	if (t == NULL)
		return;
	template_part_clear(&t->subject);
	template_part_clear(&t->text);
	template_part_clear(&t->html);
	g_free(t->name);
	g_free(t->locale);
	g_free(t);
}

const char *template_locale(const struct template *t)
{
	return t->locale;
}

static char *template_join_errors(GPtrArray *errors)
{
	g_ptr_array_add(errors, NULL);
	return g_strjoinv("; ", (char **)errors->pdata);
}

/* Loads folder/name.txt and, when present, folder/name.html. */
static struct template *template_load_folder(const char *folder, const char *locale, const char *name,
					     char **error)
{
	struct template *t = g_new0(struct template, 1);
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *txt = g_strdup_printf("%s/%s.txt", folder, name);
	char *html = g_strdup_printf("%s/%s.html", folder, name);

	t->name = g_strdup(name);
	t->locale = g_strdup(locale);
	template_parse_file(txt, true, errors, &t->subject, &t->text, &t->used);
	if (g_file_test(html, G_FILE_TEST_IS_REGULAR)) {
		struct template_part unused = { 0 };
		t->has_html = true;
		template_parse_file(html, false, errors, &unused, &t->html, &t->used);
	}
	if (errors->len > 0) {
		if (error)
			*error = template_join_errors(errors);
		template_free(t);
		t = NULL;
	}
	g_ptr_array_free(errors, TRUE);
	g_free(txt);
	g_free(html);
	return t;
}

static void template_set_error(char **error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void template_set_error(char **error, const char *fmt, ...)
{
	va_list ap;

	if (error == NULL)
		return;
	va_start(ap, fmt);
	*error = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

/* A queue id that could never be read as a locale or as queues/ may also
 * keep its overrides at <dir>/<queue>/<locale>/, beside the shared locale
 * folders (the layout the configuration contract names). */
static bool template_queue_beside_locales(const char *queue)
{
	char *canonical = locale_tag_canonical(queue);
	bool ok = canonical == NULL && strcmp(queue, TEMPLATE_QUEUES_DIR) != 0;

	g_free(canonical);
	return ok;
}

/* The folder to try for one locale: 0 the queue's override under
 * queues/, 1 the queue's override beside the locales, 2 the shared one. */
static char *template_folder(const char *dir, const char *queue, const char *locale, int where)
{
	if (where == 0)
		return g_build_filename(dir, TEMPLATE_QUEUES_DIR, queue, locale, NULL);
	if (where == 1)
		return template_queue_beside_locales(queue) ? g_build_filename(dir, queue, locale, NULL) : NULL;
	return g_build_filename(dir, locale, NULL);
}

struct template *template_load(const char *dir, const char *queue, const char *locale,
			       const char *default_locale, const char *name, char **error)
{
	const char *chain[3] = { NULL }, **end = chain;

	if (locale)
		*end++ = locale;
	if (default_locale)
		*end++ = default_locale;
	return template_load_chain(dir, queue, chain, name, error);
}

struct template *template_load_chain(const char *dir, const char *queue, const char *const *chain,
				     const char *name, char **error)
{
	GPtrArray *locales = g_ptr_array_new_with_free_func(g_free);
	GString *tried = g_string_new(NULL);
	struct template *t = NULL;
	bool found = false;

	if (error)
		*error = NULL;
	if (queue && *queue == '\0')
		queue = NULL;
	if (dir == NULL) {
		template_set_error(error, "no template folder configured");
		goto out;
	}
	if (!template_name_valid(name)) {
		template_set_error(error, "template name \"%s\": use a-z, 0-9, - and _", name ? name : "");
		goto out;
	}
	if (queue && !template_queue_valid(queue)) {
		template_set_error(error, "queue \"%s\" cannot name a template folder", queue);
		goto out;
	}
	for (const char *const *l = chain; *l; l++)
		locale_tag_add_chain(locales, *l);
	for (guint i = 0; i < locales->len && !found; i++) {
		for (int where = queue ? 0 : 2; where < 3 && !found; where++) {
			const char *tag = g_ptr_array_index(locales, i);
			char *folder = template_folder(dir, queue, tag, where);
			char *txt;

			if (folder == NULL)
				continue;
			txt = g_strdup_printf("%s/%s.txt", folder, name);

			if (g_file_test(txt, G_FILE_TEST_IS_REGULAR)) {
				found = true;
				t = template_load_folder(folder, tag, name, error);
			} else {
				g_string_append_printf(tried, "%s%s", tried->len ? ", " : "", txt);
			}
			g_free(txt);
			g_free(folder);
		}
	}
	if (!found)
		template_set_error(error, "no template \"%s\" for locale %s: tried %s", name, *chain ? *chain : "(none)",
				   tried->len ? tried->str : "no valid locale");
out:
	g_string_free(tried, TRUE);
	g_ptr_array_free(locales, TRUE);
	return t;
}

/* ---------------------------------------------------------------------
 * Checking
 */

void template_check_file(const char *path, GPtrArray *errors)
{
	struct template_part subject = { 0 }, body = { 0 };
	uint32_t used = 0;

	if (g_str_has_suffix(path, ".txt"))
		template_parse_file(path, true, errors, &subject, &body, &used);
	else if (g_str_has_suffix(path, ".html"))
		template_parse_file(path, false, errors, &subject, &body, &used);
	else
		template_problem(errors, path, 0, "not a template: the name must end in .txt or .html");
	template_part_clear(&subject);
	template_part_clear(&body);
}

static gint template_compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names in dir, sorted (for a stable report), hidden ones left out.
 * NULL after reporting when dir cannot be read. */
static GPtrArray *template_dir_entries(const char *dir, GPtrArray *errors)
{
	GError *gerr = NULL;
	GDir *d = g_dir_open(dir, 0, &gerr);
	GPtrArray *names;
	const char *name;

	if (d == NULL) {
		template_problem(errors, dir, 0, "cannot read the template folder: %s", gerr->message);
		g_error_free(gerr);
		return NULL;
	}
	names = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(d)) != NULL)
		if (name[0] != '.')
			g_ptr_array_add(names, g_strdup(name));
	g_dir_close(d);
	g_ptr_array_sort(names, template_compare_names);
	return names;
}

static bool template_is_template_file(const char *name)
{
	return g_str_has_suffix(name, ".txt") || g_str_has_suffix(name, ".html");
}

/* A locale folder: NAME.txt, optional NAME.html; other files are left
 * alone (notes, editor backups), folders are not expected. */
static void template_check_locale_dir(const char *dir, GPtrArray *errors)
{
	GPtrArray *names = template_dir_entries(dir, errors);

	for (guint i = 0; names && i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		char *path = g_build_filename(dir, name, NULL);
		char *stem = g_strndup(name, strcspn(name, "."));
		bool is_html = g_str_has_suffix(name, ".html");

		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			template_problem(errors, path, 0, "a locale folder holds templates (NAME.txt, NAME.html), not folders");
		} else if (template_is_template_file(name)) {
			if (!template_name_valid(stem) || strchr(name, '.') != strrchr(name, '.'))
				template_problem(errors, path, 0, "template names use a-z, 0-9, - and _");
			template_check_file(path, errors);
			if (is_html) {
				char *txt = g_strdup_printf("%s/%s.txt", dir, stem);
				if (!g_file_test(txt, G_FILE_TEST_IS_REGULAR))
					template_problem(errors, path, 0, "no %s.txt beside it: the subject and the text part "
							 "come from there", stem);
				g_free(txt);
			}
		}
		g_free(stem);
		g_free(path);
	}
	if (names)
		g_ptr_array_free(names, TRUE);
}

/* A folder the loader would not look in: say where it belongs. */
static void template_misplaced_folder(const char *path, const char *name, GPtrArray *errors)
{
	char *canonical = locale_tag_canonical(name);

	if (canonical)
		template_problem(errors, path, 0, "locale folders are named like %s", canonical);
	else
		template_problem(errors, path, 0, "not a locale folder (like de or pt-BR) nor a queue's override "
				 "folder; templates for [queue %s] go in " TEMPLATE_QUEUES_DIR "/%s/<locale>/", name, name);
	g_free(canonical);
}

/* One queue's override folder: it holds locale folders. */
static void template_check_queue_folder(const char *qpath, const char *queue, GPtrArray *errors)
{
	GPtrArray *locales = template_dir_entries(qpath, errors);

	if (!template_queue_valid(queue))
		template_problem(errors, qpath, 0, "not a usable queue id");
	for (guint j = 0; locales && j < locales->len; j++) {
		const char *locale = g_ptr_array_index(locales, j);
		char *lpath = g_build_filename(qpath, locale, NULL);

		if (!g_file_test(lpath, G_FILE_TEST_IS_DIR)) {
			if (template_is_template_file(locale))
				template_problem(errors, lpath, 0, "templates go in a locale folder: %s/<locale>/%s",
						 queue, locale);
		} else if (template_locale_folder_valid(locale)) {
			template_check_locale_dir(lpath, errors);
		} else {
			template_problem(errors, lpath, 0, "not a locale folder (like de or pt-BR)");
		}
		g_free(lpath);
	}
	if (locales)
		g_ptr_array_free(locales, TRUE);
}

/* queues/<queue>/<locale>/...: each queue folder holds locale folders. */
static void template_check_queues_dir(const char *dir, GPtrArray *errors)
{
	GPtrArray *queues = template_dir_entries(dir, errors);

	for (guint i = 0; queues && i < queues->len; i++) {
		const char *queue = g_ptr_array_index(queues, i);
		char *qpath = g_build_filename(dir, queue, NULL);

		if (g_file_test(qpath, G_FILE_TEST_IS_DIR))
			template_check_queue_folder(qpath, queue, errors);
		else if (template_is_template_file(queue))
			template_problem(errors, qpath, 0, "templates go in queues/<queue>/<locale>/");
		g_free(qpath);
	}
	if (queues)
		g_ptr_array_free(queues, TRUE);
}

void template_check_dir(const char *dir, GPtrArray *errors)
{
	GPtrArray *names = template_dir_entries(dir, errors);

	for (guint i = 0; names && i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		char *path = g_build_filename(dir, name, NULL);

		if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
			if (template_is_template_file(name))
				template_problem(errors, path, 0, "templates go in a locale folder, e.g. en/%s", name);
		} else if (strcmp(name, TEMPLATE_QUEUES_DIR) == 0) {
			template_check_queues_dir(path, errors);
		} else if (template_locale_folder_valid(name)) {
			template_check_locale_dir(path, errors);
		} else if (template_queue_beside_locales(name) && template_queue_valid(name)) {
			template_check_queue_folder(path, name, errors);
		} else {
			template_misplaced_folder(path, name, errors);
		}
		g_free(path);
	}
	if (names)
		g_ptr_array_free(names, TRUE);
}

/* ---------------------------------------------------------------------
 * Rendering
 */

/* Line breaks of every kind, and everything else that is not text. */
static bool template_is_control(gunichar c)
{
	return g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029;
}

/* Subject: one line whatever the value holds. */
static void template_append_subject_char(GString *out, gunichar c)
{
	if (!template_is_control(c))
		g_string_append_unichar(out, c);
	else if (out->len == 0 || out->str[out->len - 1] != ' ')
		g_string_append_c(out, ' ');
}

/* Text: line breaks kept as "\n", tabs kept, other controls a space. */
static gunichar template_text_char(gunichar c, gunichar next, bool *skip)
{
	*skip = c == '\r' && next == '\n';
	if (c == '\r' || c == 0x2028 || c == 0x2029 || c == 0x85)
		return '\n';
	if (c == '\n' || c == '\t' || !g_unichar_iscntrl(c))
		return c;
	return ' ';
}

static void template_append_html_char(GString *out, gunichar c)
{
	switch (c) {
	case '&': g_string_append(out, "&amp;"); break;
	case '<': g_string_append(out, "&lt;"); break;
	case '>': g_string_append(out, "&gt;"); break;
	case '"': g_string_append(out, "&quot;"); break;
	case '\'': g_string_append(out, "&#39;"); break;
	default: g_string_append_unichar(out, c); break;
	}
}

static void template_append_value(GString *out, const char *value, enum template_escape escape)
{
	char *valid = g_utf8_make_valid(value, -1);

	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p), next = g_utf8_get_char(g_utf8_next_char(p));
		bool skip;

		if (escape == TEMPLATE_ESCAPE_SUBJECT) {
			template_append_subject_char(out, c);
			continue;
		}
		c = template_text_char(c, next, &skip);
		if (skip)
			continue;
		if (escape == TEMPLATE_ESCAPE_HTML)
			template_append_html_char(out, c);
		else
			g_string_append_unichar(out, c);
	}
	g_free(valid);
}

/* Blank (empty or white space only) values drop {{#name}} sections. */
static bool template_value_blank(const char *value)
{
	for (const char *p = value; *p; p++)
		if (!g_ascii_isspace(*p))
			return false;
	return true;
}

static void template_render_part(const struct template_part *part, const char *const *values,
				 enum template_escape escape, GString *out)
{
	for (size_t i = 0; i < part->n_ops; i++) {
		const struct template_op *op = &part->ops[i];

		switch (op->kind) {
		case TEMPLATE_OP_TEXT:
			g_string_append(out, op->text);
			break;
		case TEMPLATE_OP_VALUE:
			template_append_value(out, values[op->placeholder], escape);
			break;
		case TEMPLATE_OP_SECTION:
			if (template_value_blank(values[op->placeholder]) != op->inverted)
				i = op->end;	/* skip to the END; the loop steps past it */
			break;
		case TEMPLATE_OP_END:
			break;
		}
	}
}

/* Fills values[] from vars; false with *error when a pair is bad or a
 * placeholder the template uses has no value. */
static bool template_collect_values(const struct template *t, char *const *vars, const char **values,
				    char **error)
{
	for (size_t i = 0; vars && vars[i]; i += 2) {
		int index = template_placeholder_index(vars[i], strlen(vars[i]));

		if (index < 0) {
			template_set_error(error, "template %s: \"%s\" is not a placeholder", t->name, vars[i]);
			return false;
		}
		if (vars[i + 1] == NULL) {
			template_set_error(error, "template %s: %s has no value (pass \"\" for none)", t->name, vars[i]);
			return false;
		}
		if (values[index] == NULL)
			values[index] = vars[i + 1];
	}
	for (size_t i = 0; i < TEMPLATE_N_PLACEHOLDERS; i++)
		if ((t->used & (UINT32_C(1) << i)) && values[i] == NULL) {
			template_set_error(error, "template %s (%s) uses {{%s}}, which has no value", t->name, t->locale,
					   template_placeholders[i]);
			return false;
		}
	return true;
}

static char *template_render_to_string(const struct template_part *part, const char *const *values,
				       enum template_escape escape)
{
	GString *out = g_string_new(NULL);

	template_render_part(part, values, escape, out);
	return g_string_free(out, FALSE);
}

int template_render(const struct template *t, char *const *vars, char **subject, char **text, char **html,
		    char **error)
{
	const char *values[TEMPLATE_N_PLACEHOLDERS] = { NULL };

	if (subject)
		*subject = NULL;
	if (text)
		*text = NULL;
	if (html)
		*html = NULL;
	if (error)
		*error = NULL;
	if (!template_collect_values(t, vars, values, error))
		return -1;
	if (subject)
		*subject = g_strstrip(template_render_to_string(&t->subject, values, TEMPLATE_ESCAPE_SUBJECT));
	if (text)
		*text = template_render_to_string(&t->text, values, TEMPLATE_ESCAPE_TEXT);
	if (html && t->has_html)
		*html = template_render_to_string(&t->html, values, TEMPLATE_ESCAPE_HTML);
	return 0;
}
