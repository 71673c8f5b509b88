/*
 * store.h - the ticket store: customers, tickets, messages, participants
 * and the event log, in SQLite.
 *
 * One struct store is one database connection with its prepared
 * statements; use it from one thread at a time.  The schema is versioned
 * with PRAGMA user_version and migrated forward by store_open().  The
 * interface is kept narrow (no SQL outside src/store) so that a second
 * backend is a new file, not a rewrite.
 *
 * Functions return 0 on success and -1 on a database error; the message
 * is then available from store_error() until the next call.  Lookups
 * return 1 when found, 0 when not found, -1 on error.  Strings in
 * returned structs are newly allocated and freed by the matching
 * *_clear() or *_free() function.
 * Room: store.
 */
#ifndef TM_STORE_H
#define TM_STORE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct store;

#define STORE_SCHEMA_VERSION 9

struct store_ticket {
	int64_t id;
	char *queue;
	long number;
	char *tag;
	char *subject;
	char *status;		/* new, open, pending, resolved, closed */
	char *priority;		/* low, normal, high, urgent */
	int64_t customer_id;
	char *customer_address;
	char *customer_name;
	int64_t created;
	int64_t updated;
	char *locale;		/* of the customer's messages, NULL until chosen */
	int64_t first_response_due;	/* 0 when none */
	int64_t resolution_due;
	char *assignee;		/* agent address, or NULL */
	int64_t first_response_at;	/* first agent reply, 0 before */
	int first_response_kept;	/* -1 unknown, 0 late, 1 kept */
	int64_t paused_at;	/* pending since (the SLA clock stops), 0 */
	int64_t resolved_at;
	int64_t merged_into;	/* ticket id, 0 */
	int64_t parent_id;	/* the closed ticket this one follows, 0 */
};

struct store_participant {
	char *address;
	char *name;
	char *role;		/* customer, cc, agent */
};

struct store_message {
	int64_t id;
	int64_t ticket_id;
	const char *direction;	/* "in", "out", "note" */
	char *message_id;
	char *sender;
	char *recipients;	/* comma separated */
	char *subject;
	int64_t date;
	int64_t received;
	char *excerpt;
	int64_t size;
	char *sha256;
	char *queue_id;
	char *evidence;		/* evidence.h level name of an inbound message, or NULL */
	char *held_addresses;	/* To/Cc it named that were not made participants, or NULL */
	char *thread_root;	/* of its Thread-Index (thread_index.h), or NULL */
};

/* Opens (creating if needed) and migrates.  Returns NULL with *error
 * set (g_free) on failure. */
struct store *store_open(const char *path, int busy_timeout_ms, char **error);
void store_close(struct store *st);	/* rolls back an open transaction */
const char *store_error(const struct store *st);
/* The schema version found on disk before migration. */
int store_version_found(const struct store *st);
/* Whether this connection can write (a write rolled back at once): 0, or
 * -1 with store_error() saying why and what to do.  For start-up. */
int store_probe_write(struct store *st);

int store_begin(struct store *st);	/* BEGIN IMMEDIATE: writers queue here */
int store_commit(struct store *st);
void store_rollback(struct store *st);
/* One transaction for several jobs (batch.h): between these,
 * store_begin/commit/rollback are a savepoint each, so a job that fails
 * undoes only its own writes, and nothing is committed before
 * store_batch_commit.  That fails (-1) if an error made SQLite end the
 * transaction early: then nothing of the batch was kept. */
int store_batch_begin(struct store *st);
int store_batch_commit(struct store *st);
void store_batch_rollback(struct store *st);

/* Lookups used by threading. */
int store_ticket_by_id(struct store *st, int64_t id, struct store_ticket *out);
int store_ticket_by_number(struct store *st, const char *tag, long number, struct store_ticket *out);
/* Ticket holding a message with this Message-ID (any sender). */
int store_ticket_by_message_id(struct store *st, const char *message_id, int64_t *ticket_id);
/* Ticket holding exactly this (Message-ID, sender): a redelivery. */
int store_find_duplicate(struct store *st, const char *message_id, const char *sender, int64_t *ticket_id);
int store_is_participant(struct store *st, int64_t ticket_id, const char *address);

/* Writes (inside store_begin/commit). */
int store_customer_upsert(struct store *st, const char *address, const char *name, int64_t now, int64_t *id);
int store_ticket_create(struct store *st, const char *queue, const char *tag, const char *subject,
			int64_t customer_id, int64_t now, struct store_ticket *out);
