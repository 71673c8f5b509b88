/*
 * autoreply_senders.c - what the sending addresses say: a system mailbox
 * (postmaster, mailer-daemon, noreply, bounces...), a mailing list's
 * owner or bounce address, a From with no address, Return-Path: <>.
 *
 * A local part is read as words split at '-', '_', '.' and '=' (a
 * "+detail" dropped), so that "No_Reply", "post.master" and
 * "MAILER-DAEMON" are the same names as "noreply", "postmaster" and
 * "mailerdaemon": every run of neighbouring words, joined, is compared.
 * Room: robots.
 */
#include "config.h"
#include "robots/autoreply_rules.h"

#include <string.h>

#define MAX_WORDS 8

/* Mailboxes of mail systems: never a person. */
static const char *const system_names[] = {
	"postmaster", "mailerdaemon", "maildaemon", "mdaemon", "noreply", "donotreply", "donotrespond",
	"notification", "notifications", "nobody",
};

/* Looser, for the bounce heuristic: mailboxes a machine writes from. */
static const char *const machine_names[] = {
	"mailer", "mail", "daemon", "sysadmin", "mailadmin", "root", "smtp", "mta", "gateway", "sms",
	"delivery", "mailsystem", "mailserver", "autoreply", "autoresponder", "robot", "bot",
};

/* Display names of delivery systems (case-folded, anywhere in the name). */
static const char *const machine_display_names[] = {
	"mail delivery", "delivery subsystem", "delivery system", "delivery service", "mailer-daemon",
	"mailer daemon", "mail daemon", "postmaster", "mail administrator", "system administrator",
	"systemadministrator", "mail system", "mail server", "mailserver", "microsoft outlook",
	"microsoft exchange", "mail gateway", "sms gateway", "mail robot",
};

enum local_kind { LOCAL_PERSON, LOCAL_SYSTEM, LOCAL_LIST };

struct words {
	char *buf;
	const char *w[MAX_WORDS];
	unsigned n;
};

/* Splits the local part of address (the whole of it when there is no
 * '@') into lower-case words; free with words_clear(). */
static void words_of(const char *address, struct words *out)
{
	const char *at = strrchr(address, '@');
	size_t len = at ? (size_t)(at - address) : strlen(address);
	char *plus;

	out->buf = g_ascii_strdown(address, (gssize)len);
	out->n = 0;
	g_strdelimit(out->buf, "\"<> \t", ' ');
	g_strstrip(out->buf);
	if ((plus = strchr(out->buf, '+')) != NULL)
		*plus = '\0';
	for (char *p = out->buf, *save = NULL, *tok; (tok = strtok_r(p, "-_.=", &save)) && out->n < MAX_WORDS; p = NULL)
		out->w[out->n++] = tok;
}

static void words_clear(struct words *w)
{
	g_free(w->buf);
}

/* True when some run of neighbouring words, joined, is one of names. */
static bool has_run(const struct words *w, const char *const *names, size_t n_names)
{
	char joined[256];

	for (unsigned i = 0; i < w->n; i++) {
		joined[0] = '\0';
		for (unsigned j = i; j < w->n; j++) {
			if (g_strlcat(joined, w->w[j], sizeof joined) >= sizeof joined)
				break;
			for (size_t k = 0; k < n_names; k++)
				if (strcmp(joined, names[k]) == 0)
					return true;
		}
	}
	return false;
}

/* "bounce", "bounces", "bounce4711", "bouncesa1b2": not "bouncer". */
static bool is_bounce_word(const char *word)
{
	if (!g_str_has_prefix(word, "bounce"))
		return false;
	word += strlen("bounce");
	if (*word == 's')
		word++;
	while (g_ascii_isxdigit(*word))
		word++;
	return *word == '\0';
}

static enum local_kind classify(const char *address)
{
	struct words w;
	enum local_kind kind = LOCAL_PERSON;

	words_of(address, &w);
	if (w.n == 0) {
		words_clear(&w);
		return LOCAL_PERSON;
	}
	if (has_run(&w, system_names, G_N_ELEMENTS(system_names)) ||
	    /* bounce handlers: "bounce", "bounces+123-x=y", "bounce-md_1.2" */
	    is_bounce_word(w.w[0]) ||
	    /* Exchange Online's NDR sender: MicrosoftExchange329e71ec88ae... */
	    g_str_has_prefix(w.w[0], "microsoftexchange"))
		kind = LOCAL_SYSTEM;
	else if (w.n > 1 && (strcmp(w.w[0], "owner") == 0 || strcmp(w.w[w.n - 1], "owner") == 0 ||
			     strcmp(w.w[w.n - 1], "request") == 0 || strcmp(w.w[w.n - 1], "bounces") == 0 ||
			     strcmp(w.w[w.n - 1], "bounce") == 0))
		/* Majordomo/LISTSERV owner-list, list-owner, fml/ezmlm
		 * list-request, Mailman list-bounces */
		kind = LOCAL_LIST;
	words_clear(&w);
	return kind;
}

