/* test_locale.c - the acknowledgement as each of the 14 shipped locales
 * renders it, through acknowledge() with the shipped templates, their
 * locale.conf and ICU: the promise reads as a native sentence (no
 * English or "GMT" words where the language has its own, the zone after
 * the time, "a las" in Spanish, each language's word order), the
 * culture defaults (escalation notice, returning customers), the
 * reviewed wording, and a locale answered with another's templates gets
 * that language's date.
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "engine/acknowledge.h"
#include "compose/assets.h"
#include "calendar/calendar.h"
#include "compose/template.h"

#include <glib.h>
#include <gmime/gmime.h>
#include <string.h>
#include <unicode/udat.h>
#include <unicode/ustring.h>

static struct fixture f;

/* Tuesday 15 December 2026, 12:00 UTC: the promise every case is due at,
 * give or take the customer's offset; made four hours ahead, so that the
 * relative phrase shows too. */
#define DUE_NOON_UTC 1797336000
#define WAIT (4 * 3600)

/* One shipped locale: a customer in its usual zone (the offset there in
 * December), and the sentence of the acknowledgement that states the
 * promise, as a native speaker writes it, for 12:00 local time. */
static const struct locale_case {
	const char *locale, *zone;
	int offset_hours;
	const char *sentence;
} cases[] = {
	{ "en", "America/New_York", -5,
	  "You’ll hear from us by Tuesday, December 15, 2026 at 12:00 PM EST (in 4 hours)." },
	{ "de", "Europe/Berlin", 1,
	  "Sie erhalten unsere Antwort bis spätestens Dienstag, 15. Dezember 2026 um 12:00 Uhr MEZ (in 4 Stunden)." },
	{ "fr", "Europe/Paris", 1,
	  "Nous vous répondrons au plus tard le mardi 15 décembre 2026 à 12\u00a0h\u00a000 UTC+1 (dans 4 heures)." },
	{ "es", "Europe/Madrid", 1,
	  "Le responderemos a más tardar el martes 15 de diciembre de 2026 a las 12:00 CET (dentro de 4 horas)." },
	{ "pt-BR", "America/Sao_Paulo", -3,
	  "Você receberá nossa resposta até terça-feira, 15 de dezembro de 2026, às 12:00 BRT (em 4 horas)." },
	{ "it", "Europe/Rome", 1,
	  "Le risponderemo entro martedì 15 dicembre 2026 alle ore 12:00 CET (tra 4 ore)." },
	{ "nl", "Europe/Amsterdam", 1,
	  "U krijgt uiterlijk dinsdag 15 december 2026 om 12:00 uur CET (over 4 uur) antwoord van ons." },
	{ "ru", "Europe/Moscow", 3,
	  "Срок ответа: вторник, 15 декабря 2026 г. в 12:00 GMT+3 (через 4 часа)." },
	{ "ja", "Asia/Tokyo", 9,
	  "2026年12月15日（火）12:00（JST）までに（4 時間後）、担当者よりご連絡いたします。" },
	{ "zh-CN", "Asia/Shanghai", 8,
	  "我们将于2026年12月15日星期二 12:00（GMT+8）前给予您答复（即4小时后）。" },
	{ "ko", "Asia/Seoul", 9,
	  "2026년 12월 15일 화요일 오후 12:00(GMT+9)까지 답변을 드리겠습니다(지금으로부터 4시간 후)." },
	{ "ar", "Asia/Riyadh", 3,
	  "سنوافيكم بالرد في موعد أقصاه يوم الثلاثاء، ١٥ ديسمبر ٢٠٢٦، الساعة ١٢:٠٠ م بتوقيت غرينتش+٣ (خلال ٤ ساعات)." },
	{ "pl", "Europe/Warsaw", 1,
	  "Termin odpowiedzi: wtorek, 15 grudnia 2026 r., godz. 12:00 CET (za 4 godziny)." },
	{ "tr", "Europe/Istanbul", 3,
	  "Size en geç şu tarihe kadar yanıt vereceğiz: 15 Aralık 2026 Salı, saat 12:00 GMT+3 (4 saat sonra)." },
};

/* What an acknowledgement looks like once parsed back. */
struct ack {
	char *subject, *text, *html, *content_language;
};

