/* test_promise.c - the response-time promise reads naturally in each of
 * the customer locales: ICU's own words for days and months, the zone or
 * UTC offset named, short waits as relative phrases.  Expected fragments
 * are what ICU 72 (CLDR 42) produces; each names a part a customer reads. */
#include "config.h"
#include "tap.h"
#include "calendar/calendar.h"

#include <glib.h>
#include <unicode/uclean.h>

/* Monday 2 March 2026 13:00 UTC: 18:45 in +05:45, Tuesday 02:00 in +13:00. */
#define MONDAY_1300Z INT64_C(1772456400)
/* Monday 6 July 2026 12:00 UTC: summer time in Berlin and New York. */
#define JULY_MONDAY_1200Z INT64_C(1783339200)

#define OFFSET_0545 (5 * 60 + 45)
#define OFFSET_1300 (13 * 60)

struct locale_case {
	const char *locale;
	const char *weekday;	/* Monday */
	const char *month;	/* March, as used with a day */
	const char *clock;	/* 18:45, in the locale's hour cycle and digits */
	const char *offset;	/* +05:45 as the locale names it */
};

static const struct locale_case locale_cases[] = {
	{ "en", "Monday", "March", "6:45", "GMT+5:45" },
	{ "tr", "Pazartesi", "Mart", "18:45", "GMT+5:45" },
	{ "de", "Montag", "März", "18:45", "GMT+5:45" },
	{ "fr", "lundi", "mars", "18:45", "UTC+5:45" },
	{ "es", "lunes", "marzo", "18:45", "GMT+5:45" },
	{ "pt-BR", "segunda-feira", "março", "18:45", "GMT+5:45" },
	{ "it", "lunedì", "marzo", "18:45", "GMT+5:45" },
	{ "nl", "maandag", "maart", "18:45", "GMT+5:45" },
	{ "ru", "понедельник", "марта", "18:45", "GMT+5:45" },
	{ "ja", "月曜日", "3月", "18:45", "GMT+5:45" },
	{ "zh-CN", "星期一", "3月", "18:45", "GMT+5:45" },
	{ "ar", "الاثنين", "مارس", "٦:٤٥", "+٥:٤٥" },
	{ "ko", "월요일", "3월", "6:45", "GMT+5:45" },
	{ "pl", "poniedziałek", "marca", "18:45", "GMT+5:45" },
};

static bool valid_text(const char *s)
{
	return s && *s && g_utf8_validate(s, -1, NULL);
}

/* Every fragment (NULL-terminated list) occurs in text. */
static bool contains_all(const char *text, const char *const *fragments)
{
	if (!text)
		return false;
	for (; *fragments; fragments++)
		if (!strstr(text, *fragments))
			return false;
	return true;
}

static void check_time(int64_t t, const char *locale, const char *zone, int offset, const char *const *fragments,
		       const char *name)
{
	char *text = promise_format_time(t, locale, zone, offset);

	if (!ok(contains_all(text, fragments), "%s: %s", name, text ? text : "(null)"))
		for (; *fragments; fragments++)
			tap_diag("  want fragment: %s", *fragments);
	g_free(text);
}

static void test_all_locales_at_0545(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(locale_cases); i++) {
		const struct locale_case *c = &locale_cases[i];
		char *text = promise_format_time(MONDAY_1300Z, c->locale, NULL, OFFSET_0545);
		const char *fragments[] = { c->weekday, c->month, c->clock, c->offset, NULL };
		char *pattern = promise_time_pattern(c->locale);
		char *with = promise_format_time_with(MONDAY_1300Z, c->locale, NULL, OFFSET_0545, pattern);

		is_str(with, text, "%s: the same with the pattern prepared beforehand", c->locale);
		g_free(pattern);
		g_free(with);

		ok(valid_text(text), "%s +05:45: non-empty valid UTF-8", c->locale);
		if (!ok(contains_all(text, fragments), "%s +05:45: %s", c->locale, text ? text : "(null)"))
			tap_diag("  want %s, %s, %s, %s", c->weekday, c->month, c->clock, c->offset);
		g_free(text);
	}
}

