/*
 * thread_index.h - Outlook's and Exchange's Thread-Index.  Room: engine.
 *
 * Outlook sometimes threads without References; its Thread-Index holds
 * the conversation: a 22-byte header (the top six bytes of a FILETIME
 * and a GUID) that every message of the conversation keeps, and a
 * 5-byte block per reply after it.  We read the header as a further
 * threading hint (thread.h, under the participant rule), and write a
 * Thread-Index on the mail we send so that Outlook shows our replies
 * in the customer's conversation: the customer's own header when their
 * first message had one, else one made from the ticket under our secret.
 * "Roots" are that 22-byte header in lower-case hex (44 characters).
 */
#ifndef TM_THREAD_INDEX_H
#define TM_THREAD_INDEX_H

#include <stdbool.h>
#include <stdint.h>
#include "trust/token.h"

#define THREAD_INDEX_ROOT_HEX 44

/* The root of a Thread-Index value (base64) into root[45]; false when it
 * is not one (too short, not base64). */
bool thread_index_root(const char *value, char root[THREAD_INDEX_ROOT_HEX + 1]);

/* A root for a ticket whose customer sent none: its creation time and
 * 16 bytes of HMAC over the ticket under key.  Into root[45]. */
void thread_index_make_root(const struct token_key *key, const struct ticket_ref *ref, int64_t created,
			    char root[THREAD_INDEX_ROOT_HEX + 1]);

/* The Thread-Index value (base64, g_free) of a reply in the conversation
 * of root, written at now; NULL when root is not a root. */
char *thread_index_reply(const char *root, int64_t now);

#endif
