/*
 * problem_announce.c - a known problem's announcement to its customers
 * (see problem_announce.h): the language and text of each mail, who must
 * not get it, the thread it continues, and the record on each ticket.
 * Room: engine.
 */
#include "config.h"
#include "engine/problem_announce.h"
#include "engine/acknowledge.h"
#include "engine/lifecycle.h"
#include "compose/assets.h"
#include "language/locale_tag.h"
#include "robots/autoreply.h"
#include "trust/token.h"
#include "util/addr.h"

#include <string.h>

/* The outbox's kind for the mail, as `ticketctl outbox` shows it. */
#define ANNOUNCE_KIND "announce"

struct announce_ctx {
	const struct settings *s;
	const struct assets *assets;	/* prepared for s, or NULL */
	struct store *st;
	const struct queue *q;
	const struct announce_request *req;
	int64_t problem_id;
	struct announce_report *out;
	char **error;
};

const char *announce_outcome_name(enum announce_outcome o)
{
	switch (o) {
	case ANNOUNCE_MAILED: return "mailed";
	case ANNOUNCE_COVERED: return "covered";
	case ANNOUNCE_SKIPPED: return "skipped";
	case ANNOUNCE_BEFORE: return "before";
	}
	return "?";
}

static void line_free(gpointer p)
{
	struct announce_line *l = p;

	g_free(l->ticket);
	g_free(l->customer);
	g_free(l->locale);
	g_free(l->detail);
	g_free(l);
}

void announce_report_clear(struct announce_report *r)
{
	if (r->lines)
		g_ptr_array_free(r->lines, TRUE);
	memset(r, 0, sizeof *r);
}

static int store_failed(struct announce_ctx *c)
{
	if (*c->error == NULL)
		*c->error = g_strdup_printf("store: %s", store_error(c->st));
	return -1;
}

static char *ticket_name(const struct store_ticket *t)
{
	return g_strdup_printf("%s-%ld", t->tag, t->number);
}

/* The text for locale or a shorter form of it (pt for pt-BR), or NULL. */
static const char *text_in(GHashTable *texts, const char *locale)
{
	GPtrArray *chain = g_ptr_array_new_with_free_func(g_free);
	const char *text = NULL;

	locale_tag_add_chain(chain, locale);
	for (guint i = 0; i < chain->len && text == NULL; i++)
		text = g_hash_table_lookup(texts, g_ptr_array_index(chain, i));
	g_ptr_array_free(chain, TRUE);
	return text;
}

/* The language the mail to t's customer is written in (*locale, g_free)
 * and the agent's text for it (*text, borrowed, NULL for none).
 * Returns 0, or -1 with the context's error. */
static int mail_language(struct announce_ctx *c, const struct store_ticket *t, char **locale, const char **text)
{
	const char *name = c->req->template_name;
	char *preferred = NULL, *zone = NULL, *found;
	const char *wanted;

	*locale = NULL;
	*text = c->req->text;
	if (store_customer_prefs(c->st, t->customer_address, &preferred, &zone) != 0)
		return store_failed(c);
	wanted = t->locale ? t->locale : preferred ? preferred : c->q->default_locale;
	found = assets_text_locale(c->assets, c->s, c->q, wanted, name);
	if (found == NULL) {
		*c->error = g_strdup_printf("no template %s for %s's language %s nor for the queue's default locale %s "
					    "(in %s/<locale>/%s.txt)", name, t->customer_address, wanted ? wanted : "(none)",
					    c->q->default_locale ? c->q->default_locale : "(none)", c->s->templates, name);
	} else if (c->req->texts && (*text = text_in(c->req->texts, found)) == NULL) {
		/* One language per mail: all of it in the default locale. */
		g_free(found);
		found = assets_text_locale(c->assets, c->s, c->q, c->q->default_locale, name);
		if (found == NULL || (*text = text_in(c->req->texts, found)) == NULL) {
			const char *fallback = found ? found : c->q->default_locale ? c->q->default_locale : "en";
			*c->error = g_strdup_printf("no text for %s's language %s nor for the queue's default locale %s: "
						    "add %s.txt to the texts", t->customer_address, wanted ? wanted : "(none)",
						    fallback, fallback);
			g_free(found);
			found = NULL;
		}
	}
	g_free(preferred);
	g_free(zone);
	*locale = found;
	return found ? 0 : -1;
}

