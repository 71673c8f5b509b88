/*
 * message.h - a parsed message as the engine sees it.
 *
 * message_parse() reads the raw RFC 5322 message with GMime and keeps a
 * plain struct: ids, addresses, decoded subject, a bounded UTF-8 text
 * excerpt and the top-level headers.  Nothing of GMime leaks out, so the
 * engine and the tests work with plain data.  Malformed input never
 * fails the parse: what cannot be read is left empty and counted in
 * `warnings`.
 *
 * g_mime_init() must have been called once, before any thread starts.
 */
#ifndef TM_MESSAGE_H
#define TM_MESSAGE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

struct mailbox {
	char *address;		/* normalized (lower case), never NULL */
	char *name;		/* decoded display name, may be NULL */
};

struct header_field {
	char *name;
	char *value;		/* decoded, unfolded, UTF-8 */
};

struct message {
	char *message_id;	/* without <>, NULL when absent */
	GPtrArray *in_reply_to;	/* char *, without <> */
	GPtrArray *references;	/* char *, oldest first */
	struct mailbox *from;	/* NULL when absent or unparsable */
	struct mailbox *reply_to;
	GPtrArray *to;		/* struct mailbox * */
	GPtrArray *cc;		/* struct mailbox * */
	char *subject;		/* decoded, sanitized; "" when absent */
	char *raw_subject;	/* unfolded raw value, NULL when absent */
	gint64 date;		/* Unix time of Date:, 0 when absent */
	int date_offset;	/* minutes east of UTC in Date: */
	char *content_type;	/* top level, "multipart/report", lower case */
	char *text;		/* excerpt: UTF-8, quotes trimmed, bounded */
	char *text_charset;	/* charset label of the part text came from, or NULL */
	char *full_text;	/* the same part untrimmed (quotes kept), bounded */
	unsigned parts;		/* MIME parts seen */
	bool has_report;	/* a delivery, disposition or feedback report part */
	size_t size;		/* raw bytes */
	char sha256[65];	/* hex of the raw bytes */
	GPtrArray *headers;	/* struct header_field *, top level, in order */
	unsigned warnings;	/* things that could not be read */
};

/* Parses len bytes (need not be NUL-terminated).  excerpt_bytes bounds
 * message->text.  Never returns NULL; free with message_free(). */
struct message *message_parse(const char *raw, size_t len, size_t excerpt_bytes);

void message_free(struct message *msg);

/* The first top-level header of that name (any case), decoded, or NULL.
 * Points into msg. */
const char *message_header(const struct message *msg, const char *name);

#endif
