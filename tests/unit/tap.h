/*
 * tap.h - a minimal TAP producer for the unit tests.
 *
 * ok(cond, "description", ...) prints "ok N - ..." or "not ok N - ...";
 * tap_done() prints the plan and returns the exit status.  automake's
 * tap-driver.sh counts every line, so each assertion is one test.
 */
#ifndef TM_TAP_H
#define TM_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* String equality with both values shown on failure. */
#define is_str(got, want, ...) do { \
	const char *tap_g = (got), *tap_w = (want); \
	if (!ok(tap_g && tap_w ? strcmp(tap_g, tap_w) == 0 : tap_g == tap_w, __VA_ARGS__)) \
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n", tap_g ? tap_g : "(null)", tap_w ? tap_w : "(null)"); \
} while (0)

#define is_int(got, want, ...) do { \
	long long tap_g = (long long)(got), tap_w = (long long)(want); \
	if (!ok(tap_g == tap_w, __VA_ARGS__)) \
		printf("#   got:  %lld\n#   want: %lld\n", tap_g, tap_w); \
} while (0)

static inline void tap_skip_all(const char *reason)
{
	printf("1..0 # SKIP %s\n", reason);
}

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