static void ack_clear(struct ack *a)
{
	g_free(a->subject);
	g_free(a->text);
	g_free(a->html);
	g_free(a->content_language);
	memset(a, 0, sizeof *a);
}

static void find_parts(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct ack *a = data;
	GMimeContentType *type = g_mime_object_get_content_type(part);

	(void)parent;
	if (!GMIME_IS_TEXT_PART(part))
		return;
	if (a->text == NULL && g_mime_content_type_is_type(type, "text", "plain"))
		a->text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	else if (a->html == NULL && g_mime_content_type_is_type(type, "text", "html"))
		a->html = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
}

/* The newest outbox entry. */
static struct ack newest(void)
{
	GPtrArray *l = store_outbox_list(f.store, false, 1);
	struct ack a = { 0 };

	if (l->len > 0) {
		const struct outbox_entry *e = g_ptr_array_index(l, 0);
		gsize len;
		const char *data = g_bytes_get_data(e->message, &len);
		GMimeMessage *m = fixture_mime_parse(data, len);
		GMimeObject *top = g_mime_message_get_mime_part(m);
		const char *cl = g_mime_object_get_header(GMIME_OBJECT(m), "Content-Language");

		if (cl == NULL && top)
			cl = g_mime_object_get_header(top, "Content-Language");
		a.subject = g_strdup(g_mime_message_get_subject(m));
		a.content_language = g_strdup(cl);
		g_mime_message_foreach(m, find_parts, &a);
		g_object_unref(m);
	}
	g_ptr_array_free(l, TRUE);
	if (a.text == NULL)
		a.text = g_strdup("");
	return a;
}

/* Acknowledges a new ticket of customer (created as the ticket is, or at
 * first_seen when earlier) whose stored locale is locale, in zone (NULL:
 * none stored, the Date header's offset counts), promised for due. */
static struct ack acknowledge_one(const char *customer, const char *locale, const char *zone,
				  int date_offset_hours, int64_t due, int64_t first_seen)
{
	const struct queue *q = &f.settings->queues[0];
	struct store_ticket t = { 0 };
	struct ack_outcome out;
	struct envelope env = { .sender = customer, .queue_id = "Q", .now = due - WAIT };
	char *error = NULL, *mail;
	struct message *m;
	int64_t customer_id;
	static int serial;
	struct ack a = { 0 };

	mail = g_strdup_printf("From: Zoë O'Brien <%s>\nTo: support@example.com\nSubject: Printer on fire\n"
			       "Message-ID: <locale%d@example.org>\nDate: Tue, 15 Dec 2026 07:00:00 %+03d00\n\n"
			       "The printer is on fire.\n", customer, ++serial, date_offset_hours);
	m = fixture_message(mail);
	if (store_begin(f.store) != 0 ||
	    store_customer_upsert(f.store, customer, "Zoë O'Brien", first_seen ? first_seen : env.now, &customer_id) != 0 ||
	    store_ticket_create(f.store, "support", "SUP", "Printer on fire", customer_id, env.now, &t) != 0 ||
	    store_customer_set_locale(f.store, customer, locale) != 0 ||
	    (zone && store_customer_set_timezone(f.store, customer, zone) != 0) ||
	    acknowledge(f.settings, f.assets, f.store, q, m, &env, &t, ACK_NEW, EVIDENCE_CLAIMED, &out, &error) != 0 ||
	    store_commit(f.store) != 0 || !out.queued)
		tap_diag("%s: not acknowledged: %s %s", locale, error ? error : store_error(f.store),
			 out.skipped ? out.skipped : "");
	else
		a = newest();
	g_free(error);
	store_ticket_clear(&t);
	message_free(m);
	g_free(mail);
	return a;
}

