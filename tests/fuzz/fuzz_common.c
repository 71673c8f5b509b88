/*
 * fuzz_common.c - set-up and helpers every fuzz harness uses (fuzz.h).
 */
#include "config.h"
#include "fuzz.h"
#include "util/log.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static char *scratch;

/* A GLib critical is a caller's bug (NULL where a string belongs): a
 * crash the fuzzer keeps.  GLib's own fatal path raises SIGTRAP, which
 * libFuzzer does not catch, so abort here.  Warnings and below are the
 * libraries talking about bad input: quiet. */
static void glib_log(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
	(void)data;
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		fuzz_fail("%s-CRITICAL: %s", domain ? domain : "GLib", message);
}

void fuzz_init_libraries(void)
{
	/* Before GLib's first allocation: slices would hide overflows and
	 * leaks from the sanitizers (GLib < 2.76 still uses them). */
	g_setenv("G_SLICE", "always-malloc", FALSE);
	g_setenv("G_DEBUG", "gc-friendly", FALSE);
	g_log_set_default_handler(glib_log, NULL);
	log_open("fuzz", false, false);
	log_set_level(LOG_EMERG);
	g_mime_init();
}

static void remove_tree(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	if (d) {
		while ((name = g_dir_read_name(d))) {
			char *child = g_build_filename(path, name, NULL);
			remove_tree(child);
			g_free(child);
		}
		g_dir_close(d);
	}
	g_remove(path);
}

static void remove_scratch(void)
{
	if (scratch)
		remove_tree(scratch);
	g_free(scratch);
	scratch = NULL;
}

const char *fuzz_scratch_dir(void)
{
	if (scratch == NULL) {
		scratch = g_dir_make_tmp("tm-fuzz-XXXXXX", NULL);
		if (scratch == NULL) {
			fprintf(stderr, "fuzz: cannot make a scratch directory in %s\n", g_get_tmp_dir());
			abort();
		}
		atexit(remove_scratch);
	}
	return scratch;
}

/* Not g_file_set_contents(): it fsync()s a file that exists, and this
 * runs thousands of times a second. */
void fuzz_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		fprintf(stderr, "fuzz: cannot write %s\n", path);
		abort();
	}
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: broken promise: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}