/* The address of a From, Sender or Return-Path value that GMime could
 * not read as a mailbox: "<>" -> "", "Mail Delivery Subsystem
 * <MAILER-DAEMON>" -> "MAILER-DAEMON", "Postmaster" -> "Postmaster"
 * (g_free). */
static char *bare_address(const char *value)
{
	const char *lt = strrchr(value, '<');
	char *out;

	if (lt) {
		const char *gt = strchr(lt, '>');
		out = g_strndup(lt + 1, gt ? (size_t)(gt - lt - 1) : strlen(lt + 1));
	} else {
		out = g_strdup(value);
	}
	return g_strstrip(out);
}

static bool header_is(const struct header_field *f, const char *name)
{
	return g_ascii_strcasecmp(f->name, name) == 0;
}

/* The From address, or what stands in a From GMime read no mailbox from
 * ("" when there is none at all); NULL when there is no From.  g_free. */
static char *from_address(const struct message *msg)
{
	if (msg->from)
		return g_strdup(msg->from->address);
	for (guint i = 0; i < msg->headers->len; i++) {
		const struct header_field *f = g_ptr_array_index(msg->headers, i);
		if (header_is(f, "From"))
			return bare_address(f->value);
	}
	return NULL;
}

/* A return address at bounce.example.net or bounces.example.net: bulk
 * senders' VERP handlers, never a person's mailbox. */
static bool bounce_domain(const char *address)
{
	const char *at = strrchr(address, '@');

	return at && (g_ascii_strncasecmp(at + 1, "bounce.", 7) == 0 || g_ascii_strncasecmp(at + 1, "bounces.", 8) == 0);
}

static const char *reason_of(enum local_kind kind)
{
	return kind == LOCAL_SYSTEM ? "sender is a system mailbox"
	     : kind == LOCAL_LIST ? "sender is a mailing list's owner or bounce address" : NULL;
}

const char *autoreply_sender_rule(const struct message *msg, const char *envelope_sender)
{
	const char *why;
	char *from = from_address(msg);

	if (from && *from == '\0') {
		g_free(from);
		return "From without an address";
	}
	why = from ? reason_of(classify(from)) : NULL;
	g_free(from);
	if (why)
		return why;
	if (envelope_sender && (why = reason_of(classify(envelope_sender))) != NULL)
		return why;
	if (envelope_sender && bounce_domain(envelope_sender))
		return "sender is a bounce handler's domain";
	/* Sender, Return-Path (an envelope sender recorded on the way) and
	 * the old Errors-To name the list or the bounce handler. */
	for (guint i = 0; i < msg->headers->len; i++) {
		const struct header_field *f = g_ptr_array_index(msg->headers, i);
		char *addr;
		if (!header_is(f, "Sender") && !header_is(f, "Return-Path") && !header_is(f, "Errors-To"))
			continue;
		addr = bare_address(f->value);
		if (*addr == '\0' && header_is(f, "Return-Path"))
			why = "Return-Path: <>";
		else if (*addr)
			why = !header_is(f, "Sender") && bounce_domain(addr) ? "sender is a bounce handler's domain"
			      : reason_of(classify(addr));
		g_free(addr);
		if (why)
			return why;
	}
	return NULL;
}

const char *autoreply_address_kind(const char *address)
{
	const char *why = reason_of(classify(address));

	if (why == NULL && bounce_domain(address))
		why = "sender is a bounce handler's domain";
	return why;
}

static bool display_name_machine_like(const char *name)
{
	char *folded = g_utf8_casefold(name, -1);
	bool found = false;

	for (size_t i = 0; i < G_N_ELEMENTS(machine_display_names) && !found; i++)
		found = strstr(folded, machine_display_names[i]) != NULL;
	g_free(folded);
	return found;
}

static bool machine_like_address(const char *address)
{
	struct words w;
	bool found;

	if (classify(address) != LOCAL_PERSON)
		return true;
	words_of(address, &w);
	found = has_run(&w, machine_names, G_N_ELEMENTS(machine_names));
	words_clear(&w);
	return found;
}

bool autoreply_sender_machine_like(const struct message *msg, const char *envelope_sender)
{
	char *from;
	bool like;

	if (envelope_sender == NULL || machine_like_address(envelope_sender))
		return true;
	if (msg->from && msg->from->name && display_name_machine_like(msg->from->name))
		return true;
	from = from_address(msg);
	like = from == NULL || *from == '\0' || machine_like_address(from);
	if (!like && msg->from == NULL) {
		/* "From: Mail Delivery System" without an address GMime read */
		for (guint i = 0; i < msg->headers->len && !like; i++) {
			const struct header_field *f = g_ptr_array_index(msg->headers, i);
			like = header_is(f, "From") && display_name_machine_like(f->value);
		}
	}
	g_free(from);
	return like;
}
