/*
 * journal.c - the note of deliveries not yet recorded as sent
 * (see journal.h).
 *
 * The file holds one decimal id per line.  Appends are single write(2)
 * calls on an O_APPEND descriptor, so a note is either there whole or
 * not at all (a torn last line, from a crash in the middle of a write
 * that never happens in practice, is ignored).  It is opened without
 * following a link and only when it belongs to the daemon's user.
 * Room: sender.
 */
#include "config.h"
#include "sender/journal.h"
#include "util/safe_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct outbox_journal {
	int fd;
	char *path;
};

struct outbox_journal *outbox_journal_open(const char *database, char **error)
{
	struct outbox_journal *j = g_new0(struct outbox_journal, 1);

	j->path = g_strconcat(database, "-outbox", NULL);
	/* In the database's folder, which the daemon's user can write: a
	 * link there must not make a daemon running as root append to (or,
	 * once emptied, truncate) another file. */
	j->fd = safe_file_open(j->path, O_RDWR | O_APPEND, 0640, geteuid(), getegid(), NULL, error);
	if (j->fd < 0) {
		g_free(j->path);
		g_free(j);
		return NULL;
	}
	return j;
}

void outbox_journal_close(struct outbox_journal *j)
{
	if (j == NULL)
		return;
	close(j->fd);
	g_free(j->path);
	g_free(j);
}

int outbox_journal_note(struct outbox_journal *j, int64_t id)
{
	char line[32];
	int len = snprintf(line, sizeof line, "%lld\n", (long long)id);
	ssize_t n;

	do
		n = write(j->fd, line, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n == len)
		return 0;
	if (n >= 0)
		errno = ENOSPC;
	return -1;
}

int outbox_journal_clear(struct outbox_journal *j)
{
	return ftruncate(j->fd, 0);
}

GArray *outbox_journal_pending(struct outbox_journal *j)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GString *text = g_string_new(NULL);
	char buf[4096];
	off_t at = 0;
	ssize_t n;

	/* pread: the descriptor's offset does not matter with O_APPEND. */
	while ((n = pread(j->fd, buf, sizeof buf, at)) > 0) {
		g_string_append_len(text, buf, n);
		at += n;
	}
	for (char *line = text->str, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		char *end;
		long long id;
		*nl = '\0';
		errno = 0;
		id = strtoll(line, &end, 10);
		if (errno == 0 && end != line && *end == '\0' && id > 0) {
			int64_t v = id;
			g_array_append_val(ids, v);
		}
	}
	g_string_free(text, TRUE);
	return ids;
}