static void test_named_zones_and_offsets(void)
{
	check_time(MONDAY_1300Z, "de", "Europe/Berlin", 0,
		   (const char *[]){ "Montag", "2. März 2026", "14:00", "MEZ", NULL }, "de Europe/Berlin, winter");
	check_time(JULY_MONDAY_1200Z, "de", "Europe/Berlin", 0,
		   (const char *[]){ "Montag", "6. Juli 2026", "14:00", "MESZ", NULL }, "de Europe/Berlin, summer");
	check_time(MONDAY_1300Z, "en", "America/New_York", 0,
		   (const char *[]){ "Monday", "March 2, 2026", "8:00", "AM", "EST", NULL },
		   "en America/New_York, winter");
	check_time(JULY_MONDAY_1200Z, "en", "America/New_York", 0,
		   (const char *[]){ "Monday", "July 6, 2026", "8:00", "EDT", NULL }, "en America/New_York, summer");
	check_time(MONDAY_1300Z, "ja", "Asia/Tokyo", 0,
		   (const char *[]){ "2026年3月2日", "月曜日", "22:00", NULL }, "ja Asia/Tokyo");
	check_time(MONDAY_1300Z, "tr", "Europe/Istanbul", 0,
		   (const char *[]){ "2 Mart 2026 Pazartesi", "16:00", "GMT+3", NULL }, "tr Europe/Istanbul");
	/* +13:00 moves the date: Tuesday 3 March, 02:00. */
	check_time(MONDAY_1300Z, "en", NULL, OFFSET_1300,
		   (const char *[]){ "Tuesday", "March 3, 2026", "2:00", "AM", "GMT+13", NULL }, "en +13:00");
	check_time(MONDAY_1300Z, "de", NULL, OFFSET_1300,
		   (const char *[]){ "Dienstag", "3. März 2026", "02:00", "GMT+13", NULL }, "de +13:00");
	check_time(MONDAY_1300Z, "ja", NULL, OFFSET_1300,
		   (const char *[]){ "2026年3月3日", "火曜日", "2:00", "GMT+13", NULL }, "ja +13:00");
	check_time(MONDAY_1300Z, "en", NULL, -(3 * 60 + 30),
		   (const char *[]){ "Monday", "9:30", "GMT-3:30", NULL }, "en -03:30");
	check_time(MONDAY_1300Z, "en", NULL, 0, (const char *[]){ "1:00", "PM", "GMT", NULL }, "en +00:00");
	check_time(MONDAY_1300Z, "en", "UTC", 0, (const char *[]){ "1:00", "PM", "UTC", NULL }, "en UTC by name");
}

static void test_locale_forms_and_refusals(void)
{
	char *dash = promise_format_time(MONDAY_1300Z, "pt-BR", NULL, OFFSET_0545);
	char *underscore = promise_format_time(MONDAY_1300Z, "pt_BR", NULL, OFFSET_0545);
	char *none = promise_format_time(MONDAY_1300Z, NULL, NULL, OFFSET_0545);
	char *en = promise_format_time(MONDAY_1300Z, "en", NULL, OFFSET_0545);
	char *bad;

	is_str(underscore, dash, "pt_BR reads like pt-BR");
	is_str(none, en, "no locale means en");
	g_free(dash);
	g_free(underscore);
	g_free(none);
	g_free(en);
	bad = promise_format_time(MONDAY_1300Z, "en", "Mars/Olympus_Mons", 0);
	ok(!bad, "unknown zone: NULL, not a silent GMT");
	g_free(bad);
	bad = promise_format_time(MONDAY_1300Z, "en", NULL, 19 * 60);
	ok(!bad, "offset beyond +18:00: NULL");
	g_free(bad);
	bad = promise_format_time(MONDAY_1300Z, "!!", NULL, 0);
	ok(!bad, "unreadable locale tag: NULL");
	g_free(bad);
}

struct relative_case {
	const char *locale;
	int64_t wait_seconds;
	const char *want;
};

static const struct relative_case relative_cases[] = {
	{ "en", 30 * 60, "in 30 minutes" },
	{ "en", 2 * 3600, "in 2 hours" },
	{ "en", 0, "in 1 minute" },
	{ "en", 3 * 60 + 10, "in 4 minutes" },
	{ "en", 61 * 60, "in 65 minutes" },
	{ "en", 90 * 60, "in 90 minutes" },
	{ "en", 118 * 60, "in 2 hours" },
	{ "en", 2 * 3600 + 10 * 60, "in 2.5 hours" },
	{ "en", 3 * 3600, "in 3 hours" },
	{ "de", 30 * 60, "in 30 Minuten" },
	{ "de", 2 * 3600, "in 2 Stunden" },
	{ "de", 2 * 3600 + 1, "in 2,5 Stunden" },
	{ "ja", 30 * 60, "30 分後" },
	{ "ja", 2 * 3600, "2 時間後" },
	{ "tr", 2 * 3600, "2 saat sonra" },
	{ "ar", 2 * 3600, "خلال ساعتين" },
	{ "ru", 2 * 3600, "через 2 часа" },
	{ "pl", 30 * 60, "za 30 minut" },
};

