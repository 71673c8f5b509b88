/* test_survey.c - the satisfaction surveys ([queue] survey = csat | nps |
 * ces): the key, every locale's templates for each scale, and a rating on
 * each scale through engine_process() on a real store.
 * Room: tests.
 */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "compose/assets.h"
#include "compose/template.h"
#include "config/survey.h"
#include "engine/engine.h"
#include "engine/rating.h"
#include "store/schema.h"
#include "trust/token.h"

#include <glib.h>
#include <sqlite3.h>
#include <stdlib.h>

static struct fixture f;
static int64_t clock_now = 1772445600;

static const char *const locales[] = { "ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt-BR", "ru",
				       "tr", "zh-CN" };

static void check_key(void)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *path = fixture_write(&f, "survey.conf", "");
	char *conf;
	struct settings *s;

	is_int(f.settings->queues[0].survey, SURVEY_CSAT, "survey defaults to csat (today's behaviour)");
	for (int i = 0; i < SURVEY_COUNT; i++) {
		enum survey parsed;
		ok(survey_parse(survey_scale(i)->name, &parsed) && parsed == (enum survey)i, "survey %s is a survey",
		   survey_scale(i)->name);
	}
	is_int(survey_scale(SURVEY_NPS)->min, 0, "nps from 0");
	is_int(survey_scale(SURVEY_NPS)->max, 10, "to 10");
	is_int(survey_scale(SURVEY_CES)->max, 7, "ces to 7");
	conf = g_strdup_printf("[milter]\nsocket = unix:%s/s\ndatabase = %s/db\nsecret-file = %s/secret\n"
			       "hostname = h.example.com\n[queue a]\nname = A\naddresses = a@example.com\ntag = A\n"
			       "survey = nps\n[queue b]\nname = B\naddresses = b@example.com\ntag = B\nsurvey = stars\n",
			       f.dir, f.dir, f.dir);
	g_file_set_contents(path, conf, -1, NULL);
	s = settings_load(path, 0, errors);
	ok(s == NULL && errors->len == 1 && strstr(g_ptr_array_index(errors, 0), ":15: ") &&
	   strstr(g_ptr_array_index(errors, 0), "survey must be csat, nps or ces, not \"stars\""),
	   "an unknown survey is refused with its line (%s)", errors->len ? (char *)g_ptr_array_index(errors, 0) : "");
	settings_unref(s);
	g_ptr_array_set_size(errors, 0);
	*strstr(conf, "survey = stars") = '\0';
	g_file_set_contents(path, conf, -1, NULL);
	s = settings_load(path, 0, errors);
	ok(s && s->queues[0].survey == SURVEY_NPS && s->queues[1].survey == SURVEY_CSAT, "survey = nps is read per queue");
	if (s) {
		const char *const *names = assets_queue_templates(&s->queues[0]);
		ok(g_strv_contains(names, "resolved-nps") && g_strv_contains(names, "nps-thanks") &&
		   !g_strv_contains(names, "resolved"), "an nps queue needs resolved-nps and nps-thanks, not resolved");
	}
	settings_unref(s);
	g_ptr_array_free(errors, TRUE);
	g_free(conf);
	g_free(path);
}

/* Renders name in locale with every placeholder given, the links as
 * "mailto:SCALE-N"; *html may be NULL. */
static int render(const char *locale, const char *name, char **subject, char **text, char **html)
{
	struct template *t = template_load(f.settings->templates, NULL, locale, NULL, name, NULL);
	GPtrArray *vars = g_ptr_array_new_with_free_func(g_free);
	static const char *const base[] = {
		"ticket", "SUP-1042", "subject", "Printer on fire", "customer_name", "Ana", "queue_name", "Example Support",
		"agent_name", "Bo", "reference", "REF", "rating", "9", "promise", "", "promise_relative", "",
		"escalation", "", "returning", "", "status", "resolved", "csat_links", "",
	};
	char *error = NULL;
	int rc;

	for (size_t i = 0; i < G_N_ELEMENTS(base); i++)
		g_ptr_array_add(vars, g_strdup(base[i]));
	for (int s = 0; s < SURVEY_COUNT; s++)
		for (int n = survey_scale(s)->min; n <= survey_scale(s)->max; n++) {
			g_ptr_array_add(vars, g_strdup_printf("%s_%d", survey_scale(s)->name, n));
			g_ptr_array_add(vars, g_strdup_printf("mailto:%s-%d", survey_scale(s)->name, n));
		}
	g_ptr_array_add(vars, NULL);
	rc = t && template_render(t, (char *const *)vars->pdata, subject, text, html, &error) == 0 ? 0 : -1;
	if (rc != 0)
		tap_diag("%s/%s: %s", locale, name, error ? error : "not found");
	if (t && g_strcmp0(template_locale(t), locale) != 0) {
		tap_diag("%s/%s: found in %s", locale, name, template_locale(t));
		rc = -1;
	}
	template_free(t);
	g_ptr_array_free(vars, TRUE);
	g_free(error);
	return rc;
}

