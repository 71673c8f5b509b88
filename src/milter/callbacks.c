/*
 * callbacks.c - libmilter callbacks (see callbacks.h).
 *
 * State lives per connection (struct conn, freed at close) and per
 * message (reset at MAIL FROM and at abort); one connection may carry
 * several messages.
 *
 * A queue message is spooled as it arrives (spool.h): in memory up to
 * [milter] spool-memory, then in an unlinked file in spool-directory, and
 * no more than max-message-size of it.  At end of message it is parsed
 * within the [milter] max-* limits (what was over a limit gets
 * on-limit), recorded by the engine, and the engine's answer applied to
 * the MTA and logged (cb_eom_apply.c, cb_eom_report.c); what cannot be
 * recorded, or applied, gets on-error.  What to answer and what to log
 * come from intake.h, as for every front end.
 *
 * Room: milter.
 */
#include "config.h"
#include "milter/callbacks.h"
#include "milter/cb_eom_apply.h"
#include "util/addr.h"
#include "engine/engine.h"
#include "engine/batch.h"
#include "engine/intake.h"
#include "util/log.h"
#include "mime/message.h"
#include "daemon/scheduler.h"
#include "daemon/snapshot.h"
#include "util/clock.h"
#include "util/spool.h"

#include <string.h>

struct conn {
	struct snapshot *snap;		/* settings and assets, pinned for the whole connection */
	bool no_reply_headers;		/* negotiated SMFIP_NR_HDR */
	/* message state */
	char *queue_id;
	char *sender;
	char *auth_login;		/* {auth_authen} at MAIL FROM */
	char *client_addr;		/* {client_addr} at MAIL FROM */
	GPtrArray *recipients;		/* normalized */
	GPtrArray *raw_recipients;	/* as the MTA gave them: smfi_delrcpt wants these */
	struct spool *spool;		/* headers and body as received */
	char *spool_error;		/* why spooling failed, answered at the next reply */
	bool size_decided;		/* over max-message-size, and on-limit applied already */
	gint64 started;			/* monotonic µs at MAIL FROM */
};

static gint active_connections;
static struct sender *outbox_sender;
static struct engine_batch *engine_runs;
static const struct clock *daemon_clock;	/* clock.h: real time but in tests */
static struct scheduler *scheduled_mail;

void callbacks_set_handles(struct sender *sd, struct engine_batch *batch)
{
	outbox_sender = sd;
	engine_runs = batch;
}

void callbacks_set_scheduler(struct scheduler *sch)
{
	scheduled_mail = sch;
}

void callbacks_set_clock(const struct clock *clock)
{
	daemon_clock = clock;
}

int callbacks_active_connections(void)
{
	return g_atomic_int_get(&active_connections);
}

static struct conn *conn_of(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

static void message_reset(struct conn *c)
{
	g_clear_pointer(&c->queue_id, g_free);
	g_clear_pointer(&c->sender, g_free);
	g_clear_pointer(&c->auth_login, g_free);
	g_clear_pointer(&c->client_addr, g_free);
	if (c->recipients)
		g_ptr_array_free(c->recipients, TRUE);
	if (c->raw_recipients)
		g_ptr_array_free(c->raw_recipients, TRUE);
	c->recipients = c->raw_recipients = NULL;
	spool_free(c->spool);
	c->spool = NULL;
	g_clear_pointer(&c->spool_error, g_free);
	c->size_decided = false;
}

/* Postfix knows the queue id only after the first RCPT: ask again. */
static const char *queue_id(SMFICTX *ctx, struct conn *c)
{
	const char *i = smfi_getsymval(ctx, "i");

	if (i && *i && g_strcmp0(i, c->queue_id) != 0) {
		g_free(c->queue_id);
		c->queue_id = g_strdup(i);
	}
	return c->queue_id ? c->queue_id : "NOQUEUE";
}

/* The queue this message is for (engine_choose_queue), or NULL. */
static const struct queue *queue_of(struct conn *c, char **token)
{
	const struct queue *q;
	struct envelope env = { .sender = c->sender, .auth_login = c->auth_login, .client_addr = c->client_addr };

	g_ptr_array_add(c->recipients, NULL);
	env.recipients = (char **)c->recipients->pdata;
	q = engine_choose_queue(c->snap->settings, &env, token);
	g_ptr_array_remove_index(c->recipients, c->recipients->len - 1);
	return q;
}

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			     unsigned long f2, unsigned long f3, unsigned long *pf0,
			     unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	/* Headers for every ticket; recipients, sender and body for agent replies. */
	const unsigned long actions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT |
				      SMFIF_CHGFROM | SMFIF_CHGBODY;
	const unsigned long want_steps = SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NR_HDR;

	(void)f2;
	(void)f3;
	if ((f0 & actions) != actions) {
		log_err("the MTA does not offer changing headers, recipients, sender and body; ticket-milter cannot work");
		return SMFIS_REJECT;
	}
	*pf0 = actions;
	*pf1 = f1 & want_steps;
	*pf2 = 0;
	*pf3 = 0;
	smfi_setsymlist(ctx, SMFIM_ENVFROM, "i {auth_authen} {client_addr}");
	smfi_setsymlist(ctx, SMFIM_ENVRCPT, "i");
	smfi_setsymlist(ctx, SMFIM_EOM, "i");
	/* Remember for this connection whether header callbacks must not reply. */
	{
		struct conn *c = g_new0(struct conn, 1);
		c->no_reply_headers = (*pf1 & SMFIP_NR_HDR) != 0;
		c->snap = snapshot_acquire();
		smfi_setpriv(ctx, c);
		g_atomic_int_inc(&active_connections);
	}
	return SMFIS_CONTINUE;
}

