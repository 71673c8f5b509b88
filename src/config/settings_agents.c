/*
 * settings_agents.c - [agent NAME] sections, the agents of a calendar
 * and the reminder levels of an SLA (see settings_agents.h).
 * Room: config.
 */
#include "config.h"
#include "config/settings_agents.h"
#include "language/locale_tag.h"
#include "util/addr.h"

#include <stdlib.h>
#include <string.h>

void remind_levels_clear(struct remind_levels *r)
{
	for (size_t i = 0; i < r->n; i++)
		g_strfreev(r->levels[i].recipients);
	g_free(r->levels);
	r->levels = NULL;
	r->n = 0;
}


static int by_percent(const void *a, const void *b)
{
	const struct remind_level *x = a, *y = b;

	return (x->percent > y->percent) - (x->percent < y->percent);
}

/* "75%" -> 75; 0 when it is not a level. */
static int parse_percent(const char *word)
{
	char *end;
	long n = strtol(word, &end, 10);

	if (end == word || !g_ascii_isdigit(*word) || strcmp(end, "%") != 0 || n < 1 || n > REMIND_MAX_PERCENT)
		return 0;
	return (int)n;
}

/* "assignee, agents, lead@example.com" -> a list, or NULL with *error. */
static char **parse_recipients(const char *text, char **error)
{
	char **words = g_strsplit(text, ",", -1);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (char **w = words; *w; w++) {
		char *word = g_strstrip(*w), *a;

		if (strcmp(word, "assignee") == 0 || strcmp(word, "agents") == 0) {
			g_ptr_array_add(out, g_strdup(word));
			continue;
		}
		a = *word ? addr_normalize(word) : NULL;
		if (a == NULL || !addr_is_safe(a)) {
			*error = g_strdup_printf("\"%s\" is not a recipient: write assignee, agents or an address", word);
			g_free(a);
			g_strfreev(words);
			g_ptr_array_free(out, TRUE);
			return NULL;
		}
		g_ptr_array_add(out, a);
	}
	g_strfreev(words);
	if (out->len == 0) {
		*error = g_strdup("a level names nobody: write assignee, agents or an address after the colon");
		g_ptr_array_free(out, TRUE);
		return NULL;
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* One "50%, 75%: RECIPIENTS" group into levels. */
static bool parse_group(const char *group, GArray *levels, char **error)
{
	const char *colon = strchr(group, ':');
	char *head, **percents, **recipients;
	bool ok = true;

	if (colon == NULL) {
		*error = g_strdup_printf("\"%s\": expected LEVELS: RECIPIENTS, e.g. 75%%: assignee", group);
		return false;
	}
	if ((recipients = parse_recipients(colon + 1, error)) == NULL)
		return false;
	head = g_strndup(group, (gsize)(colon - group));
	percents = g_strsplit(head, ",", -1);
	for (char **p = percents; *p && ok; p++) {
		struct remind_level level = { .percent = parse_percent(g_strstrip(*p)) };

		if (level.percent == 0) {
			*error = g_strdup_printf("\"%s\" is not a level: write a percent of the budget from 1%% to %d%%, "
						 "e.g. 75%%", *p, REMIND_MAX_PERCENT);
			ok = false;
			break;
		}
		for (guint i = 0; i < levels->len; i++)
			if (g_array_index(levels, struct remind_level, i).percent == level.percent) {
				*error = g_strdup_printf("%d%% is given twice", level.percent);
				ok = false;
			}
		if (ok && levels->len >= REMIND_MAX_LEVELS) {
			*error = g_strdup_printf("more than %d levels", REMIND_MAX_LEVELS);
			ok = false;
		}
		if (ok) {
			level.recipients = g_strdupv(recipients);
			g_array_append_val(levels, level);
		}
	}
	g_strfreev(percents);
	g_strfreev(recipients);
	g_free(head);
	return ok;
}

static bool parse_levels(const char *text, struct remind_levels *out, char **error)
{
	GArray *levels = g_array_new(FALSE, TRUE, sizeof(struct remind_level));
	char **groups;
	bool ok = true;

	remind_levels_clear(out);
	if (strcmp(text, "none") == 0) {
		g_array_free(levels, TRUE);
		return true;
	}
	groups = g_strsplit(text, ";", -1);
	for (char **g = groups; *g && ok; g++)
		if (*g_strstrip(*g))
			ok = parse_group(*g, levels, error);
	g_strfreev(groups);
	if (ok && levels->len == 0) {
		*error = g_strdup("no level: write e.g. 75%: assignee; 100%: assignee, lead@example.com, or none");
		ok = false;
	}
	if (!ok) {
		struct remind_levels partial = { (struct remind_level *)(void *)levels->data, levels->len };
		g_array_free(levels, FALSE);
		remind_levels_clear(&partial);
		return false;
	}
	qsort(levels->data, levels->len, sizeof(struct remind_level), by_percent);
	out->n = levels->len;
	out->levels = (struct remind_level *)(void *)g_array_free(levels, FALSE);
	return true;
}

bool remind_parse(const char *text, struct remind_levels *out, char **error)
{
	char *why = NULL;
	bool ok = parse_levels(text, out, &why);

	if (error)
		*error = why;
	else
		g_free(why);
	return ok;
}

static const char *const remind_keys[] = { "remind", "remind-first-response", "remind-resolution" };

/* The remind key after an optional "PRIORITY." (or the key itself). */
static const char *without_prefix(const char *key)
{
	const char *dot = strchr(key, '.');

	return dot ? dot + 1 : key;
}

bool sla_remind_key(const char *key)
{
	for (size_t i = 0; i < G_N_ELEMENTS(remind_keys); i++)
		if (strcmp(without_prefix(key), remind_keys[i]) == 0)
			return true;
	return false;
}

/* The levels of the first of names that group has, parsed; false when
 * none has them (or it does not parse: reported already). */
static bool first_of(GKeyFile *kf, const char *group, char *const names[4], struct remind_levels *out)
{
	for (int i = 0; i < 4; i++) {
		char *value = g_key_file_get_string(kf, group, names[i], NULL);
		bool ok;

		if (value == NULL)
			continue;
		ok = remind_parse(g_strstrip(value), out, NULL);
		g_free(value);
		return ok;
	}
	return false;
}

static void complain_key(settings_complaint on_problem, void *ctx, const char *group, const char *key,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void complain_key(settings_complaint on_problem, void *ctx, const char *group, const char *key,
			 const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	on_problem(ctx, group, key, msg);
	g_free(msg);
}

void sla_reminds_load(GKeyFile *kf, const char *group, struct sla_policy *p, settings_complaint on_problem, void *ctx)
{
	char **keys = g_key_file_get_keys(kf, group, NULL, NULL);

	/* Each key on its own first, so that every bad one is reported. */
	for (char **k = keys; k && *k; k++) {
		const char *dot = strchr(*k, '.');
		struct remind_levels parsed = { 0 };
		char *value, *error = NULL;
		enum priority prio;

		if (!sla_remind_key(*k))
			continue;
		if (dot) {
			char *prefix = g_strndup(*k, (gsize)(dot - *k));
			if (!ticket_priority_parse(prefix, &prio))
				complain_key(on_problem, ctx, group, *k, "unknown priority \"%s\": use low, normal, high or urgent",
					     prefix);
			g_free(prefix);
		}
		value = g_key_file_get_string(kf, group, *k, NULL);
		if (value && !remind_parse(g_strstrip(value), &parsed, &error)) {
			complain_key(on_problem, ctx, group, *k, "%s: %s", *k, error);
			g_free(error);
		}
		remind_levels_clear(&parsed);
		g_free(value);
	}
	g_strfreev(keys);
	for (int t = 0; t < 2; t++)
		for (int prio = 0; prio < PRIORITY_COUNT; prio++) {
			const char *name = ticket_priority_name((enum priority)prio), *target = remind_keys[t + 1];
			char *names[4] = {
				g_strdup_printf("%s.%s", name, target), g_strdup_printf("%s.remind", name),
				g_strdup(target), g_strdup("remind"),
			};
			struct remind_levels *out = t == 0 ? &p->remind_first_response[prio] : &p->remind_resolution[prio];

			if (!first_of(kf, group, names, out))
				remind_levels_clear(out);
			for (int i = 0; i < 4; i++)
				g_free(names[i]);
		}
}

static void complain_at(settings_complaint on_problem, void *ctx, const char *prefix, const char *id,
			const char *key, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void complain_at(settings_complaint on_problem, void *ctx, const char *prefix, const char *id,
			const char *key, const char *fmt, ...)
{
	char *section = g_strconcat(prefix, " ", id, NULL), *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	on_problem(ctx, section, key, msg);
	g_free(msg);
	g_free(section);
}

static void check_agent(struct settings *s, struct agent_def *a, settings_complaint on_problem, void *ctx)
{
	if (a->address == NULL && strchr(a->id, '@'))
		a->address = addr_normalize(a->id);
	if (a->address == NULL)
		complain_at(on_problem, ctx, "agent", a->id, NULL,
			    "[agent %s] needs address (or name the section by the address: [agent alice@example.com])", a->id);
	else if (!addr_is_safe(a->address) || strchr(a->address, '@') == NULL)
		complain_at(on_problem, ctx, "agent", a->id, "address", "[agent %s]: \"%s\" is not an address", a->id,
			    a->address);
	for (size_t j = 0; a->address && j < s->n_agents && &s->agents[j] != a; j++)
		if (s->agents[j].address && addr_equal(s->agents[j].address, a->address))
			complain_at(on_problem, ctx, "agent", a->id, NULL, "%s already has a section: [agent %s]", a->address,
				    s->agents[j].id);
	if (a->locale) {
		char *canonical = locale_tag_canonical(a->locale);
		if (canonical == NULL)
			complain_at(on_problem, ctx, "agent", a->id, "locale", "locale \"%s\": expected a form like en, de "
				    "or pt-BR", a->locale);
		g_free(a->locale);
		a->locale = canonical;
	}
	if (a->timezone) {
		GTimeZone *tz = g_time_zone_new_identifier(a->timezone);
		if (tz == NULL)
			complain_at(on_problem, ctx, "agent", a->id, "timezone", "timezone \"%s\" is not a time zone "
				    "(an IANA name: Europe/Berlin, America/New_York)", a->timezone);
		else
			g_time_zone_unref(tz);
	}
}

/* A calendar's agents entry: an address, or an [agent NAME]'s. */
static char *agent_address(const struct settings *s, const char *item)
{
	for (size_t i = 0; i < s->n_agents; i++)
		if (strcmp(s->agents[i].id, item) == 0 && s->agents[i].address)
			return g_strdup(s->agents[i].address);
	if (strchr(item, '@') == NULL)
		return NULL;
	return addr_normalize(item);
}

void settings_agents_check(struct settings *s, settings_complaint on_problem, void *ctx)
{
	for (size_t i = 0; i < s->n_agents; i++)
		check_agent(s, &s->agents[i], on_problem, ctx);
	for (size_t i = 0; i < s->n_calendars; i++) {
		struct calendar_def *c = &s->calendars[i];

		for (char **a = c->agents; a && *a; a++) {
			char *address = agent_address(s, *a);
			if (address == NULL || !addr_is_safe(address))
				complain_at(on_problem, ctx, "calendar", c->id, "agents", "agents: \"%s\" is neither an "
					    "address nor the NAME of an [agent NAME] section", *a);
			g_free(*a);
			*a = address ? address : g_strdup("");
		}
	}
}

void settings_agents_free(struct settings *s)
{
	for (size_t i = 0; i < s->n_agents; i++) {
		g_free(s->agents[i].id);
		g_free(s->agents[i].address);
		g_free(s->agents[i].locale);
		g_free(s->agents[i].timezone);
	}
	g_free(s->agents);
	s->agents = NULL;
	s->n_agents = 0;
	for (size_t i = 0; i < s->n_calendars; i++)
		g_strfreev(s->calendars[i].agents);
	for (size_t i = 0; i < s->n_slas; i++)
		for (int p = 0; p < PRIORITY_COUNT; p++) {
			remind_levels_clear(&s->slas[i].remind_first_response[p]);
			remind_levels_clear(&s->slas[i].remind_resolution[p]);
		}
}

const struct agent_def *settings_agent(const struct settings *s, const char *address)
{
	for (size_t i = 0; address && i < s->n_agents; i++)
		if (s->agents[i].address && addr_equal(s->agents[i].address, address))
			return &s->agents[i];
	return NULL;
}
