/*
 * filter_message.c - record, change, re-inject (see filter_message.h).
 * Room: filter.
 *
 * The steps are the milter's end of message (callbacks.c) with the
 * MTA's part done here: the same queue choice (engine_choose_queue), the
 * same intake (limits, on-error and on-limit, log lines), the same
 * batcher, and then the changes written
 * into the message itself (edited_message.h) and the message sent back
 * (delivery_smtp_envelope).  The log names each message by an id of
 * ours, since the MTA's queue id does not reach a content filter.
 */
#include "config.h"
#include "filter/filter_message.h"
#include "compose/edited_message.h"
#include "engine/batch.h"
#include "engine/engine.h"
#include "engine/intake.h"
#include "daemon/scheduler.h"
#include "sender/delivery.h"
#include "sender/sender.h"
#include "util/addr.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/spool.h"

#include <string.h>
#include <syslog.h>

void filter_txn_reset(struct filter_txn *t)
{
	g_clear_pointer(&t->sender, g_free);
	if (t->recipients)
		g_ptr_array_free(t->recipients, TRUE);
	t->recipients = NULL;
	g_clear_pointer(&t->auth_login, g_free);
	g_clear_pointer(&t->client_addr, g_free);
	spool_free(t->spool);
	t->spool = NULL;
	g_clear_pointer(&t->spool_error, g_free);
	t->eightbit = t->smtputf8 = t->too_big = false;
}

/* What goes back to the MTA: the message and the changes to apply. */
struct outgoing {
	struct spool *spool;
	const GPtrArray *edits;		/* NULL: untouched */
	GBytes *new_body;
	size_t hold_bytes;
};

static int write_outgoing(int (*put)(const char *data, size_t len, void *put_arg), void *put_arg, void *arg)
{
	struct outgoing *o = arg;
	char *error = NULL;
	int rc = edited_message_write(o->spool, o->edits, o->new_body, o->hold_bytes, true, put, put_arg, &error);

	g_free(error);
	return rc;
}

static const char *unbracketed(const char *addr, char *buf, size_t size)
{
	size_t n = strlen(addr);

	if (n >= 2 && addr[0] == '<' && addr[n - 1] == '>' && n - 2 < size) {
		memcpy(buf, addr + 1, n - 2);
		buf[n - 2] = '\0';
		return buf;
	}
	return addr;
}

/* The recipients after the engine's changes: those given less the
 * removed, then the added. */
static GPtrArray *recipients_after(const struct filter_txn *t, const GPtrArray *del, const GPtrArray *add)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	char buf[1024];

	for (guint i = 0; i < t->recipients->len; i++) {
		const char *r = g_ptr_array_index(t->recipients, i);
		bool removed = false;
		for (guint j = 0; del && j < del->len && !removed; j++)
			removed = strcmp(unbracketed(g_ptr_array_index(del, j), buf, sizeof buf), r) == 0;
		if (!removed)
			g_ptr_array_add(out, g_strdup(r));
	}
	for (guint j = 0; add && j < add->len; j++)
		g_ptr_array_add(out, g_strdup(unbracketed(g_ptr_array_index(add, j), buf, sizeof buf)));
	g_ptr_array_add(out, NULL);
	return out;
}

/* Sends the message back; the reply to the MTA's final dot. */
static char *reinject(const struct settings *s, const char *qid, struct filter_txn *t, struct smtp_session *rs,
		      const char *sender, GPtrArray *recipients, struct outgoing *o)
{
	struct smtp_envelope env = { .sender = sender, .recipients = (const char *const *)recipients->pdata,
				     .eightbit = t->eightbit, .smtputf8 = t->smtputf8 };
	char *reply = NULL, *error = NULL, *answer;

	if (recipients->pdata[0] == NULL)
		return g_strdup("250 2.0.0 Ok: recorded, no recipient left");
	if (delivery_smtp_envelope(rs, s->filter_reinject, s->hostname, &env, write_outgoing, o,
				   s->filter_timeout_seconds, &reply, &error) != DELIVERY_SENT) {
		log_write(LOG_ERR, qid, "tempfail: re-injection to %s failed: %s; the MTA keeps the message and tries again",
			  s->filter_reinject, error);
		g_free(error);
		g_free(reply);	/* the relay's refusal, when it gave one */
		return g_strdup("451 4.4.0 Ticket system could not pass the message on, please try again later");
	}
	log_write(LOG_DEBUG, qid, "re-injected to %s: %s", s->filter_reinject, reply);
	answer = g_strdup_printf("250 2.0.0 Ok: %s passed on", qid);
	g_free(reply);
	return answer;
}

/* The message as it came, to every recipient it came for. */
static char *pass_untouched(const struct settings *s, const char *qid, struct filter_txn *t, struct smtp_session *rs)
{
	struct outgoing o = { .spool = t->spool, .hold_bytes = s->max_header_bytes + s->max_header_line };
	GPtrArray *rcpts = recipients_after(t, NULL, NULL);
	char *reply = reinject(s, qid, t, rs, t->sender, rcpts, &o);

	g_ptr_array_free(rcpts, TRUE);
	return reply;
}

/* intake.h's decision as the reply to the final dot. */
static char *decided(const struct settings *s, const char *qid, struct filter_txn *t, struct smtp_session *rs,
		     struct intake_reply *r)
{
	char *reply = NULL;

	if (r->log)
		log_write(r->priority, qid, "%s", r->log);
	if (r->action == INTAKE_ACCEPT)
		reply = pass_untouched(s, qid, t, rs);
	else if (r->action != INTAKE_GO_ON)
		reply = g_strdup_printf("%s %s %s", r->code, r->xcode, r->text);
	intake_reply_clear(r);
	return reply;
}

