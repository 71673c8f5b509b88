/*
 * context_block.c - the X-Ticket-Customer value and the history block
 * (context_block.h).
 * Room: compose.
 */
#include "config.h"
#include "compose/context_block.h"
#include "config/survey.h"
#include "text/text.h"

#include <glib.h>
#include <string.h>

/* What a stored word may hold to be written at all. */
#define WORD_TAG "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#define WORD_ZONE WORD_TAG "/+"
#define WORD_MAX 64

/* s when it is a word of the allowed bytes, else NULL: a stored value
 * that is not what it should be is left out rather than repaired. */
static const char *word(const char *s, const char *allowed)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= WORD_MAX && strspn(s, allowed) == n ? s : NULL;
}

/* "SUP-1003", or NULL when the stored tag is not one. */
static char *tag_text(const char *tag, long number)
{
	return word(tag, WORD_TAG) && number > 0 ? g_strdup_printf("%s-%ld", tag, number) : NULL;
}

static const char *status_text(const struct store_context_ticket *t)
{
	return t->merged ? "merged" : word(t->status, WORD_TAG) ? t->status : "?";
}

static char *utc_text(int64_t when, const char *format)
{
	GDateTime *d = g_date_time_new_from_unix_utc(when);
	char *text = d ? g_date_time_format(d, format) : g_strdup("?");

	if (d)
		g_date_time_unref(d);
	return text;
}

/* The name of the scale of the customer's latest rating (config/survey.h)
 * when the stored one is a scale and the rating is on it, else NULL
 * (nothing is written of it); *max gets the top of the scale. */
static const char *rating_scale(const struct store_customer_context *c, int *max)
{
	enum survey kind;
	const struct survey_scale *scale;

	if (c->rating_scale == NULL || !survey_parse(c->rating_scale, &kind))
		return NULL;
	scale = survey_scale(kind);
	*max = scale->max;
	return c->rating >= scale->min && c->rating <= scale->max ? scale->name : NULL;
}

/* ---- the header ---- */

static void add_field(GString *out, const char *name, const char *value)
{
	if (value)
		g_string_append_printf(out, "%s%s=%s", out->len ? "; " : "", name, value);
}

/* The value with the first `listed` tickets of recent. */
static char *header_with(const struct store_customer_context *c, guint listed)
{
	GString *out = g_string_new(NULL);
	char *count = c->others >= STORE_CONTEXT_COUNT_MAX ? g_strdup_printf("%d+", STORE_CONTEXT_COUNT_MAX)
							    : g_strdup_printf("%d", MAX(c->others, 0));
	GString *recent = g_string_new(NULL);
	char *last = c->last_wrote > 0 ? utc_text(c->last_wrote, "%Y-%m-%dT%H:%M:%SZ") : NULL;
	int max = 0;
	const char *scale = rating_scale(c, &max);
	char *rated = scale ? tag_text(c->rating_tag, c->rating_number) : NULL;
	char *rating = rated ? g_strdup_printf("%d (%s)", c->rating, rated) : NULL;

	for (guint i = 0; c->recent && i < c->recent->len && i < listed; i++) {
		const struct store_context_ticket *t = g_ptr_array_index(c->recent, i);
		char *tag = tag_text(t->tag, t->number);
		if (tag)
			g_string_append_printf(recent, "%s%s/%s", recent->len ? " " : "", tag, status_text(t));
		g_free(tag);
	}
	add_field(out, "tickets", count);
	add_field(out, "recent", recent->len ? recent->str : NULL);
	add_field(out, "last-contact", last);
	add_field(out, "locale", word(c->locale, WORD_TAG));
	add_field(out, "zone", word(c->zone, WORD_ZONE));
	add_field(out, "tier", word(c->tier, WORD_TAG));
	add_field(out, scale, rating);
	g_free(count);
	g_string_free(recent, TRUE);
	g_free(last);
	g_free(rated);
	g_free(rating);
	return g_string_free(out, FALSE);
}

char *context_header_value(const struct store_customer_context *c)
{
	guint listed = CONTEXT_HEADER_TICKETS;
	char *value = header_with(c, listed);

	/* Every field is a bounded word: only the list can be cut. */
	while (strlen(value) > CONTEXT_HEADER_MAX && listed > 0) {
		g_free(value);
		value = header_with(c, --listed);
	}
	return value;
}

/* ---- the block ---- */

/* The subject on one line, without what would hide or reorder text,
 * cut to CONTEXT_SUBJECT_CHARS characters. */
static char *subject_text(const char *subject)
{
	char *line = text_one_line(subject ? subject : "");
	GString *out = g_string_new(NULL);
	glong chars = 0;
	bool space = false;

	for (const char *p = line; *p; p = g_utf8_next_char(p)) {
		gunichar ch = g_utf8_get_char(p);
		GUnicodeType type = g_unichar_type(ch);
		if (type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT || type == G_UNICODE_LINE_SEPARATOR ||
		    type == G_UNICODE_PARAGRAPH_SEPARATOR || g_unichar_isspace(ch)) {
			space = out->len > 0;
			continue;
		}
		if (chars + space >= CONTEXT_SUBJECT_CHARS) {
			g_string_append(out, "...");
			break;
		}
		if (space) {
			g_string_append_c(out, ' ');
			chars++;
			space = false;
		}
		g_string_append_unichar(out, ch);
		chars++;
	}
	g_free(line);
	if (out->len == 0)
		g_string_append(out, "(no subject)");
	return g_string_free(out, FALSE);
}