static sfsistat cb_connect(SMFICTX *ctx, char *host, struct sockaddr *addr)
{
	(void)host;
	(void)addr;
	/* negotiate normally created the state; an MTA skipping it gets it here. */
	if (conn_of(ctx) == NULL) {
		struct conn *c = g_new0(struct conn, 1);
		c->snap = snapshot_acquire();
		smfi_setpriv(ctx, c);
		g_atomic_int_inc(&active_connections);
	}
	return SMFIS_CONTINUE;
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);

	if (c == NULL)
		return SMFIS_ACCEPT;
	message_reset(c);
	c->started = g_get_monotonic_time();
	c->sender = addr_normalize(argv[0]);
	c->recipients = g_ptr_array_new_with_free_func(g_free);
	c->raw_recipients = g_ptr_array_new_with_free_func(g_free);
	c->auth_login = g_strdup(smfi_getsymval(ctx, "{auth_authen}"));
	c->client_addr = g_strdup(smfi_getsymval(ctx, "{client_addr}"));
	queue_id(ctx, c);
	return SMFIS_CONTINUE;
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);
	char *rcpt = addr_normalize(argv[0]);

	if (rcpt) {
		g_ptr_array_add(c->recipients, rcpt);
		g_ptr_array_add(c->raw_recipients, g_strdup(argv[0]));
	}
	return SMFIS_CONTINUE;
}

/* The message's spool, created on first use (an MTA without the DATA
 * step sends headers without cb_data first). */
static struct spool *spool_of(struct conn *c)
{
	const struct settings *s = c->snap->settings;

	if (c->spool == NULL)
		c->spool = spool_new(s->spool_directory, s->spool_memory, s->max_message_size);
	return c->spool;
}

static sfsistat cb_data(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);
	char *token = NULL;
	const struct queue *q;

	q = queue_of(c, &token);
	g_free(token);
	if (q == NULL)
		return SMFIS_ACCEPT;	/* not for a queue: we are done with it */
	spool_of(c);
	return SMFIS_CONTINUE;
}

/* Appends to the message's spool; a failure (disk full, directory not
 * writable) is kept and answered at the next callback that replies. */
