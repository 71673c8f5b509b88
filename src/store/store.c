/*
 * store.c - the SQLite ticket store (see store.h).
 *
 * Every statement is prepared once per connection and kept (the cache
 * is the stmt array); the write path of one message is a single
 * BEGIN IMMEDIATE ... COMMIT.
 * Room: store.
 */
#include "config.h"
#include "store/store.h"
#include "store/schema.h"
#include "store/store_internal.h"

#include <string.h>
#include <sys/stat.h>

enum stmt_id {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE,
	ST_TICKET_BY_ID, ST_TICKET_BY_NUMBER, ST_TICKET_BY_MSGID, ST_DUPLICATE,
	ST_IS_PARTICIPANT, ST_CUSTOMER_UPSERT, ST_NEXT_NUMBER, ST_TICKET_INSERT,
	ST_TICKET_TOUCH, ST_MESSAGE_INSERT, ST_PARTICIPANT_INSERT, ST_EVENT_INSERT,
	ST_TICKET_LIST, ST_TICKET_LIST_STATUS, ST_TICKET_MESSAGES, ST_SEARCH, ST_EVENTS,
	ST_SET_STATUS, ST_SET_PROMISE, ST_CUSTOMER_PREFS, ST_CUSTOMER_SET_LOCALE,
	ST_TICKET_SAVE, ST_PARTICIPANTS, ST_CUSTOMER_SET_TZ, ST_CUSTOMER_SET_TIER, ST_CSAT_SET, ST_CSAT_GET,
	ST_RESOLVED_BEFORE, ST_SEARCH_PENDING, ST_SEARCH_INDEX, ST_SEARCH_MARK,
	ST_COUNT
};

#define TICKET_COLUMNS \
	"t.id, t.queue, t.number, t.tag, t.subject, t.status, t.priority, t.customer_id," \
	" c.address, c.name, t.created, t.updated, t.locale, coalesce(t.first_response_due, 0)," \
	" coalesce(t.resolution_due, 0), t.assignee, coalesce(t.first_response_at, 0)," \
	" coalesce(t.first_response_kept, -1), coalesce(t.paused_at, 0), coalesce(t.resolved_at, 0)," \
	" coalesce(t.merged_into, 0), coalesce(t.parent_id, 0)" \
	" FROM tickets t JOIN customers c ON c.id = t.customer_id"
#define MESSAGE_COLUMNS \
	"id, ticket_id, direction, message_id, sender, recipients, subject, date, received," \
	" excerpt, size, sha256, queue_id, evidence, held_addresses, thread_root FROM messages"

