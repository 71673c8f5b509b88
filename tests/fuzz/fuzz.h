/*
 * fuzz.h - what the fuzz harnesses in tests/fuzz share.
 *
 * Each harness is one file defining LLVMFuzzerTestOneInput() (and, when
 * it needs set-up, LLVMFuzzerInitialize()).  The same file links either
 * with libFuzzer (clang, --enable-fuzzing) or with replay.c, a plain
 * main that feeds it the seed and regression files so that `make check`
 * replays every input that once crashed, in every build.
 *
 * A harness checks what its module promises (a subject is one line, a
 * loaded configuration has a queue...) and calls fuzz_fail() when a
 * promise is broken: libFuzzer then keeps the input like any crash.
 */
#ifndef TM_FUZZ_H
#define TM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Quiets logging, routes GLib allocations through malloc (so that ASan
 * and LeakSanitizer see them) and calls g_mime_init().  Call first. */
void fuzz_init_libraries(void);

/* A scratch directory for the whole run, removed at exit (g_free not
 * needed: it lives as long as the process). */
const char *fuzz_scratch_dir(void);

/* Writes len bytes to path, replacing it; aborts on failure. */
void fuzz_write_file(const char *path, const void *data, size_t len);

/* Reports a broken promise with the input's context and aborts. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
