/*
 * message_fields.c - the top-level header fields of a parsed message
 * (message_fields.h).
 * Room: mime.
 */
#include "config.h"
#include "mime/message_fields.h"
#include "util/addr.h"
#include "text/rfc2047.h"
#include "text/text.h"

#include <string.h>

/* What reading one field needs. */
struct field_ctx {
	GMimeParserOptions *options;
	const char *charset8;		/* for raw 8-bit text (header_charset.h) */
	const struct parse_ctx *px;
};

/* The single-valued fields read from their first occurrence. */
enum first { F_SUBJECT, F_FROM, F_REPLY_TO, F_MESSAGE_ID, F_IN_REPLY_TO, F_REFERENCES, F_DATE, F_COUNT };
static const char *const first_names[F_COUNT] = {
	"Subject", "From", "Reply-To", "Message-ID", "In-Reply-To", "References", "Date",
};

/* text_one_line, at most max bytes (cut at a character). */
static char *one_line_bounded(const char *s, size_t max, const struct parse_ctx *px)
{
	char *line = text_one_line(s);
	char *bounded;

	if (strlen(line) <= max)
		return line;
	*px->repairs |= MESSAGE_REPAIR_SHORTENED;
	bounded = text_bound(line, max);
	g_free(line);
	return bounded;
}

static struct mailbox *mailbox_new(const char *address, const char *name, const struct parse_ctx *px)
{
	struct mailbox *m;
	char *norm;

	if (address && strlen(address) > MESSAGE_ADDRESS_MAX) {
		*px->repairs |= MESSAGE_REPAIR_ADDRESSES;
		return NULL;
	}
	norm = addr_normalize(address);
	/* A folded header can leave its line break inside a quoted local
	 * part ("=?utf-8?q?a?=\n =?utf-8?q?b?="@example.com): unfold, so
	 * that an address is one line in the store, the logs and ticketctl. */
	if (norm) {
		char *w = norm;
		for (const char *r = norm; *r; r++)
			if (*r != '\r' && *r != '\n')
				*w++ = *r;
		*w = '\0';
	}
	if (norm == NULL || strchr(norm, '@') == NULL) {
		g_free(norm);
		return NULL;
	}
	m = g_new0(struct mailbox, 1);
	m->address = norm;
	if (name && *name)
		m->name = one_line_bounded(name, MESSAGE_NAME_MAX, px);
	return m;
}

void message_mailbox_free(gpointer p)
{
	struct mailbox *m = p;

	if (m) {
		g_free(m->address);
		g_free(m->name);
		g_free(m);
	}
}

void message_header_field_free(gpointer p)
{
	struct header_field *h = p;

	g_free(h->name);
	g_free(h->value);
	g_free(h);
}

/* Flattens groups; appends struct mailbox * to out, at most max of them. */
static void collect_mailboxes(InternetAddressList *list, GPtrArray *out, guint max, const struct parse_ctx *px)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (out->len >= max) {
			*px->repairs |= MESSAGE_REPAIR_ADDRESSES;
			return;
		}
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			collect_mailboxes(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), out, max, px);
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			struct mailbox *m = mailbox_new(
				internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)),
				internet_address_get_name(ia), px);
			if (m)
				g_ptr_array_add(out, m);
		}
	}
}

/* One address field's raw value parsed by GMime, once its encoded words
 * and raw 8-bit text are what GMime reads right (rfc2047.h). */
static InternetAddressList *parse_addresses(GMimeParserOptions *options, GMimeHeader *h, const char *charset8)
{
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	InternetAddressList *list;
	char *clean;

	if (raw == NULL)
		return NULL;
	clean = rfc2047_normalize(raw, strlen(raw), charset8);
	list = internet_address_list_parse(options, clean);
	g_free(clean);
	return list;
}

