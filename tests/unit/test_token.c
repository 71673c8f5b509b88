/* test_token.c - signed tokens and Message-IDs cannot be forged. */
#include "config.h"
#include "tap.h"
#include "trust/token.h"

#include <glib.h>

int main(void)
{
	const unsigned char secret[] = "0123456789abcdef0123456789abcdef";
	const unsigned char other[] = "fedcba9876543210fedcba9876543210";
	struct token_key key = { secret, 32 }, wrong = { other, 32 };
	struct ticket_ref ref = { "SUP", 1042 }, got;
	char *token = token_for_ticket(&key, &ref), *suffix = NULL, *upper, *altered, *id;

	ok(g_str_has_prefix(token, "sup-1042-") && strlen(token) == 9 + 16, "token form: %s", token);
	/* Issued before (OpenSSL's HMAC then, GLib's now): still the same. */
	is_str(token, "sup-1042-wwpjz2tks6q7hk7h", "the token this key has always given");
	ok(token_verify(&key, token, &got, &suffix) && got.number == 1042 && strcmp(got.tag, "SUP") == 0 && !suffix,
	   "token verifies");
	upper = g_ascii_strup(token, -1);
	ok(token_verify(&key, upper, &got, NULL), "case-folded token verifies (MTAs may fold local parts)");
	ok(!token_verify(&wrong, token, &got, NULL), "token under another secret fails");
	altered = g_strdup(token);
	altered[strlen(altered) - 1] = altered[strlen(altered) - 1] == 'a' ? 'b' : 'a';
	ok(!token_verify(&key, altered, &got, NULL), "altered MAC fails");
	g_free(altered);
	altered = g_strdup_printf("sup-1043%s", token + 8);
	ok(!token_verify(&key, altered, &got, NULL), "MAC of 1042 does not open 1043");
	g_free(altered);
	altered = g_strdup_printf("%s-note", token);
	ok(token_verify(&key, altered, &got, &suffix) && g_strcmp0(suffix, "note") == 0, "suffix is returned");
	g_free(suffix);
	g_free(altered);
	ok(!token_verify(&key, "sup-1042", &got, NULL), "token without MAC fails");
	ok(!token_verify(&key, "", &got, NULL), "empty token fails");
	ok(!token_verify(&key, "sup-0-aaaaaaaaaaaaaaaa", &got, NULL), "number 0 fails");

	id = token_message_id(&key, &ref, "support.example.com");
	ok(g_str_has_prefix(id, "tm.sup-1042.") && g_str_has_suffix(id, "@support.example.com"), "message-id form: %s", id);
	ok(token_verify_message_id(&key, id, &got) && got.number == 1042, "message-id verifies");
	{
		char *bracketed = g_strdup_printf("<%s>", id);
		ok(token_verify_message_id(&key, bracketed, &got), "bracketed message-id verifies");
		g_free(bracketed);
	}
	ok(!token_verify_message_id(&wrong, id, &got), "message-id under another secret fails");
	{
		char *id2 = token_message_id(&key, &ref, "support.example.com");
		ok(strcmp(id, id2) != 0, "two message-ids for one ticket differ");
		g_free(id2);
	}
	{
		char *forged = g_strdup(id);
		char *p = strstr(forged, "1042");
		p[3] = '3';
		ok(!token_verify_message_id(&key, forged, &got), "message-id renumbered to 1043 fails");
		g_free(forged);
	}
	ok(!token_verify_message_id(&key, "tm.sup-1042.x.y@example.com", &got), "garbage message-id fails");
	ok(!token_verify_message_id(&key, "CAF=abc@mail.gmail.com", &got), "foreign message-id is not ours");
	ok(ticket_ref_parse("sup-77", &got) && got.number == 77 && strcmp(got.tag, "SUP") == 0, "ticket_ref_parse");
	ok(!ticket_ref_parse("SUP77", &got) && !ticket_ref_parse("-77", &got) && !ticket_ref_parse("SUP-", &got),
	   "ticket_ref_parse rejects malformed ids");
	g_free(id);
	g_free(upper);
	g_free(token);
	return tap_done();
}