static const char *const stmt_sql[ST_COUNT] = {
	/* The newest of the next ?1 messages the search index lacks. */
	[ST_SEARCH_PENDING] =
		"SELECT max(id) FROM (SELECT id FROM messages WHERE id > (SELECT last_id FROM search_index)"
		" ORDER BY id LIMIT ?1)",
	[ST_SEARCH_INDEX] =
		"INSERT INTO messages_fts(rowid, subject, excerpt) SELECT id, subject, excerpt FROM messages"
		" WHERE id > (SELECT last_id FROM search_index) AND id <= ?1",
	[ST_SEARCH_MARK] = "UPDATE search_index SET last_id = ?1",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_SAVEPOINT] = "SAVEPOINT job",
	[ST_RELEASE] = "RELEASE job",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_TICKET_BY_ID] = "SELECT " TICKET_COLUMNS " WHERE t.id = ?1",
	[ST_TICKET_BY_NUMBER] = "SELECT " TICKET_COLUMNS " WHERE t.tag = ?1 AND t.number = ?2",
	[ST_TICKET_BY_MSGID] = "SELECT ticket_id FROM messages WHERE message_id = ?1 ORDER BY id LIMIT 1",
	[ST_DUPLICATE] = "SELECT ticket_id FROM messages WHERE message_id = ?1 AND sender = ?2",
	[ST_IS_PARTICIPANT] = "SELECT 1 FROM participants WHERE ticket_id = ?1 AND address = ?2",
	[ST_CUSTOMER_UPSERT] =
		"INSERT INTO customers(address, name, created) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(address) DO UPDATE SET name = coalesce(excluded.name, name)"
		" RETURNING id",
	[ST_NEXT_NUMBER] =
		"INSERT INTO ticket_numbers(tag, last) VALUES (?1, 1001)"
		" ON CONFLICT(tag) DO UPDATE SET last = last + 1 RETURNING last",
	[ST_TICKET_INSERT] =
		"INSERT INTO tickets(queue, tag, number, subject, customer_id, created, updated)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
	[ST_TICKET_TOUCH] = "UPDATE tickets SET updated = ?2 WHERE id = ?1",
	[ST_MESSAGE_INSERT] =
		"INSERT INTO messages(ticket_id, direction, message_id, sender, recipients, subject,"
		" date, received, excerpt, size, sha256, queue_id, evidence, held_addresses, thread_root)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[ST_PARTICIPANT_INSERT] =
		"INSERT OR IGNORE INTO participants(ticket_id, address, name, role, added)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_EVENT_INSERT] = "INSERT INTO events(ticket_id, at, actor, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_TICKET_LIST] = "SELECT " TICKET_COLUMNS " ORDER BY t.updated DESC, t.id DESC LIMIT ?1",
	[ST_TICKET_LIST_STATUS] =
		"SELECT " TICKET_COLUMNS " WHERE t.status = ?2 ORDER BY t.updated DESC, t.id DESC LIMIT ?1",
	[ST_TICKET_MESSAGES] = "SELECT " MESSAGE_COLUMNS " WHERE ticket_id = ?1 ORDER BY received, id",
	[ST_SEARCH] =
		"SELECT DISTINCT " TICKET_COLUMNS " JOIN messages m ON m.ticket_id = t.id"
		" WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1)"
		" ORDER BY t.updated DESC LIMIT ?2",
	[ST_EVENTS] = "SELECT at, actor, kind, coalesce(detail, '') FROM events WHERE ticket_id = ?1 ORDER BY id",
	[ST_SET_STATUS] = "UPDATE tickets SET status = ?2, updated = ?3 WHERE id = ?1",
	[ST_SET_PROMISE] =
		"UPDATE tickets SET locale = ?2, priority = ?3, first_response_due = ?4, resolution_due = ?5"
		" WHERE id = ?1",
	[ST_CUSTOMER_PREFS] = "SELECT locale, timezone FROM customers WHERE address = ?1",
	[ST_CUSTOMER_SET_LOCALE] = "UPDATE customers SET locale = ?2 WHERE address = ?1",
	[ST_TICKET_SAVE] =
		"UPDATE tickets SET status = ?2, priority = ?3, assignee = ?4, first_response_due = nullif(?5, 0),"
		" resolution_due = nullif(?6, 0), first_response_at = nullif(?7, 0),"
		" first_response_kept = nullif(?8, -1), paused_at = nullif(?9, 0), resolved_at = nullif(?10, 0),"
		" merged_into = nullif(?11, 0), parent_id = nullif(?12, 0), locale = ?13, updated = ?14 WHERE id = ?1",
	[ST_PARTICIPANTS] = "SELECT address, name, role FROM participants WHERE ticket_id = ?1 ORDER BY added, address",
	[ST_CUSTOMER_SET_TZ] = "UPDATE customers SET timezone = ?2, timezone_source = 'agent' WHERE address = ?1",
	[ST_CUSTOMER_SET_TIER] = "UPDATE customers SET tier = ?2 WHERE address = ?1",
	[ST_CSAT_SET] =
		"INSERT INTO csat(ticket_id, rating, comment, at) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT(ticket_id) DO UPDATE SET rating = excluded.rating,"
		" comment = coalesce(excluded.comment, comment), at = excluded.at",
	[ST_CSAT_GET] = "SELECT rating, comment FROM csat WHERE ticket_id = ?1",
	[ST_RESOLVED_BEFORE] = "SELECT id FROM tickets WHERE status = 'resolved' AND resolved_at < ?1 ORDER BY id",
};

G_STATIC_ASSERT(ST_COUNT <= STORE_FIRST_MODULE_SLOT);

void store_set_error(struct store *st, const char *what)
{
	g_free(st->error);
	st->error = store_describe_error(st->db, sqlite3_extended_errcode(st->db), what);
}

const char *store_error(const struct store *st)
{
	return st->error ? st->error : "no error";
}

