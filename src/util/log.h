/*
 * log.h - the one way ticket-milter and ticketctl report what happens.
 *
 * Lines go to syslog (facility mail) and, when the process runs in the
 * foreground or as a command line tool, to stderr as well; in the
 * foreground, [milter] syslog = no leaves stderr alone (containers, a
 * service manager that reads stderr).  A line is written to stderr with
 * one write(2), without a lock.  A line about
 * a message starts with the MTA queue id ("4FZ3k21xyz: ...") so that an
 * administrator can grep one transaction across Postfix and milter logs.
 *
 * The logging state (ident, destinations, minimum level) is set once at
 * start-up, before any thread exists, and is read-only afterwards.
 * Room: util.
 */
#ifndef TM_LOG_H
#define TM_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* ident: program name for syslog; to_syslog/to_stderr: destinations. */
void log_open(const char *ident, bool to_syslog, bool to_stderr);
/* From now on, lines go to stderr only ([milter] syslog = no); called
 * once after the configuration is read, before threads start. */
void log_stop_syslog(void);
/* Only lines at this priority or more urgent are written (LOG_DEBUG: all). */
void log_set_level(int priority);

/* qid may be NULL for lines that are not about one message. */
void log_write(int priority, const char *qid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_err(...)     log_write(LOG_ERR, NULL, __VA_ARGS__)
#define log_warning(...) log_write(LOG_WARNING, NULL, __VA_ARGS__)
#define log_info(...)    log_write(LOG_INFO, NULL, __VA_ARGS__)
#define log_debug(...)   log_write(LOG_DEBUG, NULL, __VA_ARGS__)

#endif
