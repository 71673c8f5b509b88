/*
 * safe_file.h - opening the daemon's files without following links.
 *
 * The database's folder belongs to the daemon's user, and so may the pid
 * file's or the spool's.  Whoever runs as that user (the daemon after a
 * break-in) can put a symbolic link, a hard link or a file of their own
 * where root is about to create or write one, and so have root write,
 * truncate or chown any file on the system.  These functions never follow
 * a symbolic link in the last component of a path, create only with
 * O_EXCL, and accept an existing file only when it is a regular file with
 * one link, owned by the user it must belong to.  A file root creates for
 * another user is given to that user through its descriptor, never by
 * its path.
 *
 * Errors are one line for the operator: the path, what is wrong, what to
 * do.  When a file is refused for what it is (link, type, owner) errno is
 * EPERM; otherwise it is the failing call's.
 *
 * Ownership: error strings are the caller's (g_free); descriptors the
 * caller closes.  Thread safe.
 * Room: util.
 */
#ifndef TM_SAFE_FILE_H
#define TM_SAFE_FILE_H

#include <glib.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Opens path with flags (O_RDONLY, O_WRONLY or O_RDWR, and O_APPEND;
 * never O_CREAT, O_EXCL or O_TRUNC).  When path does not exist and
 * create_mode is not 0, creates it with that mode (under the umask) and,
 * when running as root, gives it to owner:group.  An existing file must
 * be owned by owner.  *created (may be NULL) tells which happened.
 * Returns a descriptor (O_CLOEXEC), or -1 with *error set. */
int safe_file_open(const char *path, int flags, mode_t create_mode, uid_t owner, gid_t group, bool *created,
		   char **error);

/* Looks at path without opening it: 1 when it is a regular file with one
 * link owned by owner, 0 when it does not exist, -1 with *error set when
 * it is something else or cannot be looked at. */
int safe_file_check(const char *path, uid_t owner, char **error);

/* Reads path whole: a regular file (not a link, not a FIFO that would
 * block), at most max bytes.  Returns its bytes NUL-terminated (g_free)
 * and its fstat in *st, or NULL with *error set and errno telling why
 * (ENOENT: it does not exist). */
char *safe_file_read(const char *path, size_t max, struct stat *st, char **error);

/* Opens the directory path (O_DIRECTORY, not through a symbolic link),
 * which must belong to owner or to root.  A descriptor, or -1 with
 * *error set. */
int safe_dir_open(const char *path, uid_t owner, char **error);

#endif
