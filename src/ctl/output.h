/*
 * output.h - what ticketctl's commands print alike.
 *
 * Text output goes to a terminal, and what it shows comes from mail:
 * subjects, names, addresses, excerpts, a relay's error replies.  A
 * terminal acts on control characters (ESC starts sequences that move
 * the cursor, retitle the window or answer back; the C1 range does the
 * same in one byte) and reorders text around bidirectional overrides, so
 * that what an administrator reads is not what is there.  Such
 * characters are printed as visible escapes.  --json output is exact
 * instead (json.h): a program reads it.
 * Room: ctl.
 */
#ifndef TM_OUTPUT_H
#define TM_OUTPUT_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* Unix time as "2026-03-02T10:00:00Z" into buf, or "-" for 0. */
void output_time(int64_t t, char *buf, size_t size);

/* s for one field of a line on a terminal: C0 controls (tab too: the
 * lines are tab-separated), DEL and bytes that are not UTF-8 as \x1b,
 * C1 controls (U+0080-U+009F) and the bidirectional embeddings,
 * overrides and isolates (U+202A-U+202E, U+2066-U+2069) as \u202E.
 * Returns s itself when nothing needs escaping ("" for NULL), else a new
 * string added to held, a GPtrArray the caller frees with g_free as its
 * element free function. */
const char *output_text(GPtrArray *held, const char *s);

/* The same for a line of running text (an excerpt): tabs stay. */
const char *output_line(GPtrArray *held, const char *s);

#endif
