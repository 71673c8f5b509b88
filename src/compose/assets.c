/*
 * assets.c - templates, and the culture of each locale they are written
 * in, prepared per snapshot (assets.h).  Room: compose.
 */
#include "config.h"
#include "compose/assets.h"
#include "calendar/calendar.h"
#include "compose/locale_conf.h"
#include "language/locale_tag.h"

#include <string.h>

/* Per survey, in the order of enum survey; the resolved notice and the
 * thank-you are [2] and [3]; "fixed" is rendered by ticketctl
 * (problem_announce.h) and here for -n. */
static const char *const survey_templates[SURVEY_COUNT][7] = {
	[SURVEY_CSAT] = { "ack", "reopened", "resolved", "csat-thanks", "agent-notice", "fixed", NULL },
	[SURVEY_NPS] = { "ack", "reopened", "resolved-nps", "nps-thanks", "agent-notice", "fixed", NULL },
	[SURVEY_CES] = { "ack", "reopened", "resolved-ces", "ces-thanks", "agent-notice", "fixed", NULL },
};

const char *const *assets_queue_templates(const struct queue *q)
{
	return survey_templates[q->survey < SURVEY_COUNT ? q->survey : SURVEY_CSAT];
}

const char *assets_survey_template(const struct queue *q)
{
	return assets_queue_templates(q)[2];
}

const char *assets_thanks_template(const struct queue *q)
{
	return assets_queue_templates(q)[3];
}

/* Idle formatters kept per locale: about as many as threads format at
 * once; more are closed after use. */
#define IDLE_FORMATTERS_MAX 8

/* What a text's locale says about dates and escalation (locale_conf.h),
 * with its pool of formatters: the one part of the assets that changes
 * once they are prepared.  The lock is the pool's own, so that the
 * assets themselves are only read, through const pointers. */
struct culture {
	char *pattern;		/* the promise's ICU pattern: the locale's, or ICU's own */
	char *pattern_hour_1;	/* or NULL */
	bool escalation_notice;
	GPtrArray *idle;	/* struct promise_formatter *, behind idle_lock */
	GMutex idle_lock;
};

struct assets {
	GHashTable *templates;	/* "queue\nlocale\nname" -> struct template * */
	GHashTable *cultures;	/* locale of a text -> struct culture * */
};

static void culture_free(gpointer p)
{
	struct culture *c = p;

	g_free(c->pattern);
	g_free(c->pattern_hour_1);
	g_ptr_array_free(c->idle, TRUE);
	g_mutex_clear(&c->idle_lock);
	g_free(c);
}

/* The culture of locale from dir (a broken locale.conf counts as none:
 * `ticket-milter -n` reports it), or NULL when ICU knows no pattern. */
static struct culture *culture_load(const char *dir, const char *locale)
{
	struct locale_conf conf;
	struct culture *c;

	locale_conf_read(dir, locale, &conf, NULL);
	c = g_new0(struct culture, 1);
	c->pattern = conf.date_pattern ? g_strdup(conf.date_pattern) : promise_time_pattern(locale);
	c->pattern_hour_1 = g_strdup(conf.date_pattern_hour_1);
	c->escalation_notice = conf.escalation_notice;
	c->idle = g_ptr_array_new_with_free_func((GDestroyNotify)promise_formatter_free);
	g_mutex_init(&c->idle_lock);
	locale_conf_clear(&conf);
	if (c->pattern == NULL) {
		culture_free(c);
		return NULL;
	}
	return c;
}

static char *template_key(const char *queue, const char *locale, const char *name)
{
	return g_strconcat(queue ? queue : "", "\n", locale, "\n", name, NULL);
}

const char *assets_locale_fallback(const struct queue *q, const char *locale)
{
	for (char **m = q->locale_fallback; locale && m && m[0] && m[1]; m += 2)
		if (strcmp(m[0], locale) == 0)
			return m[1];
	return NULL;
}

struct template *assets_template_load(const struct settings *s, const struct queue *q, const char *locale,
				      const char *name, bool with_default, char **error)
{
	const char *chain[4] = { NULL }, **end = chain;

	if (locale)
		*end++ = locale;
	if (assets_locale_fallback(q, locale))
		*end++ = assets_locale_fallback(q, locale);
	if (with_default && q->default_locale)
		*end++ = q->default_locale;
	return template_load_chain(s->templates, q->id, chain, name, error);
}

struct assets *assets_prepare(const struct settings *s)
{
	struct assets *a = g_new0(struct assets, 1);

