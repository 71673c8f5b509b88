/*
 * settings.c - loading and validating the INI configuration (settings.h).
 *
 * GKeyFile reads the file; a small pre-scan records the line of every
 * section and key, because GKeyFile forgets them and an administrator
 * wants "FILE:LINE:" in every complaint.  What keys there are is the
 * table in settings_keys.c.
 * Room: config.
 */
#include "config.h"
#include "config/settings.h"
#include "config/settings_agents.h"
#include "config/settings_reports.h"
#include "config/settings_keys.h"
#include "config/settings_set.h"
#include "util/addr.h"
#include "calendar/calendar.h"

#include <glib.h>

#include <stdio.h>
#include <string.h>

/* Where each "section\nkey" (and "section\n" for the header) stands. */
struct line_index {
	GHashTable *lines;
};

/* Also reports lines GKeyFile would reject, with their numbers. */
static void line_index_build(struct line_index *ix, const char *path, const char *text,
			     GPtrArray *errors)
{
	char section[256] = "";
	int lineno = 0;
	char **lines = g_strsplit(text, "\n", -1);

	ix->lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (char **l = lines; *l; l++) {
		char *line = g_strstrip(*l);

		lineno++;
		if (*line == '[') {
			char *end = strchr(line, ']');
			if (end == NULL)
				g_ptr_array_add(errors, g_strdup_printf("%s:%d: section header without ']'", path, lineno));
			if (end) {
				snprintf(section, sizeof section, "%.*s", (int)(end - line - 1), line + 1);
				g_hash_table_insert(ix->lines, g_strconcat(section, "\n", NULL), GINT_TO_POINTER(lineno));
			}
		} else if (*line && *line != '#') {
			char *eq = strchr(line, '=');
			if (eq) {
				char *key = g_strstrip(g_strndup(line, eq - line));
				g_hash_table_insert(ix->lines, g_strconcat(section, "\n", key, NULL), GINT_TO_POINTER(lineno));
				g_free(key);
			} else {
				g_ptr_array_add(errors, g_strdup_printf(
					"%s:%d: expected \"key = value\", a [section] or a # comment on its own line", path, lineno));
			}
		}
	}
	g_strfreev(lines);
}

static int line_of(const struct line_index *ix, const char *section, const char *key)
{
	char *k = g_strconcat(section, "\n", key ? key : "", NULL);
	int line = GPOINTER_TO_INT(g_hash_table_lookup(ix->lines, k));

	g_free(k);
	return line;
}

struct loader {
	const char *path;
	struct line_index ix;
	GPtrArray *errors;
};

static void complain(struct loader *ld, const char *section, const char *key,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void complain(struct loader *ld, const char *section, const char *key,
		     const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int line = section ? line_of(&ld->ix, section, key) : 0;

	if (line == 0 && section)
		line = line_of(&ld->ix, section, NULL);
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(ld->errors, g_strdup_printf("%s:%d: %s", ld->path, line, msg));
	g_free(msg);
}

/* Converts value into its field, each problem with the key's line. */
static void set_value(struct loader *ld, const char *group, const struct key_spec *spec, const char *value,
		      void *base)
{
	GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);

	settings_set_value(spec, value, base, problems);
	for (guint i = 0; i < problems->len; i++)
		complain(ld, group, spec->name, "%s", (const char *)g_ptr_array_index(problems, i));
	g_ptr_array_free(problems, TRUE);
}

/* The value of key, stripped, or NULL when absent.  GKeyFile also gives
 * NULL for a value that is not UTF-8: that is a complaint (unless ld is
 * NULL: already made), never a silent fall back to the default. */
