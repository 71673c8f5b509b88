/*
 * run_as.c - taking on the identity of [milter] user (see run_as.h).
 * Room: util.
 */
#include "config.h"
#include "util/run_as.h"

#include <errno.h>
#include <glib.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

int run_as_lookup(const char *user, uid_t *uid, gid_t *gid, char **error)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		*error = errno ? g_strdup_printf("user %s: %s", user, g_strerror(errno))
			       : g_strdup_printf("user %s does not exist", user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int run_as_owner(const char *user, uid_t *uid, gid_t *gid, char **error)
{
	if (user != NULL && geteuid() == 0)
		return run_as_lookup(user, uid, gid, error);
	*uid = geteuid();
	*gid = getegid();
	return 0;
}

int run_as_assume(const char *user, struct run_as_saved *saved, char **error)
{
	uid_t uid;
	gid_t gid;
	int n;

	memset(saved, 0, sizeof *saved);
	if (user == NULL || geteuid() != 0)
		return 0;
	if (run_as_lookup(user, &uid, &gid, error) != 0)
		return -1;
	if (uid == 0)
		return 0;
	saved->euid = geteuid();
	saved->egid = getegid();
	if ((n = getgroups(0, NULL)) >= 0) {
		saved->groups = g_new0(gid_t, n + 1);
		saved->n_groups = getgroups(n, saved->groups);
	}
	saved->changed = 1;
	/* Groups first: once the uid is not root they cannot change. */
	if (initgroups(user, gid) != 0 || setegid(gid) != 0 || seteuid(uid) != 0) {
		*error = g_strdup_printf("taking on the identity of user %s: %s", user, g_strerror(errno));
		run_as_restore(saved);
		return -1;
	}
	return 0;
}

void run_as_restore(struct run_as_saved *saved)
{
	if (!saved->changed)
		return;
	/* The real uid is root's throughout: none of these can fail. */
	if (seteuid(saved->euid) == 0 && setegid(saved->egid) == 0 && saved->n_groups >= 0)
		setgroups((size_t)saved->n_groups, saved->groups);
	g_free(saved->groups);
	memset(saved, 0, sizeof *saved);
}

int run_as_become(const char *user, char **error)
{
	uid_t uid;
	gid_t gid;

	if (user == NULL)
		return 0;
	if (run_as_lookup(user, &uid, &gid, error) != 0)
		return -1;
	if (geteuid() == uid)
		return 0;
	if (geteuid() != 0) {
		*error = g_strdup_printf("must start as root to become user %s", user);
		return -1;
	}
	if (setgid(gid) != 0 || initgroups(user, gid) != 0 || setuid(uid) != 0) {
		*error = g_strdup_printf("dropping privileges to %s: %s", user, g_strerror(errno));
		return -1;
	}
	/* Prove it cannot be undone. */
	if (setuid(0) == 0) {
		*error = g_strdup("could regain root after dropping privileges; refusing to run");
		return -1;
	}
	return 0;
}
