/*
 * test_zone.c - the customer's time zone: inferred from the Date offset
 * and the country (zone_guess.c), kept for them unless an agent set one
 * (customer_zone.c, customer_tz.c), and the promise shown in it across
 * both daylight-saving changes of 2026 in Berlin and New York: a message
 * on the Friday before, a promise for the Monday after, in that Monday's
 * wall-clock time (the Date offset alone shows it an hour off).
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "calendar/calendar.h"
#include "engine/customer_zone.h"
#include "calendar/zone_guess.h"

#include <glib.h>
#include <sqlite3.h>
#include <string.h>

static struct fixture f;

/* Unix time of a UTC date and time. */
static int64_t utc(int year, int month, int day, int hour, int minute)
{
	GDateTime *t = g_date_time_new_utc(year, month, day, hour, minute, 0);
	int64_t unix_time = g_date_time_to_unix(t);

	g_date_time_unref(t);
	return unix_time;
}

static void check_guess(const char *domain, const char *locale, int64_t when, int offset, const char *want,
			const char *what)
{
	char *got = zone_guess(domain, locale, when, offset);

	is_str(got, want, "%s", what);
	g_free(got);
}

static void test_inference(void)
{
	int64_t march_27 = utc(2026, 3, 27, 9, 0), january = utc(2026, 1, 15, 15, 0), july = utc(2026, 7, 15, 15, 0);
	char *got;

	check_guess("example.de", "de", march_27, 60, "Europe/Berlin", "DE at +0100 in March: Europe/Berlin");
	check_guess("example.de", "de", utc(2026, 3, 30, 9, 0), 120, "Europe/Berlin", "DE at +0200 after the change");
	check_guess("example.de", "de", march_27, 120, NULL, "DE at +0200 before the change: no zone (keep the offset)");
	/* US -0500: Eastern in winter, Central in summer; of the Eastern
	 * zones (Detroit, Indiana, Kentucky, New York...) CLDR's primary. */
	check_guess("example.us", "en", january, -300, "America/New_York", "US at -0500 in January: America/New_York");
	check_guess("example.us", "en", july, -300, "America/Chicago", "US at -0500 in July: America/Chicago");
	check_guess("example.us", "en", july, -240, "America/New_York", "US at -0400 in July: America/New_York");
	/* The hour of 1 November when New York is back on EST and Chicago
	 * still on CDT: both -0500; the first of ICU's list that is its
	 * region's primary zone. */
	check_guess("example.us", "en", utc(2026, 11, 1, 6, 30), -300, "America/Chicago",
		    "US at -0500 in the hour both Eastern and Central are: decided the same way every time");
	got = zone_guess_in_country("US", january, -300);
	is_str(got, "America/New_York", "New York rather than Detroit, the first Eastern zone of ICU's list");
	g_free(got);
	/* Generic domains: the locale's country. */
	check_guess("example.com", "de", march_27, 60, "Europe/Berlin", ".com: the locale de gives DE");
	check_guess("example.com", "en", january, -300, "America/New_York", ".com: the locale en gives US");
	check_guess("example.com", "pt-BR", march_27, -180, "America/Sao_Paulo", ".com: pt-BR gives BR");
	check_guess("example.com", "ja", march_27, 540, "Asia/Tokyo", ".com: ja gives JP");
	check_guess("mail.example.co.uk", "de", january, 0, "Europe/London", ".uk is GB, before the locale");
	/* +0000 is also what UTC-only clients write: only a country on UTC
	 * everywhere then is inferred from it. */
	check_guess("example.es", "es", january, 0, NULL, "ES at +0000: not the Canary Islands, no zone");
	check_guess("example.pt", "pt", january, 0, NULL, "PT at +0000: the Azores are not, so no zone");
	check_guess("example.ie", "en", january, 0, "Europe/Dublin", "IE at +0000 in January: Europe/Dublin");
	check_guess("example.de", "en", january, -300, "America/New_York",
		    "the domain's country does not fit: the locale's is tried");
	check_guess("example.de", "de", march_27, 330, NULL, "no zone of any candidate country fits: none");
	check_guess("example.com", NULL, march_27, 60, NULL, "neither country known: none");
	check_guess(NULL, "xx", march_27, 60, NULL, "an unknown language gives no country");
	check_guess("example.eu", "en", march_27, 60, NULL, ".eu is no country; en's US has no +0100");

	ok(zone_has_offset("Europe/Berlin", utc(2026, 3, 30, 9, 0), 120), "Berlin is +0200 on 30 March");
	ok(!zone_has_offset("Europe/Berlin", march_27, 120), "and +0100 on 27 March");
	ok(!zone_has_offset("Mars/Olympus", march_27, 0), "an unknown zone has no offset (ICU would say GMT)");
	ok(!zone_has_offset(NULL, march_27, 0), "no zone has no offset");
}

