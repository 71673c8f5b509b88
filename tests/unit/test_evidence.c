/* test_evidence.c - the evidence levels (evidence.h): Authentication-
 * Results of our authserv-id and no other, DMARC, aligned DKIM and SPF,
 * organizational-domain alignment, and the table of what each level may
 * do. */
#include "config.h"
#include "trust/evidence.h"
#include "tap.h"
#include "fixtures.h"

#include <gmime/gmime.h>

static char *ours[] = { "mx.example.com", "mx2.example.com", NULL };

/* The level of a message of those headers, From anna@example.org. */
static enum evidence level_of(const char *headers, const char *envelope_sender, char **detail)
{
	char *text = g_strdup_printf("From: Anna <anna@example.org>\n%sSubject: x\n\nbody\n", headers);
	struct message *m = fixture_message(text);
	enum evidence e = evidence_of_results(ours, m, envelope_sender, detail);

	message_free(m);
	g_free(text);
	return e;
}

static void results(void)
{
	char *detail = NULL;

	is_int(level_of("", "anna@example.org", NULL), EVIDENCE_CLAIMED, "no Authentication-Results: claimed");
	is_int(level_of("Authentication-Results: mx.example.com; dmarc=pass (p=reject) header.from=example.org\n",
			NULL, &detail), EVIDENCE_AUTHENTICATED, "dmarc=pass from our authserv-id: authenticated");
	is_str(detail, "dmarc=pass header.from=example.org (mx.example.com)", "the deciding result is kept for the event log");
	g_free(detail);
	is_int(level_of("Authentication-Results: MX.Example.COM 1; dmarc=pass header.from=example.org\n", NULL, NULL),
	       EVIDENCE_AUTHENTICATED, "the authserv-id in any case, with a version");
	is_int(level_of("Authentication-Results: evil.example; dmarc=pass header.from=example.org\n", NULL, NULL),
	       EVIDENCE_CLAIMED, "another authserv-id is anyone's: ignored");
	is_int(level_of("Authentication-Results: mx.example.com.evil.example; dmarc=pass header.from=example.org\n",
			NULL, NULL), EVIDENCE_CLAIMED, "an authserv-id that only starts like ours is not ours");
	is_int(level_of("Authentication-Results: mx.example.com; dmarc=pass header.from=other.example\n", NULL, NULL),
	       EVIDENCE_CLAIMED, "dmarc=pass for another domain than From's: nothing");
	is_int(level_of("Authentication-Results: mx.example.com; dmarc=fail (p=reject dis=reject) header.from=example.org\n",
			NULL, &detail), EVIDENCE_CONTRADICTED, "dmarc=fail for the From domain: contradicted");
	is_str(detail, "dmarc=fail header.from=example.org (mx.example.com)", "and says so");
	g_free(detail);
	is_int(level_of("Authentication-Results: mx.example.com; dkim=pass header.d=example.org header.s=s1\n"
			"Authentication-Results: mx2.example.com; dmarc=fail header.from=example.org\n", NULL, NULL),
	       EVIDENCE_CONTRADICTED, "a DMARC failure decides over a DKIM pass");
	is_int(level_of("Authentication-Results: mx.example.com;\n dkim=pass (2048-bit key) header.d=mail.example.org;\n"
			" spf=fail smtp.mailfrom=example.org\n", NULL, NULL),
	       EVIDENCE_AUTHENTICATED, "dkim=pass with d= in the From's organizational domain");
	is_int(level_of("Authentication-Results: mx.example.com; dkim=pass header.d=esp.example\n", NULL, NULL),
	       EVIDENCE_CLAIMED, "dkim=pass for an unaligned d=: claimed");
	is_int(level_of("Authentication-Results: mx.example.com; dkim = pass header . d = example.org\n", NULL, NULL),
	       EVIDENCE_AUTHENTICATED, "white space around = and . (RFC 8601 allows it)");
	is_int(level_of("Authentication-Results: mx.example.com; dkim=pass (d=example.org) header.d=esp.example\n", NULL, NULL),
	       EVIDENCE_CLAIMED, "a comment is not a property");
	is_int(level_of("Authentication-Results: mx.example.com; dkim=pass header.i=@example.org\n", NULL, NULL),
	       EVIDENCE_AUTHENTICATED, "header.i= names the domain too");
	is_int(level_of("Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=bounces@bounce.example.org\n",
			NULL, NULL), EVIDENCE_AUTHENTICATED, "spf=pass with an aligned smtp.mailfrom");
	is_int(level_of("Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=mallory@evil.example\n",
			NULL, NULL), EVIDENCE_CLAIMED, "spf=pass for another domain: claimed");
	is_int(level_of("Authentication-Results: mx.example.com; spf=pass\n", "anna@example.org", NULL),
	       EVIDENCE_AUTHENTICATED, "spf=pass without smtp.mailfrom: the envelope sender's domain");
	is_int(level_of("Authentication-Results: mx.example.com; spf=pass\n", "x@evil.example", NULL),
	       EVIDENCE_CLAIMED, "and only when that one is aligned");
	is_int(level_of("Authentication-Results: mx.example.com; dkim=\"pass\" header.d=\"example.org\"\n", NULL, NULL),
	       EVIDENCE_AUTHENTICATED, "quoted values");
	is_int(level_of("Authentication-Results: mx.example.com; none\n", NULL, NULL), EVIDENCE_CLAIMED,
	       "no results: claimed");
	is_int(level_of("Authentication-Results: mx.example.com; dkim=pass header.d=org\n", NULL, NULL),
	       EVIDENCE_CLAIMED, "a public suffix as d= aligns with nothing");
	is_int(level_of("Authentication-Results: ; ; = ;dkim=; (((\n", NULL, NULL), EVIDENCE_CLAIMED,
	       "garbage is no result");
	{
		struct message *m = fixture_message("From: anna@example.org\nAuthentication-Results: mx.example.com; "
						    "dmarc=pass header.from=example.org\n\nx\n");
		is_int(evidence_of_results(NULL, m, NULL, NULL), EVIDENCE_CLAIMED,
		       "no authserv-id configured: every header ignored");
		message_free(m);
	}
}

