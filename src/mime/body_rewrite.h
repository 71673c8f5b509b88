/*
 * body_rewrite.h - a message opened to write its body back with some of
 * its text parts changed, in bounded memory.
 *
 * Two writers change the text at the top of a message and nothing else:
 * the command stripper (commands_strip.c) takes the agent's command lines
 * out of a reply, and the history block (compose/body_prepend.c) puts the
 * customer's earlier tickets at the top of the agents' copy.  Both need
 * the same care, kept here once:
 *   - GMime parses the message with the parts' contents left in the
 *     input (a persistent stream), so that every part but the changed
 *     ones is written back from its original bytes;
 *   - what GMime would write back wrong is refused before anything is
 *     changed: a message that does not parse, a top-level multipart
 *     without a boundary (GMime would invent one the headers do not
 *     name), a NUL byte (GMime keeps a header up to a NUL and writes it
 *     back without its line end, merging it with the next);
 *   - a part is decoded (transfer encoding only) into memory when small,
 *     else into a scratch file: a 100 MB message costs disk, not memory;
 *   - a changed part keeps its Content-Transfer-Encoding header, and
 *     GMime encodes the new content that way when the body is written;
 *   - the new body is everything after the top-level header block (what
 *     smfi_replacebody() wants), with the input's line ends (GMime reads
 *     CRLF as LF), in memory or in a scratch file mapped read-only.
 * The top-level headers are not written: the new body must keep the
 * top-level boundary and transfer encoding they name.
 *
 * Ownership: a struct body_rewrite holds references to everything it
 * opened until body_rewrite_close(); the GBytes and error strings
 * returned are the caller's.  Thread safety: no shared state; needs
 * g_mime_init() once before any thread starts.
 * Room: mime.
 */
#ifndef TM_BODY_REWRITE_H
#define TM_BODY_REWRITE_H

#include <glib.h>
#include <gmime/gmime.h>
#include <stdbool.h>
#include <stddef.h>

struct spool;

struct body_rewrite {
	GMimeMessage *message;	/* NULL when the message did not parse */
	GMimeObject *top;	/* its top-level part (may be NULL) */
	bool crlf;		/* the input's lines end in CRLF: so do the new body's */
	bool to_file;		/* the input is a file: so are big decoded parts and the new body */
	const char *dir;	/* where scratch files go */
	GMimeStream *input;
	GPtrArray *keep;	/* GMimeStream *: what the new body reads from (a
				 * substream does not hold its parent) */
};

/* Opens the message a spool kept (spool.h) or the len bytes at raw
 * (headers and body, LF or CRLF line ends, need not be NUL-terminated,
 * copied).  dir: where scratch files go, NULL for the system's temporary
 * directory.  Returns 0, or -1 with *error (g_free) saying why the
 * message cannot be rewritten (see above; a spool that did not keep the
 * whole message cannot be either).  Close rw whatever the result. */
int body_rewrite_open_spool(struct body_rewrite *rw, struct spool *sp, const char *dir, char **error);
int body_rewrite_open_raw(struct body_rewrite *rw, const char *raw, size_t len, char **error);

/* The decoded content of part, positioned at its start: in memory when
 * the message is, or when the part's encoded content is at most window
 * bytes (decoding never makes base64, quoted-printable or 8bit longer);
 * else in a scratch file.  rw keeps it.  NULL with *error (g_free). */
GMimeStream *body_rewrite_decode(struct body_rewrite *rw, GMimePart *part, size_t window, char **error);

/* Gives part the decoded content stream (a reference is taken). */
void body_rewrite_set_content(GMimePart *part, GMimeStream *stream);

/* The new body, as described above; NULL with *error (g_free). */
GBytes *body_rewrite_write(struct body_rewrite *rw, char **error);

/* Releases what rw holds; safe on a zeroed or already closed rw. */
void body_rewrite_close(struct body_rewrite *rw);

#endif
