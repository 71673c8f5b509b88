/*
 * autoreply_content.c - robots known by what they say rather than by a
 * header: automatic replies by their subject (Lotus Notes, old Exchange
 * and webmail vacation set no header), bounces from SMS gateways and old
 * MTAs by their subject or first lines together with a machine-like
 * sender or the message they return, and complaint or abuse reports that are not multipart/report
 * (Hotmail's JMRP attaches the message to a multipart/mixed).
 * Room: robots.
 */
#include "config.h"
#include "robots/autoreply_rules.h"

#include <string.h>

/* Bytes of the text read for DSN phrases: they stand in the first lines. */
#define TEXT_HEAD_BYTES 4096

static bool starts_with_any(const char *folded, const char *const *phrases)
{
	for (size_t i = 0; phrases[i]; i++)
		if (g_str_has_prefix(folded, phrases[i]))
			return true;
	return false;
}

static bool ends_with_any(const char *folded, const char *const *phrases)
{
	for (size_t i = 0; phrases[i]; i++)
		if (g_str_has_suffix(folded, phrases[i]))
			return true;
	return false;
}

static bool contains_any(const char *folded, const char *const *phrases)
{
	for (size_t i = 0; phrases[i]; i++)
		if (strstr(folded, phrases[i]))
			return true;
	return false;
}

/* The subject case-folded, without the spaces and brackets in front
 * ("[Automatyczna odpowiedź] ...") and the spaces behind (g_free). */
static char *folded_subject(const char *subject)
{
	char *folded = g_utf8_casefold(subject, -1);
	char *p = folded;

	while (*p == ' ' || *p == '\t' || *p == '[')
		p++;
	memmove(folded, p, strlen(p) + 1);
	return g_strchomp(folded);
}

/* The first TEXT_HEAD_BYTES of text, cut on a character, case-folded. */
static char *folded_head(const char *text)
{
	size_t len = strlen(text);

	if (len > TEXT_HEAD_BYTES) {
		len = TEXT_HEAD_BYTES;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
	}
	return g_utf8_casefold(text, (gssize)len);
}

/* ARF's machine-readable part written into the text, or the sentence
 * ARF's own example report begins with. */
static bool text_is_arf_like(const char *folded)
{
	return g_str_has_prefix(folded, "feedback-type:") || strstr(folded, "\nfeedback-type:") ||
	       strstr(folded, "this is an email abuse report");
}

static const char *report_rule(const struct message *msg, const char *subject, const char *text)
{
	/* Hotmail's JMRP comes from this one address. */
	if (msg->from && strcmp(msg->from->address, "staff@hotmail.com") == 0)
		return "complaint or abuse report";
	if (text_is_arf_like(text))
		return "complaint or abuse report";
	/* The subject alone could be a person's; with the message attached
	 * (or quoted in a report part) it is the form of a feedback loop.
	 * A person forwarding one writes "Fwd:" in front. */
	if ((msg->has_message_part || msg->has_report) &&
	    starts_with_any(subject, autoreply_report_subject_starts))
		return "complaint or abuse report";
	return NULL;
}

const char *autoreply_content_rule(const struct message *msg, const char *envelope_sender)
{
	char *subject = folded_subject(msg->subject);
	char *text = folded_head(msg->full_text ? msg->full_text : msg->text);
	const char *why = NULL;

	if (starts_with_any(subject, autoreply_reply_subject_starts) ||
	    ends_with_any(subject, autoreply_reply_subject_ends))
		why = "subject of an automatic reply";
	else if ((why = report_rule(msg, subject, text)) != NULL)
		;
	else if ((msg->has_message_part || msg->has_report) && starts_with_any(subject, autoreply_bounce_subjects))
		why = "bounce: its subject and the message it returns";
	else if (autoreply_sender_machine_like(msg, envelope_sender)) {
		if (contains_any(subject, autoreply_bounce_subjects))
			why = "bounce: its subject, from a machine";
		else if (contains_any(text, autoreply_bounce_subjects) || contains_any(text, autoreply_bounce_texts))
			why = "bounce: its text, from a machine";
	}
	g_free(subject);
	g_free(text);
	return why;
}
