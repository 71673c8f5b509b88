/*
 * autoreply_rules.h - the rules autoreply_forbidden() combines, one file
 * per concern (internal to src/engine):
 *
 *   autoreply_headers.c   header fields robots set (lists, loops, trackers)
 *   autoreply_senders.c   what the addresses say (system mailboxes, list
 *                         owners, an empty From, Return-Path: <>)
 *   autoreply_content.c   subjects and text (automatic replies, bounces
 *                         without headers, complaint and abuse reports)
 *   autoreply_phrases.c   the words of those subjects and texts
 *
 * Each rule returns a short static reason for the log, or NULL.
 * Room: robots.
 */
#ifndef TM_AUTOREPLY_RULES_H
#define TM_AUTOREPLY_RULES_H

#include "mime/message.h"

#include <stdbool.h>

/* Any top-level header field, of every occurrence, that marks a robot. */
const char *autoreply_header_rule(const struct message *msg);

/* The envelope sender (NULL for <>), From, Sender, Return-Path and
 * Errors-To: a system mailbox, a list's owner or bounce address, a From
 * without an address, a Return-Path of <>. */
const char *autoreply_sender_rule(const struct message *msg, const char *envelope_sender);

/* What one address is by the same rules: a system mailbox, a list's
 * owner or bounce address, a bounce handler's domain; NULL for what may
 * be a person. */
const char *autoreply_address_kind(const char *address);

/* Looser than autoreply_sender_rule, for the bounce heuristic only: no
 * From, a delivery system's display name ("Mail Delivery System"), a
 * local part like "mailer", "admin" or "sms". */
bool autoreply_sender_machine_like(const struct message *msg, const char *envelope_sender);

/* Subjects of automatic replies; bounce subjects or texts from a
 * machine-like sender; complaint and abuse reports without
 * multipart/report. */
const char *autoreply_content_rule(const struct message *msg, const char *envelope_sender);

/* Phrase lists (autoreply_phrases.c), case-folded UTF-8, NULL-terminated. */
extern const char *const autoreply_reply_subject_starts[];	/* "out of office", "自動返信" */
extern const char *const autoreply_reply_subject_ends[];	/* "(automatic reply)" */
extern const char *const autoreply_bounce_subjects[];		/* "undeliverable", "unzustellbar" */
extern const char *const autoreply_bounce_texts[];		/* "could not be delivered to" */
extern const char *const autoreply_report_subject_starts[];	/* "complaint about message from" */

#endif
