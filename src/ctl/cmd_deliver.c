/*
 * cmd_deliver.c - `ticketctl deliver --recipient ADDR [--sender ADDR]
 * [--reinject]`: the pipe command for MTAs and delivery agents without
 * a milter or a content filter hook (qmail, procmail, fetchmail).
 * Room: ctl.
 *
 * Reads one message on standard input, records it through the same
 * intake and engine as the daemons (intake.h, batch.h: on disk before
 * anything is printed), and writes the message as the engine changed it
 * to standard output, or with --reinject hands it to the configured
 * [outbox] (smtp, one transaction for every recipient, or the command,
 * once per recipient).  Then one round of the outbox delivers what the
 * message queued (its acknowledgement).  The engine is given assets
 * prepared for the settings, as a daemon's snapshot holds them, so that
 * what it writes is rendered alike.
 *
 * Exit status, as a pipe's delivery agent expects (sysexits): 0 when it
 * was recorded and passed on; 75 (EX_TEMPFAIL) on any error, so that
 * the MTA keeps the message and runs the command again later (a
 * recorded message is then a redelivery, changed alike); 65
 * (EX_DATAERR) when on-limit = reject refuses it.
 */
#include "config.h"
#include "ctl/subcommands.h"
#include "compose/assets.h"
#include "compose/edited_message.h"
#include "engine/batch.h"
#include "engine/engine.h"
#include "engine/intake.h"
#include "engine/scheduled_mail.h"
#include "sender/delivery.h"
#include "sender/sender.h"
#include "store/pool.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/spool.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

struct deliver {
	const struct settings *s;
	GPtrArray *recipients;	/* char *: as given */
	char *sender;		/* as given; "" for <> */
	bool reinject;
	char *from_line;	/* an mbox "From " line read before the message, kept for stdout */
	struct spool *spool;
	char qid[16];
	gint64 started;		/* monotonic µs when reading began */
};

/* Standard input into the spool; -1 with *error. */
static int read_message(struct deliver *d, char **error)
{
	char buf[65536];
	size_t n;
	bool first = true;

	d->spool = spool_new(d->s->spool_directory, d->s->spool_memory, 0);
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
		const char *p = buf;
		if (first && n > 5 && memcmp(buf, "From ", 5) == 0) {
			/* procmail's envelope line: not part of the message. */
			const char *nl = memchr(buf, '\n', n);
			size_t line = nl ? (size_t)(nl - buf) + 1 : n;
			d->from_line = g_strndup(buf, line);
			p += line;
			n -= line;
		}
		first = false;
		if (spool_total(d->spool) + n > d->s->filter_max_size) {
			*error = g_strdup_printf("more than %zu bytes ([filter] max-size)", d->s->filter_max_size);
			return -1;
		}
		if (spool_append(d->spool, p, n, error) != 0)
			return -1;
	}
	if (ferror(stdin)) {
		*error = g_strdup("reading standard input failed");
		return -1;
	}
	return 0;
}

