/*
 * calendar.h - business hours and SLA time arithmetic, and the ICU
 * formatting of the resulting promise for the customer.
 *
 * A calendar is an IANA time zone, weekly opening hours (several ranges
 * per day, ranges that cross midnight) and holidays (dates, or yearly
 * dates written *\/MM-DD).  Several calendars together (follow-the-sun
 * teams) are open while ANY of them is open.  Times are Unix seconds
 * (UTC); daylight-saving changes are handled through GLib's GTimeZone.
 *
 * Opening hours are wall-clock times in the calendar's zone, so a range
 * keeps its clock times across a daylight-saving change and its length
 * in real time changes with it ("sun 01:00-05:00" lasts 3 hours on the
 * spring-forward Sunday in Berlin and 5 hours on the fall-back one):
 *   - a clock time the change skips (02:30 on a spring-forward night)
 *     stands for the moment of the jump, so a range lying wholly in the
 *     skipped hour is closed that day;
 *   - a clock time that happens twice (02:30 on a fall-back night) means
 *     its first occurrence.
 * A range that crosses midnight ("fri 22:00-02:00") is one shift that
 * belongs to the day it starts on: a holiday on that day cancels the
 * whole shift, a holiday on the next day does not touch its early hours.
 * Intervals are half-open: open at 09:00:00, closed at 18:00:00.
 *
 * Times must lie between the years 1 and 9999; a calendar that does not
 * open within about eleven years of a given time counts as never opening.
 *
 * Objects are immutable after parsing and may be shared between threads;
 * every function here is thread-safe and keeps no global state.
 * Returned strings are newly allocated (g_free).
 * Room: calendar.
 */
#ifndef TM_CALENDAR_H
#define TM_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct calendar;

/* zone_name: "Europe/Istanbul" (any identifier GLib's
 * g_time_zone_new_identifier knows; unknown ones are rejected);
 * hours: comma-separated items "DAYS RANGE [RANGE...]", e.g.
 *   "mon-fri 09:00-12:00 13:00-18:00, sat 10:00-14:00"
 *   DAYS is mon..sun, a range of them ("mon-fri", also wrapping: "fri-mon")
 *   or "daily"; an item without DAYS ("mon-fri 09:00-12:00, 13:00-18:00")
 *   reuses the previous item's days;
 *   RANGE is HH:MM-HH:MM, "24:00" allowed as an end; an end at or before
 *   the start crosses midnight ("mon 22:00-02:00");
 *   "closed" alone makes a calendar that never opens (an empty string is
 *   an error, being more likely a mistake than a wish);
 * holidays: "2026-01-01, 2026-04-23, *\/05-01" (commas or spaces) or NULL.
 * Returns NULL with *error (g_free) naming the bad part, e.g.
 * "hours: 'mon-fry' is not a day range (...)"; every message starts with
 * "timezone:", "hours:" or "holidays:".  error may be NULL; on success
 * *error is set to NULL. */
struct calendar *calendar_parse(const char *zone_name, const char *hours, const char *holidays,
				char **error);
/* Accepts NULL. */
void calendar_free(struct calendar *cal);

/* The calendar's zone's offset from UTC at t, in seconds (GLib's answer,
 * read from the table built at parse time for 2020-2059). */
int64_t calendar_utc_offset(const struct calendar *cal, int64_t t);

/* True when any of the n calendars is open at t. */
bool calendar_is_open(struct calendar *const *cals, size_t n, int64_t t);

/* The moment `minutes` business minutes after start, counting only time
 * when at least one calendar is open.  minutes == 0 returns start when
 * open, else the next opening; a target that is used up exactly when the
 * office closes is due at the closing time (Friday 17:59 + 1 minute is
 * Friday 18:00, not Monday).  Returns -1 when no calendar ever opens
 * (also when n == 0), when minutes < 0 or when start is out of range. */
int64_t calendar_add_business_minutes(struct calendar *const *cals, size_t n, int64_t start,
				      int64_t minutes);

/* The business time between from and until: the seconds of [from,
 * until) when at least one calendar is open (a report's first-response
 * and resolution times).  n == 0 counts wall-clock time, as sla_due
 * does.  0 when until <= from; -1 when either is out of range. */
int64_t calendar_business_seconds(struct calendar *const *cals, size_t n, int64_t from, int64_t until);

