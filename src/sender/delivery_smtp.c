/*
 * delivery_smtp.c - delivery over SMTP to a relay, usually the local MTA
 * (see delivery.h).
 *
 * Just enough SMTP for one message per transaction, to one recipient
 * (the outbox) or several (the content filter's re-injection): EHLO
 * (HELO when refused), MAIL, RCPT, DATA with dot-stuffing; BODY=8BITMIME
 * and SMTPUTF8 passed on when the relay offers them.  A
 * session keeps the connection for the next transaction: the connect,
 * greeting and EHLO are paid once, and so is the relay's own work per
 * connection (Postfix runs its milters' connect stage for each).  With
 * PIPELINING (RFC 2920) MAIL, RCPT and DATA go in one write.  Every read
 * and write is bounded by the delivery's deadline.  Room: sender.
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
	unsigned caps;		/* CAP_* the relay announced in its EHLO reply */
	time_t last_used;
	time_t deadline;	/* of the delivery under way */
	bool broken;		/* the connection failed (not a refusal): no reply to wait for */
	GString *in;		/* bytes read but not yet consumed */
	char *error;
};

enum { CAP_PIPELINING = 1, CAP_8BITMIME = 2, CAP_SMTPUTF8 = 4 };

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

/* The EHLO keyword a reply line announces, as CAP_*. */
static unsigned capability(const char *line, size_t len)
{
	static const struct { const char *word; unsigned cap; } known[] = {
		{ "PIPELINING", CAP_PIPELINING }, { "8BITMIME", CAP_8BITMIME }, { "SMTPUTF8", CAP_SMTPUTF8 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(known); i++) {
		size_t n = strlen(known[i].word);
		if (len >= 4 + n && g_ascii_strncasecmp(line + 4, known[i].word, n) == 0 &&
		    (len == 4 + n || g_ascii_isspace(line[4 + n])))
			return known[i].cap;
	}
	return 0;
}

/* Reads one reply (all its continuation lines); returns the code, or -1
 * when the connection failed.  *text receives the last line; *caps
 * (when given) gathers the EHLO keywords announced. */
static int read_reply(struct smtp_session *c, char **text, unsigned *caps)
{
	for (;;) {
		char *nl = memchr(c->in->str, '\n', c->in->len);
		if (nl) {
			size_t line_len = (size_t)(nl - c->in->str) + 1;
			char *line = g_strndup(c->in->str, line_len);
			int code = atoi(line);
			bool last = line_len < 4 || line[3] != '-';
			g_string_erase(c->in, 0, (gssize)line_len);
			if (caps)
				*caps |= capability(line, line_len);
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
static enum delivery_result expect(struct smtp_session *c, int want, unsigned *caps)
{
	char *text = NULL;
	int code = read_reply(c, &text, caps);

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
static enum delivery_result step(struct smtp_session *c, const char *command, int want, unsigned *caps)
{
	if (send_all(c, command, strlen(command)) != 0)
		return DELIVERY_TEMPORARY;
	return expect(c, want, caps);
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
	c->caps = 0;
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
	unsigned caps = 0;
	char *cmd;

	if (connect_to(c, hostport) != 0)
		return DELIVERY_TEMPORARY;
	if ((r = expect(c, 220, NULL)) != DELIVERY_SENT)
		return r;
	cmd = g_strdup_printf("EHLO %s\r\n", helo);
	r = step(c, cmd, 250, &caps);
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
	c->caps = caps;
	return DELIVERY_SENT;
}

/* An idle connection the relay has closed, or has said something on
 * (421 before closing), is no use. */
static bool still_open(struct smtp_session *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

/* The message as it goes after DATA: CRLF line ends, dot-stuffed,
 * sent in big writes. */
struct data_out {
	struct smtp_session *c;
	bool line_start;
	char last;
	bool failed;
	GString *buf;
};

static int data_flush(struct data_out *d)
{
	if (!d->failed && d->buf->len && send_all(d->c, d->buf->str, d->buf->len) != 0)
		d->failed = true;
	g_string_truncate(d->buf, 0);
	return d->failed ? -1 : 0;
}

static int data_put(const char *p, size_t len, void *arg)
{
	struct data_out *d = arg;

	for (const char *end = p + len; p < end && !d->failed; p++) {
		if (d->line_start && *p == '.')
			g_string_append_c(d->buf, '.');
		if (*p == '\n' && d->last != '\r')
			g_string_append_c(d->buf, '\r');
		g_string_append_c(d->buf, *p);
		d->last = *p;
		d->line_start = *p == '\n';
		if (d->buf->len >= 65536)
			data_flush(d);
	}
	return d->failed ? -1 : 0;
}

/* Sends the message and its final dot, and reads the reply. */
static enum delivery_result data_phase(struct smtp_session *c, smtp_body_writer body, void *body_arg, char **reply)
{
	struct data_out d = { .c = c, .line_start = true, .buf = g_string_sized_new(65536 + 16) };
	enum delivery_result r;
	char *text = NULL;
	int code;

	if (body(data_put, &d, body_arg) != 0 && !d.failed) {
		/* The message could not be read: the relay must not take a
		 * part of it, so the connection goes without the dot. */
		g_string_free(d.buf, TRUE);
		c->error = g_strdup("the message could not be read");
		c->broken = true;
		return DELIVERY_TEMPORARY;
	}
	g_string_append(d.buf, d.line_start ? ".\r\n" : "\r\n.\r\n");
	data_flush(&d);
	g_string_free(d.buf, TRUE);
	if (d.failed)
		return DELIVERY_TEMPORARY;
	code = read_reply(c, &text, NULL);
	if (code < 0)
		return DELIVERY_TEMPORARY;
	r = code / 100 == 2 ? DELIVERY_SENT : code >= 500 ? DELIVERY_PERMANENT : DELIVERY_TEMPORARY;
	if (r != DELIVERY_SENT && c->error == NULL)
		c->error = g_strdup(text);
	if (reply)
		*reply = g_steal_pointer(&text);
	g_free(text);
	return r;
}

/* MAIL, every RCPT and DATA: in one write with PIPELINING (every reply
 * is read, in order, and the first refusal counts), else one at a
 * time.  Every recipient must be taken. */
static enum delivery_result envelope(struct smtp_session *c, const struct smtp_envelope *env)
{
	GPtrArray *cmd = g_ptr_array_new_with_free_func(g_free);
	GArray *want = g_array_new(FALSE, FALSE, sizeof(int));
	enum delivery_result r = DELIVERY_SENT;
	int code, taken = 0;

	g_ptr_array_add(cmd, g_strdup_printf("MAIL FROM:<%s>%s%s\r\n", env->sender,
					     env->eightbit && (c->caps & CAP_8BITMIME) ? " BODY=8BITMIME" : "",
					     env->smtputf8 && (c->caps & CAP_SMTPUTF8) ? " SMTPUTF8" : ""));
	code = 250;
	g_array_append_val(want, code);
	for (const char *const *rcpt = env->recipients; *rcpt; rcpt++) {
		g_ptr_array_add(cmd, g_strdup_printf("RCPT TO:<%s>\r\n", *rcpt));
		g_array_append_val(want, code);
	}
	g_ptr_array_add(cmd, g_strdup("DATA\r\n"));
	code = 354;
	g_array_append_val(want, code);

	if (!(c->caps & CAP_PIPELINING)) {
		for (guint i = 0; i < cmd->len && r == DELIVERY_SENT; i++)
			r = step(c, g_ptr_array_index(cmd, i), g_array_index(want, int, i), NULL);
	} else {
		GString *all = g_string_new(NULL);
		for (guint i = 0; i < cmd->len; i++)
			g_string_append(all, g_ptr_array_index(cmd, i));
		if (send_all(c, all->str, all->len) != 0)
			r = DELIVERY_TEMPORARY;
		for (guint i = 0; i < cmd->len && !c->broken; i++) {
			enum delivery_result ri = expect(c, g_array_index(want, int, i), NULL);
			bool last = i == cmd->len - 1;
			if (i > 0 && !last && ri == DELIVERY_SENT)
				taken++;
			if (r == DELIVERY_SENT)
				r = ri;
			/* A relay that says 354 after refusing MAIL or every RCPT
			 * gets an empty message, which it must refuse too; after
			 * refusing some recipients only, the connection is dropped
			 * before the others get anything. */
			if (last && ri == DELIVERY_SENT && r != DELIVERY_SENT) {
				char *text = NULL;
				if (taken > 0)
					c->broken = true;
				else if (send_all(c, ".\r\n", 3) == 0 && read_reply(c, &text, NULL) >= 0)
					g_free(text);
			}
		}
		g_string_free(all, TRUE);
	}
	g_ptr_array_free(cmd, TRUE);
	g_array_free(want, TRUE);
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

enum delivery_result delivery_smtp_envelope(struct smtp_session *ss, const char *hostport, const char *helo,
					    const struct smtp_envelope *env, smtp_body_writer body, void *body_arg,
					    int timeout_seconds, char **reply, char **error)
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
		r = envelope(c, env);
		if (r == DELIVERY_SENT || !reused || !c->broken || attempt > 0)
			break;
		/* The relay dropped the kept connection under us; it has not
		 * seen a line of this message, so a new connection is safe. */
		disconnect(c, false);
		g_clear_pointer(&c->error, g_free);
		c->broken = false;
	}
	if (r == DELIVERY_SENT)
		r = data_phase(c, body, body_arg, reply);
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

static int write_bytes(int (*put)(const char *data, size_t len, void *put_arg), void *put_arg, void *arg)
{
	gsize len;
	const char *data = g_bytes_get_data(arg, &len);

	return put(data, len, put_arg);
}

enum delivery_result delivery_smtp(struct smtp_session *ss, const char *hostport, const char *helo,
				   const char *sender, const char *recipient, GBytes *message,
				   int timeout_seconds, char **error)
{
	const char *recipients[] = { recipient, NULL };
	struct smtp_envelope env = { .sender = sender, .recipients = recipients };

	return delivery_smtp_envelope(ss, hostport, helo, &env, write_bytes, message, timeout_seconds, NULL, error);
}
