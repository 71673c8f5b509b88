/*
 * delivery.h - handing one generated message to the mail system.
 *
 * Two ways, chosen by [outbox]: a command (by default Postfix's or
 * Sendmail's `sendmail -i -f SENDER -- RECIPIENT`, the message on its
 * standard input) or SMTP to host:port.  Either way the answer is sent,
 * try again later, or never (with a reason for the log and ticketctl).
 */
#ifndef TM_DELIVERY_H
#define TM_DELIVERY_H

#include <glib.h>

enum delivery_result {
	DELIVERY_SENT,
	DELIVERY_TEMPORARY,	/* retry later */
	DELIVERY_PERMANENT,	/* give up */
};

/* command: "/usr/sbin/sendmail -i -f %s -- %r"; %s becomes the envelope
 * sender ("<>" for the null sender ""), %r the recipient; arguments are
 * split on spaces and passed without a shell.  *error (g_free) says what
 * went wrong unless DELIVERY_SENT.  timeout_seconds bounds the command. */
enum delivery_result delivery_command(const char *command, const char *sender, const char *recipient,
				      GBytes *message, int timeout_seconds, char **error);

/* SMTP to "host:port" (IPv4, IPv6 in [brackets], or a name); helo names
 * us.  4xx answers and network trouble are temporary, 5xx permanent. */
enum delivery_result delivery_smtp(const char *hostport, const char *helo, const char *sender,
				   const char *recipient, GBytes *message, int timeout_seconds, char **error);

#endif