/* A customer's row, and a message of theirs written at date (RFC 5322). */
static struct message *customer_message(const char *address, const char *date)
{
	char *text = g_strdup_printf("From: <%s>\nTo: support@example.com\nSubject: Hallo\nDate: %s\n\nHallo\n",
				     address, date);
	struct message *m = fixture_message(text);
	int64_t id;

	store_customer_upsert(f.store, address, NULL, m->date, &id);
	g_free(text);
	return m;
}

static void check_stored(const char *address, const char *zone, const char *source, const char *what)
{
	char *locale = NULL, *stored = NULL, *stored_source = NULL;

	store_customer_prefs(f.store, address, &locale, &stored);
	store_customer_timezone_source(f.store, address, &stored_source);
	is_str(stored, zone, "%s: zone", what);
	is_str(stored_source, source, "%s: source", what);
	g_free(locale);
	g_free(stored);
	g_free(stored_source);
}

/* The zone customer_zone() gives for a message of address at date, with
 * what is stored for them. */
static char *zone_for(const char *address, const char *date, const char *locale)
{
	struct message *m = customer_message(address, date);
	char *locale_pref = NULL, *stored = NULL, *zone = NULL;

	store_customer_prefs(f.store, address, &locale_pref, &stored);
	if (customer_zone(f.store, address, stored, m, locale, &zone) != 0)
		tap_diag("store error: %s", store_error(f.store));
	g_free(locale_pref);
	g_free(stored);
	message_free(m);
	return zone;
}

