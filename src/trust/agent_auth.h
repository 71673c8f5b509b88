/*
 * agent_auth.h - who is an agent, and when do we believe it.
 *
 * Agents are configured per queue (addresses, or "@domain").  A From
 * header proves nothing, so a message counts as an agent's only when
 * the sender is a configured agent AND the mail is authenticated: SMTP
 * AUTH with a login that names that agent ([milter] auth-login), or a
 * client in [milter] trusted-networks.  Anything else with an agent's
 * address is a customer's mail, and the attempt is logged.
 * Room: trust.
 */
#ifndef TM_AGENT_AUTH_H
#define TM_AGENT_AUTH_H

#include <stdbool.h>
#include "config/settings.h"

struct auth_info {
	const char *login;		/* {auth_authen}, NULL when not authenticated */
	const char *client_addr;	/* {client_addr}: "10.1.2.3", "2001:db8::1", or NULL */
};

/* True when the normalized address is a configured agent of q. */
bool agent_of_queue(const struct queue *q, const char *address);

/* The first queue that has address as an agent, or NULL. */
const struct queue *agent_queue(const struct settings *s, const char *address);

/* True when auth proves the mail comes from that agent. */
bool agent_authenticated(const struct settings *s, const char *address, const struct auth_info *auth);

#endif