/* The spool the engine reads: the first max-message-size bytes, as the
 * milter's would hold, while the whole message goes back to the MTA. */
static struct spool *engine_spool(const struct settings *s, struct spool *whole, char **error)
{
	struct spool *sp;
	char buf[65536];
	size_t off = 0;
	gssize n;

	if (s->max_message_size == 0 || spool_size(whole) <= s->max_message_size)
		return whole;
	sp = spool_new(s->spool_directory, s->spool_memory, s->max_message_size);
	while ((n = spool_read(whole, off, buf, sizeof buf)) > 0) {
		if (spool_append(sp, buf, (size_t)n, error) != 0)
			break;
		off += (size_t)n;
	}
	if (n < 0 && *error == NULL)
		*error = g_strdup("reading the spool failed");
	if (*error) {
		spool_free(sp);
		return NULL;
	}
	return sp;
}

char *filter_message(struct filter_context *fx, const struct settings *s, const struct assets *assets,
		     struct filter_txn *t, struct smtp_session *rs)
{
	char qid[16];
	GPtrArray *norm = g_ptr_array_new_with_free_func(g_free), *raw = g_ptr_array_new_with_free_func(g_free);
	char *sender = addr_normalize(t->sender), *token = NULL, *error = NULL, *reply = NULL;
	const struct queue *q;
	struct spool *esp = NULL;
	struct message *msg = NULL;
	struct intake_reply r;
	struct envelope env = { 0 };
	gint64 eom_started = g_get_monotonic_time();

	g_snprintf(qid, sizeof qid, "F%08X%02X", g_random_int(), g_random_int_range(0, 256));
	for (guint i = 0; i < t->recipients->len; i++) {
		const char *given = g_ptr_array_index(t->recipients, i);
		char *n = addr_normalize(given);
		if (n) {
			g_ptr_array_add(norm, n);
			/* As an MTA names them to a milter: the engine's
			 * removals come back in this form. */
			g_ptr_array_add(raw, g_strdup_printf("<%s>", given));
		}
	}
	g_ptr_array_add(norm, NULL);
	g_ptr_array_add(raw, NULL);
	env.sender = sender;
	env.recipients = (char **)norm->pdata;
	env.raw_recipients = (char **)raw->pdata;
	env.queue_id = qid;
	env.auth_login = t->auth_login;
	env.client_addr = t->client_addr;
	q = engine_choose_queue(s, &env, &token);
	if (t->too_big) {
		log_write(LOG_NOTICE, qid, "refused: more than %zu bytes ([filter] max-size)", s->filter_max_size);
		reply = g_strdup("552 5.3.4 Message too big for the ticket system");
		goto done;
	}
	if (t->spool_error) {
		char *cause = g_strdup_printf("spooling the message: %s", t->spool_error);
		intake_on_error(s, cause, &r);
		g_free(cause);
		reply = decided(s, qid, t, rs, &r);
		goto done;
	}
	if (q == NULL) {
		log_write(LOG_DEBUG, qid, "not for a queue: passed on untouched");
		reply = pass_untouched(s, qid, t, rs);
		goto done;
	}
	if ((esp = engine_spool(s, t->spool, &error)) == NULL) {
		intake_on_error(s, error, &r);
		reply = decided(s, qid, t, rs, &r);
		goto done;
	}
	msg = intake_read(s, esp, &r);
	if ((reply = decided(s, qid, t, rs, &r)) != NULL)
		goto done;

	env.now = clock_now(fx->clock);
	env.spool = esp;
	{
		struct engine_job job = { .settings = s, .assets = assets, .queue = q, .token = token,
					  .msg = msg, .env = &env };
		struct engine_result *res = &job.result;
		char *spoof, *line;
		int priority;

		engine_batch_run(fx->batch, &job);
		if (job.rc != 0) {
			intake_on_error(s, job.error, &r);
			g_free(job.error);
			reply = decided(s, qid, t, rs, &r);
			goto done;
		}
		if (res->mail_queued)
			sender_kick(fx->sender);
		scheduler_wake_at(fx->scheduler, res->scheduled);
		if ((spoof = intake_spoof_line(res, msg, &env)) != NULL)
			log_write(LOG_WARNING, qid, "%s", spoof);
		g_free(spoof);
		if (res->outcome == ENGINE_NOT_OURS || res->outcome == ENGINE_OWN_MAIL) {
			reply = pass_untouched(s, qid, t, rs);
		} else if (res->discard) {
			reply = g_strdup_printf("250 2.0.0 Ok: %s recorded", qid);
		} else {
			struct outgoing o = { .spool = t->spool, .edits = res->edits, .new_body = res->new_body,
					      .hold_bytes = s->max_header_bytes + s->max_header_line };
			GPtrArray *rcpts = recipients_after(t, res->rcpt_del, res->rcpt_add);
			reply = reinject(s, qid, t, rs, res->new_sender ? res->new_sender : t->sender, rcpts, &o);
			g_ptr_array_free(rcpts, TRUE);
		}
		line = intake_outcome_line(res, msg, g_get_monotonic_time() - t->started,
					   g_get_monotonic_time() - eom_started, &priority);
		/* Recorded either way; said to have passed only when it did. */
		log_write(reply[0] == '2' ? priority : LOG_INFO, qid, "%s%s", line,
			  reply[0] == '2' ? "" : " (the MTA will offer it again)");
		g_free(line);
		engine_result_clear(res);
	}
done:
	message_free(msg);
	if (esp != t->spool)
		spool_free(esp);
	g_free(sender);
	g_free(token);
	g_free(error);
	g_ptr_array_free(norm, TRUE);
	g_ptr_array_free(raw, TRUE);
	return reply;
}
