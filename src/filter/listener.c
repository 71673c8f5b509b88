/*
 * listener.c - the listening socket and the accept loop (see
 * listener.h).  Room: filter.
 */
#include "config.h"
#include "filter/listener.h"
#include "filter/smtp_server.h"
#include "daemon/daemon.h"
#include "daemon/snapshot.h"
#include "util/log.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int open_unix(const char *path, const char *user)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t before;
	int fd, rc;

	if (strlen(path) >= sizeof sun.sun_path) {
		log_err("socket path %s is too long", path);
		return -1;
	}
	if (daemon_remove_stale_socket(path) != 0)
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("socket: %s", strerror(errno));
		return -1;
	}
	/* Born 0660, as the milter's: no chmod by name. */
	before = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(before);
	if (rc != 0 || listen(fd, 64) != 0) {
		log_err("cannot listen on unix:%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (daemon_socket_owner(path, user) != 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

static int open_inet(const char *spec, bool six)
{
	const char *colon = strchr(spec, ':'), *at = strchr(spec, '@');
	char *port = g_strndup(colon + 1, at ? (gsize)(at - colon - 1) : strlen(colon + 1));
	struct addrinfo hints = { .ai_family = six ? AF_INET6 : AF_INET, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int fd = -1, one = 1, rc = getaddrinfo(at && at[1] ? at + 1 : NULL, port, &hints, &res);

	if (rc != 0) {
		log_err("cannot listen on %s: %s", spec, gai_strerror(rc));
		g_free(port);
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 64) != 0) {
			log_err("cannot listen on %s: %s", spec, strerror(errno));
			close(fd);
			fd = -1;
		}
	} else {
		log_err("socket: %s", strerror(errno));
	}
	freeaddrinfo(res);
	g_free(port);
	return fd;
}

int listener_open(const char *spec, const char *user)
{
	const char *path = daemon_socket_path(spec);

	if (path)
		return open_unix(path, user);
	return open_inet(spec, g_str_has_prefix(spec, "inet6:"));
}

struct session_start {
	struct filter_context *fx;
	int fd;
};

static gpointer session_thread(gpointer arg)
{
	struct session_start *ss = arg;
	struct filter_context *fx = ss->fx;

	smtp_server_session(fx, ss->fd);
	g_free(ss);
	g_atomic_int_dec_and_test(&fx->active);
	return NULL;
}

/* Refuses a connection over max-connections, without waiting for it. */
static void refuse(int fd, const char *hostname)
{
	char *line = g_strdup_printf("421 4.3.2 %s too many connections, try again later\r\n", hostname);

	(void)send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	g_free(line);
	close(fd);
}

int listener_run(struct filter_context *fx, int fd, int grace_seconds)
{
	while (!g_atomic_int_get(&fx->stopping)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct snapshot *snap;
		const struct settings *s;
		int conn, one = 1;

		if (poll(&p, 1, 500) <= 0)
			continue;
		conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0) {
			if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
				log_err("accept: %s", strerror(errno));
				g_usleep(100000);	/* out of descriptors: not a busy loop */
			}
			continue;
		}
		/* Replies are small and pipelined: no waiting for delayed ACKs. */
		setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		snap = fx->acquire();
		s = snap->settings;
		if (g_atomic_int_get(&fx->active) >= s->filter_max_connections) {
			log_warning("%d connection(s) open, [filter] max-connections: one more refused",
				    g_atomic_int_get(&fx->active));
			refuse(conn, s->hostname);
		} else {
			struct session_start *ss = g_new0(struct session_start, 1);
			GThread *t;
			ss->fx = fx;
			ss->fd = conn;
			g_atomic_int_inc(&fx->active);
			t = g_thread_try_new("filter-session", session_thread, ss, NULL);
			if (t) {
				g_thread_unref(t);
			} else {
				g_atomic_int_dec_and_test(&fx->active);
				refuse(conn, s->hostname);
				g_free(ss);
			}
		}
		snapshot_unref(snap);
	}
	for (int i = 0; i < grace_seconds * 10 && g_atomic_int_get(&fx->active) > 0; i++)
		g_usleep(100000);
	return g_atomic_int_get(&fx->active);
}
