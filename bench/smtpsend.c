/*
 * smtpsend.c - the benchmark's SMTP client: sends a prepared set of
 * messages over N parallel sessions and records, for every message,
 * when it was handed over and when the server accepted it.
 *
 *   smtpsend -s 127.0.0.1:PORT -c SESSIONS -i INDEX -o TIMINGS
 *            [-m MESSAGES-PER-CONNECTION] [-H HOLD-FILE]
 *
 * INDEX has one line per message: PATH <TAB> MAIL-FROM <TAB> RCPT[,RCPT...]
 * (an empty MAIL-FROM is the null sender).  Every file is read, turned
 * into CRLF lines and dot-stuffed before the clock starts, so that only
 * SMTP is timed.  Each session takes the next message from a shared
 * counter, so the sessions stay busy until the last message.  By default
 * a connection carries one message, as most inbound MX traffic does (and
 * smtp-source without -d); -m keeps it open for more.
 *
 * TIMINGS gets one line per message:
 *   INDEX-LINE  BYTES  CONNECT-US  MAIL-US  END-US  REPLY-CODE
 * with Unix times in microseconds: CONNECT the start of its connection
 * (0 when the connection was reused), MAIL when MAIL FROM was sent, END
 * when the reply to the final "." arrived.  The last line of stderr is a
 * summary.
 *
 * With -H FILE every session first connects (a barrier holds them until
 * all are connected), sends its messages, then keeps its connection open
 * until FILE exists: that is how the memory test holds 100 concurrent
 * SMTP sessions.  The sessions create FILE.ready when all of them are
 * done sending.
 *
 * No pipelining, no TLS: plain RFC 5321 over loopback.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct mail {
	char *from;		/* "" for <> */
	char **rcpts;
	int n_rcpts;
	char *data;		/* CRLF, dot-stuffed, ends with ".\r\n" */
	size_t len;
	size_t raw_len;		/* the file's size */
	/* results */
	long long connect_us, mail_us, end_us;
	int code;
};

static struct mail *mails;
static int n_mails;
static atomic_int next_mail;
static atomic_int sessions_done;
static struct sockaddr_in server;
static int per_connection = 1;
static const char *hold_file;
static int n_sessions;
static pthread_barrier_t all_connected;
static long long mono_to_real;	/* add to a monotonic µs value to get Unix µs */

static long long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
	fprintf(stderr, "smtpsend: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- loading ------------------------------------------------------------ */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	if (f == NULL || fstat(fileno(f), &st) != 0)
		die(path);
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		die(path);
	fclose(f);
	buf[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	return buf;
}

/* LF or CRLF text -> CRLF, dot-stuffed, with the terminating ".\r\n". */
static char *to_wire(const char *in, size_t len, size_t *out_len)
{
	char *out = malloc(len * 2 + 8), *o = out;
	int at_line_start = 1;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (at_line_start && c == '.')
			*o++ = '.';
		if (c == '\n' && (i == 0 || in[i - 1] != '\r'))
			*o++ = '\r';
		*o++ = c;
		at_line_start = c == '\n';
	}
	if (!at_line_start) {
		*o++ = '\r';
		*o++ = '\n';
	}
	memcpy(o, ".\r\n", 3);
	o += 3;
	*out_len = (size_t)(o - out);
	return out;
}

static void load_index(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, alloc = 0;

	if (f == NULL)
		die(path);
	while (getline(&line, &cap, f) > 0) {
		char *file = strtok(line, "\t\n"), *from = strtok(NULL, "\t\n"), *rcpts = strtok(NULL, "\t\n");
		struct mail *m;
		char *raw;
		if (file == NULL || from == NULL || rcpts == NULL) {
			/* An empty MAIL-FROM collapses the tabs: "PATH\t\tRCPT". */
			if (file && from && rcpts == NULL) {
				rcpts = from;
				from = "";
			} else {
				continue;
			}
		}
		if (n_mails == (int)alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			mails = realloc(mails, alloc * sizeof *mails);
		}
		m = &mails[n_mails++];
		memset(m, 0, sizeof *m);
		m->from = strdup(strcmp(from, "<>") == 0 ? "" : from);
		for (char *r = strtok(rcpts, ","); r; r = strtok(NULL, ",")) {
			m->rcpts = realloc(m->rcpts, (size_t)(m->n_rcpts + 1) * sizeof *m->rcpts);
			m->rcpts[m->n_rcpts++] = strdup(r);
		}
		raw = read_file(file, &m->raw_len);
		m->data = to_wire(raw, m->raw_len, &m->len);
		free(raw);
	}
	free(line);
	fclose(f);
}

