/*
 * template.c - the template syntax (see template.h): the placeholders a
 * template may use, and a template file parsed into its parts.
 *
 * Each part of a template (subject, text body, HTML body) is parsed once
 * into a flat array of operations: literal text, a value, the start of a
 * section (which knows where its end is) and the end of a section
 * (template_internal.h); template_render.c walks that array.  The parser
 * reports every problem it finds with its line, for `ticket-milter -n`,
 * instead of stopping at the first.  Finding, loading and checking the
 * files in the template folder is template_dir.c.
 * Room: compose.
 */
#include "config.h"
#include "compose/template.h"
#include "compose/template_internal.h"

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
	/* The other surveys ([queue] survey, config/survey.h): the same
	 * links, support+nps-N-TOKEN@ and support+ces-N-TOKEN@. */
	"nps_0",		/* not at all likely to recommend us */
	"nps_1", "nps_2", "nps_3", "nps_4", "nps_5", "nps_6", "nps_7", "nps_8", "nps_9",
	"nps_10",		/* extremely likely */
	"ces_1",		/* very difficult */
	"ces_2", "ces_3", "ces_4", "ces_5", "ces_6",
	"ces_7",		/* very easy */
	"rating",		/* the score being thanked for (csat-thanks, nps-thanks, ces-thanks) */
	"unknown_commands", "applied", "commands_only", "note_unsent",	/* agent-notice: see templates/README */
	"returning",		/* non-empty: the customer had opened a ticket before */
	"announcement",		/* an announcement's text, written by an agent (problem_announce.h) */
	/* reminder, to agents: reminder_mail.h */
	"time_left", "overdue", "business", "resolution", "level", "customer", "excerpt",
	"closes",		/* nudge: non-empty when the ticket is resolved if nobody answers (pending.h) */
	NULL,
};

/* Which placeholders a template uses is one bit each; the other files
 * count them with TEMPLATE_N_PLACEHOLDERS. */
_Static_assert(G_N_ELEMENTS(template_placeholders) - 1 == TEMPLATE_N_PLACEHOLDERS, "TEMPLATE_N_PLACEHOLDERS");
_Static_assert(TEMPLATE_N_PLACEHOLDERS <= 64, "placeholder mask is 64 bits");

/* A template is a page of text; anything this large is a mistake. */
#define TEMPLATE_MAX_BYTES (256 * 1024)

/* ---------------------------------------------------------------------
 * Placeholders and errors
 */

int template_placeholder_index(const char *name, size_t len)
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

void template_set_error(char **error, const char *fmt, ...)
{
	va_list ap;

	if (error == NULL)
		return;
	va_start(ap, fmt);
	*error = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

/* "FILE:LINE: message", or "FILE: message" when line is 0. */
void template_problem(GPtrArray *errors, const char *path, int line, const char *fmt, ...)
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

/* ---------------------------------------------------------------------
 * Parsing
 */

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
	uint64_t used;
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
	p->used |= UINT64_C(1) << tok->placeholder;
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

void template_part_clear(struct template_part *part)
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
				GPtrArray *errors, struct template_part *part, uint64_t *used)
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
				   struct template_part *subject, uint64_t *used)
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
				   GPtrArray *errors, struct template_part *subject, uint64_t *used)
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
				struct template_part *body, uint64_t *used)
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
bool template_parse_file(const char *path, bool with_header, GPtrArray *errors, struct template_part *subject,
			 struct template_part *body, uint64_t *used)
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
