/*
 * spool.h - one message's bytes as they arrive: in memory while small,
 * in an unlinked temporary file once larger.
 *
 * The milter appends the headers and body chunks of a message.  The
 * first memory_max bytes stay in memory; when more arrive, everything
 * moves to a file created 0600 in the spool directory and unlinked at
 * once, so that a crash leaves nothing behind and a 100 MB message costs
 * disk, not memory.  Bytes past store_max are counted and hashed but not
 * kept: the message is then read from its first store_max bytes
 * (spool_truncated).  The SHA-256 of every byte appended is computed as
 * the bytes arrive.
 *
 * Reading: spool_buffer() gives the bytes when they are in memory,
 * spool_fd() the file when they are not (read it with pread(), or
 * through a stream of one's own: the file offset is nobody's).
 *
 * Ownership: spool_new() returns a spool freed with spool_free(), which
 * closes the file.  Error strings are the caller's (g_free).
 * Thread safety: a spool belongs to one thread at a time.
 * Room: util.
 */
#ifndef TM_SPOOL_H
#define TM_SPOOL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

struct spool;

/* dir: where a file is created when the bytes outgrow memory_max;
 * store_max: bytes kept at most (0: no limit). */
struct spool *spool_new(const char *dir, size_t memory_max, size_t store_max);

/* Appends len bytes.  Returns 0, or -1 with *error set (g_free) when
 * the file cannot be created or written (disk full, directory not
 * writable); the spool then keeps what it had. */
int spool_append(struct spool *sp, const void *data, size_t len, char **error);

/* Bytes kept, and bytes appended (more than kept past store_max). */
size_t spool_size(const struct spool *sp);
size_t spool_total(const struct spool *sp);
bool spool_truncated(const struct spool *sp);

/* Lower-case hex SHA-256 of every byte appended; the digest is
 * finished by the first call, and nothing may be appended after it. */
const char *spool_sha256(struct spool *sp);

/* The kept bytes when they are in memory (do not modify), NULL when
 * they are in the file. */
GByteArray *spool_buffer(const struct spool *sp);

/* The file holding the kept bytes, -1 while they are in memory. */
int spool_fd(const struct spool *sp);

/* Up to len kept bytes from offset into buf, wherever they are; the
 * number read, 0 at the end, -1 on a read error. */
gssize spool_read(const struct spool *sp, size_t offset, void *buf, size_t len);

void spool_free(struct spool *sp);

/* A new unlinked temporary file in dir, 0600, open for reading and
 * writing (close it); -1 with *error set (g_free).  For other big
 * scratch data of the same message.  dir is refused when it is a
 * symbolic link or belongs to someone but this process's user or root
 * (safe_file.h). */
int spool_tmpfile(const char *dir, char **error);

#endif
