/*
 * spool_stream.h - a spooled message (spool.h) as a GMime stream, for
 * the parser and the body rewrites (message.c, body_rewrite.c).
 * Internal to the engine: nothing of GMime leaves it.
 * Room: mime.
 */
#ifndef TM_SPOOL_STREAM_H
#define TM_SPOOL_STREAM_H

#include <gmime/gmime.h>
#include <stdbool.h>

struct spool;

/* A new stream over every kept byte, positioned at the start: over the
 * bytes in memory (not copied; the spool must outlive the stream), or
 * over the file through a descriptor of its own.  NULL when the
 * descriptor cannot be duplicated.  Persistent parsers read the parts'
 * contents from it lazily. */
GMimeStream *spool_stream_new(struct spool *sp);

/* True when the message's first line ends in CRLF. */
bool spool_uses_crlf(const struct spool *sp);

#endif