/* The first mailbox of one field's raw value. */
static struct mailbox *first_mailbox(GMimeParserOptions *options, GMimeHeader *h, const char *charset8,
				     const struct parse_ctx *px)
{
	InternetAddressList *list = parse_addresses(options, h, charset8);
	GPtrArray *all = g_ptr_array_new_with_free_func(message_mailbox_free);
	struct mailbox *m = NULL;

	collect_mailboxes(list, all, MESSAGE_ADDRESSES_MAX, px);
	if (all->len > 0)
		m = g_ptr_array_steal_index(all, 0);
	g_ptr_array_free(all, TRUE);
	if (list)
		g_object_unref(list);
	return m;
}

/* The ids of a References-like value: each at most MESSAGE_ID_MAX bytes,
 * at most max of them, the first and the newest (RFC 5322 3.6.4 trims
 * the middle the same way). */
static GPtrArray *parse_ids(GMimeHeader *h, guint max, const struct parse_ctx *px)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	const char *value = h ? g_mime_header_get_raw_value(h) : NULL;
	GMimeReferences *refs;
	int n;

	if (value == NULL)
		return ids;
	/* Each <...> is an id, whatever stands between them: GMime's parser
	 * gives up on the rest of the list after a word in brackets ("<yes>"
	 * from a broken client), and a reply would lose its thread.  Old
	 * clients write bare ids: then each word with an '@' is one. */
	refs = g_mime_references_new();
	if (strchr(value, '<')) {
		for (const char *p = strchr(value, '<'); p; p = strchr(p + 1, '<')) {
			const char *end = strpbrk(p + 1, "<>");
			if (end && *end == '>' && end > p + 1) {
				char *id = g_strndup(p + 1, (gsize)(end - p - 1));
				g_mime_references_append(refs, g_strstrip(id));
				g_free(id);
			}
		}
	} else {
		char **words = g_strsplit_set(value, " \t\r\n", -1);
		for (char **w = words; *w; w++)
			if (strchr(*w, '@') && **w != '(')
				g_mime_references_append(refs, *w);
		g_strfreev(words);
	}
	n = g_mime_references_length(refs);
	for (int i = 0; i < n; i++) {
		const char *id = g_mime_references_get_message_id(refs, i);
		if (id == NULL || *id == '\0')
			continue;
		if (strlen(id) > MESSAGE_ID_MAX) {
			*px->repairs |= MESSAGE_REPAIR_IDS;
			continue;
		}
		g_ptr_array_add(ids, text_one_line(id));
	}
	if (ids->len > max) {
		*px->repairs |= MESSAGE_REPAIR_IDS;
		g_ptr_array_remove_range(ids, 1, ids->len - max);
	}
	g_mime_references_free(refs);
	return ids;
}

static char *message_id(GMimeHeader *h, const struct parse_ctx *px)
{
	char *id = h ? g_mime_utils_decode_message_id(g_mime_header_get_raw_value(h)) : NULL;
	char *kept = NULL;

	if (id && strlen(id) > MESSAGE_ID_MAX)
		*px->repairs |= MESSAGE_REPAIR_IDS;
	else if (id && *id)
		kept = text_one_line(id);
	g_free(id);
	return kept;
}

static char *unfold(const char *value)
{
	GString *out = g_string_new(NULL);

	while (*value == ' ' || *value == '\t')
		value++;
	for (const char *p = value; *p; p++)
		if (*p != '\r' && *p != '\n')
			g_string_append_c(out, *p);
	return g_string_free(out, FALSE);
}

static bool has_control(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return true;
	return false;
}

/* Fields whose value is a list of addresses, and fields with no text
 * in them: encoded words and 8-bit text are read ourselves only in the
 * others (unstructured text, as Subject) and in display names. */
static const char *const address_fields[] = {
	"from", "to", "cc", "bcc", "sender", "reply-to", "resent-from", "resent-to", "resent-cc", "resent-bcc",
	"resent-sender", "resent-reply-to", "return-receipt-to", "disposition-notification-to", "errors-to",
	"mail-followup-to", "mail-reply-to", NULL
};
static const char *const textless_fields[] = {
	"message-id", "in-reply-to", "references", "resent-message-id", "content-id", "date", "resent-date",
	"received", "content-type", "content-disposition", "content-transfer-encoding", "mime-version",
	"return-path", "dkim-signature", "authentication-results", "arc-seal", "arc-message-signature",
	"arc-authentication-results", "received-spf", NULL
};

