/*
 * assets.h - what the engine prepares once per configuration snapshot:
 * every template a queue can need, parsed, and for every locale those
 * templates are written in, its culture (locale_conf.h): the ICU pattern
 * of the promise and whether an escalation notice is the custom.
 *
 * Reading and parsing templates and asking ICU for a pattern (it loads
 * CLDR data for that) cost more than the rest of an acknowledgement;
 * doing it once per configuration instead of once per message keeps it
 * off the path of each mail.  The set is immutable once prepared, so
 * every thread reads it without locks; a reload (SIGUSR1) prepares a
 * new one, which is also when edited templates take effect.  The one
 * mutable part is a pool of ICU date formatters per locale, each behind
 * its own lock: opening one costs about 60 us, reusing one about 15.
 *
 * A template is looked for in the customer's locale, then in the
 * locale the queue maps it to (locale-fallback = sv:en), then in the
 * queue's default locale.  The date and the culture follow the locale
 * the template was found in, never the customer's: a Swedish customer
 * answered with English text reads an English date.
 *
 * Anything not prepared (no assets, as in ticketctl set and most tests, a
 * locale that no queue lists, a template that failed to load) is found
 * the slow way from the same files, with the same result; a template
 * that cannot be loaded is the caller's error to report.  Every function
 * taking assets takes NULL for none.
 *
 * The configuration does not hold them: the daemon's snapshot pairs the
 * settings with the assets prepared for them (snapshot.h), and hands
 * both to the engine.
 *
 * Room: compose.
 */
#ifndef TM_ASSETS_H
#define TM_ASSETS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/settings.h"
#include "compose/template.h"

struct assets;

/* Every template the engine renders for q, NULL-terminated: what is
 * prepared here and what `ticket-milter -n` checks.  q's survey
 * (config/survey.h) names the resolved notice and the thank-you:
 * resolved and csat-thanks, resolved-nps and nps-thanks, or
 * resolved-ces and ces-thanks. */
const char *const *assets_queue_templates(const struct queue *q);
/* The names of q's survey templates: the resolved notice with its
 * links, and the thank-you for a rating. */
const char *assets_survey_template(const struct queue *q);
const char *assets_thanks_template(const struct queue *q);

/* Prepares the assets for s.  Never fails; see above. */
struct assets *assets_prepare(const struct settings *s);
void assets_free(struct assets *a);

/* The locale q's locale-fallback maps locale to, or NULL. */
const char *assets_locale_fallback(const struct queue *q, const char *locale);
/* Loads template name for a customer in locale: locale, then its
 * locale-fallback, then (with_default) q's default locale.  What
 * template_load_chain returns. */
struct template *assets_template_load(const struct settings *s, const struct queue *q, const char *locale,
				      const char *name, bool with_default, char **error);
/* The template as assets_template_load(s, q, locale, name, true) would
 * load it, or NULL when not prepared.  Owned by the assets. */
const struct template *assets_template(const struct assets *a, const char *queue, const char *locale,
				       const char *name);
/* The locale the text of template name for a customer in locale is
 * written in (g_free), prepared or not; NULL when there is no template.
 * a: prepared for s, or NULL. */
char *assets_text_locale(const struct assets *a, const struct settings *s, const struct queue *q,
			 const char *locale, const char *name);

/* The promise's ICU pattern for a prepared text locale, or NULL. */
const char *assets_time_pattern(const struct assets *a, const char *locale);
/* Whether mail to q's customers written in text_locale says that a senior
 * person oversees the case: q's escalation-notice = yes or no, else the
 * culture default of text_locale's locale.conf (no when it says none). */
bool assets_escalation_notice(const struct assets *a, const struct settings *s, const struct queue *q,
			      const char *text_locale);

/* The time t in the words of locale (a text's locale): with the
 * locale's date-pattern (and date-pattern-hour-1) from its locale.conf,
 * else ICU's own pattern (promise_time_pattern), in the zone or at the
 * offset as promise_format_time takes them (g_free), or NULL.  From the
 * pool when prepared, else read now.  Thread-safe. */
char *assets_format_time(const struct assets *a, const struct settings *s, const char *locale, int64_t t,
			 const char *zone, int offset_minutes);
/* What promise_format_relative(now, t, locale, max_minutes) returns, with
 * a pooled formatter when the locale is prepared. */
char *assets_format_relative(const struct assets *a, const char *locale, int64_t now, int64_t t,
			     int64_t max_minutes);

#endif
