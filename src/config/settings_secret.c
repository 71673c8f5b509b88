/*
 * settings_secret.c - reading the HMAC secret file (settings_read_secret(),
 * settings.h): hex text, opened without following links, refused when
 * anyone but its owner may read or write it.  The tokens we sign are
 * only as good as this key.
 * Room: config.
 */
#include "config.h"
#include "config/settings.h"
#include "util/safe_file.h"

#include <glib.h>

#include <errno.h>
#include <sys/stat.h>

unsigned char *settings_read_secret(const char *path, size_t *len, char **error)
{
	struct stat st;
	char *text, *why = NULL;
	GString *hex;
	unsigned char *key;

	*len = 0;
	/* Read as root at start: never through a link, no FIFO (safe_file.h). */
	if ((text = safe_file_read(path, 65536, &st, &why)) == NULL) {
		*error = errno == ENOENT ? g_strdup_printf("secret-file %s: %s (create it with `ticketctl init`)", path,
							   g_strerror(ENOENT)) : g_strdup_printf("secret-file %s", why);
		g_free(why);
		return NULL;
	}
	/* Whoever can read it can forge tokens; whoever can write it can
	 * replace it: owner only, like ssh's keys. */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		*error = g_strdup_printf("secret-file %s (mode %04o) is %s by others than its owner; chmod 0600 it",
					 path, (unsigned)(st.st_mode & 07777),
					 st.st_mode & (S_IRGRP | S_IROTH) ? "readable" : "writable");
		g_free(text);
		return NULL;
	}
	hex = g_string_new(NULL);
	for (const char *p = text; *p; p++)
		if (g_ascii_isxdigit(*p))
			g_string_append_c(hex, *p);
		else if (!g_ascii_isspace(*p)) {
			g_string_truncate(hex, 0);
			break;
		}
	g_free(text);
	if (hex->len < 64 || hex->len % 2) {
		*error = g_strdup_printf("secret-file %s must hold at least 64 hex digits", path);
		g_string_free(hex, TRUE);
		return NULL;
	}
	key = g_malloc(hex->len / 2);
	for (size_t i = 0; i < hex->len / 2; i++)
		key[i] = (unsigned char)(g_ascii_xdigit_value(hex->str[2 * i]) << 4 |
					 g_ascii_xdigit_value(hex->str[2 * i + 1]));
	*len = hex->len / 2;
	g_string_free(hex, TRUE);
	return key;
}