int store_version_found(const struct store *st)
{
	return st->version_found;
}

sqlite3_stmt *store_stmt(struct store *st, int slot, const char *sql)
{
	sqlite3_stmt *s = st->stmt[slot];

	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			store_set_error(st, "prepare");
			return NULL;
		}
		st->stmt[slot] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

static sqlite3_stmt *stmt(struct store *st, enum stmt_id id)
{
	return store_stmt(st, id, stmt_sql[id]);
}

void store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

char *store_column_text(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v ? g_strdup((const char *)v) : NULL;
}

int store_run(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_set_error(st, what);
		return -1;
	}
	return 0;
}

static int migrate(struct store *st)
{
	sqlite3_stmt *s;
	int version = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK) {
		store_set_error(st, "read schema version");
		return -1;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	st->version_found = version;
	if (version > schema_latest_version()) {
		g_free(st->error);
		st->error = g_strdup_printf("database schema version %d is newer than this program's %d",
					    version, schema_latest_version());
		return -1;
	}
	while (version < schema_latest_version()) {
		char *sql = g_strdup_printf("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;",
					    schema_migration(version), version + 1);
		int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
		g_free(sql);
		if (rc != SQLITE_OK) {
			store_set_error(st, "migrate schema");
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		version++;
	}
	return 0;
}

struct store *store_open(const char *path, int busy_timeout_ms, char **error)
{
	struct store *st = g_new0(struct store, 1);
	int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK) {
		char *why = store_describe_error(st->db, st->db ? sqlite3_extended_errcode(st->db) : rc, "open");
		*error = g_strdup_printf("%s: %s", path, why);
		g_free(why);
		store_close(st);
		return NULL;
	}
	st->path = g_strdup(path);
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, busy_timeout_ms);
	/* WAL lets readers (ticketctl) run beside the milter's writes;
	 * synchronous=FULL makes each commit durable before we answer the MTA. */
	if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 " PRAGMA foreign_keys=ON;", NULL, NULL, NULL) != SQLITE_OK ||
	    migrate(st) != 0) {
		if (st->error == NULL)
			store_set_error(st, "open");
		*error = g_strdup_printf("%s: %s", path, st->error);
		store_close(st);
		return NULL;
	}
	return st;
}

bool store_is_current(const struct store *st)
{
	int moved = 0;

	/* SQLite's own check: the file unlinked or another file at the path
	 * (it compares inodes while it still holds the old one open, so the
	 * number cannot have been reused). */
	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK)
		return true;
	return !moved;
}

int store_probe_write(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int version = 0, rc;
	char *sql;

	/* Rewriting user_version with its own value dirties page 1 without
	 * changing anything, and the rollback discards even that. */
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK) {
		store_set_error(st, "write probe");
		return -1;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (store_begin(st) != 0)
		return -1;
	sql = g_strdup_printf("PRAGMA user_version = %d", version);
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	g_free(sql);
	if (rc != SQLITE_OK)
		store_set_error(st, "write probe");
	store_rollback(st);
	return rc == SQLITE_OK ? 0 : -1;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->db)
		store_rollback(st);
	for (int i = 0; i < STORE_MAX_STMTS; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	g_free(st->error);
	g_free(st->path);
	g_free(st);
}

int store_relax(struct store *st, bool relaxed)
{
	if (st->relaxed == relaxed || st->group_commit) {
		st->relaxed = relaxed;	/* the pool syncs only what was not relaxed */
		return 0;
	}
	if (sqlite3_exec(st->db, relaxed ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
			 NULL, NULL, NULL) != SQLITE_OK) {
		store_set_error(st, "synchronous");
		return -1;
	}
	st->relaxed = relaxed;
	return 0;
}

/* The writer lock of a pooled store is held exactly while SQLite's
 * write transaction is open: taken before BEGIN, given back as soon as
 * the transaction is over, whichever way it ended. */
static void writer_release_if_done(struct store *st)
{
	if (st->holds_writer && sqlite3_get_autocommit(st->db)) {
		st->holds_writer = false;
		g_mutex_unlock(st->writer);
	}
}

/* Inside a batch, a job's transaction is a savepoint of the batch's:
 * its rollback undoes that job alone, its commit waits for the batch. */
