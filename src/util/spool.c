/*
 * spool.c - a message's bytes in memory or in an unlinked temporary
 * file (spool.h).
 * Room: util.
 */
#include "config.h"
#include "util/spool.h"
#include "util/safe_file.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct spool {
	char *dir;
	size_t memory_max;
	size_t store_max;		/* 0: everything */
	GByteArray *mem;		/* the bytes while in memory; NULL once in the file */
	int fd;				/* the file, -1 while in memory */
	size_t size;			/* bytes kept */
	size_t total;			/* bytes appended */
	EVP_MD_CTX *digest;
	char sha256[65];		/* "" until finished */
};

struct spool *spool_new(const char *dir, size_t memory_max, size_t store_max)
{
	struct spool *sp = g_new0(struct spool, 1);

	sp->dir = g_strdup(dir ? dir : g_get_tmp_dir());
	sp->memory_max = memory_max;
	sp->store_max = store_max;
	sp->mem = g_byte_array_new();
	sp->fd = -1;
	sp->digest = EVP_MD_CTX_new();
	if (sp->digest == NULL || EVP_DigestInit_ex(sp->digest, EVP_sha256(), NULL) != 1)
		g_error("spool: cannot initialize SHA-256");	/* out of memory: libcrypto's abort */
	return sp;
}

/* A file nobody else can open: O_TMPFILE where the file system has it,
 * else a named file unlinked at once.  Both relative to the directory
 * opened once, not through a link, so that the directory checked is the
 * one written to. */
int spool_tmpfile(const char *dir, char **error)
{
	char *why = NULL;
	int dfd = safe_dir_open(dir, geteuid(), &why);
	int fd = -1;

	if (dfd < 0) {
		*error = g_strdup_printf("spool directory %s", why);
		g_free(why);
		return -1;
	}
#ifdef O_TMPFILE
	fd = openat(dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		*error = g_strdup_printf("spool directory %s: %s", dir, g_strerror(errno));
		close(dfd);
		return -1;
	}
#endif
	/* O_EXCL | O_NOFOLLOW: a name someone put there first is not ours. */
	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		char name[64];
		g_snprintf(name, sizeof name, "ticket-milter-spool-%08x%08x", g_random_int(), g_random_int());
		fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			unlinkat(dfd, name, 0);
		else if (errno != EEXIST)
			break;
	}
	if (fd < 0)
		*error = g_strdup_printf("spool directory %s: %s", dir, g_strerror(errno));
	close(dfd);
	return fd;
}

static int spool_write_all(int fd, const guint8 *data, size_t len, off_t offset, char **error)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, data, len, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*error = g_strdup_printf("writing the spool file: %s", n < 0 ? g_strerror(errno) : "short write");
			return -1;
		}
		data += n;
		len -= (size_t)n;
		offset += n;
	}
	return 0;
}

/* Moves the bytes held in memory to a new file. */
static int spill(struct spool *sp, char **error)
{
	int fd = spool_tmpfile(sp->dir, error);

	if (fd < 0)
		return -1;
	if (spool_write_all(fd, sp->mem->data, sp->mem->len, 0, error) != 0) {
		close(fd);
		return -1;
	}
	sp->fd = fd;
	g_byte_array_free(sp->mem, TRUE);
	sp->mem = NULL;
	return 0;
}

int spool_append(struct spool *sp, const void *data, size_t len, char **error)
{
	size_t keep = len;

	g_return_val_if_fail(sp->sha256[0] == '\0', -1);
	if (sp->store_max > 0)
		keep = sp->size >= sp->store_max ? 0 : MIN(len, sp->store_max - sp->size);
	if (keep > 0) {
		if (sp->fd < 0 && sp->size + keep > sp->memory_max && spill(sp, error) != 0)
			return -1;
		if (sp->fd < 0)
			g_byte_array_append(sp->mem, data, (guint)keep);
		else if (spool_write_all(sp->fd, data, keep, (off_t)sp->size, error) != 0)
			return -1;
		sp->size += keep;
	}
	EVP_DigestUpdate(sp->digest, data, len);
	sp->total += len;
	return 0;
}

size_t spool_size(const struct spool *sp)
{
	return sp->size;
}

size_t spool_total(const struct spool *sp)
{
	return sp->total;
}

bool spool_truncated(const struct spool *sp)
{
	return sp->total > sp->size;
}

const char *spool_sha256(struct spool *sp)
{
	if (sp->sha256[0] == '\0') {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int n = 0;

		EVP_DigestFinal_ex(sp->digest, md, &n);
		for (unsigned i = 0; i < n && i < 32; i++)
			g_snprintf(sp->sha256 + 2 * i, 3, "%02x", md[i]);
	}
	return sp->sha256;
}

GByteArray *spool_buffer(const struct spool *sp)
{
	return sp->mem;
}

int spool_fd(const struct spool *sp)
{
	return sp->fd;
}

gssize spool_read(const struct spool *sp, size_t offset, void *buf, size_t len)
{
	ssize_t n;

	if (offset >= sp->size)
		return 0;
	len = MIN(len, sp->size - offset);
	if (sp->fd < 0) {
		memcpy(buf, sp->mem->data + offset, len);
		return (gssize)len;
	}
	do
		n = pread(sp->fd, buf, len, (off_t)offset);
	while (n < 0 && errno == EINTR);
	return n;
}

void spool_free(struct spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->mem)
		g_byte_array_free(sp->mem, TRUE);
	if (sp->fd >= 0)
		close(sp->fd);
	EVP_MD_CTX_free(sp->digest);
	g_free(sp->dir);
	g_free(sp);
}
