/*
 * zone_meta.cc - ICU's metazone reference zones for zone_guess.c (see
 * zone_meta.h).  Only the translation between ICU's C++ types and plain
 * strings lives here; no exception may cross into the C callers.
 * Room: calendar.
 */
#include "config.h"
#include "calendar/zone_meta.h"

#include <memory>
#include <string>
#include <unicode/locid.h>
#include <unicode/tznames.h>
#include <unicode/unistr.h>

extern "C" int zone_meta_reference(const char *zone, int64_t when, const char *region, char *out, size_t size)
{
	try {
		UErrorCode status = U_ZERO_ERROR;
		/* ICU caches the names per locale: creating one is cheap. */
		std::unique_ptr<icu::TimeZoneNames> names(icu::TimeZoneNames::createInstance(icu::Locale::getRoot(),
											     status));
		icu::UnicodeString metazone, reference;
		std::string utf8;

		if (U_FAILURE(status) || !names)
			return -1;
		names->getMetaZoneID(icu::UnicodeString::fromUTF8(zone), (UDate)when * 1000.0, metazone);
		if (metazone.isEmpty())
			return -1;
		names->getReferenceZoneID(metazone, region, reference);
		if (reference.isEmpty())
			return -1;
		reference.toUTF8String(utf8);
		if (utf8.size() + 1 > size)
			return -1;
		utf8.copy(out, utf8.size());
		out[utf8.size()] = '\0';
		return 0;
	} catch (...) {
		/* Only std::bad_alloc is possible: no preference, then. */
		return -1;
	}
}
