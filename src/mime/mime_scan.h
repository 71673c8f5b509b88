/*
 * mime_scan.h - a first pass over a raw message, before GMime builds
 * anything: which bytes GMime may read so that the message stays within
 * the limits (message.h).  Internal to the engine (message.c).
 *
 * Why: GMime keeps a few hundred bytes per header field and more than a
 * kilobyte per MIME part, so a 600 KB message of empty parts costs it
 * 140 MB and 7 MB of short header lines 480 MB.  The scan is a streaming
 * pass with bounded state (one header field at most, the boundaries in
 * use) that counts what GMime would build and says where to stop.
 *
 * What is read:
 *   - the message header: fields within max-headers and max-header-bytes
 *     are read as they are; a field longer than max-header-line, or past
 *     those limits, is left out, except that the fields the engine reads
 *     or changes (From, Subject, Message-ID, ... and every X-Ticket-*,
 *     which must always be removed) are still read, shortened to 4 KiB
 *     (X-Ticket-* as an empty field), within a small budget;
 *   - the MIME parts up to the first one over a limit: more than
 *     max-mime-parts parts, nesting deeper than max-mime-depth, or part
 *     headers (all parts together) over max-headers, max-header-bytes or
 *     max-header-line.  Everything from that point on is left out.
 * The counts are upper bounds of what GMime builds: a line counts as a
 * part boundary when it starts with any boundary declared so far, even
 * one GMime would not take; a header block runs to its blank line, as
 * in GMime, even across lines GMime drops.  Boundaries come from
 * GMime's own Content-Type parser, with the parser options message.c
 * uses.
 *
 * Charset labels: every header field GMime reads, the message's and the
 * parts', is handed to it with its labels mapped (header_relabel.h), as
 * a piece of our own text in place of the field where one changes, so
 * that GMime's table of charset names stays bounded.
 *
 * Ownership: everything in the result belongs to the scan
 * (mime_scan_free).  Thread safety: one scan per thread; GMime must be
 * initialized.
 * Room: mime.
 */
#ifndef TM_MIME_SCAN_H
#define TM_MIME_SCAN_H

#include <gmime/gmime.h>
#include <stdbool.h>
#include <stddef.h>

#include "mime/message.h"

/* One stretch of what GMime reads: bytes [start, end) of the input, or
 * text of our own (a field read past the limits). */
struct mime_piece {
	size_t start, end;
	GString *text;		/* NULL for a stretch of the input */
};

struct mime_scan_result {
	unsigned limits;	/* MESSAGE_LIMIT_* met */
	bool nul_in_header;	/* a NUL byte in a header line */
	GArray *pieces;		/* struct mime_piece, in order: what GMime reads */
	unsigned parts;		/* parts counted (upper bound), the message itself included */
	unsigned depth;		/* deepest nesting seen */
	unsigned dropped;	/* message header fields left out */
};

struct mime_scan;

struct mime_scan *mime_scan_new(const struct message_limits *lim, GMimeParserOptions *options);

/* Feeds the next len bytes of the message. */
void mime_scan_feed(struct mime_scan *sc, const char *data, size_t len);

/* True once the scan has cut the message: the rest need not be fed. */
bool mime_scan_done(const struct mime_scan *sc);

/* Ends the input (total bytes fed so far) and returns the result. */
const struct mime_scan_result *mime_scan_finish(struct mime_scan *sc);

void mime_scan_free(struct mime_scan *sc);

#endif
