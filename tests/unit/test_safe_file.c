/* test_safe_file.c - files opened without following links: links, FIFOs,
 * second names and other users' files refused with one line naming the
 * path, what is wrong and what to do; targets untouched.  The same
 * through the spool directory and the outbox journal. */
#include "config.h"
#include "tap.h"
#include "sender/journal.h"
#include "util/safe_file.h"
#include "util/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *file_text(const char *path)
{
	char *text = NULL;

	return g_file_get_contents(path, &text, NULL, NULL) ? text : g_strdup("(unreadable)");
}

int main(void)
{
	char *dir = g_dir_make_tmp("tm-safe-XXXXXX", NULL);
	char *target = g_build_filename(dir, "target", NULL);
	char *path = g_build_filename(dir, "file", NULL);
	char *lnk = g_build_filename(dir, "link", NULL);
	char *dangling = g_build_filename(dir, "dangling", NULL);
	char *nowhere = g_build_filename(dir, "nowhere", NULL);
	char *fifo = g_build_filename(dir, "fifo", NULL);
	char *second = g_build_filename(dir, "second", NULL);
	char *subdir = g_build_filename(dir, "sub", NULL);
	char *dirlink = g_build_filename(dir, "sublink", NULL);
	char *error = NULL, *text;
	bool created = false;
	struct stat st;
	int fd;

	g_file_set_contents(target, "precious\n", -1, NULL);
	g_mkdir(subdir, 0750);

	/* Creating, and opening one's own file again. */
	fd = safe_file_open(path, O_WRONLY, 0600, geteuid(), getegid(), &created, &error);
	ok(fd >= 0 && created, "a missing file is created");
	ok(fstat(fd, &st) == 0 && (st.st_mode & 077) == 0 && st.st_uid == geteuid(), "with the mode given, ours");
	close(fd);
	fd = safe_file_open(path, O_RDWR | O_APPEND, 0600, geteuid(), getegid(), &created, &error);
	ok(fd >= 0 && !created, "an existing file of ours is opened, not created");
	ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) == 0 && (fcntl(fd, F_GETFL) & O_APPEND),
	   "with the flags asked for (O_APPEND), not O_NONBLOCK");
	close(fd);
	is_int(safe_file_check(path, geteuid(), &error), 1, "safe_file_check: our file is fine");
	is_int(safe_file_check(nowhere, geteuid(), &error), 0, "safe_file_check: a missing file is 0");

	/* A link to an existing file, and a dangling one. */
	g_assert(symlink(target, lnk) == 0 && symlink(nowhere, dangling) == 0);
	fd = safe_file_open(lnk, O_RDWR, 0600, geteuid(), getegid(), NULL, &error);
	ok(fd < 0 && errno == EPERM && error && g_str_has_prefix(error, lnk) && strstr(error, "is a symbolic link") &&
	   strstr(error, "remove the link") && !strchr(error, '\n'),
	   "a link to a file is refused, one line: %s", error ? error : "(no error)");
	g_clear_pointer(&error, g_free);
	text = file_text(target);
	is_str(text, "precious\n", "its target is untouched");
	g_free(text);
	fd = safe_file_open(dangling, O_WRONLY, 0600, geteuid(), getegid(), NULL, &error);
	ok(fd < 0 && errno == EPERM && error && strstr(error, "is a symbolic link"), "a dangling link is refused: %s",
	   error ? error : "(no error)");
	g_clear_pointer(&error, g_free);
	ok(!g_file_test(nowhere, G_FILE_TEST_EXISTS), "and its target is not created");
	ok(safe_file_check(lnk, geteuid(), &error) < 0 && error && strstr(error, "symbolic link"),
	   "safe_file_check refuses a link");
	g_clear_pointer(&error, g_free);

	/* A FIFO must not hang the opener; a second name of a file is refused. */
	g_assert(mkfifo(fifo, 0600) == 0);
	fd = safe_file_open(fifo, O_WRONLY, 0600, geteuid(), getegid(), NULL, &error);
	ok(fd < 0 && error && strstr(error, "is not a regular file"), "a FIFO is refused at once: %s",
	   error ? error : "(no error)");
	g_clear_pointer(&error, g_free);
	fd = safe_file_open(fifo, O_RDONLY, 0600, geteuid(), getegid(), NULL, &error);
	ok(fd < 0 && error && strstr(error, "is not a regular file"), "also when opened for reading");
	g_clear_pointer(&error, g_free);
	g_assert(link(target, second) == 0);
	fd = safe_file_open(second, O_RDWR, 0600, geteuid(), getegid(), NULL, &error);
	ok(fd < 0 && errno == EPERM && error && strstr(error, "has 2 hard links"), "a hard link is refused: %s",
	   error ? error : "(no error)");
	g_clear_pointer(&error, g_free);
	g_unlink(second);

	/* Another user's file. */
	fd = safe_file_open(path, O_RDWR, 0600, geteuid() + 1, getegid(), NULL, &error);
	ok(fd < 0 && errno == EPERM && error && strstr(error, "is owned by") && strstr(error, "chown"),
	   "a file of another user is refused: %s", error ? error : "(no error)");
	g_clear_pointer(&error, g_free);

	/* Reading a small file whole (the secret). */
	{
		struct stat rst;
		char *big = g_build_filename(dir, "big", NULL);
		text = safe_file_read(target, 100, &rst, &error);
		is_str(text, "precious\n", "safe_file_read reads a regular file");
		ok(text && rst.st_size == 9, "and gives its fstat");
		g_free(text);
		text = safe_file_read(lnk, 100, &rst, &error);
		ok(text == NULL && errno == EPERM && error && strstr(error, "is a symbolic link"),
		   "safe_file_read refuses a link: %s", error ? error : "(no error)");
		g_clear_pointer(&error, g_free);
		text = safe_file_read(fifo, 100, &rst, &error);
		ok(text == NULL && errno == EPERM && error && strstr(error, "is not a regular file"),
		   "safe_file_read refuses a FIFO at once: %s", error ? error : "(no error)");
		g_clear_pointer(&error, g_free);
		text = safe_file_read(nowhere, 100, &rst, &error);
		ok(text == NULL && errno == ENOENT, "a missing file: ENOENT");
		g_clear_pointer(&error, g_free);
		g_file_set_contents(big, "0123456789", -1, NULL);
		text = safe_file_read(big, 9, &rst, &error);
		ok(text == NULL && error && strstr(error, "is larger than 9 bytes"), "a file over max is refused: %s",
		   error ? error : "(no error)");
		g_clear_pointer(&error, g_free);
		g_unlink(big);
		g_free(big);
	}

	/* Directories. */
	g_assert(symlink(subdir, dirlink) == 0);
	fd = safe_dir_open(subdir, geteuid(), &error);
	ok(fd >= 0, "a directory of ours opens");
	close(fd);
	fd = safe_dir_open(dirlink, geteuid(), &error);
	ok(fd < 0 && error && strstr(error, "is a symbolic link"), "a link to a directory is refused: %s",
	   error ? error : "(no error)");
	g_clear_pointer(&error, g_free);
	{
		char *slash = g_strconcat(dirlink, "/", NULL);
		fd = safe_dir_open(slash, geteuid(), &error);
		ok(fd < 0 && error && strstr(error, "is a symbolic link"), "also named with a trailing slash");
		g_clear_pointer(&error, g_free);
		g_free(slash);
	}
	fd = safe_dir_open(target, geteuid(), &error);
	ok(fd < 0 && error && strstr(error, "is not a directory"), "a file is not a directory: %s",
	   error ? error : "(no error)");
	g_clear_pointer(&error, g_free);

	/* The spool and the journal use them. */
	fd = spool_tmpfile(subdir, &error);
	ok(fd >= 0, "spool_tmpfile in a directory");
	if (fd >= 0)
		close(fd);
	fd = spool_tmpfile(dirlink, &error);
	ok(fd < 0 && error && g_str_has_prefix(error, "spool directory ") && strstr(error, "is a symbolic link"),
	   "spool_tmpfile refuses a spool directory that is a link: %s", error ? error : "(no error)");
	g_clear_pointer(&error, g_free);
	{
		char *db = g_build_filename(dir, "t.db", NULL);
		char *journal = g_strconcat(db, "-outbox", NULL);
		struct outbox_journal *j;

		g_assert(symlink(target, journal) == 0);
		j = outbox_journal_open(db, &error);
		ok(j == NULL && error && strstr(error, "is a symbolic link"),
		   "the outbox journal is not opened through a link: %s", error ? error : "(no error)");
		g_clear_pointer(&error, g_free);
		outbox_journal_close(j);
		text = file_text(target);
		is_str(text, "precious\n", "its target is untouched");
		g_free(text);
		g_unlink(journal);
		j = outbox_journal_open(db, &error);
		ok(j != NULL && outbox_journal_note(j, 42) == 0, "a journal of its own is created and written");
		outbox_journal_close(j);
		g_unlink(journal);
		g_free(journal);
		g_free(db);
	}

	/* As root: files made for the daemon's user are given to it; a file
	 * of root's where that user's should be is refused. */
	if (geteuid() == 0 && getpwnam("nobody") != NULL) {
		struct passwd *pw = getpwnam("nobody");
		char *theirs = g_build_filename(dir, "theirs", NULL);
		fd = safe_file_open(theirs, O_WRONLY, 0640, pw->pw_uid, pw->pw_gid, &created, &error);
		ok(fd >= 0 && created && fstat(fd, &st) == 0 && st.st_uid == pw->pw_uid && st.st_gid == pw->pw_gid,
		   "root creates a file for nobody and gives it away through the descriptor");
		if (fd >= 0)
			close(fd);
		fd = safe_file_open(target, O_RDWR, 0640, pw->pw_uid, pw->pw_gid, &created, &error);
		ok(fd < 0 && error && strstr(error, "is owned by root, not nobody: chown nobody it"),
		   "root's file where nobody's should be is refused: %s", error ? error : "(no error)");
		g_clear_pointer(&error, g_free);
		ok(stat(target, &st) == 0 && st.st_uid == 0, "and stays root's");
		g_assert(chown(subdir, pw->pw_uid, pw->pw_gid) == 0);
		fd = safe_dir_open(subdir, 0, &error);
		ok(fd < 0 && error && strstr(error, "is owned by nobody, not root"),
		   "a directory of another user is refused: %s", error ? error : "(no error)");
		g_clear_pointer(&error, g_free);
		g_unlink(theirs);
		g_free(theirs);
	} else {
		tap_diag("not root: ownership checks across users skipped");
	}

	g_unlink(fifo);
	g_unlink(lnk);
	g_unlink(dangling);
	g_unlink(dirlink);
	g_unlink(path);
	g_unlink(target);
	g_rmdir(subdir);
	g_rmdir(dir);
	g_free(fifo);
	g_free(lnk);
	g_free(dangling);
	g_free(dirlink);
	g_free(nowhere);
	g_free(second);
	g_free(path);
	g_free(target);
	g_free(subdir);
	g_free(dir);
	return tap_done();
}
