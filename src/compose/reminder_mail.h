/*
 * reminder_mail.h - the words of a reminder to an agent (reminders.h):
 * the values of its template's placeholders, in the language the
 * template was found in.  Room: compose.
 *
 * templates/LOCALE/reminder.txt may use, besides the common ones
 * (ticket, subject, queue_name, promise, reference):
 *   time_left   the business time left to the promise, in words
 *               ("2 hours, 35 minutes"); blank when it is due or late
 *   overdue     how late it is, in business time; blank when not late
 *               (both blank: it is due now)
 *   business    not blank when those count business time (only while
 *               a calendar of the queue is open), blank for wall-clock
 *               time
 *   resolution  not blank when the reminder is about the resolution,
 *               blank for the first response
 *   level       the share of the budget used, "75%"
 *   customer    the customer, "Anna Customer <anna@example.org>"
 *   excerpt     the beginning of the customer's last message, each line
 *               quoted with "> "; may be blank
 * and promise is the promised time in the reader's zone.
 */
#ifndef TM_REMINDER_MAIL_H
#define TM_REMINDER_MAIL_H

#include <stdbool.h>
#include <stdint.h>
#include "config/settings.h"

struct assets;

/* Lines and characters of the last message a reminder repeats: enough
 * to recall the case, not the whole thread. */
#define REMINDER_EXCERPT_LINES 12
#define REMINDER_EXCERPT_CHARS 800

struct reminder_facts {
	bool resolution;		/* about the resolution, else the first response */
	bool business;			/* left_minutes are business minutes, not wall-clock ones */
	int level;			/* percent of the budget */
	int64_t left_minutes;		/* of the target's clock to the promise; <= 0 due or late */
	int64_t due;			/* the promised time */
	const char *customer_name;	/* may be NULL */
	const char *customer_address;
	const char *excerpt;		/* the customer's last message, or NULL */
	const char *zone;		/* the reader's zone (IANA name) */
};

/* The extra placeholders (name, value pairs, NULL-terminated; g_strfreev)
 * in the words of text_locale, and *promise (g_free) the promised time
 * for the reader (assets: prepared for s, or NULL; assets.h).  Never
 * NULL: words ICU cannot give are left blank and a date it cannot write
 * falls back to UTC. */
char **reminder_mail_vars(const struct settings *s, const struct assets *assets, const char *text_locale,
			  const struct reminder_facts *f, char **promise);

/* The excerpt as the template shows it: at most REMINDER_EXCERPT_LINES
 * lines and REMINDER_EXCERPT_CHARS characters of text, blank lines at
 * either end dropped, each line quoted with "> ", "…" where it was cut
 * (g_free). */
char *reminder_mail_excerpt(const char *text);

#endif
