/*
 * report_store.c - the tickets of the report's test store (see
 * report_store.h), written through the store's own functions as the
 * engine writes them: ticket rows, then their events and ratings.
 */
#include "config.h"
#include "report_store.h"

#include <stdio.h>
#include <sys/stat.h>

#define M REPORT_MARCH

struct event_spec {
	int64_t at;
	const char *kind, *actor, *detail;
};

struct ticket_spec {
	const char *queue, *tag, *customer, *tier, *subject;
	const char *status, *priority, *locale, *assignee;
	int64_t created, first_response_at, first_response_due, resolution_due, resolved_at, paused_at;
	int merged_into;	/* 1-based index of the ticket it was merged into, 0 */
	const char *scale;	/* rating */
	int rating;
	struct event_spec events[8];
};

/* T1 .. T12 of test_report.c, in order: SUP-1001 is T1. */
static const struct ticket_spec tickets[] = {
	/* T1: answered in an hour, resolved the same day with one reply:
	 * first contact; csat 5. */
	{ "support", "SUP", "ana@example.org", "vip", "Invoice missing", "resolved", "high", "de", "alice@example.com",
	  M(2, 10, 0), M(2, 11, 0), M(2, 12, 0), M(3, 10, 0), M(2, 15, 0), 0, 0, "csat", 5,
	  { { M(2, 10, 0), "created", "ana@example.org", NULL }, { M(2, 11, 0), "reply", "alice@example.com", NULL },
	    { M(2, 11, 0), "status", "alice@example.com", "new -> open" },
	    { M(2, 15, 0), "status", "alice@example.com", "open -> resolved" } } },
	/* T2: Friday 16:00 to Monday 10:00 is 2 business hours, 66 wall-clock
	 * hours; two replies; nps 9. */
	{ "support", "SUP", "ben@example.org", NULL, "VPN drops", "resolved", "normal", "en", NULL,
	  M(6, 16, 0), M(9, 10, 0), M(9, 12, 0), M(10, 16, 0), M(9, 16, 0), 0, 0, "nps", 9,
	  { { M(9, 10, 0), "reply", "bob@example.com", NULL }, { M(9, 10, 0), "status", "bob@example.com", "new -> open" },
	    { M(9, 15, 0), "reply", "bob@example.com", NULL },
	    { M(9, 16, 0), "status", "bob@example.com", "open -> resolved" } } },
	/* T3: pending from Tuesday 10:00 to Wednesday 09:00: resolution 3 h
	 * in both clocks; ces 6. */
	{ "support", "SUP", "cem@example.org", "standard", "Password reset", "resolved", "normal", "tr",
	  "alice@example.com", M(3, 9, 0), M(3, 10, 0), M(3, 13, 0), M(4, 16, 0), M(4, 11, 0), 0, 0, "ces", 6,
	  { { M(3, 10, 0), "reply", "alice@example.com", NULL }, { M(3, 10, 0), "status", "alice@example.com", "new -> open" },
	    { M(3, 10, 0), "status", "alice@example.com", "open -> pending" },
	    { M(4, 9, 0), "status", "cem@example.org", "pending -> open" },
	    { M(4, 10, 30), "reply", "alice@example.com", NULL },
	    { M(4, 11, 0), "status", "alice@example.com", "open -> resolved" } } },
	/* T4: resolved, reopened two days later, resolved again: not first
	 * contact, resolution late; csat 2. */
	{ "support", "SUP", "dora@example.org", NULL, "Printer offline", "resolved", "urgent", "de", "alice@example.com",
	  M(3, 12, 0), M(3, 12, 30), M(3, 16, 0), M(4, 12, 0), M(5, 12, 0), 0, 0, "csat", 2,
	  { { M(3, 12, 30), "reply", "alice@example.com", NULL },
	    { M(3, 13, 0), "status", "alice@example.com", "new -> resolved" },
	    { M(5, 10, 0), "status", "dora@example.org", "resolved -> open" },
	    { M(5, 10, 0), "reopened", "dora@example.org", NULL }, { M(5, 11, 0), "reply", "alice@example.com", NULL },
	    { M(5, 12, 0), "status", "alice@example.com", "open -> resolved" } } },
	/* T5: merged into T4: opened and merged, nothing else. */
	{ "support", "SUP", "dora@example.org", NULL, "Printer offline again", "closed", "normal", "de", NULL,
	  M(4, 9, 0), 0, M(4, 13, 0), M(5, 9, 0), 0, 0, 4, NULL, 0,
	  { { M(4, 9, 30), "status", "alice@example.com", "new -> closed" } } },
	/* T6: never answered: both due times missed, overdue now. */
	{ "support", "SUP", "eve@example.org", NULL, "<b>Printer & \"fax\"</b> <script>alert(1)</script>", "new",
	  "normal", "en", NULL, M(12, 9, 0), 0, M(12, 13, 0), M(13, 9, 0), 0, 0, 0, NULL, 0, { { 0 } } },
	/* T7: pending since before its resolution was due: the clock stands,
	 * nothing is due. */
	{ "support", "SUP", "fay@example.org", NULL, "Laptop order", "pending", "low", "en", "alice@example.com",
	  M(13, 9, 0), M(13, 9, 30), M(13, 13, 0), M(13, 17, 0), 0, M(13, 10, 0), 0, NULL, 0,
	  { { M(13, 9, 30), "reply", "alice@example.com", NULL },
	    { M(13, 9, 30), "status", "alice@example.com", "new -> open" },
	    { M(13, 10, 0), "status", "alice@example.com", "open -> pending" } } },
	/* T8: billing has no calendars: business time is wall-clock time;
	 * first response late, one reply; nps 3. */
	{ "billing", "BIL", "gus@example.org", NULL, "Refund", "closed", "normal", "en", "carol@example.com",
	  M(7, 10, 0), M(7, 12, 0), M(7, 11, 0), M(8, 10, 0), M(7, 14, 0), 0, 0, "nps", 3,
	  { { M(7, 12, 0), "reply", "carol@example.com", NULL }, { M(7, 12, 0), "status", "carol@example.com", "new -> open" },
	    { M(7, 14, 0), "status", "carol@example.com", "open -> resolved" },
	    { M(14, 14, 0), "status", "ticket-milter", "resolved -> closed" } } },
	/* T9: before the window: in nothing. */
	{ "support", "SUP", "hal@example.org", NULL, "Old question", "closed", "normal", "en", "bob@example.com",
	  M(-8, 10, 0), M(-8, 11, 0), M(-8, 12, 0), M(-7, 10, 0), M(-7, 9, 0), 0, 0, "csat", 1,
	  { { M(-8, 11, 0), "reply", "bob@example.com", NULL },
	    { M(-7, 9, 0), "status", "bob@example.com", "open -> resolved" } } },
	/* T10: open since January, no due time: backlog, 30 days and over. */
	{ "support", "SUP", "ivy@example.org", NULL, "Feature request", "open", "low", "en", "dave@example.com",
	  M(-49, 10, 0), 0, 0, 0, 0, 0, 0, NULL, 0, { { 0 } } },
	/* T11: opened before the window, replied to in it: the reply counts
	 * for dave; its first response does not. */
	{ "support", "SUP", "jon@example.org", NULL, "Slow mailbox", "open", "normal", "en", NULL,
	  M(-3, 10, 0), M(-3, 11, 0), M(-3, 12, 0), M(20, 10, 0), 0, 0, 0, NULL, 0,
	  { { M(-3, 11, 0), "reply", "dave@example.com", NULL }, { M(10, 10, 0), "reply", "dave@example.com", NULL } } },
	/* T12: over the holiday (Wednesday 11 March): 2 business hours, 42
	 * wall-clock hours; resolution overdue; an Arabic subject. */
	{ "support", "SUP", "kim@example.org", NULL, "الطابعة لا تعمل", "open", "high", "ar", NULL,
	  M(10, 16, 0), M(12, 10, 0), M(12, 12, 0), M(13, 16, 0), 0, 0, 0, NULL, 0,
	  { { M(12, 10, 0), "reply", "bob@example.com", NULL }, { M(12, 10, 0), "status", "bob@example.com", "new -> open" } } },
};

