/*
 * calendar.h - business hours and SLA time arithmetic.
 *
 * A calendar is an IANA time zone, weekly opening hours (several ranges
 * per day, ranges that cross midnight) and holidays (dates, or yearly
 * dates written *\/MM-DD).  Several calendars together (follow-the-sun
 * teams) are open while ANY of them is open.  Times are Unix seconds
 * (UTC); daylight-saving changes are handled through GLib's GTimeZone.
 *
 * Objects are immutable after parsing and may be shared between threads.
 * Returned strings are newly allocated (g_free).
 */
#ifndef TM_CALENDAR_H
#define TM_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct calendar;

/* timezone: "Europe/Istanbul"; hours: "mon-fri 09:00-18:00, sat 10:00-14:00"
 * (also "mon 22:00-02:00" across midnight, "daily 00:00-24:00");
 * holidays: "2026-01-01, 2026-04-23, *\/05-01" or NULL.
 * Returns NULL with *error (g_free) naming the bad part. */
struct calendar *calendar_parse(const char *timezone, const char *hours, const char *holidays,
				char **error);
void calendar_free(struct calendar *cal);

/* True when any of the n calendars is open at t. */
bool calendar_is_open(struct calendar *const *cals, size_t n, int64_t t);

/* The moment `minutes` business minutes after start, counting only time
 * when at least one calendar is open.  minutes == 0 returns start when
 * open, else the next opening.  Returns -1 when no calendar ever opens. */
int64_t calendar_add_business_minutes(struct calendar *const *cals, size_t n, int64_t start,
				      int64_t minutes);

/* Parses an SLA duration: "8h", "90m", "5d", "1h 30m", optionally followed
 * by "calendar" (wall-clock time) or "business" (the default).  Business
 * days count 8 business hours ("5d" = 40h of business time); calendar
 * days are 24 h.  Returns false with *error (g_free) when malformed. */
bool sla_parse_duration(const char *text, int64_t *minutes, bool *calendar_time, char **error);

/* Due time: start + minutes of business time (or wall-clock time when
 * calendar_time, or when n == 0). */
int64_t sla_due(struct calendar *const *cals, size_t n, int64_t start, int64_t minutes, bool calendar_time);

/* The time at t formatted for a locale ("de", "pt-BR", "ja") with ICU in
 * a zone given as an IANA name ("Europe/Berlin") or a UTC offset in
 * minutes (zone == NULL, offset_minutes used, e.g. +345 for +05:45),
 * with the zone or offset named, e.g. "Montag, 2. März 2026, 14:00 MEZ"
 * or "2026年3月2日 月曜日 14:00 GMT+5:45". */
char *promise_format_time(int64_t t, const char *locale, const char *zone, int offset_minutes);

/* ICU relative phrase for a short wait ("in 2 hours", "in 2 Stunden",
 * "2 時間後") from now to t, or NULL when t - now is more than max_minutes. */
char *promise_format_relative(int64_t now, int64_t t, const char *locale, int64_t max_minutes);

#endif
