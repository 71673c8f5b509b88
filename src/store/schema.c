/*
 * schema.c - the store's schema, one migration per version.
 *
 * migrations[i] takes a database from user_version i to i + 1.  A
 * released migration is never edited: changes go into a new one.
 * Room: store.
 */
#include "config.h"
#include "store/schema.h"

#include <stddef.h>

static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE customers ("
	"  id INTEGER PRIMARY KEY,"
	"  address TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  name TEXT,"
	"  locale TEXT,"
	"  timezone TEXT,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE ticket_numbers ("
	"  tag TEXT PRIMARY KEY,"
	"  last INTEGER NOT NULL);"
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  queue TEXT NOT NULL,"
	"  tag TEXT NOT NULL,"
	"  number INTEGER NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'new'"
	"    CHECK (status IN ('new','open','pending','resolved','closed')),"
	"  priority TEXT NOT NULL DEFAULT 'normal'"
	"    CHECK (priority IN ('low','normal','high','urgent')),"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id),"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  UNIQUE (tag, number));"
	"CREATE INDEX tickets_status ON tickets(status, updated);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  direction TEXT NOT NULL CHECK (direction IN ('in','out','note')),"
	"  message_id TEXT NOT NULL,"
	"  sender TEXT NOT NULL,"
	"  recipients TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  date INTEGER,"
	"  received INTEGER NOT NULL,"
	"  excerpt TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  queue_id TEXT);"
	/* A redelivery is the same Message-ID from the same sender. */
	"CREATE UNIQUE INDEX messages_redelivery ON messages(message_id, sender);"
	"CREATE INDEX messages_ticket ON messages(ticket_id, received);"
	"CREATE TABLE participants ("
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  address TEXT NOT NULL COLLATE NOCASE,"
	"  name TEXT,"
	"  role TEXT NOT NULL CHECK (role IN ('customer','cc','agent')),"
	"  added INTEGER NOT NULL,"
	"  PRIMARY KEY (ticket_id, address)) WITHOUT ROWID;"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT);"
	"CREATE INDEX events_ticket ON events(ticket_id, id);"
	/* The event log is append-only: history is evidence. */
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	"  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	"  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
	"CREATE VIRTUAL TABLE messages_fts USING fts5("
	"  subject, excerpt, content='messages', content_rowid='id');"
	"CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
	"  INSERT INTO messages_fts(rowid, subject, excerpt) VALUES (new.id, new.subject, new.excerpt);"
	"END;"
	"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, subject, excerpt)"
	"    VALUES ('delete', old.id, old.subject, old.excerpt);"
	"END;",

	/* 1 -> 2: acknowledgements, SLA promises, the outbox */
	"ALTER TABLE tickets ADD COLUMN locale TEXT;"
	"ALTER TABLE tickets ADD COLUMN first_response_due INTEGER;"
	"ALTER TABLE tickets ADD COLUMN resolution_due INTEGER;"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  kind TEXT NOT NULL,"
	"  envelope_from TEXT NOT NULL,"		/* '' is the null sender <> */
	"  recipient TEXT NOT NULL COLLATE NOCASE,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  message BLOB NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (state IN ('queued','sending','sent','failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  done INTEGER);"
	"CREATE INDEX outbox_due ON outbox(state, next_attempt);"
	"CREATE INDEX outbox_recipient ON outbox(recipient, created);"
	"CREATE INDEX outbox_ticket ON outbox(ticket_id, id);",

	/* 2 -> 3: agents and the ticket lifecycle */
	"ALTER TABLE tickets ADD COLUMN assignee TEXT;"
	"ALTER TABLE tickets ADD COLUMN first_response_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN first_response_kept INTEGER;"
	"ALTER TABLE tickets ADD COLUMN paused_at INTEGER;"	/* pending since: the SLA clock stops */
	"ALTER TABLE tickets ADD COLUMN resolved_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN merged_into INTEGER REFERENCES tickets(id);"
	"ALTER TABLE tickets ADD COLUMN parent_id INTEGER REFERENCES tickets(id);"	/* opened by a reply to a closed one */
	"ALTER TABLE customers ADD COLUMN tier TEXT;"
	"CREATE TABLE csat ("
	"  ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),"
	"  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),"
	"  comment TEXT,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX tickets_resolved ON tickets(status, resolved_at);",

	/* 3 -> 4: the search index is brought up to date in batches, off the
	 * message's transaction (store_search_catch_up); last_id is the
	 * newest message it holds. */
	"DROP TRIGGER messages_fts_insert;"
	"DROP TRIGGER messages_fts_delete;"
	"CREATE TABLE search_index (last_id INTEGER NOT NULL);"
	"INSERT INTO search_index(last_id) SELECT coalesce(max(id), 0) FROM messages;"
	"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages"
	"  WHEN old.id <= (SELECT last_id FROM search_index) BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, subject, excerpt)"
	"    VALUES ('delete', old.id, old.subject, old.excerpt);"
	"END;",

	/* 4 -> 5: evidence of who sent a message (evidence.h), the To/Cc
	 * addresses it named that did not become participants, and where a
	 * customer's time zone came from ("agent" by #tz, "inferred" from
	 * their Date header and country), so that a guess never overrides
	 * what an agent set. */
	"ALTER TABLE messages ADD COLUMN evidence TEXT;"
	"ALTER TABLE messages ADD COLUMN held_addresses TEXT;"
	"ALTER TABLE customers ADD COLUMN timezone_source TEXT;"
	"CREATE INDEX outbox_created ON outbox(created);"	/* the queue-wide rate limit */
	/* Outlook's Thread-Index header (thread_index.h): of an inbound
	 * message, and the one our mail for the ticket continues. */
	"ALTER TABLE messages ADD COLUMN thread_root TEXT;"
	"ALTER TABLE tickets ADD COLUMN thread_root TEXT;"
	"CREATE INDEX messages_thread_root ON messages(thread_root) WHERE thread_root IS NOT NULL;"
	"CREATE INDEX tickets_thread_root ON tickets(thread_root) WHERE thread_root IS NOT NULL;",

	/* 5 -> 6: a rating is given on the queue's survey scale
	 * (config/survey.h), stored with it; csat's ratings keep theirs.
	 * The indexes the report (ticketctl report) finds a window's
	 * tickets by: opened, due, and replied to or reopened in it. */
	"CREATE TABLE ratings ("
	"  ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),"
	"  scale TEXT NOT NULL CHECK (scale IN ('csat','nps','ces')),"
	"  rating INTEGER NOT NULL,"
	"  comment TEXT,"
	"  at INTEGER NOT NULL,"
	"  CHECK ((scale = 'csat' AND rating BETWEEN 1 AND 5) OR (scale = 'nps' AND rating BETWEEN 0 AND 10)"
	"    OR (scale = 'ces' AND rating BETWEEN 1 AND 7)));"
	"INSERT INTO ratings(ticket_id, scale, rating, comment, at) SELECT ticket_id, 'csat', rating, comment, at FROM csat;"
	"DROP TABLE csat;"
	"CREATE INDEX tickets_created ON tickets(created);"
	"CREATE INDEX tickets_first_response_due ON tickets(first_response_due) WHERE first_response_due IS NOT NULL;"
	"CREATE INDEX tickets_resolution_due ON tickets(resolution_due) WHERE resolution_due IS NOT NULL;"
	"CREATE INDEX events_activity ON events(at, ticket_id, kind) WHERE kind IN ('reply', 'reopened');",

	/* 6 -> 7: known problems (a printer's firmware, an outage) that
	 * agents link tickets to, and what each announcement did to each
	 * linked ticket: recorded once per (problem, template, ticket), so
	 * that announcing again mails only the tickets linked since. */
	"CREATE TABLE problems ("
	"  id INTEGER PRIMARY KEY,"
	"  queue TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  description TEXT,"
	"  created INTEGER NOT NULL,"
	"  announced INTEGER,"		/* the last announcement */
	"  UNIQUE (queue, name));"
	"CREATE TABLE problem_tickets ("
	"  problem_id INTEGER NOT NULL REFERENCES problems(id),"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  linked INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  PRIMARY KEY (problem_id, ticket_id)) WITHOUT ROWID;"
	"CREATE INDEX problem_tickets_ticket ON problem_tickets(ticket_id);"
	"CREATE TABLE problem_announcements ("
	"  problem_id INTEGER NOT NULL REFERENCES problems(id),"
	"  template TEXT NOT NULL,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  at INTEGER NOT NULL,"
	"  outcome TEXT NOT NULL CHECK (outcome IN ('mailed','covered','skipped')),"
	"  detail TEXT,"		/* the Message-ID, the ticket whose mail covered it, or why not */
	"  PRIMARY KEY (problem_id, template, ticket_id)) WITHOUT ROWID;",

	/* 7 -> 8: a customer's tickets in a queue, newest first, for the
	 * history the agents' copy of their mail carries
	 * (customer_context.c): without it every message would read the
	 * whole tickets table. */
	"CREATE INDEX tickets_customer ON tickets(customer_id, queue, created);",

	/* 8 -> 9: scheduled mail (schedule.h): reminders of a promise now,
	 * each one row per ticket, kind, level and target, sent once even by
	 * several daemons sharing the store (claimed under a lease).  at is
	 * when it falls due on its clock, send_at when someone is at work to
	 * read it; while the ticket waits for its customer, a row whose clock
	 * stops keeps the minutes it had left (remaining) instead. */
	"CREATE TABLE schedule ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  kind TEXT NOT NULL,"
	"  level INTEGER NOT NULL DEFAULT 0,"
	"  target TEXT NOT NULL DEFAULT '',"
	"  wall INTEGER NOT NULL DEFAULT 0,"	/* its clock counts wall-clock, not business, minutes */
	"  budget INTEGER NOT NULL DEFAULT 0,"	/* minutes of the promise the level is a share of */
	"  at INTEGER,"
	"  send_at INTEGER,"
	"  remaining INTEGER,"
	"  state TEXT NOT NULL DEFAULT 'due'"
	"    CHECK (state IN ('due','paused','claimed','sent','cancelled','failed')),"
	"  claimed_by TEXT,"
	"  lease_until INTEGER,"
	"  created INTEGER NOT NULL,"
	"  done INTEGER,"
	"  detail TEXT);"
	"CREATE UNIQUE INDEX schedule_once ON schedule(coalesce(ticket_id, 0), kind, level, target);"
	"CREATE INDEX schedule_due ON schedule(state, send_at);"
	"CREATE INDEX schedule_lease ON schedule(lease_until) WHERE state = 'claimed';"
	"CREATE INDEX schedule_ticket ON schedule(ticket_id, state);",
};

int schema_latest_version(void)
{
	return (int)(sizeof migrations / sizeof migrations[0]);
}

const char *schema_migration(int from_version)
{
	if (from_version < 0 || from_version >= schema_latest_version())
		return NULL;
	return migrations[from_version];
}