static bool named(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (g_ascii_strcasecmp(name, *list) == 0)
			return true;
	return false;
}

/* Raw text GMime would read wrong: encoded words, or 8-bit text that is not UTF-8. */
static bool needs_reading(const char *raw)
{
	return raw && (strstr(raw, "=?") || !g_utf8_validate(raw, -1, NULL));
}

/* The value of a field as the engine keeps it: decoded, unfolded. */
static char *field_value(GMimeHeader *h, GMimeParserOptions *options, const char *charset8, const struct parse_ctx *px)
{
	const char *name = g_mime_header_get_name(h);
	const char *raw = g_mime_header_get_raw_value(h);
	const char *value = g_mime_header_get_value(h);
	unsigned flags = 0;
	char *own;

	if (!needs_reading(raw) || named(name, textless_fields)) {
		/* Decoded values come unfolded: a line break in one was encoded. */
		if (has_control(value))
			*px->repairs |= MESSAGE_REPAIR_CONTROL;
		return g_strdup(value ? value : "");
	}
	if (named(name, address_fields)) {
		InternetAddressList *list = parse_addresses(options, h, charset8);
		own = list ? internet_address_list_to_string(list, NULL, FALSE) : g_strdup("");
		if (list)
			g_object_unref(list);
		return own;
	}
	own = rfc2047_decode(raw, strlen(raw), charset8, &flags);
	if (flags & RFC2047_CONTROL)
		*px->repairs |= MESSAGE_REPAIR_CONTROL;
	return own;
}

static void add_field(struct message *msg, GMimeHeader *h, GMimeHeader **first, const struct field_ctx *fx)
{
	const struct parse_ctx *px = fx->px;
	struct header_field *f = g_new0(struct header_field, 1);
	const char *raw = g_mime_header_get_raw_value(h);
	char *value = field_value(h, fx->options, fx->charset8, px);

	if (raw && !g_utf8_validate(raw, -1, NULL))
		*px->repairs |= MESSAGE_REPAIR_HEADER_CHARSET;
	f->name = g_strdup(g_mime_header_get_name(h));
	f->value = text_one_line(g_strstrip(value));
	g_free(value);
	g_ptr_array_add(msg->headers, f);
	for (int i = 0; i < F_COUNT; i++)
		if (first[i] == NULL && g_ascii_strcasecmp(f->name, first_names[i]) == 0)
			first[i] = h;
}

/* The message's fields and its top-level part's (the Content-* ones), in
 * the order they were read: by offset in the input.  A field the part
 * has that was not read (offset -1) is not in what the MTA sees. */
static void collect_headers(struct message *msg, GMimeMessage *mm, GMimeHeader **first, const struct field_ctx *fx)
{
	GMimeHeaderList *own = g_mime_object_get_header_list(GMIME_OBJECT(mm));
	GMimeObject *top = g_mime_message_get_mime_part(mm);
	GMimeHeaderList *part = top ? g_mime_object_get_header_list(top) : NULL;
	int n = g_mime_header_list_get_count(own), m = part ? g_mime_header_list_get_count(part) : 0;

	for (int i = 0, j = 0; i < n || j < m;) {
		GMimeHeader *a = i < n ? g_mime_header_list_get_header_at(own, i) : NULL;
		GMimeHeader *b = j < m ? g_mime_header_list_get_header_at(part, j) : NULL;

		if (b && g_mime_header_get_offset(b) < 0) {
			j++;
		} else if (a == NULL || (b && g_mime_header_get_offset(b) < g_mime_header_get_offset(a))) {
			add_field(msg, b, first, fx);
			j++;
		} else {
			add_field(msg, a, first, fx);
			i++;
		}
	}
}

/* The decoded subject, bounded; when it had to be shortened, the raw
 * one (which the tagged Subject is built from) is rebuilt from it, so
 * that what agents see is what the ticket holds, and the header we
 * write stays short. */
