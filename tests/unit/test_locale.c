/* test_locale.c - locales through acknowledge() with the shipped
 * templates and ICU: a locale answered with another's templates (its
 * locale-fallback, or the queue's default) gets that language's date and
 * Content-Language, and the configuration keys that say so. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "acknowledge.h"
#include "assets.h"

#include <glib.h>
#include <gmime/gmime.h>
#include <string.h>

static struct fixture f;

/* Tuesday 15 December 2026, 12:00 UTC: the promise every case is due at,
 * give or take the customer's offset; made four hours ahead, so that the
 * relative phrase shows too. */
#define DUE_NOON_UTC 1797336000
#define WAIT (4 * 3600)

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
	    acknowledge(f.settings, f.store, q, m, &env, &t, ACK_NEW, &out, &error) != 0 ||
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
	assets_free(f.settings->assets);
	f.settings->assets = assets_prepare(f.settings);
	a = acknowledge_one("anders@example.se", "sv", "Europe/Stockholm", 1, DUE_NOON_UTC - 3600, 0);
	found = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(swedish); i++)
		found = found ? found : strstr(a.text, swedish[i]) ? swedish[i] : NULL;
	ok(strstr(a.text, "You’ll hear from us by Tuesday, December 15, 2026 at 12:00") &&
	   found == NULL && g_strcmp0(a.content_language, "en") == 0,
	   "locale-fallback = sv:en: English text, English date, Content-Language: en (Swedish: %s)",
	   found ? found : "none");
	ack_clear(&a);

	g_strfreev(q->locale_fallback);
	q->locale_fallback = NULL;
	assets_free(f.settings->assets);
	f.settings->assets = assets_prepare(f.settings);
	a = acknowledge_one("britt@example.se", "sv", "Europe/Stockholm", 1, DUE_NOON_UTC - 3600, 0);
	ok(strstr(a.text, "bis spätestens Dienstag, 15. Dezember 2026 um 12:00") &&
	   g_strcmp0(a.content_language, "de") == 0,
	   "no mapping: the default locale's text (de), and its date, not a Swedish one");
	ack_clear(&a);
}

/* The configuration keys: locale-fallback and escalation-notice.
 * The fixture's configuration with queue_lines added to its queue, whose
 * first line is *first (for "FILE:LINE"). */
static struct settings *load_with(const char *name, const char *queue_lines, GPtrArray *errors, int *first)
{
	char *base = NULL, *text, *path;
	struct settings *s;

	g_file_get_contents(f.config_path, &base, NULL, NULL);
	*first = 1;
	for (const char *c = base; *c; c++)
		*first += *c == '\n';
	text = g_strconcat(base, queue_lines, NULL);
	path = fixture_write(&f, name, text);
	s = settings_load(path, 0, errors);
	g_free(base);
	g_free(text);
	g_free(path);
	return s;
}

static bool has_error(GPtrArray *errors, const char *needle)
{
	for (guint i = 0; i < errors->len; i++)
		if (strstr(g_ptr_array_index(errors, i), needle))
			return true;
	for (guint i = 0; i < errors->len; i++)
		tap_diag("%s", (char *)g_ptr_array_index(errors, i));
	return false;
}

static void check_config_keys(void)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	int line;
	struct settings *s = load_with("keys.conf", "locales = en, sv, nb\nlocale-fallback = sv:en, nb : en\n",
				       errors, &line);
	const struct queue *q = s ? &s->queues[0] : NULL;
	char *at;

	ok(q && q->locale_fallback && g_strv_length(q->locale_fallback) == 4 &&
	   strcmp(assets_locale_fallback(q, "sv"), "en") == 0 && strcmp(assets_locale_fallback(q, "nb"), "en") == 0 &&
	   assets_locale_fallback(q, "en") == NULL, "locale-fallback = sv:en, nb : en is read");
	settings_unref(s);
	s = load_with("default.conf", "", errors, &line);
	ok(s && s->queues[0].locale_fallback == NULL, "without the key: no mapping");
	settings_unref(s);

	s = load_with("unoffered.conf", "locale-fallback = sv:en\n", errors, &line);
	at = g_strdup_printf("unoffered.conf:%d: locale-fallback maps sv, which is not one of the queue's locales", line);
	ok(s == NULL && has_error(errors, at), "a mapping of a locale the queue does not offer: at its line");
	g_free(at);
	g_ptr_array_set_size(errors, 0);
	s = load_with("malformed.conf", "locales = en, sv, nb\nlocale-fallback = sv, en:de:fr, nb:nb\n", errors, &line);
	at = g_strdup_printf("malformed.conf:%d: locale-fallback: ", line + 1);
	ok(s == NULL && errors->len == 3 && has_error(errors, at) && has_error(errors, "\"sv\": expected LOCALE:LOCALE") &&
	   has_error(errors, "\"en:de:fr\"") && has_error(errors, "\"nb:nb\""), "malformed mappings, each named, at the line");
	g_free(at);
	g_ptr_array_set_size(errors, 0);
	s = load_with("twice.conf", "locales = en, sv\nlocale-fallback = sv:en, sv:de\n", errors, &line);
	at = g_strdup_printf("twice.conf:%d: locale-fallback: \"sv:de\"", line + 1);
	ok(s == NULL && errors->len == 1 && has_error(errors, at), "a locale mapped twice: the second is named");
	g_free(at);
	g_ptr_array_free(errors, TRUE);
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
	check_fallback();
	check_config_keys();
	fixture_teardown(&f);
	return tap_done();
}
