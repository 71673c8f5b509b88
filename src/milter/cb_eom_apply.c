/*
 * cb_eom_apply.c - the engine's answer applied to the MTA (see
 * cb_eom_apply.h).  Room: milter.
 */
#include "config.h"
#include "milter/cb_eom_apply.h"
#include "sender/sender.h"
#include "util/log.h"

/* Recipients, envelope sender and body, after the headers. */
static int apply_envelope(SMFICTX *ctx, const struct engine_result *r)
{
	for (guint i = 0; i < r->rcpt_del->len; i++)
		if (smfi_delrcpt(ctx, g_ptr_array_index(r->rcpt_del, i)) != MI_SUCCESS)
			return -1;
	for (guint i = 0; i < r->rcpt_add->len; i++)
		if (smfi_addrcpt(ctx, g_ptr_array_index(r->rcpt_add, i)) != MI_SUCCESS)
			return -1;
	if (r->new_sender) {
		char *sender = g_strdup_printf("<%s>", r->new_sender);
		int rc = smfi_chgfrom(ctx, sender, NULL);
		g_free(sender);
		if (rc != MI_SUCCESS)
			return -1;
	}
	if (r->new_body) {
		gsize len;
		const unsigned char *data = g_bytes_get_data(r->new_body, &len);
		/* Piece by piece: a big body is a mapped file, and libmilter
		 * takes an int length. */
		for (gsize off = 0; off < len; off += 1024 * 1024)
			if (smfi_replacebody(ctx, (unsigned char *)data + off, (int)MIN(len - off, 1024 * 1024)) != MI_SUCCESS)
				return -1;
	}
	return 0;
}

static int apply_edits(SMFICTX *ctx, const GPtrArray *edits)
{
	for (guint i = 0; i < edits->len; i++) {
		const struct header_edit *e = g_ptr_array_index(edits, i);
		int rc;
		switch (e->op) {
		case HEADER_ADD:
			rc = smfi_addheader(ctx, e->name, e->value);
			break;
		case HEADER_CHANGE:
			rc = smfi_chgheader(ctx, e->name, e->index, e->value);
			break;
		default:
			rc = smfi_chgheader(ctx, e->name, e->index, NULL);
			break;
		}
		if (rc != MI_SUCCESS)
			return -1;
	}
	return 0;
}

/* The changes for the MTA: NULL once applied (or none to apply), or
 * what it refused. */
static const char *apply_changes(SMFICTX *ctx, const struct engine_result *r)
{
	if (r->outcome == ENGINE_NOT_OURS || r->outcome == ENGINE_OWN_MAIL || r->discard)
		return NULL;	/* passed untouched, or recorded and delivered to nobody */
	if (apply_edits(ctx, r->edits) == 0 && apply_envelope(ctx, r) == 0)
		return NULL;
	/* A ticket is recorded: a retry is a redelivery and gets the same headers. */
	return r->outcome == ENGINE_TICKETED || r->outcome == ENGINE_DUPLICATE ?
	       "the MTA refused a header change" : "the MTA refused a change to the agent's message";
}

/* What the MTA does with the message once it has the changes. */
static sfsistat answer(const struct engine_result *r)
{
	if (r->outcome == ENGINE_NOT_OURS || r->outcome == ENGINE_OWN_MAIL)
		return SMFIS_ACCEPT;
	return r->discard ? SMFIS_DISCARD : SMFIS_CONTINUE;
}

sfsistat eom_apply(SMFICTX *ctx, struct sender *sd, const struct eom *e, struct engine_result *r,
		   const char **refused)
{
	sfsistat rc = SMFIS_CONTINUE;

	/* Committed: what it queued may go out now. */
	if (r->mail_queued)
		sender_kick(sd);
	eom_report_spoof(e, r);
	if ((*refused = apply_changes(ctx, r)) == NULL) {
		rc = answer(r);
		eom_report(e, r);
	}
	engine_result_clear(r);
	return rc;
}
