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
 * Hostile and huge input: message_parse_spool() reads a message spooled
 * by the milter (spool.h) from memory or from its file, so that a big
 * attachment stays on disk; a first pass (mime_scan.h) decides how much
 * of it GMime may read within struct message_limits, and every value
 * kept is bounded: the subject, names, addresses, ids, the number of
 * addresses and references, the text.  What was over a limit is in
 * `limits`, what had to be repaired in `repairs`; message_describe()
 * says both in words for the log.  Memory stays bounded whatever the
 * input: a few megabytes at the default limits.
 *
 * g_mime_init() must have been called once, before any thread starts.
 * Room: mime.
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

/* What message_parse may read (settings.h has the same as [milter] keys). */
struct message_limits {
	size_t excerpt_bytes;		/* bound of message->text */
	size_t max_header_bytes;	/* the message header; and all part headers together */
	unsigned max_headers;		/* fields, counted the same way */
	size_t max_header_line;		/* one header field, folded lines included */
	unsigned max_parts;		/* MIME parts, the message itself included */
	unsigned max_depth;		/* nesting of multiparts and attached messages */
};

/* The defaults of the [milter] keys, with excerpt_bytes as given. */
void message_limits_default(struct message_limits *lim, size_t excerpt_bytes);

/* message->limits: what the message was over; the rest was not read. */
enum message_limit {
	MESSAGE_LIMIT_SIZE = 1 << 0,		/* max-message-size: only the start was kept */
	MESSAGE_LIMIT_HEADER_BYTES = 1 << 1,
	MESSAGE_LIMIT_HEADERS = 1 << 2,
	MESSAGE_LIMIT_HEADER_LINE = 1 << 3,
	MESSAGE_LIMIT_PARTS = 1 << 4,
	MESSAGE_LIMIT_DEPTH = 1 << 5,
};

/* message->repairs: what was wrong and was mended, never fatal. */
enum message_repair {
	MESSAGE_REPAIR_NUL = 1 << 0,		/* NUL bytes in header lines or in the text */
	MESSAGE_REPAIR_HEADER_CHARSET = 1 << 1,	/* 8-bit header text that is not UTF-8 */
	MESSAGE_REPAIR_CONTROL = 1 << 2,	/* an encoded word decoding to a line break or control character */
	MESSAGE_REPAIR_BODY_CHARSET = 1 << 3,	/* a text part in an unknown or wrong charset */
	MESSAGE_REPAIR_IDS = 1 << 4,		/* Message-IDs too long or too many: some dropped */
	MESSAGE_REPAIR_ADDRESSES = 1 << 5,	/* addresses too long or too many: some dropped */
	MESSAGE_REPAIR_SHORTENED = 1 << 6,	/* subject or display name shortened */
};

/* Bounds on what one message keeps, whatever the limits. */
#define MESSAGE_SUBJECT_MAX 998		/* characters of the decoded subject */
#define MESSAGE_NAME_MAX 256		/* bytes of a display name */
#define MESSAGE_ADDRESS_MAX 254		/* bytes of an address (RFC 5321) */
#define MESSAGE_ADDRESSES_MAX 100	/* mailboxes read from To, and from Cc */
#define MESSAGE_ID_MAX 250		/* bytes of one Message-ID */
#define MESSAGE_REFERENCES_MAX 100	/* References kept: the first and the newest */
#define MESSAGE_IN_REPLY_TO_MAX 10

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
	bool has_message_part;	/* an attached message or its header (message/rfc822,
				 * message/global, text/rfc822-headers) */
	size_t size;		/* raw bytes */
	char sha256[65];	/* hex of the raw bytes */
	GPtrArray *headers;	/* struct header_field *, top level, in order */
	unsigned warnings;	/* things that could not be read */
	unsigned limits;	/* enum message_limit bits */
	unsigned repairs;	/* enum message_repair bits */
	size_t read_bytes;	/* bytes GMime read (less than size past a limit) */
};

/* Parses len bytes (need not be NUL-terminated) within the default
 * limits; excerpt_bytes bounds message->text.  Never returns NULL; free
 * with message_free(). */
struct message *message_parse(const char *raw, size_t len, size_t excerpt_bytes);

struct spool;

/* Parses a spooled message within lim: size is the bytes appended, the
 * hash theirs, and a spool that kept less (max-message-size) sets
 * MESSAGE_LIMIT_SIZE.  Never returns NULL. */
struct message *message_parse_spool(struct spool *sp, const struct message_limits *lim);

/* "more than 1000 MIME parts (max-mime-parts); NUL bytes in header
 * lines" (g_free), or NULL when the message met no limit and needed no
 * repair; lim: the limits it was parsed with. */
char *message_describe(const struct message *msg, const struct message_limits *lim);

void message_free(struct message *msg);

/* The first top-level header of that name (any case), decoded, or NULL.
 * Points into msg. */
const char *message_header(const struct message *msg, const char *name);

#endif
