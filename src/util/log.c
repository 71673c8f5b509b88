/*
 * log.c - syslog and stderr output for every module (see log.h).
 * Room: util.
 */
#include "config.h"
#include "util/log.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Written once in log_open()/log_set_level() before threads start. */
static bool log_to_syslog;
static bool log_to_stderr = true;
static int log_level = LOG_INFO;
static char log_ident[64] = "ticket-milter";

void log_open(const char *ident, bool to_syslog, bool to_stderr)
{
	snprintf(log_ident, sizeof log_ident, "%s", ident);
	log_to_syslog = to_syslog;
	log_to_stderr = to_stderr;
	if (to_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void log_stop_syslog(void)
{
	if (log_to_syslog)
		closelog();
	log_to_syslog = false;
}

void log_set_level(int priority)
{
	log_level = priority;
}

/* The word stderr lines carry for a syslog priority. */
static const char *syslog_priority_name(int priority)
{
	switch (priority) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: return "fatal";
	case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: case LOG_INFO: return "info";
	default: return "debug";
	}
}

void log_write(int priority, const char *qid, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	if (priority > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	/* Control characters from mail must not forge log lines. */
	for (char *p = text; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (log_to_syslog) {
		if (qid && *qid)
			syslog(priority, "%s: %s", qid, text);
		else
			syslog(priority, "%s", text);
	}
	if (log_to_stderr) {
		/* syslog stamps its lines; stderr gets the same, to the millisecond. */
		gint64 now = g_get_real_time();
		time_t secs = (time_t)(now / G_USEC_PER_SEC);
		struct tm tm;
		char stamp[32], line[sizeof text + 256];
		int len;

		gmtime_r(&secs, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
		len = snprintf(line, sizeof line, "%s.%03dZ %s: %s: %s%s%s\n", stamp, (int)(now / 1000 % 1000),
			       log_ident, syslog_priority_name(priority), qid && *qid ? qid : "", qid && *qid ? ": " : "",
			       text);
		if (len >= (int)sizeof line) {
			len = (int)sizeof line - 1;
			line[len - 1] = '\n';
		}
		/* One write per line, no stdio lock: lines from concurrent
		 * threads stay whole, and a thread that logs does not wait
		 * for another's write to finish. */
		if (len > 0 && write(STDERR_FILENO, line, (size_t)len) < 0) {
			/* Nowhere left to say so. */
		}
	}
}
