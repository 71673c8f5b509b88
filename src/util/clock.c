/*
 * clock.c - the daemon's clock, real or set by a test (see clock.h).
 * Room: util.
 */
#include "config.h"
#include "util/clock.h"

#include <glib.h>
#include <stdatomic.h>

struct clock {
	_Atomic int64_t offset;	/* seconds ahead of real time */
	bool test;		/* set by the variable */
	char *file;		/* read by clock_reread, or NULL */
	char *setting;		/* the time the file held when last read */
};

static int64_t real_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

/* The offset for an ISO 8601 time with its zone: 0, or -1 with *error. */
static int offset_for(const char *text, const char *source, int64_t *offset, char **error)
{
	/* Without a zone GLib would take the local one: a test must say. */
	GDateTime *start = g_date_time_new_from_iso8601(text, NULL);

	if (start == NULL) {
		*error = g_strdup_printf("%s: \"%s\" is not an ISO 8601 time with its zone (2026-03-27T10:00:00+01:00)",
					 source, text);
		return -1;
	}
	*offset = g_date_time_to_unix(start) - real_now();
	g_date_time_unref(start);
	return 0;
}

/* The offset the file says and (*setting, g_free) the time it holds: 0,
 * or -1 with *error. */
static int read_file(const char *path, int64_t *offset, char **setting, char **error)
{
	GError *gerr = NULL;
	char *text = NULL, *source;
	int rc;

	if (!g_file_get_contents(path, &text, NULL, &gerr)) {
		*error = g_strdup_printf("%s=%s: %s", CLOCK_TEST_VARIABLE, path, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	source = g_strdup_printf("%s=%s", CLOCK_TEST_VARIABLE, path);
	rc = offset_for(g_strstrip(text), source, offset, error);
	g_free(source);
	if (rc == 0)
		*setting = text;
	else
		g_free(text);
	return rc;
}

struct clock *clock_new(const char *value, char **error)
{
	struct clock *c = g_new0(struct clock, 1);
	int64_t offset = 0;
	int rc = 0;

	if (value && value[0] == '/') {
		c->file = g_strdup(value);
		rc = read_file(value, &offset, &c->setting, error);
	} else if (value) {
		char *source = g_strdup(CLOCK_TEST_VARIABLE);
		rc = offset_for(value, source, &offset, error);
		g_free(source);
	}
	if (rc != 0) {
		clock_free(c);
		return NULL;
	}
	atomic_store(&c->offset, offset);
	c->test = value != NULL;
	return c;
}

void clock_free(struct clock *c)
{
	if (c == NULL)
		return;
	g_free(c->file);
	g_free(c->setting);
	g_free(c);
}

int64_t clock_now(const struct clock *c)
{
	return real_now() + clock_offset(c);
}

int64_t clock_offset(const struct clock *c)
{
	return c ? atomic_load(&((struct clock *)c)->offset) : 0;
}

bool clock_is_test(const struct clock *c)
{
	return c && c->test;
}

int clock_reread(struct clock *c, char **error)
{
	char *setting = NULL;
	int64_t offset;

	if (c == NULL || c->file == NULL)
		return 0;
	if (read_file(c->file, &offset, &setting, error) != 0)
		return -1;
	/* The same time read again would set the clock back by the time
	 * that passed since: it stays. */
	if (g_strcmp0(setting, c->setting) == 0) {
		g_free(setting);
		return 0;
	}
	g_free(c->setting);
	c->setting = setting;
	atomic_store(&c->offset, offset);
	return 1;
}