/* Every locale has both surveys' templates, in its own folder, without a
 * problem -n would report, with one link per score in each part, the
 * best score first in the text; the thank-you names the scale's top. */
static void check_locales(void)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);

	template_check_dir(f.settings->templates, errors);
	ok(errors->len == 0, "the template directory checks clean (%s)",
	   errors->len ? (char *)g_ptr_array_index(errors, 0) : "no problem");
	for (size_t l = 0; l < G_N_ELEMENTS(locales); l++) {
		for (int s = SURVEY_NPS; s < SURVEY_COUNT; s++) {
			const struct survey_scale *sc = survey_scale(s);
			char *name = g_strdup_printf("resolved-%s", sc->name), *thanks = g_strdup_printf("%s-thanks", sc->name);
			char *subject = NULL, *text = NULL, *html = NULL, *top, *bottom;
			bool links = true;

			ok(render(locales[l], name, &subject, &text, &html) == 0 && html != NULL, "%s: %s renders, with HTML",
			   locales[l], name);
			for (int n = sc->min; text && html && n <= sc->max; n++) {
				char *link = g_strdup_printf("mailto:%s-%d\n", sc->name, n), *href;
				const char *at = strstr(text, link);
				href = g_strdup_printf("href=\"mailto:%s-%d\"", sc->name, n);
				links = links && at && !strstr(at + 1, link) && strstr(html, href);
				g_free(link);
				g_free(href);
			}
			ok(links, "%s: %s has one link per score, %d to %d, in text and HTML", locales[l], name, sc->min,
			   sc->max);
			top = g_strdup_printf("mailto:%s-%d\n", sc->name, sc->max);
			bottom = g_strdup_printf("mailto:%s-%d\n", sc->name, sc->min);
			ok(text && strstr(text, top) < strstr(text, bottom), "%s: %s lists the best score first",
			   locales[l], name);
			ok(subject && strstr(subject, "[SUP-1042]") && !strstr(text, "mailto:csat-"),
			   "%s: %s: the ticket in the subject, no csat link", locales[l], name);
			g_free(subject);
			g_free(text);
			g_free(html);
			subject = text = NULL;
			ok(render(locales[l], thanks, &subject, &text, NULL) == 0 && strstr(text, "9") &&
			   strstr(text, s == SURVEY_NPS ? "10" : "7") && strstr(subject, "[SUP-1042]"),
			   "%s: %s thanks for 9 of %d", locales[l], thanks, sc->max);
			g_free(subject);
			g_free(text);
			g_free(top);
			g_free(bottom);
			g_free(name);
			g_free(thanks);
		}
	}
	g_ptr_array_free(errors, TRUE);
}

struct run {
	const char *rcpt;
	const char *login;
};

static struct engine_result process(const char *text, struct run r)
{
	struct message *m = fixture_message(text);
	char **rcpts = g_strsplit(r.rcpt, ",", -1);
	const char *from = m->from ? m->from->address : NULL;
	struct envelope env = { .sender = from, .recipients = rcpts, .queue_id = "Q", .now = clock_now,
				.auth_login = r.login, .raw = text, .raw_len = strlen(text) };
	struct engine_result res;
	char *token = NULL, *error = NULL;
	const struct queue *q = engine_queue_for(f.settings, rcpts, &token);

	clock_now += 60;
	memset(&res, 0, sizeof res);
	if (engine_process(f.settings, f.assets, f.store, q ? q : &f.settings->queues[0], token, m, &env, &res, &error) != 0) {
		tap_diag("engine error: %s", error);
		res.outcome = -1;
	}
	g_free(error);
	g_free(token);
	g_strfreev(rcpts);
	message_free(m);
	return res;
}

