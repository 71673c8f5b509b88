/*
 * cost.h - how much work a call took, for tests that check an algorithm
 * is linear.  Instructions retired in user space (perf_event_open), or,
 * where the kernel offers no such counter (most virtual machines), the
 * thread's CPU time.  Never wall-clock time: the machine is shared.
 *
 *	struct cost c;
 *	cost_begin(&c);
 *	work();
 *	cost_end(&c);
 *	cost_ok(&c, 2000000000LL, 2.0, "2 MB of '&'");
 *
 * cost_ok() asserts on the instructions when they were counted, else on
 * the CPU seconds: give each bound generously, far above a linear run
 * and far below a quadratic one.
 */
#ifndef TM_COST_H
#define TM_COST_H

#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

struct cost {
	int fd;			/* the counter, or -1 */
	long long instructions;	/* -1 when not counted */
	double cpu_seconds;
	struct timespec start;
};

static inline void cost_begin(struct cost *c)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.size = sizeof attr;
	attr.config = PERF_COUNT_HW_INSTRUCTIONS;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	c->fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	c->instructions = -1;
	if (c->fd >= 0) {
		ioctl(c->fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(c->fd, PERF_EVENT_IOC_ENABLE, 0);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c->start);
}

static inline void cost_end(struct cost *c)
{
	struct timespec end;
	uint64_t count;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
	c->cpu_seconds = (double)(end.tv_sec - c->start.tv_sec) + (double)(end.tv_nsec - c->start.tv_nsec) / 1e9;
	if (c->fd >= 0) {
		ioctl(c->fd, PERF_EVENT_IOC_DISABLE, 0);
		if (read(c->fd, &count, sizeof count) == (ssize_t)sizeof count)
			c->instructions = (long long)count;
		close(c->fd);
		c->fd = -1;
	}
}

static inline int cost_ok(const struct cost *c, long long max_instructions, double max_cpu_seconds, const char *what)
{
	if (c->instructions >= 0)
		return ok(c->instructions <= max_instructions, "%s: %lld instructions (at most %lld)", what,
			  c->instructions, max_instructions);
	return ok(c->cpu_seconds <= max_cpu_seconds, "%s: %.3f s of CPU (at most %.1f; no instruction counter here)",
		  what, c->cpu_seconds, max_cpu_seconds);
}

#endif
