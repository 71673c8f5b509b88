/*
 * mail_writer.h - composing the mail we send to a customer: acknowledgements now,
 * and every later automatic reply in the same shape.
 *
 * A proper MIME message, written directly with GMime's encoders: UTF-8
 * text/plain (quoted-printable where needed) with an optional text/html
 * alternative; the subject RFC 2047-encoded when not ASCII; Date; a Message-ID we sign
 * (token.h), so the customer's answer threads back even without our
 * headers; In-Reply-To/References continuing the customer's message;
 * From the queue; Reply-To the signed gateway address; Auto-Submitted
 * and X-Auto-Response-Suppress so that other robots stay quiet.
 * Customer text reaches headers only through GMime's encoders, never
 * as raw header syntax, and never with a line break; a Message-ID of
 * theirs that is not one is left out.
 * Room: compose.
 */
#ifndef TM_MAIL_WRITER_H
#define TM_MAIL_WRITER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "config/settings.h"
#include "trust/token.h"

struct ack_request {
	const struct settings *settings;
	const struct queue *queue;
	struct ticket_ref ref;
	const char *to_address;		/* the customer */
	const char *to_name;		/* may be NULL */
	const char *in_reply_to;	/* the customer's Message-ID, may be NULL */
	GPtrArray *references;		/* the customer's References (char *), may be NULL */
	const char *locale;		/* Content-Language */
	const char *subject;		/* rendered, one line */
	const char *text;		/* rendered plain text */
	const char *html;		/* rendered HTML, or NULL */
	const char *reply_to;		/* Reply-To address, NULL: the signed gateway address */
	const char *thread_index;	/* Thread-Index value (thread_index.h), or NULL */
	bool generated;			/* answers no message of theirs (an announcement):
					 * Auto-Submitted: auto-generated, RFC 3834 */
	int64_t now;
};

/* The complete message; *message_id (g_free) receives its signed
 * Message-ID without brackets. */
GBytes *ack_compose(const struct ack_request *req, char **message_id);

/* At most this many References: the first and the newest, so that long
 * threads keep their root and their recent history (RFC 5322 3.6.4). */
#define ACK_MAX_REFERENCES 10

#endif
