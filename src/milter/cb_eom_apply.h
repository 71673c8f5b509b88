/*
 * cb_eom_apply.h - the engine's answer for one message, applied to the
 * MTA at end of message: header edits, recipients, envelope sender and
 * body through smfi_*, the sender woken for mail the commit queued, the
 * message accepted, discarded or passed on, and the log lines
 * (cb_eom_report.h).  Room: milter.
 */
#ifndef TM_CB_EOM_APPLY_H
#define TM_CB_EOM_APPLY_H

#include <libmilter/mfapi.h>
#include "engine/engine.h"
#include "milter/cb_eom_report.h"

struct sender;

/* Applies r (the engine succeeded) for the message e, reports it and
 * releases r; sd is woken when r queued mail.  Returns the milter's
 * answer with *refused NULL, or, when the MTA refused a change, *refused
 * says which (static, unreported): the caller answers with on-error. */
sfsistat eom_apply(SMFICTX *ctx, struct sender *sd, const struct eom *e, struct engine_result *r,
		   const char **refused);

#endif