/* The line of text holding needle, or "" (g_free). */
static char *line_with(const char *text, const char *needle)
{
	const char *hit = text && needle ? strstr(text, needle) : NULL, *start, *end;

	if (hit == NULL)
		return g_strdup("");
	for (start = hit; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(hit, '\n');
	return g_strndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* ICU's own text for pattern at t in zone, in locale: the reference the
 * checks below compare with (g_free). */
static char *icu(const char *locale, const char *zone, const char *pattern, int64_t t)
{
	UChar upattern[64], uzone[64], out[128];
	UErrorCode status = U_ZERO_ERROR;
	char *icu_locale = g_strdelimit(g_strdup(locale), "-", '_'), result[512];
	UDateFormat *fmt;

	u_strFromUTF8(upattern, 64, NULL, pattern, -1, &status);
	u_strFromUTF8(uzone, 64, NULL, zone, -1, &status);
	fmt = udat_open(UDAT_PATTERN, UDAT_PATTERN, icu_locale, uzone, -1, upattern, -1, &status);
	udat_format(fmt, (UDate)t * 1000.0, out, 128, NULL, &status);
	u_strToUTF8(result, sizeof result, NULL, out, -1, &status);
	udat_close(fmt);
	g_free(icu_locale);
	return g_strdup(U_SUCCESS(status) ? result : "?");
}

/* English words a date in another language must not hold. */
static const char *english_word(const char *text)
{
	static const char *const words[] = {
		"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
		"January", "February", "March", "April", "June", "July", "August", "September", "October",
		"November", "December", "Tue", "Dec", " AM", " PM", " at ",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
		if (strstr(text, words[i]))
			return words[i];
	return NULL;
}

/* Where the first time of day ("12:00", "١٢:٠٠", "12 h 00") starts, or -1. */
static long time_position(const char *text)
{
	GRegex *re = g_regex_new("[0-9٠-٩]{1,2}(:|\u00a0h\u00a0)[0-9٠-٩]{2}", 0, 0, NULL);
	GMatchInfo *match = NULL;
	int start = -1;

	if (g_regex_match(re, text, 0, &match))
		g_match_info_fetch_pos(match, 0, &start, NULL);
	g_match_info_free(match);
	g_regex_unref(re);
	return start;
}

/* Checks every locale's promise in one zone setting: what any native
 * reader would object to.  zone NULL: the Date header's offset. */
static void check_sentences(const char *what, const char *zone, int offset_hours, int64_t due)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct locale_case *c = &cases[i];
		const char *l = c->locale;
		char *customer = g_strdup_printf("%s-%s@example.org", what, l);
		char *icu_zone = zone ? g_strdup(zone) : g_strdup_printf("GMT%+03d:00", offset_hours);
		/* ICU's name of this zone in this language, and of the day */
		char *zone_name = icu(l, icu_zone, "z", due), *gmt = icu(l, "GMT+01:00", "O", due);
		char *year = icu(l, icu_zone, "y", due);
		struct ack a = acknowledge_one(customer, l, zone, offset_hours, due, 0);
		char *line = line_with(a.text, year);
		const char *english = strcmp(l, "en") != 0 ? english_word(line) : NULL;
		long at_time = time_position(line), at_zone = strstr(line, zone_name) ? strstr(line, zone_name) - line : -1;
		char *promise = assets_format_time(f.assets, f.settings, l, due, zone, offset_hours * 60);
		char *html_promise = g_strdup_printf("<strong>%s</strong>", promise ? promise : "?");

		ok(a.subject && g_str_has_prefix(a.subject, "[SUP-") && g_strcmp0(a.content_language, l) == 0,
		   "%s %s: acknowledged, Content-Language: %s", what, l, a.content_language);
		ok(*line && !strstr(a.text, "{{") && !strstr(a.text, "}}") && a.html && !strstr(a.html, "{{") &&
		   !strstr(a.subject ? a.subject : "{{", "{{"), "%s %s: every placeholder rendered: %s", what, l, line);
		ok(english == NULL, "%s %s: no English word in the date (%s)", what, l, english ? english : "none");
		/* Where the language has its own word for GMT (UTC in French,
		 * غرينتش in Arabic), "GMT" is English left in. */
		ok(strstr(gmt, "GMT") || !strstr(line, "GMT"), "%s %s: no \"GMT\" where the language says %s", what, l, gmt);
		ok(at_time >= 0 && at_zone > at_time, "%s %s: the zone (%s) comes after the time", what, l, zone_name);
		ok(promise && strstr(line, promise) && a.html && strstr(a.html, html_promise),
		   "%s %s: text and HTML state the same promise: %s", what, l, promise);
		if (strcmp(l, "es") == 0)
			ok(strstr(line, strstr(line, " 1:") ? " a la 1:" : " a las "), "%s es: \"a las\" (\"a la\" at one): %s",
			   what, line);
		if (strcmp(l, "pt-BR") == 0)
			ok(strstr(line, strstr(line, " 01:") ? " à 01:" : " às "), "%s pt-BR: \"às\" (\"à\" at one): %s",
			   what, line);
		g_free(line);
		g_free(promise);
		g_free(html_promise);
		ack_clear(&a);
		g_free(customer);
		g_free(icu_zone);
		g_free(zone_name);
		g_free(gmt);
		g_free(year);
	}
}

/* The promise sentence of each locale, word for word, in the customer's
 * own zone at noon there. */
static void check_native_sentences(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct locale_case *c = &cases[i];
		char *customer = g_strdup_printf("native-%s@example.org", c->locale);
		struct ack a = acknowledge_one(customer, c->locale, c->zone, 0,
					       DUE_NOON_UTC - (int64_t)c->offset_hours * 3600, 0);

		if (!ok(strstr(a.text, c->sentence) != NULL, "%s: \"%s\"", c->locale, c->sentence))
			tap_diag("text:\n%s", a.text);
		ack_clear(&a);
		g_free(customer);
	}
}