static int savepoint_begin(struct store *st)
{
	sqlite3_stmt *s;

	if (st->in_savepoint) {
		g_free(st->error);
		st->error = g_strdup("begin: a transaction is already open");
		return -1;
	}
	/* SQLite ends a transaction by itself after some errors (a full
	 * disk): the jobs after it must not open one of their own. */
	if (sqlite3_get_autocommit(st->db)) {
		g_free(st->error);
		st->error = g_strdup("begin: the batch's transaction was rolled back by an earlier error");
		return -1;
	}
	if ((s = stmt(st, ST_SAVEPOINT)) == NULL || store_run(st, s, "savepoint") != 0)
		return -1;
	st->in_savepoint = true;
	return 0;
}

int store_begin(struct store *st)
{
	sqlite3_stmt *s;
	int rc;

	if (st->in_batch)
		return savepoint_begin(st);
	if ((s = stmt(st, ST_BEGIN)) == NULL)
		return -1;
	if (st->writer && !st->holds_writer) {
		g_mutex_lock(st->writer);
		st->holds_writer = true;
	}
	rc = store_run(st, s, "begin");
	writer_release_if_done(st);
	return rc;
}

int store_commit(struct store *st)
{
	sqlite3_stmt *s;
	int rc;

	if (st->in_batch) {
		if (!st->in_savepoint || (s = stmt(st, ST_RELEASE)) == NULL || store_run(st, s, "release") != 0)
			return -1;
		st->in_savepoint = false;
		return 0;
	}
	s = stmt(st, ST_COMMIT);
	rc = s ? store_run(st, s, "commit") : -1;
	if (rc == 0 && st->group_commit && !st->relaxed)
		st->sync_owed = true;
	/* A failed COMMIT may leave the transaction open (the caller then
	 * rolls back) or may have ended it: release only in the second case. */
	writer_release_if_done(st);
	return rc;
}

void store_rollback(struct store *st)
{
	if (st->in_batch) {
		if (st->in_savepoint && !sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK TO job; RELEASE job", NULL, NULL, NULL);
		st->in_savepoint = false;
		return;
	}
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	writer_release_if_done(st);
}

int store_batch_begin(struct store *st)
{
	if (st->in_batch || store_begin(st) != 0)
		return -1;
	st->in_batch = true;
	return 0;
}

int store_batch_commit(struct store *st)
{
	bool open = !sqlite3_get_autocommit(st->db);

	st->in_batch = st->in_savepoint = false;
	if (!open) {
		g_free(st->error);
		st->error = g_strdup("commit: the batch's transaction was rolled back by an earlier error");
		writer_release_if_done(st);
		return -1;
	}
	return store_commit(st);
}

void store_batch_rollback(struct store *st)
{
	st->in_batch = st->in_savepoint = false;
	store_rollback(st);
}

static void read_ticket(sqlite3_stmt *s, struct store_ticket *t)
{
	t->id = sqlite3_column_int64(s, 0);
	t->queue = store_column_text(s, 1);
	t->number = (long)sqlite3_column_int64(s, 2);
	t->tag = store_column_text(s, 3);
	t->subject = store_column_text(s, 4);
	t->status = store_column_text(s, 5);
	t->priority = store_column_text(s, 6);
	t->customer_id = sqlite3_column_int64(s, 7);
	t->customer_address = store_column_text(s, 8);
	t->customer_name = store_column_text(s, 9);
	t->created = sqlite3_column_int64(s, 10);
	t->updated = sqlite3_column_int64(s, 11);
	t->locale = store_column_text(s, 12);
	t->first_response_due = sqlite3_column_int64(s, 13);
	t->resolution_due = sqlite3_column_int64(s, 14);
	t->assignee = store_column_text(s, 15);
	t->first_response_at = sqlite3_column_int64(s, 16);
	t->first_response_kept = sqlite3_column_int(s, 17);
	t->paused_at = sqlite3_column_int64(s, 18);
	t->resolved_at = sqlite3_column_int64(s, 19);
	t->merged_into = sqlite3_column_int64(s, 20);
	t->parent_id = sqlite3_column_int64(s, 21);
}

int store_step_one(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	store_set_error(st, what);
	return -1;
}

int store_ticket_by_id(struct store *st, int64_t id, struct store_ticket *out)
{
	sqlite3_stmt *s = stmt(st, ST_TICKET_BY_ID);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = store_step_one(st, s, "ticket by id")) == 1) {
		read_ticket(s, out);
		sqlite3_reset(s);
	}
	return rc;
}

