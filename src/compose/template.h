/*
 * template.h - message templates for the mail we send customers
 * (acknowledgements, "reopened" notices), one folder per locale.
 *
 * Layout below the template directory (settings "templates", by default
 * TEMPLATEDIR):
 *
 *   <locale>/<name>.txt                    shipped: en/ack.txt, pt-BR/ack.txt
 *   <locale>/<name>.html                   optional HTML part
 *   queues/<queue>/<locale>/<name>.txt     override for [queue <queue>]
 *   queues/<queue>/<locale>/<name>.html
 *   <queue>/<locale>/<name>.txt            the same, beside the locales,
 *                                          for queue ids that cannot be
 *                                          read as a locale
 *
 * Overrides are looked for under "queues/" first: queue ids are
 * free-form section names, and a queue called "it" or "de" would
 * otherwise share a folder with Italian or German, so such a queue's
 * overrides must live there.  "queues" can never be a locale (a locale is language[-Script][-REGION]: "de",
 * "pt-BR", "zh-CN").  A locale folder's own override replaces the whole
 * template: the .html part is taken from the same folder as the .txt
 * part or not at all, so an edited text never goes out beside a stale
 * shipped HTML.
 *
 * Format of <name>.txt: a header block holding exactly one
 * "Subject: ..." line (no other header: templates cannot add headers),
 * a blank line, then the body.  <name>.html is a body only; the subject
 * always comes from the .txt.  Files are UTF-8 (a BOM and CRLF line ends
 * are accepted).  The subject must carry "[{{ticket}}]" so that replies
 * find their ticket.
 *
 * Syntax: {{name}} inserts a value; {{#name}}...{{/name}} is kept only
 * when the value is non-blank, {{^name}}...{{/name}} only when it is
 * blank (empty or white space); {{! note }} is a comment.  Sections nest
 * and may span lines; a line holding nothing but section tags and
 * comments disappears whole, so a section on lines of its own leaves no
 * empty line behind.  A tag ends on the line it starts on.
 *
 * Values are inserted literally and never scanned again, so customer
 * text never acts as template syntax.  In the subject every line break
 * and control character in a value becomes a space (a run of them, one
 * space): a value can never start a header.  In the text part, control
 * characters other than tab and line breaks become spaces.  In HTML,
 * values are escaped (& < > " ').  Invalid UTF-8 in values is replaced.
 *
 * Loaded templates are immutable and may be shared between threads;
 * nothing here has global mutable state.  Returned strings are newly
 * allocated (g_free); text and HTML use "\n" line ends.
 * Room: compose.
 */
#ifndef TM_TEMPLATE_H
#define TM_TEMPLATE_H

#include <glib.h>

struct template;

/* The placeholders a template may use, NULL-terminated; anything else is
 * an error found by template_check_file (and so by `ticket-milter -n`):
 * ticket, subject, customer_name, queue_name, promise, promise_relative,
 * agent_name, reference, escalation, status, csat_links, csat_1 ...
 * csat_5, nps_0 ... nps_10, ces_1 ... ces_7, rating, unknown_commands,
 * applied, commands_only, note_unsent, returning, announcement; for reminders
 * time_left, overdue, business, resolution, level, customer, excerpt
 * (reminder_mail.h).
 *
 * escalation is "yes" when the case is said to be overseen by a senior
 * person (the queue's escalation-notice, else the culture default of the
 * template's locale: locale_conf.h); returning is "yes" when the
 * customer had opened a ticket before this one.
 *
 * csat_1 ... csat_5 are complete mailto: URLs, one per score (1 very poor,
 * 5 excellent), inserted as they are (escaped in HTML, so they may stand
 * in href="..."); nps_0 ... nps_10 (0 not at all likely to recommend us,
 * 10 extremely likely) and ces_1 ... ces_7 (1 very difficult, 7 very
 * easy) the same for the other surveys (config/survey.h); rating is the
 * score a thank-you is for;
 * unknown_commands holds the lines of an agent's reply that were not
 * understood, one per line, for the agent's notice; announcement is
 * what an agent wrote for the customers of a known problem (fixed), as
 * written, line breaks kept, or blank.
 *
 * What the shipped templates use (render fails when one has no value):
 *   resolved      ticket subject customer_name queue_name agent_name
 *                 reference csat_1 csat_2 csat_3 csat_4 csat_5
 *   resolved-nps  the same with nps_0 ... nps_10 for the links
 *   resolved-ces  the same with ces_1 ... ces_7
 *   csat-thanks   ticket customer_name queue_name rating reference
 *   nps-thanks, ces-thanks  the same
 *   agent-notice  ticket subject agent_name queue_name unknown_commands
 *   fixed         ticket subject customer_name queue_name reference
 *                 announcement */
extern const char *const template_placeholders[];

/* Loads template name ("ack") for locale.  For each of locale, its
 * shorter forms (zh-Hant-TW -> zh-Hant -> zh), then default_locale and
 * its shorter forms, tries queues/<queue>/<that>/ then <that>/; the
 * first folder holding <name>.txt wins.  locale and default_locale may
 * be written pt_BR or pt-br; a malformed one is skipped.  queue may be
 * NULL or "" (no override).  Returns NULL with *error (g_free; error may
 * be NULL) when nothing fits, when name or queue cannot name a file, or
 * when the file found is malformed: a broken override is an error, not
 * a silent fall back to the shipped text. */
struct template *template_load(const char *dir, const char *queue, const char *locale,
			       const char *default_locale, const char *name, char **error);
/* The same for a fallback chain: each locale of chain (NULL-terminated),
 * with its shorter forms, in turn.  template_load is the chain locale,
 * default_locale; a queue's locale-fallback puts the mapped locale
 * between them, and `ticket-milter -n` leaves the default out to see
 * whether a locale has templates of its own. */
struct template *template_load_chain(const char *dir, const char *queue, const char *const *chain,
				     const char *name, char **error);
void template_free(struct template *t);
/* The locale the template was actually found for ("pt" for pt-BR when
 * only pt/ exists). */
const char *template_locale(const struct template *t);

/* Checks one file, .txt (header block, Subject with [{{ticket}}], body)
 * or .html (body): UTF-8, balanced sections, known placeholders.
 * Appends "FILE:LINE: message" strings (g_free) to errors. */
void template_check_file(const char *path, GPtrArray *errors);
/* Checks the whole template directory: every template in every locale
 * and queue folder, and the layout itself (misnamed locale folders,
 * templates outside a locale folder, an .html without its .txt), so
 * that an override the loader would never find is reported.  Problems
 * with a folder rather than a line are "PATH: message". */
void template_check_dir(const char *dir, GPtrArray *errors);

/* vars: NULL-terminated array of name, value pairs, values UTF-8 and not
 * NULL ("" for none); the first pair of a name counts.  Fills *subject
 * (one line), *text, and *html (NULL when the template has no .html
 * part); any of the three pointers may be NULL when not wanted.
 * Returns 0, or -1 with *error (g_free; error may be NULL) and every
 * output NULL when the template uses a placeholder that has no value in
 * vars (whether or not its section would be kept: the check does not
 * depend on the data) or vars names something that is not a placeholder. */
int template_render(const struct template *t, char *const *vars, char **subject, char **text,
		    char **html, char **error);

#endif
