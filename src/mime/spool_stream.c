/*
 * spool_stream.c - GMime streams over spooled messages (spool_stream.h).
 * Room: mime.
 */
#include "config.h"
#include "mime/spool_stream.h"
#include "util/spool.h"

#include <string.h>
#include <unistd.h>

GMimeStream *spool_stream_new(struct spool *sp)
{
	GByteArray *buf = spool_buffer(sp);
	GMimeStream *stream;
	int fd;

	if (buf) {
		stream = g_mime_stream_mem_new_with_byte_array(buf);
		g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
		return stream;
	}
	/* Read through a file stream, not a mapping: read() into small
	 * buffers keeps the file out of the process's resident memory. */
	fd = dup(spool_fd(sp));
	if (fd < 0)
		return NULL;
	stream = g_mime_stream_fs_new_with_bounds(fd, 0, (gint64)spool_size(sp));
	/* The descriptor shares its offset with the spool's: start at 0. */
	g_mime_stream_reset(stream);
	return stream;
}

bool spool_uses_crlf(const struct spool *sp)
{
	char head[4096];
	gssize n = spool_read(sp, 0, head, sizeof head);
	const char *nl = n > 0 ? memchr(head, '\n', (size_t)n) : NULL;

	return nl && nl > head && nl[-1] == '\r';
}
