/*
 * customer_zone.h - the time zone a customer's promise is shown in:
 * the one an agent set, else one inferred from their mail (zone_guess.h) and
 * kept for them.
 *
 * customers.timezone_source says where a stored zone came from: "agent"
 * (#tz; also a zone stored before schema 5, when #tz was the only way)
 * is never replaced by an inference; "inferred" is replaced when a later
 * message's Date offset contradicts it and another zone fits.
 * Room: engine.
 */
#ifndef TM_CUSTOMER_ZONE_H
#define TM_CUSTOMER_ZONE_H

#include "mime/message.h"
#include "store/store.h"

/* The zone for customer's promise: an agent's zone; else a stored
 * inferred zone that agrees with msg's Date offset (or msg has no Date);
 * else a zone inferred from msg now (the From domain's country, then
 * locale's), stored inside the caller's transaction; else NULL: the
 * caller shows the Date offset.  stored_zone is the customer's zone as
 * store_customer_prefs() gave it (NULL when none).  Returns 0 with *zone
 * (g_free; may be NULL), or -1 on a store error (store_error()). */
int customer_zone(struct store *st, const char *customer, const char *stored_zone, const struct message *msg,
		  const char *locale, char **zone);

#endif