/* The escalation sentence of each locale, and whether its culture
 * expects it when the queue says nothing (README: "Culture defaults"). */
static const struct {
	const char *locale, *sentence;
	bool by_default;
} escalation[] = {
	{ "en", "A senior team lead is personally overseeing your case", false },
	{ "de", "Eine erfahrene Teamleitung begleitet Ihr Anliegen persönlich", false },
	{ "fr", "Un responsable d’équipe senior suit personnellement votre dossier", false },
	{ "nl", "Een senior teamleider houdt persoonlijk toezicht op uw zaak", false },
	{ "es", "supervisión personal de un responsable sénior del equipo", true },
	{ "pt-BR", "acompanhado de perto por um líder de equipe sênior", true },
	{ "it", "è seguita", true },
	{ "ru", "на личном контроле", true },
	{ "pl", "osobiście czuwa", true },
	{ "ja", "が直接監督し", true },
	{ "zh-CN", "资深团队主管亲自督办", true },
	{ "ko", "직접 관리하며", true },
	{ "ar", "يحظى بمتابعة شخصية", true },
	{ "tr", "kişisel takibindedir", true },
};

static void check_escalation(void)
{
	struct queue *q = &f.settings->queues[0];
	static const enum escalation_notice settings[] = {
		ESCALATION_NOTICE_DEFAULT, ESCALATION_NOTICE_YES, ESCALATION_NOTICE_NO,
	};
	static const char *const names[] = { "default", "yes", "no" };

	for (size_t k = 0; k < G_N_ELEMENTS(settings); k++) {
		q->escalation_notice = settings[k];
		for (size_t i = 0; i < G_N_ELEMENTS(escalation); i++) {
			char *customer = g_strdup_printf("esc-%s-%s@example.org", names[k], escalation[i].locale);
			struct ack a = acknowledge_one(customer, escalation[i].locale, "UTC", 0, DUE_NOON_UTC, 0);
			bool want = settings[k] == ESCALATION_NOTICE_DEFAULT ? escalation[i].by_default
				  : settings[k] == ESCALATION_NOTICE_YES;
			bool has = strstr(a.text, escalation[i].sentence) && a.html &&
				   strstr(a.html, escalation[i].sentence);

			ok(has == want, "escalation-notice = %s, %s: the senior-person sentence %s", names[k],
			   escalation[i].locale, want ? "is there" : "is not");
			ack_clear(&a);
			g_free(customer);
		}
	}
	q->escalation_notice = ESCALATION_NOTICE_DEFAULT;
}

/* A Japanese first enquiry opens with この度は, a returning customer is
 * greeted with いつもお世話になっております. */
static void check_returning(void)
{
	struct ack first = acknowledge_one("yamada@example.jp", "ja", "Asia/Tokyo", 9, DUE_NOON_UTC, 0);
	struct ack again = acknowledge_one("yamada@example.jp", "ja", "Asia/Tokyo", 9, DUE_NOON_UTC + 86400, 0);
	struct ack html_only = { 0 };

	ok(strstr(first.text, "この度はお問い合わせいただき") && !strstr(first.text, "いつもお世話になっております") &&
	   strstr(first.html, "この度はお問い合わせいただき") && !strstr(first.html, "いつもお世話になっております"),
	   "ja: a first enquiry: この度は…, not いつもお世話になっております");
	ok(strstr(again.text, "いつもお世話になっております。Example Supportでございます。") &&
	   !strstr(again.text, "この度は") && strstr(again.html, "いつもお世話になっております。") &&
	   !strstr(again.html, "この度は"), "ja: a returning customer: いつもお世話になっております。");
	ok(strstr(again.text, "受付番号：SUP-") != NULL && strstr(again.html, "受付番号：<strong>SUP-") != NULL,
	   "ja: both greetings go on to the ticket number");
	ack_clear(&first);
	ack_clear(&again);
	ack_clear(&html_only);
}