int store_ticket_touch(struct store *st, int64_t ticket_id, int64_t now);
int store_message_add(struct store *st, struct store_message *msg);
/* Adds unless present; role is "customer", "cc" or "agent". */
int store_participant_add(struct store *st, int64_t ticket_id, const char *address,
			  const char *name, const char *role, int64_t now);
int store_event_add(struct store *st, int64_t ticket_id, int64_t at, const char *actor,
		    const char *kind, const char *detail);

int store_ticket_set_status(struct store *st, int64_t ticket_id, const char *status, int64_t now);
/* Writes every mutable field of t (status, priority, assignee, due times,
 * lifecycle times, merge and parent links) and sets updated = now. */
int store_ticket_save(struct store *st, const struct store_ticket *t, int64_t now);
/* Participants of a ticket (struct store_participant *), or NULL on error. */
GPtrArray *store_ticket_participants(struct store *st, int64_t ticket_id);
/* How many people mail of the ticket goes to: its participants but
 * agents (the customer and the Cc'd).  0 or -1. */
int store_participant_count(struct store *st, int64_t ticket_id, int *count);
/* Removes a participant (any case of the address): 1 removed, 0 not a
 * participant, -1 error. */
int store_participant_remove(struct store *st, int64_t ticket_id, const char *address);
/* Set by an agent (#tz): timezone_source 'agent', never replaced by an
 * inference. */
int store_customer_set_timezone(struct store *st, const char *address, const char *zone);
/* Where the stored zone came from: "agent", "inferred", or NULL (none, or
 * stored before schema 5, which only an agent could do).  g_free. */
int store_customer_timezone_source(struct store *st, const char *address, char **source);
/* Stores a zone inferred from the customer's mail (source 'inferred'),
 * unless an agent set one. */
int store_customer_infer_timezone(struct store *st, const char *address, const char *zone);
int store_customer_set_tier(struct store *st, const char *address, const char *tier);
/* Records the customer's rating on scale ("csat", "nps", "ces":
 * config/survey.h; latest wins, scale included) and an optional comment
 * (an earlier one is kept when this has none). */
int store_rating_record(struct store *st, int64_t ticket_id, const char *scale, int rating, const char *comment,
			int64_t at);
/* The rating of a ticket: *rating and, unless NULL, *scale and *comment
 * (NULL when none; g_free).  No rating: *rating 0 and *scale NULL. */
int store_rating_get(struct store *st, int64_t ticket_id, char **scale, int *rating, char **comment);
/* Ids of tickets resolved before `before` and not yet closed. */
GArray *store_tickets_resolved_before(struct store *st, int64_t before);
int store_ticket_set_promise(struct store *st, int64_t ticket_id, const char *locale, const char *priority,
			     int64_t first_response_due, int64_t resolution_due);
/* The customer's stored preferences (NULL when unset; g_free). */
int store_customer_prefs(struct store *st, const char *address, char **locale, char **zone);
int store_customer_set_locale(struct store *st, const char *address, const char *locale);
/* Whether the customer of a ticket had opened one before it (customer_history.c). */
int store_customer_returning(struct store *st, int64_t ticket_id, bool *returning);

/* What the agents' copy of a customer's message says of the customer
 * (customer_context.c): read from the rows of the ticket's customer
 * (by tickets.customer_id, never by an address a message gave), so
 * that it holds nothing of anyone else; their tickets, messages and
 * ratings of the ticket's queue only. */
#define STORE_CONTEXT_COUNT_MAX 1000	/* other tickets counted at most */
struct store_context_ticket {
	char *tag;
	long number;
	char *status;
	bool merged;		/* merged into another ticket */
	char *subject;
	int64_t created;
};
struct store_customer_context {
	int others;		/* the customer's other tickets in the queue, up to STORE_CONTEXT_COUNT_MAX */
	GPtrArray *recent;	/* struct store_context_ticket *: the newest of them */
	int64_t last_wrote;	/* the customer's newest message before this one, 0 none */
	char *locale;		/* preferred language, NULL unset */
	char *zone;		/* preferred time zone, NULL unset */
	char *tier;		/* as an agent set it (#tier), NULL unset */
	char *rating_scale;	/* of the customer's latest rating: "csat", "nps", "ces"
				 * (config/survey.h), or NULL for none */
	int rating;
	char *rating_tag;	/* the ticket it rated */
	long rating_number;
};
/* Fills *out for the customer of ticket_id: the other tickets (at most
 * limit of them in recent, newest first) and the rest; this_message is
 * the Message-ID the current message is stored under, which is not
 * "before this one".  1 found, 0 no such ticket, -1 error; clear *out
 * whatever the result. */
