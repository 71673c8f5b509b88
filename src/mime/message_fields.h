/*
 * message_fields.h - the top-level header of a parsed message as the
 * engine keeps it (message.h): every field in the order the MTA sees
 * them, and the single-valued fields from their first occurrence.
 * Internal to the engine (message.c).
 *
 * Why: GMime files the message header's Content-* fields (Content-Type,
 * Content-Language...) under the top-level MIME part, not the message;
 * and its accessors take the last Subject or Message-ID of a message
 * that has two, and every From.  The milter changes a field by its
 * index among the fields of that name as the MTA counts them (header_edits.h),
 * and tags the first Subject: the ticket and the acknowledgement must
 * hold that one.  So msg->headers holds the message's fields and its
 * top-level part's in input order, and Subject, From, Reply-To,
 * Message-ID, In-Reply-To, References and Date are read from their
 * first field.  To and Cc take every field of the name, as GMime does:
 * each address in them is a participant.
 *
 * Every value kept is bounded (message.h).
 * Room: mime.
 */
#ifndef TM_MESSAGE_FIELDS_H
#define TM_MESSAGE_FIELDS_H

#include <gmime/gmime.h>

#include "mime/message.h"

/* What the scan and the parse found to repair, while building one message. */
struct parse_ctx {
	unsigned *repairs;
	unsigned *warnings;
};

/* Fills msg's headers, raw_subject, subject, ids, addresses and date
 * from mm.  msg->headers, to and cc exist already.  charset8: the
 * charset of raw 8-bit header text (header_charset.h), NULL for UTF-8
 * when valid, else Windows-1252.  Encoded words in the subject, the
 * other unstructured fields and the display names are decoded by
 * rfc2047.h, not GMime. */
void message_fields_read(struct message *msg, GMimeMessage *mm, GMimeParserOptions *options, const char *charset8,
			 const struct parse_ctx *px);

/* GDestroyNotify for struct mailbox and struct header_field. */
void message_mailbox_free(gpointer p);
void message_header_field_free(gpointer p);

#endif