int store_ticket_by_number(struct store *st, const char *tag, long number, struct store_ticket *out)
{
	sqlite3_stmt *s = stmt(st, ST_TICKET_BY_NUMBER);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, tag);
	sqlite3_bind_int64(s, 2, number);
	if ((rc = store_step_one(st, s, "ticket by number")) == 1) {
		read_ticket(s, out);
		sqlite3_reset(s);
	}
	return rc;
}

static int lookup_id(struct store *st, enum stmt_id id, const char *a, const char *b,
		     int64_t *out, const char *what)
{
	sqlite3_stmt *s = stmt(st, id);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, a);
	if (b)
		store_bind_text(s, 2, b);
	if ((rc = store_step_one(st, s, what)) == 1) {
		*out = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	return rc;
}

int store_ticket_by_message_id(struct store *st, const char *message_id, int64_t *ticket_id)
{
	return lookup_id(st, ST_TICKET_BY_MSGID, message_id, NULL, ticket_id, "ticket by message-id");
}

int store_find_duplicate(struct store *st, const char *message_id, const char *sender, int64_t *ticket_id)
{
	return lookup_id(st, ST_DUPLICATE, message_id, sender, ticket_id, "find duplicate");
}

int store_is_participant(struct store *st, int64_t ticket_id, const char *address)
{
	sqlite3_stmt *s = stmt(st, ST_IS_PARTICIPANT);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	store_bind_text(s, 2, address);
	rc = store_step_one(st, s, "participant");
	if (rc == 1)
		sqlite3_reset(s);
	return rc;
}

int store_customer_upsert(struct store *st, const char *address, const char *name, int64_t now, int64_t *id)
{
	sqlite3_stmt *s = stmt(st, ST_CUSTOMER_UPSERT);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, address);
	store_bind_text(s, 2, name);
	sqlite3_bind_int64(s, 3, now);
	if (store_step_one(st, s, "customer") != 1)
		return -1;
	*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int store_ticket_create(struct store *st, const char *queue, const char *tag, const char *subject,
			int64_t customer_id, int64_t now, struct store_ticket *out)
{
	sqlite3_stmt *s = stmt(st, ST_NEXT_NUMBER);
	long number;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, tag);
	if (store_step_one(st, s, "ticket number") != 1)
		return -1;
	number = (long)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);

	if ((s = stmt(st, ST_TICKET_INSERT)) == NULL)
		return -1;
	store_bind_text(s, 1, queue);
	store_bind_text(s, 2, tag);
	sqlite3_bind_int64(s, 3, number);
	store_bind_text(s, 4, subject);
	sqlite3_bind_int64(s, 5, customer_id);
	sqlite3_bind_int64(s, 6, now);
	if (store_run(st, s, "create ticket") != 0)
		return -1;
	return store_ticket_by_id(st, sqlite3_last_insert_rowid(st->db), out) == 1 ? 0 : -1;
}

int store_ticket_touch(struct store *st, int64_t ticket_id, int64_t now)
{
	sqlite3_stmt *s = stmt(st, ST_TICKET_TOUCH);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, now);
	return store_run(st, s, "touch ticket");
}

int store_message_add(struct store *st, struct store_message *m)
{
	sqlite3_stmt *s = stmt(st, ST_MESSAGE_INSERT);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, m->ticket_id);
	store_bind_text(s, 2, m->direction);
	store_bind_text(s, 3, m->message_id);
	store_bind_text(s, 4, m->sender);
	store_bind_text(s, 5, m->recipients ? m->recipients : "");
	store_bind_text(s, 6, m->subject ? m->subject : "");
	if (m->date)
		sqlite3_bind_int64(s, 7, m->date);
	sqlite3_bind_int64(s, 8, m->received);
	store_bind_text(s, 9, m->excerpt ? m->excerpt : "");
	sqlite3_bind_int64(s, 10, m->size);
	store_bind_text(s, 11, m->sha256);
	store_bind_text(s, 12, m->queue_id);
	store_bind_text(s, 13, m->evidence);
	store_bind_text(s, 14, m->held_addresses);
	store_bind_text(s, 15, m->thread_root);
	if (store_run(st, s, "add message") != 0)
		return -1;
	m->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_participant_add(struct store *st, int64_t ticket_id, const char *address,
			  const char *name, const char *role, int64_t now)
{
	sqlite3_stmt *s = stmt(st, ST_PARTICIPANT_INSERT);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	store_bind_text(s, 2, address);
	store_bind_text(s, 3, name);
	store_bind_text(s, 4, role);
	sqlite3_bind_int64(s, 5, now);
	return store_run(st, s, "add participant");
}