/* Why nobody at address may be mailed (static), NULL when they may be;
 * -1 on a store error. */
static int customer_refused(struct announce_ctx *c, const char *address, const char **why)
{
	const char *rule;
	int rc;

	*why = NULL;
	if (!addr_is_safe(address))
		*why = "the customer's address cannot be written to safely";
	else if ((rule = autoreply_address_rule(address, c->s)) != NULL)
		*why = rule;
	else if ((rc = store_outbox_bounces(c->st, address)) != 0)
		return rc < 0 ? -1 : ((*why = "our last mail to this address failed for good (ticketctl outbox --failed)"), 0);
	return 0;
}

/* Why t may not carry or be covered by the mail (static), or NULL. */
static int ticket_refused(struct announce_ctx *c, const struct store_ticket *t, const char **why)
{
	int rc;

	*why = NULL;
	if (t->merged_into)
		*why = "merged into another ticket";
	else if (strcmp(t->status, "closed") == 0)
		*why = "the ticket is closed";
	else if ((rc = store_ticket_sender_unforged(c->st, t->id, t->customer_address)) != 1)
		return rc < 0 ? -1 : ((*why = "every message of this address on the ticket failed DMARC: "
					      "a forged sender is never written to"), 0);
	return 0;
}

/* The thread the mail continues: In-Reply-To the customer's last message
 * of the ticket (anyone's inbound one when they have none), References
 * the ticket's messages before it (mail_writer.h keeps the first and the
 * newest).  Notes and messages without a Message-ID are left out. */
static int thread_of(struct store *st, const struct store_ticket *t, char **in_reply_to, GPtrArray *references)
{
	GPtrArray *msgs = store_ticket_messages(st, t->id);
	int parent = -1, last_inbound = -1;

	*in_reply_to = NULL;
	if (msgs == NULL)
		return -1;
	for (guint i = 0; i < msgs->len; i++) {
		const struct store_message *m = g_ptr_array_index(msgs, i);
		if (strcmp(m->direction, "in") != 0 || g_str_has_prefix(m->message_id, "sha256:"))
			continue;
		last_inbound = (int)i;
		if (addr_equal(m->sender, t->customer_address))
			parent = (int)i;
	}
	if (parent < 0)
		parent = last_inbound;
	for (guint i = 0; i < msgs->len; i++) {
		const struct store_message *m = g_ptr_array_index(msgs, i);
		if (parent >= 0 && (int)i >= parent)
			break;
		if (strcmp(m->direction, "note") != 0 && !g_str_has_prefix(m->message_id, "sha256:"))
			g_ptr_array_add(references, g_strdup(m->message_id));
	}
	if (parent >= 0)
		*in_reply_to = g_strdup(((const struct store_message *)g_ptr_array_index(msgs, parent))->message_id);
	g_ptr_array_free(msgs, TRUE);
	return 0;
}

/* Renders and queues the customer's mail, threaded into t.  *message_id
 * and *locale (g_free) say what went. */
static int mail_customer(struct announce_ctx *c, const struct store_ticket *t, char **message_id, char **locale)
{
	GPtrArray *references = g_ptr_array_new_with_free_func(g_free);
	char *in_reply_to = NULL;
	const char *text;
	int rc;

	*message_id = NULL;
	if (mail_language(c, t, locale, &text) != 0) {
		g_ptr_array_free(references, TRUE);
		return -1;
	}
	if (thread_of(c->st, t, &in_reply_to, references) != 0) {
		g_ptr_array_free(references, TRUE);
		return store_failed(c);
	}
	{
		char *extra[] = { "announcement", (char *)(text ? text : ""), NULL };
		struct notice n = {
			.template_name = c->req->template_name, .kind = ANNOUNCE_KIND, .to = t->customer_address,
			.to_name = t->customer_name, .locale = *locale, .in_reply_to = in_reply_to,
			.references = references, .subject = t->subject, .generated = true, .extra = extra,
			.queued_id = message_id,
		};
		rc = acknowledge_queue_notice(c->s, c->assets, c->st, c->q, t, &n, c->req->now, c->error);
	}
	g_free(in_reply_to);
	g_ptr_array_free(references, TRUE);
	return rc;
}