/* ---- SMTP --------------------------------------------------------------- */

struct conn {
	int fd;
	char buf[8192];
	size_t have;
};

static int send_all(struct conn *c, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one complete reply (continuation lines "250-" included); returns its code. */
static int read_reply(struct conn *c)
{
	for (;;) {
		char *start = c->buf;
		char *nl;
		while ((nl = memchr(start, '\n', c->have - (size_t)(start - c->buf))) != NULL) {
			int last = nl - start >= 3 && start[3] != '-';
			int code = atoi(start);
			start = nl + 1;
			if (last) {
				c->have -= (size_t)(start - c->buf);
				memmove(c->buf, start, c->have);
				return code;
			}
		}
		/* Drop consumed continuation lines, then read more. */
		c->have -= (size_t)(start - c->buf);
		memmove(c->buf, start, c->have);
		if (c->have == sizeof c->buf)
			c->have = 0;	/* an absurd line: drop it */
		ssize_t n = recv(c->fd, c->buf + c->have, sizeof c->buf - c->have, 0);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		c->have += (size_t)n;
	}
}

static int command(struct conn *c, const char *fmt, const char *arg)
{
	char line[1024];
	int n = snprintf(line, sizeof line, fmt, arg);

	if (n < 0 || (size_t)n >= sizeof line || send_all(c, line, (size_t)n) != 0)
		return -1;
	return read_reply(c);
}

static int smtp_open(struct conn *c)
{
	int one = 1;

	c->have = 0;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (struct sockaddr *)&server, sizeof server) != 0 || read_reply(c) != 220 ||
	    command(c, "EHLO %s\r\n", "client.bench.example") != 250) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static void smtp_close(struct conn *c)
{
	if (c->fd < 0)
		return;
	command(c, "%sQUIT\r\n", "");
	close(c->fd);
	c->fd = -1;
}

/* One transaction; returns the final reply code (or the failing one). */
static int transaction(struct conn *c, struct mail *m)
{
	int code;

	m->mail_us = mono_us();
	if ((code = command(c, "MAIL FROM:<%s>\r\n", m->from)) != 250)
		goto fail;
	for (int i = 0; i < m->n_rcpts; i++)
		if ((code = command(c, "RCPT TO:<%s>\r\n", m->rcpts[i])) != 250)
			goto fail;
	if ((code = command(c, "%sDATA\r\n", "")) != 354)
		goto fail;
	if (send_all(c, m->data, m->len) != 0)
		return -1;
	code = read_reply(c);
	m->end_us = mono_us();
	return code;
fail:
	m->end_us = mono_us();
	if (code > 0)
		command(c, "%sRSET\r\n", "");
	return code;
}

static void wait_for_file(const char *path)
{
	while (access(path, F_OK) != 0)
		usleep(20000);
}