int store_event_add(struct store *st, int64_t ticket_id, int64_t at, const char *actor,
		    const char *kind, const char *detail)
{
	sqlite3_stmt *s = stmt(st, ST_EVENT_INSERT);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, at);
	store_bind_text(s, 3, actor);
	store_bind_text(s, 4, kind);
	store_bind_text(s, 5, detail);
	return store_run(st, s, "add event");
}

int store_ticket_set_status(struct store *st, int64_t ticket_id, const char *status, int64_t now)
{
	sqlite3_stmt *s = stmt(st, ST_SET_STATUS);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	store_bind_text(s, 2, status);
	sqlite3_bind_int64(s, 3, now);
	return store_run(st, s, "set status");
}

int store_ticket_set_promise(struct store *st, int64_t ticket_id, const char *locale, const char *priority,
			     int64_t first_response_due, int64_t resolution_due)
{
	sqlite3_stmt *s = stmt(st, ST_SET_PROMISE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	store_bind_text(s, 2, locale);
	store_bind_text(s, 3, priority);
	if (first_response_due)
		sqlite3_bind_int64(s, 4, first_response_due);
	if (resolution_due)
		sqlite3_bind_int64(s, 5, resolution_due);
	return store_run(st, s, "set promise");
}

int store_customer_prefs(struct store *st, const char *address, char **locale, char **zone)
{
	sqlite3_stmt *s = stmt(st, ST_CUSTOMER_PREFS);
	int rc;

	*locale = *zone = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, address);
	if ((rc = store_step_one(st, s, "customer preferences")) == 1) {
		*locale = store_column_text(s, 0);
		*zone = store_column_text(s, 1);
		sqlite3_reset(s);
	}
	return rc < 0 ? -1 : 0;
}

int store_customer_set_locale(struct store *st, const char *address, const char *locale)
{
	sqlite3_stmt *s = stmt(st, ST_CUSTOMER_SET_LOCALE);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, address);
	store_bind_text(s, 2, locale);
	return store_run(st, s, "set customer locale");
}

int store_ticket_save(struct store *st, const struct store_ticket *t, int64_t now)
{
	sqlite3_stmt *s = stmt(st, ST_TICKET_SAVE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, t->id);
	store_bind_text(s, 2, t->status);
	store_bind_text(s, 3, t->priority);
	store_bind_text(s, 4, t->assignee);
	sqlite3_bind_int64(s, 5, t->first_response_due);
	sqlite3_bind_int64(s, 6, t->resolution_due);
	sqlite3_bind_int64(s, 7, t->first_response_at);
	sqlite3_bind_int(s, 8, t->first_response_kept);
	sqlite3_bind_int64(s, 9, t->paused_at);
	sqlite3_bind_int64(s, 10, t->resolved_at);
	sqlite3_bind_int64(s, 11, t->merged_into);
	sqlite3_bind_int64(s, 12, t->parent_id);
	store_bind_text(s, 13, t->locale);
	sqlite3_bind_int64(s, 14, now);
	return store_run(st, s, "save ticket");
}

void store_participant_free(gpointer p)
{
	struct store_participant *pt = p;

	g_free(pt->address);
	g_free(pt->name);
	g_free(pt->role);
	g_free(pt);
}

GPtrArray *store_ticket_participants(struct store *st, int64_t ticket_id)
{
	sqlite3_stmt *s = stmt(st, ST_PARTICIPANTS);
	GPtrArray *out;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, ticket_id);
	out = g_ptr_array_new_with_free_func(store_participant_free);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct store_participant *p = g_new0(struct store_participant, 1);
		p->address = store_column_text(s, 0);
		p->name = store_column_text(s, 1);
		p->role = store_column_text(s, 2);
		g_ptr_array_add(out, p);
	}
	sqlite3_reset(s);
	return out;
}

