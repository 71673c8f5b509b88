/*
 * locale_conf.c - a locale's culture settings beside its templates
 * (locale_conf.h): "key = value" lines, # comments.
 *
 * One parser serves the daemon and `ticket-milter -n`: the daemon keeps
 * the defaults when a file is broken, the check reports every problem
 * with its line.
 * Room: compose.
 */
#include "config.h"
#include "compose/locale_conf.h"
#include "calendar/calendar.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* A few lines; anything larger is not this file. */
#define LOCALE_CONF_MAX_BYTES (16 * 1024)

static void problem(GPtrArray *errors, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(GPtrArray *errors, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(errors, g_strdup_printf("%s:%d: %s", path, line, msg));
	g_free(msg);
}

/* The file's text, or NULL: absent (*missing), or reported.  Not
 * through a symbolic link: the daemon may read it as root. */
static char *read_text(const char *path, bool *missing, GPtrArray *errors)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	GString *text;
	char buf[4096];
	ssize_t n;
	bool bad = false;

	*missing = fd < 0 && errno == ENOENT;
	if (fd < 0) {
		if (!*missing)
			problem(errors, path, 0, "cannot read: %s", g_strerror(errno));
		return NULL;
	}
	text = g_string_new(NULL);
	while ((n = read(fd, buf, sizeof buf)) > 0 && text->len <= LOCALE_CONF_MAX_BYTES)
		g_string_append_len(text, buf, n);
	if (n < 0) {
		problem(errors, path, 0, "cannot read: %s", g_strerror(errno));
		bad = true;
	} else if (text->len > LOCALE_CONF_MAX_BYTES) {
		problem(errors, path, 0, "more than %d bytes: not a locale.conf", LOCALE_CONF_MAX_BYTES);
		bad = true;
	} else if (!g_utf8_validate_len(text->str, text->len, NULL)) {
		problem(errors, path, 0, "not UTF-8 (or a NUL byte): save the file as UTF-8");
		bad = true;
	}
	close(fd);
	return g_string_free(text, bad);
}

/* Whether an ICU pattern shows field (one of letters) outside quotes. */
static bool pattern_shows(const char *pattern, const char *letters)
{
	bool quoted = false;

	for (const char *p = pattern; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		else if (!quoted && strchr(letters, *p))
			return true;
	}
	return false;
}

/* A promise that leaves out the day, the hour or the zone is no promise. */
static void check_pattern(const char *path, int line, const char *key, const char *pattern, const char *locale,
			  GPtrArray *errors)
{
	static const struct { const char *letters, *what; } needed[] = {
		{ "d", "the day (d)" }, { "ML", "the month (MMMM)" }, { "yuY", "the year (y)" },
		{ "HhKk", "the hour (H or h)" }, { "m", "the minute (mm)" }, { "zZOvVXx", "the zone (z)" },
	};
	struct promise_formatter *f;

	for (size_t i = 0; i < G_N_ELEMENTS(needed); i++)
		if (!pattern_shows(pattern, needed[i].letters))
			problem(errors, path, line, "%s does not show %s", key, needed[i].what);
	if ((f = promise_formatter_new(locale, pattern)) == NULL)
		problem(errors, path, line, "%s: ICU does not accept this pattern for %s", key, locale);
	promise_formatter_free(f);
}

static bool parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
		*out = strcmp(v, "yes") == 0;
		return true;
	}
	return false;
}

/* Parses text into *c; locale is for checking patterns with ICU (NULL:
 * not checked, as the daemon does). */
static void parse(const char *path, const char *text, const char *locale, struct locale_conf *c,
		  GPtrArray *errors)
{
	static const char *const keys[] = { "date-pattern", "date-pattern-hour-1", "escalation-notice" };
	char **lines = g_strsplit(text, "\n", -1);
	int seen[G_N_ELEMENTS(keys)] = { 0 }, lineno = 0;

	for (char **l = lines; *l; l++) {
		char *line = g_strstrip(*l), *eq, *key, *value;
		size_t k;

		lineno++;
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			problem(errors, path, lineno, "expected \"key = value\" or a # comment");
			continue;
		}
		*eq = '\0';
		key = g_strstrip(line);
		value = g_strstrip(eq + 1);
		for (k = 0; k < G_N_ELEMENTS(keys) && strcmp(keys[k], key) != 0; k++)
			;
		if (k == G_N_ELEMENTS(keys)) {
			problem(errors, path, lineno, "unknown key \"%s\": date-pattern, date-pattern-hour-1 or "
				"escalation-notice", key);
		} else if (seen[k]) {
			problem(errors, path, lineno, "%s is already set on line %d", key, seen[k]);
		} else if (k == 2 && !parse_bool(value, &c->escalation_notice)) {
			problem(errors, path, lineno, "escalation-notice must be yes or no, not \"%s\"", value);
		} else if (k < 2 && *value == '\0') {
			problem(errors, path, lineno, "%s is empty", key);
		} else if (k < 2) {
			if (locale)
				check_pattern(path, lineno, key, value, locale, errors);
			*(k == 0 ? &c->date_pattern : &c->date_pattern_hour_1) = g_strdup(value);
		}
		if (k < G_N_ELEMENTS(keys) && !seen[k])
			seen[k] = lineno;
	}
	if (seen[1] && !seen[0])
		problem(errors, path, seen[1], "date-pattern-hour-1 without date-pattern: the other hours would "
			"read in ICU's words, this one in yours");
	g_strfreev(lines);
}

void locale_conf_clear(struct locale_conf *c)
{
	g_free(c->date_pattern);
	g_free(c->date_pattern_hour_1);
	memset(c, 0, sizeof *c);
}

int locale_conf_read(const char *dir, const char *locale, struct locale_conf *c, char **error)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *path, *text;
	bool missing = false;
	int rc = 0;

	memset(c, 0, sizeof *c);
	if (error)
		*error = NULL;
	if (dir == NULL || locale == NULL || strchr(locale, '/') || strcmp(locale, "..") == 0) {
		g_ptr_array_free(errors, TRUE);
		return 0;
	}
	path = g_build_filename(dir, locale, LOCALE_CONF_FILE, NULL);
	text = read_text(path, &missing, errors);
	if (text)
		parse(path, text, NULL, c, errors);
	if (errors->len > 0) {
		locale_conf_clear(c);
		if (error) {
			g_ptr_array_add(errors, NULL);
			*error = g_strjoinv("; ", (char **)errors->pdata);
		}
		rc = -1;
	}
	g_free(text);
	g_free(path);
	g_ptr_array_free(errors, TRUE);
	return rc;
}

void locale_conf_check_file(const char *path, const char *locale, GPtrArray *errors)
{
	struct locale_conf c = { 0 };
	bool missing = false;
	char *text = read_text(path, &missing, errors);

	if (missing)
		problem(errors, path, 0, "cannot read: %s", g_strerror(ENOENT));
	if (text)
		parse(path, text, locale, &c, errors);
	locale_conf_clear(&c);
	g_free(text);
}

void locale_conf_check_dir(const char *dir, GPtrArray *errors)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	/* An unreadable folder is template_check_dir's to report. */
	while (d && (name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, LOCALE_CONF_FILE, NULL);

		if (name[0] != '.' && g_file_test(path, G_FILE_TEST_EXISTS))
			locale_conf_check_file(path, name, errors);
		g_free(path);
	}
	if (d)
		g_dir_close(d);
}
