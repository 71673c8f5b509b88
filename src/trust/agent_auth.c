/*
 * agent_auth.c - recognising authenticated agents (see agent_auth.h).
 * Room: trust.
 */
#include "config.h"
#include "trust/agent_auth.h"
#include "util/addr.h"

#include <gio/gio.h>
#include <string.h>

bool agent_of_queue(const struct queue *q, const char *address)
{
	if (address == NULL)
		return false;
	for (char **a = q->agents; a && *a; a++) {
		if ((*a)[0] == '@') {
			/* "@staff.example.com": the domain itself, not a subdomain trick */
			const char *at = strrchr(address, '@');
			if (at && g_ascii_strcasecmp(at, *a) == 0)
				return true;
		} else if (g_ascii_strcasecmp(*a, address) == 0) {
			return true;
		}
	}
	return false;
}

const struct queue *agent_queue(const struct settings *s, const char *address)
{
	for (size_t i = 0; i < s->n_queues; i++)
		if (agent_of_queue(&s->queues[i], address))
			return &s->queues[i];
	return NULL;
}

static bool login_names(const struct settings *s, const char *login, const char *address)
{
	const char *at = strrchr(address, '@');

	switch (s->auth_login) {
	case AUTH_LOGIN_ANY:
		return true;
	case AUTH_LOGIN_ADDRESS:
		return g_ascii_strcasecmp(login, address) == 0;
	default:
		return g_ascii_strcasecmp(login, address) == 0 ||
		       (at && strlen(login) == (size_t)(at - address) &&
			g_ascii_strncasecmp(login, address, (gsize)(at - address)) == 0);
	}
}

static bool trusted_client(const struct settings *s, const char *client_addr)
{
	GInetAddress *addr;
	bool trusted = false;

	if (client_addr == NULL || s->trusted_networks == NULL || s->trusted_networks->len == 0)
		return false;
	/* Postfix writes IPv6 clients as "IPv6:2001:db8::1". */
	if (g_ascii_strncasecmp(client_addr, "IPv6:", 5) == 0)
		client_addr += 5;
	addr = g_inet_address_new_from_string(client_addr);
	if (addr == NULL)
		return false;
	for (guint i = 0; i < s->trusted_networks->len && !trusted; i++)
		trusted = g_inet_address_mask_matches(g_ptr_array_index(s->trusted_networks, i), addr);
	g_object_unref(addr);
	return trusted;
}

bool agent_authenticated(const struct settings *s, const char *address, const struct auth_info *auth)
{
	if (address == NULL || auth == NULL)
		return false;
	if (auth->login && *auth->login && login_names(s, auth->login, address))
		return true;
	return trusted_client(s, auth->client_addr);
}
