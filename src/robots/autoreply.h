/*
 * autoreply.h - may we send an automatic reply to this message?
 *
 * RFC 3834 and what helpdesks learned the hard way: never answer
 * bounces, delivery and read reports, mailing lists, bulk mail, other
 * automatic replies, spam, senders who ask not to be answered, or
 * ourselves.  Answering any of them starts mail loops or spams
 * innocent people.  Pure: looks only at the message, its envelope
 * sender and the configuration.  Rate limits live in the store.  The
 * rules, one file per concern, are listed in src/robots/autoreply_rules.h.
 * Room: robots.
 */
#ifndef TM_AUTOREPLY_H
#define TM_AUTOREPLY_H

#include "mime/message.h"
#include "config/settings.h"

/* Why no automatic reply may go out, as a short phrase for the log
 * ("Auto-Submitted: auto-replied", "null sender", ...), or NULL when one
 * may.  envelope_sender is normalized, NULL for <>.  The returned
 * string is static. */
const char *autoreply_forbidden(const struct message *msg, const char *envelope_sender,
				const struct settings *s);

/* The same judgement of an address alone, for mail that answers no
 * message (an announcement to a ticket's customer): a system mailbox, a
 * list's owner or bounce address, a bounce handler's domain, [autoreply]
 * never-to, our own queues and agents.  A short static phrase, or NULL. */
const char *autoreply_address_rule(const char *address, const struct settings *s);

#endif
