/*
 * delivery.h - handing one generated message to the mail system.
 *
 * Two ways, chosen by [outbox]: a command (by default Postfix's or
 * Sendmail's `sendmail -i -f SENDER -- RECIPIENT`, the message on its
 * standard input) or SMTP to host:port.  Either way the answer is sent,
 * try again later, or never (with a reason for the log and ticketctl).
 * Room: sender.
 */
#ifndef TM_DELIVERY_H
#define TM_DELIVERY_H

#include <glib.h>
#include <stdbool.h>

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

/* A connection to the relay kept between deliveries (one per sender
 * worker: not for use by two threads at once).  The relay may drop it
 * while it is idle: the next delivery then connects again. */
struct smtp_session;

/* Never NULL; not connected until the first delivery.  The caller owns
 * it: smtp_session_free says QUIT and frees it (NULL is fine). */
struct smtp_session *smtp_session_new(void);
void smtp_session_free(struct smtp_session *ss);

/* Closes the connection if it has been idle idle_seconds or more, so
 * that the relay's processes are not held for nothing. */
void smtp_session_expire(struct smtp_session *ss, int idle_seconds);

/* SMTP to "host:port" (IPv4, IPv6 in [brackets], or a name); helo names
 * us.  ss: the session to use and keep open, or NULL for a connection
 * of its own, closed at the end.  4xx answers and network trouble are
 * temporary, 5xx permanent.  After any failure the session's connection
 * is closed, so the next delivery starts clean. */
enum delivery_result delivery_smtp(struct smtp_session *ss, const char *hostport, const char *helo,
				   const char *sender, const char *recipient, GBytes *message,
				   int timeout_seconds, char **error);

/* One message to several recipients, written as it is sent. */
struct smtp_envelope {
	const char *sender;		/* "" for the null sender */
	const char *const *recipients;	/* NULL-terminated; every one must be taken */
	bool eightbit;			/* BODY=8BITMIME, when the relay offers it */
	bool smtputf8;			/* SMTPUTF8, when the relay offers it */
};

/* Writes the message through put (line ends LF or CRLF; the transfer
 * makes them CRLF and dot-stuffs); returns 0, or -1 when the message
 * cannot be read (the relay then gets none of it) or put failed. */
typedef int (*smtp_body_writer)(int (*put)(const char *data, size_t len, void *put_arg), void *put_arg,
				void *arg);

/* As delivery_smtp, for env: the relay must take every recipient, or
 * none gets the message.  *reply (when reply is given, g_free) receives
 * the relay's reply to the message, "250 2.0.0 Ok: queued as ...". */
enum delivery_result delivery_smtp_envelope(struct smtp_session *ss, const char *hostport, const char *helo,
					    const struct smtp_envelope *env, smtp_body_writer body, void *body_arg,
					    int timeout_seconds, char **reply, char **error);

#endif
