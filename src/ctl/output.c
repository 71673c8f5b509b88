/*
 * output.c - shared formatting of ticketctl (see output.h).
 */
#include "config.h"
#include "output.h"

#include <stdio.h>
#include <time.h>

void output_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, size, "-");
	else
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