static int write_stdout(const char *data, size_t len, void *arg)
{
	(void)arg;
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

static int write_gstring(const char *data, size_t len, void *arg)
{
	g_string_append_len(arg, data, (gssize)len);
	return 0;
}

struct outgoing {
	struct spool *spool;
	const GPtrArray *edits;
	GBytes *new_body;
	size_t hold;
};

static int write_outgoing(int (*put)(const char *data, size_t len, void *put_arg), void *put_arg, void *arg)
{
	struct outgoing *o = arg;
	char *error = NULL;
	int rc = edited_message_write(o->spool, o->edits, o->new_body, o->hold, true, put, put_arg, &error);

	g_free(error);
	return rc;
}

static const char *unbracketed(const char *addr, GPtrArray *keep)
{
	size_t n = strlen(addr);

	if (n >= 2 && addr[0] == '<' && addr[n - 1] == '>') {
		char *a = g_strndup(addr + 1, n - 2);
		g_ptr_array_add(keep, a);
		return a;
	}
	return addr;
}

/* The message, changed (edits NULL: as it came), to stdout or the
 * outbox; 0 or EX_TEMPFAIL. */
static int pass_on(struct deliver *d, const GPtrArray *edits, GBytes *new_body, const char *sender,
		   const GPtrArray *del, const GPtrArray *add)
{
	const struct settings *s = d->s;
	struct outgoing o = { d->spool, edits, new_body, s->max_header_bytes + s->max_header_line };
	GPtrArray *rcpts = g_ptr_array_new(), *keep = g_ptr_array_new_with_free_func(g_free);
	char *error = NULL;
	int rc = 0;

	if (!d->reinject) {
		if (d->from_line)
			fputs(d->from_line, stdout);
		if (edited_message_write(d->spool, edits, new_body, o.hold, false, write_stdout, NULL, &error) != 0 ||
		    fflush(stdout) != 0)
			rc = EX_TEMPFAIL;
		goto done;
	}
	for (guint i = 0; i < d->recipients->len; i++) {
		const char *r = g_ptr_array_index(d->recipients, i);
		bool removed = false;
		for (guint j = 0; del && j < del->len && !removed; j++)
			removed = strcmp(unbracketed(g_ptr_array_index(del, j), keep), r) == 0;
		if (!removed)
			g_ptr_array_add(rcpts, (char *)r);
	}
	for (guint j = 0; add && j < add->len; j++)
		g_ptr_array_add(rcpts, (char *)unbracketed(g_ptr_array_index(add, j), keep));
	g_ptr_array_add(rcpts, NULL);
	if (s->outbox_smtp) {
		struct smtp_envelope env = { .sender = sender, .recipients = (const char *const *)rcpts->pdata,
					     .eightbit = true };
		if (rcpts->len > 1 && delivery_smtp_envelope(NULL, s->outbox_smtp, s->hostname, &env, write_outgoing, &o,
							     60, NULL, &error) != DELIVERY_SENT)
			rc = EX_TEMPFAIL;
	} else {
		/* The command takes one recipient: once each, the message in memory. */
		GString *text = g_string_new(NULL);
		GBytes *bytes;
		if (edited_message_write(d->spool, edits, new_body, o.hold, false, write_gstring, text, &error) != 0)
			rc = EX_TEMPFAIL;
		bytes = g_string_free_to_bytes(text);
		for (guint i = 0; rc == 0 && i + 1 < rcpts->len; i++)
			if (delivery_command(s->outbox_command, sender, g_ptr_array_index(rcpts, i), bytes, 60, &error) !=
			    DELIVERY_SENT)
				rc = EX_TEMPFAIL;
		g_bytes_unref(bytes);
	}
done:
	if (rc != 0)
		log_write(LOG_ERR, d->qid, "tempfail: passing the message on failed: %s",
			  error ? error : "writing standard output failed");
	g_free(error);
	g_ptr_array_free(rcpts, TRUE);
	g_ptr_array_free(keep, TRUE);
	return rc;
}

/* intake.h's decision: -1 to go on, else the exit status. */
static int decided(struct deliver *d, struct intake_reply *r)
{
	int rc = -1;

	if (r->log)
		log_write(r->priority, d->qid, "%s", r->log);
	if (r->action == INTAKE_ACCEPT)
		rc = pass_on(d, NULL, NULL, d->sender, NULL, NULL);
	else if (r->action == INTAKE_REJECT)
		rc = EX_DATAERR;
	else if (r->action == INTAKE_TEMPFAIL)
		rc = EX_TEMPFAIL;
	intake_reply_clear(r);
	return rc;
}

/* The spool the engine reads: at most max-message-size, as the milter's. */
static struct spool *engine_spool(const struct settings *s, struct spool *whole, char **error)
{
	struct spool *sp;
	char buf[65536];
	size_t off = 0;
	gssize n = 0;

	if (s->max_message_size == 0 || spool_size(whole) <= s->max_message_size)
		return whole;
	sp = spool_new(s->spool_directory, s->spool_memory, s->max_message_size);
	while (*error == NULL && (n = spool_read(whole, off, buf, sizeof buf)) > 0 &&
	       spool_append(sp, buf, (size_t)n, error) == 0)
		off += (size_t)n;
	if (n < 0 && *error == NULL)
		*error = g_strdup("reading the spool failed");
	if (*error) {
		spool_free(sp);
		return NULL;
	}
	return sp;
}

/* One round of scheduled mail (reminders) due at now, rendered with
 * assets (prepared for s, or NULL), logged; the number of rows whose
 * mail waits in the outbox. */
static int run_scheduled(const struct settings *s, const struct assets *assets, struct store *st, int64_t now)
{
	GPtrArray *outcomes = g_ptr_array_new_with_free_func(scheduled_outcome_free);
	char *owner = g_strdup_printf("ticketctl:%s:%d", s->hostname, (int)getpid());
	int queued = 0;

	if (scheduled_run_due(s, assets, st, now, owner, outcomes, &queued) < 0)
		log_err("scheduled mail: %s", store_error(st));
	for (guint i = 0; i < outcomes->len; i++) {
		int priority;
		char *line = scheduled_outcome_line(g_ptr_array_index(outcomes, i), &priority);
		log_write(priority, NULL, "%s", line);
		g_free(line);
	}
	g_ptr_array_free(outcomes, TRUE);
	g_free(owner);
	return queued;
}

/* Records the message and passes it on; the exit status. */
static int record(struct deliver *d)
{
	const struct settings *s = d->s;
	GPtrArray *norm = g_ptr_array_new_with_free_func(g_free), *raw = g_ptr_array_new_with_free_func(g_free);
	char *sender = addr_normalize(d->sender), *token = NULL, *error = NULL;
	struct store_pool *pool = NULL;
	struct engine_batch *batch = NULL;
	struct assets *assets = NULL;
	struct spool *esp = NULL;
	struct message *msg = NULL;
	struct intake_reply r;
	struct envelope env = { 0 };
	struct engine_job job = { 0 };
	const struct queue *q;
	int rc;

	for (guint i = 0; i < d->recipients->len; i++) {
		const char *given = g_ptr_array_index(d->recipients, i);
		char *n = addr_normalize(given);
		if (n) {
			g_ptr_array_add(norm, n);
			g_ptr_array_add(raw, g_strdup_printf("<%s>", given));
		}
	}
	g_ptr_array_add(norm, NULL);
	g_ptr_array_add(raw, NULL);
	env.sender = sender;
	env.recipients = (char **)norm->pdata;
	env.raw_recipients = (char **)raw->pdata;
	env.queue_id = d->qid;
	q = engine_choose_queue(s, &env, &token);
	if (q == NULL) {
		rc = pass_on(d, NULL, NULL, d->sender, NULL, NULL);
		goto done;
	}
	if ((esp = engine_spool(s, d->spool, &error)) == NULL) {
		intake_on_error(s, error, &r);
		rc = decided(d, &r);
		goto done;
	}
	msg = intake_read(s, esp, &r);
	if ((rc = decided(d, &r)) >= 0)
		goto done;
	env.now = g_get_real_time() / G_USEC_PER_SEC;
	env.spool = esp;
	/* The daemons' way to the store: durable (one fdatasync) when it returns. */
	pool = store_pool_new(1);
	batch = engine_batch_new(pool, 1);
	assets = assets_prepare(s);
	job = (struct engine_job){ .settings = s, .assets = assets, .queue = q, .token = token, .msg = msg,
				   .env = &env };
	engine_batch_run(batch, &job);
	if (job.rc != 0) {
		intake_on_error(s, job.error, &r);
		g_free(job.error);
		rc = decided(d, &r);
		goto done;
	}
	{
		struct engine_result *res = &job.result;
		char *spoof = intake_spoof_line(res, msg, &env), *line;
		int priority;

		if (spoof)
			log_write(LOG_WARNING, d->qid, "%s", spoof);
		g_free(spoof);
		if (res->outcome == ENGINE_NOT_OURS || res->outcome == ENGINE_OWN_MAIL)
			rc = pass_on(d, NULL, NULL, d->sender, NULL, NULL);
		else if (res->discard)
			rc = 0;
		else
			rc = pass_on(d, res->edits, res->new_body, res->new_sender ? res->new_sender : d->sender,
				     res->rcpt_del, res->rcpt_add);
		line = intake_outcome_line(res, msg, g_get_monotonic_time() - d->started,
					   g_get_monotonic_time() - d->started, &priority);
		log_write(priority, d->qid, "%s", line);
		g_free(line);
		{
			/* The acknowledgement now, and the reminders that fell due:
			 * a pipe may have no daemon to send them.  What fails waits
			 * for the next run or a daemon's sender. */
			struct store *st = store_pool_get(pool, s->database, s->busy_timeout_ms, &error);
			int queued = st ? run_scheduled(s, job.assets, st, env.now) : 0;
			if (st && (res->mail_queued || queued > 0))
				sender_run_once(s, st, env.now);
			store_pool_put(pool, st, false);
		}
		engine_result_clear(res);
	}
done:
	message_free(msg);
	if (esp != d->spool)
		spool_free(esp);
	engine_batch_free(batch);
	store_pool_free(pool);
	assets_free(assets);
	g_free(sender);
	g_free(token);
	g_free(error);
	g_ptr_array_free(norm, TRUE);
	g_ptr_array_free(raw, TRUE);
	return rc;
}

int cmd_deliver(const struct settings *s, int argc, char **argv)
{
	static const struct option options[] = {
		{ "recipient", required_argument, NULL, 'r' },
		{ "sender", required_argument, NULL, 's' },
		{ "reinject", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct deliver d = { .s = s, .recipients = g_ptr_array_new_with_free_func(g_free) };
	char *error = NULL;
	bool sender_given = false;
	int opt, rc;

	optind = 0;	/* getopt again, on the command's own arguments */
	while ((opt = getopt_long(argc + 1, argv - 1, "", options, NULL)) != -1) {
		switch (opt) {
		case 'r': g_ptr_array_add(d.recipients, g_strdup(optarg)); break;
		case 's': g_free(d.sender); d.sender = g_strdup(optarg); sender_given = true; break;
		case 'i': d.reinject = true; break;
		default:
			fprintf(stderr, "usage: ticketctl deliver --recipient ADDR... [--sender ADDR] [--reinject]\n");
			g_ptr_array_free(d.recipients, TRUE);
			g_free(d.sender);
			return EX_USAGE;
		}
	}
	if (d.recipients->len == 0 || optind != argc + 1) {
		fprintf(stderr, "ticketctl deliver: --recipient ADDR is required, and nothing else\n");
		g_ptr_array_free(d.recipients, TRUE);
		g_free(d.sender);
		return EX_USAGE;
	}
	if (d.sender == NULL || strcmp(d.sender, "<>") == 0) {
		g_free(d.sender);
		d.sender = g_strdup("");
	} else if (d.sender[0] == '<' && g_str_has_suffix(d.sender, ">")) {
		char *bare = g_strndup(d.sender + 1, strlen(d.sender) - 2);
		g_free(d.sender);
		d.sender = bare;
	}
	log_set_level(s->log_level);
	g_snprintf(d.qid, sizeof d.qid, "D%08X%02X", g_random_int(), g_random_int_range(0, 256));
	d.started = g_get_monotonic_time();
	if (read_message(&d, &error) != 0) {
		log_write(LOG_ERR, d.qid, "tempfail: reading the message: %s", error);
		g_free(error);
		rc = EX_TEMPFAIL;
	} else {
		if (*d.sender == '\0' && !sender_given && d.from_line) {
			/* procmail's "From sender date": the envelope sender. */
			char **w = g_strsplit_set(d.from_line, " \t\r\n", 3);
			if (w[0] && w[1] && strchr(w[1], '@') && strlen(w[1]) <= 254) {
				g_free(d.sender);
				d.sender = g_strdup(w[1]);
			}
			g_strfreev(w);
		}
		rc = record(&d);
	}
	spool_free(d.spool);
	g_free(d.from_line);
	g_free(d.sender);
	g_ptr_array_free(d.recipients, TRUE);
	return rc;
}