static void test_relative(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(relative_cases); i++) {
		const struct relative_case *c = &relative_cases[i];
		char *text = promise_format_relative(MONDAY_1300Z, MONDAY_1300Z + c->wait_seconds, c->locale, 240);

		is_str(text, c->want, "%s, wait %" G_GINT64_FORMAT " s: %s", c->locale, c->wait_seconds, c->want);
		g_free(text);
	}
}

static void test_relative_limits(void)
{
	char *text = promise_format_relative(MONDAY_1300Z, MONDAY_1300Z + 240 * 60, "en", 240);

	is_str(text, "in 4 hours", "exactly max_minutes: a phrase");
	g_free(text);
	text = promise_format_relative(MONDAY_1300Z, MONDAY_1300Z + 240 * 60 + 1, "en", 240);
	ok(!text, "a second beyond max_minutes: NULL");
	g_free(text);
	text = promise_format_relative(MONDAY_1300Z, MONDAY_1300Z + 3 * 86400, "de", 8 * 60);
	ok(!text, "three days with max 8 h: NULL");
	g_free(text);
	text = promise_format_relative(MONDAY_1300Z, MONDAY_1300Z - 60, "en", 240);
	ok(!text, "due before now: NULL");
	g_free(text);
	text = promise_format_relative(MONDAY_1300Z, MONDAY_1300Z + 60, "en", -1);
	ok(!text, "negative max_minutes: NULL");
	g_free(text);
	text = promise_format_relative(INT64_MIN, INT64_MAX, "en", INT64_MAX);
	ok(!text || valid_text(text), "extreme times do not overflow");
	g_free(text);
	text = promise_format_relative(MONDAY_1300Z, MONDAY_1300Z + 60, "!!", 240);
	ok(!text, "unreadable locale tag: NULL");
	g_free(text);
	for (size_t i = 0; i < G_N_ELEMENTS(locale_cases); i++) {
		const char *locale = locale_cases[i].locale;
		char *half_hour = promise_format_relative(MONDAY_1300Z, MONDAY_1300Z + 30 * 60, locale, 240);
		char *two_hours = promise_format_relative(MONDAY_1300Z, MONDAY_1300Z + 2 * 3600, locale, 240);

		ok(valid_text(half_hour) && valid_text(two_hours), "%s relative: %s | %s", locale,
		   half_hour ? half_hour : "(null)", two_hours ? two_hours : "(null)");
		g_free(half_hour);
		g_free(two_hours);
	}
}

/* The milter formats from many threads: same answers as one thread. */
#define THREADS 4

static gpointer thread_format(gpointer data)
{
	const char *const *expected = data;
	gsize mismatches = 0;

	for (int round = 0; round < 10; round++)
		for (size_t i = 0; i < G_N_ELEMENTS(locale_cases); i++) {
			char *text = promise_format_time(MONDAY_1300Z, locale_cases[i].locale, "Europe/Berlin", 0);
			mismatches += g_strcmp0(text, expected[i]) != 0;
			g_free(text);
		}
	return GSIZE_TO_POINTER(mismatches);
}

static void test_threads(void)
{
	char *expected[G_N_ELEMENTS(locale_cases)];
	GThread *threads[THREADS];
	gsize mismatches = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(locale_cases); i++)
		expected[i] = promise_format_time(MONDAY_1300Z, locale_cases[i].locale, "Europe/Berlin", 0);
	for (int i = 0; i < THREADS; i++)
		threads[i] = g_thread_new("promise", thread_format, expected);
	for (int i = 0; i < THREADS; i++)
		mismatches += GPOINTER_TO_SIZE(g_thread_join(threads[i]));
	is_int(mismatches, 0, "%d threads formatting at once agree", THREADS);
	for (size_t i = 0; i < G_N_ELEMENTS(locale_cases); i++)
		g_free(expected[i]);
}

/* One formatter per locale, reused across zones, offsets and times in
 * turn, writes what a fresh one writes each time: the zone of the last
 * call never leaks into the next, a zone met again (the formatter keeps
 * the last one's calendar) is still right at another time, and so is
 * the zone before a refused one. */
