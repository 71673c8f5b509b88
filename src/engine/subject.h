/*
 * subject.h - ticket tags in subjects: "[SUP-1042] Re: Printer on fire".
 *
 * Tags are found anywhere in the decoded subject, whatever reply or
 * forward prefixes clients added (Re:, AW:, SV:, YNT:, Réf. ...).  When a
 * subject is tagged, the tag goes in front of the raw header value so
 * that the rest keeps its original (possibly RFC 2047) encoding.
 * Returned strings are newly allocated (g_free).
 * Room: engine.
 */
#ifndef TM_SUBJECT_H
#define TM_SUBJECT_H

#include <stdbool.h>
#include "trust/token.h"

/* Finds the first "[TAG-NUMBER]" (also "[TAG#NUMBER]", any case) of the
 * given tag in a decoded subject. */
bool subject_find_tag(const char *subject, const char *tag, long *number);

/* The raw Subject value carrying the tag once, or NULL when the decoded
 * subject already carries this exact tag (nothing to change).  raw may
 * be NULL (no Subject header). */
char *subject_add_tag(const char *raw, const char *decoded, const struct ticket_ref *ref);

/* The subject without reply/forward prefixes and tags of this tag, for
 * naming a new ticket. */
char *subject_clean(const char *decoded, const char *tag);

#endif