static void spool_add(struct conn *c, const void *data, size_t len)
{
	if (c->spool_error == NULL)
		spool_append(spool_of(c), data, len, &c->spool_error);
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = conn_of(ctx);
	char *line = g_strconcat(name, ": ", value, "\n", NULL);

	spool_add(c, line, strlen(line));
	g_free(line);
	return c->no_reply_headers ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat spool_failed(SMFICTX *ctx, struct conn *c);
static sfsistat over_size(SMFICTX *ctx, struct conn *c);

static sfsistat cb_eoh(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	spool_add(c, "\n", 1);
	return c->spool_error ? spool_failed(ctx, c) : SMFIS_CONTINUE;
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct conn *c = conn_of(ctx);

	spool_add(c, chunk, len);
	if (c->spool_error)
		return spool_failed(ctx, c);
	if (spool_truncated(c->spool) && !c->size_decided)
		return over_size(ctx, c);
	return SMFIS_CONTINUE;
}

/* What intake.h decided, said to the MTA, and logged. */
static sfsistat answer(SMFICTX *ctx, const char *qid, struct intake_reply *r)
{
	sfsistat rc = SMFIS_CONTINUE;

	if (r->log)
		log_write(r->priority, qid, "%s", r->log);
	switch (r->action) {
	case INTAKE_GO_ON:
		break;
	case INTAKE_ACCEPT:
		rc = SMFIS_ACCEPT;
		break;
	case INTAKE_REJECT:
		smfi_setreply(ctx, (char *)r->code, (char *)r->xcode, (char *)r->text);
		rc = SMFIS_REJECT;
		break;
	case INTAKE_TEMPFAIL:
		smfi_setreply(ctx, (char *)r->code, (char *)r->xcode, (char *)r->text);
		rc = SMFIS_TEMPFAIL;
		break;
	}
	intake_reply_clear(r);
	return rc;
}

static sfsistat on_error(SMFICTX *ctx, struct conn *c, const char *qid, const char *cause)
{
	struct intake_reply r;

	intake_on_error(c->snap->settings, cause, &r);
	return answer(ctx, qid, &r);
}

static sfsistat spool_failed(SMFICTX *ctx, struct conn *c)
{
	char *cause = g_strdup_printf("spooling the message: %s", c->spool_error);
	sfsistat rc = on_error(ctx, c, queue_id(ctx, c), cause);

	g_free(cause);
	/* Nothing more is read of this message: give the disk back now. */
	spool_free(c->spool);
	c->spool = NULL;
	return rc;
}

/* on-limit for a message over a limit; SMFIS_CONTINUE for record. */
static sfsistat limit_action(SMFICTX *ctx, struct conn *c, const char *qid, const char *what, bool size)
{
	struct intake_reply r;

	intake_on_limit(c->snap->settings, what, size, &r);
	return answer(ctx, qid, &r);
}

/* The spool stopped keeping the message: decided at once unless it is
 * to be recorded from its start (the rest is still hashed, not kept). */
static sfsistat over_size(SMFICTX *ctx, struct conn *c)
{
	sfsistat rc;
	char *what;

	if (c->snap->settings->on_limit == ON_LIMIT_RECORD)
		return SMFIS_CONTINUE;	/* logged once, at end of message, with the whole size */
	c->size_decided = true;
	what = g_strdup_printf("more than %zu bytes (max-message-size)", c->snap->settings->max_message_size);
	rc = limit_action(ctx, c, queue_id(ctx, c), what, true);
	g_free(what);
	spool_free(c->spool);
	c->spool = NULL;
	return rc;
}

/* The message read from its spool within the [milter] max-* limits, or
 * NULL with *rc the answer: the spool failed, or on-limit decided. */
static struct message *parse(SMFICTX *ctx, struct conn *c, const char *qid, sfsistat *rc)
{
	struct intake_reply read;
	struct message *msg;

	if (c->spool_error) {
		*rc = spool_failed(ctx, c);
		return NULL;
	}
	msg = intake_read(c->snap->settings, spool_of(c), &read);
	if ((*rc = answer(ctx, qid, &read)) != SMFIS_CONTINUE)
		g_clear_pointer(&msg, message_free);
	return msg;
}

/* Records msg for q, with *env filled from the message state.  The store
 * only for the engine's part (parsing runs beside other messages),
 * shared with the messages that end at the same time (batch.h).  When it
 * returns 0, the record is on disk; otherwise *error says why (g_free). */
static int record(struct conn *c, const char *qid, const struct queue *q, const char *token,
		  const struct message *msg, struct envelope *env, struct engine_result *result, char **error)
{
	struct engine_job job = { .settings = c->snap->settings, .assets = c->snap->assets, .queue = q,
				  .token = token, .msg = msg, .env = env };

	*env = (struct envelope){
		.sender = c->sender,
		.recipients = (char **)c->recipients->pdata,
		.raw_recipients = (char **)c->raw_recipients->pdata,
		.queue_id = qid,
		.now = clock_now(daemon_clock),
		.auth_login = c->auth_login,
		.client_addr = c->client_addr,
		.spool = c->spool,
	};
	engine_batch_run(engine_runs, &job);
	*result = job.result;
	*error = job.error;
	return job.rc;
}

/* Parse, record, apply (cb_eom_apply.h). */
static sfsistat cb_eom(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);
	const char *qid = queue_id(ctx, c);
	struct envelope env;
	struct eom e = { .env = &env, .started = c->started, .eom_started = g_get_monotonic_time() };
	struct engine_result result;
	struct message *msg;
	const struct queue *q;
	const char *refused;
	char *token = NULL, *error = NULL;
	sfsistat rc;

	q = queue_of(c, &token);
	if (q == NULL) {
		g_free(token);
		return SMFIS_ACCEPT;
	}
	g_ptr_array_add(c->recipients, NULL);
	g_ptr_array_add(c->raw_recipients, NULL);
	if ((msg = parse(ctx, c, qid, &rc)) != NULL) {
		e.msg = msg;
		if (record(c, qid, q, token, msg, &env, &result, &error) != 0) {
			rc = on_error(ctx, c, qid, error);
		} else {
			scheduler_wake_at(scheduled_mail, result.scheduled);
			rc = eom_apply(ctx, outbox_sender, &e, &result, &refused);
			if (refused)
				rc = on_error(ctx, c, qid, refused);
		}
		g_free(error);
		message_free(msg);
	}
	g_free(token);
	g_ptr_array_remove_index(c->recipients, c->recipients->len - 1);
	g_ptr_array_remove_index(c->raw_recipients, c->raw_recipients->len - 1);
	return rc;
}

static sfsistat cb_abort(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	if (c)
		message_reset(c);
	return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	if (c == NULL)
		return SMFIS_CONTINUE;
	message_reset(c);
	snapshot_unref(c->snap);
	g_free(c);
	smfi_setpriv(ctx, NULL);
	g_atomic_int_dec_and_test(&active_connections);
	return SMFIS_CONTINUE;
}

struct smfiDesc milter_description = {
	.xxfi_name = "ticket-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT | SMFIF_CHGFROM | SMFIF_CHGBODY,
	.xxfi_connect = cb_connect,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_data = cb_data,
	.xxfi_negotiate = cb_negotiate,
};
