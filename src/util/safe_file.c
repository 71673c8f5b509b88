/*
 * safe_file.c - opening the daemon's files without following links
 * (see safe_file.h).
 * Room: util.
 */
#include "config.h"
#include "util/safe_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A user's name for messages; getpwuid_r, since the daemon's threads
 * spool at the same time. */
static void user_name(uid_t uid, char *buf, size_t size)
{
	struct passwd pw, *found = NULL;
	char scratch[2048];

	if (getpwuid_r(uid, &pw, scratch, sizeof scratch, &found) == 0 && found != NULL)
		g_strlcpy(buf, found->pw_name, size);
	else
		snprintf(buf, size, "uid %lu", (unsigned long)uid);
}

static char *link_error(const char *path)
{
	return g_strdup_printf("%s is a symbolic link, which ticket-milter does not follow (whoever can write its folder "
			       "could point it at any file): remove the link and name the real path in the configuration",
			       path);
}

/* NULL when st is a file path may be, else why not. */
static char *file_refusal(const char *path, const struct stat *st, uid_t owner)
{
	char has[64], wants[64];

	if (S_ISLNK(st->st_mode))
		return link_error(path);
	if (!S_ISREG(st->st_mode))
		return g_strdup_printf("%s is not a regular file: remove it, or name another path in the configuration", path);
	if (st->st_nlink != 1)
		return g_strdup_printf("%s has %ju hard links (the same file has another name, perhaps not ours): "
				       "remove it, or replace it with a copy of itself", path, (uintmax_t)st->st_nlink);
	if (st->st_uid != owner) {
		user_name(st->st_uid, has, sizeof has);
		user_name(owner, wants, sizeof wants);
		return g_strdup_printf("%s is owned by %s, not %s: chown %s it if it is ticket-milter's, else remove it",
				       path, has, wants, wants);
	}
	return NULL;
}

/* After a failed open of path: why, as precisely as lstat tells. */
static char *open_error(const char *path, int saved)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return link_error(path);
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return g_strdup_printf("%s is not a regular file: remove it, or name another path in the configuration", path);
	return g_strdup_printf("%s: %s", path, g_strerror(saved));
}

int safe_file_open(const char *path, int flags, mode_t create_mode, uid_t owner, gid_t group, bool *created,
		   char **error)
{
	struct stat st;
	int fd;

	g_return_val_if_fail((flags & (O_CREAT | O_EXCL | O_TRUNC)) == 0, -1);
	if (created)
		*created = false;
	/* Twice at most: a file that appears between the two opens is looked at again. */
	for (int attempt = 0; attempt < 2; attempt++) {
		/* O_NONBLOCK: a FIFO put there must not hang us before fstat. */
		fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0) {
			char *why = NULL;
			if (fstat(fd, &st) != 0)
				why = g_strdup_printf("%s: %s", path, g_strerror(errno));
			else if ((why = file_refusal(path, &st, owner)) != NULL)
				errno = EPERM;
			if (why) {
				int saved = errno;
				close(fd);
				*error = why;
				errno = saved;
				return -1;
			}
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
			return fd;
		}
		if (errno != ENOENT || create_mode == 0) {
			int saved = errno;
			*error = open_error(path, saved);
			errno = (saved == ELOOP || saved == ENXIO) ? EPERM : saved;
			return -1;
		}
		/* O_EXCL fails on anything already there, a dangling link too. */
		fd = open(path, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, create_mode);
		if (fd >= 0) {
			if (geteuid() == 0 && fchown(fd, owner, group) != 0) {
				int saved = errno;
				*error = g_strdup_printf("%s: giving it to uid %lu: %s", path, (unsigned long)owner,
							 g_strerror(saved));
				close(fd);
				errno = saved;
				return -1;
			}
			if (created)
				*created = true;
			return fd;
		}
		if (errno != EEXIST) {
			int saved = errno;
			*error = g_strdup_printf("%s: %s", path, g_strerror(saved));
			errno = saved;
			return -1;
		}
	}
	*error = open_error(path, EEXIST);
	errno = EPERM;
	return -1;
}

int safe_file_check(const char *path, uid_t owner, char **error)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		*error = g_strdup_printf("%s: %s", path, g_strerror(errno));
		return -1;
	}
	if ((*error = file_refusal(path, &st, owner)) != NULL) {
		errno = EPERM;
		return -1;
	}
	return 1;
}

char *safe_file_read(const char *path, size_t max, struct stat *st, char **error)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	GString *text;
	char chunk[4096];
	ssize_t n;
	int saved;

	if (fd < 0) {
		saved = errno;
		*error = open_error(path, saved);
		errno = (saved == ELOOP || saved == ENXIO) ? EPERM : saved;
		return NULL;
	}
	saved = 0;
	if (fstat(fd, st) != 0) {
		saved = errno;
		*error = g_strdup_printf("%s: %s", path, g_strerror(saved));
	} else if (!S_ISREG(st->st_mode)) {
		saved = EPERM;
		*error = g_strdup_printf("%s is not a regular file: remove it, or name another path in the "
					 "configuration", path);
	}
	if (saved) {
		close(fd);
		errno = saved;
		return NULL;
	}
	text = g_string_new(NULL);
	while ((n = read(fd, chunk, sizeof chunk)) > 0 && text->len <= max)
		g_string_append_len(text, chunk, n);
	saved = n < 0 ? errno : EFBIG;
	close(fd);
	if (n < 0 || text->len > max) {
		*error = n < 0 ? g_strdup_printf("%s: %s", path, g_strerror(saved))
			       : g_strdup_printf("%s is larger than %zu bytes", path, max);
		g_string_free(text, TRUE);
		errno = saved;
		return NULL;
	}
	return g_string_free(text, FALSE);
}

int safe_dir_open(const char *path, uid_t owner, char **error)
{
	char *name = g_strdup(path);
	size_t n = strlen(name);
	struct stat st;
	int fd;

	/* "dir/" would be resolved through a link named dir. */
	while (n > 1 && name[n - 1] == '/')
		name[--n] = '\0';
	fd = open(name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;
		if (lstat(name, &st) == 0 && S_ISLNK(st.st_mode)) {
			*error = g_strdup_printf("%s is a symbolic link, which ticket-milter does not follow (whoever can "
						 "write its folder could point it anywhere): name the real directory in "
						 "the configuration", name);
			saved = EPERM;
		} else if (saved == ENOTDIR) {
			*error = g_strdup_printf("%s is not a directory: name a directory in the configuration", name);
			saved = EPERM;
		} else {
			*error = g_strdup_printf("%s: %s", name, g_strerror(saved));
		}
		g_free(name);
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		int saved = errno;
		*error = g_strdup_printf("%s: %s", name, g_strerror(saved));
		close(fd);
		g_free(name);
		errno = saved;
		return -1;
	}
	if (st.st_uid != owner && st.st_uid != 0) {
		char has[64], wants[64];
		user_name(st.st_uid, has, sizeof has);
		user_name(owner, wants, sizeof wants);
		*error = g_strdup_printf("%s is owned by %s, not %s%s: chown %s it, or name a directory of %s's", name,
					 has, wants, owner == 0 ? "" : " or root", wants, wants);
		close(fd);
		g_free(name);
		errno = EPERM;
		return -1;
	}
	g_free(name);
	return fd;
}