static void test_reused_formatter(void)
{
	static const char *const zones[] = { "Europe/Berlin", "Europe/Berlin", NULL, NULL, "America/New_York",
					     "Asia/Kolkata", "UTC", NULL, NULL, "Australia/Lord_Howe", "Not/AZone",
					     "Australia/Lord_Howe", NULL };
	static const int offsets[] = { 0, 0, OFFSET_0545, OFFSET_0545, 0, 0, 0, -210, 210, 0, 0, 0, 0 };
	G_STATIC_ASSERT(G_N_ELEMENTS(zones) == G_N_ELEMENTS(offsets));
	unsigned differ = 0, calls = 0, refused = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(locale_cases); i++) {
		const char *locale = locale_cases[i].locale;
		char *pattern = promise_time_pattern(locale);
		struct promise_formatter *f = promise_formatter_new(locale, pattern);

		for (int round = 0; round < 2; round++)
			for (size_t z = 0; z < G_N_ELEMENTS(zones); z++) {
				/* Neighbours in different seasons: a kept calendar crosses DST. */
				int64_t t = ((round + z) % 2 ? JULY_MONDAY_1200Z : MONDAY_1300Z) + (int64_t)z * 7919;
				char *fresh = promise_format_time_with(t, locale, zones[z], offsets[z], pattern);
				char *reused = f ? promise_formatter_format(f, t, zones[z], offsets[z]) : NULL;

				calls++;
				refused += fresh == NULL;
				if (g_strcmp0(fresh, reused) != 0) {
					differ++;
					tap_diag("%s %s: fresh \"%s\", reused \"%s\"", locale, zones[z] ? zones[z] : "offset",
						 fresh ? fresh : "(null)", reused ? reused : "(null)");
				}
				g_free(fresh);
				g_free(reused);
			}
		promise_formatter_free(f);
		g_free(pattern);
	}
	ok(differ == 0 && refused == 2 * G_N_ELEMENTS(locale_cases),
	   "a reused formatter: %u calls over %zu locales, %u differ from a fresh one, %u refused (the unknown zone)",
	   calls, G_N_ELEMENTS(locale_cases), differ, refused);
}

/* A text longer than the first buffer ICU is given is written whole. */
static void test_long_text(void)
{
	GString *pattern = g_string_new("EEEE '");
	char *text;

	for (int i = 0; i < 40; i++)
		g_string_append(pattern, "long ");
	g_string_append(pattern, "end' HH:mm");
	text = promise_format_time_with(MONDAY_1300Z, "en", "UTC", 0, pattern->str);
	ok(text && g_str_has_prefix(text, "Monday long long ") && g_str_has_suffix(text, "long end 13:00") &&
	   strlen(text) == strlen("Monday ") + 40 * 5 + strlen("end 13:00"),
	   "a %zu-character text is written whole", text ? strlen(text) : 0);
	g_free(text);
	g_string_free(pattern, TRUE);
}

/* A formatter's relative phrases, its ICU formatter kept between calls,
 * are what the one-off function writes: every locale, waits from a
 * minute to past the limit, and a time already past. */
static void test_reused_relative(void)
{
	static const int64_t waits[] = { 60, 61, 9 * 60, 65 * 60, 2 * 3600, 150 * 60 + 1, 240 * 60, 240 * 60 + 1, -60 };
	unsigned differ = 0, phrases = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(locale_cases); i++) {
		const char *locale = locale_cases[i].locale;
		struct promise_formatter *f = promise_formatter_new(locale, NULL);

		for (size_t w = 0; w < G_N_ELEMENTS(waits); w++) {
			char *fresh = promise_format_relative(MONDAY_1300Z, MONDAY_1300Z + waits[w], locale, 240);
			char *reused = f ? promise_formatter_relative(f, MONDAY_1300Z, MONDAY_1300Z + waits[w], 240) : NULL;

			phrases += fresh != NULL;
			if (g_strcmp0(fresh, reused) != 0) {
				differ++;
				tap_diag("%s %lld s: fresh \"%s\", reused \"%s\"", locale, (long long)waits[w],
					 fresh ? fresh : "(null)", reused ? reused : "(null)");
			}
			g_free(fresh);
			g_free(reused);
		}
		promise_formatter_free(f);
	}
	ok(differ == 0 && phrases == 7 * G_N_ELEMENTS(locale_cases),
	   "a reused formatter's relative phrases: %u differ from a fresh one's, %u phrases over %zu locales",
	   differ, phrases, G_N_ELEMENTS(locale_cases));
}

int main(void)
{
	test_all_locales_at_0545();
	test_reused_formatter();
	test_named_zones_and_offsets();
	test_locale_forms_and_refusals();
	test_relative();
	test_relative_limits();
	test_reused_relative();
	test_long_text();
	test_threads();
	/* ICU keeps its data caches until told otherwise; LeakSanitizer would
	 * report them. */
	u_cleanup();
	return tap_done();
}
