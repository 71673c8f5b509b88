/*
 * listener.h - the content filter's listening socket and the loop that
 * hands each connection to a thread of its own.  Room: filter.
 *
 * [filter] listen is a socket spec as the milter's: inet:PORT@HOST,
 * inet6:PORT@HOST, or unix:/path (local:/path), the last created 0660
 * for [milter] user and its group, a stale one removed only when
 * nothing answers on it.
 */
#ifndef TM_LISTENER_H
#define TM_LISTENER_H

#include "filter/filter_message.h"

/* Opens spec for listening (as root, before privileges drop); the
 * descriptor, or -1 after logging why. */
int listener_open(const char *spec, const char *user);

/* Accepts connections on fd, each served by smtp_server_session() in a
 * thread of its own, at most [filter] max-connections at once (more are
 * told 421 and closed), until fx->stopping; then waits up to
 * grace_seconds for the sessions to end.  Returns the sessions still
 * open then. */
int listener_run(struct filter_context *fx, int fd, int grace_seconds);

#endif
