/*
 * locale_conf.h - what a locale's template folder says about its
 * culture, beside the texts written for it: <templates>/<locale>/locale.conf.
 *
 *   # es: the promise reads "el martes 15 de diciembre de 2026 a las 12:00 CET"
 *   date-pattern = EEEE d 'de' MMMM 'de' y 'a las' H:mm z
 *   date-pattern-hour-1 = EEEE d 'de' MMMM 'de' y 'a la' H:mm z
 *   escalation-notice = yes
 *
 * date-pattern is the ICU date pattern of {{promise}}, written to fit the
 * sentence the templates put it in (without it: ICU's own pattern for the
 * skeleton in calendar.h); date-pattern-hour-1 replaces it when the hour
 * is 1, for languages that word that hour apart.  escalation-notice is
 * the culture's default for a queue that sets none: whether customers
 * expect to hear that a senior person oversees their case.
 *
 * Both belong to the language of the text, so they are read from the
 * folder of the locale a template was found for: a Swedish customer
 * answered with the English texts gets the English date.  Only the
 * shared locale folders hold one (not queue overrides): how a language
 * writes a date is not a queue's choice, and a queue has its own
 * escalation-notice key.  The file is optional; every key is.
 * Room: compose.
 */
#ifndef TM_LOCALE_CONF_H
#define TM_LOCALE_CONF_H

#include <glib.h>
#include <stdbool.h>

#define LOCALE_CONF_FILE "locale.conf"

struct locale_conf {
	char *date_pattern;		/* or NULL: ICU's own */
	char *date_pattern_hour_1;	/* or NULL: date_pattern at every hour */
	bool escalation_notice;		/* unset: no */
};

/* Reads <dir>/<locale>/locale.conf (not through a symbolic link) into *c.
 * Returns 0 when read, or when there is none (*c holds the defaults);
 * -1 with *error (g_free; error may be NULL) when it cannot be read or
 * is malformed, with *c holding the defaults: a broken file changes
 * nothing (`ticket-milter -n` reports it). */
int locale_conf_read(const char *dir, const char *locale, struct locale_conf *c, char **error);
void locale_conf_clear(struct locale_conf *c);

/* Checks one file for the locale whose folder holds it: known keys, each
 * once, yes or no, and date patterns ICU accepts for that locale that
 * show the day, the month, the year, the hour, the minute and the zone.
 * Appends "FILE:LINE: message" strings (g_free) to errors. */
void locale_conf_check_file(const char *path, const char *locale, GPtrArray *errors);
/* Checks the locale.conf of every folder directly in dir that has one. */
void locale_conf_check_dir(const char *dir, GPtrArray *errors);

#endif