static char *query(const char *sql)
{
	char *db = g_build_filename(f.dir, "tickets.db", NULL);
	sqlite3 *h;
	sqlite3_stmt *st;
	char *out = NULL;

	sqlite3_open(db, &h);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0))
		out = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	g_free(db);
	return out ? out : g_strdup("");
}

static void is_query(const char *sql, const char *want, const char *desc)
{
	char *got = query(sql);

	is_str(got, want, "%s", desc);
	g_free(got);
}

/* Mail to a rating address of ticket number on scale with score:
 * whether it was taken as a rating. */
static bool rate(long number, const char *scale, int score)
{
	struct token_key key = { f.settings->secret, f.settings->secret_len };
	struct ticket_ref ref = { "SUP", number };
	char *token = token_for_ticket(&key, &ref);
	char *rcpt = g_strdup_printf("support+%s-%d-%s@example.com", scale, score, token);
	char *mail = g_strdup_printf("From: anna@example.org\nTo: %s\nSubject: SUP-%ld %d\nMessage-ID: <r%ld.%s.%d@example.org>\n\n"
				     "Easy.\n", rcpt, number, score, number, scale, score);
	struct engine_result r = process(mail, (struct run){ rcpt, NULL });
	bool rating = r.outcome == ENGINE_RATING;

	engine_result_clear(&r);
	g_free(mail);
	g_free(rcpt);
	g_free(token);
	return rating;
}

/* A new ticket from anna, resolved by the agent: its number. */
static long open_and_resolve(int i)
{
	struct token_key key = { f.settings->secret, f.settings->secret_len };
	struct ticket_ref ref = { "SUP", 1001 + i };
	char *token = token_for_ticket(&key, &ref);
	char *gateway = g_strdup_printf("support+%s@example.com", token);
	char *mail = g_strdup_printf("From: Anna <anna@example.org>\nTo: support@example.com\nSubject: Question %d\n"
				     "Message-ID: <q%d@example.org>\n\nHelp.\n", i, i);
	struct engine_result r = process(mail, (struct run){ "support@example.com", NULL });

	engine_result_clear(&r);
	g_free(mail);
	mail = g_strdup_printf("From: Alice <alice@example.com>\nTo: %s\nSubject: Re: [SUP-%d] Question\n"
			       "Message-ID: <a%d@example.com>\n\n#status resolved\nDone.\n", gateway, 1001 + i, i);
	r = process(mail, (struct run){ gateway, "alice" });
	engine_result_clear(&r);
	g_free(mail);
	g_free(gateway);
	g_free(token);
	return 1001 + i;
}

