/*
 * settings_set.c - converting a configuration value by its key's type
 * (settings_set.h): one setter per type of settings_keys.h checks the
 * text and stores it in the key's field, so that a new key is a line of
 * the table and not a new branch here.  The complaints name the key and
 * quote the value; the loader puts the key's line before them.
 * Room: config.
 */
#include "config.h"
#include "config/settings_set.h"
#include "config/settings.h"
#include "calendar/calendar.h"
#include "util/addr.h"

#include <gio/gio.h>

#include <stdarg.h>
#include <string.h>

static void problem(GPtrArray *problems, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(GPtrArray *problems, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_ptr_array_add(problems, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

static bool socket_spec_valid(const char *v)
{
	if (g_str_has_prefix(v, "unix:") || g_str_has_prefix(v, "local:"))
		return strchr(v, '/') != NULL;
	if (g_str_has_prefix(v, "inet:") || g_str_has_prefix(v, "inet6:")) {
		const char *port = strchr(v, ':') + 1;
		char *end;
		long n = strtol(port, &end, 10);
		return end != port && n > 0 && n < 65536 && (*end == '\0' || *end == '@');
	}
	return false;
}

static bool tag_valid(const char *v)
{
	size_t n = strlen(v);

	if (n < 1 || n > 10 || !g_ascii_isupper(v[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isupper(v[i]) && !g_ascii_isdigit(v[i]))
			return false;
	return true;
}

static bool hostname_valid(const char *v)
{
	if (*v == '\0' || strlen(v) > 253)
		return false;
	for (const char *p = v; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
			return false;
	return true;
}

static char **parse_addresses(const char *v, GString *bad)
{
	GPtrArray *out = g_ptr_array_new();
	char **parts = g_strsplit(v, ",", -1);

	for (char **p = parts; *p; p++) {
		char *a = addr_normalize(g_strstrip(*p));
		if (a == NULL)
			continue;
		/* Queue addresses go into SMTP and headers of the mail we send. */
		if (!addr_is_safe(a) || strchr(a, '+') != NULL) {
			g_string_append_printf(bad, "%s%s", bad->len ? ", " : "", a);
			g_free(a);
			continue;
		}
		g_ptr_array_add(out, a);
	}
	g_strfreev(parts);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* "90s", "10m", "1h", "2d" (a bare number is seconds); -1 when malformed
 * or beyond G_MAXINT seconds (68 years: every such key is an int). */
static long parse_seconds(const char *v)
{
	char *end;
	long n, unit;

	while (*v == ' ')
		v++;
	n = strtol(v, &end, 10);
	if (end == v || n < 0)
		return -1;
	while (*end == ' ')
		end++;
	switch (*end) {
	case '\0': case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (n > G_MAXINT / unit)
		return -1;
	return *end && end[1] ? -1 : n * unit;
}

/* "4096", "64k", "1M", "2G" (powers of 1024); G_MAXUINT64 when
 * malformed or above 1024G. */
static guint64 parse_size(const char *v)
{
	char *end;
	guint64 n, unit = 1;

	if (!g_ascii_isdigit(*v))
		return G_MAXUINT64;
	n = g_ascii_strtoull(v, &end, 10);
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': unit = 1024; break;
	case 'm': case 'M': unit = 1024 * 1024; break;
	case 'g': case 'G': unit = 1024 * 1024 * 1024; break;
	default: return G_MAXUINT64;
	}
	if (*end && end[1])
		return G_MAXUINT64;
	if (n > (G_GUINT64_CONSTANT(1) << 40) / unit)
		return G_MAXUINT64;
	return n * unit;
}

/* "3/10m, 10/1d": at most COUNT acknowledgements per WINDOW. */
static bool parse_rates(const char *v, struct rate_limit *rates, size_t *n)
{
	char **parts = g_strsplit(v, ",", -1);
	bool ok = true;

	*n = 0;
	for (char **p = parts; *p && ok; p++) {
		char *slash = strchr(*p, '/');
		char *end;
		long count = strtol(*p, &end, 10);
		if (slash == NULL || count <= 0 || count > G_MAXINT || *n >= SETTINGS_MAX_RATES) {
			ok = false;
			break;
		}
		rates[*n].count = (int)count;
		rates[*n].seconds = parse_seconds(slash + 1);
		ok = rates[*n].seconds > 0;
		(*n)++;
	}
	g_strfreev(parts);
	return ok;
}

static char **split_list(const char *v)
{
	GPtrArray *out = g_ptr_array_new();
	char **parts = g_strsplit(v, ",", -1);

	for (char **p = parts; *p; p++) {
		g_strstrip(*p);
		if (**p)
			g_ptr_array_add(out, g_strdup(*p));
	}
	g_strfreev(parts);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

static bool locale_valid(const char *l)
{
	size_t n = strlen(l);

	if (n < 2 || !g_ascii_islower(l[0]) || !g_ascii_islower(l[1]))
		return false;
	if (n == 2)
		return true;
	return n == 5 && l[2] == '-' && g_ascii_isupper(l[3]) && g_ascii_isupper(l[4]);
}

/* One setter per type: checks value and stores it in field. */
typedef void key_setter(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems);

static void set_string(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	(void)spec;
	(void)problems;
	*(char **)field = g_strdup(value);
}

static void set_path(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	if (value[0] != '/')
		problem(problems, "%s must be an absolute path, not \"%s\"", spec->name, value);
	*(char **)field = g_strdup(value);
}

static void set_socket(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	if (!socket_spec_valid(value))
		problem(problems, "%s \"%s\": expected inet:PORT@HOST, inet6:PORT@HOST, unix:/path or local:/path",
			spec->name, value);
	*(char **)field = g_strdup(value);
}

static void set_hostname(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	if (!hostname_valid(value))
		problem(problems, "%s \"%s\" is not a valid host name", spec->name, value);
	*(char **)field = g_ascii_strdown(value, -1);
}

static void set_tag(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	if (!tag_valid(value))
		problem(problems, "%s \"%s\": use 1 to 10 upper-case letters and digits, starting with a letter",
			spec->name, value);
	*(char **)field = g_strdup(value);
}

static void set_hostport(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	const char *colon = strrchr(value, ':');
	long port = colon ? strtol(colon + 1, NULL, 10) : 0;

	if (colon == NULL || colon == value || port <= 0 || port > 65535)
		problem(problems, "%s \"%s\": expected HOST:PORT", spec->name, value);
	*(char **)field = g_strdup(value);
}

static void set_command(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	if (value[0] != '/' || strstr(value, "%r") == NULL)
		problem(problems, "%s must start with an absolute path and contain %%r (the recipient)", spec->name);
	*(char **)field = g_strdup(value);
}

static void set_bool(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	if (g_ascii_strcasecmp(value, "yes") == 0 || g_ascii_strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*(bool *)field = true;
	else if (g_ascii_strcasecmp(value, "no") == 0 || g_ascii_strcasecmp(value, "false") == 0 ||
		 strcmp(value, "0") == 0)
		*(bool *)field = false;
	else
		problem(problems, "%s must be yes or no, not \"%s\"", spec->name, value);
}

static void set_int(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	char *end;
	unsigned long long n = g_ascii_strtoull(value, &end, 10);

	if (end == value || *end != '\0' || n > G_MAXINT) {
		problem(problems, "%s must be a whole number, not \"%s\"", spec->name, value);
		return;
	}
	*(int *)field = (int)n;
	if (n < (unsigned long long)spec->min)
		problem(problems, "%s must be at least %d", spec->name, spec->min);
}

static void set_size(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	guint64 n = parse_size(value);

	if (n == G_MAXUINT64) {
		problem(problems, "%s \"%s\": expected a number of bytes, optionally with k, M or G "
			"(1024, 1024k, 1024M), at most 1024G", spec->name, value);
		return;
	}
	*(size_t *)field = (size_t)n;
	if (n < (guint64)spec->min)
		problem(problems, "%s must be at least %d", spec->name, spec->min);
}

static void set_percent(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	char *end;
	unsigned long long n = g_ascii_strtoull(value, &end, 10);

	*(int *)field = 0;
	if (g_ascii_strcasecmp(value, "none") == 0)
		return;
	if (end == value || !g_ascii_isdigit(*value) || strcmp(end, "%") != 0 || n < 1 || n > 100) {
		problem(problems, "%s \"%s\": expected a percent from 1%% to 100%%, or none", spec->name, value);
		return;
	}
	*(int *)field = (int)n;
}

static void set_sla_duration(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	struct sla_target *t = field;
	char *error = NULL;

	memset(t, 0, sizeof *t);
	if (g_ascii_strcasecmp(value, "none") == 0)
		return;
	if (!sla_parse_duration(value, &t->minutes, &t->calendar_time, &error) || t->minutes <= 0) {
		problem(problems, "%s: %s", spec->name, error ? error : "expected a duration such as 3d, or none");
		memset(t, 0, sizeof *t);
	}
	g_free(error);
}

static void set_duration(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	long n = parse_seconds(value);

	if (n < 0)
		problem(problems, "%s \"%s\": expected a duration like 90s, 10m, 1h or 2d", spec->name, value);
	else
		*(int *)field = (int)n;
}

static void set_rates(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	struct rate_limits *r = field;

	if (!parse_rates(value, r->limits, &r->n))
		problem(problems, "%s \"%s\": expected COUNT/DURATION, e.g. 3/10m, 10/1d", spec->name, value);
}

/* "on-error must be tempfail or accept, not ...": the names from the table. */
static void set_choice(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	GString *names = g_string_new(NULL);

	for (const struct key_choice *c = spec->choices; c->name; c++)
		if (strcmp(value, c->name) == 0) {
			*(int *)field = c->value;
			g_string_free(names, TRUE);
			return;
		}
	for (const struct key_choice *c = spec->choices; c->name; c++)
		g_string_append_printf(names, "%s%s", c == spec->choices ? "" : c[1].name ? ", " : " or ", c->name);
	problem(problems, "%s must be %s, not \"%s\"", spec->name, names->str, value);
	g_string_free(names, TRUE);
}

static void set_regex(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	GError *gerr = NULL;
	GRegex *re = g_regex_new(value, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, &gerr);

	if (re == NULL) {
		problem(problems, "%s: %s", spec->name, gerr->message);
		g_error_free(gerr);
	}
	*(GRegex **)field = re;
}

static void set_addresses(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	GString *bad = g_string_new(NULL);
	char **list = parse_addresses(value, bad);

	if (bad->len)
		problem(problems, "not a plain mailbox address: %s", bad->str);
	if (list[0] == NULL)
		problem(problems, "%s lists no address", spec->name);
	*(char ***)field = list;
	g_string_free(bad, TRUE);
}

static void set_optional_address(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	char *a = addr_normalize(value);

	if (a && !addr_is_safe(a))
		problem(problems, "%s \"%s\" is not an address", spec->name, value);
	*(char **)field = a;
}

static void set_match_list(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	char **list = split_list(value);

	for (char **p = list; *p; p++) {
		char *low = g_ascii_strdown(*p, -1);
		g_free(*p);
		*p = low;
		if (strchr(low, '@') == NULL)
			problem(problems, "%s: \"%s\" is neither an address nor @domain", spec->name, low);
	}
	*(char ***)field = list;
}

static void set_locales(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	char **list = split_list(value);

	(void)spec;
	for (char **p = list; *p; p++)
		if (!locale_valid(*p))
			problem(problems, "locale \"%s\": expected a form like en, de or pt-BR", *p);
	*(char ***)field = list;
}

/* "sv:en, nb:en" -> { "sv", "en", "nb", "en", NULL } */
static void set_locale_map(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	char **list = split_list(value), **pairs = g_new0(char *, 2 * g_strv_length(list) + 1);

	for (size_t i = 0; list[i]; i++) {
		char **two = g_strsplit(list[i], ":", 3);
		bool again = false;
		for (size_t j = 0; j < i; j++)
			again = again || strcmp(pairs[2 * j], g_strstrip(two[0])) == 0;
		if (again || g_strv_length(two) != 2 || !locale_valid(g_strstrip(two[0])) ||
		    !locale_valid(g_strstrip(two[1])) || strcmp(two[0], two[1]) == 0)
			problem(problems, "%s: \"%s\": expected LOCALE:LOCALE, each locale once, e.g. sv:en, nb:en",
				spec->name, list[i]);
		pairs[2 * i] = g_strdup(two[0]);
		pairs[2 * i + 1] = g_strdup(two[1] ? two[1] : "");
		g_strfreev(two);
	}
	g_strfreev(list);
	*(char ***)field = pairs;
}

static void set_words(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	(void)spec;
	(void)problems;
	*(char ***)field = split_list(value);
}

static void set_networks(const struct key_spec *spec, const char *value, void *field, GPtrArray *problems)
{
	char **list = split_list(value);
	GPtrArray *masks = g_ptr_array_new_with_free_func(g_object_unref);

	for (char **p = list; *p; p++) {
		GError *gerr = NULL;
		GInetAddressMask *m = g_inet_address_mask_new_from_string(*p, &gerr);
		if (m == NULL) {
			problem(problems, "%s: \"%s\" is not an address or network (10.1.0.0/16, 2001:db8::/32)",
				spec->name, *p);
			g_error_free(gerr);
		} else {
			g_ptr_array_add(masks, m);
		}
	}
	g_strfreev(list);
	*(GPtrArray **)field = masks;
}

static key_setter *const setters[] = {
	[KEY_STRING] = set_string,
	[KEY_PATH] = set_path,
	[KEY_SOCKET] = set_socket,
	[KEY_HOSTNAME] = set_hostname,
	[KEY_TAG] = set_tag,
	[KEY_HOSTPORT] = set_hostport,
	[KEY_COMMAND] = set_command,
	[KEY_BOOL] = set_bool,
	[KEY_INT] = set_int,
	[KEY_SIZE] = set_size,
	[KEY_DURATION] = set_duration,
	[KEY_RATES] = set_rates,
	[KEY_CHOICE] = set_choice,
	[KEY_REGEX] = set_regex,
	[KEY_ADDRESSES] = set_addresses,
	[KEY_OPTIONAL_ADDRESS] = set_optional_address,
	[KEY_MATCH_LIST] = set_match_list,
	[KEY_LOCALES] = set_locales,
	[KEY_LOCALE_MAP] = set_locale_map,
	[KEY_WORDS] = set_words,
	[KEY_NETWORKS] = set_networks,
	[KEY_PERCENT] = set_percent,
	[KEY_SLA_DURATION] = set_sla_duration,
	/* KEY_BY_SECTION: none; its section's loader reads it. */
};

void settings_set_value(const struct key_spec *spec, const char *value, void *base, GPtrArray *problems)
{
	if ((size_t)spec->type < G_N_ELEMENTS(setters) && setters[spec->type])
		setters[spec->type](spec, value, (char *)base + spec->offset, problems);
}

/* The ticket priorities by name (settings.h): read by the setters, the
 * [sla] keys and the reminders' levels alike. */
static const char *const priority_names[PRIORITY_COUNT] = { "low", "normal", "high", "urgent" };

const char *ticket_priority_name(enum priority p)
{
	return p < PRIORITY_COUNT ? priority_names[p] : "normal";
}

bool ticket_priority_parse(const char *name, enum priority *p)
{
	for (int i = 0; i < PRIORITY_COUNT; i++)
		if (g_ascii_strcasecmp(name, priority_names[i]) == 0) {
			*p = (enum priority)i;
			return true;
		}
	return false;
}
