/* test_spool.c - a message's bytes in memory, then in an unlinked file:
 * sizes, the running SHA-256, the store limit, reading back, errors. */
#include "config.h"
#include "tap.h"
#include "fixtures.h"
#include "util/spool.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		g_snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static guint files_in(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	guint n = 0;

	while (d && g_dir_read_name(d))
		n++;
	if (d)
		g_dir_close(d);
	return n;
}

int main(void)
{
	char *dir = g_dir_make_tmp("tm-spool-XXXXXX", NULL);
	GString *data = g_string_new(NULL);
	char want[65], *error = NULL, buf[100];
	struct spool *sp;
	struct stat st;

	for (int i = 0; i < 5000; i++)
		g_string_append_printf(data, "line %d of a message\r\n", i);
	sha256_hex(data->str, data->len, want);

	/* Small: in memory, no file. */
	sp = spool_new(dir, 1 << 20, 0);
	ok(spool_append(sp, data->str, 100, &error) == 0 && spool_append(sp, data->str + 100, 900, &error) == 0,
	   "small appends");
	ok(spool_buffer(sp) != NULL && spool_fd(sp) < 0 && spool_size(sp) == 1000, "kept in memory");
	spool_free(sp);

	/* Bigger than memory_max: moved to a file, which has no name. */
	sp = spool_new(dir, 4096, 0);
	for (size_t off = 0; off < data->len; off += 777)
		spool_append(sp, data->str + off, MIN(777, data->len - off), &error);
	ok(error == NULL, "appends to a file");
	ok(spool_buffer(sp) == NULL && spool_fd(sp) >= 0, "moved to a file past spool-memory");
	is_int(spool_size(sp), data->len, "every byte kept");
	is_int(files_in(dir), 0, "the file is unlinked: nothing left in the spool directory");
	ok(fstat(spool_fd(sp), &st) == 0 && (st.st_mode & 0777) == 0600, "created 0600 (%o)", st.st_mode & 0777);
	ok(spool_read(sp, 50000, buf, sizeof buf) == sizeof buf && memcmp(buf, data->str + 50000, sizeof buf) == 0,
	   "reads back from the file at an offset");
	{
		char *all = g_malloc(data->len + 10);
		gssize n = spool_read(sp, 0, all, data->len + 10);
		ok(n == (gssize)data->len && memcmp(all, data->str, data->len) == 0, "the file holds the message");
		g_free(all);
	}
	is_str(spool_sha256(sp), want, "SHA-256 computed as the bytes arrived");
	spool_free(sp);

	/* store_max: the rest counted and hashed, not kept. */
	sp = spool_new(dir, 4096, 10000);
	spool_append(sp, data->str, data->len, &error);
	ok(spool_size(sp) == 10000 && spool_total(sp) == data->len && spool_truncated(sp),
	   "past max-message-size: %zu of %zu bytes kept", spool_size(sp), spool_total(sp));
	is_str(spool_sha256(sp), want, "the hash covers every byte, kept or not");
	ok(spool_read(sp, 9990, buf, sizeof buf) == 10, "reading stops at what was kept");
	spool_free(sp);

	/* A spool directory that cannot be written: an error, not a crash. */
	sp = spool_new("/nonexistent/ticket-milter", 10, 0);
	ok(spool_append(sp, data->str, 5, &error) == 0, "within memory: no file needed");
	{
		int rc = spool_append(sp, data->str, 100, &error);
		ok(rc == -1 && error && strstr(error, "/nonexistent/ticket-milter"), "no spool directory: %s",
		   error ? error : "(no error)");
	}
	ok(spool_size(sp) == 5 && spool_buffer(sp) != NULL, "the spool keeps what it had");
	g_free(error);
	spool_free(sp);

	g_string_free(data, TRUE);
	g_rmdir(dir);
	g_free(dir);
	return tap_done();
}
