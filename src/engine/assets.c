/*
 * assets.c - templates, and ICU patterns for the locales they are written
 * in, prepared per snapshot (assets.h).
 */
#include "config.h"
#include "assets.h"
#include "calendar.h"

#include <string.h>

const char *const assets_template_names[] = { "ack", "reopened", "resolved", "csat-thanks", "agent-notice", NULL };

/* Idle formatters kept per locale: about as many as threads format at
 * once; more are closed after use. */
#define IDLE_FORMATTERS_MAX 8

struct assets {
	GHashTable *templates;	/* "queue\nlocale\nname" -> struct template * */
	GHashTable *patterns;	/* locale -> UTF-8 ICU pattern */
	GMutex idle_lock;
	GHashTable *idle;	/* locale (borrowed from patterns) -> GPtrArray of struct promise_formatter * */
};

static void idle_free(gpointer p)
{
	g_ptr_array_free(p, TRUE);
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

/* Prepares the ICU pattern of a locale texts are written in. */
static void prepare_pattern(struct assets *a, const char *locale)
{
	char *pattern, *key;

	if (g_hash_table_contains(a->patterns, locale) || (pattern = promise_time_pattern(locale)) == NULL)
		return;
	key = g_strdup(locale);
	g_hash_table_insert(a->patterns, key, pattern);
	g_hash_table_insert(a->idle, key, g_ptr_array_new_with_free_func((GDestroyNotify)promise_formatter_free));
}

struct assets *assets_prepare(const struct settings *s)
{
	struct assets *a = g_new0(struct assets, 1);

	a->templates = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)template_free);
	a->patterns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	a->idle = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, idle_free);
	g_mutex_init(&a->idle_lock);
	for (size_t i = 0; i < s->n_queues; i++) {
		const struct queue *q = &s->queues[i];
		GPtrArray *locales = g_ptr_array_new();
		for (char **l = q->locales; l && *l; l++)
			g_ptr_array_add(locales, *l);
		if (q->default_locale)
			g_ptr_array_add(locales, q->default_locale);
		g_ptr_array_add(locales, NULL);
		for (char **l = (char **)locales->pdata; *l; l++) {
			for (size_t n = 0; assets_template_names[n]; n++) {
				struct template *t;
				char *key = template_key(q->id, *l, assets_template_names[n]);
				if (g_hash_table_contains(a->templates, key)) {
					g_free(key);
					continue;
				}
				t = assets_template_load(s, q, *l, assets_template_names[n], true, NULL);
				if (t == NULL) {
					g_free(key);
					continue;
				}
				g_hash_table_insert(a->templates, key, t);
				/* Dates go out in the language of the text around them. */
				prepare_pattern(a, template_locale(t));
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
	g_hash_table_destroy(a->idle);
	g_hash_table_destroy(a->patterns);
	g_mutex_clear(&a->idle_lock);
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

char *assets_text_locale(const struct settings *s, const struct queue *q, const char *locale, const char *name)
{
	const struct template *t = assets_template(s->assets, q->id, locale, name);
	struct template *loaded = NULL;
	char *found;

	if (t == NULL)
		t = loaded = assets_template_load(s, q, locale, name, true, NULL);
	found = t ? g_strdup(template_locale(t)) : NULL;
	template_free(loaded);
	return found;
}

const char *assets_time_pattern(const struct assets *a, const char *locale)
{
	return a && locale ? g_hash_table_lookup(a->patterns, locale) : NULL;
}

/* A formatter for locale's pattern from the pool, or a new one; NULL
 * when the locale is not prepared (*idle NULL) or ICU fails. */
static struct promise_formatter *borrow_formatter(struct assets *a, const char *locale, GPtrArray **idle)
{
	const char *pattern = assets_time_pattern(a, locale);
	struct promise_formatter *f = NULL;

	*idle = pattern ? g_hash_table_lookup(a->idle, locale) : NULL;
	if (*idle == NULL)
		return NULL;
	g_mutex_lock(&a->idle_lock);
	if ((*idle)->len > 0)
		f = g_ptr_array_steal_index_fast(*idle, (*idle)->len - 1);
	g_mutex_unlock(&a->idle_lock);
	return f ? f : promise_formatter_new(locale, pattern);
}

static void return_formatter(struct assets *a, GPtrArray *idle, struct promise_formatter *f)
{
	g_mutex_lock(&a->idle_lock);
	if (idle->len < IDLE_FORMATTERS_MAX) {
		g_ptr_array_add(idle, f);
		f = NULL;
	}
	g_mutex_unlock(&a->idle_lock);
	promise_formatter_free(f);
}

char *assets_format_time(struct assets *a, const char *locale, int64_t t, const char *zone, int offset_minutes)
{
	GPtrArray *idle;
	struct promise_formatter *f = borrow_formatter(a, locale, &idle);
	char *text;

	if (idle == NULL)
		return promise_format_time_with(t, locale, zone, offset_minutes, NULL);
	if (f == NULL)
		return NULL;
	text = promise_formatter_format(f, t, zone, offset_minutes);
	return_formatter(a, idle, f);
	return text;
}

char *assets_format_relative(struct assets *a, const char *locale, int64_t now, int64_t t, int64_t max_minutes)
{
	GPtrArray *idle;
	struct promise_formatter *f = borrow_formatter(a, locale, &idle);
	char *text;

	if (idle == NULL)
		return promise_format_relative(now, t, locale, max_minutes);
	if (f == NULL)
		return NULL;
	text = promise_formatter_relative(f, now, t, max_minutes);
	return_formatter(a, idle, f);
	return text;
}
