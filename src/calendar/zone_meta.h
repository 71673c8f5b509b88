/*
 * zone_meta.h - a C view of ICU's metazones (private to zone_guess.c).
 *
 * CLDR groups zones that share their names and rules into metazones
 * ("America_Eastern": New York, Detroit, Louisville...) and names one
 * reference zone for each per region, the place people know the time by
 * (America/New_York; Brasilia's is America/Sao_Paulo).  ICU offers that
 * only in C++; zone_meta.cc turns one lookup into a plain string.
 * Room: calendar.
 */
#ifndef TM_ZONE_META_H
#define TM_ZONE_META_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Copies into out (size bytes) the reference zone, for region ("US"), of
 * the metazone zone ("America/Detroit") belongs to at when (Unix time).
 * Returns 0, or -1 when the zone has no metazone then or out is too small.
 * Thread-safe. */
int zone_meta_reference(const char *zone, int64_t when, const char *region, char *out, size_t size);

#ifdef __cplusplus
}
#endif

#endif
