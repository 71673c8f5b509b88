/*
 * evidence.h - who sent a message, as far as the evidence goes, and
 * what that lets the message do.  Room: trust.
 *
 * A From header proves nothing; what does (DESIGN.md, "Security"):
 *
 *   token          the message carries our signed token (a recipient's
 *                  plus address, a signed Message-ID in In-Reply-To or
 *                  References, the signed reference in the body): the
 *                  sender has seen mail we sent to that ticket;
 *   authenticated  an Authentication-Results header of our own MTA
 *                  ([milter] authserv-id) says dmarc=pass for the From
 *                  domain, or dkim=pass with a d= aligned with it, or
 *                  spf=pass with the envelope sender's domain aligned
 *                  with it (relaxed alignment: the same organizational
 *                  domain, by the Public Suffix List);
 *   claimed        neither: the From header alone;
 *   contradicted   our MTA says dmarc=fail for the From domain.
 *
 * Authentication-Results from any other authserv-id are ignored: anyone
 * can write one.  The MTA's DMARC checker must remove headers that claim
 * our authserv-id from inbound mail (OpenDMARC, OpenDKIM and rspamd do).
 *
 * What each level may do is one table (evidence_may), the same the
 * README's "Security model" shows.  Pure: no store, no logging.
 */
#ifndef TM_EVIDENCE_H
#define TM_EVIDENCE_H

#include <stdbool.h>
#include "mime/message.h"

enum evidence {
	EVIDENCE_CLAIMED,
	EVIDENCE_AUTHENTICATED,
	EVIDENCE_TOKEN,
	EVIDENCE_CONTRADICTED,
};

enum evidence_right {
	/* join an existing ticket by a stored Message-ID or the subject tag
	 * (the sender must also be a participant of it) */
	EVIDENCE_JOIN_BY_REFERENCE,
	/* join through our signed token, whoever the sender is */
	EVIDENCE_JOIN_BY_TOKEN,
	/* make the To/Cc addresses of a follow-up participants, who then
	 * receive the agents' replies */
	EVIDENCE_ADD_PARTICIPANTS,
	/* get an automatic acknowledgement or notice */
	EVIDENCE_ACKNOWLEDGE,
	/* rate a resolved ticket through the rating address */
	EVIDENCE_RATE,
	/* have the customer's history shown to the agents with the message
	 * (engine/agent_context.h): the customer is the one whose address
	 * the message gave */
	EVIDENCE_SHOW_HISTORY,
};

/* The level the Authentication-Results of our authserv_ids (NULL-
 * terminated, NULL for none) give msg: claimed, authenticated or
 * contradicted.  envelope_sender (normalized, NULL for <>) stands in for
 * an SPF result's missing smtp.mailfrom.  *detail (unless NULL) gets
 * what decided, for the event log ("dmarc=pass header.from=example.org
 * (mx.example.com)"), or NULL; g_free. */
enum evidence evidence_of_results(char **authserv_ids, const struct message *msg, const char *envelope_sender,
				  char **detail);

/* The level once threading knows whether a signed token was carried:
 * contradicted stays contradicted, anything else with a token is token. */
enum evidence evidence_with_token(enum evidence level, bool token);

/* Whether a message of that level may do that. */
bool evidence_may(enum evidence level, enum evidence_right right);

/* "token", "authenticated", "claimed", "contradicted". */
const char *evidence_name(enum evidence level);

/* Whether two domains share an organizational domain (DMARC relaxed
 * alignment); exposed for the tests. */
bool evidence_aligned(const char *domain_a, const char *domain_b);

#endif
