/*
 * smtp.c - delivery over SMTP to a relay, usually the local MTA
 * (see delivery.h).
 *
 * Just enough SMTP for one message to one recipient: EHLO (HELO when
 * refused), MAIL, RCPT, DATA with dot-stuffing, QUIT.  Every read and
 * write is bounded by the deadline.
 */
#include "config.h"
#include "delivery.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct smtp {
	int fd;
	time_t deadline;
	GString *in;		/* bytes read but not yet consumed */
	char *error;
};

static int wait_fd(struct smtp *c, short events)
{
	for (;;) {
		int left = (int)(c->deadline - time(NULL));
		struct pollfd p = { .fd = c->fd, .events = events };
		int rc;
		if (left <= 0) {
			c->error = g_strdup("timeout");
			return -1;
		}
		rc = poll(&p, 1, left * 1000);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR) {
			c->error = g_strdup_printf("poll: %s", strerror(errno));
			return -1;
		}
	}
}

static int send_all(struct smtp *c, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n;
		if (wait_fd(c, POLLOUT) != 0)
			return -1;
		n = send(c->fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			c->error = g_strdup_printf("send: %s", strerror(errno));
			return -1;
		}
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		}
	}
	return 0;
}

/* Reads one reply (all its continuation lines); returns the code or -1.
 * *text receives the last line. */
static int read_reply(struct smtp *c, char **text)
{
	for (;;) {
		char *nl = memchr(c->in->str, '\n', c->in->len);
		if (nl) {
			size_t line_len = (size_t)(nl - c->in->str) + 1;
			char *line = g_strndup(c->in->str, line_len);
			int code = atoi(line);
			bool last = line_len < 4 || line[3] != '-';
			g_string_erase(c->in, 0, (gssize)line_len);
			if (last) {
				*text = g_strstrip(line);
				return code >= 200 && code < 600 ? code : -1;
			}
			g_free(line);
			continue;
		}
		if (c->in->len > 65536) {
			c->error = g_strdup("reply line too long");
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
				return -1;
			}
			g_string_append_len(c->in, buf, n);
		}
	}
}

/* Sends a command (NULL: none, just read) and expects a 2xx/3xx code. */
static enum delivery_result step(struct smtp *c, const char *command, int want)
{
	char *text = NULL;
	int code;

	if (command && send_all(c, command, strlen(command)) != 0)
		return DELIVERY_TEMPORARY;
	code = read_reply(c, &text);
	if (code < 0)
		return DELIVERY_TEMPORARY;
	if (code / 100 == want / 100) {
		g_free(text);
		return DELIVERY_SENT;
	}
	c->error = text;
	return code >= 500 ? DELIVERY_PERMANENT : DELIVERY_TEMPORARY;
}

static int connect_to(struct smtp *c, const char *hostport)
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

enum delivery_result delivery_smtp(const char *hostport, const char *helo, const char *sender,
				   const char *recipient, GBytes *message, int timeout_seconds, char **error)
{
	struct smtp c = { .fd = -1, .deadline = time(NULL) + timeout_seconds, .in = g_string_new(NULL) };
	enum delivery_result r = DELIVERY_TEMPORARY;
	char *cmd;

	if (connect_to(&c, hostport) != 0)
		goto out;
	if ((r = step(&c, NULL, 220)) != DELIVERY_SENT)
		goto out;
	cmd = g_strdup_printf("EHLO %s\r\n", helo);
	r = step(&c, cmd, 250);
	g_free(cmd);
	if (r != DELIVERY_SENT) {
		g_clear_pointer(&c.error, g_free);
		cmd = g_strdup_printf("HELO %s\r\n", helo);
		r = step(&c, cmd, 250);
		g_free(cmd);
		if (r != DELIVERY_SENT)
			goto out;
	}
	cmd = g_strdup_printf("MAIL FROM:<%s>\r\n", sender);
	r = step(&c, cmd, 250);
	g_free(cmd);
	if (r != DELIVERY_SENT)
		goto out;
	cmd = g_strdup_printf("RCPT TO:<%s>\r\n", recipient);
	r = step(&c, cmd, 250);
	g_free(cmd);
	if (r != DELIVERY_SENT)
		goto out;
	if ((r = step(&c, "DATA\r\n", 354)) != DELIVERY_SENT)
		goto out;
	{
		GString *data = data_block(message);
		r = send_all(&c, data->str, data->len) == 0 ? step(&c, NULL, 250) : DELIVERY_TEMPORARY;
		g_string_free(data, TRUE);
	}
	if (r == DELIVERY_SENT)
		send_all(&c, "QUIT\r\n", 6);
out:
	if (c.fd >= 0)
		close(c.fd);
	g_string_free(c.in, TRUE);
	if (r != DELIVERY_SENT)
		*error = c.error ? c.error : g_strdup("SMTP failure");
	else
		g_free(c.error);
	return r;
}