/* Parses an SLA duration: "8h", "90m", "5d", "1h 30m" (also "1h30m"),
 * optionally followed by "calendar" (wall-clock time) or "business" (the
 * default).  Units are d, h, m, each at most once and in that order.
 *
 * A business day is 8 business hours ("5d" = 40 h of business time),
 * whatever the calendars: it is the only definition that composes with
 * hours ("1d 4h" = 12 business hours), that does not depend on which
 * calendars a queue lists, and that stays fair across follow-the-sun
 * coverage (with 24-hour coverage "1d" is 8 wall-clock hours; write
 * "24h" for a full day of coverage).  Calendar days are 24 h.
 * The total may not exceed 366 days.  Returns false with *error (g_free)
 * naming the bad part when malformed ("duration: '8x' is not a duration
 * (...)"); error may be NULL. */
bool sla_parse_duration(const char *text, int64_t *minutes, bool *calendar_time, char **error);

/* Due time: start + minutes of business time (or wall-clock time when
 * calendar_time, or when n == 0).  -1 as calendar_add_business_minutes. */
int64_t sla_due(struct calendar *const *cals, size_t n, int64_t start, int64_t minutes, bool calendar_time);

/* The time at t formatted for a locale ("de", "pt-BR", "pt_BR", "ja";
 * NULL or "" means "en") with ICU in a zone given as an IANA name
 * ("Europe/Berlin") or a UTC offset in minutes (zone == NULL,
 * offset_minutes used, e.g. +345 for +05:45, within +-18:00), with the
 * zone or offset named.  The pattern is ICU's best one for the skeleton
 * "yMMMMEEEEdjmz" (weekday, day, month name, year, hour and minute in the
 * locale's own hour cycle, short zone name or localized GMT offset),
 * for use inside a sentence, e.g.
 *   de  "Montag, 2. März 2026 um 14:00 MEZ"
 *   ja  "2026年3月2日月曜日 18:45 GMT+5:45"
 * Returns NULL when the locale tag, the zone or the offset is not
 * understood (the caller picks a fallback), or when ICU fails. */
char *promise_format_time(int64_t t, const char *locale, const char *zone, int offset_minutes);
/* The same with the pattern given (from promise_time_pattern for the same
 * locale; NULL: found now). */
char *promise_format_time_with(int64_t t, const char *locale, const char *zone, int offset_minutes,
			       const char *pattern_utf8);
/* A formatter for one locale and pattern, to format many times in any
 * zone: promise_formatter_format(f, t, zone, offset_minutes) gives what
 * promise_format_time_with(t, locale, zone, offset_minutes, pattern)
 * gives.  pattern_utf8 NULL: found now.  NULL when the locale tag is not
 * understood or ICU fails.  One thread at a time; the result of format
 * is the caller's (g_free). */
struct promise_formatter;
struct promise_formatter *promise_formatter_new(const char *locale, const char *pattern_utf8);
/* The same with a second pattern, used instead when the hour at t in the
 * zone is 1 (01:00-01:59), for languages that word that hour apart:
 * Spanish "a la 1:00" but "a las 2:00".  pattern_hour_1_utf8 may be NULL. */
struct promise_formatter *promise_formatter_new_hour_1(const char *locale, const char *pattern_utf8,
						       const char *pattern_hour_1_utf8);
char *promise_formatter_format(struct promise_formatter *f, int64_t t, const char *zone, int offset_minutes);
/* Accepts NULL. */
void promise_formatter_free(struct promise_formatter *f);
/* ICU's pattern for that skeleton in locale, UTF-8 (g_free), or NULL. */
char *promise_time_pattern(const char *locale);

/* ICU relative phrase for a short wait from now to t ("in 2 hours",
 * "in 2 Stunden", "2 時間後"), for use inside a sentence.  The wait is
 * rounded UP, so the phrase never promises sooner than t:
 *   under 10 minutes: whole minutes (at least 1)   "in 3 minutes"
 *   under 2 hours:    minutes, to the next 5       "in 65 minutes"
 *   from 2 hours on:  hours, to the next half hour "in 2.5 hours"
 * Returns NULL when t - now is more than max_minutes (the caller then
 * shows promise_format_time), when t is before now, when the locale tag
 * is not understood, or when ICU fails. */
char *promise_format_relative(int64_t now, int64_t t, const char *locale, int64_t max_minutes);
/* The same with f's locale and f's formatter (opened on first use). */
char *promise_formatter_relative(struct promise_formatter *f, int64_t now, int64_t t, int64_t max_minutes);

#endif
