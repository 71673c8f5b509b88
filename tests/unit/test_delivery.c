/* test_delivery.c - delivery by command and by SMTP (against a small SMTP
 * peer on loopback inside the test), the sender's retry rules, and its
 * recovery after a crash with the journal. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "sender/delivery.h"
#include "sender/journal.h"
#include "sender/sender.h"
#include "store/pool.h"
#include "store/store_internal.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* An SMTP peer on loopback: answers rcpt_code to RCPT, records DATA.
 * It serves `connections` connections one after the other; with
 * drop_after_message it closes each connection after its first message
 * (as a relay whose idle timeout struck), without PIPELINING it does not
 * offer pipelining (and answers each line as it comes either way). */
struct peer {
	int listen_fd;
	int port;
	int rcpt_code;
	int connections;
	bool drop_after_message;
	bool no_pipelining;
	bool hang_up_on_second_mail;	/* close, unanswered, at a connection's second MAIL */
	int accepted;		/* connections served */
	int messages;		/* messages accepted with 250 */
	GString *data;
	GThread *thread;
};

static void reply(int fd, const char *text)
{
	if (write(fd, text, strlen(text)) < 0)
		return;
}

static void peer_serve(struct peer *p, int fd)
{
	FILE *in = fdopen(dup(fd), "r");
	char line[1024];
	bool in_data = false;
	int mails = 0;
	bool refused = false;

	reply(fd, "220 peer ESMTP\r\n");
	while (fgets(line, sizeof line, in)) {
		if (in_data) {
			if (strcmp(line, ".\r\n") == 0) {
				in_data = false;
				p->messages++;
				reply(fd, "250 2.0.0 queued\r\n");
				if (p->drop_after_message)
					break;
			} else {
				g_string_append(p->data, line);
			}
		} else if (g_str_has_prefix(line, "EHLO")) {
			reply(fd, p->no_pipelining ? "250-peer\r\n250 8BITMIME\r\n" : "250-peer\r\n250 PIPELINING\r\n");
		} else if (g_str_has_prefix(line, "MAIL") && ++mails == 2 && p->hang_up_on_second_mail) {
			break;
		} else if (g_str_has_prefix(line, "RCPT")) {
			refused = strstr(line, "<gone@") != NULL;
			char *r = g_strdup_printf("%d rcpt\r\n", refused ? 550 : p->rcpt_code);
			reply(fd, r);
			g_free(r);
		} else if (g_str_has_prefix(line, "DATA")) {
			/* After a refused RCPT there is no transaction. */
			in_data = p->rcpt_code / 100 == 2 && !refused;
			reply(fd, in_data ? "354 go ahead\r\n" : "554 5.5.1 no valid recipients\r\n");
		} else if (g_str_has_prefix(line, "QUIT")) {
			reply(fd, "221 bye\r\n");
			break;
		} else {
			reply(fd, "250 ok\r\n");
		}
	}
	fclose(in);
	close(fd);
}

static gpointer peer_main(gpointer arg)
{
	struct peer *p = arg;

	while (p->accepted < p->connections) {
		int fd = accept(p->listen_fd, NULL, NULL);
		if (fd < 0)
			break;
		p->accepted++;
		peer_serve(p, fd);
	}
	return NULL;
}

/* Starts a peer serving `connections` connections (see struct peer). */
static void peer_start_n(struct peer *p, int rcpt_code, int connections)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;

	p->rcpt_code = rcpt_code;
	p->connections = connections;
	p->accepted = p->messages = 0;
	p->data = g_string_new(NULL);
	p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	bind(p->listen_fd, (struct sockaddr *)&sa, sizeof sa);
	listen(p->listen_fd, 1);
	getsockname(p->listen_fd, (struct sockaddr *)&sa, &len);
	p->port = ntohs(sa.sin_port);
	p->thread = g_thread_new("peer", peer_main, p);
}

static void peer_start(struct peer *p, int rcpt_code)
{
	peer_start_n(p, rcpt_code, 1);
}

/* Waits for the peer's connection to end (once) and frees it. */
static void peer_join(struct peer *p)
{
	if (p->thread)
		g_thread_join(p->thread);
	p->thread = NULL;
}

static void peer_stop(struct peer *p)
{
	peer_join(p);
	close(p->listen_fd);
	g_string_free(p->data, TRUE);
}

