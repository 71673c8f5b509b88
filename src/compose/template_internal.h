/*
 * template_internal.h - what the template files share (private to them):
 * a parsed template, and the parser's helpers that loading, checking and
 * rendering use.  template.c parses, template_dir.c finds, loads and
 * checks the files, template_render.c renders; the arrows run from
 * template_dir.c and template_render.c to template.c, never back.
 * Room: compose.
 */
#ifndef TM_TEMPLATE_INTERNAL_H
#define TM_TEMPLATE_INTERNAL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The number of template_placeholders (template.c asserts it). */
#define TEMPLATE_N_PLACEHOLDERS 49

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
	uint64_t used;		/* bit i: template_placeholders[i] occurs in some part */
};

/* Index of the placeholder named by len bytes of name, or -1. */
int template_placeholder_index(const char *name, size_t len);

/* Appends "FILE:LINE: message", or "FILE: message" when line is 0, to
 * errors. */
void template_problem(GPtrArray *errors, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sets *error (g_free) unless error is NULL. */
void template_set_error(char **error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses a template file: .txt (with_header: the Subject: line, a blank
 * line, the body) or .html (a body).  Returns true when it added no
 * error to errors; the parts are filled either way and freed with
 * template_part_clear. */
bool template_parse_file(const char *path, bool with_header, GPtrArray *errors, struct template_part *subject,
			 struct template_part *body, uint64_t *used);
void template_part_clear(struct template_part *part);

#endif