int store_customer_context(struct store *st, int64_t ticket_id, const char *this_message, int limit,
			   struct store_customer_context *out);
void store_customer_context_clear(struct store_customer_context *c);

/* The outbox: mail we generate, written in the same transaction as the
 * ticket and delivered after the commit by the sender thread. */
struct outbox_entry {
	int64_t id;
	int64_t ticket_id;	/* 0 when none */
	char *kind;		/* "ack", "reopened" */
	char *envelope_from;	/* "" for the null sender */
	char *recipient;
	char *message_id;
	GBytes *message;	/* the complete RFC 5322 message */
	int64_t created;
	char *state;		/* queued, sending, sent, failed */
	int attempts;
	int64_t next_attempt;
	char *last_error;
	int64_t done;		/* when sent or failed */
};

int store_outbox_add(struct store *st, struct outbox_entry *e);
/* The kind of the mail the outbox holds under message_id ("reminder"):
 * 1 with *kind (g_free), 0 none, -1 error. */
int store_outbox_kind_of(struct store *st, const char *message_id, char **kind);
/* Automatic replies to recipient created since `since` (rate limits;
 * reminders to agents do not count). */
int store_outbox_count_to(struct store *st, const char *recipient, int64_t since, int *count);
/* When the ticket last got an automatic reply, 0 for never. */
int store_outbox_last_for_ticket(struct store *st, int64_t ticket_id, int64_t *when);
/* What became of a taken entry's delivery. */
enum outbox_outcome_kind { OUTBOX_SENT, OUTBOX_DEFERRED, OUTBOX_FAILED };
struct outbox_outcome {
	int64_t id;		/* of the entry; 0: none */
	enum outbox_outcome_kind kind;
	int64_t when;		/* done, or the next attempt when deferred */
	char *error;		/* the relay's answer, or NULL; the filler's to free */
};
/* Takes the entry due first (then the oldest) whose ticket has no older
 * entry still waiting (order per ticket), marks it 'sending' and fills *e;
 * *more (unless NULL) says whether another could be taken now.  done
 * (unless NULL) is recorded first, in the same transaction: a worker's
 * one write per delivery.  Returns 1, 0 when nothing is due (without
 * done, found without a write transaction), -1 on error (done is then
 * not recorded either). */
int store_outbox_take(struct store *st, int64_t now, const struct outbox_outcome *done, struct outbox_entry *e,
		      bool *more);
/* The same record on its own. */
int store_outbox_record(struct store *st, const struct outbox_outcome *o);
int store_outbox_sent(struct store *st, int64_t id, int64_t now);
int store_outbox_defer(struct store *st, int64_t id, int64_t next_attempt, const char *error);
int store_outbox_fail(struct store *st, int64_t id, int64_t now, const char *error);
/* After a crash, entries left 'sending' go back to the queue: delivered
 * at least once, with the same Message-ID.  Returns how many, or -1. */
int store_outbox_recover(struct store *st);
/* Makes a failed or deferred entry due now.  1 done, 0 no such entry. */
int store_outbox_retry_now(struct store *st, int64_t id, int64_t now);
/* Entries, newest first; failed_only limits to state 'failed'. */
GPtrArray *store_outbox_list(struct store *st, bool failed_only, int limit);
void outbox_entry_clear(struct outbox_entry *e);

/* Reading for ticketctl.  Arrays hold struct store_ticket * or
 * struct store_message *, freed with the array. */
GPtrArray *store_ticket_list(struct store *st, const char *status, int limit);
GPtrArray *store_ticket_messages(struct store *st, int64_t ticket_id);
/* Adds up to limit messages the search index lacks to it, oldest first,
 * in one transaction; the daemon calls it about once a second, so that
 * the words of a message are not indexed inside its own transaction
 * (one batch is far cheaper than a segment per message).  Returns the
 * number added (0: up to date) or -1. */
int store_search_catch_up(struct store *st, int limit);
/* FTS5 match over subject and excerpt; words are quoted, never syntax. */
GPtrArray *store_search(struct store *st, const char *words, int limit);
/* Events as "time\tactor\tkind\tdetail" strings. */
GPtrArray *store_ticket_events(struct store *st, int64_t ticket_id);

/* Trust (trust.c): what the evidence rules need to look up. */
/* The mail the outbox sent under this Message-ID, as it was composed
 * (g_bytes_unref).  1 found, 0 none, -1 error. */
int store_outbox_by_message_id(struct store *st, const char *message_id, GBytes **message);
/* Automatic replies (acknowledgements and reopened notices) for tickets
 * of queue created since `since`: the queue-wide rate limit. */
