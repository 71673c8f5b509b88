/*
 * zone_guess.h - the customer's time zone when none is stored: inferred from
 * the UTC offset of their Date header and their country.
 *
 * An offset is right only on the day it was written: +0100 in Berlin
 * becomes +0200 on the last Sunday of March, so a promise for the Monday
 * after, shown at +0100, reads an hour early.  A zone follows the
 * customer's clocks.  Which zone: among the zones ICU lists for the
 * sender's country (the country domain of the From address, else the
 * region of the chosen locale, else the region ICU deems likely for its
 * language: de -> DE, ja -> JP), those whose offset at the message's
 * time is the Date header's.  Several match where a country has several
 * zones with the same rules (US Eastern: New York, Detroit, Louisville;
 * Brazil at -0300: Sao Paulo, Bahia, Fortaleza...): the reference zone
 * CLDR names for their metazone in that country is taken (America/
 * New_York for Eastern Time in US, America/Sao_Paulo for Brasilia Time),
 * the place people know that time by; going through ICU's list in its
 * (alphabetical) order, the first match whose reference zone matches too;
 * failing that, the first match.
 * No match (a traveller, a wrong clock): no zone, and the caller keeps
 * the offset.
 *
 * Everything here is ICU's data; nothing is stored.  Thread-safe.
 * Returned strings are newly allocated (g_free).
 * Room: calendar.
 */
#ifndef TM_ZONE_GUESS_H
#define TM_ZONE_GUESS_H

#include <stdbool.h>
#include <stdint.h>

/* The zone of country (ISO 3166 alpha-2, "DE") whose UTC offset at when
 * (Unix time) is offset_minutes; NULL when none. */
char *zone_guess_in_country(const char *country, int64_t when, int offset_minutes);

/* The zone for a sender: the countries of domain ("example.de",
 * "shop.co.uk": GB; generic domains name none) and of locale ("pt-BR":
 * BR; "de": DE) are tried in that order.  domain and locale may be NULL. */
char *zone_guess(const char *domain, const char *locale, int64_t when, int offset_minutes);

/* Whether zone (an IANA name) is offset_minutes from UTC at when; false
 * for a zone ICU does not know. */
bool zone_has_offset(const char *zone, int64_t when, int offset_minutes);

#endif
