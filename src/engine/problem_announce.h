/*
 * problem_announce.h - telling every customer of a known problem that it
 * is fixed: who is mailed, in which language, threaded into which
 * ticket, and what is recorded on each linked ticket.
 *
 * Agents link tickets to a problem of their queue (#problem NAME,
 * lifecycle.h); `ticketctl problem announce` calls problem_announce().
 * The mail is the template (templates/<locale>/fixed.txt and .html, or
 * another the administrator wrote) rendered in each customer's language
 * with the agent's text as {{announcement}}, composed as every mail to a
 * customer is (mail_writer.h: signed Message-ID, the tag in the subject,
 * Reply-To the signed gateway address, In-Reply-To and References
 * continuing the customer's last message of the ticket), and queued in
 * the outbox, which the running daemon's sender delivers.
 *
 * The rules:
 *   - one mail per customer, not per ticket: threaded into their most
 *     recently updated linked ticket; their other linked tickets are
 *     "covered" by it (an event on each names the ticket mailed);
 *   - never twice: what an announcement (problem, template) did to each
 *     ticket is recorded; a ticket mailed or covered before is left
 *     alone, so a rerun mails only tickets linked since; a skipped one
 *     is judged again (and mailed once nothing stops it any more);
 *   - nobody who must not get it: a closed or merged ticket (the
 *     conversation is over, and a reply would open a new ticket); an
 *     address we could not write to safely, a queue's own address, or a
 *     system mailbox or list address (autoreply_address_rule); one whose
 *     every message on the ticket failed DMARC (a forged sender: we
 *     never answer those, evidence.h); one whose last mail from us
 *     failed for good (it bounces).  Each skip is recorded with why;
 *   - the language: the ticket's locale, else the customer's, else the
 *     queue's default; the template found for it as for every mail
 *     (assets.h).  With per-locale texts, the text in that template's
 *     language (or a shorter form: pt for pt-BR); a customer whose
 *     language has none gets the whole mail in the queue's default
 *     locale, never a text in one language inside a template in another;
 *   - pending: tickets mailed or covered that are new or open become
 *     pending (waiting for the customer to confirm); resolved and
 *     pending ones stay as they are.
 * Templates and texts are checked for every customer before anything is
 * queued: a missing one fails the whole announcement, naming it.  Each
 * customer's tickets are one transaction, so an interrupted run keeps
 * what it did and a rerun finishes it.
 * Room: engine.
 */
#ifndef TM_PROBLEM_ANNOUNCE_H
#define TM_PROBLEM_ANNOUNCE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "config/settings.h"
#include "store/store.h"

struct assets;

struct announce_request {
	const char *queue;		/* the problem's queue id */
	const char *problem;		/* its name */
	const char *template_name;	/* "fixed" */
	const char *text;		/* the agent's text for every customer, or NULL */
	GHashTable *texts;		/* or per locale: canonical tag ("pt-BR") -> text */
	bool pending;			/* set new and open tickets pending */
	bool dry_run;			/* decide and render all, keep nothing */
	const char *actor;		/* for the events: "ticketctl:root" */
	int64_t now;
};

enum announce_outcome {
	ANNOUNCE_MAILED,	/* the customer's mail threads into this ticket */
	ANNOUNCE_COVERED,	/* the customer's mail went to another of their tickets */
	ANNOUNCE_SKIPPED,	/* nothing sent: detail says why */
	ANNOUNCE_BEFORE,	/* mailed or covered by an earlier run */
};

/* One linked ticket: what the announcement did with it. */
struct announce_line {
	char *ticket;		/* "SUP-1042" */
	char *customer;
	char *locale;		/* of the mail (MAILED), or NULL */
	enum announce_outcome outcome;
	char *detail;		/* MAILED: the Message-ID; COVERED: the ticket mailed;
				 * SKIPPED: why; BEFORE: what the earlier run did */
	bool now_pending;	/* set pending by this run */
};

struct announce_report {
	GPtrArray *lines;	/* struct announce_line *, by customer */
	int mailed, covered, skipped, before;
};

void announce_report_clear(struct announce_report *r);

/* Announces req's problem, the mail rendered with assets (as for
 * acknowledge.h).  Returns 0 with *out filled (release with
 * announce_report_clear), 1 when there is no such problem, or -1 with
 * *error (g_free): a store error, or a template or text missing for a
 * customer's language (then nothing at all was queued). */
int problem_announce(const struct settings *s, const struct assets *assets, struct store *st,
		     const struct announce_request *req, struct announce_report *out, char **error);

/* "mailed", "covered", "skipped", "before". */
const char *announce_outcome_name(enum announce_outcome o);

#endif
