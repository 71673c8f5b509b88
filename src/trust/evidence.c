/*
 * evidence.c - the evidence of who sent a message (see evidence.h).
 * Room: trust.
 *
 * Authentication-Results (RFC 8601) is read leniently but never
 * generously: a result we cannot parse is no result, and only our own
 * authserv-ids count.
 */
#include "config.h"
#include "trust/evidence.h"
#include "util/addr.h"

#include <libpsl.h>
#include <string.h>

/* Results read from one message, kept only as far as they decide. */
struct results {
	bool dmarc_pass, dmarc_fail, dkim_aligned, spf_aligned;
	char *why;		/* the first deciding result, for the event log */
};

/* What may be done at each level: the README's table, "Security model". */
static const bool rights[][6] = {
	/*                     reference  token  participants  acknowledge  rate  history */
	[EVIDENCE_CLAIMED] =       { true, true, false, true, true, true },
	[EVIDENCE_AUTHENTICATED] = { true, true, true, true, true, true },
	[EVIDENCE_TOKEN] =         { true, true, true, true, true, true },
	[EVIDENCE_CONTRADICTED] =  { false, false, false, false, false, false },
};

bool evidence_may(enum evidence level, enum evidence_right right)
{
	return rights[level][right];
}

const char *evidence_name(enum evidence level)
{
	switch (level) {
	case EVIDENCE_AUTHENTICATED: return "authenticated";
	case EVIDENCE_TOKEN: return "token";
	case EVIDENCE_CONTRADICTED: return "contradicted";
	default: return "claimed";
	}
}

enum evidence evidence_with_token(enum evidence level, bool token)
{
	return level != EVIDENCE_CONTRADICTED && token ? EVIDENCE_TOKEN : level;
}

/* The organizational domain (PSL registrable domain) of a lower-case
 * domain, or NULL when it has none (a public suffix, an IP literal). */
static const char *org_domain(const psl_ctx_t *psl, const char *domain)
{
	return psl && *domain ? psl_registrable_domain(psl, domain) : NULL;
}

bool evidence_aligned(const char *domain_a, const char *domain_b)
{
	const psl_ctx_t *psl = psl_builtin();
	char *a = g_ascii_strdown(domain_a ? domain_a : "", -1);
	char *b = g_ascii_strdown(domain_b ? domain_b : "", -1);
	const char *oa, *ob;
	bool aligned;

	if (*a == '\0' || *b == '\0') {
		aligned = false;
	} else if (strcmp(a, b) == 0) {
		aligned = true;
	} else {
		oa = org_domain(psl, a);
		ob = org_domain(psl, b);
		aligned = oa && ob && strcmp(oa, ob) == 0;
	}
	g_free(a);
	g_free(b);
	return aligned;
}

/* The value without RFC 5322 comments, quoted strings kept whole. */
static char *without_comments(const char *v)
{
	GString *out = g_string_sized_new(strlen(v));
	int depth = 0;
	bool quoted = false;

	for (const char *p = v; *p; p++) {
		if (quoted) {
			if (*p == '\\' && p[1])
				g_string_append_c(out, *p++);
			else if (*p == '"')
				quoted = false;
			g_string_append_c(out, *p);
		} else if (depth > 0) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
		} else if (*p == '(') {
			depth = 1;
			g_string_append_c(out, ' ');
		} else {
			quoted = *p == '"';
			g_string_append_c(out, *p);
		}
	}
	return g_string_free(out, FALSE);
}

/* Splits at ';' outside quotes, and each piece into words, with the
 * white space that CFWS allows around '=', '.' and '/' taken out so that
 * "dkim = pass header . d = x" reads as "dkim=pass header.d=x". */
static char **words_of(const char *piece)
{
	GString *s = g_string_new(NULL);
	bool quoted = false;

	for (const char *p = piece; *p; p++) {
		char c = *p == '\t' || *p == '\r' || *p == '\n' ? ' ' : *p;
		if (c == '"') {
			quoted = !quoted;
			continue;	/* values are compared without their quotes */
		}
		if (!quoted && c == ' ') {
			const char *next = p;
			while (*next == ' ' || *next == '\t')
				next++;
			if (s->len && strchr("=./", s->str[s->len - 1]))
				continue;
			if (*next && strchr("=./", *next))
				continue;
		}
		g_string_append_c(s, c);
	}
	{
		char **words = g_strsplit(g_strstrip(s->str), " ", -1);
		g_string_free(s, TRUE);
		return words;
	}
}

/* The domain of "user@domain", "@domain" or "domain". */
static const char *domain_part(const char *v)
{
	const char *at = strrchr(v, '@');

	return at ? at + 1 : v;
}

/* Keeps the first deciding result; a DMARC failure, which decides
 * over any pass, replaces it. */
static void note(struct results *r, const char *authserv, const char *method_result, const char *prop, bool failure)
{
	if (failure)
		g_clear_pointer(&r->why, g_free);
	if (r->why == NULL)
		r->why = g_strdup_printf("%s%s%s (%s)", method_result, prop ? " " : "", prop ? prop : "", authserv);
}

