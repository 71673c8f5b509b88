/*
 * test_sla_clock.c - the clock SLA budgets are counted on (sla_clock.h):
 * minutes between two moments across nights, weekends, holidays and two
 * follow-the-sun calendars; the next opening; durations in words
 * (duration_words.h); and the reminder levels of the configuration
 * (settings_agents.h): their syntax, the priority precedence, [agent]
 * sections and calendars' agents.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "calendar/calendar.h"
#include "calendar/duration_words.h"
#include "calendar/sla_clock.h"
#include "config/settings_agents.h"

#include <glib.h>
#include <string.h>

/* Monday 16 November 2026, 00:00 UTC; Thursday the 19th is a holiday of
 * the office. */
#define MON INT64_C(1794787200)
#define DAY INT64_C(86400)
#define H INT64_C(3600)

static void test_clock(void)
{
	struct calendar *office = calendar_parse("UTC", "mon-fri 09:00-17:00", "2026-11-19", NULL);
	/* New York in November is UTC-5: 14:00-22:00 UTC. */
	struct calendar *ny = calendar_parse("America/New_York", "mon-fri 09:00-17:00", NULL, NULL);
	struct calendar *one[] = { office }, *both[] = { office, ny };
	struct sla_clock c1 = { one, 1, false }, c2 = { both, 2, false }, wall = { one, 1, true }, none = { NULL, 0, false };

	is_int(sla_clock_minutes(&c1, MON + 4 * DAY + 16 * H, MON + 7 * DAY + 10 * H), 120,
	       "Friday 16:00 to Monday 10:00: one hour each side of the weekend");
	is_int(sla_clock_minutes(&c1, MON + 2 * DAY + 16 * H, MON + 4 * DAY + 10 * H), 120,
	       "Wednesday 16:00 to Friday 10:00: the holiday on Thursday counts nothing");
	is_int(sla_clock_minutes(&c1, MON + 18 * H, MON + DAY + 8 * H), 0, "a night counts nothing");
	is_int(sla_clock_minutes(&c1, MON + 10 * H, MON + 9 * H), 0, "backwards: nothing");
	is_int(sla_clock_minutes(&c1, MON + 10 * H + 30, MON + 11 * H), 59, "whole minutes, rounded down");
	is_int(sla_clock_minutes(&c2, MON + 16 * H, MON + 23 * H), 360,
	       "follow the sun: Monday 16:00 to 23:00 UTC counts until New York closes at 22:00");
	is_int(sla_clock_minutes(&c2, MON + 3 * DAY + 9 * H, MON + 3 * DAY + 23 * H), 480,
	       "the office's holiday: New York still counts on Thursday");
	is_int(sla_clock_minutes(&wall, MON + 18 * H, MON + DAY + 8 * H), 840, "wall-clock time counts the night");
	is_int(sla_clock_minutes(&none, MON, MON + H), 60, "no calendar: wall-clock time");
	for (int64_t m = 0; m <= 3000; m += 97) {
		int64_t at = sla_clock_add(&c2, MON + 4 * DAY + 21 * H, m);
		if (sla_clock_minutes(&c2, MON + 4 * DAY + 21 * H, at) != m) {
			ok(0, "adding %lld minutes and counting them back agrees", (long long)m);
			break;
		}
		if (m + 97 > 3000)
			ok(1, "adding up to 3000 minutes from Friday 21:00 and counting them back agrees");
	}

	is_int(sla_clock_next_open(&c1, MON + 4 * DAY + 18 * H), MON + 7 * DAY + 9 * H,
	       "Friday 18:00: the next opening is Monday 09:00");
	is_int(sla_clock_next_open(&c1, MON + DAY + 10 * H), MON + DAY + 10 * H, "open now: now");
	is_int(sla_clock_next_open(&c2, MON + 3 * DAY + 9 * H), MON + 3 * DAY + 14 * H,
	       "the office's holiday: New York opens at 14:00 UTC");
	is_int(sla_clock_next_open(&wall, MON + 4 * DAY + 20 * H), MON + 7 * DAY + 9 * H,
	       "a wall-clock target's reminder also waits for the morning");
	is_int(sla_clock_next_open(&none, MON + 3 * H), MON + 3 * H, "no calendar: any time");
	calendar_free(office);
	calendar_free(ny);
}

