/*
 * cmd_init.c - `ticketctl init`: the secret and the database.
 *
 * An existing secret is never overwritten: every token and Message-ID
 * in customers' mailboxes depends on it.  The secret is created 0600 and
 * the database 0640 (umask 027), both owned by [milter] user.
 */
#include "config.h"
#include "subcommands.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int give_to_user(const char *path, const char *user)
{
	struct passwd *pw;

	if (user == NULL || geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "ticketctl: user %s does not exist\n", user);
		return -1;
	}
	if (chown(path, pw->pw_uid, pw->pw_gid) != 0) {
		fprintf(stderr, "ticketctl: chown %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int create_secret(const struct settings *s)
{
	unsigned char key[32];
	char hex[sizeof key * 2 + 2];
	int fd;

	if (access(s->secret_file, F_OK) == 0) {
		/* Kept, but only if the daemon would accept it: say so now. */
		char *error = NULL;
		size_t len = 0;
		unsigned char *old = settings_read_secret(s->secret_file, &len, &error);
		if (old == NULL) {
			fprintf(stderr, "ticketctl: %s\n", error);
			g_free(error);
			return -1;
		}
		memset(old, 0, len);
		g_free(old);
		printf("secret %s exists; kept\n", s->secret_file);
		return 0;
	}
	if (RAND_bytes(key, sizeof key) != 1) {
		fprintf(stderr, "ticketctl: no random bytes for the secret\n");
		return -1;
	}
	for (size_t i = 0; i < sizeof key; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	strcat(hex, "\n");
	fd = open(s->secret_file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) || close(fd) != 0) {
		fprintf(stderr, "ticketctl: cannot write %s: %s\n", s->secret_file, strerror(errno));
		return -1;
	}
	memset(key, 0, sizeof key);
	printf("secret %s created\n", s->secret_file);
	return give_to_user(s->secret_file, s->user);
}

static int create_database(const struct settings *s)
{
	char *dir = g_path_get_dirname(s->database);
	char *error = NULL;
	struct store *st;
	int rc = 0;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		if (g_mkdir_with_parents(dir, 0750) != 0) {
			fprintf(stderr, "ticketctl: mkdir %s: %s\n", dir, strerror(errno));
			g_free(dir);
			return -1;
		}
		/* SQLite's -wal and -shm files live beside the database. */
		rc = give_to_user(dir, s->user);
	}
	g_free(dir);
	st = store_open(s->database, s->busy_timeout_ms, &error);
	if (st == NULL) {
		fprintf(stderr, "ticketctl: %s\n", error);
		g_free(error);
		return -1;
	}
	printf("database %s ready (schema %d)\n", s->database, STORE_SCHEMA_VERSION);
	store_close(st);
	/* Created 0640 (umask 027); one made by hand may show customers' mail
	 * to every local user. */
	{
		struct stat sb;
		if (stat(s->database, &sb) == 0 && (sb.st_mode & S_IRWXO))
			fprintf(stderr, "ticketctl: warning: database %s (mode %04o) is open to all local users; "
				"chmod 0640 it\n", s->database, (unsigned)(sb.st_mode & 07777));
	}
	if (give_to_user(s->database, s->user) != 0)
		return -1;
	return rc;
}

int cmd_init(const struct settings *s, int argc, char **argv)
{
	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "usage: ticketctl init\n");
		return 2;
	}
	if (create_secret(s) != 0 || create_database(s) != 0)
		return 1;
	return 0;
}
