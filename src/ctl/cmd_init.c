/*
 * cmd_init.c - `ticketctl init`: the secret and the database.
 *
 * An existing secret is never overwritten: every token and Message-ID
 * in customers' mailboxes depends on it.  The secret and the database are
 * created 0600, owned by [milter] user: the MTA joins the daemon's group
 * to reach the milter socket, and must not read the tickets with it.
 *
 * Run as root in folders that user can write: every file is created
 * with O_EXCL and never through a link, an existing one is accepted only
 * when it is that user's regular file (safe_file.h), and ownership is
 * given through the descriptor.  SQLite, which opens the database and
 * creates its -wal and -shm files by name, runs as that user.
 * Room: ctl.
 */
#include "config.h"
#include "ctl/subcommands.h"
#include "util/run_as.h"
#include "util/safe_file.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One line on stderr: "ticketctl: WHAT ERROR"; frees error. */
static int fail(const char *what, char *error)
{
	fprintf(stderr, "ticketctl: %s%s%s\n", what, *what ? " " : "", error);
	g_free(error);
	return -1;
}

/* An existing secret is kept, but only if the daemon would accept it. */
static int keep_secret(const struct settings *s)
{
	char *error = NULL;
	size_t len = 0;
	unsigned char *old = settings_read_secret(s->secret_file, &len, &error);

	if (old == NULL)
		return fail("", error);
	memset(old, 0, len);
	g_free(old);
	printf("secret %s exists; kept\n", s->secret_file);
	return 0;
}

static int create_secret(const struct settings *s, uid_t uid, gid_t gid)
{
	unsigned char key[32];
	char hex[sizeof key * 2 + 2];
	char *error = NULL;
	bool created = false;
	int fd, found;

	if ((found = safe_file_check(s->secret_file, uid, &error)) < 0)
		return fail("secret-file", error);
	if (found)
		return keep_secret(s);
	if (RAND_bytes(key, sizeof key) != 1) {
		fprintf(stderr, "ticketctl: no random bytes for the secret\n");
		return -1;
	}
	for (size_t i = 0; i < sizeof key; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	memset(key, 0, sizeof key);
	strcat(hex, "\n");
	if ((fd = safe_file_open(s->secret_file, O_WRONLY, 0600, uid, gid, &created, &error)) < 0)
		return fail("secret-file", error);
	if (!created) {
		/* Someone made it between the look and the open. */
		close(fd);
		return keep_secret(s);
	}
	if (write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) || close(fd) != 0) {
		fprintf(stderr, "ticketctl: cannot write %s: %s\n", s->secret_file, strerror(errno));
		return -1;
	}
	memset(hex, 0, sizeof hex);
	printf("secret %s created\n", s->secret_file);
	return 0;
}

/* The database's folder, when missing: made and given to the user, who
 * must create the -wal and -shm files there. */
static int make_folder(const char *dir, uid_t uid, gid_t gid)
{
	char *error = NULL;
	int fd;

	if (g_file_test(dir, G_FILE_TEST_EXISTS))
		return 0;
	if (g_mkdir_with_parents(dir, 0750) != 0) {
		fprintf(stderr, "ticketctl: mkdir %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if ((fd = safe_dir_open(dir, geteuid(), &error)) < 0)
		return fail("database folder", error);
	if (geteuid() == 0 && fchown(fd, uid, gid) != 0) {
		fprintf(stderr, "ticketctl: chown %s: %s\n", dir, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int create_database(const struct settings *s, uid_t uid, gid_t gid)
{
	static const char *const beside[] = { "-wal", "-shm" };
	char *dir = g_path_get_dirname(s->database);
	struct run_as_saved saved;
	char *error = NULL;
	struct store *st;
	struct stat sb;
	int fd, rc;

	rc = make_folder(dir, uid, gid);
	g_free(dir);
	if (rc != 0)
		return -1;
	/* SQLite's files beside it are left to SQLite (below, as the user),
	 * but one planted there stops us before anything is created. */
	for (size_t i = 0; i < G_N_ELEMENTS(beside); i++) {
		char *path = g_strconcat(s->database, beside[i], NULL);
		rc = safe_file_check(path, uid, &error);
		g_free(path);
		if (rc < 0)
			return fail("database", error);
	}
	/* Made here (O_EXCL) or the user's own, before SQLite sees the name. */
	if ((fd = safe_file_open(s->database, O_RDWR, 0600, uid, gid, NULL, &error)) < 0)
		return fail("database", error);
	if (run_as_assume(s->user, &saved, &error) != 0) {
		close(fd);
		return fail("", error);
	}
	if ((st = store_open(s->database, s->busy_timeout_ms, &error)) != NULL)
		store_close(st);
	run_as_restore(&saved);
	if (error != NULL) {
		close(fd);
		return fail("", error);
	}
	printf("database %s ready (schema %d)\n", s->database, STORE_SCHEMA_VERSION);
	/* Created 0600; one made by hand, or by an older ticketctl (0640),
	 * may show customers' mail to its group (the MTA is in it) or to
	 * every local user.  SQLite gives -wal and -shm the database's mode. */
	if (fstat(fd, &sb) == 0 && (sb.st_mode & (S_IRWXG | S_IRWXO)))
		fprintf(stderr, "ticketctl: warning: database %s (mode %04o) is open to others than its owner "
			"(the MTA is in its group); chmod 0600 it and its -wal and -shm files\n", s->database,
			(unsigned)(sb.st_mode & 07777));
	close(fd);
	return 0;
}

int cmd_init(const struct settings *s, int argc, char **argv)
{
	char *error = NULL;
	uid_t uid;
	gid_t gid;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "usage: ticketctl init\n");
		return 2;
	}
	/* Whom the files belong to: [milter] user when run as root. */
	if (run_as_owner(s->user, &uid, &gid, &error) != 0) {
		fail("", error);
		return 1;
	}
	if (create_secret(s, uid, gid) != 0 || create_database(s, uid, gid) != 0)
		return 1;
	return 0;
}