/* Records what the announcement did to t, with an event. */
static int record(struct announce_ctx *c, const struct store_ticket *t, const char *outcome, const char *detail,
		  const char *event_detail)
{
	struct store_announcement a = {
		.ticket_id = t->id, .template_name = (char *)c->req->template_name, .at = c->req->now,
		.outcome = (char *)outcome, .detail = (char *)detail,
	};
	char *what = g_strdup_printf("%s (%s): %s", c->req->problem, c->req->template_name, event_detail);
	int rc = store_announcement_add(c->st, c->problem_id, &a) == 0 &&
		 store_event_add(c->st, t->id, c->req->now, c->req->actor, "announcement", what) == 0 ? 0 : -1;

	g_free(what);
	return rc == 0 ? 0 : store_failed(c);
}

static struct announce_line *add_line(struct announce_ctx *c, const struct store_ticket *t,
				      enum announce_outcome outcome, char *detail)
{
	struct announce_line *l = g_new0(struct announce_line, 1);

	l->ticket = ticket_name(t);
	l->customer = g_strdup(t->customer_address);
	l->outcome = outcome;
	l->detail = detail;
	g_ptr_array_add(c->out->lines, l);
	return l;
}

/* The tag of the ticket whose mail reached the customer (g_free). */
static char *carrier_name(struct announce_ctx *c, int64_t id)
{
	struct store_ticket t = { 0 };
	char *name = store_ticket_by_id(c->st, id, &t) == 1 ? ticket_name(&t) : g_strdup_printf("ticket %lld",
												(long long)id);

	store_ticket_clear(&t);
	return name;
}

/* One linked ticket of the customer whose mail (if any) threads into
 * the ticket *carrier (0 until one is mailed). */
static int announce_ticket(struct announce_ctx *c, struct store_ticket *t, const char *customer_why,
			   int64_t *carrier)
{
	struct store_announcement before = { 0 };
	struct announce_line *line;
	const char *why = customer_why;
	int rc = store_announcement_get(c->st, c->problem_id, c->req->template_name, t->id, &before);

	if (rc < 0)
		return store_failed(c);
	if (rc == 1 && strcmp(before.outcome, "skipped") != 0) {
		add_line(c, t, ANNOUNCE_BEFORE, g_strdup_printf("%s %s", before.outcome, before.detail ? before.detail : ""));
		c->out->before++;
		store_announcement_clear(&before);
		return 0;
	}
	if (why == NULL && ticket_refused(c, t, &why) != 0) {
		store_announcement_clear(&before);
		return store_failed(c);
	}
	if (why) {
		add_line(c, t, ANNOUNCE_SKIPPED, g_strdup(why));
		c->out->skipped++;
		/* Judged the same way again: nothing new to record. */
		rc = rc == 1 && g_strcmp0(before.detail, why) == 0 ? 0 : record(c, t, "skipped", why, why);
		store_announcement_clear(&before);
		return rc;
	}
	store_announcement_clear(&before);
	if (*carrier == 0) {
		char *message_id = NULL, *locale = NULL;
		if (mail_customer(c, t, &message_id, &locale) != 0 ||
		    record(c, t, "mailed", message_id, "mailed to the customer") != 0) {
			g_free(message_id);
			g_free(locale);
			return -1;
		}
		line = add_line(c, t, ANNOUNCE_MAILED, message_id);
		line->locale = locale;
		c->out->mailed++;
		*carrier = t->id;
	} else {
		char *name = carrier_name(c, *carrier), *what = g_strdup_printf("covered by the mail on %s", name);
		rc = record(c, t, "covered", name, what);
		g_free(what);
		if (rc != 0) {
			g_free(name);
			return -1;
		}
		line = add_line(c, t, ANNOUNCE_COVERED, name);
		c->out->covered++;
	}
	if (c->req->pending && (strcmp(t->status, "new") == 0 || strcmp(t->status, "open") == 0)) {
		if (lifecycle_set_status(c->s, c->st, t, "pending", c->req->actor, c->req->now, NULL) != 0)
			return store_failed(c);
		line->now_pending = true;
	}
	return 0;
}

