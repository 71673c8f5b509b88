/*
 * addr.h - small helpers for RFC 5321/5322 mailbox addresses.
 *
 * Addresses are compared case-insensitively as a whole (what mail
 * administrators expect, although RFC 5321 lets local parts be case
 * sensitive).  All returned strings are newly allocated with GLib and
 * owned by the caller (g_free).
 * Room: util.
 */
#ifndef TM_ADDR_H
#define TM_ADDR_H

#include <stdbool.h>

/* "<Foo@Example.COM>" or "Foo@Example.COM" -> "foo@example.com".
 * Returns NULL for an empty or null address ("<>"). */
char *addr_normalize(const char *addr);

/* Splits "local+detail@domain" into the base address "local@domain" and
 * the detail.  *detail is NULL when there is no '+'.  Input must be
 * normalized.  Returns the base address. */
char *addr_split_detail(const char *addr, char **detail);

/* The domain part (pointer into addr), or "" when there is no '@'. */
const char *addr_domain(const char *addr);

/* True when the address can go into an SMTP command or a command line
 * as it is: one '@', printable ASCII, no spaces, quotes, brackets or
 * leading '-'.  Mail we generate goes only to such addresses. */
bool addr_is_safe(const char *addr);

/* True when both normalized addresses are the same mailbox. */
bool addr_equal(const char *a, const char *b);

#endif
