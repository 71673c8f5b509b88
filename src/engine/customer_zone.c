/*
 * customer_zone.c - which zone a customer's promise is shown in (see
 * customer_zone.h).
 * Room: engine.
 */
#include "config.h"
#include "engine/customer_zone.h"
#include "util/addr.h"
#include "calendar/zone_guess.h"

#include <string.h>

int customer_zone(struct store *st, const char *customer, const char *stored_zone, const struct message *msg,
		  const char *locale, char **zone)
{
	char *source = NULL, *guess;

	*zone = NULL;
	if (stored_zone != NULL) {
		if (store_customer_timezone_source(st, customer, &source) != 0)
			return -1;
		if (g_strcmp0(source, "inferred") != 0 || msg->date == 0 ||
		    zone_has_offset(stored_zone, msg->date, msg->date_offset)) {
			g_free(source);
			*zone = g_strdup(stored_zone);
			return 0;
		}
		g_free(source);
	}
	if (msg->date == 0)
		return 0;	/* no offset to infer from */
	/* The offset belongs to the moment the customer wrote (their Date),
	 * not to when the mail arrived. */
	guess = zone_guess(msg->from ? addr_domain(msg->from->address) : NULL, locale, msg->date, msg->date_offset);
	if (guess != NULL && store_customer_infer_timezone(st, customer, guess) != 0) {
		g_free(guess);
		return -1;
	}
	*zone = guess;
	return 0;
}
