/* test_weekly_schedule.c - [report NAME] sections (settings_reports.c)
 * and the weekly mail as scheduled mail (engine/weekly_report.c): the
 * schedule parsed and its next time in its zone, mistakes refused with
 * their line, and the mail queued once at its time (not before, not
 * twice, the next week's row planned from it), gone with its section.
 * Room: tests (engine). */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "config/settings_reports.h"
#include "engine/scheduled_mail.h"
#include "engine/weekly_report.h"
#include "report/report_charts.h"

#include <gmime/gmime.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Monday 16 November 2026, 08:00 in Istanbul (UTC+3). */
#define MON_8 INT64_C(1794805200)
#define WEEK INT64_C(604800)

static struct fixture f;

static const char *const report_conf =
	"[report managers]\n"
	"to = boss@example.com, deputy@example.com\n"
	"schedule = mon 08:00 Europe/Istanbul\n"
	"queues = support\n"
	"by = locale\n"
	"locale = tr\n";

/* The fixture's configuration with tail appended; NULL with errors. */
static struct settings *load(const char *tail, GPtrArray *errors)
{
	char *base = NULL, *text, *path;
	struct settings *s;

	g_file_get_contents(f.config_path, &base, NULL, NULL);
	text = g_strconcat(base, tail, NULL);
	path = fixture_write(&f, "weekly.conf", text);
	s = settings_load(path, SETTINGS_LOAD_SECRET, errors);
	g_free(path);
	g_free(text);
	g_free(base);
	return s;
}

static bool refused(const char *tail, const char *words)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct settings *s = load(tail, errors);
	bool found = false;

	for (guint i = 0; i < errors->len; i++) {
		found = found || strstr(g_ptr_array_index(errors, i), words) != NULL;
		if (!found)
			tap_diag("%s", (char *)g_ptr_array_index(errors, i));
	}
	settings_unref(s);
	g_ptr_array_free(errors, TRUE);
	return s == NULL && found;
}

static void check_settings(const struct settings *s)
{
	const struct report_def *r = settings_report(s, "managers");
	struct report_def daily = { .days = 0x7f, .minute = 23 * 60 + 30, .zone = "UTC" };

	if (!ok(r != NULL, "[report managers] is read"))
		exit(1);
	is_int(r->days, 1, "on Mondays");
	is_int(r->minute, 8 * 60, "at 08:00");
	is_str(r->zone, "Europe/Istanbul", "in its zone");
	is_str(r->locale, "tr", "for Turkish readers");
	is_int(r->window_seconds, 7 * 86400, "over 7 days by default");
	is_int(report_def_next(r, MON_8 - 3 * 3600), MON_8, "from 05:00 that Monday: 08:00 (05:00 UTC)");
	is_int(report_def_next(r, MON_8), MON_8 + WEEK, "from 08:00: the next Monday");
	is_int(report_def_next(r, MON_8 - 6 * 86400), MON_8, "from the Tuesday before: that Monday");
	is_int(report_def_next(&daily, MON_8), MON_8 + 18 * 3600 + 1800, "daily 23:30 UTC: that evening");

	ok(refused("[report x]\nto = a@example.com\nschedule = someday 08:00 UTC\n", "schedule \"someday"),
	   "a schedule that is not one is refused");
	ok(refused("[report x]\nto = a@example.com\nschedule = mon 25:00 UTC\n", "expected DAYS HH:MM ZONE"),
	   "nor 25:00");
	ok(refused("[report x]\nto = a@example.com\nschedule = mon 08:00 Mars/Olympus\n", "expected DAYS"),
	   "nor a zone that is not one");
	ok(refused("[report x]\nto = a@example.com\nschedule = mon 08:00 UTC\nqueues = nope\n", "no [queue nope]"),
	   "an unknown queue is refused");
	ok(refused("[report x]\nto = a@example.com\nschedule = mon 08:00 UTC\nby = colour\n", "by \"colour\""),
	   "an unknown breakdown is refused");
	ok(refused("[report x]\nschedule = mon 08:00 UTC\n", "needs to"), "a report to nobody is refused");
}

static int count(const char *sql)
{
	char *db = g_build_filename(f.dir, "tickets.db", NULL);
	sqlite3 *h;
	sqlite3_stmt *st;
	int n = -1;

	sqlite3_open(db, &h);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	g_free(db);
	return n;
}

static int run(const struct settings *s, int64_t now)
{
	GPtrArray *outcomes = g_ptr_array_new_with_free_func(scheduled_outcome_free);
	int queued = 0;

	scheduled_run_due(s, NULL, f.store, now, "test", outcomes, &queued);
	for (guint i = 0; i < outcomes->len; i++) {
		const struct scheduled_outcome *o = g_ptr_array_index(outcomes, i);
		tap_diag("%s: %s (%s)", o->what, o->state, o->detail ? o->detail : "");
	}
	g_ptr_array_free(outcomes, TRUE);
	return queued;
}

static void check_sending(struct settings *s)
{
	const char *mails = "SELECT count(*) FROM outbox WHERE kind = 'report'";

	is_int(run(s, MON_8 - 60), 0, "a minute before: nothing");
	is_int(count(mails), 0, "no mail yet");
	is_int(count("SELECT count(*) FROM schedule WHERE kind = 'report' AND state = 'due'"), 1,
	       "its row waits");
	is_int(run(s, MON_8), 1, "at 08:00: sent");
	is_int(count(mails), 2, "one mail per recipient");
	is_int(count("SELECT count(*) FROM outbox WHERE kind = 'report' AND recipient = 'boss@example.com' "
		     "AND message_id LIKE 'report.managers.%@example.com'"), 1, "to the boss, with its own Message-ID");
	is_int(run(s, MON_8 + 60), 0, "a minute later: nothing more");
	is_int(count(mails), 2, "still two mails");
	is_int(count("SELECT count(*) FROM schedule WHERE kind = 'report' AND state = 'due' AND send_at = 1795410000"), 1,
	       "the next Monday's row is planned");
	is_int(count("SELECT count(*) FROM schedule WHERE kind = 'report' AND ticket_id IS NULL"), 2,
	       "its rows are about no ticket");
}

static void check_gone(void)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct settings *s = load("", errors);

	run(s, MON_8 + WEEK);
	is_int(count("SELECT count(*) FROM schedule WHERE kind = 'report' AND state = 'cancelled'"), 1,
	       "its section gone: the next row is cancelled");
	is_int(count("SELECT count(*) FROM outbox WHERE kind = 'report'"), 2, "and nothing sent");
	settings_unref(s);
	g_ptr_array_free(errors, TRUE);
}

int main(void)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct settings *s;

	g_mime_init();
	fixture_setup(&f, "");
	s = load(report_conf, errors);
	if (s == NULL) {
		printf("Bail out! %s\n", errors->len ? (char *)g_ptr_array_index(errors, 0) : "no settings");
		return 1;
	}
	check_settings(s);
	check_sending(s);
	check_gone();
	settings_unref(s);
	g_ptr_array_free(errors, TRUE);
	fixture_teardown(&f);
	g_mime_shutdown();
	report_charts_shutdown();
	return tap_done();
}