static char *get_value(struct loader *ld, GKeyFile *kf, const char *group, const char *key)
{
	GError *gerr = NULL;
	char *value = g_key_file_get_string(kf, group, key, &gerr);

	if (value == NULL && ld != NULL) {
		if (g_error_matches(gerr, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_UNKNOWN_ENCODING))
			complain(ld, group, key, "%s: the value is not valid UTF-8", key);
		else if (gerr && !g_error_matches(gerr, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
			 !g_error_matches(gerr, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
			complain(ld, group, key, "%s: %s", key, gerr->message);
	}
	g_clear_error(&gerr);
	return value ? g_strstrip(value) : NULL;
}

/* Applies every table entry of kind section_kind to one section. */
static void load_section(struct loader *ld, GKeyFile *kf, const char *group,
			 const char *section_kind, void *base)
{
	gsize n_keys = 0;
	char **keys = g_key_file_get_keys(kf, group, &n_keys, NULL);

	for (gsize i = 0; i < n_keys; i++)
		if (settings_key_find(section_kind, keys[i]) == NULL)
			complain(ld, group, keys[i], "unknown key \"%s\" in [%s]", keys[i], group);
	g_strfreev(keys);

	for (size_t k = 0; settings_key(k); k++) {
		const struct key_spec *spec = settings_key(k);
		char *value;

		if (strcmp(spec->section, section_kind) != 0)
			continue;
		value = get_value(ld, kf, group, spec->name);
		if ((value == NULL || *value == '\0') && spec->required) {
			complain(ld, group, NULL, "[%s] needs %s", group, spec->name);
		} else if (spec->type == KEY_BY_SECTION) {
			/* [calendar] hours and holidays: read by load_calendar() */
		} else if (value && *value) {
			set_value(ld, group, spec, value, base);
		} else if (spec->fallback) {
			set_value(ld, group, spec, spec->fallback, base);
		}
		g_free(value);
	}
}

/* complain() for settings_agents.c. */
static void complain_in(void *ctx, const char *section, const char *key, const char *message)
{
	complain(ctx, section, key, "%s", message);
}

/* [sla NAME]: first-response and resolution, each optionally prefixed
 * with a priority ("urgent.first-response"); unprefixed keys set every
 * priority that has no prefixed key of its own. */
static void load_sla(struct loader *ld, GKeyFile *kf, const char *group, struct sla_policy *p)
{
	char **keys = g_key_file_get_keys(kf, group, NULL, NULL);
	bool set[2][PRIORITY_COUNT] = { { false } };

	for (int pass = 0; pass < 2; pass++)
		for (char **k = keys; k && *k; k++) {
			if (sla_remind_key(*k))
				continue;	/* sla_reminds_load(), below */
			const char *dot = strchr(*k, '.');
			const char *what = dot ? dot + 1 : *k;
			char *value = get_value(pass == 0 ? ld : NULL, kf, group, *k);
			struct sla_target t = { 0 };
			char *error = NULL;
			enum priority prio = PRIORITY_NORMAL;
			int kind = strcmp(what, "first-response") == 0 ? 0 : strcmp(what, "resolution") == 0 ? 1 : -1;
			char *prefix = dot ? g_strndup(*k, (gsize)(dot - *k)) : NULL;

			if (pass == 0 && kind < 0)
				complain(ld, group, *k, "unknown key \"%s\" in [%s]: expected [PRIORITY.]first-response, "
					 "[PRIORITY.]resolution or remind", *k, group);
			else if (pass == 0 && prefix && !ticket_priority_parse(prefix, &prio))
				complain(ld, group, *k, "unknown priority \"%s\": use low, normal, high or urgent", prefix);
			else if (kind >= 0 && (pass == 0) == (prefix != NULL) &&
				 (!prefix || ticket_priority_parse(prefix, &prio))) {
				if (!sla_parse_duration(value, &t.minutes, &t.calendar_time, &error)) {
					complain(ld, group, *k, "%s: %s", *k, error);
					g_free(error);
				} else {
					struct sla_target *targets = kind == 0 ? p->first_response : p->resolution;
					for (int i = 0; i < PRIORITY_COUNT; i++)
						if (prefix ? i == (int)prio : !set[kind][i])
							targets[i] = t;
					if (prefix)
						set[kind][prio] = true;
				}
			}
			g_free(prefix);
			g_free(value);
		}
	if (p->first_response[PRIORITY_NORMAL].minutes == 0)
		complain(ld, group, NULL, "[%s] needs first-response", group);
	sla_reminds_load(kf, group, p, complain_in, ld);
	g_strfreev(keys);
}

static void load_calendar(struct loader *ld, GKeyFile *kf, const char *group, struct calendar_def *c)
{
	/* load_section() has complained about these already. */
	char *hours = get_value(NULL, kf, group, "hours");
	char *holidays = get_value(NULL, kf, group, "holidays");
	char *error = NULL;

	if (c->timezone && hours) {
		c->calendar = calendar_parse(g_strstrip(c->timezone), g_strstrip(hours),
					     holidays ? g_strstrip(holidays) : NULL, &error);
		if (c->calendar == NULL) {
			/* calendar_parse names the part first: "timezone: ...", "holidays: ..." */
			complain(ld, group, g_str_has_prefix(error, "timezone") ? "timezone" :
				 g_str_has_prefix(error, "holidays") ? "holidays" : "hours",
				 "[%s]: %s", group, error);
			g_free(error);
		}
	}
	g_free(hours);
	g_free(holidays);
}

/* Points each queue at its SLA policies and calendars. */
static void resolve_queues(struct loader *ld, struct settings *s)
{
	for (size_t i = 0; i < s->n_queues; i++) {
		struct queue *q = &s->queues[i];
		char *group = g_strconcat("queue ", q->id, NULL);
		const char *names[2] = { q->sla_name, q->vip_sla_name };
		const struct sla_policy **slots[2] = { &q->sla, &q->vip_sla };

		/* Compared with a casefolded subject: folded once, here. */
		for (char **k = q->urgent_keywords; k && *k; k++) {
			char *folded = g_utf8_casefold(*k, -1);
			g_free(*k);
			*k = folded;
		}
		for (int k = 0; k < 2; k++) {
			*slots[k] = NULL;
			for (size_t j = 0; names[k] && j < s->n_slas; j++)
				if (strcmp(s->slas[j].id, names[k]) == 0)
					*slots[k] = &s->slas[j];
			if (names[k] && *slots[k] == NULL)
				complain(ld, group, k ? "vip-sla" : "sla", "no [sla %s] section", names[k]);
		}
		if (q->sla == NULL) {
			q->sla = &s->slas[0];	/* the built-in default */
			if (q->sla_name == NULL)
				g_ptr_array_add(s->notes, g_strdup_printf("%s:%d: note: [%s] names no sla; using the built-in"
					" default: first response within 24h calendar time", ld->path,
					line_of(&ld->ix, group, NULL), group));
		}
		q->n_calendars = q->calendar_names ? g_strv_length(q->calendar_names) : 0;
		q->calendars = g_new0(struct calendar *, q->n_calendars + 1);
		for (size_t c = 0; c < q->n_calendars; c++) {
			for (size_t j = 0; j < s->n_calendars; j++)
				if (strcmp(s->calendars[j].id, q->calendar_names[c]) == 0) {
					q->calendars[c] = s->calendars[j].calendar;
					if (c == 0)
						q->calendar_zone = s->calendars[j].timezone;
				}
			if (q->calendars[c] == NULL)
				complain(ld, group, "calendars", "no usable [calendar %s] section", q->calendar_names[c]);
		}
		g_free(group);
	}
}

static void check_queues(struct loader *ld, struct settings *s)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);

	if (s->n_queues == 0)
		complain(ld, NULL, NULL, "no [queue NAME] section: the milter would have nothing to do");
	for (size_t i = 0; i < s->n_queues; i++) {
		struct queue *q = &s->queues[i];
		char *group = g_strconcat("queue ", q->id, NULL);
		for (char **a = q->addresses; a && *a; a++) {
			const char *other = g_hash_table_lookup(seen, *a);
			if (other)
				complain(ld, group, "addresses", "%s is already an address of [queue %s]", *a, other);
			else
				g_hash_table_insert(seen, *a, q->id);
		}
		if (q->locales && q->default_locale == NULL)
			q->default_locale = g_strdup(q->locales[0]);
		if (q->locales && q->default_locale && !g_strv_contains((const char *const *)q->locales, q->default_locale))
			complain(ld, group, "default-locale", "default-locale %s is not one of the queue's locales",
				 q->default_locale);
		for (char **m = q->locale_fallback; m && *m && q->locales; m += 2)
			if (!g_strv_contains((const char *const *)q->locales, *m))
				complain(ld, group, "locale-fallback", "locale-fallback maps %s, which is not one of the "
					 "queue's locales", *m);
		for (size_t j = 0; j < i; j++)
			if (q->tag && s->queues[j].tag && strcmp(q->tag, s->queues[j].tag) == 0)
				complain(ld, group, "tag", "tag %s is already used by [queue %s]", q->tag, s->queues[j].id);
		g_free(group);
	}
	g_hash_table_destroy(seen);
}

/* Limits that contradict each other (each alone is checked by its type,
 * settings_keys.c), and the spool's default. */
static void check_limits(struct loader *ld, struct settings *s)
{
	if (s->max_header_line > 0 && s->max_header_bytes > 0 && s->max_header_line > s->max_header_bytes)
		complain(ld, "milter", "max-header-line", "max-header-line (%zu) is larger than max-header-bytes (%zu)",
			 s->max_header_line, s->max_header_bytes);
	if (s->spool_directory == NULL && s->database)
		s->spool_directory = g_path_get_dirname(s->database);
}

/* Hands the parsed sections to the snapshot (idempotent: the arrays do
 * not change once parsing is over). */
static void adopt_sections(struct settings *s, GArray *queues, GArray *slas, GArray *calendars)
{
	s->n_queues = queues->len;
	s->queues = (struct queue *)(void *)queues->data;
	s->n_slas = slas->len;
	s->slas = (struct sla_policy *)(void *)slas->data;
	s->n_calendars = calendars->len;
	s->calendars = (struct calendar_def *)(void *)calendars->data;
}

struct settings *settings_load(const char *path, int flags, GPtrArray *errors)
{
	struct loader ld = { .path = path, .errors = errors };
	struct settings *s = g_new0(struct settings, 1);
	GKeyFile *kf = g_key_file_new();
	GError *gerr = NULL;
	char *text = NULL;
	char **groups;
	GArray *queues = g_array_new(FALSE, TRUE, sizeof(struct queue));
	GArray *slas = g_array_new(FALSE, TRUE, sizeof(struct sla_policy));
	GArray *calendars = g_array_new(FALSE, TRUE, sizeof(struct calendar_def));
	GArray *agents = g_array_new(FALSE, TRUE, sizeof(struct agent_def));
	GArray *reports = g_array_new(FALSE, TRUE, sizeof(struct report_def));
	guint errors_before = errors->len;

	s->refs = 1;
	s->path = g_strdup(path);
	s->notes = g_ptr_array_new_with_free_func(g_free);
	if (!g_file_get_contents(path, &text, NULL, &gerr)) {
		g_ptr_array_add(errors, g_strdup_printf("%s:0: %s", path, gerr->message));
		g_error_free(gerr);
		g_array_free(queues, TRUE);
		g_array_free(slas, TRUE);
		g_array_free(calendars, TRUE);
		g_array_free(agents, TRUE);
		g_array_free(reports, TRUE);
		g_key_file_free(kf);
		settings_unref(s);
		return NULL;
	}
	{
		/* The built-in policy for queues that name none. */
		struct sla_policy builtin = { .id = g_strdup("default") };
		for (int i = 0; i < PRIORITY_COUNT; i++)
			builtin.first_response[i] = (struct sla_target){ 24 * 60, true };
		g_array_append_val(slas, builtin);
	}
	line_index_build(&ld.ix, path, text, errors);
	if (errors->len > errors_before)
		goto done;
	if (!g_key_file_load_from_data(kf, text, (gsize)-1, G_KEY_FILE_NONE, &gerr)) {
		/* GKeyFile's messages already carry "line N". */
		g_ptr_array_add(errors, g_strdup_printf("%s:0: %s", path, gerr->message));
		g_error_free(gerr);
		goto done;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g; g++) {
		if (strcmp(*g, "milter") == 0 || strcmp(*g, "outbox") == 0 || strcmp(*g, "filter") == 0 ||
		    strcmp(*g, "autoreply") == 0) {
			load_section(&ld, kf, *g, *g, s);
		} else if (g_str_has_prefix(*g, "sla ") && (*g)[4]) {
			struct sla_policy p = { .id = g_strdup(g_strstrip(*g + 4)) };
			load_sla(&ld, kf, *g, &p);
			g_array_append_val(slas, p);
		} else if (g_str_has_prefix(*g, "calendar ") && (*g)[9]) {
			struct calendar_def c = { .id = g_strdup(g_strstrip(*g + 9)) };
			load_section(&ld, kf, *g, "calendar", &c);
			load_calendar(&ld, kf, *g, &c);
			g_array_append_val(calendars, c);
		} else if (g_str_has_prefix(*g, "queue ") && (*g)[6]) {
			struct queue q = { .id = g_strdup(g_strstrip(*g + 6)) };
			load_section(&ld, kf, *g, "queue", &q);
			g_array_append_val(queues, q);
		} else if (g_str_has_prefix(*g, "agent ") && (*g)[6]) {
			struct agent_def a = { .id = g_strdup(g_strstrip(*g + 6)) };
			load_section(&ld, kf, *g, "agent", &a);
			g_array_append_val(agents, a);
		} else if (g_str_has_prefix(*g, "report ") && (*g)[7]) {
			struct report_def r = { .id = g_strdup(g_strstrip(*g + 7)) };
			load_section(&ld, kf, *g, "report", &r);
			g_array_append_val(reports, r);
		} else {
			complain(&ld, *g, NULL, "unknown section [%s]", *g);
		}
	}
	g_strfreev(groups);
	if (!g_key_file_has_group(kf, "milter"))
		complain(&ld, NULL, NULL, "missing [milter] section");
	/* Sections with only optional keys may be left out: apply their defaults. */
	if (!g_key_file_has_group(kf, "outbox"))
		load_section(&ld, kf, "outbox", "outbox", s);
	if (!g_key_file_has_group(kf, "autoreply"))
		load_section(&ld, kf, "autoreply", "autoreply", s);
	if (!g_key_file_has_group(kf, "filter"))
		load_section(&ld, kf, "filter", "filter", s);
	adopt_sections(s, queues, slas, calendars);
	s->n_agents = agents->len;
	s->agents = (struct agent_def *)(void *)agents->data;
	s->n_reports = reports->len;
	s->reports = (struct report_def *)(void *)reports->data;
	check_queues(&ld, s);
	check_limits(&ld, s);
	resolve_queues(&ld, s);
	settings_agents_check(s, complain_in, &ld);
	settings_reports_check(s, complain_in, &ld);

	if ((flags & SETTINGS_LOAD_SECRET) && s->secret_file && errors->len == errors_before) {
		char *err = NULL;
		s->secret = settings_read_secret(s->secret_file, &s->secret_len, &err);
		if (s->secret == NULL) {
			complain(&ld, "milter", "secret-file", "%s", err);
			g_free(err);
		}
	}
done:
	/* Again for the early exit: the snapshot owns whatever was parsed. */
	adopt_sections(s, queues, slas, calendars);
	s->n_agents = agents->len;
	s->agents = (struct agent_def *)(void *)agents->data;
	s->n_reports = reports->len;
	s->reports = (struct report_def *)(void *)reports->data;
	g_array_free(queues, FALSE);
	g_array_free(slas, FALSE);
	g_array_free(calendars, FALSE);
	g_array_free(agents, FALSE);
	g_array_free(reports, FALSE);
	s->lines = ld.ix.lines;
	g_key_file_free(kf);
	g_free(text);
	if (errors->len > errors_before) {
		settings_unref(s);
		return NULL;
	}
	return s;
}

int settings_line(const struct settings *s, const char *section, const char *key)
{
	struct line_index ix = { s->lines };

	return ix.lines ? line_of(&ix, section, key) : 0;
}

struct settings *settings_ref(struct settings *s)
{
	g_atomic_int_inc(&s->refs);
	return s;
}

void settings_unref(struct settings *s)
{
	if (s == NULL || !g_atomic_int_dec_and_test(&s->refs))
		return;
	settings_agents_free(s);
	settings_reports_free(s);
	for (size_t i = 0; i < s->n_queues; i++) {
		g_free(s->queues[i].id);
		g_free(s->queues[i].name);
		g_strfreev(s->queues[i].addresses);
		g_free(s->queues[i].tag);
		g_strfreev(s->queues[i].locales);
		g_free(s->queues[i].default_locale);
		g_strfreev(s->queues[i].locale_fallback);
		g_strfreev(s->queues[i].vip);
		g_strfreev(s->queues[i].agents);
		g_strfreev(s->queues[i].urgent_keywords);
		g_free(s->queues[i].sla_name);
		g_free(s->queues[i].vip_sla_name);
		g_strfreev(s->queues[i].calendar_names);
		g_free(s->queues[i].calendars);
	}
	for (size_t i = 0; i < s->n_slas; i++)
		g_free(s->slas[i].id);
	g_free(s->slas);
	for (size_t i = 0; i < s->n_calendars; i++) {
		g_free(s->calendars[i].id);
		g_free(s->calendars[i].timezone);
		if (s->calendars[i].calendar)
			calendar_free(s->calendars[i].calendar);
	}
	g_free(s->calendars);
	if (s->notes)
		g_ptr_array_free(s->notes, TRUE);
	g_free(s->queues);
	if (s->secret)
		memset(s->secret, 0, s->secret_len);
	g_free(s->secret);
	g_free(s->path);
	g_free(s->socket);
	g_free(s->filter_listen);
	g_free(s->filter_reinject);
	g_free(s->filter_pid_file);
	g_free(s->user);
	g_free(s->database);
	g_free(s->spool_directory);
	g_free(s->secret_file);
	g_free(s->hostname);
	g_free(s->pid_file);
	g_strfreev(s->authserv_ids);
	g_free(s->templates);
	g_free(s->outbox_smtp);
	g_free(s->outbox_command);
	g_free(s->bounce_address);
	if (s->never_reply)
		g_regex_unref(s->never_reply);
	if (s->trusted_networks)
		g_ptr_array_free(s->trusted_networks, TRUE);
	if (s->lines)
		g_hash_table_destroy(s->lines);
	g_free(s);
}

const struct queue *settings_queue_for(const struct settings *s, const char *address, char **detail)
{
	char *d = NULL;
	char *base = addr_split_detail(address, &d);
	const struct queue *found = NULL;

	for (size_t i = 0; i < s->n_queues && !found; i++)
		for (char **a = s->queues[i].addresses; a && *a; a++)
			if (strcmp(*a, base) == 0) {
				found = &s->queues[i];
				break;
			}
	g_free(base);
	if (found && detail)
		*detail = d;
	else
		g_free(d);
	return found;
}
