/*
 * locale_tag.h - the locale tags that name template folders
 * ("de", "pt-BR", "zh-Hant-TW"), and their fallback chains.
 *
 * One set of rules for the template loader, the assets and the
 * configuration check, so that `ticket-milter -n` judges a locale's
 * templates exactly as the daemon will find them.  Pure functions.
 * Room: language.
 */
#ifndef TM_LOCALE_TAG_H
#define TM_LOCALE_TAG_H

#include <glib.h>
#include <stdbool.h>

/* "pt_br", "PT-BR" -> "pt-BR"; "zh-hant-tw" -> "zh-Hant-TW" (g_free).
 * NULL unless the tag is language[-Script][-REGION]: the only forms that
 * name a template folder (and that can never be read as "queues"). */
char *locale_tag_canonical(const char *tag);

/* Appends tag and its shorter forms (pt-BR, pt), canonical and each once,
 * to list (of g_free'd strings); a malformed or NULL tag adds nothing. */
void locale_tag_add_chain(GPtrArray *list, const char *tag);

#endif
