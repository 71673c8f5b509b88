/*
 * body_prepend.h - a message's body with a block of text at the top of
 * its text, for the agents' copy of a customer's message (the customer's
 * history, context_block.h).
 *
 * The text goes at the top of the body's first text/plain part and the
 * HTML right after the <body> tag of its first text/html part (at its
 * top when there is none within its first BODY_PREPEND_WINDOW bytes):
 * the parts message_parse() reads the text from (body_parts.h), whether
 * the message is one text part, a multipart/alternative, or a
 * multipart/mixed with attachments.  Every other part, and every byte of
 * those two after the block, is written back as it was
 * (mime/body_rewrite.h), in bounded memory whatever the size of the
 * message.  Each changed part keeps its charset and transfer encoding:
 *   - the text is written in the part's charset, with '?' for what it
 *     cannot hold; in ASCII (accents dropped, GLib's transliteration)
 *     when the part has no charset, says us-ascii, or is 7bit and would
 *     otherwise get 8-bit bytes;
 *   - the HTML must be ASCII (context_block_html() writes it so), which
 *     reads the same in any charset that writes ASCII as ASCII;
 *   - line ends follow the part's own (CRLF or LF).
 * Nothing is changed, and *error says why, when the message cannot be
 * rewritten (body_rewrite.h), when its body is signed or encrypted
 * (multipart/signed, multipart/encrypted, application/pkcs7-mime: the
 * signature would break), when a text part holds PGP armour ("-----BEGIN
 * PGP ") within its first BODY_PREPEND_WINDOW bytes (an inline
 * signature would then cover only part of the text), is in a charset in
 * which ASCII is not ASCII (UTF-16, UTF-7...), or when there is no text
 * part at all.  Both parts change, or neither.
 *
 * Returns the new body (g_bytes_unref) as body_rewrite_write() writes
 * it, or NULL with *error (g_free).  Thread-safe; needs g_mime_init().
 * Room: compose.
 */
#ifndef TM_BODY_PREPEND_H
#define TM_BODY_PREPEND_H

#include <glib.h>
#include <stddef.h>

#define BODY_PREPEND_WINDOW (256 * 1024)

struct spool;

/* text: UTF-8 with LF line ends; html: ASCII; either may be NULL (that
 * part is left alone). */
GBytes *body_prepend_spool(struct spool *sp, const char *dir, const char *text, const char *html, char **error);
/* The same for the len bytes at raw (the whole message). */
GBytes *body_prepend_raw(const char *raw, size_t len, const char *text, const char *html, char **error);

#endif
