/*
 * mime_boundaries.h - the multipart boundaries a first pass over a
 * message has seen declared, and the lines that are one of them.
 * Internal to the engine (mime_scan.c).
 *
 * Bounded: at most MIME_BOUNDARIES_MAX distinct boundaries (more makes
 * the message over max-mime-parts, every multipart being a part), and a
 * line is checked against them after one look at its first byte, since
 * most lines that start with "--" are rules and signatures.
 *
 * Ownership: the strings belong to the set (mime_boundaries_free).
 * Room: mime.
 */
#ifndef TM_MIME_BOUNDARIES_H
#define TM_MIME_BOUNDARIES_H

#include <stdbool.h>
#include <stddef.h>

#define MIME_BOUNDARIES_MAX 128

struct mime_boundaries;

struct mime_boundaries *mime_boundaries_new(void);
void mime_boundaries_free(struct mime_boundaries *set);

/* The set's copy of boundary, added when new; NULL when it is new and
 * the set is full. */
const char *mime_boundaries_declare(struct mime_boundaries *set, const char *boundary);

/* True when the len bytes at s (a line after its "--") start with a
 * declared boundary. */
bool mime_boundaries_prefix(const struct mime_boundaries *set, const char *s, size_t len);

/* The line (kept of its full bytes) is "--boundary" (1) or
 * "--boundary--" (2), white space after either allowed; 0: neither. */
int mime_boundary_kind(const char *l, size_t kept, size_t full, const char *boundary);

#endif