static char *write_config(const char *dir)
{
	char *templates = g_build_filename(g_getenv("top_srcdir") ? g_getenv("top_srcdir") : "..", "templates", NULL);
	char *path = g_build_filename(dir, "ticket-milter.conf", NULL), *secret = g_build_filename(dir, "secret", NULL);
	char *conf = g_strdup_printf(
		"[milter]\nsocket = unix:%s/milter.sock\ndatabase = %s/tickets.db\nsecret-file = %s\n"
		"hostname = support.example.com\ntemplates = %s\n\n"
		"[calendar office]\ntimezone = UTC\nhours = mon-fri 09:00-17:00\nholidays = 2026-03-11\n\n"
		"[queue support]\nname = Example Support\naddresses = support@example.com\ntag = SUP\ncalendars = office\n\n"
		"[queue billing]\nname = Billing\naddresses = billing@example.com\ntag = BIL\nsurvey = nps\n",
		dir, dir, secret, templates);

	g_file_set_contents(secret, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", -1, NULL);
	chmod(secret, 0600);
	g_file_set_contents(path, conf, -1, NULL);
	g_free(conf);
	g_free(secret);
	g_free(templates);
	return path;
}

static int add_ticket(struct store *st, const struct ticket_spec *spec, int64_t *ids, size_t index)
{
	struct store_ticket t = { 0 };
	int64_t customer;
	int rc;

	if (store_customer_upsert(st, spec->customer, NULL, spec->created, &customer) != 0 ||
	    (spec->tier && store_customer_set_tier(st, spec->customer, spec->tier) != 0) ||
	    store_ticket_create(st, spec->queue, spec->tag, spec->subject, customer, spec->created, &t) != 0)
		return -1;
	g_free(t.status);
	t.status = g_strdup(spec->status);
	g_free(t.priority);
	t.priority = g_strdup(spec->priority);
	t.locale = g_strdup(spec->locale);
	t.assignee = g_strdup(spec->assignee);
	t.first_response_at = spec->first_response_at;
	t.first_response_kept = spec->first_response_at ? spec->first_response_at <= spec->first_response_due : -1;
	t.first_response_due = spec->first_response_due;
	t.resolution_due = spec->resolution_due;
	t.resolved_at = spec->resolved_at;
	t.paused_at = spec->paused_at;
	t.merged_into = spec->merged_into ? ids[spec->merged_into - 1] : 0;
	ids[index] = t.id;
	rc = store_ticket_save(st, &t, spec->created);
	for (size_t i = 0; rc == 0 && i < G_N_ELEMENTS(spec->events) && spec->events[i].kind; i++)
		rc = store_event_add(st, t.id, spec->events[i].at, spec->events[i].actor, spec->events[i].kind,
				     spec->events[i].detail);
	if (rc == 0 && spec->scale)
		rc = store_rating_record(st, t.id, spec->scale, spec->rating, NULL, spec->resolved_at + 3600);
	store_ticket_clear(&t);
	return rc;
}

struct settings *report_store_create(const char *dir, struct store **st)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *path = write_config(dir), *error = NULL;
	struct settings *s = settings_load(path, SETTINGS_LOAD_SECRET, errors);
	int64_t ids[G_N_ELEMENTS(tickets)] = { 0 };
	int rc = -1;

	*st = NULL;
	for (guint i = 0; i < errors->len; i++)
		fprintf(stderr, "%s\n", (char *)g_ptr_array_index(errors, i));
	if (s && (*st = store_open(s->database, 5000, &error)) != NULL && store_begin(*st) == 0) {
		rc = 0;
		for (size_t i = 0; rc == 0 && i < G_N_ELEMENTS(tickets); i++) {
			rc = add_ticket(*st, &tickets[i], ids, i);
		}
		rc = rc == 0 ? store_commit(*st) : -1;
	}
	if (rc != 0) {
		fprintf(stderr, "report_store: %s\n", error ? error : *st ? store_error(*st) : "no settings");
		if (*st)
			store_close(*st);
		*st = NULL;
		settings_unref(s);
		s = NULL;
	}
	g_ptr_array_free(errors, TRUE);
	g_free(error);
	g_free(path);
	return s;
}
