/*
 * delivery_smtp.c - delivery over SMTP to a relay, usually the local MTA
 * (see delivery.h).
 *
 * Just enough SMTP for one message to one recipient per transaction:
 * EHLO (HELO when refused), MAIL, RCPT, DATA with dot-stuffing.  A
 * session keeps the connection for the next transaction: the connect,
 * greeting and EHLO are paid once, and so is the relay's own work per
 * connection (Postfix runs its milters' connect stage for each).  With
 * PIPELINING (RFC 2920) MAIL, RCPT and DATA go in one write.  Every read
 * and write is bounded by the delivery's deadline.
 */
#include "config.h"
#include "sender/delivery.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct smtp_session {
	int fd;			/* -1: not connected */
	char *hostport;		/* what fd is connected to, and as whom */
	char *helo;
	bool pipelining;	/* the relay said PIPELINING in its EHLO reply */
	time_t last_used;
	time_t deadline;	/* of the delivery under way */
	bool broken;		/* the connection failed (not a refusal): no reply to wait for */
	GString *in;		/* bytes read but not yet consumed */
	char *error;
};

struct smtp_session *smtp_session_new(void)
{
	struct smtp_session *ss = g_new0(struct smtp_session, 1);

	ss->fd = -1;
	ss->in = g_string_new(NULL);
	return ss;
}

static int wait_fd(struct smtp_session *c, short events)
{
	for (;;) {
		int left = (int)(c->deadline - time(NULL));
		struct pollfd p = { .fd = c->fd, .events = events };
		int rc;
		if (left <= 0) {
			c->error = g_strdup("timeout");
			c->broken = true;
			return -1;
		}
		rc = poll(&p, 1, left * 1000);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR) {
			c->error = g_strdup_printf("poll: %s", strerror(errno));
			c->broken = true;
			return -1;
		}
	}
}

static int send_all(struct smtp_session *c, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
		if (n > 0) {
			data += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			c->error = g_strdup_printf("send: %s", strerror(errno));
			c->broken = true;
			return -1;
		}
		if (n < 0 && errno == EAGAIN && wait_fd(c, POLLOUT) != 0)
			return -1;
	}
	return 0;
}

/* Reads one reply (all its continuation lines); returns the code, or -1
 * when the connection failed.  *text receives the last line; *pipelining
 * (when given) whether any line announced PIPELINING. */
static int read_reply(struct smtp_session *c, char **text, bool *pipelining)
{
	for (;;) {
		char *nl = memchr(c->in->str, '\n', c->in->len);
		if (nl) {
			size_t line_len = (size_t)(nl - c->in->str) + 1;
			char *line = g_strndup(c->in->str, line_len);
			int code = atoi(line);
			bool last = line_len < 4 || line[3] != '-';
			g_string_erase(c->in, 0, (gssize)line_len);
			if (pipelining && line_len > 4 && g_ascii_strncasecmp(line + 4, "PIPELINING", 10) == 0)
				*pipelining = true;
			if (last) {
				*text = g_strstrip(line);
				if (code >= 200 && code < 600)
					return code;
				c->error = g_strdup_printf("not an SMTP reply: %s", *text);
				c->broken = true;
				g_clear_pointer(text, g_free);
				return -1;
			}
			g_free(line);
			continue;
		}
		if (c->in->len > 65536) {
			c->error = g_strdup("reply line too long");
			c->broken = true;
			return -1;
		}
		{
			char buf[4096];
			ssize_t n;
			if (wait_fd(c, POLLIN) != 0)
				return -1;
			n = recv(c->fd, buf, sizeof buf, 0);
			if (n <= 0) {
				c->error = g_strdup(n == 0 ? "connection closed" : strerror(errno));
				c->broken = true;
				return -1;
			}
			g_string_append_len(c->in, buf, n);
		}
	}
}

/* Reads one reply and compares it with the wanted code's class; a
 * refusal's text goes to c->error (kept if one is there already). */
static enum delivery_result expect(struct smtp_session *c, int want, bool *pipelining)
{
	char *text = NULL;
	int code = read_reply(c, &text, pipelining);

