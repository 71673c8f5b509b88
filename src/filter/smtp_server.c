/*
 * smtp_server.c - one connection from the MTA (see smtp_server.h).
 * Room: filter.
 */
#include "config.h"
#include "filter/smtp_server.h"
#include "daemon/snapshot.h"
#include "sender/delivery.h"
#include "util/log.h"
#include "util/spool.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096	/* a command line, CRLF included */
#define RCPT_MAX 1000		/* recipients of one message */
#define ADDRESS_MAX 254		/* RFC 5321's path limit less its brackets */

struct conn {
	struct filter_context *fx;
	struct snapshot *snap;	/* settings and assets, pinned for the whole connection */
	const struct settings *s;	/* snap->settings */
	int fd;
	bool lmtp;
	bool greeted;		/* EHLO, HELO or LHLO seen */
	bool in_mail;		/* MAIL taken, DATA not yet */
	bool closing;		/* QUIT, a timeout, an error: flush and close */
	bool overlong;		/* throwing away the rest of a line too long */
	GString *in;		/* bytes read; from pos on not yet used */
	size_t pos;
	GString *out;		/* replies not yet sent */
	char *xforward_addr;	/* XFORWARD ADDR= for the next MAIL */
	struct filter_txn t;
	struct smtp_session *rs;	/* to the return port, kept between messages */
};

static void reply(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_string_append_vprintf(c->out, fmt, ap);
	va_end(ap);
	g_string_append(c->out, "\r\n");
}