/* "Last contact ...; language ...; ..." with what is known, or NULL. */
static char *facts_line(const struct store_customer_context *c)
{
	GString *out = g_string_new(NULL);
	const char *locale = word(c->locale, WORD_TAG), *zone = word(c->zone, WORD_ZONE), *tier = word(c->tier, WORD_TAG);
	int max = 0;
	const char *scale = rating_scale(c, &max);
	char *rated = scale ? tag_text(c->rating_tag, c->rating_number) : NULL;
	char *upper = scale ? g_ascii_strup(scale, -1) : NULL;

	if (c->last_wrote > 0) {
		char *date = utc_text(c->last_wrote, "%Y-%m-%d");
		g_string_append_printf(out, "Last contact %s", date);
		g_free(date);
	}
	if (locale)
		g_string_append_printf(out, "%slanguage %s", out->len ? "; " : "", locale);
	if (zone)
		g_string_append_printf(out, "%szone %s", out->len ? "; " : "", zone);
	if (tier)
		g_string_append_printf(out, "%stier %s", out->len ? "; " : "", tier);
	if (rated)
		g_string_append_printf(out, "%slatest %s %d/%d (%s)", out->len ? "; " : "", upper, c->rating, max, rated);
	g_free(rated);
	g_free(upper);
	if (out->len == 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	out->str[0] = g_ascii_toupper(out->str[0]);
	return g_string_free(out, FALSE);
}

char *context_block_text(const struct store_customer_context *c)
{
	static const char rule[] = "----\n\n";
	GString *out;
	char *facts, *more;
	guint listed = 0;
	size_t reserve;

	if (c->others <= 0)
		return NULL;
	out = g_string_new(NULL);
	facts = facts_line(c);
	if (c->others >= STORE_CONTEXT_COUNT_MAX)
		g_string_append_printf(out, "[Customer history, for agents: %d or more other tickets]\n",
				       STORE_CONTEXT_COUNT_MAX);
	else
		g_string_append_printf(out, "[Customer history, for agents: %d other ticket%s]\n", c->others,
				       c->others == 1 ? "" : "s");
	/* Room for "... and N more", the facts and the rule. */
	reserve = 32 + (facts ? strlen(facts) + 1 : 0) + sizeof rule;
	for (guint i = 0; c->recent && i < c->recent->len && i < CONTEXT_BLOCK_TICKETS; i++) {
		const struct store_context_ticket *t = g_ptr_array_index(c->recent, i);
		char *tag = tag_text(t->tag, t->number), *date = utc_text(t->created, "%Y-%m-%d");
		char *subject = subject_text(t->subject);
		char *line = g_strdup_printf("[%s] %s %-8s %s\n", tag ? tag : "?", date, status_text(t), subject);
		bool fits = out->len + strlen(line) + reserve <= CONTEXT_BLOCK_MAX;
		if (fits) {
			g_string_append(out, line);
			listed++;
		}
		g_free(tag);
		g_free(date);
		g_free(subject);
		g_free(line);
		if (!fits)
			break;
	}
	if (c->others >= STORE_CONTEXT_COUNT_MAX) {
		g_string_append(out, "... and more\n");
	} else if ((guint)c->others > listed) {
		more = g_strdup_printf("... and %d more\n", c->others - (int)listed);
		g_string_append(out, more);
		g_free(more);
	}
	if (facts)
		g_string_append_printf(out, "%s\n", facts);
	g_string_append(out, rule);
	g_free(facts);
	return g_string_free(out, FALSE);
}

char *context_block_html(const char *text)
{
	GString *out = g_string_new("<pre class=\"ticket-customer-history\" style=\"white-space: pre-wrap; "
				    "border-left: 3px solid #999; padding-left: 8px\">");

	const char *end = text ? text + strlen(text) : NULL;

	/* The <pre> ends the block: no blank line after its rule. */
	while (end && end > text && end[-1] == '\n')
		end--;
	for (const char *p = text; p && p < end; p = g_utf8_next_char(p)) {
		gunichar ch = g_utf8_get_char(p);
		switch (ch) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '"': g_string_append(out, "&quot;"); break;
		case '\n': g_string_append_c(out, '\n'); break;
		default:
			if (ch >= 0x20 && ch < 0x7f)
				g_string_append_c(out, (char)ch);
			else if (ch >= 0xa0)
				g_string_append_printf(out, "&#%u;", (unsigned)ch);
			break;
		}
	}
	g_string_append(out, "</pre>\n");
	return g_string_free(out, FALSE);
}