	a->templates = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)template_free);
	a->cultures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, culture_free);
	for (size_t i = 0; i < s->n_queues; i++) {
		const struct queue *q = &s->queues[i];
		GPtrArray *locales = g_ptr_array_new();
		for (char **l = q->locales; l && *l; l++)
			g_ptr_array_add(locales, *l);
		if (q->default_locale)
			g_ptr_array_add(locales, q->default_locale);
		g_ptr_array_add(locales, NULL);
		for (char **l = (char **)locales->pdata; *l; l++) {
			const char *const *names = assets_queue_templates(q);
			for (size_t n = 0; names[n]; n++) {
				struct template *t;
				char *key = template_key(q->id, *l, names[n]);
				const char *found;

				if (g_hash_table_contains(a->templates, key)) {
					g_free(key);
					continue;
				}
				t = assets_template_load(s, q, *l, names[n], true, NULL);
				if (t == NULL) {
					g_free(key);
					continue;
				}
				g_hash_table_insert(a->templates, key, t);
				/* Dates go out in the language of the text around them. */
				found = template_locale(t);
				if (!g_hash_table_contains(a->cultures, found)) {
					struct culture *c = culture_load(s->templates, found);
					if (c)
						g_hash_table_insert(a->cultures, g_strdup(found), c);
				}
			}
		}
		g_ptr_array_free(locales, TRUE);
	}
	return a;
}

void assets_free(struct assets *a)
{
	if (a == NULL)
		return;
	g_hash_table_destroy(a->templates);
	g_hash_table_destroy(a->cultures);
	g_free(a);
}

const struct template *assets_template(const struct assets *a, const char *queue, const char *locale,
				       const char *name)
{
	char *key;
	const struct template *t;

	if (a == NULL || locale == NULL)
		return NULL;
	key = template_key(queue, locale, name);
	t = g_hash_table_lookup(a->templates, key);
	g_free(key);
	return t;
}

char *assets_text_locale(const struct assets *a, const struct settings *s, const struct queue *q,
			 const char *locale, const char *name)
{
	const struct template *t = assets_template(a, q->id, locale, name);
	struct template *loaded = NULL;
	char *found;

	if (t == NULL)
		t = loaded = assets_template_load(s, q, locale, name, true, NULL);
	found = t ? g_strdup(template_locale(t)) : NULL;
	template_free(loaded);
	return found;
}

/* Mutable only in its pool, which has its own lock. */
static struct culture *prepared_culture(const struct assets *a, const char *locale)
{
	return a && locale ? g_hash_table_lookup(a->cultures, locale) : NULL;
}

const char *assets_time_pattern(const struct assets *a, const char *locale)
{
	const struct culture *c = prepared_culture(a, locale);

	return c ? c->pattern : NULL;
}

bool assets_escalation_notice(const struct assets *a, const struct settings *s, const struct queue *q,
			      const char *text_locale)
{
	const struct culture *c;
	struct locale_conf conf;
	bool on;

	if (q->escalation_notice != ESCALATION_NOTICE_DEFAULT)
		return q->escalation_notice == ESCALATION_NOTICE_YES;
	if ((c = prepared_culture(a, text_locale)) != NULL)
		return c->escalation_notice;
	locale_conf_read(s->templates, text_locale, &conf, NULL);
	on = conf.escalation_notice;
	locale_conf_clear(&conf);
	return on;
}

/* A formatter for a prepared locale from its pool, or a new one; NULL
 * when ICU fails. */
static struct promise_formatter *borrow_formatter(struct culture *c)
{
	struct promise_formatter *f = NULL;

	g_mutex_lock(&c->idle_lock);
	if (c->idle->len > 0)
		f = g_ptr_array_steal_index_fast(c->idle, c->idle->len - 1);
	g_mutex_unlock(&c->idle_lock);
	return f;
}

static struct promise_formatter *new_formatter(const struct culture *c, const char *locale)
{
	return promise_formatter_new_hour_1(locale, c->pattern, c->pattern_hour_1);
}

static void return_formatter(struct culture *c, struct promise_formatter *f)
{
	g_mutex_lock(&c->idle_lock);
	if (c->idle->len < IDLE_FORMATTERS_MAX) {
		g_ptr_array_add(c->idle, f);
		f = NULL;
	}
	g_mutex_unlock(&c->idle_lock);
	promise_formatter_free(f);
}

char *assets_format_time(const struct assets *a, const struct settings *s, const char *locale, int64_t t,
			 const char *zone, int offset_minutes)
{
	struct culture *c = prepared_culture(a, locale);
	struct promise_formatter *f;
	char *text;

	if (c == NULL) {
		/* Not prepared: the slow way, from the same files. */
		struct culture *once = culture_load(s->templates, locale);
		f = once ? new_formatter(once, locale) : NULL;
		text = f ? promise_formatter_format(f, t, zone, offset_minutes) : NULL;
		promise_formatter_free(f);
		if (once)
			culture_free(once);
		return text;
	}
	if ((f = borrow_formatter(c)) == NULL && (f = new_formatter(c, locale)) == NULL)
		return NULL;
	text = promise_formatter_format(f, t, zone, offset_minutes);
	return_formatter(c, f);
	return text;
}

char *assets_format_relative(const struct assets *a, const char *locale, int64_t now, int64_t t,
			     int64_t max_minutes)
{
	struct culture *c = prepared_culture(a, locale);
	struct promise_formatter *f;
	char *text;

	if (c == NULL)
		return promise_format_relative(now, t, locale, max_minutes);
	if ((f = borrow_formatter(c)) == NULL && (f = new_formatter(c, locale)) == NULL)
		return NULL;
	text = promise_formatter_relative(f, now, t, max_minutes);
	return_formatter(c, f);
	return text;
}
