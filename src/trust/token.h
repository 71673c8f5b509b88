/*
 * token.h - unforgeable references to a ticket.
 *
 * Two forms carry an HMAC-SHA256 (OpenSSL) under the installation's
 * secret, so that only mail that came from us can name a ticket:
 *
 *   plus-address token   support+sup-1042-<mac>@example.com
 *   signed Message-ID    <tm.sup-1042.<nonce>.<mac>@support.example.com>
 *
 * The MAC is 80 bits in lower-case base32, so tokens survive MTAs and
 * clients that fold the case of local parts.  Returned strings are
 * newly allocated (g_free).
 * Room: trust.
 */
#ifndef TM_TOKEN_H
#define TM_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_TAG_MAX 16
#define TOKEN_MAC_CHARS 16	/* base32 characters of a MAC */

struct ticket_ref {
	char tag[TOKEN_TAG_MAX];	/* upper case, "SUP" */
	long number;			/* 1042 */
};

struct token_key {
	const unsigned char *secret;
	size_t secret_len;
};

/* "sup-1042-<mac>" */
char *token_for_ticket(const struct token_key *key, const struct ticket_ref *ref);

/* The signed gateway address of a ticket at a queue's address:
 * "support+sup-1042-<mac>@example.com" for support@example.com (g_free). */
char *token_gateway_address(const struct token_key *key, const char *queue_address, const struct ticket_ref *ref);

/* Verifies "sup-1042-<mac>" or "sup-1042-<mac>-SUFFIX" (any case).
 * On success fills *ref and, when suffix is non-NULL, *suffix with the
 * lower-cased suffix or NULL.  A wrong MAC returns false. */
bool token_verify(const struct token_key *key, const char *token,
		  struct ticket_ref *ref, char **suffix);

/* A fresh signed Message-ID without angle brackets:
 * "tm.sup-1042.<nonce>.<mac>@hostname". */
char *token_message_id(const struct token_key *key, const struct ticket_ref *ref,
		       const char *hostname);

/* Verifies a Message-ID (with or without angle brackets) made by
 * token_message_id under the same key. */
bool token_verify_message_id(const struct token_key *key, const char *message_id,
			     struct ticket_ref *ref);

/* "SUP-1042" into buf. */
void ticket_ref_format(const struct ticket_ref *ref, char *buf, size_t size);
/* Parses "SUP-1042" (any case); false when malformed. */
bool ticket_ref_parse(const char *text, struct ticket_ref *ref);

#endif