static void test_stored(void)
{
	char *zone;

	zone = zone_for("kunde@example.de", "Fri, 27 Mar 2026 10:00:00 +0100", "de");
	is_str(zone, "Europe/Berlin", "inferred for a German customer");
	g_free(zone);
	check_stored("kunde@example.de", "Europe/Berlin", "inferred", "kept for them");

	/* The agent's #tz. */
	store_customer_set_timezone(f.store, "kunde@example.de", "Asia/Tokyo");
	check_stored("kunde@example.de", "Asia/Tokyo", "agent", "#tz");
	zone = zone_for("kunde@example.de", "Fri, 27 Mar 2026 10:00:00 +0100", "de");
	is_str(zone, "Asia/Tokyo", "an agent's zone is used even when the Date offset disagrees");
	g_free(zone);
	check_stored("kunde@example.de", "Asia/Tokyo", "agent", "and no inference replaces it");
	ok(store_customer_infer_timezone(f.store, "kunde@example.de", "Europe/Berlin") == 0, "an inference");
	check_stored("kunde@example.de", "Asia/Tokyo", "agent", "is refused by the store itself");

	/* A zone stored before schema 5 (no source): an agent's. */
	zone = zone_for("old@example.de", "Fri, 27 Mar 2026 10:00:00 +0100", "de");
	g_free(zone);
	{
		sqlite3 *db;

		sqlite3_open(f.settings->database, &db);
		sqlite3_busy_timeout(db, 5000);
		sqlite3_exec(db, "UPDATE customers SET timezone = 'America/Denver', timezone_source = NULL "
				 "WHERE address = 'old@example.de'", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	zone = zone_for("old@example.de", "Fri, 27 Mar 2026 10:00:00 +0100", "de");
	is_str(zone, "America/Denver", "a zone without a source (before schema 5) is an agent's");
	g_free(zone);
	check_stored("old@example.de", "America/Denver", NULL, "and is left alone");

	/* An inferred zone the next message contradicts. */
	zone = zone_for("reisende@example.de", "Fri, 27 Mar 2026 10:00:00 +0100", "de");
	g_free(zone);
	zone = zone_for("reisende@example.de", "Mon, 30 Mar 2026 10:00:00 +0200", "de");
	is_str(zone, "Europe/Berlin", "the inferred zone agrees with +0200 after the change");
	g_free(zone);
	zone = zone_for("reisende@example.de", "Tue, 31 Mar 2026 10:00:00 -0400", "en");
	is_str(zone, "America/New_York", "contradicted by -0400 and locale en: inferred again");
	g_free(zone);
	check_stored("reisende@example.de", "America/New_York", "inferred", "and replaced");
	zone = zone_for("reisende@example.de", "Wed, 01 Apr 2026 10:00:00 +0530", "de");
	ok(zone == NULL, "no zone fits +0530 for DE or the locale: none (the Date offset is shown)");
	g_free(zone);
	check_stored("reisende@example.de", "America/New_York", "inferred", "the stored one stays for later");

	/* No Date header: nothing to infer from. */
	{
		struct message *m = fixture_message("From: <nodate@example.de>\nSubject: x\n\nHallo\n");
		int64_t id;

		store_customer_upsert(f.store, "nodate@example.de", NULL, 1, &id);
		ok(customer_zone(f.store, "nodate@example.de", NULL, m, "de", &zone) == 0 && zone == NULL,
		   "no Date header: no zone");
		check_stored("nodate@example.de", NULL, NULL, "nothing stored");
		message_free(m);
	}
}

/* One daylight-saving change: a customer writes on the Friday before, the
 * team's calendar puts the promise on the Monday after. */
struct change {
	const char *what, *address, *date, *locale;
	const char *calendar_zone, *hours;
	int64_t business_minutes;
	const char *want_day, *want_time, *want_zone;	/* in the promise text */
	const char *offset_time;	/* what the Date offset alone shows */
};

static void test_change(const struct change *c)
{
	struct calendar *cal = calendar_parse(c->calendar_zone, c->hours, NULL, NULL);
	struct message *m = customer_message(c->address, c->date);
	char *zone = NULL, *text, *by_offset;
	int64_t due = sla_due(&cal, 1, m->date, c->business_minutes, false);

	int rc = customer_zone(f.store, c->address, NULL, m, c->locale, &zone);

	ok(rc == 0 && zone != NULL, "%s: a zone (%s)", c->what, zone ? zone : "none");
	text = promise_format_time(due, c->locale, zone, 0);
	by_offset = promise_format_time(due, c->locale, NULL, m->date_offset);
	ok(text && strstr(text, c->want_day) && strstr(text, c->want_time) && strstr(text, c->want_zone),
	   "%s: promised \"%s\"", c->what, text ? text : "(null)");
	ok(by_offset && strstr(by_offset, c->offset_time) && !strstr(by_offset, c->want_time),
	   "%s: the Date offset alone said \"%s\"", c->what, by_offset ? by_offset : "(null)");
	g_free(text);
	g_free(by_offset);
	g_free(zone);
	message_free(m);
	calendar_free(cal);
}

static void test_changes(void)
{
	static const struct change changes[] = {
		{ "Berlin, March", "maerz@example.de", "Fri, 27 Mar 2026 10:00:00 +0100", "de",
		  "Europe/Berlin", "mon-fri 09:00-18:00", 10 * 60,
		  "Montag, 30. März 2026", "11:00", "MESZ", "10:00" },
		{ "Berlin, October", "oktober@example.de", "Fri, 23 Oct 2026 10:00:00 +0200", "de",
		  "Europe/Berlin", "mon-fri 09:00-18:00", 10 * 60,
		  "Montag, 26. Oktober 2026", "11:00", "MEZ", "12:00" },
		{ "New York, March", "march@example.com", "Fri, 06 Mar 2026 10:00:00 -0500", "en",
		  "America/New_York", "mon-fri 09:00-17:00", 9 * 60,
		  "Monday, March 9, 2026", "11:00", "EDT", "10:00" },
		{ "New York, November", "november@example.com", "Fri, 30 Oct 2026 10:00:00 -0400", "en",
		  "America/New_York", "mon-fri 09:00-17:00", 9 * 60,
		  "Monday, November 2, 2026", "11:00", "EST", "12:00" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(changes); i++)
		test_change(&changes[i]);
}

int main(void)
{
	fixture_setup(&f, NULL);
	test_inference();
	test_stored();
	test_changes();
	fixture_teardown(&f);
	return tap_done();
}