static void *session(void *arg)
{
	struct conn c = { .fd = -1 };
	int sent_on_conn = 0;

	(void)arg;
	if (hold_file) {
		long long t = mono_us();
		if (smtp_open(&c) != 0)
			fprintf(stderr, "smtpsend: session could not connect\n");
		pthread_barrier_wait(&all_connected);
		for (int i; c.fd >= 0 && (i = atomic_fetch_add(&next_mail, 1)) < n_mails;) {
			mails[i].connect_us = t;
			t = 0;
			mails[i].code = transaction(&c, &mails[i]);
		}
		if (atomic_fetch_add(&sessions_done, 1) + 1 == n_sessions) {
			char ready[4096];
			snprintf(ready, sizeof ready, "%s.ready", hold_file);
			fclose(fopen(ready, "w"));
		}
		wait_for_file(hold_file);
		smtp_close(&c);
		return NULL;
	}
	for (int i; (i = atomic_fetch_add(&next_mail, 1)) < n_mails;) {
		struct mail *m = &mails[i];
		if (c.fd < 0) {
			m->connect_us = mono_us();
			if (smtp_open(&c) != 0) {
				m->code = -1;
				m->mail_us = m->end_us = mono_us();
				continue;
			}
			sent_on_conn = 0;
		}
		m->code = transaction(&c, m);
		if (m->code < 0) {
			close(c.fd);
			c.fd = -1;
		} else if (++sent_on_conn >= per_connection) {
			smtp_close(&c);
		}
	}
	smtp_close(&c);
	return NULL;
}

/* ---- main --------------------------------------------------------------- */

static void parse_server(const char *spec)
{
	char host[256];
	const char *colon = strrchr(spec, ':');

	if (colon == NULL || (size_t)(colon - spec) >= sizeof host) {
		fprintf(stderr, "smtpsend: -s HOST:PORT\n");
		exit(2);
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	server.sin_family = AF_INET;
	server.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &server.sin_addr) != 1) {
		fprintf(stderr, "smtpsend: %s is not an IPv4 address\n", host);
		exit(2);
	}
}

static void write_timings(const char *path)
{
	FILE *out = fopen(path, "w");

	if (out == NULL)
		die(path);
	for (int i = 0; i < n_mails; i++) {
		const struct mail *m = &mails[i];
		fprintf(out, "%d\t%zu\t%lld\t%lld\t%lld\t%d\n", i + 1, m->raw_len,
			m->connect_us ? m->connect_us + mono_to_real : 0, m->mail_us + mono_to_real,
			m->end_us + mono_to_real, m->code);
	}
	if (fclose(out) != 0)
		die(path);
}

int main(int argc, char **argv)
{
	const char *index = NULL, *timings = NULL;
	pthread_t *threads;
	long long t0, t1;
	int opt, failed = 0;
	struct timespec real;

	n_sessions = 20;
	while ((opt = getopt(argc, argv, "s:c:i:o:m:H:")) != -1) {
		switch (opt) {
		case 's': parse_server(optarg); break;
		case 'c': n_sessions = atoi(optarg); break;
		case 'i': index = optarg; break;
		case 'o': timings = optarg; break;
		case 'm': per_connection = atoi(optarg); break;
		case 'H': hold_file = optarg; break;
		default: return 2;
		}
	}
	if (index == NULL || timings == NULL || server.sin_port == 0 || n_sessions < 1 || per_connection < 1) {
		fprintf(stderr, "usage: smtpsend -s HOST:PORT -c SESSIONS -i INDEX -o TIMINGS [-m N] [-H FILE]\n");
		return 2;
	}
	load_index(index);
	clock_gettime(CLOCK_REALTIME, &real);
	mono_to_real = (long long)real.tv_sec * 1000000 + real.tv_nsec / 1000 - mono_us();
	if (hold_file)
		pthread_barrier_init(&all_connected, NULL, (unsigned)n_sessions);
	threads = calloc((size_t)n_sessions, sizeof *threads);
	t0 = mono_us();
	for (int i = 0; i < n_sessions; i++)
		if (pthread_create(&threads[i], NULL, session, NULL) != 0)
			die("pthread_create");
	for (int i = 0; i < n_sessions; i++)
		pthread_join(threads[i], NULL);
	t1 = mono_us();
	write_timings(timings);
	for (int i = 0; i < n_mails; i++)
		failed += mails[i].code != 250;
	fprintf(stderr, "smtpsend: %d messages, %d sessions, %d not accepted, %.3f s\n", n_mails, n_sessions,
		failed, (double)(t1 - t0) / 1e6);
	return failed ? 3 : 0;
}