static enum delivery_result smtp_to(struct peer *p, const char *rcpt, GBytes *msg, char **error)
{
	char *hostport = g_strdup_printf("127.0.0.1:%d", p->port);
	enum delivery_result r = delivery_smtp(NULL, hostport, "support.example.com", "", rcpt, msg, 10, error);

	g_free(hostport);
	return r;
}

static int synchronous_of(struct store *st)
{
	sqlite3_stmt *q;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA synchronous", -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

static struct settings *running_settings;

static struct settings *acquire_running(void)
{
	return settings_ref(running_settings);
}

/* The sender's workers deliver at once, but one ticket's mail in order:
 * ticket A's first mail is held until B's second is delivered (so B's
 * go past it), A's second and third wait for it. */
static void test_parallel_in_order(struct fixture *fx, GBytes *msg)
{
	char *log = g_build_filename(fx->dir, "order.log", NULL);
	char *script = fixture_write(fx, "slow-mail",
				     "#!/bin/sh\nlog=\"$(dirname \"$0\")/order.log\"\n"
				     /* a1 is delivered once b2 is, or after 10 s: with one
				      * worker at a time that order cannot happen. */
				     "case \"$1\" in a1@*) i=0; while ! grep -q b2@ \"$log\" 2>/dev/null && [ $i -lt 200 ];"
				     " do sleep 0.05; i=$((i + 1)); done ;; esac\n"
				     "cat >/dev/null\necho \"$1\" >>\"$log\"\n");
	char *db = g_build_filename(fx->dir, "tickets.db", NULL);
	const char *rcpts[] = { "a1@example.org", "b1@example.org", "a2@example.org", "b2@example.org", "a3@example.org" };
	struct store_ticket ta = { 0 }, tb = { 0 };
	struct store_pool *pool = store_pool_new(1);
	struct sender *sd;
	char *order = NULL;
	int64_t customer;

	chmod(script, 0755);
	running_settings = fx->settings;
	g_free(fx->settings->outbox_command);
	fx->settings->outbox_command = g_strdup_printf("%s %%r", script);
	fx->settings->outbox_concurrency = 4;
	store_begin(fx->store);
	store_customer_upsert(fx->store, "c@example.org", NULL, 1000, &customer);
	store_ticket_create(fx->store, "support", "SUP", "A", customer, 1000, &ta);
	store_ticket_create(fx->store, "support", "SUP", "B", customer, 1000, &tb);
	for (size_t i = 0; i < G_N_ELEMENTS(rcpts); i++) {
		struct outbox_entry e = { .kind = "ack", .envelope_from = "", .recipient = (char *)rcpts[i],
					  .message = msg, .created = 1000 };
		e.message_id = g_strdup_printf("p%zu@support.example.com", i);
		e.ticket_id = rcpts[i][0] == 'a' ? ta.id : tb.id;
		store_outbox_add(fx->store, &e);
		g_free(e.message_id);
	}
	store_commit(fx->store);
	sd = sender_start(acquire_running, pool, NULL);
	sender_kick(sd);
	for (int i = 0; i < 400; i++) {
		g_free(order);
		order = NULL;
		g_file_get_contents(log, &order, NULL, NULL);
		if (order && strstr(order, "a3@"))
			break;
		g_usleep(50000);
	}
	sender_stop(sd);
	store_pool_free(pool);
	g_strdelimit(order ? order : "", "\n", ' ');
	tap_diag("delivery order: %s", order ? order : "(none)");
	ok(order && strstr(order, "a1@") && strstr(order, "a2@") && strstr(order, "a3@") &&
	   strstr(order, "a1@") < strstr(order, "a2@") && strstr(order, "a2@") < strstr(order, "a3@"),
	   "parallel sender: one ticket's mail in order");
	ok(order && strstr(order, "b2@") && strstr(order, "b2@") < strstr(order, "a1@"),
	   "parallel sender: another ticket's mail is not held up by a slow delivery");
	store_ticket_clear(&ta);
	store_ticket_clear(&tb);
	g_free(order);
	g_free(db);
	g_free(log);
	g_free(script);
}

/* n deliveries to rcpt over one session; the result of the last. */
static enum delivery_result session_send(struct smtp_session *ss, struct peer *p, const char *rcpt, GBytes *msg, int n)
{
	enum delivery_result r = DELIVERY_TEMPORARY;
	char *hostport = g_strdup_printf("127.0.0.1:%d", p->port), *error = NULL;

	for (int i = 0; i < n; i++) {
		r = delivery_smtp(ss, hostport, "support.example.com", "", rcpt, msg, 10, &error);
		if (r != DELIVERY_SENT)
			tap_diag("delivery %d: %s", i + 1, error);
		g_clear_pointer(&error, g_free);
	}
	g_free(hostport);
	return r;
}

/* A kept session: one connection for many messages, with and without
 * PIPELINING; a connection the relay dropped is replaced, whether the
 * drop is seen before sending or only when MAIL goes unanswered; a
 * refusal closes the connection and the next message gets a new one. */
static void test_sessions(struct peer *p, GBytes *msg)
{
	struct smtp_session *ss = smtp_session_new();

	peer_start_n(p, 250, 1);
	ok(session_send(ss, p, "anna@example.org", msg, 3) == DELIVERY_SENT, "smtp session: 3 messages sent");
	smtp_session_free(ss);	/* QUIT ends the peer's only connection */
	peer_join(p);
	ok(p->messages == 3 && p->accepted == 1, "smtp session: over one connection, pipelined (%d messages, %d connections)",
	   p->messages, p->accepted);
	peer_stop(p);

	p->no_pipelining = true;
	ss = smtp_session_new();
	peer_start_n(p, 250, 1);
	session_send(ss, p, "anna@example.org", msg, 2);
	smtp_session_free(ss);
	peer_join(p);
	ok(p->messages == 2 && p->accepted == 1, "smtp session: a relay without PIPELINING, one command at a time");
	is_str(p->data->str, "Subject: hi\r\n\r\n..leading dot\r\nline\r\n"
	       "Subject: hi\r\n\r\n..leading dot\r\nline\r\n", "smtp session: both messages whole");
	peer_stop(p);
	p->no_pipelining = false;

	p->drop_after_message = true;
	ss = smtp_session_new();
	peer_start_n(p, 250, 3);
	ok(session_send(ss, p, "anna@example.org", msg, 3) == DELIVERY_SENT, "smtp session: relay closes after each message: sent");
	smtp_session_free(ss);
	peer_join(p);
	ok(p->messages == 3 && p->accepted == 3, "smtp session: a closed connection is replaced (%d connections)", p->accepted);
	peer_stop(p);
	p->drop_after_message = false;

	p->hang_up_on_second_mail = true;
	ss = smtp_session_new();
	peer_start_n(p, 250, 2);
	ok(session_send(ss, p, "anna@example.org", msg, 2) == DELIVERY_SENT,
	   "smtp session: MAIL unanswered on a kept connection: sent over a new one");
	smtp_session_free(ss);
	peer_join(p);
	ok(p->messages == 2 && p->accepted == 2, "smtp session: once each (%d messages, %d connections)", p->messages, p->accepted);
	peer_stop(p);
	p->hang_up_on_second_mail = false;

	ss = smtp_session_new();
	peer_start_n(p, 250, 2);
	ok(session_send(ss, p, "gone@example.org", msg, 1) == DELIVERY_PERMANENT,
	   "smtp session: a pipelined 550 to RCPT is permanent");
	ok(session_send(ss, p, "anna@example.org", msg, 1) == DELIVERY_SENT, "smtp session: the next message is sent");
	smtp_session_free(ss);
	peer_join(p);
	ok(p->messages == 1 && p->accepted == 2, "smtp session: after a refusal, a new connection (%d)", p->accepted);
	peer_stop(p);
}

int main(void)
{
	struct fixture f;
	GBytes *msg = g_bytes_new_static("Subject: hi\n\n.leading dot\nline\n", 32);
	char *error = NULL, *script, *out, *cmd, *got = NULL;
	enum delivery_result r;
	struct peer p = { 0 };

	fixture_setup(&f, NULL);

	/* By command: the message on stdin, %s and %r as arguments. */
	out = g_build_filename(f.dir, "delivered", NULL);
	script = fixture_write(&f, "fake-sendmail",
		"#!/bin/sh\n"
		"case \"$4\" in\n"
		"  temp@*) exit 75 ;;\n"
		"  gone@*) exit 67 ;;\n"
		"esac\n"
		"{ echo \"args: $*\"; cat; } > \"$(dirname \"$0\")/delivered\"\n");
	chmod(script, 0755);
	cmd = g_strdup_printf("%s -f %%s -- %%r", script);
	ok(delivery_command(cmd, "", "anna@example.org", msg, 10, &error) == DELIVERY_SENT, "command: sent");
	g_file_get_contents(out, &got, NULL, NULL);
	ok(got && g_str_has_prefix(got, "args: -f <> -- anna@example.org\nSubject: hi"),
	   "command: null sender as <>, recipient as argument, message on stdin");
	g_free(got);
	r = delivery_command(cmd, "", "temp@example.org", msg, 10, &error);
	ok(r == DELIVERY_TEMPORARY && error, "command: EX_TEMPFAIL is temporary (%s)", error);
	g_clear_pointer(&error, g_free);
	ok(delivery_command(cmd, "", "gone@example.org", msg, 10, &error) == DELIVERY_PERMANENT,
	   "command: EX_NOUSER is permanent");
	g_clear_pointer(&error, g_free);
	r = delivery_command("/nonexistent/sendmail %r", "", "a@example.org", msg, 10, &error);
	ok(r == DELIVERY_TEMPORARY, "command: a missing program is temporary (%s)", error);
	g_clear_pointer(&error, g_free);

	/* By SMTP. */
	peer_start(&p, 250);
	ok(smtp_to(&p, "anna@example.org", msg, &error) == DELIVERY_SENT, "smtp: sent");
	peer_stop(&p);
	peer_start(&p, 250);
	smtp_to(&p, "anna@example.org", msg, &error);
	peer_join(&p);
	is_str(p.data->str, "Subject: hi\r\n\r\n..leading dot\r\nline\r\n", "smtp: CRLF line ends and dot-stuffing");
	peer_stop(&p);
	peer_start(&p, 451);
	r = smtp_to(&p, "anna@example.org", msg, &error);
	ok(r == DELIVERY_TEMPORARY, "smtp: 451 is temporary (%s)", error);
	g_clear_pointer(&error, g_free);
	peer_stop(&p);
	peer_start(&p, 550);
	r = smtp_to(&p, "anna@example.org", msg, &error);
	ok(r == DELIVERY_PERMANENT, "smtp: 550 is permanent (%s)", error);
	g_clear_pointer(&error, g_free);
	peer_stop(&p);
	r = delivery_smtp(NULL, "127.0.0.1:1", "h", "", "a@example.org", msg, 5, &error);
	ok(r == DELIVERY_TEMPORARY, "smtp: connection refused is temporary (%s)", error);
	g_clear_pointer(&error, g_free);
	test_sessions(&p, msg);

	/* The sender: retries with backoff, then failed; permanent at once; others not blocked. */
	{
		struct settings *s = f.settings;
		const char *rcpts[] = { "temp@example.org", "gone@example.org", "anna@example.org", "bad address@x" };
		GPtrArray *list;
		g_free(s->outbox_command);
		s->outbox_command = g_strdup(cmd);
		s->outbox_attempts = 3;
		s->outbox_retry_seconds = 60;
		for (int i = 0; i < 4; i++) {
			struct outbox_entry e = { .kind = "ack", .envelope_from = "", .recipient = (char *)rcpts[i],
						  .message = msg, .created = 1000 };
			e.message_id = g_strdup_printf("m%d@support.example.com", i);
			e.ticket_id = 0;
			store_outbox_add(f.store, &e);
			g_free(e.message_id);
		}
		is_int(sender_run_once(s, f.store, 1000), 4, "round 1: every entry tried once");
		is_int(sender_run_once(s, f.store, 1059), 0, "nothing is retried before the backoff");
		is_int(sender_run_once(s, f.store, 1060), 1, "round 2 after 60 s: the temporary one again");
		is_int(sender_run_once(s, f.store, 1179), 0, "backoff doubles: not yet at 119 s");
		is_int(sender_run_once(s, f.store, 1180), 1, "round 3 after 120 s more");
		is_int(sender_run_once(s, f.store, 99999), 0, "after 3 attempts no more tries");
		is_int(synchronous_of(f.store), 2, "the delivery states done, commits are fsync()ed again (synchronous=FULL)");
		list = store_outbox_list(f.store, true, 10);
		is_int(list->len, 3, "failed: the temporary one after the limit, the permanent one, the unsafe address");
		g_ptr_array_free(list, TRUE);
		list = store_outbox_list(f.store, false, 10);
		{
			int sent = 0;
			for (guint i = 0; i < list->len; i++)
				sent += strcmp(((struct outbox_entry *)g_ptr_array_index(list, i))->state, "sent") == 0;
			is_int(sent, 1, "the good recipient was delivered once, not blocked by the others");
		}
		g_ptr_array_free(list, TRUE);
	}

	/* The journal: notes survive a reopen (a restart), a torn last line
	 * is ignored, clearing forgets them. */
	{
		char *db = g_build_filename(f.dir, "journal.db", NULL), *path = g_strconcat(db, "-outbox", NULL);
		struct outbox_journal *j = outbox_journal_open(db, &error);
		GArray *ids;
		int fd;
		ok(j != NULL, "journal: opened beside the database");
		ok(outbox_journal_note(j, 7) == 0 && outbox_journal_note(j, 12) == 0, "journal: two notes");
		outbox_journal_close(j);
		fd = open(path, O_WRONLY | O_APPEND);
		ok(fd >= 0 && write(fd, "13", 2) == 2, "journal: a torn note after them");
		close(fd);
		j = outbox_journal_open(db, &error);
		ids = outbox_journal_pending(j);
		ok(ids->len == 2 && g_array_index(ids, int64_t, 0) == 7 && g_array_index(ids, int64_t, 1) == 12,
		   "journal: after a reopen the two whole notes are pending, the torn one is not");
		g_array_free(ids, TRUE);
		ok(outbox_journal_clear(j) == 0 && outbox_journal_note(j, 14) == 0, "journal: cleared, noted again");
		ids = outbox_journal_pending(j);
		ok(ids->len == 1 && g_array_index(ids, int64_t, 0) == 14, "journal: only the new note is pending");
		g_array_free(ids, TRUE);
		outbox_journal_close(j);
		g_free(path);
		g_free(db);
	}

	/* A crash with two entries 'sending': one was delivered (its id is in
	 * the journal), one was not.  Recovery marks the first sent and
	 * queues the second again; nothing is delivered twice or lost. */
	{
		struct outbox_journal *j = outbox_journal_open(f.settings->database, &error);
		struct outbox_entry taken[2];
		int64_t ids[2];
		int recorded = -1, requeued = -1, rc;
		GPtrArray *list;
		for (int i = 0; i < 2; i++) {
			struct outbox_entry e = { .kind = "ack", .envelope_from = "", .recipient = "crash@example.org",
						  .message = msg, .created = 200000 };
			e.message_id = g_strdup_printf("crash%d@support.example.com", i);
			store_outbox_add(f.store, &e);
			ids[i] = e.id;
			g_free(e.message_id);
		}
		ok(store_outbox_take(f.store, 200000, NULL, &taken[0], NULL) == 1 && store_outbox_take(f.store, 200000, NULL, &taken[1], NULL) == 1 &&
		   taken[0].id == ids[0] && taken[1].id == ids[1], "crash: both entries taken ('sending')");
		outbox_entry_clear(&taken[0]);
		outbox_entry_clear(&taken[1]);
		ok(outbox_journal_note(j, ids[0]) == 0, "crash: the first was delivered and noted, then the process died");
		rc = sender_recover(f.store, j, 200001, &recorded, &requeued);
		ok(rc == 0 && recorded == 1 && requeued == 1,
		   "recovery: one recorded as sent from the journal, one queued again (%d, %d)", recorded, requeued);
		list = store_outbox_list(f.store, false, 2);
		ok(list->len == 2 && strcmp(((struct outbox_entry *)g_ptr_array_index(list, 0))->state, "queued") == 0 &&
		   strcmp(((struct outbox_entry *)g_ptr_array_index(list, 1))->state, "sent") == 0,
		   "recovery: the delivered entry is sent, the other queued");
		g_ptr_array_free(list, TRUE);
		{
			GArray *left = outbox_journal_pending(j);
			ok(left->len == 0, "recovery: the journal is empty afterwards");
			g_array_free(left, TRUE);
		}
		ok(sender_recover(f.store, NULL, 200002, &recorded, &requeued) == 0 && recorded == 0 && requeued == 0,
		   "recovery without a journal: nothing left to do");
		outbox_journal_close(j);
	}
	test_parallel_in_order(&f, msg);
	g_free(cmd);
	g_free(script);
	g_free(out);
	g_bytes_unref(msg);
	fixture_teardown(&f);
	return tap_done();
}