int store_outbox_count_queue(struct store *st, const char *queue, int64_t since, int *count);
/* The evidence and held addresses stored with (Message-ID, sender), for
 * a redelivery to leave with the same headers (NULL when unset; g_free). */
int store_message_trust(struct store *st, const char *message_id, const char *sender, char **evidence,
			char **held_addresses);
/* The oldest ticket of a Thread-Index root (an inbound message's, or
 * the one our mail continues).  1 found, 0 none, -1 error. */
int store_ticket_by_thread_root(struct store *st, const char *root, int64_t *ticket_id);
/* The root our mail for the ticket continues: get (NULL when none;
 * g_free) and set. */
int store_ticket_thread_root(struct store *st, int64_t ticket_id, char **root);
int store_ticket_set_thread_root(struct store *st, int64_t ticket_id, const char *root);

/* Known problems (problems.c): a named cause shared by tickets of one
 * queue ("printer-firmware"), which agents link tickets to (#problem)
 * and whose customers are told at once when it is fixed. */
struct store_problem {
	int64_t id;
	char *queue;
	char *name;
	char *description;	/* or NULL */
	int64_t created;
	int64_t announced;	/* the last announcement, 0 for none */
	int linked;		/* tickets linked to it */
	int open;		/* of them new, open or pending */
};
/* What an announcement did to one linked ticket. */
struct store_announcement {
	int64_t ticket_id;
	char *template_name;
	int64_t at;
	char *outcome;		/* mailed, covered (by the mail of another ticket of
				 * the customer), skipped */
	char *detail;		/* the Message-ID; the covering ticket's id as text;
				 * why it was skipped */
};

/* Links the ticket to problem name of queue, creating the problem:
 * 1 linked now, 0 linked already, -1 error. */
int store_problem_link(struct store *st, const char *queue, const char *name, int64_t ticket_id,
		       const char *actor, int64_t now);
/* Unlinks the ticket from the problem name of its queue: 1 done, 0 it
 * was not linked, -1 error. */
int store_problem_unlink(struct store *st, const char *queue, const char *name, int64_t ticket_id);
/* Unlinks the ticket from every problem: how many, or -1. */
int store_problem_unlink_all(struct store *st, int64_t ticket_id);
/* Creates the problem, or sets its description: 0 or -1. */
int store_problem_describe(struct store *st, const char *queue, const char *name, const char *description,
			   int64_t now);
/* The problem name of queue, with its counts: 1 found, 0 none, -1. */
int store_problem_get(struct store *st, const char *queue, const char *name, struct store_problem *out);
/* Every problem with its counts, by queue and name (struct store_problem
 * *), or NULL on error. */
GPtrArray *store_problem_list(struct store *st);
/* The tickets linked to a problem (struct store_ticket *), by customer
 * and then newest first, or NULL on error. */
GPtrArray *store_problem_tickets(struct store *st, int64_t problem_id);
int store_problem_set_announced(struct store *st, int64_t problem_id, int64_t now);
/* What announcement template of the problem did to the ticket: 1 found
 * (out filled), 0 nothing yet, -1 error. */
int store_announcement_get(struct store *st, int64_t problem_id, const char *template_name, int64_t ticket_id,
			   struct store_announcement *out);
int store_announcement_add(struct store *st, int64_t problem_id, const struct store_announcement *a);
/* Every record of the problem's announcements (struct store_announcement
 * *), oldest first, or NULL. */
GPtrArray *store_problem_announcements(struct store *st, int64_t problem_id);
/* The ticket whose mail of this announcement reached the customer, if
 * any: 1 (*ticket_id set), 0, -1. */
int store_announcement_mailed_to(struct store *st, int64_t problem_id, const char *template_name, int64_t customer_id,
				 int64_t *ticket_id);
/* Whether address sent the ticket a message its domain's DMARC did not
 * contradict (evidence.h; messages stored before evidence count): 1
 * yes, 0 no, -1 error. */
int store_ticket_sender_unforged(struct store *st, int64_t ticket_id, const char *address);
/* Whether the newest mail the outbox holds for recipient failed for
 * good (the address bounces): 1 yes, 0 no (or none), -1 error. */
int store_outbox_bounces(struct store *st, const char *recipient);
void store_problem_clear(struct store_problem *p);
void store_problem_free(gpointer p);
void store_announcement_clear(struct store_announcement *a);

void store_ticket_clear(struct store_ticket *t);
void store_participant_free(gpointer p);
void store_message_clear(struct store_message *m);

#endif
