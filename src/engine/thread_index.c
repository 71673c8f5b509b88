/*
 * thread_index.c - Outlook's Thread-Index (see thread_index.h).
 * Room: engine.
 */
#include "config.h"
#include "engine/thread_index.h"

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#define HEADER_BYTES 22
#define BLOCK_BYTES 5
/* FILETIME counts 100 ns from 1601; Unix time from 1970. */
#define FILETIME_UNIX_OFFSET 11644473600LL

static uint64_t filetime_of(int64_t unix_time)
{
	return (uint64_t)(unix_time + FILETIME_UNIX_OFFSET) * 10000000ULL;
}

static void to_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool from_hex(const char *hex, unsigned char *bytes, size_t n)
{
	if (hex == NULL || strlen(hex) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

bool thread_index_root(const char *value, char root[THREAD_INDEX_ROOT_HEX + 1])
{
	char clean[128];
	size_t n = 0;
	guchar *bytes;
	gsize len = 0;
	bool ok;

	/* A header and some reply blocks: anything longer is not Outlook's. */
	for (const char *p = value ? value : ""; *p && n < sizeof clean - 1; p++)
		if (g_ascii_isalnum(*p) || *p == '+' || *p == '/' || *p == '=')
			clean[n++] = *p;
		else if (*p != ' ' && *p != '\t')
			return false;
	clean[n] = '\0';
	if (n < 28 || n == sizeof clean - 1)
		return false;
	bytes = g_base64_decode(clean, &len);
	ok = len >= HEADER_BYTES && (len - HEADER_BYTES) % BLOCK_BYTES == 0;
	if (ok)
		to_hex(bytes, HEADER_BYTES, root);
	g_free(bytes);
	return ok;
}

void thread_index_make_root(const struct token_key *key, const struct ticket_ref *ref, int64_t created,
			    char root[THREAD_INDEX_ROOT_HEX + 1])
{
	unsigned char header[HEADER_BYTES], mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	uint64_t ft = filetime_of(created);
	char *what = g_strdup_printf("thread-index:%s-%ld", ref->tag, ref->number);

	/* The top six bytes of the FILETIME, big-endian. */
	for (int i = 0; i < 6; i++)
		header[i] = (unsigned char)(ft >> (56 - 8 * i));
	HMAC(EVP_sha256(), key->secret, (int)key->secret_len, (const unsigned char *)what, strlen(what), mac,
	     &mac_len);
	memcpy(header + 6, mac, 16);
	to_hex(header, HEADER_BYTES, root);
	g_free(what);
}

char *thread_index_reply(const char *root, int64_t now)
{
	unsigned char bytes[HEADER_BYTES + BLOCK_BYTES];
	uint64_t root_time = 0, delta;
	uint32_t block;

	if (!from_hex(root, bytes, HEADER_BYTES))
		return NULL;
	for (int i = 0; i < 6; i++)
		root_time |= (uint64_t)bytes[i] << (56 - 8 * i);
	/* A reply block: a code bit (0: the difference in units of 2^18 of
	 * FILETIME, about 26 ms), 31 bits of difference, 8 bits of random and
	 * sequence.  A message older than its root counts as no difference. */
	delta = filetime_of(now) > root_time ? (filetime_of(now) - root_time) >> 18 : 0;
	block = (uint32_t)MIN(delta, 0x7fffffffULL);
	bytes[HEADER_BYTES] = (unsigned char)(block >> 24);
	bytes[HEADER_BYTES + 1] = (unsigned char)(block >> 16);
	bytes[HEADER_BYTES + 2] = (unsigned char)(block >> 8);
	bytes[HEADER_BYTES + 3] = (unsigned char)block;
	bytes[HEADER_BYTES + 4] = (unsigned char)(g_random_int() & 0xf0);
	return g_base64_encode(bytes, sizeof bytes);
}