static void alignment(void)
{
	ok(evidence_aligned("example.org", "EXAMPLE.org"), "the same domain, any case");
	ok(evidence_aligned("mail.example.org", "example.org"), "a subdomain and its parent");
	ok(evidence_aligned("a.example.co.uk", "b.example.co.uk"), "siblings under a two-label public suffix");
	ok(!evidence_aligned("example.co.uk", "other.co.uk"), "two registrations under co.uk are not aligned");
	ok(!evidence_aligned("co.uk", "example.co.uk"), "a public suffix is nobody's organizational domain");
	ok(!evidence_aligned("", "example.org"), "an empty domain aligns with nothing");
}

static void table(void)
{
	ok(evidence_may(EVIDENCE_CLAIMED, EVIDENCE_JOIN_BY_REFERENCE) &&
	   !evidence_may(EVIDENCE_CLAIMED, EVIDENCE_ADD_PARTICIPANTS) &&
	   evidence_may(EVIDENCE_CLAIMED, EVIDENCE_ACKNOWLEDGE), "claimed: joins as a participant, adds nobody, is answered");
	ok(evidence_may(EVIDENCE_AUTHENTICATED, EVIDENCE_ADD_PARTICIPANTS) &&
	   evidence_may(EVIDENCE_TOKEN, EVIDENCE_ADD_PARTICIPANTS), "authenticated and token: add participants");
	ok(!evidence_may(EVIDENCE_CONTRADICTED, EVIDENCE_JOIN_BY_REFERENCE) &&
	   !evidence_may(EVIDENCE_CONTRADICTED, EVIDENCE_JOIN_BY_TOKEN) &&
	   !evidence_may(EVIDENCE_CONTRADICTED, EVIDENCE_ADD_PARTICIPANTS) &&
	   !evidence_may(EVIDENCE_CONTRADICTED, EVIDENCE_ACKNOWLEDGE) &&
	   !evidence_may(EVIDENCE_CONTRADICTED, EVIDENCE_RATE), "contradicted: joins nothing, is never answered, never rates");
	is_int(evidence_with_token(EVIDENCE_CLAIMED, true), EVIDENCE_TOKEN, "a token lifts claimed to token");
	is_int(evidence_with_token(EVIDENCE_CONTRADICTED, true), EVIDENCE_CONTRADICTED, "but never a forged sender");
	is_int(evidence_with_token(EVIDENCE_AUTHENTICATED, false), EVIDENCE_AUTHENTICATED, "no token: unchanged");
	is_str(evidence_name(EVIDENCE_CONTRADICTED), "contradicted", "names as in X-Ticket-Evidence");
}

int main(void)
{
	g_mime_init();
	results();
	alignment();
	table();
	g_mime_shutdown();
	return tap_done();
}