static void check_engine(void)
{
	struct queue *q = &f.settings->queues[0];
	char *sql, *got;
	long n;

	g_strfreev(q->agents);
	q->agents = g_strsplit("alice@example.com", ",", -1);
	q->survey = SURVEY_NPS;
	n = open_and_resolve(0);
	sql = g_strdup_printf("SELECT message FROM outbox o JOIN tickets t ON t.id = o.ticket_id "
			      "WHERE t.number = %ld AND o.kind = 'resolved'", n);
	got = query(sql);
	{
		struct message *parsed = fixture_message(got);
		ok(parsed->full_text && strstr(parsed->full_text, "recommend us") &&
		   strstr(parsed->full_text, "support+nps-0-sup-1001-") && strstr(parsed->full_text, "support+nps-10-sup-1001-") &&
		   !strstr(parsed->full_text, "csat-"), "survey = nps: the resolved notice asks nps, links 0 to 10");
		message_free(parsed);
	}
	g_free(got);
	g_free(sql);
	ok(!rate(n, "nps", 11) && !rate(n, "nps", 100), "nps 11 is not a rating");
	ok(rate(n, "nps", 0), "nps 0 is a rating");
	is_query("SELECT scale || ' ' || rating || ' ' || comment FROM ratings", "nps 0 Easy.", "stored as nps 0, comment kept");
	ok(rate(n, "nps", 10), "nps 10 too, latest wins");
	is_query("SELECT scale || ' ' || rating FROM ratings", "nps 10", "now nps 10");
	is_query("SELECT count(*) FROM outbox WHERE kind = 'csat-thanks'", "2", "each thanked");
	got = query("SELECT message FROM outbox WHERE kind = 'csat-thanks' ORDER BY id DESC LIMIT 1");
	{
		struct message *parsed = fixture_message(got);
		ok(strstr(parsed->full_text, "10 out of 10") != NULL, "in the words of nps: 10 out of 10");
		message_free(parsed);
	}
	g_free(got);
	is_query("SELECT status FROM tickets WHERE number = 1001", "resolved", "a rating never reopens");

	q->survey = SURVEY_CES;
	n = open_and_resolve(1);
	ok(!rate(n, "ces", 0) && !rate(n, "ces", 8), "ces 0 and 8 are not ratings");
	ok(rate(n, "ces", 7), "ces 7 is");
	is_query("SELECT scale || ' ' || rating FROM ratings WHERE ticket_id = (SELECT id FROM tickets WHERE number = 1002)",
		 "ces 7", "stored as ces 7");
	/* A link of the survey asked before the queue changed its survey
	 * still counts, on its own scale. */
	ok(rate(n, "csat", 4), "a csat link on a ces queue still counts");
	is_query("SELECT scale || ' ' || rating FROM ratings WHERE ticket_id = (SELECT id FROM tickets WHERE number = 1002)",
		 "csat 4", "on its own scale");
	got = query("SELECT message FROM outbox WHERE kind = 'csat-thanks' ORDER BY id DESC LIMIT 1");
	{
		struct message *parsed = fixture_message(got);
		ok(strstr(parsed->full_text, "4 out of 5") != NULL, "thanked in the words of csat");
		message_free(parsed);
	}
	g_free(got);
	ok(!rate(n, "stars", 4) && !rate(n, "csat", 6), "an unknown scale or a score off the scale is not a rating");
	q->survey = SURVEY_CSAT;
}

/* A store of version 5 keeps its ratings, as csat, with their comments;
 * the new table takes each scale's range and no other. */
static void check_migration(void)
{
	char *path = g_build_filename(f.dir, "v5.db", NULL), *error = NULL;
	sqlite3 *db;
	struct store *st;
	int rating = 0;
	char *scale = NULL, *comment = NULL;

	sqlite3_open(path, &db);
	for (int v = 0; v < 5; v++)
		sqlite3_exec(db, schema_migration(v), NULL, NULL, NULL);
	sqlite3_exec(db, "PRAGMA user_version = 5;"
		     "INSERT INTO customers(id, address, created) VALUES (1, 'anna@example.org', 1);"
		     "INSERT INTO tickets(id, queue, tag, number, subject, customer_id, created, updated, status)"
		     "  VALUES (7, 'support', 'SUP', 1007, 's', 1, 1, 1, 'resolved');"
		     "INSERT INTO csat(ticket_id, rating, comment, at) VALUES (7, 4, 'Kind.', 2);", NULL, NULL, NULL);
	sqlite3_close(db);
	st = store_open(path, 1000, &error);
	ok(st != NULL, "a version 5 store opens (%s)", error ? error : "migrated");
	if (st) {
		ok(store_rating_get(st, 7, &scale, &rating, &comment) == 0 && rating == 4 && g_strcmp0(scale, "csat") == 0 &&
		   g_strcmp0(comment, "Kind.") == 0, "its rating is kept as csat 4 with the comment");
		ok(store_begin(st) == 0 && store_rating_record(st, 7, "nps", 10, NULL, 3) == 0 &&
		   store_rating_record(st, 7, "ces", 7, NULL, 4) == 0, "nps 10 and ces 7 are stored");
		ok(store_rating_record(st, 7, "csat", 6, NULL, 5) != 0 && store_rating_record(st, 7, "nps", 11, NULL, 5) != 0 &&
		   store_rating_record(st, 7, "ces", 0, NULL, 5) != 0 && store_rating_record(st, 7, "stars", 3, NULL, 5) != 0,
		   "a score off its scale, or an unknown scale, is refused by the store");
		store_rollback(st);
		store_close(st);
	}
	g_free(scale);
	g_free(comment);
	g_free(error);
	g_free(path);
}

int main(void)
{
	fixture_setup(&f, NULL);
	check_key();
	check_locales();
	check_engine();
	check_migration();
	fixture_teardown(&f);
	return tap_done();
}