/* The linked tickets tickets[from..to) of one customer, in one
 * transaction (rolled back in a dry run).  Each ticket is read again
 * inside it: the daemon may have changed it since the list was read, and
 * setting it pending writes the whole ticket. */
static int announce_customer(struct announce_ctx *c, GPtrArray *tickets, guint from, guint to)
{
	const struct store_ticket *first = g_ptr_array_index(tickets, from);
	const char *why = NULL;
	int64_t carrier = 0;

	if (store_begin(c->st) != 0)
		return store_failed(c);
	if (customer_refused(c, first->customer_address, &why) != 0 ||
	    store_announcement_mailed_to(c->st, c->problem_id, c->req->template_name, first->customer_id,
					 &carrier) < 0) {
		store_rollback(c->st);
		return store_failed(c);
	}
	for (guint i = from; i < to; i++) {
		const struct store_ticket *listed = g_ptr_array_index(tickets, i);
		struct store_ticket t = { 0 };
		int rc = store_ticket_by_id(c->st, listed->id, &t);

		rc = rc == 1 ? announce_ticket(c, &t, why, &carrier) : store_failed(c);
		store_ticket_clear(&t);
		if (rc != 0) {
			store_rollback(c->st);
			return -1;
		}
	}
	if (c->req->dry_run) {
		store_rollback(c->st);
		return 0;
	}
	if (store_commit(c->st) != 0) {
		store_rollback(c->st);
		return store_failed(c);
	}
	return 0;
}

/* Every language the run will write in has its template and text,
 * before anything is queued. */
static int check_languages(struct announce_ctx *c, GPtrArray *tickets)
{
	for (guint i = 0; i < tickets->len; i++) {
		const struct store_ticket *t = g_ptr_array_index(tickets, i);
		const char *text;
		char *locale;

		if (t->merged_into || strcmp(t->status, "closed") == 0)
			continue;
		if (mail_language(c, t, &locale, &text) != 0)
			return -1;
		g_free(locale);
	}
	return 0;
}

int problem_announce(const struct settings *s, const struct assets *assets, struct store *st,
		     const struct announce_request *req, struct announce_report *out, char **error)
{
	struct announce_ctx c = { .s = s, .assets = assets, .st = st, .req = req, .out = out, .error = error };
	struct store_problem problem = { 0 };
	GPtrArray *tickets;
	guint from = 0;
	int rc;

	memset(out, 0, sizeof *out);
	out->lines = g_ptr_array_new_with_free_func(line_free);
	*error = NULL;
	for (size_t i = 0; i < s->n_queues && c.q == NULL; i++)
		if (strcmp(s->queues[i].id, req->queue) == 0)
			c.q = &s->queues[i];
	if (c.q == NULL) {
		*error = g_strdup_printf("queue %s is not configured", req->queue);
		return -1;
	}
	if ((rc = store_problem_get(st, req->queue, req->problem, &problem)) != 1)
		return rc == 0 ? 1 : store_failed(&c);
	c.problem_id = problem.id;
	store_problem_clear(&problem);
	if ((tickets = store_problem_tickets(st, c.problem_id)) == NULL)
		return store_failed(&c);
	rc = check_languages(&c, tickets);
	for (guint i = 1; rc == 0 && i <= tickets->len; i++) {
		const struct store_ticket *a = g_ptr_array_index(tickets, from);
		if (i < tickets->len && ((const struct store_ticket *)g_ptr_array_index(tickets, i))->customer_id ==
					     a->customer_id)
			continue;
		rc = announce_customer(&c, tickets, from, i);
		from = i;
	}
	g_ptr_array_free(tickets, TRUE);
	if (rc == 0 && !req->dry_run && out->mailed + out->covered > 0 &&
	    (store_begin(st) != 0 || store_problem_set_announced(st, c.problem_id, req->now) != 0 ||
	     store_commit(st) != 0)) {
		store_rollback(st);
		rc = store_failed(&c);
	}
	return rc;
}