/* A template rendered as the engine fills it, for the reviewed wording
 * of the notices that have no promise. */
static char *render_text(const char *locale, const char *name, const char *customer_name, char **subject)
{
	struct template *t = template_load(f.settings->templates, NULL, locale, "en", name, NULL);
	char *const vars[] = {
		"ticket", "SUP-1042", "subject", "Printer on fire", "customer_name", (char *)customer_name,
		"queue_name", "Example Support", "promise", "PROMISE", "promise_relative", "REL", "agent_name", "Ana Lima",
		"reference", "REF", "escalation", "yes", "returning", "", "status", "new", "csat_links", "",
		"csat_1", "mailto:1", "csat_2", "mailto:2", "csat_3", "mailto:3", "csat_4", "mailto:4",
		"csat_5", "mailto:5", "rating", "4", "unknown_commands", "#x", NULL,
	};
	char *text = NULL;

	if (t == NULL || template_render(t, vars, subject, &text, NULL, NULL) != 0)
		text = g_strdup("");
	template_free(t);
	return text;
}

/* What the outside review asked to change, word for word. */
static void check_review(void)
{
	static const struct {
		const char *locale, *name, *customer_name, *wanted, *unwanted;
	} review[] = {
		{ "de", "resolved", "", "Subject: [SUP-1042] Ihr Anliegen wurde erledigt", "gelöst" },
		{ "it", "ack", "", "che ne approva personalmente ogni decisione", "avalla" },
		{ "ru", "ack", "", "руководителя отдела", "старшего руководителя группы" },
		{ "nl", "ack", "", "Beste klant,", "Goedendag" },
		{ "nl", "csat-thanks", "", "een 4 uit 5", "van de 5" },
		{ "ko", "ack", "", "담당 책임자가 직접 관리하며", "선임 팀장" },
		{ "zh-CN", "resolved", "", "您的工单 SUP-1042（主题：Printer on fire）已解决。", "已解决（" },
		{ "ja", "ack", "", "上席の責任者", "チームリーダー" },
		{ "ja", "reopened", "", "お客様\n\nいつもお世話になっております。Example Supportでございます。", "この度は" },
		{ "tr", "ack", "", "kendisinin onayıyla", "onun onayıyla" },
		{ "tr", "ack", "", "Size en geç şu tarihe kadar yanıt vereceğiz: PROMISE", "tarihine kadar" },
		{ "ar", "resolved", "Ana", "وقد تولّى متابعته Ana Lima.", "من قِبَل" },
		{ "ar", "ack", "", "أحد كبار المسؤولين", "قادة الفريق" },
		{ "ar", "ack", "", "حضرة العميل الكريم،\nتحية طيبة وبعد،", "مرحبًا" },
		{ "ar", "ack", "Ana", "حضرة العميل الكريم Ana،\nتحية طيبة وبعد،", "مرحبًا" },
		{ "ar", "reopened", "Ana", "حضرة العميل الكريم Ana،\nتحية طيبة وبعد،", "مرحبًا" },
		{ "pl", "ack", "", "Termin odpowiedzi: PROMISE", "w terminie" },
		{ "pl", "ack", "", "doświadczony kierownik zespołu", "starszy" },
		{ "pl", "ack", "Zoë", "Dzień dobry,", "Zoë" },
		{ "ko", "ack", "", "PROMISE까지 답변을 드리겠습니다(지금으로부터 REL).", "REL)까지" },
		{ "ko", "reopened", "", "PROMISE까지 답변을 드리겠습니다(지금으로부터 REL).", "REL)까지" },
		{ "ja", "ack", "", "PROMISEまでに（REL）、担当者よりご連絡いたします。", "ご回答" },
		{ "ja", "reopened", "", "PROMISEまでに（REL）、担当者よりご連絡いたします。", "ご回答" },
		{ "zh-CN", "ack", "", "我们将于PROMISE前给予您答复（即REL）。", "于 PROMISE 前" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(review); i++) {
		char *subject = NULL, *text = render_text(review[i].locale, review[i].name, review[i].customer_name, &subject);
		char *all = g_strdup_printf("Subject: %s\n%s", subject ? subject : "", text);
		/* one line in the TAP description */
		char **lines = g_strsplit(review[i].wanted, "\n", -1), *wanted = g_strjoinv(" / ", lines);

		if (!ok(strstr(all, review[i].wanted) && !strstr(all, review[i].unwanted), "%s %s: \"%s\", not \"%s\"",
			review[i].locale, review[i].name, wanted, review[i].unwanted))
			tap_diag("%s", all);
		g_strfreev(lines);
		g_free(wanted);
		g_free(all);
		g_free(subject);
		g_free(text);
	}
}

/* A Swedish customer of a queue that offers sv without Swedish
 * templates: the text of the locale it falls back to, and the date in
 * the words of that text, never in Swedish. */
static void check_fallback(void)
{
	struct queue *q = &f.settings->queues[0];
	static const char *const swedish[] = { "tisdag", "december 2026", "kl.", "om 4 timmar", "CET" };
	struct ack a;
	const char *found;

	g_free(q->default_locale);
	q->default_locale = g_strdup("de");
	q->locale_fallback = g_strsplit("sv,en", ",", -1);
	assets_free(f.assets);
	f.assets = assets_prepare(f.settings);
	a = acknowledge_one("anders@example.se", "sv", "Europe/Stockholm", 1, DUE_NOON_UTC - 3600, 0);
	found = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(swedish); i++)
		found = found ? found : strstr(a.text, swedish[i]) ? swedish[i] : NULL;
	ok(strstr(a.text, "You’ll hear from us by Tuesday, December 15, 2026 at 12:00 PM GMT+1 (in 4 hours).") &&
	   found == NULL && g_strcmp0(a.content_language, "en") == 0,
	   "locale-fallback = sv:en: English text, English date, Content-Language: en (Swedish: %s)",
	   found ? found : "none");
	ack_clear(&a);

	g_strfreev(q->locale_fallback);
	q->locale_fallback = NULL;
	assets_free(f.assets);
	f.assets = assets_prepare(f.settings);
	a = acknowledge_one("britt@example.se", "sv", "Europe/Stockholm", 1, DUE_NOON_UTC - 3600, 0);
	ok(strstr(a.text, "bis spätestens Dienstag, 15. Dezember 2026 um 12:00 Uhr MEZ (in 4 Stunden).") &&
	   g_strcmp0(a.content_language, "de") == 0,
	   "no mapping: the default locale's text (de), and its date, not a Swedish one");
	ack_clear(&a);
}