static int set_customer_text(struct store *st, enum stmt_id id, const char *address, const char *value)
{
	sqlite3_stmt *s = stmt(st, id);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, address);
	store_bind_text(s, 2, value);
	return store_run(st, s, "update customer");
}

int store_customer_set_timezone(struct store *st, const char *address, const char *zone)
{
	return set_customer_text(st, ST_CUSTOMER_SET_TZ, address, zone);
}

int store_customer_set_tier(struct store *st, const char *address, const char *tier)
{
	return set_customer_text(st, ST_CUSTOMER_SET_TIER, address, tier);
}

int store_csat_record(struct store *st, int64_t ticket_id, int rating, const char *comment, int64_t at)
{
	sqlite3_stmt *s = stmt(st, ST_CSAT_SET);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int(s, 2, rating);
	store_bind_text(s, 3, comment && *comment ? comment : NULL);
	sqlite3_bind_int64(s, 4, at);
	return store_run(st, s, "record rating");
}

int store_csat_get(struct store *st, int64_t ticket_id, int *rating, char **comment)
{
	sqlite3_stmt *s = stmt(st, ST_CSAT_GET);
	int rc;

	*rating = 0;
	if (comment)
		*comment = NULL;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ticket_id);
	if ((rc = store_step_one(st, s, "rating")) == 1) {
		*rating = sqlite3_column_int(s, 0);
		if (comment)
			*comment = store_column_text(s, 1);
		sqlite3_reset(s);
	}
	return rc < 0 ? -1 : 0;
}

GArray *store_tickets_resolved_before(struct store *st, int64_t before)
{
	sqlite3_stmt *s = stmt(st, ST_RESOLVED_BEFORE);
	GArray *out;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, before);
	out = g_array_new(FALSE, FALSE, sizeof(int64_t));
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		g_array_append_val(out, id);
	}
	sqlite3_reset(s);
	return out;
}

static void ticket_free(gpointer p)
{
	store_ticket_clear(p);
	g_free(p);
}

static void message_row_free(gpointer p)
{
	store_message_clear(p);
	g_free(p);
}

static GPtrArray *collect_tickets(sqlite3_stmt *s)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(ticket_free);

	while (sqlite3_step(s) == SQLITE_ROW) {
		struct store_ticket *t = g_new0(struct store_ticket, 1);
		read_ticket(s, t);
		g_ptr_array_add(out, t);
	}
	sqlite3_reset(s);
	return out;
}

GPtrArray *store_ticket_list(struct store *st, const char *status, int limit)
{
	sqlite3_stmt *s = stmt(st, status ? ST_TICKET_LIST_STATUS : ST_TICKET_LIST);

	if (s == NULL)
		return NULL;
	sqlite3_bind_int(s, 1, limit);
	if (status)
		store_bind_text(s, 2, status);
	return collect_tickets(s);
}

GPtrArray *store_ticket_messages(struct store *st, int64_t ticket_id)
{
	sqlite3_stmt *s = stmt(st, ST_TICKET_MESSAGES);
	GPtrArray *out;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, ticket_id);
	out = g_ptr_array_new_with_free_func(message_row_free);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct store_message *m = g_new0(struct store_message, 1);
		const char *dir = (const char *)sqlite3_column_text(s, 2);
		m->id = sqlite3_column_int64(s, 0);
		m->ticket_id = sqlite3_column_int64(s, 1);
		m->direction = dir && strcmp(dir, "out") == 0 ? "out" : dir && strcmp(dir, "note") == 0 ? "note" : "in";
		m->message_id = store_column_text(s, 3);
		m->sender = store_column_text(s, 4);
		m->recipients = store_column_text(s, 5);
		m->subject = store_column_text(s, 6);
		m->date = sqlite3_column_int64(s, 7);
		m->received = sqlite3_column_int64(s, 8);
		m->excerpt = store_column_text(s, 9);
		m->size = sqlite3_column_int64(s, 10);
		m->sha256 = store_column_text(s, 11);
		m->queue_id = store_column_text(s, 12);
		m->evidence = store_column_text(s, 13);
		m->held_addresses = store_column_text(s, 14);
		m->thread_root = store_column_text(s, 15);
		g_ptr_array_add(out, m);
	}
	sqlite3_reset(s);
	return out;
}