	if (code < 0)
		return DELIVERY_TEMPORARY;
	if (code / 100 == want / 100) {
		g_free(text);
		return DELIVERY_SENT;
	}
	if (c->error == NULL)
		c->error = text;
	else
		g_free(text);
	return code >= 500 ? DELIVERY_PERMANENT : DELIVERY_TEMPORARY;
}

/* Sends a command and reads its reply. */
static enum delivery_result step(struct smtp_session *c, const char *command, int want, bool *pipelining)
{
	if (send_all(c, command, strlen(command)) != 0)
		return DELIVERY_TEMPORARY;
	return expect(c, want, pipelining);
}

static void disconnect(struct smtp_session *c, bool quit)
{
	if (c->fd < 0)
		return;
	if (quit)
		(void)send(c->fd, "QUIT\r\n", 6, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(c->fd);
	c->fd = -1;
	g_string_truncate(c->in, 0);
	g_clear_pointer(&c->hostport, g_free);
	g_clear_pointer(&c->helo, g_free);
	c->pipelining = false;
}

static int connect_to(struct smtp_session *c, const char *hostport)
{
	char *host, *port;
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;
	int rc;

	if (colon == NULL) {
		c->error = g_strdup_printf("bad host:port %s", hostport);
		return -1;
	}
	host = g_strndup(hostport, (gsize)(colon - hostport));
	port = g_strdup(colon + 1);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	rc = getaddrinfo(host, port, &hints, &res);
	g_free(host);
	g_free(port);
	if (rc != 0) {
		c->error = g_strdup_printf("%s: %s", hostport, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
		if (c->fd < 0)
			continue;
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS) {
			int err = 0;
			socklen_t len = sizeof err;
			if (wait_fd(c, POLLOUT) == 0 && getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
				break;
			g_clear_pointer(&c->error, g_free);
			c->error = g_strdup_printf("connect %s: %s", hostport, strerror(err ? err : ETIMEDOUT));
		}
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	if (c->fd < 0 && c->error == NULL)
		c->error = g_strdup_printf("connect %s failed", hostport);
	return c->fd < 0 ? -1 : 0;
}

/* Connects, reads the greeting and introduces us (EHLO, HELO when
 * refused). */
static enum delivery_result open_session(struct smtp_session *c, const char *hostport, const char *helo)
{
	enum delivery_result r;
	bool pipelining = false;
	char *cmd;

	if (connect_to(c, hostport) != 0)
		return DELIVERY_TEMPORARY;
	if ((r = expect(c, 220, NULL)) != DELIVERY_SENT)
		return r;
	cmd = g_strdup_printf("EHLO %s\r\n", helo);
	r = step(c, cmd, 250, &pipelining);
	g_free(cmd);
	if (r != DELIVERY_SENT) {
		g_clear_pointer(&c->error, g_free);
		cmd = g_strdup_printf("HELO %s\r\n", helo);
		r = step(c, cmd, 250, NULL);
		g_free(cmd);
		if (r != DELIVERY_SENT)
			return r;
	}
	c->hostport = g_strdup(hostport);
	c->helo = g_strdup(helo);
	c->pipelining = pipelining;
	return DELIVERY_SENT;
}

/* An idle connection the relay has closed, or has said something on
 * (421 before closing), is no use. */
static bool still_open(struct smtp_session *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

/* The message with CRLF line ends, dot-stuffed, ending in CRLF.CRLF. */
static GString *data_block(GBytes *message)
{
	gsize len;
	const char *p = g_bytes_get_data(message, &len), *end = p + len;
	GString *out = g_string_sized_new(len + len / 20 + 8);
	bool line_start = true;

	for (; p < end; p++) {
		if (line_start && *p == '.')
			g_string_append_c(out, '.');
		if (*p == '\n') {
			if (out->len == 0 || out->str[out->len - 1] != '\r')
				g_string_append_c(out, '\r');
			g_string_append_c(out, '\n');
			line_start = true;
			continue;
		}
		g_string_append_c(out, *p);
		line_start = false;
	}
	if (!line_start)
		g_string_append(out, "\r\n");
	g_string_append(out, ".\r\n");
	return out;
}

/* MAIL, RCPT and DATA: in one write with PIPELINING (every reply is
 * read, in order, and the first refusal counts), else one at a time. */
static enum delivery_result envelope(struct smtp_session *c, const char *sender, const char *recipient)
{
	char *cmd[3] = {
		g_strdup_printf("MAIL FROM:<%s>\r\n", sender),
		g_strdup_printf("RCPT TO:<%s>\r\n", recipient),
		g_strdup("DATA\r\n"),
	};
	const int want[3] = { 250, 250, 354 };
	enum delivery_result r = DELIVERY_SENT;

	if (!c->pipelining) {
		for (int i = 0; i < 3 && r == DELIVERY_SENT; i++)
			r = step(c, cmd[i], want[i], NULL);
	} else {
		char *all = g_strconcat(cmd[0], cmd[1], cmd[2], NULL);
		if (send_all(c, all, strlen(all)) != 0)
			r = DELIVERY_TEMPORARY;
		for (int i = 0; i < 3 && !c->broken; i++) {
			enum delivery_result ri = expect(c, want[i], NULL);
			if (r == DELIVERY_SENT)
				r = ri;
			/* A relay that says 354 after refusing MAIL or RCPT
			 * gets an empty message, which it must refuse too. */
			if (i == 2 && ri == DELIVERY_SENT && r != DELIVERY_SENT) {
				char *text = NULL;
				if (send_all(c, ".\r\n", 3) == 0 && read_reply(c, &text, NULL) >= 0)
					g_free(text);
			}
		}
		g_free(all);
	}
	for (int i = 0; i < 3; i++)
		g_free(cmd[i]);
	return r;
}

void smtp_session_expire(struct smtp_session *ss, int idle_seconds)
{
	if (ss && ss->fd >= 0 && time(NULL) - ss->last_used >= idle_seconds)
		disconnect(ss, true);
}

void smtp_session_free(struct smtp_session *ss)
{
	if (ss == NULL)
		return;
	disconnect(ss, true);
	g_string_free(ss->in, TRUE);
	g_free(ss->error);
	g_free(ss);
}

enum delivery_result delivery_smtp(struct smtp_session *ss, const char *hostport, const char *helo,
				   const char *sender, const char *recipient, GBytes *message,
				   int timeout_seconds, char **error)
{
	struct smtp_session *own = ss ? NULL : smtp_session_new(), *c = ss ? ss : own;
	enum delivery_result r;

	c->deadline = time(NULL) + timeout_seconds;
	c->broken = false;
	g_clear_pointer(&c->error, g_free);
	if (c->fd >= 0 && (strcmp(c->hostport, hostport) != 0 || strcmp(c->helo, helo) != 0 || !still_open(c)))
		disconnect(c, true);
	for (int attempt = 0;; attempt++) {
		bool reused = c->fd >= 0;
		if (!reused && (r = open_session(c, hostport, helo)) != DELIVERY_SENT)
			break;
		r = envelope(c, sender, recipient);
		if (r == DELIVERY_SENT || !reused || !c->broken || attempt > 0)
			break;
		/* The relay dropped the kept connection under us; it has not
		 * seen a line of this message, so a new connection is safe. */
		disconnect(c, false);
		g_clear_pointer(&c->error, g_free);
		c->broken = false;
	}
	if (r == DELIVERY_SENT) {
		GString *data = data_block(message);
		r = send_all(c, data->str, data->len) == 0 ? expect(c, 250, NULL) : DELIVERY_TEMPORARY;
		g_string_free(data, TRUE);
	}
	if (r == DELIVERY_SENT)
		c->last_used = time(NULL);
	else	/* start the next delivery on a clean connection */
		disconnect(c, !c->broken);
	if (r != DELIVERY_SENT)
		*error = c->error ? g_steal_pointer(&c->error) : g_strdup("SMTP failure");
	g_clear_pointer(&c->error, g_free);
	smtp_session_free(own);
	return r;
}