int main(void)
{
	fixture_setup(&f, "[sla quick]\nfirst-response = 4h calendar\n"
		      "[autoreply]\nrate = 1000/10m\nqueue-rate = 1000/1m\n");
	{
		struct queue *q = &f.settings->queues[0];
		g_strfreev(q->locales);
		q->locales = g_strsplit("en,de,fr,es,pt-BR,it,nl,ru,ja,zh-CN,ko,ar,pl,tr,sv", ",", -1);
		for (size_t i = 0; i < f.settings->n_slas; i++)
			if (strcmp(f.settings->slas[i].id, "quick") == 0)
				q->sla = &f.settings->slas[i];
	}
	/* First as ticketctl and the tests run it, then as the daemon does. */
	check_native_sentences();
	f.assets = assets_prepare(f.settings);
	check_native_sentences();
	/* The Date header's fixed offset, where no zone of the customer's
	 * country has it (so none is inferred, zone_guess.h): +14:00 is only
	 * Kiribati's. */
	check_sentences("offset", NULL, 14, DUE_NOON_UTC - 14 * 3600);
	check_sentences("one", "UTC", 0, DUE_NOON_UTC - 10 * 3600 - 1800);
	check_sentences("zone", "America/Los_Angeles", 0, DUE_NOON_UTC);
	check_escalation();
	check_returning();
	check_review();
	check_fallback();
	fixture_teardown(&f);
	return tap_done();
}
