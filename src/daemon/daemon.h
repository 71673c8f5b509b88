/*
 * daemon.h - process chores of a well-behaved Unix daemon: the socket
 * file, detaching, the pid file, dropping privileges.
 *
 * Each function returns 0 or -1 after logging why.  Shared by the two
 * daemons, ticket-milter and ticket-filter.  Room: daemon.
 */
#ifndef TM_DAEMON_H
#define TM_DAEMON_H

/* The file path of a "unix:/path" or "local:/path" spec, else NULL
 * (points into spec). */
const char *daemon_socket_path(const char *spec);
/* Removes a unix socket left by a dead process; refuses when something
 * still answers on it or the path is not a socket. */
int daemon_remove_stale_socket(const char *path);
/* Gives the socket (made 0660 by the umask at bind) to the user the
 * daemon will run as and that user's group, so that the MTA's user can
 * be put into that group; by name but never through a link. */
int daemon_socket_owner(const char *path, const char *user);
/* Sets TCP_NODELAY on the daemon's listening TCP socket(s); Linux hands
 * it on to every accepted connection.  libmilter answers each milter
 * command with one small write, and with Nagle's algorithm that write
 * waits for the MTA's delayed ACK: measured, 40 ms added to a message
 * sent alone.  Logs and returns -1 only if setting it failed. */
int daemon_tcp_nodelay(void);
/* Forks into the background, new session, stdio to /dev/null. */
int daemon_detach(void);
/* Writes our pid into path: never through a link, and over an old file
 * only when it is a regular file of this process's user. */
int daemon_write_pid(const char *path);
/* setgid/initgroups/setuid to user; no-op when user is NULL. */
int daemon_drop_privileges(const char *user);

#endif
