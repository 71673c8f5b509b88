/*
 * token.c - HMAC-signed ticket tokens and Message-IDs (see token.h).
 * Room: trust.
 */
#include "config.h"
#include "trust/token.h"

#include <glib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#define MAC_BYTES 10		/* 80 bits: 16 base32 characters */
#define MAC_CHARS TOKEN_MAC_CHARS
#define NONCE_BYTES 10

static const char base32[] = "abcdefghijklmnopqrstuvwxyz234567";

/* Encodes n bytes (n a multiple of 5) into out (8 chars per 5 bytes + NUL). */
static void base32_encode(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i += 5) {
		guint64 v = 0;
		for (size_t j = 0; j < 5; j++)
			v = v << 8 | in[i + j];
		for (int k = 7; k >= 0; k--)
			*out++ = base32[(v >> (5 * k)) & 31];
	}
	*out = '\0';
}

static void compute_mac(const struct token_key *key, const char *message, char out[MAC_CHARS + 1])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	HMAC(EVP_sha256(), key->secret, (int)key->secret_len,
	     (const unsigned char *)message, strlen(message), digest, &len);
	base32_encode(digest, MAC_BYTES, out);
}

static bool mac_matches(const struct token_key *key, const char *message, const char *given, size_t given_len)
{
	char expected[MAC_CHARS + 1];

	if (given_len != MAC_CHARS)
		return false;
	compute_mac(key, message, expected);
	return CRYPTO_memcmp(expected, given, MAC_CHARS) == 0;
}

void ticket_ref_format(const struct ticket_ref *ref, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%ld", ref->tag, ref->number);
}

/* Parses "TAG-NUMBER" from the start of text up to len bytes. */
static bool parse_tag_number(const char *text, size_t len, struct ticket_ref *ref)
{
	const char *dash = memchr(text, '-', len);
	size_t tag_len;
	long number = 0;

	if (dash == NULL)
		return false;
	tag_len = (size_t)(dash - text);
	if (tag_len == 0 || tag_len >= TOKEN_TAG_MAX || !g_ascii_isalpha(text[0]))
		return false;
	for (size_t i = 0; i < tag_len; i++) {
		if (!g_ascii_isalnum(text[i]))
			return false;
		ref->tag[i] = g_ascii_toupper(text[i]);
	}
	ref->tag[tag_len] = '\0';
	if (dash + 1 == text + len)
		return false;
	for (const char *p = dash + 1; p < text + len; p++) {
		if (!g_ascii_isdigit(*p) || number > 100000000L)
			return false;
		number = number * 10 + (*p - '0');
	}
	if (number <= 0)
		return false;
	ref->number = number;
	return true;
}

bool ticket_ref_parse(const char *text, struct ticket_ref *ref)
{
	return parse_tag_number(text, strlen(text), ref);
}

char *token_for_ticket(const struct token_key *key, const struct ticket_ref *ref)
{
	char mac[MAC_CHARS + 1];
	char *msg = g_strdup_printf("ticket:%s:%ld", ref->tag, ref->number);
	char *tag = g_ascii_strdown(ref->tag, -1);
	char *token;

	compute_mac(key, msg, mac);
	token = g_strdup_printf("%s-%ld-%s", tag, ref->number, mac);
	g_free(msg);
	g_free(tag);
	return token;
}

char *token_gateway_address(const struct token_key *key, const char *queue_address, const struct ticket_ref *ref)
{
	char *token = token_for_ticket(key, ref);
	const char *at = strrchr(queue_address, '@');
	char *address = at ? g_strdup_printf("%.*s+%s%s", (int)(at - queue_address), queue_address, token, at)
			   : g_strdup_printf("%s+%s", queue_address, token);

	g_free(token);
	return address;
}

bool token_verify(const struct token_key *key, const char *token, struct ticket_ref *ref, char **suffix)
{
	char *lower = g_ascii_strdown(token, -1);
	char *second, *mac_start, *mac_end, *msg;
	bool ok = false;

	if (suffix)
		*suffix = NULL;
	/* tag-number-mac[-suffix] */
	second = strchr(lower, '-');
	second = second ? strchr(second + 1, '-') : NULL;
	if (second == NULL)
		goto out;
	if (!parse_tag_number(lower, (size_t)(second - lower), ref))
		goto out;
	mac_start = second + 1;
	mac_end = strchr(mac_start, '-');
	if (mac_end == NULL)
		mac_end = mac_start + strlen(mac_start);
	msg = g_strdup_printf("ticket:%s:%ld", ref->tag, ref->number);
	ok = mac_matches(key, msg, mac_start, (size_t)(mac_end - mac_start));
	g_free(msg);
	if (ok && suffix && *mac_end == '-' && mac_end[1])
		*suffix = g_strdup(mac_end + 1);
	else if (ok && *mac_end == '-' && !mac_end[1])
		ok = false;
out:
	g_free(lower);
	return ok;
}

char *token_message_id(const struct token_key *key, const struct ticket_ref *ref, const char *hostname)
{
	unsigned char raw[NONCE_BYTES];
	char nonce[NONCE_BYTES / 5 * 8 + 1];
	char mac[MAC_CHARS + 1];
	char *tag = g_ascii_strdown(ref->tag, -1);
	char *msg, *id;

	if (RAND_bytes(raw, sizeof raw) != 1) {
		/* Uniqueness, not secrecy, is what the nonce is for. */
		for (size_t i = 0; i < sizeof raw; i++)
			raw[i] = (unsigned char)g_random_int();
	}
	base32_encode(raw, sizeof raw, nonce);
	msg = g_strdup_printf("msgid:%s:%ld:%s", ref->tag, ref->number, nonce);
	compute_mac(key, msg, mac);
	id = g_strdup_printf("tm.%s-%ld.%s.%s@%s", tag, ref->number, nonce, mac, hostname);
	g_free(msg);
	g_free(tag);
	return id;
}

bool token_verify_message_id(const struct token_key *key, const char *message_id, struct ticket_ref *ref)
{
	char *id, *at, *dot1, *dot2, *msg;
	bool ok = false;

	while (*message_id == ' ' || *message_id == '<')
		message_id++;
	id = g_ascii_strdown(message_id, -1);
	at = strchr(id, '@');
	if (at == NULL || !g_str_has_prefix(id, "tm."))
		goto out;
	*at = '\0';
	dot1 = strchr(id + 3, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (dot2 == NULL || strchr(dot2 + 1, '.'))
		goto out;
	if (!parse_tag_number(id + 3, (size_t)(dot1 - id - 3), ref))
		goto out;
	*dot2 = '\0';
	msg = g_strdup_printf("msgid:%s:%ld:%s", ref->tag, ref->number, dot1 + 1);
	ok = mac_matches(key, msg, dot2 + 1, strlen(dot2 + 1));
	g_free(msg);
out:
	g_free(id);
	return ok;
}