static int flush_out(struct conn *c)
{
	const char *p = c->out->str;
	size_t left = c->out->len;

	while (left > 0) {
		ssize_t n = send(c->fd, p, left, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		left -= (size_t)n;
	}
	g_string_truncate(c->out, 0);
	return 0;
}

/* Reads more: the replies waiting go first (pipelining: the client has
 * sent all it had).  -1 at the end of the connection, a timeout or
 * shutdown (idle: between commands, where a stopping daemon leaves). */
static int fill(struct conn *c, bool idle)
{
	char buf[65536];
	time_t deadline = time(NULL) + c->s->filter_timeout_seconds;
	ssize_t n;

	if (flush_out(c) != 0)
		return -1;
	if (c->pos > 0) {
		g_string_erase(c->in, 0, (gssize)c->pos);
		c->pos = 0;
	}
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int rc;
		if (idle && g_atomic_int_get(&c->fx->stopping)) {
			reply(c, "421 4.3.2 %s shutting down", c->s->hostname);
			return -1;
		}
		if (time(NULL) >= deadline) {
			reply(c, "421 4.4.2 %s timeout, closing the connection", c->s->hostname);
			return -1;
		}
		rc = poll(&p, 1, 1000);
		if (rc > 0)
			break;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
	do
		n = recv(c->fd, buf, sizeof buf, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	g_string_append_len(c->in, buf, n);
	return 0;
}

/* The next command line without its line end (g_free), or NULL when the
 * connection ended.  A line too long is answered here and skipped. */
static char *next_line(struct conn *c)
{
	for (;;) {
		const char *p = c->in->str + c->pos;
		size_t len = c->in->len - c->pos;
		const char *nl = memchr(p, '\n', len);
		if (nl) {
			size_t n = (size_t)(nl - p);
			char *line = c->overlong || n + 1 > LINE_MAX_BYTES ? NULL :
				     g_strndup(p, n > 0 && p[n - 1] == '\r' ? n - 1 : n);
			c->pos += n + 1;
			if (line)
				return line;
			c->overlong = false;
			reply(c, "500 5.5.2 Line too long");
			continue;
		}
		if (len > LINE_MAX_BYTES) {
			c->overlong = true;
			c->pos = c->in->len;
		}
		if (fill(c, len == 0) != 0)
			return NULL;
	}
}

static void store(struct conn *c, const char *data, size_t len)
{
	struct filter_txn *t = &c->t;

	if (t->too_big || t->spool_error)
		return;
	if (spool_total(t->spool) + len > c->s->filter_max_size) {
		/* Read to the end and refused: give the disk back now. */
		t->too_big = true;
		spool_free(t->spool);
		t->spool = NULL;
		return;
	}
	spool_append(t->spool, data, len, &t->spool_error);
}

/* The message up to its final dot, dot-unstuffed, into the spool.
 * -1 when the connection ended first. */
static int read_data(struct conn *c)
{
	bool line_start = true;

	for (;;) {
		while (c->pos < c->in->len) {
			const char *p = c->in->str + c->pos;
			size_t len = c->in->len - c->pos, take;
			const char *nl = memchr(p, '\n', len), *next;
			if (line_start && p[0] == '.') {
				if (nl == NULL && len < 3)
					break;	/* "." or ".\r": the end, perhaps */
				if (nl && (nl == p + 1 || (nl == p + 2 && p[1] == '\r'))) {
					c->pos += (size_t)(nl - p) + 1;
					return 0;
				}
				c->pos++;	/* the dot a client doubles */
				line_start = false;
				continue;
			}
			/* Up to the next line that starts with a dot, in one piece. */
			next = memmem(p, len, "\n.", 2);
			take = next ? (size_t)(next - p) + 1 : len;
			store(c, p, take);
			c->pos += take;
			line_start = p[take - 1] == '\n';
		}
		if (fill(c, false) != 0)
			return -1;
	}
}

/* The address of "FROM:<addr> params" / "TO:<addr> params" into *addr
 * (g_free; "" for <>), *params pointing after it.  False when malformed. */
static bool parse_path(const char *arg, const char *keyword, char **addr, const char **params)
{
	size_t k = strlen(keyword);
	const char *p, *end;

	if (g_ascii_strncasecmp(arg, keyword, k) != 0)
		return false;
	p = arg + k;
	while (*p == ' ')
		p++;
	if (*p == '<') {
		end = strchr(++p, '>');
		if (end == NULL)
			return false;
		*params = end + 1;
	} else {
		end = p + strcspn(p, " ");
		*params = end;
	}
	if ((size_t)(end - p) > ADDRESS_MAX)
		return false;
	*addr = g_strndup(p, (gsize)(end - p));
	if (strpbrk(*addr, " \t\r\n<>") != NULL) {
		g_clear_pointer(addr, g_free);
		return false;
	}
	return true;
}

/* RFC 3461 xtext ("+2B" for '+'), as in AUTH=; NULL when malformed. */
static char *xtext_decode(const char *s)
{
	GString *out = g_string_new(NULL);

	for (; *s; s++) {
		if (*s == '+' && g_ascii_isxdigit(s[1]) && g_ascii_isxdigit(s[2])) {
			int v = g_ascii_xdigit_value(s[1]) * 16 + g_ascii_xdigit_value(s[2]);
			if (v < 0x21 || v > 0x7e)
				break;
			g_string_append_c(out, (char)v);
			s += 2;
		} else if (*s < 0x21 || *s > 0x7e || *s == '+' || *s == '=') {
			break;
		} else {
			g_string_append_c(out, *s);
		}
	}
	if (*s != '\0' || out->len == 0 || out->len > ADDRESS_MAX) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

static void end_transaction(struct conn *c)
{
	filter_txn_reset(&c->t);
	g_clear_pointer(&c->xforward_addr, g_free);
	c->in_mail = false;
}

static void cmd_hello(struct conn *c, const char *verb, const char *arg)
{
	bool lhlo = g_ascii_strcasecmp(verb, "LHLO") == 0;

	if (lhlo != c->lmtp) {
		reply(c, "500 5.5.1 This is %s: say %s", c->lmtp ? "LMTP" : "SMTP", c->lmtp ? "LHLO" : "EHLO");
		return;
	}
	if (*arg == '\0') {
		reply(c, "501 5.5.4 %s needs a name", verb);
		return;
	}
	end_transaction(c);
	c->greeted = true;
	if (g_ascii_strcasecmp(verb, "HELO") == 0) {
		reply(c, "250 %s", c->s->hostname);
		return;
	}
	reply(c, "250-%s", c->s->hostname);
	reply(c, "250-PIPELINING");
	reply(c, "250-SIZE %zu", c->s->filter_max_size);
	reply(c, "250-8BITMIME");
	reply(c, "250-SMTPUTF8");
	reply(c, "250-ENHANCEDSTATUSCODES");
	reply(c, "250 XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT");
}

static void cmd_mail(struct conn *c, const char *arg)
{
	char *addr = NULL, **words;
	const char *params;

	if (!c->greeted || c->in_mail) {
		reply(c, "503 5.5.1 %s", c->in_mail ? "Nested MAIL command" : "Say hello first");
		return;
	}
	if (!parse_path(arg, "FROM:", &addr, &params)) {
		reply(c, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	words = g_strsplit(params, " ", -1);
	for (char **w = words; *w; w++) {
		if (g_ascii_strncasecmp(*w, "SIZE=", 5) == 0 && g_ascii_strtoull(*w + 5, NULL, 10) > c->s->filter_max_size) {
			reply(c, "552 5.3.4 Message size exceeds fixed limit");
			g_free(addr);
			g_strfreev(words);
			return;
		}
		if (g_ascii_strcasecmp(*w, "BODY=8BITMIME") == 0)
			c->t.eightbit = true;
		else if (g_ascii_strcasecmp(*w, "SMTPUTF8") == 0)
			c->t.smtputf8 = true;
		else if (g_ascii_strncasecmp(*w, "AUTH=", 5) == 0 && strcmp(*w + 5, "<>") != 0)
			c->t.auth_login = xtext_decode(*w + 5);
	}
	g_strfreev(words);
	c->t.sender = addr;
	c->t.recipients = g_ptr_array_new_with_free_func(g_free);
	c->t.client_addr = g_steal_pointer(&c->xforward_addr);
	c->t.started = g_get_monotonic_time();
	c->in_mail = true;
	reply(c, "250 2.1.0 Ok");
}

static void cmd_rcpt(struct conn *c, const char *arg)
{
	char *addr = NULL;
	const char *params;

	if (!c->in_mail) {
		reply(c, "503 5.5.1 Need MAIL command");
	} else if (c->t.recipients->len >= RCPT_MAX) {
		reply(c, "452 4.5.3 Too many recipients");
	} else if (!parse_path(arg, "TO:", &addr, &params) || *addr == '\0') {
		reply(c, "501 5.1.3 Syntax: RCPT TO:<address>");
		g_free(addr);
	} else {
		g_ptr_array_add(c->t.recipients, addr);
		reply(c, "250 2.1.5 Ok");
	}
}

static int cmd_data(struct conn *c)
{
	char *answer;

	if (!c->in_mail || c->t.recipients->len == 0) {
		reply(c, "%s", c->in_mail ? "554 5.5.1 No valid recipients" : "503 5.5.1 Need MAIL command");
		return 0;
	}
	c->t.spool = spool_new(c->s->spool_directory, c->s->spool_memory, 0);
	reply(c, "354 End data with <CR><LF>.<CR><LF>");
	if (flush_out(c) != 0 || read_data(c) != 0)
		return -1;
	answer = filter_message(c->fx, c->s, c->snap->assets, &c->t, c->rs);
	for (guint i = 0; i < (c->lmtp ? c->t.recipients->len : 1); i++)
		reply(c, "%s", answer);
	g_free(answer);
	end_transaction(c);
	return 0;
}

static void cmd_xforward(struct conn *c, const char *arg)
{
	char **words = g_strsplit(arg, " ", -1);

	for (char **w = words; *w; w++) {
		const char *v = *w + 5;
		if (g_ascii_strncasecmp(*w, "ADDR=", 5) != 0)
			continue;
		if (g_ascii_strncasecmp(v, "IPV6:", 5) == 0)
			v += 5;
		g_free(c->xforward_addr);
		c->xforward_addr = *v && *v != '[' && strlen(v) < 64 ? g_strdup(v) : NULL;
	}
	g_strfreev(words);
	reply(c, "250 2.0.0 Ok");
}

/* One command; -1 to close the connection. */
static int command(struct conn *c, char *line)
{
	char *arg = line + strcspn(line, " ");
	char verb[16];

	g_strlcpy(verb, line, MIN(sizeof verb, (size_t)(arg - line) + 1));
	while (*arg == ' ')
		arg++;
	if (!g_ascii_strcasecmp(verb, "EHLO") || !g_ascii_strcasecmp(verb, "HELO") || !g_ascii_strcasecmp(verb, "LHLO")) {
		cmd_hello(c, verb, arg);
	} else if (!g_ascii_strcasecmp(verb, "MAIL")) {
		cmd_mail(c, arg);
	} else if (!g_ascii_strcasecmp(verb, "RCPT")) {
		cmd_rcpt(c, arg);
	} else if (!g_ascii_strcasecmp(verb, "DATA")) {
		return cmd_data(c);
	} else if (!g_ascii_strcasecmp(verb, "RSET")) {
		end_transaction(c);
		reply(c, "250 2.0.0 Ok");
	} else if (!g_ascii_strcasecmp(verb, "NOOP")) {
		reply(c, "250 2.0.0 Ok");
	} else if (!g_ascii_strcasecmp(verb, "VRFY")) {
		reply(c, "252 2.5.2 Cannot VRFY");
	} else if (!g_ascii_strcasecmp(verb, "XFORWARD") && c->greeted && !c->in_mail) {
		cmd_xforward(c, arg);
	} else if (!g_ascii_strcasecmp(verb, "QUIT")) {
		reply(c, "221 2.0.0 Bye");
		return -1;
	} else {
		reply(c, "502 5.5.2 Command not recognized");
	}
	return 0;
}

void smtp_server_session(struct filter_context *fx, int fd)
{
	struct conn c = { .fx = fx, .fd = fd };
	char *line;

	c.snap = fx->acquire();
	c.s = c.snap->settings;
	c.lmtp = c.s->filter_protocol == FILTER_LMTP;
	c.in = g_string_sized_new(65536);
	c.out = g_string_new(NULL);
	c.rs = smtp_session_new();
	reply(&c, "220 %s %s ticket-filter", c.s->hostname, c.lmtp ? "LMTP" : "ESMTP");
	while ((line = next_line(&c)) != NULL) {
		int rc = command(&c, line);
		g_free(line);
		if (rc != 0)
			break;
	}
	flush_out(&c);
	end_transaction(&c);
	smtp_session_free(c.rs);
	g_string_free(c.in, TRUE);
	g_string_free(c.out, TRUE);
	snapshot_unref(c.snap);
	close(fd);
}