static void set_subject(struct message *msg, const char *decoded, const struct parse_ctx *px)
{
	/* White space around it is no part of it (an encoded CR LF at the
	 * start, the space after the colon). */
	char *line = g_strstrip(text_one_line(decoded ? decoded : ""));
	/* Characters, not bytes: 600 of Japanese are 1,800 bytes, and the
	 * Subject we write is folded (header_fold.h). */
	bool shortened = g_utf8_strlen(line, -1) > MESSAGE_SUBJECT_MAX;

	if (shortened) {
		msg->subject = text_bound(line, (size_t)(g_utf8_offset_to_pointer(line, MESSAGE_SUBJECT_MAX) - line));
		g_free(line);
	} else {
		msg->subject = line;
	}
	/* Short once decoded but written long counts the same. */
	if (shortened || (msg->raw_subject && strlen(msg->raw_subject) > 4 * MESSAGE_SUBJECT_MAX)) {
		*px->repairs |= MESSAGE_REPAIR_SHORTENED;
		if (msg->raw_subject) {
			g_free(msg->raw_subject);
			msg->raw_subject = g_mime_utils_header_encode_text(NULL, msg->subject, "utf-8");
		}
	}
}

/* Every field of the name (To, Cc), in order, as GMime gathers them. */
static void collect_field(GPtrArray *out, GMimeMessage *mm, const char *name, const struct field_ctx *fx)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(GMIME_OBJECT(mm));
	int n = g_mime_header_list_get_count(list);

	for (int i = 0; i < n && out->len < MESSAGE_ADDRESSES_MAX; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		InternetAddressList *addrs;

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) != 0)
			continue;
		addrs = parse_addresses(fx->options, h, fx->charset8);
		collect_mailboxes(addrs, out, MESSAGE_ADDRESSES_MAX, fx->px);
		if (addrs)
			g_object_unref(addrs);
	}
}

/* The subject decoded by rfc2047.h; the raw one (tagged and written
 * back) with its raw 8-bit text as UTF-8, so that what agents see is
 * what the ticket holds. */
static void read_subject(struct message *msg, GMimeHeader *h, const struct field_ctx *fx)
{
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	unsigned flags = 0;
	char *decoded;

	if (raw == NULL) {
		set_subject(msg, NULL, fx->px);
		return;
	}
	msg->raw_subject = g_utf8_validate(raw, -1, NULL) ? unfold(raw) : rfc2047_normalize(raw, strlen(raw), fx->charset8);
	g_strchug(msg->raw_subject);
	decoded = rfc2047_decode(raw, strlen(raw), fx->charset8, &flags);
	if (flags & RFC2047_CONTROL)
		*fx->px->repairs |= MESSAGE_REPAIR_CONTROL;
	set_subject(msg, decoded, fx->px);
	g_free(decoded);
}

void message_fields_read(struct message *msg, GMimeMessage *mm, GMimeParserOptions *options, const char *charset8,
			 const struct parse_ctx *px)
{
	const struct field_ctx fx = { options, charset8, px };
	GMimeHeader *first[F_COUNT] = { NULL };
	GDateTime *date;

	collect_headers(msg, mm, first, &fx);
	msg->message_id = message_id(first[F_MESSAGE_ID], px);
	msg->in_reply_to = parse_ids(first[F_IN_REPLY_TO], MESSAGE_IN_REPLY_TO_MAX, px);
	msg->references = parse_ids(first[F_REFERENCES], MESSAGE_REFERENCES_MAX, px);
	msg->from = first_mailbox(options, first[F_FROM], charset8, px);
	msg->reply_to = first_mailbox(options, first[F_REPLY_TO], charset8, px);
	collect_field(msg->to, mm, "To", &fx);
	collect_field(msg->cc, mm, "Cc", &fx);
	read_subject(msg, first[F_SUBJECT], &fx);
	date = first[F_DATE] ? g_mime_utils_header_decode_date(g_mime_header_get_value(first[F_DATE])) : NULL;
	if (date) {
		msg->date = g_date_time_to_unix(date);
		msg->date_offset = (int)(g_date_time_get_utc_offset(date) / G_TIME_SPAN_MINUTE);
		g_date_time_unref(date);
	}
}
