/*
 * replay.c - a plain main for the fuzz harnesses, so that `make check`
 * runs every harness over its seeds and over every input that once made
 * it crash, in every build (gcc, ASan + UBSan) and without clang.
 *
 * Built once per harness with FUZZ_TARGET naming it ("message"); reads
 * $top_srcdir/tests/fuzz/seeds/FUZZ_TARGET and .../regress/FUZZ_TARGET,
 * or the files and folders given as arguments (to replay a crash file
 * from a fuzzing run: tests/fuzz/replay_message crash-1234...).  Prints
 * one TAP line per input; a crash or a broken promise aborts the program,
 * which the TAP driver reports as an error naming the last input.
 */
#include "config.h"
#include "fuzz.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the harness"
#endif

static int count;

static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_file(const char *path, const char *label)
{
	char *contents = NULL;
	gsize len = 0;
	GError *error = NULL;
	uint8_t *copy;

	if (!g_file_get_contents(path, &contents, &len, &error)) {
		printf("not ok %d - %s: %s\n", ++count, label, error->message);
		g_error_free(error);
		return;
	}
	/* An exact-size copy, as libFuzzer gives, so that ASan sees a read
	 * one byte past the input. */
	copy = malloc(len ? len : 1);
	memcpy(copy, contents, len);
	g_free(contents);
	printf("# %s\n", label);
	fflush(stdout);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	printf("ok %d - %s\n", ++count, label);
	fflush(stdout);
}

/* Every regular file below path, in name order; README files explain. */
static void run_path(const char *path, const char *label)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	GPtrArray *names;
	const char *name;

	if (dir == NULL) {
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			run_file(path, label);
		return;
	}
	names = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(dir)))
		if (name[0] != '.' && strcmp(name, "README") != 0)
			g_ptr_array_add(names, g_strdup(name));
	g_dir_close(dir);
	g_ptr_array_sort(names, by_name);
	for (guint i = 0; i < names->len; i++) {
		char *child = g_build_filename(path, g_ptr_array_index(names, i), NULL);
		char *child_label = g_build_filename(label, g_ptr_array_index(names, i), NULL);
		run_path(child, child_label);
		g_free(child);
		g_free(child_label);
	}
	g_ptr_array_free(names, TRUE);
}

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			run_path(argv[i], argv[i]);
	} else {
		const char *top = getenv("top_srcdir");
		const char *kinds[] = { "seeds", "regress" };
		for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
			char *path = g_build_filename(top ? top : ".", "tests", "fuzz", kinds[k], FUZZ_TARGET, NULL);
			char *label = g_build_filename(kinds[k], FUZZ_TARGET, NULL);
			run_path(path, label);
			g_free(path);
			g_free(label);
		}
	}
	if (count == 0) {
		printf("1..0 # SKIP no inputs for the %s harness\n", FUZZ_TARGET);
		return 0;
	}
	printf("1..%d\n", count);
	return 0;
}