/* One resinfo: "dkim=pass header.d=example.org header.s=sel". */
static void read_resinfo(const char *piece, const char *authserv, const char *from_domain,
			 const char *envelope_domain, struct results *r)
{
	char **words = words_of(piece);
	char *method, *result, *slash;
	const char *prop = NULL;

	if (words[0] == NULL || strchr(words[0], '=') == NULL) {
		g_strfreev(words);
		return;
	}
	method = g_ascii_strdown(words[0], -1);
	result = strchr(method, '=');
	*result++ = '\0';
	if ((slash = strchr(method, '/')) != NULL)	/* "dkim/1": a method version */
		*slash = '\0';

	if (strcmp(method, "dmarc") == 0 && (strcmp(result, "pass") == 0 || strcmp(result, "fail") == 0)) {
		bool for_from = true;
		for (char **w = words + 1; *w; w++)
			if (g_ascii_strncasecmp(*w, "header.from=", 12) == 0) {
				for_from = g_ascii_strcasecmp(domain_part(*w + 12), from_domain) == 0;
				prop = *w;
			}
		if (for_from) {
			if (strcmp(result, "pass") == 0)
				r->dmarc_pass = true;
			else
				r->dmarc_fail = true;
			note(r, authserv, words[0], prop, strcmp(result, "fail") == 0);
		}
	} else if (strcmp(method, "dkim") == 0 && strcmp(result, "pass") == 0) {
		for (char **w = words + 1; *w; w++)
			if ((g_ascii_strncasecmp(*w, "header.d=", 9) == 0 &&
			     evidence_aligned(*w + 9, from_domain)) ||
			    (g_ascii_strncasecmp(*w, "header.i=", 9) == 0 &&
			     evidence_aligned(domain_part(*w + 9), from_domain))) {
				r->dkim_aligned = true;
				note(r, authserv, words[0], *w, false);
				break;
			}
	} else if (strcmp(method, "spf") == 0 && strcmp(result, "pass") == 0) {
		const char *mailfrom = NULL;
		for (char **w = words + 1; *w; w++)
			if (g_ascii_strncasecmp(*w, "smtp.mailfrom=", 14) == 0)
				mailfrom = domain_part(*w + 14), prop = *w;
		if (mailfrom == NULL)
			mailfrom = envelope_domain;
		if (mailfrom && evidence_aligned(mailfrom, from_domain)) {
			r->spf_aligned = true;
			note(r, authserv, words[0], prop, false);
		}
	}
	g_free(method);
	g_strfreev(words);
}

static bool is_ours(char **authserv_ids, const char *id)
{
	for (char **a = authserv_ids; a && *a; a++)
		if (g_ascii_strcasecmp(*a, id) == 0)
			return true;
	return false;
}

/* One Authentication-Results value, when it is our MTA's: returns
 * whether it was. */
static bool read_header(char **authserv_ids, const char *value, const char *from_domain,
			const char *envelope_domain, struct results *r)
{
	char *clean = without_comments(value);
	char **pieces = g_strsplit(clean, ";", -1);
	char **first = pieces[0] ? words_of(pieces[0]) : NULL;
	/* "mx.example.com 1": the authserv-id, then an optional version. */
	bool ours = first && first[0] && is_ours(authserv_ids, first[0]);

	for (char **p = pieces + 1; ours && *p; p++)
		read_resinfo(*p, first[0], from_domain, envelope_domain, r);
	g_strfreev(first);
	g_strfreev(pieces);
	g_free(clean);
	return ours;
}

/* Our MTA writes one or a few of these; more with our authserv-id are
 * not its doing, and are not read. */
#define MAX_RESULTS_HEADERS 8

enum evidence evidence_of_results(char **authserv_ids, const struct message *msg, const char *envelope_sender,
				  char **detail)
{
	struct results r = { 0 };
	const char *from_domain;
	enum evidence level = EVIDENCE_CLAIMED;
	unsigned seen = 0;

	if (detail)
		*detail = NULL;
	if (authserv_ids == NULL || *authserv_ids == NULL || msg->from == NULL ||
	    *(from_domain = addr_domain(msg->from->address)) == '\0')
		return EVIDENCE_CLAIMED;
	for (guint i = 0; i < msg->headers->len && seen < MAX_RESULTS_HEADERS; i++) {
		const struct header_field *h = g_ptr_array_index(msg->headers, i);
		if (g_ascii_strcasecmp(h->name, "Authentication-Results") == 0 &&
		    read_header(authserv_ids, h->value, from_domain,
				envelope_sender ? addr_domain(envelope_sender) : NULL, &r))
			seen++;
	}
	if (r.dmarc_fail)
		level = EVIDENCE_CONTRADICTED;
	else if (r.dmarc_pass || r.dkim_aligned || r.spf_aligned)
		level = EVIDENCE_AUTHENTICATED;
	if (detail && level != EVIDENCE_CLAIMED)
		*detail = r.why, r.why = NULL;
	g_free(r.why);
	return level;
}
