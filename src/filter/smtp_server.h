/*
 * smtp_server.h - the content filter's side of one connection from the
 * MTA: SMTP (RFC 5321) or LMTP (RFC 2033) as [filter] protocol says.
 * Room: filter.
 *
 * Enough of the protocol for an MTA's smtp or lmtp transport: EHLO
 * (LHLO), MAIL, RCPT, DATA, RSET, NOOP, QUIT; PIPELINING (replies are
 * sent when the client has no more commands waiting), SIZE, 8BITMIME,
 * SMTPUTF8, ENHANCEDSTATUSCODES, XFORWARD.  The MTA is trusted to say
 * who the original client was: MAIL's AUTH= parameter (Exim's
 * authenticated_sender) is the SMTP AUTH login, XFORWARD ADDR= (Postfix)
 * the client address, as {auth_authen} and {client_addr} are for the
 * milter; so the listener must be reachable by the MTA only.
 *
 * Bounded: command lines (RFC 5321's 512 and more, up to 4 KB),
 * recipients per message, [filter] max-size per message (more is read
 * and thrown away, then refused), [filter] timeout for each command and
 * each read of data.  The message itself is streamed into the spool, so
 * a long data line costs no memory.  One reply to the final dot for
 * SMTP, one per accepted recipient for LMTP, all alike: the message is
 * recorded and passed on once, for all of them.
 */
#ifndef TM_SMTP_SERVER_H
#define TM_SMTP_SERVER_H

#include "filter/filter_message.h"

/* Serves the connection on fd until QUIT, a timeout, an error or
 * shutdown; closes fd.  Pins the configuration snapshot of its start. */
void smtp_server_session(struct filter_context *fx, int fd);

#endif
