/*
 * zone_guess.c - a customer's time zone from their Date offset and
 * country, with ICU's zone data (see zone_guess.h).
 * Room: calendar.
 */
#include "config.h"
#include "calendar/zone_guess.h"
#include "calendar/zone_meta.h"

#include <glib.h>
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/uenum.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

/* Zone and Windows zone names are short ASCII. */
#define ZONE_ID_MAX 64

/* ---- countries -------------------------------------------------------- */

/* Whether code is an ISO 3166 country ICU knows ("EU", "XX" are not). */
static bool zone_is_country(const char *code)
{
	for (const char *const *c = uloc_getISOCountries(); *c != NULL; c++)
		if (strcmp(*c, code) == 0)
			return true;
	return false;
}

/* The country of a domain's top-level label ("example.de" -> "DE"), the
 * United Kingdom's .uk being GB; false for generic domains. */
static bool zone_country_of_domain(const char *domain, char country[3])
{
	size_t len;

	if (domain == NULL)
		return false;
	len = strlen(domain);
	while (len > 0 && domain[len - 1] == '.')	/* absolute form "example.de." */
		len--;
	if (len < 2 || (len > 2 && domain[len - 3] != '.') || !g_ascii_isalpha(domain[len - 2]) ||
	    !g_ascii_isalpha(domain[len - 1]))
		return false;
	country[0] = g_ascii_toupper(domain[len - 2]);
	country[1] = g_ascii_toupper(domain[len - 1]);
	country[2] = '\0';
	if (strcmp(country, "UK") == 0)
		strcpy(country, "GB");
	return zone_is_country(country);
}

/* The region of a locale ("pt-BR" -> "BR"), else the one ICU deems
 * likely for its language ("de" -> "DE", "ja" -> "JP", "en" -> "US"). */
static bool zone_country_of_locale(const char *locale, char country[3])
{
	char *tag, id[ULOC_FULLNAME_CAPACITY], likely[ULOC_FULLNAME_CAPACITY], region[ULOC_COUNTRY_CAPACITY];
	UErrorCode status = U_ZERO_ERROR;
	int32_t parsed = 0;

	if (locale == NULL || *locale == '\0')
		return false;
	tag = g_strdelimit(g_strdup(locale), "_", '-');
	uloc_forLanguageTag(tag, id, sizeof id, &parsed, &status);
	g_free(tag);
	if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING)
		return false;
	uloc_addLikelySubtags(id, likely, sizeof likely, &status);
	if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING)
		return false;
	uloc_getCountry(likely, region, sizeof region, &status);
	if (U_FAILURE(status) || strlen(region) != 2)
		return false;
	memcpy(country, region, 3);
	return zone_is_country(country);
}

/* ---- zones ------------------------------------------------------------ */

static bool zone_offset_at(const UChar *zone, int64_t when, int32_t *offset_ms)
{
	UErrorCode status = U_ZERO_ERROR;
	UCalendar *calendar = ucal_open(zone, -1, "en", UCAL_GREGORIAN, &status);
	bool ok;

	if (U_FAILURE(status)) {
		if (calendar)
			ucal_close(calendar);
		return false;
	}
	ucal_setMillis(calendar, (UDate)when * 1000.0, &status);
	*offset_ms = ucal_get(calendar, UCAL_ZONE_OFFSET, &status) + ucal_get(calendar, UCAL_DST_OFFSET, &status);
	ok = U_SUCCESS(status);
	ucal_close(calendar);
	return ok;
}

bool zone_has_offset(const char *zone, int64_t when, int offset_minutes)
{
	UChar id[ZONE_ID_MAX], canonical[ZONE_ID_MAX];
	UErrorCode status = U_ZERO_ERROR;
	int32_t offset_ms;

	if (zone == NULL || strlen(zone) >= ZONE_ID_MAX)
		return false;
	u_uastrcpy(id, zone);
	/* ICU takes an unknown name for GMT, which would match +0000. */
	ucal_getCanonicalTimeZoneID(id, -1, canonical, ZONE_ID_MAX, NULL, &status);
	if (U_FAILURE(status))
		return false;
	return zone_offset_at(id, when, &offset_ms) && offset_ms == offset_minutes * 60 * 1000;
}

static bool zone_in(GPtrArray *zones, const char *zone)
{
	for (guint i = 0; i < zones->len; i++)
		if (strcmp(g_ptr_array_index(zones, i), zone) == 0)
			return true;
	return false;
}

char *zone_guess_in_country(const char *country, int64_t when, int offset_minutes)
{
	UErrorCode status = U_ZERO_ERROR;
	UEnumeration *all;
	GPtrArray *matches;
	const char *zone;
	char *chosen = NULL;
	guint zones = 0;

	if (country == NULL)
		return NULL;
	/* Canonical location zones only: no aliases (US/Eastern), no Etc/. */
	all = ucal_openTimeZoneIDEnumeration(UCAL_ZONE_TYPE_CANONICAL_LOCATION, country, NULL, &status);
	if (U_FAILURE(status))
		return NULL;
	matches = g_ptr_array_new_with_free_func(g_free);
	while ((zone = uenum_next(all, NULL, &status)) != NULL && U_SUCCESS(status)) {
		zones++;
		if (zone_has_offset(zone, when, offset_minutes))
			g_ptr_array_add(matches, g_strdup(zone));
	}
	uenum_close(all);
	/* +0000 is also what clients and servers that know only UTC write:
	 * from it, a zone only for a country that keeps UTC everywhere then
	 * (a Spaniard's +0000 is not the Canary Islands' winter time). */
	if (offset_minutes == 0 && matches->len != zones)
		g_ptr_array_set_size(matches, 0);
	/* The place people know the time by: the first match whose
	 * metazone's reference zone for the country matches too. */
	for (guint i = 0; i < matches->len && chosen == NULL; i++) {
		char reference[ZONE_ID_MAX];

		if (zone_meta_reference(g_ptr_array_index(matches, i), when, country, reference, sizeof reference) == 0 &&
		    zone_in(matches, reference))
			chosen = g_strdup(reference);
	}
	if (chosen == NULL && matches->len > 0)
		chosen = g_strdup(g_ptr_array_index(matches, 0));
	g_ptr_array_free(matches, TRUE);
	return chosen;
}

char *zone_guess(const char *domain, const char *locale, int64_t when, int offset_minutes)
{
	char from_domain[3], from_locale[3];
	char *zone = NULL;

	if (zone_country_of_domain(domain, from_domain))
		zone = zone_guess_in_country(from_domain, when, offset_minutes);
	if (zone == NULL && zone_country_of_locale(locale, from_locale) &&
	    !(zone_country_of_domain(domain, from_domain) && strcmp(from_domain, from_locale) == 0))
		zone = zone_guess_in_country(from_locale, when, offset_minutes);
	return zone;
}