int store_search_catch_up(struct store *st, int limit)
{
	sqlite3_stmt *s;
	int64_t upto = 0;
	int rc;

	/* An index that lags can be brought up to date again: no fsync. */
	if (store_relax(st, true) != 0 || store_begin(st) != 0)
		goto fail;
	if ((s = stmt(st, ST_SEARCH_PENDING)) == NULL)
		goto fail;
	sqlite3_bind_int(s, 1, limit);
	if ((rc = store_step_one(st, s, "search index pending")) < 0)
		goto fail;
	upto = rc == 1 ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (upto == 0) {
		store_rollback(st);
		return store_relax(st, false);
	}
	if ((s = stmt(st, ST_SEARCH_INDEX)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, upto);
	if (store_run(st, s, "search index") != 0)
		goto fail;
	rc = sqlite3_changes(st->db);
	if ((s = stmt(st, ST_SEARCH_MARK)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, upto);
	if (store_run(st, s, "search index mark") != 0 || store_commit(st) != 0)
		goto fail;
	return store_relax(st, false) == 0 ? rc : -1;
fail:
	store_rollback(st);
	store_relax(st, false);
	return -1;
}

GPtrArray *store_search(struct store *st, const char *words, int limit)
{
	sqlite3_stmt *s;

	/* What the daemon has not indexed yet (at most a second's worth);
	 * a reader that may not write searches what is indexed. */
	while (store_search_catch_up(st, 1000) > 0)
		;
	s = stmt(st, ST_SEARCH);
	GString *query = g_string_new(NULL);
	char **parts = g_strsplit_set(words, " \t\n", -1);
	GPtrArray *out;

	if (s == NULL) {
		g_strfreev(parts);
		g_string_free(query, TRUE);
		return NULL;
	}
	/* Each word becomes a quoted FTS5 string: user input is never query syntax. */
	for (char **p = parts; *p; p++) {
		if (**p == '\0')
			continue;
		if (query->len)
			g_string_append_c(query, ' ');
		g_string_append_c(query, '"');
		for (const char *c = *p; *c; c++) {
			if (*c == '"')
				g_string_append_c(query, '"');
			g_string_append_c(query, *c);
		}
		g_string_append_c(query, '"');
	}
	g_strfreev(parts);
	store_bind_text(s, 1, query->str);
	sqlite3_bind_int(s, 2, limit);
	out = query->len ? collect_tickets(s) : g_ptr_array_new_with_free_func(ticket_free);
	sqlite3_reset(s);
	g_string_free(query, TRUE);
	return out;
}

GPtrArray *store_ticket_events(struct store *st, int64_t ticket_id)
{
	sqlite3_stmt *s = stmt(st, ST_EVENTS);
	GPtrArray *out;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, ticket_id);
	out = g_ptr_array_new_with_free_func(g_free);
	while (sqlite3_step(s) == SQLITE_ROW)
		g_ptr_array_add(out, g_strdup_printf("%lld\t%s\t%s\t%s",
			(long long)sqlite3_column_int64(s, 0), sqlite3_column_text(s, 1),
			sqlite3_column_text(s, 2), sqlite3_column_text(s, 3)));
	sqlite3_reset(s);
	return out;
}

void store_ticket_clear(struct store_ticket *t)
{
	g_free(t->queue);
	g_free(t->tag);
	g_free(t->subject);
	g_free(t->status);
	g_free(t->priority);
	g_free(t->customer_address);
	g_free(t->customer_name);
	g_free(t->locale);
	g_free(t->assignee);
	memset(t, 0, sizeof *t);
}

void store_message_clear(struct store_message *m)
{
	g_free(m->message_id);
	g_free(m->sender);
	g_free(m->recipients);
	g_free(m->subject);
	g_free(m->excerpt);
	g_free(m->sha256);
	g_free(m->queue_id);
	g_free(m->evidence);
	g_free(m->held_addresses);
	g_free(m->thread_root);
	memset(m, 0, sizeof *m);
}