static void test_words(void)
{
	static const struct { int64_t minutes; const char *locale, *want; } cases[] = {
		{ 0, "en", "1 minute" }, { 35, "en", "35 minutes" }, { 155, "en", "2 hours, 35 minutes" },
		{ 153, "en", "2 hours, 35 minutes" }, { 120, "de", "2 Stunden" }, { 61, "fr", "1\u00a0heure" },
		{ 150, "pt_BR", "2 horas e 30 minutos" }, { 605, "en", "10 hours" }, { 2400, "en", "40 hours" },
		{ 90, "ja", "1 時間 30 分" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *w = duration_words(cases[i].minutes, cases[i].locale);
		is_str(w, cases[i].want, "%lld minutes in %s", (long long)cases[i].minutes, cases[i].locale);
		g_free(w);
	}
	ok(duration_words(10, "not a locale!") == NULL, "a locale ICU cannot read: no words");
}

static void test_parse(void)
{
	struct remind_levels r = { 0 };
	char *error = NULL;

	ok(remind_parse("75%, 50%: assignee; 150%: manager@Example.com, agents; 100%: assignee, lead@example.com",
			&r, &error), "the issue's example parses");
	ok(r.n == 4 && r.levels[0].percent == 50 && r.levels[1].percent == 75 && r.levels[2].percent == 100 &&
	   r.levels[3].percent == 150, "levels in ascending order");
	ok(r.n == 4 && strcmp(r.levels[3].recipients[0], "manager@example.com") == 0 &&
	   strcmp(r.levels[3].recipients[1], "agents") == 0 && r.levels[3].recipients[2] == NULL,
	   "recipients normalized, in order");
	ok(remind_parse("none", &r, NULL) && r.n == 0, "none: no reminders");
	static const struct { const char *text, *why; } bad[] = {
		{ "50%", "LEVELS: RECIPIENTS" }, { "50: assignee", "not a level" }, { "0%: assignee", "not a level" },
		{ "1001%: assignee", "not a level" }, { "50%: boss", "not a recipient" }, { "50%:", "names nobody" },
		{ "50%: assignee; 50%: agents", "given twice" }, { "", "no level" }, { ";", "no level" },
		{ "50%: a@b c@d", "not a recipient" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		bool parsed = remind_parse(bad[i].text, &r, &error);
		ok(!parsed && error && strstr(error, bad[i].why), "\"%s\" is refused: %s", bad[i].text,
		   error ? error : "(no message)");
		g_clear_pointer(&error, g_free);
	}
	remind_levels_clear(&r);
}

static struct settings *load(struct fixture *f, const char *extra, GPtrArray *errors)
{
	char *base = NULL, *text, *path;
	struct settings *s;

	g_file_get_contents(f->config_path, &base, NULL, NULL);
	text = g_strconcat(base, "sla = s\ncalendars = office\n", extra, NULL);
	path = fixture_write(f, "reminders.conf", text);
	s = settings_load(path, 0, errors);
	g_free(path);
	g_free(text);
	g_free(base);
	return s;
}

static void test_settings(void)
{
	struct fixture f;
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct settings *s;

	fixture_setup(&f, NULL);
	s = load(&f, "[sla s]\nfirst-response = 8h\nremind = 50%: assignee\nremind-resolution = 100%: agents\n"
		 "urgent.remind = 25%: lead@example.com\nhigh.remind-first-response = none\n"
		 "[calendar office]\ntimezone = UTC\nhours = mon-fri 09:00-17:00\nagents = alice@example.com, carol\n"
		 "[agent carol]\naddress = Carol@Example.com\nlocale = pt_br\ntimezone = America/Sao_Paulo\n"
		 "[agent bob@example.com]\nlocale = de\n", errors);
	ok(s != NULL, "reminders, [agent] sections and calendar agents load%s%s", errors->len ? ": " : "",
	   errors->len ? (char *)g_ptr_array_index(errors, 0) : "");
	if (s) {
		const struct sla_policy *p = &s->slas[1];
		ok(p->remind_first_response[PRIORITY_NORMAL].n == 1 &&
		   p->remind_first_response[PRIORITY_NORMAL].levels[0].percent == 50, "remind: the first response");
		ok(p->remind_resolution[PRIORITY_NORMAL].n == 1 && p->remind_resolution[PRIORITY_NORMAL].levels[0].percent == 100,
		   "remind-resolution replaces it for the resolution");
		ok(p->remind_first_response[PRIORITY_URGENT].levels[0].percent == 25 &&
		   p->remind_resolution[PRIORITY_URGENT].levels[0].percent == 25,
		   "urgent.remind wins over remind-resolution for urgent tickets");
		ok(p->remind_first_response[PRIORITY_HIGH].n == 0 && p->remind_resolution[PRIORITY_HIGH].n == 1,
		   "high.remind-first-response = none: none for that one only");
		ok(p->remind_first_response[PRIORITY_LOW].levels[0].percent == 50, "low: the plain remind");
		ok(s->calendars[0].agents && strcmp(s->calendars[0].agents[1], "carol@example.com") == 0,
		   "a calendar's agent named by an [agent NAME] becomes its address");
		ok(settings_agent(s, "CAROL@example.com") && strcmp(settings_agent(s, "carol@example.com")->locale, "pt-BR") == 0,
		   "[agent carol] is found by its address, its locale made canonical");
		ok(settings_agent(s, "bob@example.com") && strcmp(settings_agent(s, "bob@example.com")->address,
								  "bob@example.com") == 0, "[agent ADDRESS] is its own address");
		ok(settings_agent(s, "dave@example.com") == NULL, "no section: NULL");
	}
	settings_unref(s);
	g_ptr_array_set_size(errors, 0);
	s = load(&f, "[sla s]\nfirst-response = 8h\nremind = 50%: boss\nfoo.remind = 50%: assignee\n"
		 "remind-foo = 1%: assignee\n[calendar office]\ntimezone = UTC\nhours = mon-fri 09:00-17:00\nagents = nobody\n"
		 "[agent dave]\nlocale = en_US_x_y_z\ntimezone = Mars/Olympus\n", errors);
	ok(s == NULL && errors->len == 7, "seven problems, each reported (%u)", errors->len);
	{
		static const char *const expected[] = {
			"remind: \"boss\" is not a recipient", "unknown priority \"foo\"", "unknown key \"remind-foo\"",
			"[agent dave] needs address", "locale \"en_US_x_y_z\"", "Mars/Olympus",
			"\"nobody\" is neither an address nor the NAME",
		};
		for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
			bool found = false;
			for (guint j = 0; j < errors->len; j++)
				found = found || (strstr(g_ptr_array_index(errors, j), expected[i]) &&
						  strstr(g_ptr_array_index(errors, j), "reminders.conf:"));
			ok(found, "FILE:LINE: ... %s", expected[i]);
		}
	}
	settings_unref(s);
	g_ptr_array_free(errors, TRUE);
	fixture_teardown(&f);
}

int main(void)
{
	test_clock();
	test_words();
	test_parse();
	test_settings();
	return tap_done();
}
