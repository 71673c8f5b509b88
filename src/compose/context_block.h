/*
 * context_block.h - the customer's history as the agents' copy of their
 * message shows it: the X-Ticket-Customer value and the block at the top
 * of the text, written from what the store read of the ticket's customer
 * (store_customer_context, store.h).
 *
 * Header (ASCII, "; " between fields, folded by header_edits.c):
 *
 *   tickets=3; recent=SUP-1004/merged SUP-1003/closed SUP-1001/resolved;
 *   last-contact=2026-03-02T10:00:00Z; locale=de; zone=Europe/Berlin;
 *   tier=vip; csat=4 (SUP-1001)
 *
 * tickets: the customer's other tickets ("1000+" past the store's
 * count); recent: the newest CONTEXT_HEADER_TICKETS of them, STATUS
 * "merged" for one merged into another; last-contact: when the customer
 * last wrote, before this message; locale, zone, tier: as stored for
 * them; csat, nps or ces: their latest rating, on the scale the queue
 * asked (config/survey.h), and the ticket it rated.  A field the
 * store has no value for, or whose stored value is not of its kind
 * (a tag of letters, digits, '-' and '_'; a zone of those and '/', '+'),
 * is left out: nothing from the store reaches the header unchecked, and
 * nothing can carry a line break, a ';' or 8-bit text into it.  At most
 * CONTEXT_HEADER_MAX bytes.
 *
 * Block (UTF-8 text, LF line ends; only when there are other tickets):
 *
 *   [Customer history, for agents: 3 other tickets]
 *   [SUP-1004] 2026-03-04 merged   Merged away
 *   [SUP-1003] 2026-03-03 closed   Invoice address wrong
 *   [SUP-1001] 2026-03-02 resolved Printer jams on tray 2
 *   Last contact 2026-03-02; language de; zone Europe/Berlin; tier vip;
 *   latest CSAT 4/5 (SUP-1001)
 *   ----
 *   (a blank line)
 *
 * (the facts on one line), newest first, at most CONTEXT_BLOCK_TICKETS
 * and CONTEXT_BLOCK_MAX bytes ("... and N more" for the rest), each
 * subject on one line, without control or bidirectional formatting
 * characters, cut to CONTEXT_SUBJECT_CHARS characters.  The tags are
 * written as in a subject, so that the mail client's search for
 * "SUP-1003" finds this message.  Dates are UTC.  No line is "-- " (a
 * signature's start, after which a reply would drop the rest).  The
 * HTML form is the same text escaped in a <pre>, ASCII only (anything
 * else as a character reference), so that it reads the same in any
 * charset that writes ASCII as ASCII.
 *
 * Pure functions; every string returned is the caller's (g_free).
 * Room: compose.
 */
#ifndef TM_CONTEXT_BLOCK_H
#define TM_CONTEXT_BLOCK_H

#include "store/store.h"

#define CONTEXT_HEADER_MAX 900
#define CONTEXT_HEADER_TICKETS 5
#define CONTEXT_BLOCK_TICKETS 10
#define CONTEXT_BLOCK_MAX 4096
#define CONTEXT_SUBJECT_CHARS 60

/* The X-Ticket-Customer value. */
char *context_header_value(const struct store_customer_context *c);

/* The block's text, or NULL when the customer has no other ticket. */
char *context_block_text(const struct store_customer_context *c);

/* text (UTF-8) as the block at the top of an HTML part. */
char *context_block_html(const char *text);

#endif
